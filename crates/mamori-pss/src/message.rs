//! The texts the API server prints: the enforce rejection, the warn header,
//! and the audit annotations.

use crate::eval::Evaluation;
use crate::level::{Level, LevelVersion, Version};
use crate::text::go_quote;

/// Prefix the API server puts before every PodSecurity audit annotation key.
pub const AUDIT_ANNOTATION_PREFIX: &str = "pod-security.kubernetes.io/";
/// Audit annotation: the enforce policy a pod was checked against.
pub const ENFORCE_POLICY_ANNOTATION: &str = "pod-security.kubernetes.io/enforce-policy";
/// Audit annotation: the audit-mode violations.
pub const AUDIT_VIOLATIONS_ANNOTATION: &str = "pod-security.kubernetes.io/audit-violations";
/// Audit annotation: why evaluation was skipped (`namespace`, `user`, `runtimeClass`).
pub const EXEMPT_ANNOTATION: &str = "pod-security.kubernetes.io/exempt";
/// Audit annotation: label parse errors and lookup failures.
pub const ERROR_ANNOTATION: &str = "pod-security.kubernetes.io/error";

/// `violates PodSecurity "level:version": <detailed list>`: the error text
/// inside the Forbidden status. `None` when the pod is allowed.
pub fn violation_text(level: Level, version: Version, eval: &Evaluation) -> Option<String> {
    if eval.allowed {
        return None;
    }
    Some(format!(
        "violates PodSecurity {}: {}",
        go_quote(&LevelVersion::new(level, version).to_string()),
        eval.forbidden_detail()
    ))
}

/// The enforce rejection exactly as the API server returns it (and kubectl
/// prints it after `Error from server (Forbidden): error when creating "FILE": `):
/// `pods "NAME" is forbidden: violates PodSecurity "LEVEL:VERSION": ...`.
/// An empty name gives `pods is forbidden: ...` (apimachinery's generic
/// Forbidden format). `None` when the pod is allowed.
pub fn forbidden_message(pod_name: &str, level: Level, version: Version, eval: &Evaluation) -> Option<String> {
    let err = violation_text(level, version, eval)?;
    Some(if pod_name.is_empty() {
        format!("pods is forbidden: {err}")
    } else {
        format!("pods {} is forbidden: {err}", go_quote(pod_name))
    })
}

/// The warning text (HTTP `Warning` header; kubectl prefixes `Warning: `):
/// `would violate PodSecurity "LEVEL:VERSION": ...`. The same text is the
/// value of the `audit-violations` audit annotation. `None` when allowed.
pub fn warning_message(level: Level, version: Version, eval: &Evaluation) -> Option<String> {
    if eval.allowed {
        return None;
    }
    Some(format!(
        "would violate PodSecurity {}: {}",
        go_quote(&LevelVersion::new(level, version).to_string()),
        eval.forbidden_detail()
    ))
}

/// The `audit-violations` audit annotation value (same text as the warning).
pub fn audit_violations_annotation(level: Level, version: Version, eval: &Evaluation) -> Option<String> {
    warning_message(level, version, eval)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Violation;

    fn eval(v: &[(&str, &str, &str)]) -> Evaluation {
        Evaluation {
            allowed: v.is_empty(),
            violations: v
                .iter()
                .map(|(c, r, d)| Violation {
                    check_id: c.to_string().into(),
                    reason: r.to_string().into(),
                    detail: d.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn allowed_has_no_message() {
        let e = eval(&[]);
        assert_eq!(forbidden_message("p", Level::Restricted, Version::Latest, &e), None);
        assert_eq!(warning_message(Level::Baseline, Version::V(3), &e), None);
    }

    #[test]
    fn messages_join_reasons_and_details() {
        let e = eval(&[
            ("hostNamespaces", "host namespaces", "hostNetwork=true"),
            ("privileged", "privileged", ""),
            ("x", "", "d"),
        ]);
        assert_eq!(
            e.forbidden_detail(),
            "host namespaces (hostNetwork=true), privileged, unknown forbidden reason (d)"
        );
        assert_eq!(
            e.forbidden_reasons(),
            "host namespaces, privileged, unknown forbidden reason"
        );
        assert_eq!(
            forbidden_message("web", Level::Baseline, Version::V(29), &e).unwrap(),
            "pods \"web\" is forbidden: violates PodSecurity \"baseline:v1.29\": host namespaces (hostNetwork=true), privileged, unknown forbidden reason (d)"
        );
        assert_eq!(
            forbidden_message("", Level::Baseline, Version::Latest, &e).unwrap(),
            "pods is forbidden: violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), privileged, unknown forbidden reason (d)"
        );
        assert_eq!(
            warning_message(Level::Restricted, Version::Latest, &e).unwrap(),
            "would violate PodSecurity \"restricted:latest\": host namespaces (hostNetwork=true), privileged, unknown forbidden reason (d)"
        );
    }
}
