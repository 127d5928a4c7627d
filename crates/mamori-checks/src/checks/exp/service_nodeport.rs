use super::{ports_text, service_type};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;

pub struct ServiceNodeport;
pub static CHECK: ServiceNodeport = ServiceNodeport;

static META: CheckMeta = CheckMeta {
    code: "EXP001",
    name: "service-nodeport",
    title: "Service of type NodePort",
    severity: Severity::Medium,
    selects: Selects::Objects(&["Service"]),
    mappings: &[
        "NSA/CISA: network separation; limit exposure of services",
        "CIS Kubernetes 5.3 (network policies and CNI)",
        "MITRE ATT&CK T1133 (External Remote Services)",
    ],
    course: None,
    doc: r#"## What it finds
A Service with `type: NodePort`.

## Why it matters
A NodePort opens the port (30000-32767 by default) on every node of the
cluster, on all of the node's addresses, and forwards it to the pods,
whichever node they run on. Anyone who can reach any node reaches the
service, bypassing the load balancer, ingress controller and the TLS and
authentication they add; NetworkPolicies see traffic from the node, and
many CNIs cannot tell that apart from the outside. Node addresses are
often reachable from more networks than intended.

## Example
```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
    nodePort: 30080
```

## Use instead
```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
```

## Fix
Use a ClusterIP Service behind an Ingress or Gateway (or an internal
LoadBalancer) for outside access; if a NodePort is truly needed, restrict
access to node ports with the node firewall or cloud security groups. Not
applied automatically: clients that use the node port would break.

## References
- Service type NodePort: <https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport>
- MITRE ATT&CK T1133 External Remote Services: <https://attack.mitre.org/techniques/T1133/>
"#,
};

impl Check for ServiceNodeport {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        if o.rejected.is_some() || service_type(o) != "NodePort" {
            return;
        }
        out.push(cx.finding(
            &META,
            obj,
            &FieldPath::root().key("spec").key("type"),
            format!(
                "Service {:?} is of type NodePort: every node opens {} to anyone who can reach a node",
                o.name,
                ports_text(o, true)
            ),
            Some(
                "remove `type: NodePort` (ClusterIP) and expose it through an Ingress or Gateway, or firewall the node ports"
                    .into(),
            ),
        ));
    }
}
