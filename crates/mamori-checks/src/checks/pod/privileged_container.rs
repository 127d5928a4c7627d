use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, PodSpecView};

pub struct PrivilegedContainer;
pub static CHECK: PrivilegedContainer = PrivilegedContainer;

static META: CheckMeta = CheckMeta {
    code: "POD001",
    name: "privileged-container",
    title: "Privileged container",
    severity: Severity::Critical,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: non-privileged containers",
        "CIS Kubernetes 5.2.2",
        "MITRE ATT&CK T1611 (Escape to Host)",
    ],
    course: Some("ex2-4 (runtime protection)"),
    doc: r#"## What it finds
A container with `securityContext.privileged: true`.

## Why it matters
A privileged container has every capability, sees the host's devices and is
not confined by seccomp or AppArmor: a shell in it is a shell on the node.
Pod Security Standards forbid it from the baseline level up.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
  - name: debug
    image: registry.example/debug:1.0
    securityContext:
      privileged: true
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
  - name: debug
    image: registry.example/debug:1.0
    securityContext:
      privileged: false
      capabilities:
        add: ["NET_ADMIN"]
        drop: ["ALL"]
```

## Fix
Remove `privileged: true` and add only the capabilities the workload needs.
Not safe to apply blindly: some node agents need privilege.

## References
- Pod Security Standards: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
"#,
};

impl Check for PrivilegedContainer {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let privileged = c
            .node
            .get("securityContext")
            .and_then(|s| s.get("privileged"))
            .and_then(|p| p.as_bool());
        if privileged == Some(true) {
            let mut f = cx.finding(
                &META,
                view.object,
                &c.path.key("securityContext").key("privileged"),
                format!(
                    "container {:?} runs privileged: it has every capability and the host's devices",
                    c.name
                ),
                Some("set `privileged: false` and add only the capabilities it needs".into()),
            );
            f.container = Some(c.name.to_string());
            out.push(f);
        }
    }
}
