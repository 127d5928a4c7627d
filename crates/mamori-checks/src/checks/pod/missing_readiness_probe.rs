use super::missing_liveness_probe::long_running;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerKind, ContainerView, PodSpecView};

pub struct MissingReadinessProbe;
pub static CHECK: MissingReadinessProbe = MissingReadinessProbe;

static META: CheckMeta = CheckMeta {
    code: "POD028",
    name: "missing-readiness-probe",
    title: "Long-running container without a readiness probe",
    severity: Severity::Low,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: availability of workloads (health checks)",
        "Checkov CKV_K8S_9; kubescape C-0018",
    ],
    course: None,
    doc: r#"## What it finds
A regular container without `readinessProbe`, in a pod spec of a
long-running kind (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
ReplicationController, PodTemplate). Jobs, CronJobs, init and ephemeral
containers are left out.

## Why it matters
Without a readiness probe a container counts as ready as soon as it starts:
Services send it traffic before it listens, and while it is overloaded or
has lost a dependency. A rolling update counts the new pods as available at
once and removes the old ones, so a version that never becomes healthy
replaces a working one.

## Example
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
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

## Use instead
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
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
        readinessProbe:
          httpGet:
            path: /ready
            port: 8080
          periodSeconds: 5
```

## Fix
Add a `readinessProbe` that succeeds only when the container can serve.
Not applied automatically: the endpoint and port are the application's.

## References
- Liveness, readiness and startup probes: <https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/>
- Pod readiness and Service endpoints: <https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-conditions>
"#,
};

impl Check for MissingReadinessProbe {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let obj = &cx.inventory.objects[view.object];
        if c.kind != ContainerKind::Regular || !long_running(&obj.kind) {
            return;
        }
        if c.node.field("readinessProbe").is_some() {
            return;
        }
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &c.path,
            format!(
                "container {:?} has no readinessProbe: it receives traffic and counts as available as soon as it starts",
                c.name
            ),
            Some("add a `readinessProbe` that succeeds only when the container can serve".into()),
        ));
    }
}
