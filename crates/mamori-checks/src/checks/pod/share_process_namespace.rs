use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{Node, PodSpecView};

pub struct ShareProcessNamespace;
pub static CHECK: ShareProcessNamespace = ShareProcessNamespace;

static META: CheckMeta = CheckMeta {
    code: "POD024",
    name: "share-process-namespace",
    title: "Containers share one process namespace",
    severity: Severity::Low,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: isolate containers",
        "MITRE ATT&CK T1552 (unsecured credentials)",
    ],
    course: None,
    doc: r#"## What it finds
A pod spec with `shareProcessNamespace: true`.

## Why it matters
Every container sees the others' processes, and through
`/proc/<pid>/root` and `/proc/<pid>/environ` their files and environment
(secrets included) when running as the same user. A compromised sidecar
reads the application's credentials.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  shareProcessNamespace: true
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
Remove `shareProcessNamespace`. For debugging, attach an ephemeral container
with `kubectl debug --target` instead.

## References
- Share process namespace between containers: <https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/>
"#,
};

impl Check for ShareProcessNamespace {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        let obj = &cx.inventory.objects[view.object];
        let Some(spec) = view.spec(obj) else { return };
        if spec.get("shareProcessNamespace").and_then(Node::as_bool) == Some(true) {
            out.push(cx.finding(
                &META,
                view.object,
                &view.spec_path.key("shareProcessNamespace"),
                format!(
                    "{} {:?} shares one process namespace: each container can read the others' environment and files",
                    obj.kind, obj.name
                ),
                Some("remove `shareProcessNamespace`; debug with `kubectl debug --target`".into()),
            ));
        }
    }
}
