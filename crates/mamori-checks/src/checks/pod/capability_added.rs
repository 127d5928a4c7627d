use super::dangerous_capability_added::DANGEROUS;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, PodSpecView};

pub struct CapabilityAdded;
pub static CHECK: CapabilityAdded = CapabilityAdded;

static META: CheckMeta = CheckMeta {
    code: "POD025",
    name: "capability-added",
    title: "Capability added beyond NET_BIND_SERVICE",
    severity: Severity::Low,
    selects: Selects::Containers,
    mappings: &["NSA/CISA: drop unneeded Linux capabilities", "CIS Kubernetes 5.2.8"],
    course: None,
    doc: r#"## What it finds
A container adding a capability other than `NET_BIND_SERVICE` that is not
one of the dangerous ones POD006 reports (CHOWN, SETUID, SETGID, KILL and
the like).

## Why it matters
Restricted Pod Security allows adding only `NET_BIND_SERVICE`; any other
addition keeps the namespace from the restricted level. Capabilities such
as SETUID or CHOWN help an attacker who already has code execution to
change identities or take over files.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      capabilities:
        drop: ["ALL"]
        add: ["CHOWN"]
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      capabilities:
        drop: ["ALL"]
```

## Fix
Remove the addition; fix file ownership at image build time or with
`fsGroup` instead of CHOWN/FOWNER.

## References
- Pod Security Standards, restricted: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
"#,
};

impl Check for CapabilityAdded {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let add_path = c.path.key("securityContext").key("capabilities").key("add");
        for (i, raw, cap) in super::added_caps(c) {
            if cap == "NET_BIND_SERVICE" || DANGEROUS.iter().any(|(d, _)| *d == cap) {
                continue;
            }
            out.push(cx.container_finding(
                &META,
                view,
                c,
                &add_path.index(i),
                format!(
                    "container {:?} adds capability {cap}, which the restricted level does not allow",
                    c.name
                ),
                Some(format!("remove {raw:?} from `capabilities.add`")),
            ));
        }
    }
}
