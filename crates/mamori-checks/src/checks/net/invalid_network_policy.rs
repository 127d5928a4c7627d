use super::engine;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_netpol::policy;

pub struct InvalidNetworkPolicy;
pub static CHECK: InvalidNetworkPolicy = InvalidNetworkPolicy;

static META: CheckMeta = CheckMeta {
    code: "NET006",
    name: "invalid-network-policy",
    title: "NetworkPolicy the API server refuses (bad CIDR, port, endPort, selector)",
    severity: Severity::High,
    selects: Selects::Objects(&["NetworkPolicy"]),
    mappings: &["Configuration validity: the policy never exists"],
    course: None,
    doc: r#"## What it finds
A NetworkPolicy that `ValidateNetworkPolicy` refuses for a reason a schema
does not show: an `ipBlock.cidr` or `except` entry that is not a CIDR, an
`except` that is not a strict subset of its `cidr`, an `ipBlock` beside a
selector in one peer, an empty peer, a port outside 1-65535 or a port name
that is not an IANA service name, `endPort` without a numeric `port` or
below it, a label selector with a bad key, value or operator. (Unknown
fields, wrong types and unsupported values are SCH findings.)

## Why it matters
The apply fails, and in a pipeline that ignores the error the policy
silently never exists: the pods it was written to protect stay open, or
the flow it was written to allow stays denied. mamori never computes a
verdict from such a policy.

## Example
```yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: office-in
  namespace: shop
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock:
        cidr: 10.0.0.0/16
        except: [10.1.0.0/24]
    ports:
    - {port: 8443, endPort: 8080}
```

## Use instead
```yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: office-in
  namespace: shop
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock:
        cidr: 10.0.0.0/16
        except: [10.0.1.0/24]
    ports:
    - {port: 8080, endPort: 8443}
```

## Fix
Correct the field the finding names. Not applied by `mamori fix`.

## References
- NetworkPolicy API (IPBlock, NetworkPolicyPort): <https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/>
"#,
};

impl Check for InvalidNetworkPolicy {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        if o.api_version != "networking.k8s.io/v1" || o.rejected.is_some() || o.node != o.stored {
            // The schema findings (SCH) report those, with the field.
            return;
        }
        let net = engine(cx);
        let at = policy::at(o);
        for i in net.0.issues.iter().filter(|i| i.rejected && i.at == at) {
            if i.field == "metadata.name" {
                continue; // defined twice: SCH008 reports duplicates
            }
            let pos = mamori_model::FieldPath::parse(&i.field)
                .map(|f| o.node.locate(&f))
                .unwrap_or(o.node.pos);
            let mut f = cx.finding(
                &META,
                obj,
                &mamori_model::FieldPath::parse(&i.field).unwrap_or_default(),
                format!(
                    "{}: {}: the API server refuses NetworkPolicy {}/{}, so it takes no part",
                    i.field,
                    i.message,
                    o.effective_namespace.as_deref().unwrap_or("default"),
                    o.name
                ),
                Some("correct the field; until then the policy does not exist".into()),
            );
            f.location.line = pos.line;
            out.push(f);
        }
    }
}
