use super::{engine, is_system_namespace};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;
use std::collections::BTreeMap;

pub struct NamespaceWithoutDefaultDeny;
pub static CHECK: NamespaceWithoutDefaultDeny = NamespaceWithoutDefaultDeny;

static META: CheckMeta = CheckMeta {
    code: "NET001",
    name: "namespace-without-default-deny",
    title: "Namespace without a default-deny NetworkPolicy (ingress, egress)",
    severity: Severity::Medium,
    selects: Selects::Input,
    mappings: &[
        "NSA/CISA: network separation (default deny)",
        "CIS Kubernetes 5.3.2 (all namespaces have NetworkPolicies)",
        "MITRE ATT&CK: Lateral Movement",
    ],
    course: Some("ex1-2 (NetworkPolicy)"),
    doc: r#"## What it finds
A namespace with workloads and no default-deny policy for a direction: no
NetworkPolicy of the namespace that selects every pod (`podSelector: {}`),
has the direction in its `policyTypes` and no rule for it. The finding
names the missing directions. kube-system, kube-public and kube-node-lease
are left out. It is reported on the Namespace object, or on the first
workload of a namespace the input does not declare.

## Why it matters
Pods are not isolated until a policy selects them: every pod of the
cluster, and every address outside it, reaches every port. A default deny
makes each allowed flow an explicit rule, so a new workload starts closed
and a compromised pod cannot scan its neighbours. Without an egress deny a
compromised pod can also reach the cloud metadata service and the
internet. This check looks at what each namespace has, not at whether
some policy exists somewhere.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
  - name: web
    image: nginx:1.27
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
  - name: web
    image: nginx:1.27
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
Add a default-deny policy per namespace, then allow the flows the workloads
need (and DNS: see NET003); `mamori netpol generate --flows` writes both.
Not applied by `mamori fix`: it changes what the cluster allows.

## References
- Default policies: <https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies>
"#,
};

impl Check for NamespaceWithoutDefaultDeny {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn input(&self, cx: &Context, out: &mut Vec<Finding>) {
        let net = engine(cx);
        let e = &net.0;
        // First workload per namespace, where to report an undeclared one.
        let mut namespaces: BTreeMap<&str, usize> = BTreeMap::new();
        for ep in e
            .endpoints
            .iter()
            .filter(|ep| !ep.assumed && !is_system_namespace(&ep.namespace))
        {
            let first = ep.objects.iter().copied().min().unwrap_or(0);
            let slot = namespaces.entry(ep.namespace.as_str()).or_insert(first);
            *slot = (*slot).min(first);
        }
        for (ns, first) in namespaces {
            let deny = |egress: bool| {
                e.policies.iter().any(|p| {
                    p.namespace == ns
                        && p.pod_selector.is_everything()
                        && if egress { p.egress } else { p.ingress }
                        && p.rules(egress).is_empty()
                })
            };
            let missing: Vec<&str> = [(false, "ingress"), (true, "egress")]
                .iter()
                .filter(|(eg, _)| !deny(*eg))
                .map(|(_, n)| *n)
                .collect();
            if missing.is_empty() {
                continue;
            }
            let declared = cx.inventory.namespaces.get(ns).and_then(|n| n.object);
            let (obj, field) = match declared {
                Some(o) => (o, FieldPath::parse("metadata.name").expect("static")),
                None => (first, FieldPath::parse("metadata.namespace").expect("static")),
            };
            out.push(cx.finding(
                &META,
                obj,
                &field,
                format!(
                    "namespace {ns} has no default-deny NetworkPolicy for {}: {}",
                    missing.join(" and "),
                    match missing.as_slice() {
                        ["ingress"] => "a pod no policy selects accepts connections from anywhere",
                        ["egress"] => "a pod no policy selects can connect anywhere",
                        _ => "a pod no policy selects accepts connections from anywhere and can connect anywhere",
                    }
                ),
                Some(format!(
                    "add a NetworkPolicy in {ns} with `podSelector: {{}}` and `policyTypes: [{}]` and no rules, then allow what is needed",
                    missing.iter().map(|m| if *m == "ingress" { "Ingress" } else { "Egress" }).collect::<Vec<_>>().join(", ")
                )),
            ));
        }
    }
}
