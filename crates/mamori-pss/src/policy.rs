//! Namespace policy: the three modes read from `pod-security.kubernetes.io/*`
//! labels, their validation errors, and the namespace-level messages.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::PodSecurityConfiguration;
use crate::eval::{EvalOptions, PreparedPod};
use crate::level::{Level, LevelVersion, Version};
use crate::pod::PodInput;
use crate::text::go_quote;

pub const ENFORCE_LEVEL_LABEL: &str = "pod-security.kubernetes.io/enforce";
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";
pub const AUDIT_LEVEL_LABEL: &str = "pod-security.kubernetes.io/audit";
pub const AUDIT_VERSION_LABEL: &str = "pod-security.kubernetes.io/audit-version";
pub const WARN_LEVEL_LABEL: &str = "pod-security.kubernetes.io/warn";
pub const WARN_VERSION_LABEL: &str = "pod-security.kubernetes.io/warn-version";

/// The three modes of a namespace policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Pods that fail are rejected.
    Enforce,
    /// Failures are recorded in the audit log.
    Audit,
    /// Failures are returned to the client as warnings.
    Warn,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Enforce, Mode::Audit, Mode::Warn];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Audit => "audit",
            Mode::Warn => "warn",
        }
    }

    /// The level label of this mode, e.g. `pod-security.kubernetes.io/enforce`.
    pub fn level_label(self) -> &'static str {
        match self {
            Mode::Enforce => ENFORCE_LEVEL_LABEL,
            Mode::Audit => AUDIT_LEVEL_LABEL,
            Mode::Warn => WARN_LEVEL_LABEL,
        }
    }

    /// The version label of this mode, e.g. `pod-security.kubernetes.io/enforce-version`.
    pub fn version_label(self) -> &'static str {
        match self {
            Mode::Enforce => ENFORCE_VERSION_LABEL,
            Mode::Audit => AUDIT_VERSION_LABEL,
            Mode::Warn => WARN_VERSION_LABEL,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A namespace's effective policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub enforce: LevelVersion,
    pub audit: LevelVersion,
    pub warn: LevelVersion,
}

impl Default for Policy {
    /// The built-in defaults: every mode `privileged:latest`.
    fn default() -> Self {
        let p = LevelVersion::new(Level::Privileged, Version::Latest);
        Policy {
            enforce: p,
            audit: p,
            warn: p,
        }
    }
}

/// A field validation error, printed as apimachinery prints it:
/// `path: Invalid value: "v": detail` or `path: Duplicate value: "v"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub value: String,
    /// Empty for duplicates.
    pub detail: String,
    pub duplicate: bool,
}

impl FieldError {
    pub(crate) fn invalid(field: String, value: &str, detail: String) -> Self {
        FieldError {
            field,
            value: value.to_string(),
            detail,
            duplicate: false,
        }
    }

    pub(crate) fn duplicate(field: String, value: &str) -> Self {
        FieldError {
            field,
            value: value.to_string(),
            detail: String::new(),
            duplicate: true,
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.duplicate {
            write!(f, "{}: Duplicate value: {}", self.field, go_quote(&self.value))
        } else {
            write!(f, "{}: Invalid value: {}", self.field, go_quote(&self.value))?;
            if !self.detail.is_empty() {
                write!(f, ": {}", self.detail)?;
            }
            Ok(())
        }
    }
}

/// apimachinery's error aggregate text: one distinct message as is, several
/// as `[a, b]` (duplicates dropped), none as the empty string.
pub fn aggregate(errs: &[FieldError]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for e in errs {
        let m = e.to_string();
        if !seen.contains(&m) {
            seen.push(m);
        }
    }
    match seen.len() {
        0 => String::new(),
        1 => seen.pop().unwrap_or_default(),
        _ => format!("[{}]", seen.join(", ")),
    }
}

fn label_path(label: &str) -> String {
    format!("metadata.labels[{label}]")
}

impl Policy {
    /// All three modes privileged: upstream skips such namespaces entirely.
    pub fn fully_privileged(&self) -> bool {
        self.enforce.level == Level::Privileged
            && self.audit.level == Level::Privileged
            && self.warn.level == Level::Privileged
    }

    /// Functionally the same (privileged at any version counts as equal).
    pub fn equivalent(&self, other: &Policy) -> bool {
        self.enforce.equivalent(&other.enforce)
            && self.audit.equivalent(&other.audit)
            && self.warn.equivalent(&other.warn)
    }

    pub fn get(&self, mode: Mode) -> LevelVersion {
        match mode {
            Mode::Enforce => self.enforce,
            Mode::Audit => self.audit,
            Mode::Warn => self.warn,
        }
    }

    /// Resolves a namespace's labels (`metadata.labels`, a JSON object of
    /// strings; null or absent means none) against the cluster defaults.
    ///
    /// As upstream: a missing label takes the default; an invalid enforce
    /// level becomes `restricted` (fail closed), an invalid audit or warn
    /// level `privileged` (fail open), an invalid version `latest`; each
    /// invalid value yields a field error. When the enforce level is set
    /// (validly), the warn level is not, and enforce is stricter than the
    /// default warn level, warn follows enforce (and its version, unless a
    /// warn-version label is set), so users see what enforce will reject.
    pub fn from_labels(labels: &Value, defaults: &Policy) -> (Policy, Vec<FieldError>) {
        let get = |k: &str| labels.get(k).and_then(Value::as_str);
        Policy::resolve(get, defaults)
    }

    /// [`Policy::from_labels`] over a string map.
    pub fn from_label_map(labels: &BTreeMap<String, String>, defaults: &Policy) -> (Policy, Vec<FieldError>) {
        Policy::resolve(|k| labels.get(k).map(String::as_str), defaults)
    }

    fn resolve<'a>(get: impl Fn(&str) -> Option<&'a str>, defaults: &Policy) -> (Policy, Vec<FieldError>) {
        let mut p = *defaults;
        let mut errs = Vec::new();
        let level = |label: &'static str, fallback: Level, errs: &mut Vec<FieldError>| {
            get(label).map(|v| {
                Level::parse(v).map_err(|e| {
                    errs.push(FieldError::invalid(label_path(label), v, e.to_string()));
                    fallback
                })
            })
        };
        let enforce_level = level(ENFORCE_LEVEL_LABEL, Level::Restricted, &mut errs);
        if let Some(l) = enforce_level {
            p.enforce.level = l.unwrap_or_else(|l| l);
        }
        let version = |label: &'static str, errs: &mut Vec<FieldError>| {
            get(label).map(|v| {
                Version::parse(v).unwrap_or_else(|e| {
                    errs.push(FieldError::invalid(label_path(label), v, e.to_string()));
                    Version::Latest
                })
            })
        };
        if let Some(v) = version(ENFORCE_VERSION_LABEL, &mut errs) {
            p.enforce.version = v;
        }
        if let Some(l) = level(AUDIT_LEVEL_LABEL, Level::Privileged, &mut errs) {
            p.audit.level = l.unwrap_or_else(|l| l);
        }
        if let Some(v) = version(AUDIT_VERSION_LABEL, &mut errs) {
            p.audit.version = v;
        }
        let warn_level = level(WARN_LEVEL_LABEL, Level::Privileged, &mut errs);
        if let Some(l) = warn_level {
            p.warn.level = l.unwrap_or_else(|l| l);
        }
        let warn_version = version(WARN_VERSION_LABEL, &mut errs);
        if let Some(v) = warn_version {
            p.warn.version = v;
        }
        let enforce_valid = matches!(enforce_level, Some(Ok(_)));
        if enforce_valid && warn_level.is_none() && p.enforce.level > p.warn.level {
            p.warn.level = p.enforce.level;
            if warn_version.is_none() {
                p.warn.version = p.enforce.version;
            }
        }
        (p, errs)
    }
}

/// The rejection of a namespace write with invalid labels:
/// `Namespace "NAME" is invalid: <errors>`. `None` without errors.
pub fn namespace_invalid_message(namespace: &str, errs: &[FieldError]) -> Option<String> {
    if errs.is_empty() {
        return None;
    }
    Some(format!(
        "Namespace {} is invalid: {}",
        go_quote(namespace),
        aggregate(errs)
    ))
}

/// The `error` audit annotation added to pod evaluations in a namespace
/// whose labels do not parse.
pub fn policy_error_annotation(errs: &[FieldError]) -> Option<String> {
    if errs.is_empty() {
        return None;
    }
    Some(format!("Failed to parse policy: {}", aggregate(errs)))
}

/// The warning for a label write on an exempt namespace that sets a
/// non-privileged policy different from the defaults; lists only
/// non-privileged modes that are explicitly labelled.
pub fn exempt_namespace_warning(namespace: &str, policy: &Policy, labels: &Value, defaults: &Policy) -> Option<String> {
    if policy.fully_privileged() || policy.equivalent(defaults) {
        return None;
    }
    let has = |k: &str| labels.get(k).is_some();
    let parts: Vec<String> = Mode::ALL
        .into_iter()
        .filter(|&m| policy.get(m).level != Level::Privileged && (has(m.level_label()) || has(m.version_label())))
        .map(|m| format!("{}={}", m, policy.get(m)))
        .collect();
    Some(format!(
        "namespace {} is exempt from Pod Security, and the policy ({}) will be ignored",
        go_quote(namespace),
        parts.join(", ")
    ))
}

/// An existing pod, for judging a namespace label change.
#[derive(Debug, Clone, Copy)]
pub struct ExistingPod<'a> {
    pub name: &'a str,
    pub pod: PodInput<'a>,
    /// UID of the owner reference with `controller: true`, if any.
    pub controller_uid: Option<&'a str>,
}

/// Upstream's limit on existing pods checked when enforce changes.
pub const NAMESPACE_MAX_PODS_TO_CHECK: usize = 3000;

/// The outcome of a namespace write, as the API server answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespaceResponse {
    pub allowed: bool,
    /// `Namespace "x" is invalid: ...` when rejected.
    pub message: Option<String>,
    pub warnings: Vec<String>,
}

/// Judges a namespace update (`old_labels` → `new_labels`) as upstream does:
/// invalid labels are rejected unless the same errors were already there;
/// a stricter (or re-versioned) enforce policy is dry-run against the
/// existing pods and returns warnings. Pass `old_labels = None` for a create.
/// The wall-clock budget upstream applies (1 s) is not modelled: up to
/// [`NAMESPACE_MAX_PODS_TO_CHECK`] pods are always checked.
pub fn namespace_write(
    config: &PodSecurityConfiguration,
    namespace: &str,
    old_labels: Option<&Value>,
    new_labels: &Value,
    existing: &[ExistingPod<'_>],
    opts: EvalOptions,
) -> NamespaceResponse {
    let (new_policy, new_errs) = Policy::from_labels(new_labels, &config.defaults);
    let allowed = |warnings: Vec<String>| NamespaceResponse {
        allowed: true,
        message: None,
        warnings,
    };
    let rejected = |errs: &[FieldError]| NamespaceResponse {
        allowed: false,
        message: namespace_invalid_message(namespace, errs),
        warnings: Vec::new(),
    };
    let exempt_warning = || {
        exempt_namespace_warning(namespace, &new_policy, new_labels, &config.defaults)
            .into_iter()
            .collect::<Vec<_>>()
    };
    let Some(old_labels) = old_labels else {
        if !new_errs.is_empty() {
            return rejected(&new_errs);
        }
        if config.exempt_namespace(namespace) {
            return allowed(exempt_warning());
        }
        return allowed(Vec::new());
    };
    let (old_policy, old_errs) = Policy::from_labels(old_labels, &config.defaults);
    if !new_errs.is_empty() && (old_errs.is_empty() || new_errs != old_errs) {
        return rejected(&new_errs);
    }
    if new_policy.enforce == old_policy.enforce
        || new_policy.enforce.level == Level::Privileged
        || (new_policy.enforce.version == old_policy.enforce.version
            && new_policy.enforce.level <= old_policy.enforce.level)
    {
        return allowed(Vec::new());
    }
    if config.exempt_namespace(namespace) {
        return allowed(exempt_warning());
    }
    allowed(existing_pods_warnings(
        config,
        namespace,
        new_policy.enforce,
        existing,
        opts,
    ))
}

/// The warnings upstream returns when a new enforce policy is set on a
/// namespace with existing pods: a header line, then one line per distinct
/// list of reasons (`pod: reasons`, `pod (and N other pods): reasons`,
/// sorted), preceded by a truncation note past 3,000 pods. Pods with an
/// exempt runtime class are skipped; the first pod of each controller is
/// checked before the others of the same controller.
pub fn existing_pods_warnings(
    config: &PodSecurityConfiguration,
    namespace: &str,
    enforce: LevelVersion,
    pods: &[ExistingPod<'_>],
    opts: EvalOptions,
) -> Vec<String> {
    let mut first = Vec::new();
    let mut later = Vec::new();
    let mut seen_controllers: Vec<&str> = Vec::new();
    for p in pods {
        let rc = p.pod.spec.get("runtimeClassName").and_then(Value::as_str);
        if config.exempt_runtime_class(rc) {
            continue;
        }
        match p.controller_uid {
            None => first.push(p),
            Some(uid) if seen_controllers.contains(&uid) => later.push(p),
            Some(uid) => {
                seen_controllers.push(uid);
                first.push(p);
            }
        }
    }
    first.extend(later);
    let total = first.len();
    first.truncate(NAMESPACE_MAX_PODS_TO_CHECK);
    let checked = first.len();

    // reasons -> (lexically first pod name, count), in first-seen order.
    let mut groups: Vec<(String, &str, usize)> = Vec::new();
    for p in &first {
        let eval = PreparedPod::new(&p.pod).evaluate_with(enforce.level, enforce.version, opts);
        if eval.allowed {
            continue;
        }
        let reasons = eval.forbidden_reasons();
        match groups.iter_mut().find(|g| g.0 == reasons) {
            Some(g) => {
                if p.name < g.1 {
                    g.1 = p.name;
                }
                g.2 += 1;
            }
            None => groups.push((reasons, p.name, 1)),
        }
    }
    let mut warnings = Vec::new();
    if checked < total {
        warnings.push(format!(
            "new PodSecurity enforce level only checked against the first {checked} of {total} existing pods"
        ));
    }
    if !groups.is_empty() {
        warnings.push(format!(
            "existing pods in namespace {} violate the new PodSecurity enforce level {}",
            go_quote(namespace),
            go_quote(&enforce.to_string())
        ));
    }
    let mut lines: Vec<String> = groups
        .into_iter()
        .map(|(reasons, name, count)| match count {
            1 => format!("{name}: {reasons}"),
            2 => format!("{name} (and 1 other pod): {reasons}"),
            n => format!("{name} (and {} other pods): {reasons}", n - 1),
        })
        .collect();
    lines.sort();
    warnings.extend(lines);
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lv(s: &str) -> String {
        s.to_string()
    }

    #[test]
    fn no_labels_give_defaults() {
        let (p, errs) = Policy::from_labels(&Value::Null, &Policy::default());
        assert!(errs.is_empty());
        assert_eq!(p, Policy::default());
        assert!(p.fully_privileged());
    }

    #[test]
    fn labels_resolve_and_warn_follows_enforce() {
        let labels = json!({
            ENFORCE_LEVEL_LABEL: "restricted",
            AUDIT_LEVEL_LABEL: "baseline",
        });
        let (p, errs) = Policy::from_labels(&labels, &Policy::default());
        assert!(errs.is_empty());
        assert_eq!(p.enforce.to_string(), lv("restricted:latest"));
        assert_eq!(p.audit.to_string(), lv("baseline:latest"));
        assert_eq!(p.warn.to_string(), lv("restricted:latest"));

        let labels = json!({
            ENFORCE_LEVEL_LABEL: "baseline",
            ENFORCE_VERSION_LABEL: "v1.29",
            WARN_VERSION_LABEL: "v1.30",
        });
        let (p, _) = Policy::from_labels(&labels, &Policy::default());
        assert_eq!(p.warn.to_string(), lv("baseline:v1.30"));

        // An explicit warn level is kept, even if laxer.
        let labels = json!({ENFORCE_LEVEL_LABEL: "restricted", WARN_LEVEL_LABEL: "privileged"});
        let (p, _) = Policy::from_labels(&labels, &Policy::default());
        assert_eq!(p.warn.to_string(), lv("privileged:latest"));
    }

    #[test]
    fn invalid_labels_fail_closed_for_enforce_and_open_for_others() {
        let labels = json!({
            ENFORCE_LEVEL_LABEL: "strict",
            ENFORCE_VERSION_LABEL: "v1.025",
            AUDIT_LEVEL_LABEL: "Baseline",
            WARN_LEVEL_LABEL: "x",
            WARN_VERSION_LABEL: "1.25",
        });
        let (p, errs) = Policy::from_labels(&labels, &Policy::default());
        assert_eq!(p.enforce.to_string(), lv("restricted:latest"));
        assert_eq!(p.audit.to_string(), lv("privileged:latest"));
        assert_eq!(p.warn.to_string(), lv("privileged:latest"));
        assert_eq!(errs.len(), 5);
        assert_eq!(
            namespace_invalid_message("team-a", &errs[..1]).unwrap(),
            "Namespace \"team-a\" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted"
        );
        assert_eq!(
            policy_error_annotation(&errs[..2]).unwrap(),
            "Failed to parse policy: [metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted, metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: \"v1.025\": must be \"latest\" or \"v1.x\"]"
        );
        // An invalid enforce label does not make warn follow it.
        let (p, _) = Policy::from_labels(&json!({ENFORCE_LEVEL_LABEL: "bad"}), &Policy::default());
        assert_eq!(p.warn.level, Level::Privileged);
    }

    #[test]
    fn defaults_apply_to_missing_labels() {
        let defaults = Policy {
            enforce: LevelVersion::new(Level::Baseline, Version::V(28)),
            audit: LevelVersion::new(Level::Restricted, Version::Latest),
            warn: LevelVersion::new(Level::Restricted, Version::Latest),
        };
        let (p, _) = Policy::from_labels(&json!({AUDIT_VERSION_LABEL: "v1.30"}), &defaults);
        assert_eq!(p.enforce.to_string(), "baseline:v1.28");
        assert_eq!(p.audit.to_string(), "restricted:v1.30");
    }

    #[test]
    fn exempt_namespace_warning_lists_explicit_modes() {
        let labels = json!({ENFORCE_LEVEL_LABEL: "baseline", AUDIT_LEVEL_LABEL: "privileged"});
        let (p, _) = Policy::from_labels(&labels, &Policy::default());
        assert_eq!(
            exempt_namespace_warning("kube-system", &p, &labels, &Policy::default()).unwrap(),
            "namespace \"kube-system\" is exempt from Pod Security, and the policy (enforce=baseline:latest) will be ignored"
        );
        let labels = json!({ENFORCE_LEVEL_LABEL: "privileged"});
        let (p, _) = Policy::from_labels(&labels, &Policy::default());
        assert_eq!(
            exempt_namespace_warning("kube-system", &p, &labels, &Policy::default()),
            None
        );
    }
}
