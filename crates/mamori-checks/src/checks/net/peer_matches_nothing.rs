use super::{engine, operator_resource, peer_matches, policy_of};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;
use mamori_netpol::policy::Peer;

pub struct PeerMatchesNothing;
pub static CHECK: PeerMatchesNothing = PeerMatchesNothing;

static META: CheckMeta = CheckMeta {
    code: "NET005",
    name: "peer-matches-nothing",
    title: "NetworkPolicy peer matches no pod or namespace",
    severity: Severity::Low,
    selects: Selects::Objects(&["NetworkPolicy"]),
    mappings: &["Configuration hygiene: dead rule"],
    course: None,
    doc: r#"## What it finds
A `from` or `to` peer with a pod or namespace selector that matches no
workload of the input (for a namespace selector alone: no namespace). Pods
an operator creates from a custom resource (its `spec.podMetadata.labels`
or pod template) count as matching, as for NET004.

## Why it matters
A peer that matches nothing allows nothing: the flow it was written for is
denied (a label typo, `kubernetes.io/metadata.name` misspelt, a namespace
selector where the namespace has no such label). Worse, it allows the flow
the moment someone creates a pod or labels a namespace to match. Scan the
whole cluster's manifests together, or this reports peers defined
elsewhere.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: shop
  labels: {app: db}
spec:
  containers:
  - name: db
    image: postgres:17
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db-in
  namespace: shop
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: backend}}
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: shop
  labels: {app: db}
spec:
  containers:
  - name: db
    image: postgres:17
---
apiVersion: v1
kind: Pod
metadata:
  name: backend
  namespace: shop
  labels: {app: backend}
spec:
  containers:
  - name: backend
    image: registry.example.com/backend:2.1
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db-in
  namespace: shop
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: backend}}
```

## Fix
Correct the selector, or remove the peer. Not applied by `mamori fix`.

## References
- Behavior of to and from selectors: <https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors>
"#,
};

impl Check for PeerMatchesNothing {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let net = engine(cx);
        let e = &net.0;
        let Some(pi) = policy_of(e, obj) else { return };
        let p = &e.policies[pi];
        for (dir, key, egress) in [("ingress", "from", false), ("egress", "to", true)] {
            for r in p.rules(egress) {
                for (j, peer) in r.peers.iter().flatten().enumerate() {
                    let Peer::Pods { namespaces, pods } = peer else {
                        continue;
                    };
                    let hit = if let (None, Some(sel)) = (pods, namespaces) {
                        e.namespace_labels.values().any(|l| sel.matches(l))
                    } else {
                        e.endpoints.iter().any(|ep| !ep.assumed && peer_matches(e, p, peer, ep))
                    };
                    let operator = || match (namespaces, pods) {
                        (None, Some(s)) => operator_resource(cx, |ns| ns == p.namespace, s),
                        (Some(n), Some(s)) => {
                            operator_resource(cx, |ns| e.namespace_labels.get(ns).is_some_and(|l| n.matches(l)), s)
                        }
                        _ => None,
                    };
                    if hit || operator().is_some() {
                        continue;
                    }
                    let what = match (namespaces, pods) {
                        (Some(n), Some(s)) => format!("pods `{s}` in namespaces `{n}`"),
                        (Some(n), None) => format!("namespaces `{n}`"),
                        (None, Some(s)) => format!("pods `{s}` in {}", p.namespace),
                        (None, None) => continue,
                    };
                    out.push(cx.finding(
                        &META,
                        obj,
                        &FieldPath::root().key("spec").key(dir).index(r.index).key(key).index(j),
                        format!(
                            "{dir} rule #{} of NetworkPolicy {} names {what}, and nothing in the input matches: the peer allows nothing today",
                            r.index + 1,
                            p.label()
                        ),
                        Some("check the labels against the pods and namespaces they are meant to match".into()),
                    ));
                }
            }
        }
    }
}
