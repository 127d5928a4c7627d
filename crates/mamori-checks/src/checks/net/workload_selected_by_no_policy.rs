use super::{endpoint_of, engine, WORKLOADS};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;

pub struct WorkloadSelectedByNoPolicy;
pub static CHECK: WorkloadSelectedByNoPolicy = WorkloadSelectedByNoPolicy;

static META: CheckMeta = CheckMeta {
    code: "NET002",
    name: "workload-selected-by-no-policy",
    title: "Workload selected by no NetworkPolicy",
    severity: Severity::Medium,
    selects: Selects::Objects(WORKLOADS),
    mappings: &[
        "NSA/CISA: network separation",
        "CIS Kubernetes 5.3.2",
        "MITRE ATT&CK: Lateral Movement",
    ],
    course: Some("ex1-2 (NetworkPolicy)"),
    doc: r#"## What it finds
A workload (or pod) that no NetworkPolicy of its namespace selects for
ingress, or for egress. The finding says which directions are open.

## Why it matters
Isolation is per pod and per direction: a policy in the namespace that
selects other pods does nothing for this one, and an ingress policy does
nothing for egress. Scanners that only check that "a policy exists" miss
exactly this pod, which accepts connections from every pod and address and
can connect anywhere.

## Example
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: registry.example.com/api:1.4
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-only
  namespace: shop
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
```

## Use instead
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: registry.example.com/api:1.4
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
```

## Fix
Select the workload with a policy for each direction (a namespace-wide
default deny does it for all), then allow its flows. Not applied by
`mamori fix`.

## References
- Isolated and non-isolated pods: <https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation>
"#,
};

impl Check for WorkloadSelectedByNoPolicy {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let net = engine(cx);
        let e = &net.0;
        let Some(ep) = endpoint_of(e, obj) else { return };
        let open: Vec<&str> = [(false, "ingress"), (true, "egress")]
            .iter()
            .filter(|(eg, _)| e.isolating(ep.class, *eg).is_empty())
            .map(|(_, n)| *n)
            .collect();
        if open.is_empty() {
            return;
        }
        out.push(cx.finding(
            &META,
            obj,
            &FieldPath::parse("metadata.labels").expect("static"),
            format!(
                "{} is selected by no NetworkPolicy for {}: every connection {} is allowed",
                ep.label(),
                open.join(" or "),
                match open.as_slice() {
                    ["ingress"] => "to it",
                    ["egress"] => "from it",
                    _ => "to and from it",
                }
            ),
            Some(format!(
                    "add policies in {} whose podSelector matches its labels (or `{{}}`) with policyTypes {}",
                    ep.namespace,
                    open.iter()
                        .map(|o| if *o == "ingress" { "Ingress" } else { "Egress" })
                        .collect::<Vec<_>>()
                        .join(" and ")
                )),
        ));
    }
}
