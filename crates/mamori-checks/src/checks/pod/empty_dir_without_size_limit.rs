use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerKind, Node, PodSpecView};

pub struct EmptyDirWithoutSizeLimit;
pub static CHECK: EmptyDirWithoutSizeLimit = EmptyDirWithoutSizeLimit;

static META: CheckMeta = CheckMeta {
    code: "POD032",
    name: "empty-dir-without-size-limit",
    title: "emptyDir volume without sizeLimit",
    severity: Severity::Low,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: use resource limits to prevent denial of service",
        "MITRE ATT&CK T1499 (endpoint denial of service)",
    ],
    course: None,
    doc: r#"## What it finds
An `emptyDir` volume without `sizeLimit`, in a pod spec none of whose
containers limits `ephemeral-storage`.

## Why it matters
An `emptyDir` lives on the node's disk (or, with `medium: Memory`, in the
node's RAM as tmpfs). Unbounded, one pod writing logs, uploads or a cache
there fills the kubelet's filesystem or memory: the kubelet then evicts
pods, image pulls fail and the node goes `DiskPressure` for every tenant.
With `sizeLimit` (or an `ephemeral-storage` limit on the containers) the
kubelet evicts only the pod that exceeds it. A memory-backed `emptyDir`
counts against the container's memory limit, but without a limit it is
bounded only by the node.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: shop
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    volumeMounts:
    - name: cache
      mountPath: /cache
  volumes:
  - name: cache
    emptyDir: {}
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: shop
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    volumeMounts:
    - name: cache
      mountPath: /cache
  volumes:
  - name: cache
    emptyDir:
      sizeLimit: 500Mi
```

## Fix
Set `emptyDir.sizeLimit` to what the volume may hold, or limit the
containers' `resources.limits.ephemeral-storage`. Not applied
automatically: the right size is the application's.

## References
- emptyDir: <https://kubernetes.io/docs/concepts/storage/volumes/#emptydir>
- Local ephemeral storage: <https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#local-ephemeral-storage>
"#,
};

impl Check for EmptyDirWithoutSizeLimit {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        let obj = &cx.inventory.objects[view.object];
        let Some(spec) = view.spec(obj) else { return };
        let Some(volumes) = spec.field("volumes").and_then(Node::as_seq) else {
            return;
        };
        // Every container's ephemeral-storage limit bounds the pod's emptyDirs too.
        let containers: Vec<_> = view
            .containers(obj)
            .into_iter()
            .filter(|c| c.kind != ContainerKind::Ephemeral)
            .collect();
        let bounded = !containers.is_empty()
            && containers.iter().all(|c| {
                c.node
                    .get("resources")
                    .and_then(|r| r.get("limits"))
                    .and_then(|l| l.field("ephemeral-storage"))
                    .is_some()
            });
        if bounded {
            return;
        }
        for (i, v) in volumes.iter().enumerate() {
            let Some(dir) = v.get("emptyDir") else { continue };
            if dir.field("sizeLimit").is_some() {
                continue;
            }
            let name = v.str_field("name").unwrap_or("");
            let memory = dir.str_field("medium") == Some("Memory");
            out.push(cx.finding(
                &META,
                view.object,
                &view.spec_path.key("volumes").index(i).key("emptyDir"),
                format!(
                    "emptyDir volume {name:?} has no sizeLimit: it can fill the node's {}",
                    if memory { "memory (tmpfs)" } else { "disk" }
                ),
                Some(
                    "set `emptyDir.sizeLimit` (e.g. 500Mi), or an `ephemeral-storage` limit on every container".into(),
                ),
            ));
        }
    }
}
