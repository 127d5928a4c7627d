use super::{engine, for_each_rule_port, policy_of};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::Node;
use mamori_netpol::policy::PortMatch;
use mamori_netpol::Protocol;

pub struct RuleNamesServicePort;
pub static CHECK: RuleNamesServicePort = RuleNamesServicePort;

static META: CheckMeta = CheckMeta {
    code: "NET008",
    name: "rule-names-service-port",
    title: "NetworkPolicy port is a Service port, not the pods' target port",
    severity: Severity::Medium,
    selects: Selects::Objects(&["NetworkPolicy"]),
    mappings: &["Availability: the intended flow is denied"],
    course: None,
    doc: r#"## What it finds
A rule port number that none of the rule's destination pods listens on,
but that a Service selecting those pods exposes with a different
`targetPort`.

## Why it matters
NetworkPolicies are enforced after the Service's address translation: they
see the pod's port (the Service's `targetPort`), never the Service's
`port`. A rule for port 80 in front of pods listening on 8080 denies the
traffic it was written to allow.

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
    - {containerPort: 8080}
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: shop
spec:
  selector: {app: api}
  ports:
  - {port: 80, targetPort: 8080}
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
    - {port: 80}
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
    - {containerPort: 8080}
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: shop
spec:
  selector: {app: api}
  ports:
  - {port: 80, targetPort: 8080}
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
    - {port: 8080}
```

## Fix
Use the target port (the pod's port) in the rule. Not applied by
`mamori fix`.

## References
- Services and target ports: <https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service>
- NetworkPolicy and Services: <https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource>
"#,
};

impl Check for RuleNamesServicePort {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let net = engine(cx);
        let e = &net.0;
        let Some(pi) = policy_of(e, obj) else { return };
        let p = &e.policies[pi];
        for_each_rule_port(e, pi, |rp| {
            let PortMatch::Range(lo, hi) = rp.port.port else { return };
            if lo != hi || rp.dests.is_empty() {
                return;
            }
            let listens = rp
                .dests
                .iter()
                .any(|d| d.ports.iter().any(|(_, pr, n)| *n == lo && *pr == rp.port.protocol));
            if listens {
                return;
            }
            let Some((svc, target)) = service_mapping(cx, rp.dests, rp.port.protocol, lo) else {
                return;
            };
            out.push(cx.finding(
                &META,
                obj,
                &rp.path,
                format!(
                    "{} rule #{} of NetworkPolicy {} allows {} {lo}, the port of Service {svc}; its pods listen on {target}, and policies see the pod's port: this rule does not allow that traffic",
                    rp.dir,
                    rp.rule.index + 1,
                    p.label(),
                    rp.port.protocol
                ),
                Some(format!("use port {target} (the Service's targetPort)")),
            ));
        });
    }
}

/// A Service selecting one of `dests` with `port` whose target differs.
fn service_mapping(
    cx: &Context,
    dests: &[&mamori_netpol::Endpoint],
    proto: Protocol,
    port: u16,
) -> Option<(String, String)> {
    for (_, svc) in cx.inventory.of_kind("Service") {
        let targets = cx.inventory.service_targets(svc);
        if !targets
            .iter()
            .any(|t| dests.iter().any(|d| d.objects.contains(&t.object)))
        {
            continue;
        }
        for sp in svc
            .stored
            .get("spec")
            .and_then(|s| s.field("ports"))
            .and_then(Node::as_seq)
            .unwrap_or(&[])
        {
            let sproto = sp
                .str_field("protocol")
                .and_then(Protocol::parse)
                .unwrap_or(Protocol::Tcp);
            if sproto != proto || sp.get("port").and_then(Node::as_i64) != Some(i64::from(port)) {
                continue;
            }
            let target = match sp.get("targetPort") {
                Some(t) => t
                    .as_i64()
                    .map(|n| n.to_string())
                    .or_else(|| t.as_str().map(|s| format!("the port named {s:?}")))?,
                None => continue,
            };
            if target != port.to_string() {
                let ns = svc.effective_namespace.as_deref().unwrap_or("default");
                return Some((format!("{ns}/{}", svc.name), target));
            }
        }
    }
    None
}
