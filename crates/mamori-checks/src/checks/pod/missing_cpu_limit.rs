use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerKind, ContainerView, PodSpecView};

pub struct MissingCpuLimit;
pub static CHECK: MissingCpuLimit = MissingCpuLimit;

static META: CheckMeta = CheckMeta {
    code: "POD029",
    name: "missing-cpu-limit",
    title: "No CPU limit",
    severity: Severity::Low,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: use resource limits to prevent denial of service",
        "MITRE ATT&CK T1496 (resource hijacking)",
        "Checkov CKV_K8S_11; kubescape C-0270",
    ],
    course: None,
    doc: r#"## What it finds
An init or regular container without `resources.limits.cpu`.

## Why it matters
Without a limit a container may use every idle CPU of its node: a busy loop,
a runaway request or a cryptominer planted through a compromised process
takes CPU time the other pods on the node expected to borrow, and nothing
marks the pod as misbehaving. A limit makes the kernel throttle it at its
share (CFS quota), and a ResourceQuota can only count what is declared.

The trade-off is real: a limit throttles a latency-sensitive process even
when the node is idle. Where CPU limits are left out on purpose, a namespace
LimitRange or a quota on `requests.cpu` should bound what the namespace can
take; suppress this check there with the reason.

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
    resources:
      requests:
        cpu: 100m
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
    resources:
      requests:
        cpu: 100m
      limits:
        cpu: "1"
```

## Fix
Set `resources.limits.cpu` from the container's observed peak, or give the
namespace a LimitRange with a default CPU limit. Not applied automatically:
too low a limit throttles the application.

## References
- Resource management for pods and containers: <https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/>
- Configure default CPU requests and limits for a namespace: <https://kubernetes.io/docs/tasks/administer-cluster/manage-resources/cpu-default-namespace/>
"#,
};

impl Check for MissingCpuLimit {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        // Ephemeral containers cannot declare resources.
        if c.kind == ContainerKind::Ephemeral {
            return;
        }
        let limit = c
            .node
            .get("resources")
            .and_then(|r| r.get("limits"))
            .and_then(|l| l.field("cpu"));
        if limit.is_none() {
            out.push(cx.container_finding(
                &META,
                view,
                c,
                &c.path,
                format!(
                    "container {:?} has no CPU limit: it can take every idle CPU of its node",
                    c.name
                ),
                Some("set `resources.limits.cpu`, or a LimitRange default for the namespace".into()),
            ));
        }
    }
}
