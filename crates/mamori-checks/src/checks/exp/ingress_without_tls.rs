use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{FieldPath, Node};

pub struct IngressWithoutTls;
pub static CHECK: IngressWithoutTls = IngressWithoutTls;

static META: CheckMeta = CheckMeta {
    code: "EXP004",
    name: "ingress-without-tls",
    title: "Ingress serves hosts without TLS",
    severity: Severity::Medium,
    selects: Selects::Objects(&["Ingress"]),
    mappings: &[
        "NSA/CISA: encrypt traffic (TLS) for all communication",
        "MITRE ATT&CK T1557 (Adversary-in-the-Middle)",
        "MITRE ATT&CK T1040 (Network Sniffing)",
    ],
    course: None,
    doc: r#"## What it finds
An Ingress with rules but no `spec.tls`, or a rule whose `host` no `tls`
entry covers. A `tls` entry covers a host it lists, and `*.example.com`
covers one level of subdomain (`a.example.com`, not `a.b.example.com`);
an entry without `hosts` and any entry at all cover rules without a host,
since the controller's default certificate applies to them.

## Why it matters
Without TLS the controller serves the hosts over plain HTTP: passwords,
session cookies and tokens cross every network between the client and the
cluster in clear text, and anyone on the path can read or change them.
Browsers mark such sites as not secure, and HTTP-only endpoints cannot use
HSTS.

## Example
```yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: shop
            port:
              number: 80
```

## Use instead
```yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  tls:
  - hosts:
    - shop.example.com
    secretName: shop-tls
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: shop
            port:
              number: 80
```

## Fix
Add a `tls` entry listing the hosts and a Secret with the certificate
(cert-manager can issue and renew it from an annotation), and redirect
HTTP to HTTPS in the controller. Not applied automatically: the
certificate must exist.

## References
- Ingress TLS: <https://kubernetes.io/docs/concepts/services-networking/ingress/#tls>
- cert-manager for Ingress: <https://cert-manager.io/docs/usage/ingress/>
"#,
};

/// Whether a `tls` host pattern covers a rule host.
fn covers(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (pattern.to_ascii_lowercase(), host.to_ascii_lowercase());
    if pattern == host {
        return true;
    }
    match (pattern.strip_prefix("*."), host.split_once('.')) {
        (Some(domain), Some((label, rest))) => !label.is_empty() && rest == domain,
        _ => false,
    }
}

impl Check for IngressWithoutTls {
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
        if rules.is_empty() {
            return;
        }
        let tls = spec.field("tls").and_then(Node::as_seq).unwrap_or(&[]);
        let hosts_of = |r: &Node| r.str_field("host").filter(|h| !h.is_empty()).map(str::to_string);
        if tls.is_empty() {
            let mut hosts: Vec<String> = rules.iter().filter_map(hosts_of).collect();
            hosts.dedup();
            let served = if hosts.is_empty() {
                "every host".to_string()
            } else {
                hosts.join(", ")
            };
            out.push(cx.finding(
                &META,
                obj,
                &FieldPath::root().key("spec").key("rules"),
                format!("Ingress {:?} serves {served} over plain HTTP: it has no tls section", o.name),
                Some(format!(
                    "add `tls: [{{hosts: [{}], secretName: {}-tls}}]` with a certificate Secret (cert-manager can issue it)",
                    if hosts.is_empty() { "<host>".to_string() } else { hosts.join(", ") },
                    o.name
                )),
            ));
            return;
        }
        let catch_all = tls
            .iter()
            .any(|t| t.field("hosts").and_then(Node::as_seq).is_none_or(|h| h.is_empty()));
        let patterns: Vec<&str> = tls
            .iter()
            .filter_map(|t| t.field("hosts").and_then(Node::as_seq))
            .flatten()
            .filter_map(Node::as_str)
            .collect();
        for (i, r) in rules.iter().enumerate() {
            let Some(host) = hosts_of(r) else { continue };
            if catch_all || patterns.iter().any(|p| covers(p, &host)) {
                continue;
            }
            out.push(cx.finding(
                &META,
                obj,
                &FieldPath::root().key("spec").key("rules").index(i).key("host"),
                format!(
                    "Ingress {:?} serves host {host} over plain HTTP: no tls entry lists it (tls hosts: {})",
                    o.name,
                    patterns.join(", ")
                ),
                Some(format!(
                    "add {host} to the `hosts` of a tls entry whose certificate covers it"
                )),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn tls_host_patterns() {
        assert!(covers("shop.example.com", "Shop.Example.com"));
        assert!(covers("*.example.com", "shop.example.com"));
        assert!(!covers("*.example.com", "a.shop.example.com"));
        assert!(!covers("*.example.com", "example.com"));
        assert!(!covers("example.com", "shop.example.com"));
    }
}
