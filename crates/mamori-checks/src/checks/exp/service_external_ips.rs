use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{FieldPath, Node};

pub struct ServiceExternalIps;
pub static CHECK: ServiceExternalIps = ServiceExternalIps;

static META: CheckMeta = CheckMeta {
    code: "EXP003",
    name: "service-external-ips",
    title: "Service with externalIPs",
    severity: Severity::High,
    selects: Selects::Objects(&["Service"]),
    mappings: &["MITRE ATT&CK T1557 (Adversary-in-the-Middle)", "CVE-2020-8554"],
    course: None,
    doc: r#"## What it finds
A Service with `spec.externalIPs` set.

## Why it matters
kube-proxy sends traffic for an external IP on the Service's port to the
Service's pods, on every node, whoever owns that address. That is
CVE-2020-8554: anyone who may create or edit Services can list another
party's IP (a database, a DNS server, an external API) and intercept every
in-cluster connection to it, a man-in-the-middle that Kubernetes fixed
only by advising to forbid the field with admission control (the
`DenyServiceExternalIPs` admission plugin or a policy).

## Example
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
  externalIPs:
  - 203.0.113.10
```

## Use instead
```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  loadBalancerSourceRanges:
  - 203.0.113.0/24
  selector:
    app: web
  ports:
  - port: 80
```

## Fix
Remove `externalIPs` and expose the Service with a LoadBalancer or an
Ingress; enable the `DenyServiceExternalIPs` admission plugin (or a Kyverno
or Gatekeeper policy) so no one can set them. Not applied automatically.

## References
- CVE-2020-8554: <https://github.com/kubernetes/kubernetes/issues/97076>
- Service externalIPs: <https://kubernetes.io/docs/concepts/services-networking/service/#external-ips>
"#,
};

impl Check for ServiceExternalIps {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        if o.rejected.is_some() {
            return;
        }
        let ips: Vec<&str> = o
            .stored
            .get("spec")
            .and_then(|s| s.field("externalIPs"))
            .and_then(Node::as_seq)
            .into_iter()
            .flatten()
            .filter_map(Node::as_str)
            .collect();
        if ips.is_empty() {
            return;
        }
        out.push(cx.finding(
            &META,
            obj,
            &FieldPath::root().key("spec").key("externalIPs"),
            format!(
                "Service {:?} sets externalIPs {}: every node sends traffic for those addresses to this Service's pods, whoever owns them (CVE-2020-8554)",
                o.name,
                ips.join(", ")
            ),
            Some(
                "remove `externalIPs`; expose the Service with a LoadBalancer or Ingress, and enable the DenyServiceExternalIPs admission plugin"
                    .into(),
            ),
        ));
    }
}
