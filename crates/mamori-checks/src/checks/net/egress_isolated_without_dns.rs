use super::{endpoint_of, engine, WORKLOADS};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;
use mamori_netpol::endpoint::is_dns;
use mamori_netpol::{Protocol, Target};

pub struct EgressIsolatedWithoutDns;
pub static CHECK: EgressIsolatedWithoutDns = EgressIsolatedWithoutDns;

static META: CheckMeta = CheckMeta {
    code: "NET003",
    name: "egress-isolated-without-dns",
    title: "Egress-isolated workload cannot reach DNS (or only over UDP)",
    severity: Severity::Medium,
    selects: Selects::Objects(WORKLOADS),
    mappings: &["Availability: name resolution under default-deny egress"],
    course: Some("ex1-2 (NetworkPolicy: `Resolving timed out` under deny-all)"),
    doc: r#"## What it finds
A workload whose egress is isolated (a policy with type Egress selects
it) and whose egress rules do not allow UDP 53 to the cluster DNS pods
(kube-system pods labelled `k8s-app: kube-dns`; assumed as kubeadm, kind
and the managed services deploy them when the input has none). At low
severity: DNS allowed on UDP 53 but not TCP 53.

## Why it matters
A default-deny egress policy also blocks name lookups: every connection by
name then fails with a timeout (the course's curl prints `Resolving timed
out`), which looks like a network outage rather than a policy. Resolvers
retry over TCP 53 when an answer is truncated (large records, DNSSEC, many
addresses), so UDP-only rules break those lookups intermittently.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: curl
  namespace: shop
spec:
  containers:
  - name: curl
    image: curlimages/curl:8.10.1
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: curl
  namespace: shop
spec:
  containers:
  - name: curl
    image: curlimages/curl:8.10.1
---
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
Allow egress to the DNS pods on UDP and TCP 53 (as above). Not applied by
`mamori fix`.

## References
- Debugging DNS resolution: <https://kubernetes.io/docs/tasks/administer-cluster/dns-debugging-resolution/>
- DNS over TCP fallback, RFC 7766: <https://www.rfc-editor.org/rfc/rfc7766>
"#,
};

impl Check for EgressIsolatedWithoutDns {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let net = engine(cx);
        let e = &net.0;
        let Some(ep) = endpoint_of(e, obj) else { return };
        if e.isolating(ep.class, true).is_empty() || is_dns(ep) {
            return;
        }
        let Some(dns) = e.endpoints.iter().find(|d| is_dns(d)) else {
            return;
        };
        let side = e.side(true, Target::Class(ep.class), Target::Class(dns.class), false);
        let udp = side.allowed.contains(Protocol::Udp, 53);
        let tcp = side.allowed.contains(Protocol::Tcp, 53);
        if udp && tcp {
            return;
        }
        let by: Vec<String> = side.isolated_by.iter().map(|&i| e.policies[i].label()).collect();
        let field = FieldPath::parse("metadata.labels").expect("static");
        if !udp {
            out.push(cx.finding(
                &META,
                obj,
                &field,
                format!(
                    "{} is egress-isolated (by {}) and no egress rule allows DNS to {}: every lookup times out{}",
                    ep.label(),
                    by.join(", "),
                    dns.label(),
                    if tcp { " (only TCP 53 is allowed)" } else { "" }
                ),
                Some("allow egress to the kube-dns pods on UDP 53 and TCP 53".into()),
            ));
        } else {
            let mut f = cx.finding(
                &META,
                obj,
                &field,
                format!(
                    "{} may reach DNS ({}) on UDP 53 only: lookups that fall back to TCP 53 (truncated answers) fail",
                    ep.label(),
                    dns.label()
                ),
                Some("add `{protocol: TCP, port: 53}` beside the UDP 53 port of the DNS rule".into()),
            );
            f.severity = Severity::Low;
            out.push(f);
        }
    }
}
