//! Cluster configuration of the PodSecurity admission plugin: defaults for
//! namespaces without labels, and exemptions.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::level::{Level, LevelVersion, Version};
use crate::policy::{aggregate, FieldError, Policy};

/// API versions of `PodSecurityConfiguration` the API server accepts.
pub const CONFIG_API_VERSIONS: [&str; 3] = [
    "pod-security.admission.config.k8s.io/v1",
    "pod-security.admission.config.k8s.io/v1beta1",
    "pod-security.admission.config.k8s.io/v1alpha1",
];

/// Who or what is exempt from evaluation. Exact string matches only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exemptions {
    #[serde(default)]
    pub usernames: Vec<String>,
    #[serde(default)]
    pub namespaces: Vec<String>,
    #[serde(default, rename = "runtimeClasses")]
    pub runtime_classes: Vec<String>,
}

/// The effective `PodSecurityConfiguration`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodSecurityConfiguration {
    /// Policy for modes whose namespace label is missing (built-in:
    /// privileged:latest for all three).
    pub defaults: Policy,
    pub exemptions: Exemptions,
}

/// Why a request was not evaluated; the value of the `exempt` audit annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Exemption {
    #[serde(rename = "namespace")]
    Namespace,
    #[serde(rename = "user")]
    User,
    #[serde(rename = "runtimeClass")]
    RuntimeClass,
}

impl Exemption {
    pub fn as_str(self) -> &'static str {
        match self {
            Exemption::Namespace => "namespace",
            Exemption::User => "user",
            Exemption::RuntimeClass => "runtimeClass",
        }
    }
}

impl fmt::Display for Exemption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a configuration could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The document is not an `AdmissionConfiguration` or a
    /// `PodSecurityConfiguration`, or a field has the wrong JSON type.
    #[error("{0}")]
    Decode(String),
    /// Field validation failed; the text is upstream's aggregated field errors.
    #[error("{0}")]
    Invalid(String),
    /// The AdmissionConfiguration points the PodSecurity plugin to another
    /// file (`plugins[].path`); load that file (relative to the admission
    /// configuration's folder) and parse it instead.
    #[error("PodSecurity configuration is in another file: {path}")]
    ExternalFile { path: String },
}

impl PodSecurityConfiguration {
    /// Parses an `AdmissionConfiguration` (apiserver `--admission-control-config-file`)
    /// or a bare `PodSecurityConfiguration`, applies defaults and validates
    /// it as upstream does. An AdmissionConfiguration without a PodSecurity
    /// plugin entry, or with one that has no configuration, gives the
    /// built-in defaults.
    pub fn from_value(doc: &Value) -> Result<Self, ConfigError> {
        let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
        match kind {
            "AdmissionConfiguration" => {
                let plugins = match doc.get("plugins") {
                    None | Some(Value::Null) => return Ok(Self::default()),
                    Some(Value::Array(a)) => a,
                    Some(_) => return Err(decode("plugins: expected a list")),
                };
                let Some(plugin) = plugins
                    .iter()
                    .find(|p| p.get("name").and_then(Value::as_str) == Some("PodSecurity"))
                else {
                    return Ok(Self::default());
                };
                match plugin.get("configuration") {
                    Some(c) if !c.is_null() => Self::from_pod_security_configuration(c),
                    _ => match plugin.get("path").and_then(Value::as_str) {
                        Some(p) if !p.is_empty() => Err(ConfigError::ExternalFile { path: p.to_string() }),
                        _ => Ok(Self::default()),
                    },
                }
            }
            "PodSecurityConfiguration" => Self::from_pod_security_configuration(doc),
            "" => Err(decode("Object 'Kind' is missing")),
            other => Err(decode(&format!(
                "expected kind AdmissionConfiguration or PodSecurityConfiguration, got {other:?}"
            ))),
        }
    }

    fn from_pod_security_configuration(doc: &Value) -> Result<Self, ConfigError> {
        let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        if doc.get("kind").and_then(Value::as_str) != Some("PodSecurityConfiguration") {
            return Err(decode("expected kind PodSecurityConfiguration"));
        }
        if !CONFIG_API_VERSIONS.contains(&api_version) {
            return Err(decode(&format!(
                "unsupported apiVersion {api_version:?} for PodSecurityConfiguration"
            )));
        }
        let defaults = object(doc, "defaults")?;
        let mut errs: Vec<FieldError> = Vec::new();
        // Validation order upstream: enforce, warn, audit (level then version).
        let mut mode = |level_key: &str, version_key: &str| -> Result<LevelVersion, ConfigError> {
            let level = string(defaults, level_key, "defaults")?.unwrap_or("");
            let version = string(defaults, version_key, "defaults")?.unwrap_or("");
            let level = if level.is_empty() { "privileged" } else { level };
            let version = if version.is_empty() { "latest" } else { version };
            let l = Level::parse(level).unwrap_or_else(|e| {
                errs.push(FieldError::invalid(
                    format!("defaults.{level_key}"),
                    level,
                    e.to_string(),
                ));
                Level::Restricted
            });
            let v = Version::parse(version).unwrap_or_else(|e| {
                errs.push(FieldError::invalid(
                    format!("defaults.{version_key}"),
                    version,
                    e.to_string(),
                ));
                Version::Latest
            });
            Ok(LevelVersion::new(l, v))
        };
        let enforce = mode("enforce", "enforce-version")?;
        let warn = mode("warn", "warn-version")?;
        let audit = mode("audit", "audit-version")?;

        let exemptions = object(doc, "exemptions")?;
        let namespaces = strings(exemptions, "namespaces")?;
        let runtime_classes = strings(exemptions, "runtimeClasses")?;
        let usernames = strings(exemptions, "usernames")?;
        validate_list(&mut errs, "exemptions.namespaces", &namespaces, |n| {
            dns1123_label_errors(n)
        });
        validate_list(
            &mut errs,
            "exemptions.runtimeClasses",
            &runtime_classes,
            dns1123_subdomain_errors,
        );
        validate_list(&mut errs, "exemptions.usernames", &usernames, |u| {
            if u.is_empty() {
                vec!["username must not be empty".to_string()]
            } else {
                Vec::new()
            }
        });
        if !errs.is_empty() {
            return Err(ConfigError::Invalid(aggregate(&errs)));
        }
        Ok(PodSecurityConfiguration {
            defaults: Policy { enforce, audit, warn },
            exemptions: Exemptions {
                usernames,
                namespaces,
                runtime_classes,
            },
        })
    }

    /// The exemption that applies, checked in upstream's order: namespace,
    /// then user, then the pod's runtime class. Empty values never match.
    pub fn exempt(&self, namespace: &str, username: &str, runtime_class: Option<&str>) -> Option<Exemption> {
        if self.exempt_namespace(namespace) {
            Some(Exemption::Namespace)
        } else if self.exempt_user(username) {
            Some(Exemption::User)
        } else if self.exempt_runtime_class(runtime_class) {
            Some(Exemption::RuntimeClass)
        } else {
            None
        }
    }

    pub fn exempt_namespace(&self, namespace: &str) -> bool {
        !namespace.is_empty() && self.exemptions.namespaces.iter().any(|n| n == namespace)
    }

    pub fn exempt_user(&self, username: &str) -> bool {
        !username.is_empty() && self.exemptions.usernames.iter().any(|n| n == username)
    }

    pub fn exempt_runtime_class(&self, runtime_class: Option<&str>) -> bool {
        runtime_class.is_some_and(|rc| !rc.is_empty() && self.exemptions.runtime_classes.iter().any(|n| n == rc))
    }
}

/// [`PodSecurityConfiguration::exempt`] as a free function.
pub fn exempt(
    config: &PodSecurityConfiguration,
    namespace: &str,
    username: &str,
    runtime_class: Option<&str>,
) -> Option<Exemption> {
    config.exempt(namespace, username, runtime_class)
}

fn decode(msg: &str) -> ConfigError {
    ConfigError::Decode(msg.to_string())
}

static EMPTY_OBJECT: std::sync::OnceLock<Value> = std::sync::OnceLock::new();

fn object<'a>(doc: &'a Value, key: &str) -> Result<&'a Value, ConfigError> {
    match doc.get(key) {
        None | Some(Value::Null) => Ok(EMPTY_OBJECT.get_or_init(|| Value::Object(Default::default()))),
        Some(v @ Value::Object(_)) => Ok(v),
        Some(_) => Err(decode(&format!("{key}: expected an object"))),
    }
}

fn string<'a>(obj: &'a Value, key: &str, parent: &str) -> Result<Option<&'a str>, ConfigError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(decode(&format!("{parent}.{key}: expected a string"))),
    }
}

fn strings(obj: &Value, key: &str) -> Result<Vec<String>, ConfigError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| decode(&format!("exemptions.{key}: expected strings")))
            })
            .collect(),
        Some(_) => Err(decode(&format!("exemptions.{key}: expected a list"))),
    }
}

/// Invalid entries, then duplicates of earlier valid entries.
fn validate_list(errs: &mut Vec<FieldError>, path: &str, items: &[String], check: impl Fn(&str) -> Vec<String>) {
    let mut seen: Vec<&str> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let problems = check(item);
        if !problems.is_empty() {
            errs.push(FieldError::invalid(format!("{path}[{i}]"), item, problems.join(", ")));
        } else if seen.contains(&item.as_str()) {
            errs.push(FieldError::duplicate(format!("{path}[{i}]"), item));
        } else {
            seen.push(item);
        }
    }
}

fn is_label_char(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
fn matches_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty() && is_alnum(b[0]) && is_alnum(b[b.len() - 1]) && b.iter().all(|&c| is_label_char(c))
}

fn matches_subdomain(s: &str) -> bool {
    s.split('.').all(matches_label)
}

const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/// apimachinery's `IsDNS1123Label` messages (namespace names).
pub(crate) fn dns1123_label_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !matches_label(s) {
        if matches_subdomain(s) {
            errs.push("must not contain dots".to_string());
        } else {
            errs.push(LABEL_MSG.to_string());
        }
    }
    errs
}

/// apimachinery's `IsDNS1123Subdomain` messages (runtime class names).
pub(crate) fn dns1123_subdomain_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if !matches_subdomain(s) {
        errs.push(SUBDOMAIN_MSG.to_string());
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn admission_configuration_inline() {
        let doc = json!({
            "apiVersion": "apiserver.config.k8s.io/v1",
            "kind": "AdmissionConfiguration",
            "plugins": [
                {"name": "Other", "configuration": {"x": 1}},
                {"name": "PodSecurity", "configuration": {
                    "apiVersion": "pod-security.admission.config.k8s.io/v1",
                    "kind": "PodSecurityConfiguration",
                    "defaults": {"enforce": "baseline", "enforce-version": "v1.29", "warn": "restricted"},
                    "exemptions": {"usernames": ["system:serviceaccount:kube-system:replicaset-controller"],
                                   "namespaces": ["kube-system"], "runtimeClasses": ["kata"]}
                }}
            ]
        });
        let c = PodSecurityConfiguration::from_value(&doc).unwrap();
        assert_eq!(c.defaults.enforce.to_string(), "baseline:v1.29");
        assert_eq!(c.defaults.audit.to_string(), "privileged:latest");
        assert_eq!(c.defaults.warn.to_string(), "restricted:latest");
        assert_eq!(c.exempt("kube-system", "alice", None), Some(Exemption::Namespace));
        assert_eq!(
            c.exempt(
                "kube-system",
                "system:serviceaccount:kube-system:replicaset-controller",
                Some("kata")
            ),
            Some(Exemption::Namespace)
        );
        assert_eq!(
            c.exempt(
                "apps",
                "system:serviceaccount:kube-system:replicaset-controller",
                Some("kata")
            ),
            Some(Exemption::User)
        );
        assert_eq!(c.exempt("apps", "bob", Some("kata")), Some(Exemption::RuntimeClass));
        assert_eq!(c.exempt("apps", "bob", Some("runc")), None);
        assert_eq!(c.exempt("", "", Some("")), None);
        assert_eq!(Exemption::RuntimeClass.to_string(), "runtimeClass");
    }

    #[test]
    fn missing_plugin_or_config_gives_defaults() {
        let doc = json!({"kind": "AdmissionConfiguration", "plugins": []});
        assert_eq!(
            PodSecurityConfiguration::from_value(&doc).unwrap(),
            PodSecurityConfiguration::default()
        );
        let doc = json!({"kind": "AdmissionConfiguration",
            "plugins": [{"name": "PodSecurity", "path": "pss.yaml"}]});
        assert_eq!(
            PodSecurityConfiguration::from_value(&doc),
            Err(ConfigError::ExternalFile {
                path: "pss.yaml".into()
            })
        );
        assert!(matches!(
            PodSecurityConfiguration::from_value(&json!({"defaults": {}})),
            Err(ConfigError::Decode(_))
        ));
    }

    #[test]
    fn bare_configuration_and_validation_errors() {
        let doc = json!({
            "apiVersion": "pod-security.admission.config.k8s.io/v1beta1",
            "kind": "PodSecurityConfiguration",
            "defaults": {"enforce": "strict", "audit-version": "1.25"},
            "exemptions": {"namespaces": ["ok", "Bad", "ok", "a.b"], "usernames": ["", "u", "u"],
                           "runtimeClasses": ["gvisor.io", "-x"]}
        });
        let err = PodSecurityConfiguration::from_value(&doc).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "[defaults.enforce: Invalid value: \"strict\": must be one of privileged, baseline, restricted, \
                 defaults.audit-version: Invalid value: \"1.25\": must be \"latest\" or \"v1.x\", \
                 exemptions.namespaces[1]: Invalid value: \"Bad\": {LABEL_MSG}, \
                 exemptions.namespaces[2]: Duplicate value: \"ok\", \
                 exemptions.namespaces[3]: Invalid value: \"a.b\": must not contain dots, \
                 exemptions.runtimeClasses[1]: Invalid value: \"-x\": {SUBDOMAIN_MSG}, \
                 exemptions.usernames[0]: Invalid value: \"\": username must not be empty, \
                 exemptions.usernames[2]: Duplicate value: \"u\"]"
            )
        );
        let ok = json!({
            "apiVersion": "pod-security.admission.config.k8s.io/v1alpha1",
            "kind": "PodSecurityConfiguration"
        });
        assert_eq!(
            PodSecurityConfiguration::from_value(&ok).unwrap(),
            PodSecurityConfiguration::default()
        );
        let wrong_version = json!({"apiVersion": "v1", "kind": "PodSecurityConfiguration"});
        assert!(matches!(
            PodSecurityConfiguration::from_value(&wrong_version),
            Err(ConfigError::Decode(_))
        ));
    }

    #[test]
    fn dns_names() {
        assert!(dns1123_label_errors("kube-system").is_empty());
        assert_eq!(dns1123_label_errors(""), vec![LABEL_MSG.to_string()]);
        assert_eq!(
            dns1123_label_errors(&"a".repeat(64)),
            vec!["must be no more than 63 characters".to_string()]
        );
        assert!(dns1123_subdomain_errors("runsc.gvisor.dev").is_empty());
        assert_eq!(dns1123_subdomain_errors("a..b").len(), 1);
    }
}
