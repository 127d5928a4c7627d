use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{FieldPath, Node, PodSpecView};

pub struct WindowsHostProcess;
pub static CHECK: WindowsHostProcess = WindowsHostProcess;

static META: CheckMeta = CheckMeta {
    code: "POD019",
    name: "windows-host-process",
    title: "Windows HostProcess container",
    severity: Severity::High,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: do not run privileged containers",
        "MITRE ATT&CK T1611 (escape to host)",
    ],
    course: None,
    doc: r#"## What it finds
`windowsOptions.hostProcess: true` on the pod or a container.

## Why it matters
A HostProcess container runs directly on the Windows node as a host
process, with the node's network and filesystem: the Windows equivalent of
a privileged container. Baseline Pod Security forbids it.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  securityContext:
    windowsOptions:
      hostProcess: true
  hostNetwork: true
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
Remove `hostProcess`; node agents that need it belong in a namespace with a
privileged Pod Security level and tight RBAC.

## References
- Create a Windows HostProcess pod: <https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/>
"#,
};

impl Check for WindowsHostProcess {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        let obj = &cx.inventory.objects[view.object];
        let Some(spec) = view.spec(obj) else { return };
        let host = |n: &Node| {
            n.get("securityContext")
                .and_then(|s| s.get("windowsOptions"))
                .and_then(|w| w.get("hostProcess"))
                .and_then(Node::as_bool)
                == Some(true)
        };
        let mut places: Vec<(FieldPath, String)> = Vec::new();
        if host(spec) {
            places.push((view.spec_path.clone(), format!("{} {:?}", obj.kind, obj.name)));
        }
        for c in view.containers(obj) {
            if host(c.node) {
                places.push((c.path.clone(), format!("container {:?}", c.name)));
            }
        }
        for (path, whose) in places {
            out.push(cx.finding(
                &META,
                view.object,
                &path.key("securityContext").key("windowsOptions").key("hostProcess"),
                format!("{whose} runs as a Windows HostProcess: a process on the node, with its network and files"),
                Some("remove `windowsOptions.hostProcess`".into()),
            ));
        }
    }
}
