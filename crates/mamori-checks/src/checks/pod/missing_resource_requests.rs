use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerKind, ContainerView, PodSpecView};

pub struct MissingResourceRequests;
pub static CHECK: MissingResourceRequests = MissingResourceRequests;

static META: CheckMeta = CheckMeta {
    code: "POD021",
    name: "missing-resource-requests",
    title: "No CPU or memory request",
    severity: Severity::Low,
    selects: Selects::Containers,
    mappings: &["NSA/CISA: use resource limits to prevent denial of service"],
    course: None,
    doc: r#"## What it finds
An init or regular container with neither `resources.requests.cpu` nor
`resources.requests.memory`, and no limits from which the API server would
default them.

## Why it matters
Without requests the pod is `BestEffort`: the scheduler packs it anywhere
and it is the first evicted under pressure, while a noisy neighbour of the
same class can starve it. Requests are also what quotas count.

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
        cpu: 100m
        memory: 128Mi
```

## Fix
Set `resources.requests` for CPU and memory from observed usage.

## References
- Pod quality of service classes: <https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/>
"#,
};

impl Check for MissingResourceRequests {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        if c.kind == ContainerKind::Ephemeral {
            return;
        }
        let res = c.node.get("resources");
        let has = |section: &str| {
            res.and_then(|r| r.get(section))
                .and_then(|s| s.as_map())
                .is_some_and(|m| m.iter().any(|e| e.key == "cpu" || e.key == "memory"))
        };
        // Limits without requests default the requests to the limits.
        if !has("requests") && !has("limits") {
            out.push(cx.container_finding(
                &META,
                view,
                c,
                &c.path,
                format!(
                    "container {:?} requests no CPU or memory: the pod is BestEffort, first to be evicted",
                    c.name
                ),
                Some("set `resources.requests.cpu` and `resources.requests.memory`".into()),
            ));
        }
    }
}
