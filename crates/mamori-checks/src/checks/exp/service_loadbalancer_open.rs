use super::{ports_text, service_type};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{FieldPath, Node, Object};

pub struct ServiceLoadbalancerOpen;
pub static CHECK: ServiceLoadbalancerOpen = ServiceLoadbalancerOpen;

static META: CheckMeta = CheckMeta {
    code: "EXP002",
    name: "service-loadbalancer-open",
    title: "LoadBalancer Service open to any address",
    severity: Severity::Medium,
    selects: Selects::Objects(&["Service"]),
    mappings: &[
        "NSA/CISA: network separation; limit exposure of services",
        "MITRE ATT&CK T1133 (External Remote Services)",
        "MITRE ATT&CK T1190 (Exploit Public-Facing Application)",
    ],
    course: None,
    doc: r#"## What it finds
A Service of `type: LoadBalancer` that neither restricts its clients
(`spec.loadBalancerSourceRanges`, or the older
`service.beta.kubernetes.io/load-balancer-source-ranges` annotation) nor
asks the cloud for an internal load balancer:
- AWS: `service.beta.kubernetes.io/aws-load-balancer-internal: "true"` or
  `service.beta.kubernetes.io/aws-load-balancer-scheme: internal`;
- Google Cloud: `networking.gke.io/load-balancer-type: Internal` (or the
  older `cloud.google.com/load-balancer-type: Internal`);
- Azure: `service.beta.kubernetes.io/azure-load-balancer-internal: "true"`;
- Oracle Cloud: `service.beta.kubernetes.io/oci-load-balancer-internal: "true"`.

Source ranges that include `0.0.0.0/0` or `::/0` count as open.

## Why it matters
On a cloud, a LoadBalancer Service gets a public address by default, and
the cloud's firewall rules created for it allow every source address. The
service is reachable from the whole internet, scanned within minutes, and
anything behind it without its own authentication is exposed.

## Example
```yaml
apiVersion: v1
kind: Service
metadata:
  name: admin
spec:
  type: LoadBalancer
  selector:
    app: admin
  ports:
  - port: 443
```

## Use instead
```yaml
apiVersion: v1
kind: Service
metadata:
  name: admin
spec:
  type: LoadBalancer
  loadBalancerSourceRanges:
  - 203.0.113.0/24
  selector:
    app: admin
  ports:
  - port: 443
```

## Fix
List the client networks in `loadBalancerSourceRanges`, or annotate the
Service for an internal load balancer on your cloud; for web traffic
prefer one Ingress or Gateway with TLS and authentication. Not applied
automatically: mamori does not know your clients' networks.

## References
- Service type LoadBalancer: <https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer>
- Restrict access for LoadBalancer Service: <https://kubernetes.io/docs/tasks/access-application-cluster/configure-cloud-provider-firewall/>
- Internal load balancer annotations: <https://kubernetes.io/docs/concepts/services-networking/service/#internal-load-balancer>
"#,
};

/// The cloud's internal load-balancer annotation, if set.
fn internal_annotation(o: &Object) -> Option<String> {
    let yes = |v: &str| {
        let v = v.trim().to_ascii_lowercase();
        // AWS's legacy in-tree provider also took `0.0.0.0/0` for "internal".
        matches!(v.as_str(), "true" | "internal" | "0.0.0.0/0")
    };
    const KEYS: &[&str] = &[
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        "networking.gke.io/load-balancer-type",
        "cloud.google.com/load-balancer-type",
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        "service.beta.kubernetes.io/oci-load-balancer-internal",
    ];
    o.annotations()
        .into_iter()
        .find(|(k, v)| KEYS.contains(&k.as_str()) && yes(v))
        .map(|(k, _)| k)
}

impl Check for ServiceLoadbalancerOpen {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        if o.rejected.is_some() || service_type(o) != "LoadBalancer" || internal_annotation(o).is_some() {
            return;
        }
        let spec_ranges: Vec<String> = o
            .stored
            .get("spec")
            .and_then(|s| s.field("loadBalancerSourceRanges"))
            .and_then(Node::as_seq)
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str().map(|s| s.trim().to_string()))
            .collect();
        let (ranges, path) = if spec_ranges.is_empty() {
            let from_annotation: Vec<String> = o
                .annotation("service.beta.kubernetes.io/load-balancer-source-ranges")
                .map(|a| {
                    a.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            (
                from_annotation,
                FieldPath::root()
                    .key("metadata")
                    .key("annotations")
                    .key("service.beta.kubernetes.io/load-balancer-source-ranges"),
            )
        } else {
            (
                spec_ranges,
                FieldPath::root().key("spec").key("loadBalancerSourceRanges"),
            )
        };
        let open: Vec<&String> = ranges
            .iter()
            .filter(|r| matches!(r.as_str(), "0.0.0.0/0" | "::/0"))
            .collect();
        let (path, message) = if ranges.is_empty() {
            (
                FieldPath::root().key("spec").key("type"),
                format!(
                    "LoadBalancer Service {:?} accepts {} from any address: no loadBalancerSourceRanges and no internal load-balancer annotation",
                    o.name,
                    ports_text(o, false)
                ),
            )
        } else if !open.is_empty() {
            (
                path,
                format!(
                    "LoadBalancer Service {:?} allows source range {}, which is every address",
                    o.name, open[0]
                ),
            )
        } else {
            return;
        };
        out.push(cx.finding(
            &META,
            obj,
            &path,
            message,
            Some(
                "set `spec.loadBalancerSourceRanges` to your clients' networks (e.g. `[203.0.113.0/24]`), or annotate it as internal for your cloud (e.g. `networking.gke.io/load-balancer-type: Internal`)"
                    .into(),
            ),
        ));
    }
}
