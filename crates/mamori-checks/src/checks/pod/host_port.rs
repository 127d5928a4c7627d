use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, Node, PodSpecView};

pub struct HostPort;
pub static CHECK: HostPort = HostPort;

static META: CheckMeta = CheckMeta {
    code: "POD016",
    name: "host-port",
    title: "Container port bound on the node",
    severity: Severity::Medium,
    selects: Selects::Containers,
    mappings: &["NSA/CISA: limit network exposure", "CIS Kubernetes 5.2.13"],
    course: None,
    doc: r#"## What it finds
A container port with a non-zero `hostPort`.

## Why it matters
The port opens on the node's addresses, reachable by anything that can reach
the node, outside Services and, with many network plugins, outside
NetworkPolicy. Only one pod per node can take the port, so scheduling
quietly fails when replicas outnumber nodes. Baseline Pod Security forbids
host ports.

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
    ports:
    - containerPort: 8080
      hostPort: 8080
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
    ports:
    - containerPort: 8080
```

## Fix
Remove `hostPort` and expose the pod through a Service (ClusterIP, and an
Ingress or LoadBalancer where outside access is needed).

## References
- Configuration best practices, services: <https://kubernetes.io/docs/concepts/configuration/overview/#services>
"#,
};

impl Check for HostPort {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(ports) = c.node.get("ports").and_then(Node::as_seq) else {
            return;
        };
        for (i, p) in ports.iter().enumerate() {
            let Some(hp) = p.get("hostPort").and_then(Node::as_i64).filter(|h| *h != 0) else {
                continue;
            };
            out.push(cx.container_finding(
                &META,
                view,
                c,
                &c.path.key("ports").index(i).key("hostPort"),
                format!("container {:?} binds port {hp} on the node (hostPort)", c.name),
                Some("remove `hostPort` and expose the port through a Service".into()),
            ));
        }
    }
}
