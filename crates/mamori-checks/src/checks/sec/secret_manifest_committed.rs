use super::detect::{describe, is_placeholder, looks_like_location, redact, scan_file};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use base64::Engine;
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{FieldPath, Node};

pub struct SecretManifestCommitted;
pub static CHECK: SecretManifestCommitted = SecretManifestCommitted;

static META: CheckMeta = CheckMeta {
    code: "SEC006",
    name: "secret-manifest-committed",
    title: "Secret manifest with real-looking values",
    severity: Severity::Medium,
    selects: Selects::Objects(&["Secret"]),
    mappings: &[
        "NSA/CISA: protect secrets (encrypt, keep out of source control)",
        "CIS Kubernetes 5.4.2 (consider external secret storage)",
        "MITRE ATT&CK T1552.001 (Unsecured Credentials: Credentials In Files)",
    ],
    course: Some("ex4-1 (api-key-secret)"),
    doc: r#"## What it finds
A Secret manifest whose `data` (base64-decoded) or `stringData` holds
values that are not placeholders. Empty values, `changeme`, `<...>`,
`${...}`, `{{ ... }}`, `xxxx`, `YOUR_TOKEN_HERE`, values containing
`example` or `replace` and the like are placeholders; addresses (URLs
without credentials, paths, host names) are not secrets. A value of several
lines (a configuration file, a certificate) counts only when it contains a
credential that the detectors of SEC002 find (a private key, a token, a
random-looking `password:` line). A `kubernetes.io/service-account-token`
Secret with no data (the token controller fills it) is not reported.

## Why it matters
`data` is base64, an encoding, not encryption: whoever reads the file reads
the secret. A Secret manifest in a repository puts the credential in every
clone, fork, CI cache and backup, and in git history after it is deleted.
Kubernetes can protect a Secret in the cluster (RBAC, encryption at rest);
nothing protects the file.

## Example
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: api-key
type: Opaque
data:
  API_KEY: azdRejJMbTlWdDRSYjhOdw==
```

## Use instead
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: api-key
type: Opaque
stringData:
  API_KEY: "<set at deploy time>"
```

## Fix
Rotate the values, remove the manifest from the repository (and its
history), and create the Secret at deploy time: `kubectl create secret`
from a vault, External Secrets Operator, Sealed Secrets (encrypted
`SealedSecret` manifests are safe to commit) or SOPS-encrypted files. Not
applied automatically.

## References
- Secrets: <https://kubernetes.io/docs/concepts/configuration/secret/>
- Good practices for Kubernetes Secrets: <https://kubernetes.io/docs/concepts/security/secrets-good-practices/>
"#,
};

/// The readable value of a `data` entry: decoded when it is base64 text.
fn decoded(raw: &str) -> String {
    let compact: String = raw.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_else(|| raw.to_string())
}

impl Check for SecretManifestCommitted {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        if o.rejected.is_some() {
            return;
        }
        let mut real: Vec<(FieldPath, String)> = Vec::new();
        for field in ["data", "stringData"] {
            for e in o.stored.field(field).and_then(Node::as_map).into_iter().flatten() {
                let Some(raw) = e.value.as_str() else { continue };
                let value = if field == "data" { decoded(raw) } else { raw.to_string() };
                let path = FieldPath::root().key(field).key(e.key.as_str());
                if value.trim().contains('\n') {
                    // A whole file (a config, a certificate): only what a
                    // detector finds in it counts, not the file itself.
                    let found = scan_file(&value);
                    if !found.is_empty() {
                        real.push((path, format!("{} with {}", e.key, describe(&found))));
                    }
                } else if !is_placeholder(&value) && !looks_like_location(&value) {
                    real.push((path, format!("{} ({})", e.key, redact(&value))));
                }
            }
        }
        let Some((first, _)) = real.first() else { return };
        let kind = o.stored.str_field("type").unwrap_or("Opaque");
        out.push(cx.finding(
            &META,
            obj,
            first,
            format!(
                "Secret {:?} ({kind}) is committed with real-looking values: {}; base64 is not encryption",
                o.name,
                real.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>().join(", ")
            ),
            Some(
                "rotate the values, remove them from the repository, and create the Secret at deploy time (External Secrets, Sealed Secrets, SOPS or `kubectl create secret`)"
                    .into(),
            ),
        ));
    }
}
