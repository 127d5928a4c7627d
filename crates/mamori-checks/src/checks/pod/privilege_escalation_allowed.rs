use super::is_windows;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, PodSpecView};

pub struct PrivilegeEscalationAllowed;
pub static CHECK: PrivilegeEscalationAllowed = PrivilegeEscalationAllowed;

static META: CheckMeta = CheckMeta {
    code: "POD002",
    name: "privilege-escalation-allowed",
    title: "Privilege escalation not disabled",
    severity: Severity::Medium,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: prevent privilege escalation",
        "CIS Kubernetes 5.2.5",
        "MITRE ATT&CK T1068",
    ],
    course: Some("ex1-3, ex2-4"),
    doc: r#"## What it finds
A Linux container whose `securityContext.allowPrivilegeEscalation` is not
`false` (unset means allowed).

## Why it matters
Without it the kernel's `no_new_privs` flag is off: a setuid binary in the
image (su, ping on some images) can gain privileges the process did not
start with. Pod Security Standards' restricted level requires `false`.

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
      allowPrivilegeEscalation: false
```

## Fix
Set `allowPrivilegeEscalation: false`. Safe for almost every workload; a
process that relies on setuid binaries will fail to gain privileges.

`mamori fix` applies this: it sets the field on each flagged container,
except a privileged one or one adding `SYS_ADMIN`, where the API server
refuses it.

## References
- Configure a security context: <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
"#,
};

impl Check for PrivilegeEscalationAllowed {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let obj = &cx.inventory.objects[view.object];
        if view.spec(obj).is_some_and(is_windows) {
            return;
        }
        let value = c
            .node
            .get("securityContext")
            .and_then(|s| s.get("allowPrivilegeEscalation"))
            .and_then(|p| p.as_bool());
        if value == Some(false) {
            return;
        }
        let (path, message) = match value {
            Some(true) => (
                c.path.key("securityContext").key("allowPrivilegeEscalation"),
                format!("container {:?} sets allowPrivilegeEscalation: true", c.name),
            ),
            _ => (
                c.path.clone(),
                format!("container {:?} does not set allowPrivilegeEscalation: false, so setuid binaries can raise its privileges", c.name),
            ),
        };
        let mut f = cx.finding(
            &META,
            view.object,
            &path,
            message,
            Some("set `securityContext.allowPrivilegeEscalation: false`".into()),
        );
        f.container = Some(c.name.to_string());
        out.push(f);
    }
}
