use super::detect::{is_placeholder, redact, scan_file, scan_named, Detection};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use base64::Engine;
use mamori_diagnostics::{Finding, Severity};
use mamori_model::podspec::pod_paths;
use mamori_model::{FieldPath, Node};
use serde_json::Value as Json;

pub struct SecretInAnnotation;
pub static CHECK: SecretInAnnotation = SecretInAnnotation;

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

static META: CheckMeta = CheckMeta {
    code: "SEC003",
    name: "secret-in-annotation",
    title: "Secret in an annotation",
    severity: Severity::High,
    selects: Selects::Objects(&[]),
    mappings: &[
        "NSA/CISA: protect secrets",
        "CIS Kubernetes 5.4.1",
        "MITRE ATT&CK T1552.001 (Unsecured Credentials: Credentials In Files)",
        "MITRE ATT&CK T1552.007 (Unsecured Credentials: Container API)",
    ],
    course: Some("ex4-1 (Secrets)"),
    doc: r#"## What it finds
An annotation of any object (or of a pod template) whose value holds a
credential: a well-known format (AWS, GitHub, Slack, Google, Stripe live
keys, PEM private keys, JSON Web Tokens, passwords inside URLs), or a
random-looking value (16+ characters, letters and digits, Shannon entropy of
at least 3.5 bits per character) under a credential-looking key.

`kubectl.kubernetes.io/last-applied-configuration` is parsed as the object
it records: a Secret's `data` and `stringData` in it are reported whatever
they look like (placeholders aside), environment variables and ConfigMap
data in it are judged as SEC001 and SEC002 would. Findings show only the
first four characters and the length of what was found.

## Why it matters
Annotations are metadata: tools print them freely. `kubectl apply` copies
the whole object, a Secret's values included, into the last-applied
annotation, and `kubectl describe secret`, which hides the data on purpose,
prints that annotation in full. The copy also outlives rotation: when the
Secret's data is changed by other means, the old value stays in the
annotation. A credential in any annotation is readable by everyone who can
read the object, and often by monitoring and audit pipelines that store
metadata.

## Example
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: api
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"v1","kind":"Secret","metadata":{"name":"api"},"stringData":{"token":"q8Zr2LkV9tYb3NcW"}}
type: Opaque
```

## Use instead
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: api
  annotations:
    owner: platform-team
type: Opaque
```

## Fix
Rotate the credential. Create Secrets with `kubectl create secret` or
server-side apply (`kubectl apply --server-side` does not write the
annotation), or through Sealed Secrets or External Secrets; remove the
annotation from live objects (`kubectl annotate secret NAME
kubectl.kubernetes.io/last-applied-configuration-`). Never put credentials
in annotations. Not applied automatically.

## References
- Good practices for Kubernetes Secrets: <https://kubernetes.io/docs/concepts/security/secrets-good-practices/>
- Server-side apply: <https://kubernetes.io/docs/reference/using-api/server-side-apply/>
- MITRE ATT&CK T1552 Unsecured Credentials: <https://attack.mitre.org/techniques/T1552/>
"#,
};

/// What is in a last-applied configuration, with where in it.
fn scan_last_applied(v: &Json) -> Vec<(String, Detection)> {
    let mut out = Vec::new();
    match v.get("kind").and_then(Json::as_str) {
        Some("Secret") => {
            for field in ["data", "stringData"] {
                for (k, val) in v.get(field).and_then(Json::as_object).into_iter().flatten() {
                    let Some(s) = val.as_str() else { continue };
                    let plain = if field == "data" {
                        base64::engine::general_purpose::STANDARD
                            .decode(s.split_whitespace().collect::<String>())
                            .ok()
                            .map(|b| String::from_utf8_lossy(&b).into_owned())
                            .unwrap_or_else(|| s.to_string())
                    } else {
                        s.to_string()
                    };
                    if is_placeholder(&plain) {
                        continue;
                    }
                    out.push((
                        format!("{field}.{k}"),
                        Detection {
                            detector: "last-applied-secret-data",
                            what: "the Secret's value".into(),
                            shown: redact(&plain),
                        },
                    ));
                }
            }
        }
        Some("ConfigMap") => {
            for field in ["data"] {
                for (k, val) in v.get(field).and_then(Json::as_object).into_iter().flatten() {
                    let Some(s) = val.as_str() else { continue };
                    let found = if s.trim().contains('\n') {
                        scan_file(s)
                    } else {
                        scan_named(k, s, false)
                    };
                    out.extend(found.into_iter().map(|d| (format!("{field}.{k}"), d)));
                }
            }
        }
        _ => walk(v, "", None, &mut out),
    }
    out
}

fn walk(v: &Json, at: &str, key: Option<&str>, out: &mut Vec<(String, Detection)>) {
    match v {
        Json::String(s) => {
            let found = if s.trim().contains('\n') {
                scan_file(s)
            } else {
                scan_named(key.unwrap_or(""), s, true)
            };
            out.extend(found.into_iter().map(|d| (at.to_string(), d)));
        }
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{at}[{i}]"), key, out);
            }
        }
        Json::Object(m) => {
            // An environment variable: judged by its name, as SEC001 does.
            if let (Some(name), Some(value)) = (
                m.get("name").and_then(Json::as_str),
                m.get("value").and_then(Json::as_str),
            ) {
                let found = scan_named(name, value, false);
                out.extend(found.into_iter().map(|d| (format!("{at}.value"), d)));
            }
            for (k, child) in m {
                if k == "value" && m.contains_key("name") {
                    continue;
                }
                let sub = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
                walk(child, &sub, Some(k), out);
            }
        }
        _ => {}
    }
}

/// The key's own name: `vault.example/api-token` is judged as `api-token`.
fn key_name(key: &str) -> &str {
    key.rsplit('/').next().unwrap_or(key)
}

impl Check for SecretInAnnotation {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        if o.rejected.is_some() {
            return;
        }
        let mut metas = vec![FieldPath::root().key("metadata")];
        if let Some((_, template_meta)) = pod_paths(&o.kind) {
            if template_meta != metas[0] {
                metas.push(template_meta);
            }
        }
        for meta_path in metas {
            let path = meta_path.key("annotations");
            let Some(entries) = o.stored.at(&path).and_then(Node::as_map) else {
                continue;
            };
            for e in entries {
                let Some(value) = e.value.as_str() else { continue };
                let (found, inside): (Vec<(String, Detection)>, bool) = if e.key == LAST_APPLIED {
                    match serde_json::from_str::<Json>(value) {
                        Ok(v) => (scan_last_applied(&v), true),
                        Err(_) => (
                            scan_file(value).into_iter().map(|d| (String::new(), d)).collect(),
                            false,
                        ),
                    }
                } else if value.trim().contains('\n') {
                    (
                        scan_file(value).into_iter().map(|d| (String::new(), d)).collect(),
                        false,
                    )
                } else {
                    let found = scan_named(key_name(&e.key), value, true);
                    (found.into_iter().map(|d| (String::new(), d)).collect(), false)
                };
                if found.is_empty() {
                    continue;
                }
                let mut parts: Vec<String> = Vec::new();
                for (at, d) in &found {
                    let s = if at.is_empty() {
                        format!("{} ({})", d.what, d.shown)
                    } else {
                        format!("{} at {at} ({})", d.what, d.shown)
                    };
                    if !parts.contains(&s) {
                        parts.push(s);
                    }
                }
                let (message, hint) = if inside && o.kind == "Secret" {
                    (
                        format!(
                            "annotation {LAST_APPLIED} of Secret {:?} repeats its data in plain text: {}; `kubectl describe` prints it",
                            o.name,
                            parts.join(", ")
                        ),
                        format!(
                            "rotate the values, remove the annotation (`kubectl annotate secret {} {LAST_APPLIED}-`) and create Secrets with `kubectl apply --server-side` or `kubectl create secret`",
                            o.name
                        ),
                    )
                } else if inside {
                    (
                        format!("annotation {LAST_APPLIED} of {} {:?} holds {}", o.kind, o.name, parts.join(", ")),
                        "rotate it, move it into a Secret, and remove the annotation or re-apply with `kubectl apply --server-side`".to_string(),
                    )
                } else {
                    (
                        format!(
                            "annotation {:?} of {} {:?} holds {}",
                            e.key,
                            o.kind,
                            o.name,
                            parts.join(", ")
                        ),
                        format!(
                            "rotate it and remove annotation {:?}; keep credentials in Secrets",
                            e.key
                        ),
                    )
                };
                out.push(cx.finding(&META, obj, &path.key(e.key.as_str()), message, Some(hint)));
            }
        }
    }
}
