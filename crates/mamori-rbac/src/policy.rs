//! The loaded policy: objects as the API server would store them, aggregated
//! ClusterRoles, a subject index, and the queries.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;

use crate::bootstrap::{self, Bootstrap};
use crate::matching::rule_allows;
use crate::model::{
    decode, ClusterRole, ClusterRoleBinding, Decoded, FieldValidation, Issue, IssueEffect, PolicyRule, RbacObject,
    Role, RoleBinding, RoleKind, Subject, SubjectKind, RBAC_GROUP,
};
use crate::table;
use crate::user::{service_account_username, UserInfo, SYSTEM_MASTERS};
use crate::Request;
use mamori_model::{FieldPath, Inventory, Object};

/// How to load objects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Options {
    /// Default policy to include (on, latest version, by default).
    pub bootstrap: Bootstrap,
    /// Unknown-field handling (kubectl's default: strict).
    pub field_validation: FieldValidation,
    /// Namespace for namespaced objects without one (kubectl's context
    /// namespace; `default` unless told otherwise).
    pub default_namespace: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            bootstrap: Bootstrap::default(),
            field_validation: FieldValidation::Strict,
            default_namespace: "default".to_string(),
        }
    }
}

/// Which kind of binding granted something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum BindingKind {
    ClusterRoleBinding,
    RoleBinding,
}

/// A binding, by identity.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct BindingRef {
    pub kind: BindingKind,
    pub namespace: Option<String>,
    pub name: String,
}

/// A role, by identity (`namespace` only for a Role).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RoleId {
    pub kind: RoleKind,
    pub namespace: Option<String>,
    pub name: String,
}

/// One link of the chain behind an answer: binding -> role -> rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub binding: BindingRef,
    /// The binding subject that matched (first match, as the authorizer
    /// reports it), with a ServiceAccount's namespace filled in.
    pub subject: Subject,
    pub role: RoleId,
    /// Index of the rule in the role's effective rules.
    pub rule_index: usize,
    pub rule: PolicyRule,
    /// For an aggregated ClusterRole: the ClusterRole the rule came from.
    pub aggregated_from: Option<String>,
    /// The binding comes from the built-in bootstrap policy.
    pub bootstrap: bool,
}

/// The answer to one `can-i` question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub allowed: bool,
    /// Set when the user is in `system:masters`: the API server allows it
    /// before RBAC is asked.
    pub privileged_group: Option<String>,
    /// Every RBAC grant that allows the request, in the order the authorizer
    /// visits them (ClusterRoleBindings by name, then RoleBindings of the
    /// namespace by name). The first one is the reason the API server gives.
    pub reasons: Vec<Grant>,
}

/// The bindings `who_can` looks at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Scope {
    /// A request in this namespace: ClusterRoleBindings and this namespace's
    /// RoleBindings.
    Namespace(String),
    /// A cluster-wide request (cluster-scoped resource, all namespaces at
    /// once, non-resource URL): ClusterRoleBindings only.
    Cluster,
    /// "In some namespace": RoleBindings of every namespace count, each for
    /// its own namespace (what rbac-tool's who-can reports).
    AnyNamespace,
}

/// One subject `who_can` found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhoCan {
    pub subject: Subject,
    /// Every binding -> role -> rule chain that grants it.
    pub grants: Vec<Grant>,
    /// `system:masters`: allowed before RBAC.
    pub privileged: bool,
}

#[derive(Clone, Debug)]
struct StoredClusterRole {
    role: ClusterRole,
    /// Per effective rule: the source ClusterRole for aggregated rules.
    origins: Vec<Option<String>>,
    bootstrap: bool,
}

#[derive(Clone, Debug)]
struct StoredRole {
    role: Role,
    bootstrap: bool,
}

#[derive(Clone, Debug)]
enum AnyBinding {
    Cluster(ClusterRoleBinding),
    Namespaced(RoleBinding),
}

#[derive(Clone, Debug)]
struct StoredBinding {
    binding: AnyBinding,
    bootstrap: bool,
}

impl StoredBinding {
    fn namespace(&self) -> Option<&str> {
        match &self.binding {
            AnyBinding::Cluster(_) => None,
            AnyBinding::Namespaced(b) => Some(&b.namespace),
        }
    }
    fn subjects(&self) -> &[Subject] {
        match &self.binding {
            AnyBinding::Cluster(b) => &b.subjects,
            AnyBinding::Namespaced(b) => &b.subjects,
        }
    }
    fn reference(&self) -> BindingRef {
        match &self.binding {
            AnyBinding::Cluster(b) => BindingRef {
                kind: BindingKind::ClusterRoleBinding,
                namespace: None,
                name: b.name.clone(),
            },
            AnyBinding::Namespaced(b) => BindingRef {
                kind: BindingKind::RoleBinding,
                namespace: Some(b.namespace.clone()),
                name: b.name.clone(),
            },
        }
    }
    fn role_id(&self) -> RoleId {
        match &self.binding {
            AnyBinding::Cluster(b) => RoleId {
                kind: RoleKind::ClusterRole,
                namespace: None,
                name: b.role_ref.name.clone(),
            },
            AnyBinding::Namespaced(b) => RoleId {
                kind: b.role_ref.kind,
                namespace: (b.role_ref.kind == RoleKind::Role).then(|| b.namespace.clone()),
                name: b.role_ref.name.clone(),
            },
        }
    }
    /// A subject with a RoleBinding's ServiceAccount namespace defaulted.
    fn effective_subject(&self, s: &Subject) -> Subject {
        let mut s = s.clone();
        if s.kind == SubjectKind::ServiceAccount && s.namespace.is_none() {
            s.namespace = self.namespace().map(str::to_string);
        }
        s
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum SubjectKey {
    User(String),
    Group(String),
    ServiceAccount(String, String),
}

/// Collects objects, then [`PolicyBuilder::build`]s the queryable policy.
#[derive(Clone, Debug)]
pub struct PolicyBuilder {
    options: Options,
    cluster_roles: BTreeMap<String, StoredClusterRole>,
    roles: BTreeMap<(String, String), StoredRole>,
    cluster_bindings: BTreeMap<String, StoredBinding>,
    bindings: BTreeMap<(String, String), StoredBinding>,
    issues: Vec<Issue>,
}

impl PolicyBuilder {
    /// A builder holding the bootstrap policy the options ask for.
    pub fn new(options: Options) -> Self {
        let mut b = PolicyBuilder {
            options,
            cluster_roles: BTreeMap::new(),
            roles: BTreeMap::new(),
            cluster_bindings: BTreeMap::new(),
            bindings: BTreeMap::new(),
            issues: Vec::new(),
        };
        for obj in bootstrap::objects(b.options.bootstrap) {
            if let Decoded::Accepted(o, _) = decode(&obj, FieldValidation::Strict, "default") {
                b.insert(o, true);
            }
        }
        b
    }

    /// Add one object (any kind; non-RBAC kinds are ignored, `kind: List`
    /// is unpacked). Later objects replace earlier ones of the same identity,
    /// as `kubectl apply` would, and manifests replace bootstrap objects.
    pub fn add(&mut self, value: &Value) -> &mut Self {
        if value.get("kind").and_then(Value::as_str) == Some("List") {
            if let Some(Value::Array(items)) = value.get("items") {
                for item in items {
                    self.add(item);
                }
            }
            return self;
        }
        let namespace = self.options.default_namespace.clone();
        self.add_decoded(value, &namespace)
    }

    /// Add one object read by mamori's loader. The loader has already
    /// validated it against the schema and pruned unknown fields
    /// ([`Object::stored`]); an object it marks `rejected` never reaches a
    /// cluster and grants nothing. Under strict field validation a pruned
    /// field also rejects the object, so the object as written is decoded
    /// and the engine names the field; otherwise the stored form is used.
    /// A namespaced object without a namespace lands where the loader
    /// assumed it (`--namespace`).
    pub fn add_object(&mut self, object: &Object) -> &mut Self {
        if !matches!(
            object.kind.as_str(),
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding"
        ) || object.group() != RBAC_GROUP
        {
            return self;
        }
        if let Some(reason) = &object.rejected {
            self.issues.push(Issue {
                kind: object.kind.clone(),
                namespace: object.effective_namespace.clone(),
                name: Some(object.name.clone()),
                field: String::new(),
                message: format!("rejected by the API server ({reason}): it grants nothing"),
                effect: IssueEffect::Rejected,
                at: Some(format!("{}:{}", object.origin.path, object.origin.line)),
            });
            return self;
        }
        let pruned = object.node != object.stored;
        let value = if pruned && self.options.field_validation == FieldValidation::Strict {
            object.node.to_json()
        } else {
            object.stored.to_json()
        };
        let namespace = object
            .effective_namespace
            .clone()
            .unwrap_or_else(|| self.options.default_namespace.clone());
        let before = self.issues.len();
        self.add_decoded(&value, &namespace);
        for issue in &mut self.issues[before..] {
            let line = FieldPath::parse(&issue.field)
                .map(|f| object.node.locate(&f).line)
                .unwrap_or(object.origin.line);
            issue.at = Some(format!("{}:{line}", object.origin.path));
        }
        self
    }

    /// Add every object of an inventory, in input order.
    pub fn add_inventory(&mut self, inventory: &Inventory) -> &mut Self {
        for o in &inventory.objects {
            self.add_object(o);
        }
        self
    }

    fn add_decoded(&mut self, value: &Value, default_namespace: &str) -> &mut Self {
        match decode(value, self.options.field_validation, default_namespace) {
            Decoded::NotRbac => {}
            Decoded::Rejected(issues) => self.issues.extend(issues),
            Decoded::Accepted(object, issues) => {
                self.issues.extend(issues);
                self.insert(object, false);
            }
        }
        self
    }

    /// Add several objects.
    pub fn add_all<'a>(&mut self, values: impl IntoIterator<Item = &'a Value>) -> &mut Self {
        for v in values {
            self.add(v);
        }
        self
    }

    fn insert(&mut self, object: RbacObject, bootstrap: bool) {
        let replaced_bootstrap = match object {
            RbacObject::ClusterRole(role) => {
                let origins = vec![None; role.rules.len()];
                let name = role.name.clone();
                self.cluster_roles
                    .insert(
                        name.clone(),
                        StoredClusterRole {
                            role,
                            origins,
                            bootstrap,
                        },
                    )
                    .filter(|old| old.bootstrap && !bootstrap)
                    .map(|_| ("ClusterRole", None, name))
            }
            RbacObject::Role(role) => {
                let key = (role.namespace.clone(), role.name.clone());
                self.roles
                    .insert(key.clone(), StoredRole { role, bootstrap })
                    .filter(|old| old.bootstrap && !bootstrap)
                    .map(|_| ("Role", Some(key.0), key.1))
            }
            RbacObject::ClusterRoleBinding(b) => {
                let name = b.name.clone();
                self.cluster_bindings
                    .insert(
                        name.clone(),
                        StoredBinding {
                            binding: AnyBinding::Cluster(b),
                            bootstrap,
                        },
                    )
                    .filter(|old| old.bootstrap && !bootstrap)
                    .map(|_| ("ClusterRoleBinding", None, name))
            }
            RbacObject::RoleBinding(b) => {
                let key = (b.namespace.clone(), b.name.clone());
                self.bindings
                    .insert(
                        key.clone(),
                        StoredBinding {
                            binding: AnyBinding::Namespaced(b),
                            bootstrap,
                        },
                    )
                    .filter(|old| old.bootstrap && !bootstrap)
                    .map(|_| ("RoleBinding", Some(key.0), key.1))
            }
        };
        if let Some((kind, namespace, name)) = replaced_bootstrap {
            self.issues.push(Issue {
                kind: kind.to_string(),
                namespace,
                name: Some(name),
                field: String::new(),
                message: "replaces the built-in bootstrap object of the same name (the API server reconciles auto-updated defaults at its next start)".to_string(),
                effect: IssueEffect::Note,
                at: None,
            });
        }
    }

    /// Aggregate ClusterRoles, index subjects, and freeze.
    pub fn build(mut self) -> Policy {
        aggregate(&mut self.cluster_roles);
        // Visit order of the authorizer: ClusterRoleBindings first, then the
        // namespace's RoleBindings. Upstream lists come from an informer
        // cache in no defined order; sorting by name makes answers stable.
        let mut bindings: Vec<StoredBinding> = self.cluster_bindings.into_values().collect();
        bindings.extend(self.bindings.into_values());
        let mut index: HashMap<SubjectKey, Vec<usize>> = HashMap::new();
        for (id, b) in bindings.iter().enumerate() {
            for s in b.subjects() {
                let key = match s.kind {
                    SubjectKind::User => SubjectKey::User(s.name.clone()),
                    SubjectKind::Group => SubjectKey::Group(s.name.clone()),
                    SubjectKind::ServiceAccount => match s.namespace.as_deref().or(b.namespace()) {
                        Some(ns) => SubjectKey::ServiceAccount(ns.to_string(), s.name.clone()),
                        None => continue,
                    },
                };
                let ids = index.entry(key).or_default();
                if ids.last() != Some(&id) {
                    ids.push(id);
                }
            }
        }
        let mut issues = self.issues;
        for b in &bindings {
            let role = b.role_id();
            let exists = match role.kind {
                RoleKind::ClusterRole => self.cluster_roles.contains_key(&role.name),
                RoleKind::Role => self
                    .roles
                    .contains_key(&(role.namespace.clone().unwrap_or_default(), role.name.clone())),
            };
            if !exists {
                let r = b.reference();
                issues.push(Issue {
                    kind: match r.kind {
                        BindingKind::ClusterRoleBinding => "ClusterRoleBinding",
                        BindingKind::RoleBinding => "RoleBinding",
                    }
                    .to_string(),
                    namespace: r.namespace,
                    name: Some(r.name),
                    field: "roleRef.name".to_string(),
                    message: format!(
                        "{} {:?} does not exist: the binding grants nothing",
                        role.kind.as_str(),
                        role.name
                    ),
                    effect: IssueEffect::Note,
                    at: None,
                });
            }
        }
        Policy {
            options: self.options,
            cluster_roles: self.cluster_roles,
            roles: self.roles,
            bindings,
            index,
            issues,
        }
    }
}

/// What the ClusterRole aggregation controller converges to: each ClusterRole
/// with an aggregationRule gets, in place of its own rules, the union of the
/// rules of every other ClusterRole its selectors match (sources in name
/// order, duplicates dropped). Aggregated roles can feed each other (view ->
/// edit -> admin), so repeat until nothing changes.
fn aggregate(roles: &mut BTreeMap<String, StoredClusterRole>) {
    let aggregated: Vec<String> = roles
        .iter()
        .filter(|(_, r)| r.role.aggregation_rule.is_some())
        .map(|(n, _)| n.clone())
        .collect();
    for _ in 0..=roles.len() {
        let mut changed = false;
        for name in &aggregated {
            let selectors = roles[name]
                .role
                .aggregation_rule
                .as_ref()
                .map(|a| a.cluster_role_selectors.clone())
                .unwrap_or_default();
            let mut rules: Vec<PolicyRule> = Vec::new();
            let mut origins: Vec<Option<String>> = Vec::new();
            for (source_name, source) in roles.iter() {
                if source_name == name || !selectors.iter().any(|s| s.matches(&source.role.labels)) {
                    continue;
                }
                for (i, rule) in source.role.rules.iter().enumerate() {
                    if !rules.contains(rule) {
                        rules.push(rule.clone());
                        origins.push(Some(source.origins[i].clone().unwrap_or_else(|| source_name.clone())));
                    }
                }
            }
            let target = roles.get_mut(name).expect("aggregated role exists");
            if target.role.rules != rules || target.origins != origins {
                target.role.rules = rules;
                target.origins = origins;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// A frozen, indexed policy.
#[derive(Clone, Debug)]
pub struct Policy {
    options: Options,
    cluster_roles: BTreeMap<String, StoredClusterRole>,
    roles: BTreeMap<(String, String), StoredRole>,
    bindings: Vec<StoredBinding>,
    index: HashMap<SubjectKey, Vec<usize>>,
    issues: Vec<Issue>,
}

impl Policy {
    /// Load objects with the given options.
    pub fn from_values<'a>(values: impl IntoIterator<Item = &'a Value>, options: Options) -> Self {
        let mut b = PolicyBuilder::new(options);
        b.add_all(values);
        b.build()
    }

    /// Load the RBAC objects of loaded manifests (see
    /// [`PolicyBuilder::add_object`]).
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a Object>, options: Options) -> Self {
        let mut b = PolicyBuilder::new(options);
        for o in objects {
            b.add_object(o);
        }
        b.build()
    }

    /// Load the RBAC objects of an inventory.
    pub fn from_inventory(inventory: &Inventory, options: Options) -> Self {
        Policy::from_objects(&inventory.objects, options)
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Rejected objects, dropped fields, defaulting notes, dangling role
    /// references, bootstrap overrides.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// A ClusterRole with its effective (aggregated) rules.
    pub fn cluster_role(&self, name: &str) -> Option<&ClusterRole> {
        self.cluster_roles.get(name).map(|r| &r.role)
    }

    /// A Role.
    pub fn role(&self, namespace: &str, name: &str) -> Option<&Role> {
        self.roles
            .get(&(namespace.to_string(), name.to_string()))
            .map(|r| &r.role)
    }

    /// Names of all ClusterRoles.
    pub fn cluster_role_names(&self) -> impl Iterator<Item = &str> {
        self.cluster_roles.keys().map(String::as_str)
    }

    /// Rules of a role and their aggregation origins; `None` if missing.
    fn role_rules(&self, id: &RoleId) -> Option<(&[PolicyRule], &[Option<String>])> {
        match id.kind {
            RoleKind::ClusterRole => self
                .cluster_roles
                .get(&id.name)
                .map(|r| (r.role.rules.as_slice(), r.origins.as_slice())),
            RoleKind::Role => self
                .roles
                .get(&(id.namespace.clone().unwrap_or_default(), id.name.clone()))
                .map(|r| (r.role.rules.as_slice(), &[][..])),
        }
    }

    /// Bindings that could apply to `user`, in visit order.
    fn candidates(&self, user: &UserInfo) -> Vec<usize> {
        let mut ids = Vec::new();
        let mut push = |key: SubjectKey| {
            if let Some(v) = self.index.get(&key) {
                ids.extend_from_slice(v);
            }
        };
        push(SubjectKey::User(user.name.clone()));
        for g in &user.groups {
            push(SubjectKey::Group(g.clone()));
        }
        if let Some((ns, name)) = user.service_account_parts() {
            push(SubjectKey::ServiceAccount(ns.to_string(), name.to_string()));
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// `appliesTo`: the first subject of the binding that matches the user,
    /// evaluated for a request in `namespace` ("" = cluster-wide).
    fn applies_to(&self, b: &StoredBinding, user: &UserInfo, namespace: &str) -> Option<Subject> {
        b.subjects()
            .iter()
            .find(|s| match s.kind {
                SubjectKind::User => user.name == s.name,
                SubjectKind::Group => user.in_group(&s.name),
                SubjectKind::ServiceAccount => {
                    let ns = s.namespace.as_deref().unwrap_or(namespace);
                    !ns.is_empty() && user.name == service_account_username(ns, &s.name)
                }
            })
            .map(|s| b.effective_subject(s))
    }

    /// Visit every (binding, rule) that applies to the user for a request in
    /// `namespace` (empty: cluster-wide, ClusterRoleBindings only), in the
    /// authorizer's order. Bindings to missing roles contribute nothing.
    /// Only rules that pass `want` become grants: building a grant clones
    /// the rule, which would dominate a single can-i.
    fn visit(&self, user: &UserInfo, namespace: &str, want: impl Fn(&PolicyRule) -> bool, mut f: impl FnMut(Grant)) {
        for id in self.candidates(user) {
            let b = &self.bindings[id];
            if let Some(ns) = b.namespace() {
                if ns != namespace {
                    continue;
                }
            }
            let binding_ns = b.namespace().unwrap_or("");
            let Some(subject) = self.applies_to(b, user, binding_ns) else {
                continue;
            };
            let role = b.role_id();
            let Some((rules, origins)) = self.role_rules(&role) else {
                continue;
            };
            for (i, rule) in rules.iter().enumerate() {
                if !want(rule) {
                    continue;
                }
                f(Grant {
                    binding: b.reference(),
                    subject: subject.clone(),
                    role: role.clone(),
                    rule_index: i,
                    rule: rule.clone(),
                    aggregated_from: origins.get(i).cloned().flatten(),
                    bootstrap: b.bootstrap,
                });
            }
        }
    }

    /// `kubectl auth can-i`: would the API server allow `user` to do `req`?
    /// A resource request with an empty namespace is cluster-wide (only
    /// ClusterRoleBindings count); non-resource requests never consult
    /// RoleBindings.
    pub fn can_i(&self, user: &UserInfo, req: &Request) -> Decision {
        let namespace = if req.non_resource_url.is_some() {
            ""
        } else {
            req.namespace.as_deref().unwrap_or("")
        };
        let mut reasons = Vec::new();
        self.visit(user, namespace, |rule| rule_allows(rule, req), |g| reasons.push(g));
        let privileged_group = user.in_group(SYSTEM_MASTERS).then(|| SYSTEM_MASTERS.to_string());
        Decision {
            allowed: privileged_group.is_some() || !reasons.is_empty(),
            privileged_group,
            reasons,
        }
    }

    /// The rules a SelfSubjectRulesReview returns for `user` in `namespace`
    /// (`None`: cluster-wide only), with where each came from.
    pub fn grants_for(&self, user: &UserInfo, namespace: Option<&str>) -> Vec<Grant> {
        let mut out = Vec::new();
        self.visit(user, namespace.unwrap_or(""), |_| true, |g| out.push(g));
        out
    }

    /// The rules that apply to `user` in `namespace`, in visit order.
    pub fn rules_for(&self, user: &UserInfo, namespace: Option<&str>) -> Vec<PolicyRule> {
        self.grants_for(user, namespace).into_iter().map(|g| g.rule).collect()
    }

    /// `kubectl auth can-i --list` output for `user` in `namespace`, byte
    /// for byte (header included). kubectl without `-n` asks for `default`.
    pub fn list_table(&self, user: &UserInfo, namespace: Option<&str>) -> String {
        table::list_table(&self.rules_for(user, namespace), true)
    }

    /// Every subject that may do `req` in `scope`, each with its chains.
    /// `system:masters` is always listed (allowed before RBAC).
    pub fn who_can(&self, req: &Request, scope: &Scope) -> Vec<WhoCan> {
        let mut found: BTreeMap<Subject, Vec<Grant>> = BTreeMap::new();
        // Roles shared by many bindings are checked once.
        let mut allowing: HashMap<RoleId, Vec<usize>> = HashMap::new();
        for b in &self.bindings {
            if let Some(ns) = b.namespace() {
                let counts = req.non_resource_url.is_none()
                    && match scope {
                        Scope::Namespace(want) => ns == want,
                        Scope::Cluster => false,
                        Scope::AnyNamespace => true,
                    };
                if !counts {
                    continue;
                }
            }
            let role = b.role_id();
            let Some((rules, origins)) = self.role_rules(&role) else {
                continue;
            };
            let hits = allowing.entry(role.clone()).or_insert_with(|| {
                rules
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| rule_allows(r, req))
                    .map(|(i, _)| i)
                    .collect()
            });
            if hits.is_empty() {
                continue;
            }
            for s in b.subjects() {
                let subject = b.effective_subject(s);
                if subject.kind == SubjectKind::ServiceAccount && subject.namespace.is_none() {
                    continue;
                }
                let entry = found.entry(subject.clone()).or_default();
                for &i in hits.iter() {
                    entry.push(Grant {
                        binding: b.reference(),
                        subject: subject.clone(),
                        role: role.clone(),
                        rule_index: i,
                        rule: rules[i].clone(),
                        aggregated_from: origins.get(i).cloned().flatten(),
                        bootstrap: b.bootstrap,
                    });
                }
            }
        }
        let masters = Subject::group(SYSTEM_MASTERS);
        found.entry(masters.clone()).or_default();
        found
            .into_iter()
            .map(|(subject, grants)| WhoCan {
                privileged: subject == masters,
                subject,
                grants,
            })
            .collect()
    }
}
