use super::{engine, for_each_rule_port, policy_of};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_netpol::policy::PortMatch;

pub struct NamedPortOnNoPod;
pub static CHECK: NamedPortOnNoPod = NamedPortOnNoPod;

static META: CheckMeta = CheckMeta {
    code: "NET007",
    name: "named-port-on-no-pod",
    title: "Named port in a NetworkPolicy that no destination pod has",
    severity: Severity::Medium,
    selects: Selects::Objects(&["NetworkPolicy"]),
    mappings: &["Availability: the rule allows nothing"],
    course: None,
    doc: r#"## What it finds
A rule port given by name (`port: http`) where none of the rule's
destination pods (for an ingress rule, the pods the policy selects; for an
egress rule, the pods its peers match) has a container port of that name
and protocol.

## Why it matters
A named port is resolved on each destination pod by name *and* protocol;
where it does not resolve, the rule allows nothing. The flow the rule was
written for is denied, typically after a container port was renamed or
when the name is the Service's port name rather than the pod's. An egress
rule with a named port allows nothing to ipBlock addresses at all.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: shop
  labels: {app: api}
spec:
  containers:
  - name: api
    image: registry.example.com/api:1.4
    ports:
    - {name: web, containerPort: 8080}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api-in
  namespace: shop
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - ports:
    - {port: http}
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: shop
  labels: {app: api}
spec:
  containers:
  - name: api
    image: registry.example.com/api:1.4
    ports:
    - {name: http, containerPort: 8080}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api-in
  namespace: shop
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - ports:
    - {port: http}
```

## Fix
Use the container port's name (and protocol), or its number. Not applied
by `mamori fix`.

## References
- NetworkPolicyPort: <https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec>
"#,
};

impl Check for NamedPortOnNoPod {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let net = engine(cx);
        let e = &net.0;
        let Some(pi) = policy_of(e, obj) else { return };
        let p = &e.policies[pi];
        for_each_rule_port(e, pi, |rp| {
            let PortMatch::Named(name) = &rp.port.port else { return };
            let found = rp.dests.iter().any(|d| {
                d.ports
                    .iter()
                    .any(|(n, pr, _)| n.as_deref() == Some(name.as_str()) && *pr == rp.port.protocol)
            });
            if found || (rp.dests.is_empty() && !rp.egress) {
                // A policy selecting nothing is NET004's finding.
                return;
            }
            out.push(cx.finding(
                &META,
                obj,
                &rp.path,
                format!(
                    "{} rule #{} of NetworkPolicy {} names port {name:?} ({}), which none of its {} destination pods has: the port allows nothing",
                    rp.dir,
                    rp.rule.index + 1,
                    p.label(),
                    rp.port.protocol,
                    rp.dests.len()
                ),
                Some("name a container port the pods have (same protocol), or use the number".into()),
            ));
        });
    }
}
