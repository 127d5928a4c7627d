use super::{engine, policy_of};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;
use mamori_netpol::policy::{Peer, PortMatch};

pub struct DnsPeerAdmitsWholeNamespace;
pub static CHECK: DnsPeerAdmitsWholeNamespace = DnsPeerAdmitsWholeNamespace;

static META: CheckMeta = CheckMeta {
    code: "NET009",
    name: "dns-peer-admits-whole-namespace",
    title: "DNS egress rule admits every pod of kube-system",
    severity: Severity::Low,
    selects: Selects::Objects(&["NetworkPolicy"]),
    mappings: &["Least privilege: over-broad peer", "MITRE ATT&CK: Lateral Movement"],
    course: Some("ex1-2 (NetworkPolicy: the DNS rule)"),
    doc: r#"## What it finds
An egress rule on port 53 only whose peer is a `namespaceSelector` alone
that matches kube-system: it allows port 53 to every pod of kube-system,
not just the DNS pods.

## Why it matters
kube-system runs the cluster's most privileged components. A rule meant
for DNS that admits the whole namespace lets the pod reach anything there
that listens on 53, and the intent (DNS only) is not written down. Adding
the DNS pods' selector in the same peer (AND) says exactly what is meant.

## Example
```yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: kube-system}
    ports:
    - {protocol: UDP, port: 53}
```

## Use instead
```yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector:
        matchLabels: {kubernetes.io/metadata.name: kube-system}
      podSelector:
        matchLabels: {k8s-app: kube-dns}
    ports:
    - {protocol: UDP, port: 53}
    - {protocol: TCP, port: 53}
```

## Fix
Add `podSelector: {matchLabels: {k8s-app: kube-dns}}` to the same peer (no
dash: one peer, both selectors). Not applied by `mamori fix`.

## References
- Behavior of to and from selectors: <https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors>
"#,
};

impl Check for DnsPeerAdmitsWholeNamespace {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let net = engine(cx);
        let e = &net.0;
        let Some(pi) = policy_of(e, obj) else { return };
        let p = &e.policies[pi];
        let ks = e.namespace_labels.get("kube-system").cloned().unwrap_or_default();
        for r in &p.egress_rules {
            let Some(ports) = &r.ports else { continue };
            if !ports.iter().all(|pt| pt.port == PortMatch::Range(53, 53)) {
                continue;
            }
            for (j, peer) in r.peers.iter().flatten().enumerate() {
                let Peer::Pods {
                    namespaces: Some(sel),
                    pods: None,
                } = peer
                else {
                    continue;
                };
                if !sel.matches(&ks) {
                    continue;
                }
                out.push(cx.finding(
                    &META,
                    obj,
                    &FieldPath::root().key("spec").key("egress").index(r.index).key("to").index(j),
                    format!(
                        "egress rule #{} of NetworkPolicy {} allows port 53 to every pod of kube-system (namespaceSelector `{sel}` alone), not just the DNS pods",
                        r.index + 1,
                        p.label()
                    ),
                    Some("add `podSelector: {matchLabels: {k8s-app: kube-dns}}` to the same peer".into()),
                ));
            }
        }
    }
}
