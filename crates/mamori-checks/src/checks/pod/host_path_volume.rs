use super::sensitive_host_path::sensitive;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{Node, PodSpecView};

pub struct HostPathVolume;
pub static CHECK: HostPathVolume = HostPathVolume;

static META: CheckMeta = CheckMeta {
    code: "POD015",
    name: "host-path-volume",
    title: "Mounts a folder of the node",
    severity: Severity::Medium,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: do not mount host paths",
        "CIS Kubernetes 5.2.12",
        "MITRE ATT&CK T1611 (escape to host)",
    ],
    course: None,
    doc: r#"## What it finds
A `hostPath` volume on a path that is not one of the sensitive paths POD014
reports (those get the critical finding instead).

## Why it matters
A hostPath ties the pod to one node's disk and shares files with every other
pod that mounts the same path. Writable, it lets a container plant files the
node or other pods later trust; symlinks inside it have been used to read
arbitrary node files. Baseline Pod Security forbids hostPath volumes.

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
  volumes:
  - name: data
    hostPath:
      path: /srv/app-data
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
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: app-data
```

## Fix
Use a PersistentVolumeClaim, an emptyDir or a ConfigMap. If the node's files
are really needed, mount them `readOnly: true` and run the pod in a
namespace meant for node agents.

## References
- hostPath volumes: <https://kubernetes.io/docs/concepts/storage/volumes/#hostpath>
"#,
};

impl Check for HostPathVolume {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        let obj = &cx.inventory.objects[view.object];
        let Some(vols) = view.spec(obj).and_then(|s| s.get("volumes")).and_then(Node::as_seq) else {
            return;
        };
        for (i, v) in vols.iter().enumerate() {
            let Some(path) = v.get("hostPath").and_then(|h| h.str_field("path")) else {
                continue;
            };
            if sensitive(path).is_none() {
                out.push(cx.finding(
                    &META,
                    view.object,
                    &view.spec_path.key("volumes").index(i).key("hostPath").key("path"),
                    format!(
                        "volume {:?} mounts the node's folder {path}",
                        v.str_field("name").unwrap_or("")
                    ),
                    Some("use a PersistentVolumeClaim or emptyDir; if it must stay, mount it `readOnly: true`".into()),
                ));
            }
        }
    }
}
