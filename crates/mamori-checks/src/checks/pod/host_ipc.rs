use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::PodSpecView;

pub struct HostIpc;
pub static CHECK: HostIpc = HostIpc;

static META: CheckMeta = CheckMeta {
    code: "POD012",
    name: "host-ipc",
    title: "Shares the node's IPC namespace",
    severity: Severity::High,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: do not share host namespaces",
        "CIS Kubernetes 5.2.3",
        "MITRE ATT&CK T1611 (escape to host)",
    ],
    course: None,
    doc: r#"## What it finds
A pod spec with `hostIPC: true`.

## Why it matters
The containers share System V IPC objects and `/dev/shm` with every process on the node: they can read and change other programs' shared memory.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  hostIPC: true
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
Remove `hostIPC` (it defaults to false). Node agents that need it belong in a
dedicated namespace with a privileged Pod Security level and tight RBAC, not
beside applications.

`mamori fix` applies this only with --unsafe-fixes: it sets `hostIPC: false`.

## References
- Pod Security Standards, host namespaces: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
"#,
};

impl Check for HostIpc {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        super::host_namespace(
            cx,
            view,
            &META,
            "hostIPC",
            "its containers share System V IPC and POSIX shared memory with the node",
            out,
        );
    }
}
