use super::label_path;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_pss::{namespace_invalid_message, Mode, Policy, AUDIT_ANNOTATION_PREFIX};
use std::collections::BTreeMap;

pub struct InvalidPodSecurityLabel;
pub static CHECK: InvalidPodSecurityLabel = InvalidPodSecurityLabel;

static META: CheckMeta = CheckMeta {
    code: "PSS005",
    name: "invalid-pod-security-label",
    title: "Pod Security label with an invalid value or an unknown name",
    severity: Severity::High,
    selects: Selects::Objects(&["Namespace"]),
    mappings: &["NSA/CISA: pod security enforcement"],
    course: Some("ex1-3 (Pod Security Standards)"),
    doc: r#"## What it finds
A Namespace label under `pod-security.kubernetes.io/` whose value is not a
level (`privileged`, `baseline`, `restricted`) or a version (`latest`,
`v1.N`), or whose name is not one of the six Pod Security labels
(`enforce`, `audit`, `warn` and their `-version` forms), e.g.
`pod-security.kubernetes.io/enforced`.

## Why it matters
The PodSecurity admission plugin refuses to create a Namespace with an
invalid value (`Namespace "NAME" is invalid: ...`), so the deploy fails.
Where such a namespace exists anyway, an invalid enforce level counts as
restricted, an invalid audit or warn level as privileged and an invalid
version as latest. A misspelt label name is worse: it is silently ignored,
and the namespace runs with the cluster default (usually privileged) while
its manifest looks protected.

## Example
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: Restricted
    pod-security.kubernetes.io/enforce-version: "1.30"
    pod-security.kubernetes.io/warning: restricted
```

## Use instead
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: v1.30
    pod-security.kubernetes.io/warn: restricted
```

## Fix
Use the exact lower-case level, `latest` or `v1.N` (no patch number, no
leading zeros), and one of the six label names. Not applied automatically.

## References
- Pod Security Admission labels: <https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces>
"#,
};

/// The six label names the plugin reads.
fn known(label: &str) -> bool {
    Mode::ALL
        .iter()
        .any(|m| m.level_label() == label || m.version_label() == label)
}

/// The known label a misspelt one probably means: same mode word, and
/// `-version` when the name mentions a version.
fn suggestion(label: &str) -> Option<String> {
    let rest = label.strip_prefix(AUDIT_ANNOTATION_PREFIX)?.to_ascii_lowercase();
    let mode = Mode::ALL.into_iter().find(|m| rest.starts_with(&m.as_str()[..4]))?;
    Some(if rest.contains("version") {
        mode.version_label().to_string()
    } else {
        mode.level_label().to_string()
    })
}

impl Check for InvalidPodSecurityLabel {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let ns = &cx.inventory.objects[obj];
        if ns.api_version != "v1" {
            return;
        }
        let labels: BTreeMap<String, String> = ns.labels().into_iter().collect();
        let (_, errors) = Policy::from_label_map(&labels, &Policy::default());
        if let Some(refusal) = namespace_invalid_message(&ns.name, &errors) {
            // Point at the first invalid label; the message lists them all.
            let first = errors
                .first()
                .and_then(|e| e.field.strip_prefix("metadata.labels[")?.strip_suffix(']'))
                .unwrap_or_default();
            out.push(cx.finding(
                &META,
                obj,
                &label_path(ns, first),
                format!("the API server refuses to create this Namespace: {refusal}"),
                Some(
                    "levels are privileged, baseline or restricted (lower case); versions are latest or v1.N, e.g. v1.30"
                        .into(),
                ),
            ));
        }
        for label in labels.keys() {
            if !label.starts_with(AUDIT_ANNOTATION_PREFIX) || known(label) {
                continue;
            }
            let hint = match suggestion(label) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "the labels are enforce, audit and warn, each with a -version form".into(),
            };
            out.push(cx.finding(
                &META,
                obj,
                &label_path(ns, label),
                format!("{label} is not a Pod Security label: the admission plugin ignores it, so it protects nothing"),
                Some(hint),
            ));
        }
    }
}
