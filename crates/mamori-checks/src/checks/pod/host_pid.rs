use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::PodSpecView;

pub struct HostPid;
pub static CHECK: HostPid = HostPid;

static META: CheckMeta = CheckMeta {
    code: "POD011",
    name: "host-pid",
    title: "Shares the node's process namespace",
    severity: Severity::High,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: do not share host namespaces",
        "CIS Kubernetes 5.2.2",
        "MITRE ATT&CK T1611 (escape to host)",
    ],
    course: None,
    doc: r#"## What it finds
A pod spec with `hostPID: true`.

## Why it matters
The containers see every process on the node, with their command lines and environment (secrets included, through `/proc/<pid>/environ` for processes of the same user), and a root container can `nsenter` into the host through pid 1.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  hostPID: true
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
```

## Fix
Remove `hostPID` (it defaults to false). Node agents that need it belong in a
dedicated namespace with a privileged Pod Security level and tight RBAC, not
beside applications.

`mamori fix` applies this only with --unsafe-fixes: it sets `hostPID: false`.

## References
- Pod Security Standards, host namespaces: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
"#,
};

impl Check for HostPid {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        super::host_namespace(
            cx,
            view,
            &META,
            "hostPID",
            "its containers see and can signal every process on the node",
            out,
        );
    }
}
