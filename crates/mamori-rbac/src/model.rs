//! Plain RBAC types and their decoding from whole Kubernetes objects.
//!
//! Decoding follows what the API server does before it stores an object:
//! defaulting (`roleRef.apiGroup`, `subjects[].apiGroup`), field validation
//! (unknown fields), and the `rbac/v1` validation rules. An object the API
//! server would refuse is reported and never takes part in an answer, because
//! it never exists in a real cluster.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

/// The API group of all RBAC kinds.
pub const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
/// The only served RBAC version since Kubernetes 1.22.
pub const RBAC_API_VERSION: &str = "rbac.authorization.k8s.io/v1";

/// One rule of a Role or ClusterRole (`rbac/v1` PolicyRule).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    pub verbs: Vec<String>,
    #[serde(rename = "apiGroups")]
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    #[serde(rename = "nonResourceURLs")]
    pub non_resource_urls: Vec<String>,
}

impl PolicyRule {
    /// A resource rule (convenience for tests and callers building policy by hand).
    pub fn resource(groups: &[&str], resources: &[&str], verbs: &[&str]) -> Self {
        PolicyRule {
            verbs: owned(verbs),
            api_groups: owned(groups),
            resources: owned(resources),
            ..PolicyRule::default()
        }
    }

    /// A non-resource rule.
    pub fn non_resource(urls: &[&str], verbs: &[&str]) -> Self {
        PolicyRule {
            verbs: owned(verbs),
            non_resource_urls: owned(urls),
            ..PolicyRule::default()
        }
    }

    /// The same rule restricted to the given resource names.
    pub fn with_names(mut self, names: &[&str]) -> Self {
        self.resource_names = owned(names);
        self
    }
}

fn owned(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_string()).collect()
}

/// `matchExpressions` operator of a label selector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SelectorOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// One `matchExpressions` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SelectorRequirement {
    pub key: String,
    pub operator: SelectorOperator,
    pub values: Vec<String>,
}

/// A metav1.LabelSelector as used by `aggregationRule.clusterRoleSelectors`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LabelSelector {
    pub match_labels: BTreeMap<String, String>,
    pub match_expressions: Vec<SelectorRequirement>,
}

impl LabelSelector {
    /// Whether `labels` satisfy the selector. An empty selector selects
    /// everything, as `metav1.LabelSelectorAsSelector` makes it.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|req| {
                let got = labels.get(&req.key);
                match req.operator {
                    SelectorOperator::In => got.is_some_and(|v| req.values.contains(v)),
                    SelectorOperator::NotIn => got.is_none_or(|v| !req.values.contains(v)),
                    SelectorOperator::Exists => got.is_some(),
                    SelectorOperator::DoesNotExist => got.is_none(),
                }
            })
    }
}

/// `aggregationRule` of a ClusterRole.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AggregationRule {
    pub cluster_role_selectors: Vec<LabelSelector>,
}

/// A namespaced Role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Role {
    pub namespace: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub rules: Vec<PolicyRule>,
}

/// A ClusterRole. `rules` are the stored rules; for an aggregated role the
/// engine replaces them with the union the aggregation controller computes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClusterRole {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub aggregation_rule: Option<AggregationRule>,
    pub rules: Vec<PolicyRule>,
}

/// Kind of a binding subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum SubjectKind {
    User,
    Group,
    ServiceAccount,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
            SubjectKind::ServiceAccount => "ServiceAccount",
        }
    }
}

/// A binding subject after defaulting. `namespace` is only meaningful for
/// ServiceAccounts.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
    pub namespace: Option<String>,
    pub api_group: String,
}

impl Subject {
    pub fn user(name: &str) -> Self {
        Subject {
            kind: SubjectKind::User,
            name: name.to_string(),
            namespace: None,
            api_group: RBAC_GROUP.to_string(),
        }
    }
    pub fn group(name: &str) -> Self {
        Subject {
            kind: SubjectKind::Group,
            name: name.to_string(),
            namespace: None,
            api_group: RBAC_GROUP.to_string(),
        }
    }
    pub fn service_account(namespace: &str, name: &str) -> Self {
        Subject {
            kind: SubjectKind::ServiceAccount,
            name: name.to_string(),
            namespace: Some(namespace.to_string()),
            api_group: String::new(),
        }
    }
}

/// Which kind of role a binding refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum RoleKind {
    Role,
    ClusterRole,
}

impl RoleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Role => "Role",
            RoleKind::ClusterRole => "ClusterRole",
        }
    }
}

/// `roleRef` after defaulting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleRef {
    pub kind: RoleKind,
    pub name: String,
}

/// A RoleBinding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleBinding {
    pub namespace: String,
    pub name: String,
    pub subjects: Vec<Subject>,
    pub role_ref: RoleRef,
}

/// A ClusterRoleBinding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClusterRoleBinding {
    pub name: String,
    pub subjects: Vec<Subject>,
    pub role_ref: RoleRef,
}

/// One decoded RBAC object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum RbacObject {
    Role(Role),
    ClusterRole(ClusterRole),
    RoleBinding(RoleBinding),
    ClusterRoleBinding(ClusterRoleBinding),
}

/// How unknown fields are treated, like the API server's `fieldValidation`
/// parameter. kubectl sends `Strict` by default since 1.27 (`--validate=strict`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum FieldValidation {
    /// Unknown fields reject the whole object.
    #[default]
    Strict,
    /// Unknown fields are dropped with a warning.
    Warn,
    /// Unknown fields are dropped silently (still listed as issues).
    Ignore,
}

/// What an issue did to its object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum IssueEffect {
    /// The API server would refuse the object: it grants nothing.
    Rejected,
    /// A field was dropped; the rest of the object is used.
    FieldDropped,
    /// Informational: the object is used as is (defaulting, missing roles,
    /// objects overriding bootstrap policy).
    Note,
}

/// A problem found while loading objects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// Field path in the object, e.g. `roleRef.kind` or `rules[2].verbs`.
    pub field: String,
    pub message: String,
    pub effect: IssueEffect,
    /// `path:line` of the field in the manifest, for objects from mamori's
    /// loader.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// Result of decoding one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// Not an RBAC kind: ignored.
    NotRbac,
    /// Stored as the API server would store it; may carry dropped-field notes.
    Accepted(RbacObject, Vec<Issue>),
    /// Refused by the API server.
    Rejected(Vec<Issue>),
}

const META_FIELDS: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];
const RULE_FIELDS: &[&str] = &["verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"];
const SUBJECT_FIELDS: &[&str] = &["kind", "apiGroup", "name", "namespace"];
const ROLEREF_FIELDS: &[&str] = &["kind", "apiGroup", "name"];
const SELECTOR_FIELDS: &[&str] = &["matchLabels", "matchExpressions"];
const REQUIREMENT_FIELDS: &[&str] = &["key", "operator", "values"];

struct Ctx<'a> {
    kind: &'a str,
    namespace: Option<String>,
    name: Option<String>,
    validation: FieldValidation,
    issues: Vec<Issue>,
    rejected: bool,
}

impl Ctx<'_> {
    fn issue(&mut self, field: &str, message: String, effect: IssueEffect) {
        if effect == IssueEffect::Rejected {
            self.rejected = true;
        }
        self.issues.push(Issue {
            kind: self.kind.to_string(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            field: field.to_string(),
            message,
            effect,
            at: None,
        });
    }

    fn reject(&mut self, field: &str, message: impl Into<String>) {
        self.issue(field, message.into(), IssueEffect::Rejected);
    }

    /// Unknown keys of a map, handled per the field validation mode.
    fn check_fields(&mut self, map: &Map<String, Value>, known: &[&str], path: &str) {
        for key in map.keys() {
            if known.contains(&key.as_str()) {
                continue;
            }
            let field = join(path, key);
            let msg = format!("unknown field \"{field}\"");
            match self.validation {
                FieldValidation::Strict => self.reject(&field, format!("strict decoding error: {msg}")),
                FieldValidation::Warn | FieldValidation::Ignore => {
                    self.issue(&field, format!("{msg} dropped"), IssueEffect::FieldDropped)
                }
            }
        }
    }

    fn object<'v>(&mut self, v: &'v Value, path: &str) -> Option<&'v Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m),
            other => {
                self.reject(path, format!("expected an object, found {}", type_name(other)));
                None
            }
        }
    }

    fn string(&mut self, map: &Map<String, Value>, key: &str, path: &str) -> String {
        match map.get(key) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                self.reject(
                    &join(path, key),
                    format!("expected a string, found {}", type_name(other)),
                );
                String::new()
            }
        }
    }

    fn string_list(&mut self, map: &Map<String, Value>, key: &str, path: &str) -> Vec<String> {
        let field = join(path, key);
        match map.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        other => self.reject(
                            &format!("{field}[{i}]"),
                            format!("expected a string, found {}", type_name(other)),
                        ),
                    }
                }
                out
            }
            Some(other) => {
                self.reject(
                    &field,
                    format!("expected a list of strings, found {}", type_name(other)),
                );
                Vec::new()
            }
        }
    }

    fn string_map(&mut self, map: &Map<String, Value>, key: &str, path: &str) -> BTreeMap<String, String> {
        let field = join(path, key);
        let mut out = BTreeMap::new();
        match map.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    match v {
                        Value::String(s) => {
                            out.insert(k.clone(), s.clone());
                        }
                        other => self.reject(
                            &join(&field, k),
                            format!("expected a string, found {}", type_name(other)),
                        ),
                    }
                }
            }
            Some(other) => self.reject(&field, format!("expected a map of strings, found {}", type_name(other))),
        }
        out
    }

    fn list<'v>(&mut self, map: &'v Map<String, Value>, key: &str, path: &str) -> &'v [Value] {
        match map.get(key) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(items)) => items,
            Some(other) => {
                self.reject(&join(path, key), format!("expected a list, found {}", type_name(other)));
                &[]
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// RBAC object names are path segments (`ValidateRBACName`).
fn path_segment_problem(name: &str) -> Option<&'static str> {
    if name == "." || name == ".." {
        Some("may not be '.' or '..'")
    } else if name.contains('/') {
        Some("may not contain '/'")
    } else if name.contains('%') {
        Some("may not contain '%'")
    } else {
        None
    }
}

/// DNS-1123 subdomain, the rule for ServiceAccount and namespace names.
pub(crate) fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Decode one object as the API server would. Objects of other kinds give
/// [`Decoded::NotRbac`]; `default_namespace` is where a namespaced object
/// without `metadata.namespace` lands, as `kubectl apply` puts it in the
/// context's namespace.
pub fn decode(value: &Value, validation: FieldValidation, default_namespace: &str) -> Decoded {
    let Value::Object(top) = value else {
        return Decoded::NotRbac;
    };
    let kind = top.get("kind").and_then(Value::as_str).unwrap_or_default();
    if !matches!(kind, "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding") {
        return Decoded::NotRbac;
    }
    let api_version = top.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    // Only objects of the RBAC group are RBAC objects; a `Role` of another
    // group (some CRDs use the name) is not ours.
    if !api_version.starts_with("rbac.authorization.k8s.io/") {
        return Decoded::NotRbac;
    }
    let namespaced = matches!(kind, "Role" | "RoleBinding");
    let meta = top.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let ns_given = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let mut cx = Ctx {
        kind,
        namespace: if namespaced {
            Some(ns_given.clone().unwrap_or_else(|| default_namespace.to_string()))
        } else {
            None
        },
        name: name.clone(),
        validation,
        issues: Vec::new(),
        rejected: false,
    };
    if api_version != RBAC_API_VERSION {
        cx.reject(
            "apiVersion",
            format!("{api_version} is not served (rbac.authorization.k8s.io/v1 only since Kubernetes 1.22)"),
        );
        return Decoded::Rejected(cx.issues);
    }

    let top_known: &[&str] = match kind {
        "Role" => &["apiVersion", "kind", "metadata", "rules"],
        "ClusterRole" => &["apiVersion", "kind", "metadata", "rules", "aggregationRule"],
        _ => &["apiVersion", "kind", "metadata", "subjects", "roleRef"],
    };
    cx.check_fields(top, top_known, "");

    let mut labels = BTreeMap::new();
    match meta {
        Some(m) => {
            if let Some(m) = cx.object(m, "metadata") {
                cx.check_fields(m, META_FIELDS, "metadata");
                labels = cx.string_map(m, "labels", "metadata");
            }
        }
        None => cx.reject("metadata", "metadata is required"),
    }
    let name = match name {
        Some(n) if !n.is_empty() => n,
        _ => {
            cx.reject("metadata.name", "name or generateName is required");
            String::new()
        }
    };
    if let Some(problem) = path_segment_problem(&name) {
        cx.reject("metadata.name", format!("name {problem}"));
    }
    if namespaced && ns_given.is_none() {
        cx.issue(
            "metadata.namespace",
            format!(
                "no namespace: kubectl would create it in the context namespace, taken here as \"{default_namespace}\""
            ),
            IssueEffect::Note,
        );
    }
    let namespace = cx.namespace.clone().unwrap_or_default();

    let object = match kind {
        "Role" | "ClusterRole" => {
            let rules = decode_rules(&mut cx, top, namespaced);
            if kind == "Role" {
                RbacObject::Role(Role {
                    namespace,
                    name,
                    labels,
                    rules,
                })
            } else {
                let aggregation_rule = decode_aggregation(&mut cx, top);
                RbacObject::ClusterRole(ClusterRole {
                    name,
                    labels,
                    aggregation_rule,
                    rules,
                })
            }
        }
        _ => {
            let subjects = decode_subjects(&mut cx, top, namespaced);
            let role_ref = decode_role_ref(&mut cx, top, namespaced);
            match (kind, role_ref) {
                ("RoleBinding", Some(role_ref)) => RbacObject::RoleBinding(RoleBinding {
                    namespace,
                    name,
                    subjects,
                    role_ref,
                }),
                (_, Some(role_ref)) => RbacObject::ClusterRoleBinding(ClusterRoleBinding {
                    name,
                    subjects,
                    role_ref,
                }),
                (_, None) => return Decoded::Rejected(cx.issues),
            }
        }
    };
    if cx.rejected {
        Decoded::Rejected(cx.issues)
    } else {
        Decoded::Accepted(object, cx.issues)
    }
}

fn decode_rules(cx: &mut Ctx<'_>, top: &Map<String, Value>, namespaced: bool) -> Vec<PolicyRule> {
    let items = cx.list(top, "rules", "");
    let mut rules = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("rules[{i}]");
        let Some(m) = cx.object(item, &path) else {
            continue;
        };
        cx.check_fields(m, RULE_FIELDS, &path);
        let rule = PolicyRule {
            verbs: cx.string_list(m, "verbs", &path),
            api_groups: cx.string_list(m, "apiGroups", &path),
            resources: cx.string_list(m, "resources", &path),
            resource_names: cx.string_list(m, "resourceNames", &path),
            non_resource_urls: cx.string_list(m, "nonResourceURLs", &path),
        };
        // rbac validation.ValidatePolicyRule
        if rule.verbs.is_empty() {
            cx.reject(&join(&path, "verbs"), "verbs must contain at least one value");
        }
        if !rule.non_resource_urls.is_empty() {
            if namespaced {
                cx.reject(
                    &join(&path, "nonResourceURLs"),
                    "namespaced rules cannot apply to non-resource URLs",
                );
            }
            if !rule.api_groups.is_empty() || !rule.resources.is_empty() || !rule.resource_names.is_empty() {
                cx.reject(
                    &join(&path, "nonResourceURLs"),
                    "rules cannot apply to both regular resources and non-resource URLs",
                );
            }
        } else {
            if rule.api_groups.is_empty() {
                cx.reject(
                    &join(&path, "apiGroups"),
                    "resource rules must supply at least one api group",
                );
            }
            if rule.resources.is_empty() {
                cx.reject(
                    &join(&path, "resources"),
                    "resource rules must supply at least one resource",
                );
            }
        }
        rules.push(rule);
    }
    rules
}

fn decode_aggregation(cx: &mut Ctx<'_>, top: &Map<String, Value>) -> Option<AggregationRule> {
    let v = top.get("aggregationRule")?;
    if v.is_null() {
        return None;
    }
    let m = cx.object(v, "aggregationRule")?;
    cx.check_fields(m, &["clusterRoleSelectors"], "aggregationRule");
    let items = cx.list(m, "clusterRoleSelectors", "aggregationRule");
    if items.is_empty() {
        cx.reject(
            "aggregationRule.clusterRoleSelectors",
            "at least one clusterRoleSelector required if aggregationRule is non-nil",
        );
    }
    let mut selectors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("aggregationRule.clusterRoleSelectors[{i}]");
        let Some(sm) = cx.object(item, &path) else {
            continue;
        };
        cx.check_fields(sm, SELECTOR_FIELDS, &path);
        let match_labels = cx.string_map(sm, "matchLabels", &path);
        let mut match_expressions = Vec::new();
        for (j, e) in cx.list(sm, "matchExpressions", &path).iter().enumerate() {
            let epath = format!("{path}.matchExpressions[{j}]");
            let Some(em) = cx.object(e, &epath) else {
                continue;
            };
            cx.check_fields(em, REQUIREMENT_FIELDS, &epath);
            let key = cx.string(em, "key", &epath);
            let op = cx.string(em, "operator", &epath);
            let values = cx.string_list(em, "values", &epath);
            let operator = match op.as_str() {
                "In" => SelectorOperator::In,
                "NotIn" => SelectorOperator::NotIn,
                "Exists" => SelectorOperator::Exists,
                "DoesNotExist" => SelectorOperator::DoesNotExist,
                other => {
                    cx.reject(
                        &join(&epath, "operator"),
                        format!("not a valid selector operator: {other:?}"),
                    );
                    continue;
                }
            };
            let needs_values = matches!(operator, SelectorOperator::In | SelectorOperator::NotIn);
            if needs_values == values.is_empty() {
                cx.reject(
                    &join(&epath, "values"),
                    if needs_values {
                        "must be specified when `operator` is 'In' or 'NotIn'"
                    } else {
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                    },
                );
            }
            match_expressions.push(SelectorRequirement { key, operator, values });
        }
        selectors.push(LabelSelector {
            match_labels,
            match_expressions,
        });
    }
    Some(AggregationRule {
        cluster_role_selectors: selectors,
    })
}

fn decode_subjects(cx: &mut Ctx<'_>, top: &Map<String, Value>, namespaced: bool) -> Vec<Subject> {
    let items = cx.list(top, "subjects", "");
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("subjects[{i}]");
        let Some(m) = cx.object(item, &path) else {
            continue;
        };
        cx.check_fields(m, SUBJECT_FIELDS, &path);
        let kind = cx.string(m, "kind", &path);
        let name = cx.string(m, "name", &path);
        let mut api_group = cx.string(m, "apiGroup", &path);
        let namespace = Some(cx.string(m, "namespace", &path)).filter(|s| !s.is_empty());
        if name.is_empty() {
            cx.reject(&join(&path, "name"), "Required value");
        }
        let kind = match kind.as_str() {
            "ServiceAccount" => {
                if !api_group.is_empty() {
                    cx.reject(
                        &join(&path, "apiGroup"),
                        format!("Unsupported value: {api_group:?}: supported values: \"\""),
                    );
                }
                if !name.is_empty() && !is_dns_subdomain(&name) {
                    cx.reject(&join(&path, "name"), format!("invalid ServiceAccount name {name:?}"));
                }
                if !namespaced && namespace.is_none() {
                    cx.reject(
                        &join(&path, "namespace"),
                        "Required value: a ServiceAccount subject of a ClusterRoleBinding needs a namespace",
                    );
                }
                SubjectKind::ServiceAccount
            }
            "User" | "Group" => {
                // SetDefaults_Subject fills the group in before validation.
                if api_group.is_empty() {
                    api_group = RBAC_GROUP.to_string();
                }
                if api_group != RBAC_GROUP {
                    cx.reject(
                        &join(&path, "apiGroup"),
                        format!("Unsupported value: {api_group:?}: supported values: \"{RBAC_GROUP}\""),
                    );
                }
                if kind == "User" {
                    SubjectKind::User
                } else {
                    SubjectKind::Group
                }
            }
            other => {
                cx.reject(
                    &join(&path, "kind"),
                    format!("Unsupported value: {other:?}: supported values: \"ServiceAccount\", \"User\", \"Group\""),
                );
                continue;
            }
        };
        out.push(Subject {
            kind,
            name,
            namespace,
            api_group,
        });
    }
    out
}

fn decode_role_ref(cx: &mut Ctx<'_>, top: &Map<String, Value>, namespaced: bool) -> Option<RoleRef> {
    let Some(v) = top.get("roleRef").filter(|v| !v.is_null()) else {
        cx.reject("roleRef", "roleRef is required");
        return None;
    };
    let m = cx.object(v, "roleRef")?;
    cx.check_fields(m, ROLEREF_FIELDS, "roleRef");
    let mut api_group = cx.string(m, "apiGroup", "roleRef");
    if api_group.is_empty() {
        // SetDefaults_RoleBinding / SetDefaults_ClusterRoleBinding
        api_group = RBAC_GROUP.to_string();
        cx.issue(
            "roleRef.apiGroup",
            format!("missing: defaulted to {RBAC_GROUP}"),
            IssueEffect::Note,
        );
    }
    if api_group != RBAC_GROUP {
        cx.reject(
            "roleRef.apiGroup",
            format!("Unsupported value: {api_group:?}: supported values: \"{RBAC_GROUP}\""),
        );
    }
    let name = cx.string(m, "name", "roleRef");
    if name.is_empty() {
        cx.reject("roleRef.name", "Required value");
    } else if let Some(problem) = path_segment_problem(&name) {
        cx.reject("roleRef.name", format!("name {problem}"));
    }
    let kind = cx.string(m, "kind", "roleRef");
    let kind = match (kind.as_str(), namespaced) {
        ("Role", true) => RoleKind::Role,
        ("ClusterRole", _) => RoleKind::ClusterRole,
        (other, true) => {
            cx.reject(
                "roleRef.kind",
                format!("Unsupported value: {other:?}: supported values: \"Role\", \"ClusterRole\""),
            );
            return None;
        }
        (other, false) => {
            cx.reject(
                "roleRef.kind",
                format!("Unsupported value: {other:?}: supported values: \"ClusterRole\""),
            );
            return None;
        }
    };
    Some(RoleRef { kind, name })
}
