use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerKind, ContainerView, Node, PodSpecView};

pub struct MissingMemoryRequest;
pub static CHECK: MissingMemoryRequest = MissingMemoryRequest;

static META: CheckMeta = CheckMeta {
    code: "POD042",
    name: "missing-memory-request",
    title: "CPU requested but no memory request",
    severity: Severity::Low,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: use resource limits to prevent denial of service",
        "Checkov CKV_K8S_12; Trivy KSV016",
    ],
    course: None,
    doc: r#"## What it finds
An init or regular container that requests or limits CPU but has neither
`resources.requests.memory` nor `resources.limits.memory` (from which the
API server would default the request), in a pod without pod-level memory
resources. A container with no resources at all is POD021's finding.

## Why it matters
Its memory request is zero: the scheduler reserves no memory for it and
packs the pod onto nodes whose memory is already promised to others, and
under memory pressure the kubelet evicts first the pods using the most
memory above their request, which for this container is all of it. Quotas
on `requests.memory` do not see it either.

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
        memory: 128Mi
```

## Fix
Set `resources.requests.memory` from the container's observed usage (and a
memory limit, POD020). Not applied automatically: the size is the
application's.

## References
- Resource management for pods and containers: <https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/>
- Node-pressure eviction: <https://kubernetes.io/docs/concepts/scheduling-eviction/node-pressure-eviction/>
"#,
};

fn has(res: Option<&Node>, section: &str, resource: &str) -> bool {
    res.and_then(|r| r.get(section))
        .and_then(|s| s.field(resource))
        .is_some()
}

impl Check for MissingMemoryRequest {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        if c.kind == ContainerKind::Ephemeral {
            return;
        }
        let res = c.node.get("resources");
        let cpu = has(res, "requests", "cpu") || has(res, "limits", "cpu");
        let memory = has(res, "requests", "memory") || has(res, "limits", "memory");
        if !cpu || memory {
            return;
        }
        // Pod-level resources (PodLevelResources) give the pod its memory.
        let obj = &cx.inventory.objects[view.object];
        let pod_res = view.spec(obj).and_then(|s| s.get("resources"));
        if has(pod_res, "requests", "memory") || has(pod_res, "limits", "memory") {
            return;
        }
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &c.path.key("resources"),
            format!(
                "container {:?} requests CPU but no memory: the scheduler reserves none for it and it is among the first evicted under memory pressure",
                c.name
            ),
            Some("set `resources.requests.memory` (and a memory limit)".into()),
        ));
    }
}
