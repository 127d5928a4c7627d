use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;

pub struct NginxSnippetAnnotation;
pub static CHECK: NginxSnippetAnnotation = NginxSnippetAnnotation;

pub const PREFIX: &str = "nginx.ingress.kubernetes.io/";

static META: CheckMeta = CheckMeta {
    code: "EXP009",
    name: "nginx-snippet-annotation",
    title: "ingress-nginx snippet annotation (CVE-2021-25742)",
    severity: Severity::Medium,
    selects: Selects::Objects(&["Ingress"]),
    mappings: &[
        "NSA/CISA: limit access to Secrets",
        "MITRE ATT&CK T1552.007 (unsecured credentials: container API)",
        "CVE-2021-25742; Checkov CKV_K8S_153",
    ],
    course: None,
    doc: r#"## What it finds
An Ingress with an ingress-nginx annotation whose name ends in `-snippet`
(`nginx.ingress.kubernetes.io/configuration-snippet`, `server-snippet`,
`auth-snippet`, `stream-snippet`, `modsecurity-snippet`, ...): raw NGINX
configuration copied into the controller's config.

## Why it matters
A snippet runs inside the ingress controller, not inside the application:
it can read files of the controller's pod, among them its service account
token, which may read every Secret of the cluster (CVE-2021-25742). So
anyone allowed to create or edit an Ingress in any namespace can take the
controller's credentials. Later ingress-nginx CVEs (CVE-2023-5043, and the
configuration injections of CVE-2025-1097/1098/24514) went through
annotations the same way. Controllers from v1.9.0 refuse snippets unless
`allow-snippet-annotations` is turned on; an Ingress that needs them
depends on a controller configured unsafely.

## Example
```yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    nginx.ingress.kubernetes.io/configuration-snippet: |
      more_set_headers "X-Frame-Options: DENY";
spec:
  ingressClassName: nginx
  tls:
  - hosts: [shop.example]
    secretName: shop-tls
  rules:
  - host: shop.example
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
```

## Use instead
```yaml
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
spec:
  ingressClassName: nginx
  tls:
  - hosts: [shop.example]
    secretName: shop-tls
  rules:
  - host: shop.example
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
```

## Fix
Express the setting with a dedicated annotation or the controller's
ConfigMap (headers: `add-headers`), keep `allow-snippet-annotations: false`
on the controller, and upgrade ingress-nginx. Not applied automatically:
the snippet's intent must be rewritten.

## References
- CVE-2021-25742, ingress-nginx custom snippets: <https://github.com/kubernetes/ingress-nginx/issues/7837>
- ingress-nginx annotations risk: <https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations-risk/>
"#,
};

impl Check for NginxSnippetAnnotation {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        if o.rejected.is_some() {
            return;
        }
        for (key, _) in o.annotations() {
            let Some(name) = key.strip_prefix(PREFIX) else { continue };
            if !name.ends_with("-snippet") {
                continue;
            }
            out.push(cx.finding(
                &META,
                obj,
                &FieldPath::root().key("metadata").key("annotations").key(key.as_str()),
                format!(
                    "Ingress {:?} injects raw NGINX configuration ({key}): it runs in the ingress controller, which can read the controller's token (CVE-2021-25742)",
                    o.name
                ),
                Some("use a dedicated annotation or the controller's ConfigMap, and keep allow-snippet-annotations off".into()),
            ));
        }
    }
}
