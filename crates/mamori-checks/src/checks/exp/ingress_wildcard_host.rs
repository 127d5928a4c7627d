use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{FieldPath, Node};

pub struct IngressWildcardHost;
pub static CHECK: IngressWildcardHost = IngressWildcardHost;

static META: CheckMeta = CheckMeta {
    code: "EXP005",
    name: "ingress-wildcard-host",
    title: "Ingress rule matches any host",
    severity: Severity::Low,
    selects: Selects::Objects(&["Ingress"]),
    mappings: &[
        "NSA/CISA: limit exposure of services",
        "MITRE ATT&CK T1190 (Exploit Public-Facing Application)",
    ],
    course: None,
    doc: r#"## What it finds
An Ingress rule without `host`, which matches requests for any host name,
or with a wildcard host (`*.example.com`), which matches every subdomain;
and a `spec.defaultBackend`, which receives every request no rule matches.

## Why it matters
The `Host` header is chosen by the client. A rule without a host answers on
the controller's IP address and on every DNS name that points at it, so
the backend is reachable in ways nobody planned (direct IP scans find it),
and host-based controls in front (WAF rules, DNS-based allow-lists) do not
apply. A wildcard host serves every subdomain, including ones that
should not exist, and shares one certificate across all of them. Rules
with explicit hosts make exposure a deliberate, reviewable list.

## Example
```yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: api
            port:
              number: 80
```

## Use instead
```yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
spec:
  rules:
  - host: api.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: api
            port:
              number: 80
```

## Fix
Give every rule the exact host names it serves; remove `defaultBackend`
unless it is a deliberate "not found" page. Not applied automatically:
mamori does not know your host names.

## References
- Ingress rules and hostname wildcards: <https://kubernetes.io/docs/concepts/services-networking/ingress/#hostname-wildcards>
- Ingress default backend: <https://kubernetes.io/docs/concepts/services-networking/ingress/#default-backend>
"#,
};

impl Check for IngressWildcardHost {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        if o.rejected.is_some() {
            return;
        }
        let Some(spec) = o.stored.get("spec") else { return };
        let rules = spec.field("rules").and_then(Node::as_seq).unwrap_or(&[]);
        let rules_path = FieldPath::root().key("spec").key("rules");
        for (i, r) in rules.iter().enumerate() {
            let (path, message, hint) = match r.str_field("host").filter(|h| !h.is_empty()) {
                None => (
                    rules_path.index(i),
                    format!(
                        "Ingress {:?} rule {i} has no host: it answers requests for any host name and the controller's bare IP",
                        o.name
                    ),
                    "add `host: <name>` with the exact host name this rule serves".to_string(),
                ),
                Some(h) if h.starts_with('*') => (
                    rules_path.index(i).key("host"),
                    format!(
                        "Ingress {:?} rule {i} has wildcard host {h}: it serves every subdomain of {}",
                        o.name,
                        h.trim_start_matches("*.")
                    ),
                    format!("list the subdomains it serves instead of `{h}`, one rule or host each"),
                ),
                Some(_) => continue,
            };
            out.push(cx.finding(&META, obj, &path, message, Some(hint)));
        }
        // v1 `defaultBackend`, v1beta1 `backend`.
        for field in ["defaultBackend", "backend"] {
            if spec.field(field).is_some() {
                out.push(cx.finding(
                    &META,
                    obj,
                    &FieldPath::root().key("spec").key(field),
                    format!(
                        "Ingress {:?} has a {field}: it receives every request that no rule matches, for any host name",
                        o.name
                    ),
                    Some(format!(
                        "remove `{field}` or point it at a service that only answers \"not found\""
                    )),
                ));
            }
        }
    }
}
