use super::{engine, operator_resource, policy_of};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;

pub struct PolicySelectsNothing;
pub static CHECK: PolicySelectsNothing = PolicySelectsNothing;

static META: CheckMeta = CheckMeta {
    code: "NET004",
    name: "policy-selects-nothing",
    title: "NetworkPolicy selects no pod",
    severity: Severity::Low,
    selects: Selects::Objects(&["NetworkPolicy"]),
    mappings: &["Configuration hygiene: dead policy"],
    course: None,
    doc: r#"## What it finds
A NetworkPolicy whose `podSelector` matches no workload or pod of its
namespace in the input. Pods an operator creates from a custom resource of
the namespace count as matching when the resource describes their labels
(`spec.podMetadata.labels`, as prometheus-operator's Prometheus and
Alertmanager do, or a pod template's): mamori cannot see those pods, so it
does not guess.

## Why it matters
A policy that selects nothing isolates nothing: usually a label typo
(`app: frontend` against pods labelled `app: front-end`) or a policy in the
wrong namespace, and the pods it was meant for stay open. Scan the
workloads together with the policies, or this also reports policies for
workloads defined elsewhere.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: {app: front-end}
spec:
  containers:
  - name: web
    image: nginx:1.27
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-in
  namespace: shop
spec:
  podSelector: {matchLabels: {app: frontend}}
  policyTypes: [Ingress]
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: {app: front-end}
spec:
  containers:
  - name: web
    image: nginx:1.27
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-in
  namespace: shop
spec:
  podSelector: {matchLabels: {app: front-end}}
  policyTypes: [Ingress]
```

## Fix
Correct the selector or the namespace, or delete the policy. Not applied
by `mamori fix`.

## References
- NetworkPolicy podSelector: <https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource>
"#,
};

impl Check for PolicySelectsNothing {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let net = engine(cx);
        let e = &net.0;
        let Some(pi) = policy_of(e, obj) else { return };
        let p = &e.policies[pi];
        let selected = e
            .endpoints
            .iter()
            .any(|ep| !ep.assumed && ep.namespace == p.namespace && p.pod_selector.matches(&ep.labels));
        if selected || operator_resource(cx, |ns| ns == p.namespace, &p.pod_selector).is_some() {
            return;
        }
        let in_ns = e
            .endpoints
            .iter()
            .filter(|ep| !ep.assumed && ep.namespace == p.namespace)
            .count();
        out.push(cx.finding(
            &META,
            obj,
            &FieldPath::parse("spec.podSelector").expect("static"),
            format!(
                "NetworkPolicy {} selects no pod: its podSelector `{}` matches none of the {in_ns} workloads of namespace {}",
                p.label(),
                p.pod_selector,
                p.namespace
            ),
            Some("correct the labels or the namespace, or delete the policy".into()),
        ));
    }
}
