use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{FieldPath, Node};

pub struct NakedPod;
pub static CHECK: NakedPod = NakedPod;

static META: CheckMeta = CheckMeta {
    code: "POD035",
    name: "naked-pod",
    title: "Pod not managed by a controller",
    severity: Severity::Info,
    selects: Selects::Objects(&["Pod"]),
    mappings: &["kubescape C-0073 (naked pods)"],
    course: None,
    doc: r#"## What it finds
A Pod manifest without `metadata.ownerReferences`: a pod created directly
rather than by a Deployment, StatefulSet, DaemonSet, Job or another
controller.

## Why it matters
Nothing recreates a bare pod: when its node fails, is drained for an
upgrade or evicts it under pressure, the pod is gone until someone applies
it again. It also cannot be updated in place (most of its spec is
immutable), so changes, including security fixes, mean deleting it by hand,
and there is no rollout history to go back to. Short-lived debugging pods
and the course's exercises are bare pods on purpose; suppress the check
there.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
  - name: web
    image: registry.example/web:1.0
```

## Use instead
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: registry.example/web:1.0
```

## Fix
Wrap the pod spec in a Deployment (or a StatefulSet, DaemonSet or Job,
whichever fits its life cycle). Not applied automatically: the controller
and its selector are a design choice.

## References
- Configuration best practices, naked pods: <https://kubernetes.io/docs/concepts/configuration/overview/#naked-pods-vs-replicasets-deployments-and-jobs>
- Workload management: <https://kubernetes.io/docs/concepts/workloads/controllers/>
"#,
};

impl Check for NakedPod {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        if o.rejected.is_some() {
            return;
        }
        let owned = o
            .stored
            .get("metadata")
            .and_then(|m| m.field("ownerReferences"))
            .and_then(Node::as_seq)
            .is_some_and(|s| !s.is_empty());
        if owned {
            return;
        }
        out.push(cx.finding(
            &META,
            obj,
            &FieldPath::root().key("kind"),
            format!(
                "Pod {:?} is not managed by a controller: nothing recreates it when its node fails or evicts it",
                o.name
            ),
            Some("run it from a Deployment, StatefulSet, DaemonSet or Job".into()),
        ));
    }
}
