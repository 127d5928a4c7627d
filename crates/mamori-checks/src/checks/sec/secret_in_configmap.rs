use super::detect::{describe, scan_file, scan_named};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use base64::Engine;
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;

pub struct SecretInConfigmap;
pub static CHECK: SecretInConfigmap = SecretInConfigmap;

static META: CheckMeta = CheckMeta {
    code: "SEC002",
    name: "secret-in-configmap",
    title: "Secret stored in a ConfigMap",
    severity: Severity::High,
    selects: Selects::Objects(&["ConfigMap"]),
    mappings: &[
        "NSA/CISA: protect secrets (use Kubernetes Secrets, encrypted at rest)",
        "CIS Kubernetes 5.4.1",
        "MITRE ATT&CK T1552.001 (Unsecured Credentials: Credentials In Files)",
    ],
    course: Some("ex4-1 (Secrets)"),
    doc: r#"## What it finds
A ConfigMap whose `data` or `binaryData` holds a credential:
- a one-line value under a credential-looking key (`DB_PASSWORD`,
  `api-key`, `clientSecret`) that is not a placeholder, as when the
  ConfigMap feeds environment variables;
- anywhere in a value (a whole configuration file), a well-known format
  (AWS, GitHub, Slack, Google, Stripe live keys, PEM private keys, JSON Web
  Tokens, passwords inside URLs), or an assignment line such as
  `password: ...` or `token = ...` whose value is random-looking: at least
  16 characters, letters and digits, Shannon entropy of at least 3.5 bits
  per character;
- the same in `binaryData` values that decode to text.

Placeholders (`changeme`, `<token>`, `${TOKEN}`, `{{ .Values.x }}`, values
with `example`, `xxxx`) are skipped; findings show only the first four
characters and the length.

## Why it matters
ConfigMaps are not meant for confidential data: they are readable by far
more subjects than Secrets (many roles grant `get` on ConfigMaps, and
controllers and dashboards show them), are not covered by encryption at
rest configured for Secrets, and are committed and templated without
review as secrets. A credential in one is exposed to everyone who can read
the namespace's configuration.

## Example
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  LOG_LEVEL: info
  API_KEY: "k7Qz2Lm9Vt4Rb8Nw"
```

## Use instead
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  LOG_LEVEL: info
  API_KEY_FILE: /etc/app/secrets/api-key
```

## Fix
Rotate the credential, move it into a Secret (created outside the
repository, or through Sealed Secrets, External Secrets or SOPS) and mount
that Secret where the application reads it. Not applied automatically.

## References
- ConfigMaps ("does not provide secrecy or encryption"): <https://kubernetes.io/docs/concepts/configuration/configmap/>
- Good practices for Kubernetes Secrets: <https://kubernetes.io/docs/concepts/security/secrets-good-practices/>
"#,
};

impl Check for SecretInConfigmap {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        if o.rejected.is_some() {
            return;
        }
        for field in ["data", "binaryData"] {
            let Some(entries) = o.stored.field(field).and_then(|d| d.as_map()) else {
                continue;
            };
            for e in entries {
                let Some(raw) = e.value.as_str() else { continue };
                let text = if field == "binaryData" {
                    let compact: String = raw.split_whitespace().collect();
                    match base64::engine::general_purpose::STANDARD
                        .decode(compact)
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok())
                    {
                        Some(t) => t,
                        None => continue,
                    }
                } else {
                    raw.to_string()
                };
                let found = if text.trim().contains('\n') {
                    scan_file(&text)
                } else {
                    scan_named(&e.key, &text, false)
                };
                if found.is_empty() {
                    continue;
                }
                out.push(cx.finding(
                    &META,
                    obj,
                    &FieldPath::root().key(field).key(e.key.as_str()),
                    format!(
                        "ConfigMap {:?} key {:?} holds {}; ConfigMaps are not for secrets",
                        o.name,
                        e.key,
                        describe(&found)
                    ),
                    Some(format!(
                        "rotate it, move key {:?} into a Secret and mount that Secret instead of this ConfigMap key",
                        e.key
                    )),
                ));
            }
        }
    }
}
