use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{FieldPath, Node, PodSpecView};

pub struct RunAsRootGroup;
pub static CHECK: RunAsRootGroup = RunAsRootGroup;

static META: CheckMeta = CheckMeta {
    code: "POD026",
    name: "run-as-root-group",
    title: "Runs with the root group (gid 0)",
    severity: Severity::Low,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: use containers built to run applications as non-root users",
        "CIS Kubernetes 5.2.7",
    ],
    course: None,
    doc: r#"## What it finds
`runAsGroup: 0` or `fsGroup: 0` on the pod, `runAsGroup: 0` on a container,
or `0` in `supplementalGroups`.

## Why it matters
Group 0 owns many files in images and on mounted volumes (`/etc`, sockets,
device nodes) with group-write permission: a non-root process in group 0
still writes them. It also undoes the point of a non-root uid for files
created on shared volumes.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  securityContext:
    runAsUser: 10001
    runAsGroup: 0
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
  securityContext:
    runAsUser: 10001
    runAsGroup: 10001
  containers:
  - name: app
    image: registry.example/app:1.0
```

## Fix
Use a non-zero gid for `runAsGroup` and `fsGroup`, and remove `0` from
`supplementalGroups`.

## References
- Configure a security context: <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
"#,
};

impl Check for RunAsRootGroup {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        let obj = &cx.inventory.objects[view.object];
        let Some(spec) = view.spec(obj) else { return };
        let mut hits: Vec<(FieldPath, String)> = Vec::new();
        let psc = view.spec_path.key("securityContext");
        if let Some(sc) = spec.get("securityContext") {
            for k in ["runAsGroup", "fsGroup"] {
                if sc.get(k).and_then(Node::as_i64) == Some(0) {
                    hits.push((psc.key(k), format!("the pod sets {k}: 0")));
                }
            }
            if let Some(groups) = sc.get("supplementalGroups").and_then(Node::as_seq) {
                for (i, g) in groups.iter().enumerate() {
                    if g.as_i64() == Some(0) {
                        hits.push((
                            psc.key("supplementalGroups").index(i),
                            "the pod adds group 0 to supplementalGroups".into(),
                        ));
                    }
                }
            }
        }
        for c in view.containers(obj) {
            if c.node
                .get("securityContext")
                .and_then(|s| s.get("runAsGroup"))
                .and_then(Node::as_i64)
                == Some(0)
            {
                hits.push((
                    c.path.key("securityContext").key("runAsGroup"),
                    format!("container {:?} sets runAsGroup: 0", c.name),
                ));
            }
        }
        for (path, what) in hits {
            out.push(cx.finding(
                &META,
                view.object,
                &path,
                format!("{what}: the root group can write files that group 0 owns"),
                Some("use a non-zero gid (e.g. 10001)".into()),
            ));
        }
    }
}
