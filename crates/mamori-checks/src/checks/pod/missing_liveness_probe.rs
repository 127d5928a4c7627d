use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerKind, ContainerView, PodSpecView};

pub struct MissingLivenessProbe;
pub static CHECK: MissingLivenessProbe = MissingLivenessProbe;

static META: CheckMeta = CheckMeta {
    code: "POD027",
    name: "missing-liveness-probe",
    title: "Long-running container without a liveness probe",
    severity: Severity::Low,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: availability of workloads (health checks)",
        "Checkov CKV_K8S_8; kubescape C-0056",
    ],
    course: None,
    doc: r#"## What it finds
A regular container without `livenessProbe`, in a pod spec of a long-running
kind (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
ReplicationController, PodTemplate). Jobs and CronJobs run to completion and
are left out, as are init and ephemeral containers.

## Why it matters
Without a liveness probe the kubelet restarts a container only when its
process exits. A process that deadlocks, leaks until it stops answering or
waits forever on a lost connection stays "Running": requests to it time out
and nothing recovers it until a person notices. A denial of service that
wedges the process lasts as long as nobody looks.

A liveness probe that is too strict is worse than none: it restarts healthy
containers under load. Probe something the process itself answers (not its
dependencies) and give it a generous `failureThreshold`.

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
        livenessProbe:
          httpGet:
            path: /healthz
            port: 8080
          periodSeconds: 10
          failureThreshold: 6
```

## Fix
Add a `livenessProbe` (`httpGet`, `tcpSocket`, `grpc` or `exec`) on an
endpoint the process answers itself. Not applied automatically: only the
application knows what "alive" means and on which port.

## References
- Liveness, readiness and startup probes: <https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/>
- Configure liveness probes: <https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/>
"#,
};

/// Kinds whose pods run until deleted; Job and CronJob pods run to completion.
pub fn long_running(kind: &str) -> bool {
    !matches!(kind, "Job" | "CronJob")
}

impl Check for MissingLivenessProbe {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let obj = &cx.inventory.objects[view.object];
        if c.kind != ContainerKind::Regular || !long_running(&obj.kind) {
            return;
        }
        if c.node.field("livenessProbe").is_some() {
            return;
        }
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &c.path,
            format!(
                "container {:?} has no livenessProbe: the kubelet restarts it only when its process exits, never when it hangs",
                c.name
            ),
            Some("add a `livenessProbe` on an endpoint the process answers itself".into()),
        ));
    }
}
