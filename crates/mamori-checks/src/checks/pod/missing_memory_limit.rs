use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerKind, ContainerView, PodSpecView};

pub struct MissingMemoryLimit;
pub static CHECK: MissingMemoryLimit = MissingMemoryLimit;

static META: CheckMeta = CheckMeta {
    code: "POD020",
    name: "missing-memory-limit",
    title: "No memory limit",
    severity: Severity::Medium,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: use resource limits to prevent denial of service",
        "MITRE ATT&CK T1499 (endpoint denial of service)",
    ],
    course: None,
    doc: r#"## What it finds
An init or regular container without `resources.limits.memory`.

## Why it matters
Without a limit, a leak or an attacker's workload can take the node's
memory; the kernel's OOM killer then ends other pods' processes, the
kubelet among the candidates on a starved node. A namespace LimitRange can
set defaults, which manifests alone do not show.

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
    resources:
      requests:
        memory: 128Mi
      limits:
        memory: 256Mi
```

## Fix
Set `resources.limits.memory` from the container's observed peak with some
headroom (and a matching request), or give the namespace a LimitRange.

## References
- Resource management for pods and containers: <https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/>
"#,
};

impl Check for MissingMemoryLimit {
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
            .and_then(|l| l.get("memory"));
        if limit.is_none() {
            out.push(cx.container_finding(
                &META,
                view,
                c,
                &c.path,
                format!(
                    "container {:?} has no memory limit: it can use all of the node's memory",
                    c.name
                ),
                Some("set `resources.limits.memory` (e.g. 256Mi) and a matching request".into()),
            ));
        }
    }
}
