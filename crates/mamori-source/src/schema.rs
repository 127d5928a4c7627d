//! Strict schema validation, with placement hints.
//!
//! The API server decodes a manifest into Go structs. Without strict field
//! validation it silently drops fields it does not know; with it (kubectl's
//! default since 1.27 is `--validate=strict` for the server side) it refuses
//! the object with `strict decoding error: unknown field "PATH"`. A wrong type
//! fails either way. We validate against the field list of each Kubernetes
//! version (see `data/README.md`), against our own schemas for the custom
//! resources mamori analyses (`data/crds/`), and against any
//! CustomResourceDefinition found in the input.
//!
//! For every unknown field we look for where it belongs: a misspelling of a
//! field at the same level, a field of a sibling (RoleBinding `apiGroup`
//! belongs under `roleRef`), or a field of an enclosing object
//! (NetworkPolicy peer `ports` belongs beside `to`). Then we produce the object
//! as it would be stored: unknown fields pruned.

use mamori_model::{FieldPath, Node, Pos, Value};
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    String,
    Integer,
    Number,
    Boolean,
    /// base64 text (`[]byte` in Go).
    Bytes,
    IntOrString,
    Quantity,
    Any,
    Enum(Vec<String>),
    Ref(String),
    Array(Box<Type>),
    Map(Box<Type>),
    Object(Arc<ObjType>),
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct ObjType {
    pub fields: BTreeMap<String, Type>,
    pub required: Vec<String>,
}

/// The types of one Kubernetes version plus the custom resources we know.
#[derive(Debug, Default)]
pub struct SchemaSet {
    pub version: String,
    types: HashMap<String, Type>,
    roots: HashMap<(String, String, String), Type>,
}

pub const VERSIONS: &[&str] = &[
    "1.25", "1.26", "1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37",
];
pub const NEWEST: &str = "1.37";

fn data(version: &str) -> Option<&'static str> {
    Some(match version {
        "1.25" => include_str!("../data/k8s-1.25.json"),
        "1.26" => include_str!("../data/k8s-1.26.json"),
        "1.27" => include_str!("../data/k8s-1.27.json"),
        "1.28" => include_str!("../data/k8s-1.28.json"),
        "1.29" => include_str!("../data/k8s-1.29.json"),
        "1.30" => include_str!("../data/k8s-1.30.json"),
        "1.31" => include_str!("../data/k8s-1.31.json"),
        "1.32" => include_str!("../data/k8s-1.32.json"),
        "1.33" => include_str!("../data/k8s-1.33.json"),
        "1.34" => include_str!("../data/k8s-1.34.json"),
        "1.35" => include_str!("../data/k8s-1.35.json"),
        "1.36" => include_str!("../data/k8s-1.36.json"),
        "1.37" => include_str!("../data/k8s-1.37.json"),
        _ => return None,
    })
}

/// OpenAPI v3 schemas for the custom resources mamori knows without a CRD
/// in the input (see `data/README.md`).
const CRD_DATA: &[&str] = &[
    include_str!("../data/crds/istio-security.json"),
    include_str!("../data/crds/istio-networking.json"),
    include_str!("../data/crds/kyverno.json"),
];

/// (group, version, kind).
type RootKey = (String, String, String);

/// The roots of `CRD_DATA`, converted once and shared by every Kubernetes
/// version (a `Type` clone shares its objects).
fn crd_roots() -> &'static [(RootKey, Type)] {
    static ROOTS: OnceLock<Vec<(RootKey, Type)>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let mut roots = Vec::new();
        for raw in CRD_DATA {
            let json: Json = serde_json::from_str(raw).expect("embedded CRD data is valid JSON");
            for def in json.as_array().into_iter().flatten() {
                let s = |k: &str| def.get(k).and_then(Json::as_str).unwrap_or_default().to_string();
                if let Some(schema) = def.get("schema") {
                    let ty = openapi_v3_type(schema);
                    for kind in s("kind").split(',') {
                        for v in s("versions").split(',') {
                            roots.push(((s("group"), v.to_string(), kind.to_string()), ty.clone()));
                        }
                    }
                }
            }
        }
        roots
    })
}

/// Enumerations the API server's validation enforces for built-in types
/// (the OpenAPI v2 data does not carry them).
const ENUMS: &[(&str, &str, &[&str])] = &[
    (
        "io.k8s.api.apps.v1.DeploymentStrategy",
        "type",
        &["Recreate", "RollingUpdate"],
    ),
    (
        "io.k8s.api.batch.v1.CronJobSpec",
        "concurrencyPolicy",
        &["Allow", "Forbid", "Replace"],
    ),
    (
        "io.k8s.api.core.v1.AppArmorProfile",
        "type",
        &["Localhost", "RuntimeDefault", "Unconfined"],
    ),
    (
        "io.k8s.api.core.v1.Container",
        "imagePullPolicy",
        &["Always", "IfNotPresent", "Never"],
    ),
    (
        "io.k8s.api.core.v1.Container",
        "terminationMessagePolicy",
        &["FallbackToLogsOnError", "File"],
    ),
    ("io.k8s.api.core.v1.ContainerPort", "protocol", &["SCTP", "TCP", "UDP"]),
    (
        "io.k8s.api.core.v1.PodSecurityContext",
        "fsGroupChangePolicy",
        &["Always", "OnRootMismatch"],
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "dnsPolicy",
        &["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "restartPolicy",
        &["Always", "Never", "OnFailure"],
    ),
    (
        "io.k8s.api.core.v1.SeccompProfile",
        "type",
        &["Localhost", "RuntimeDefault", "Unconfined"],
    ),
    (
        "io.k8s.api.core.v1.SecurityContext",
        "procMount",
        &["Default", "Unmasked"],
    ),
    ("io.k8s.api.core.v1.ServicePort", "protocol", &["SCTP", "TCP", "UDP"]),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "externalTrafficPolicy",
        &["Cluster", "Local"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "internalTrafficPolicy",
        &["Cluster", "Local"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "sessionAffinity",
        &["ClientIP", "None"],
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "type",
        &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
    ),
    (
        "io.k8s.api.core.v1.Toleration",
        "effect",
        &["NoExecute", "NoSchedule", "PreferNoSchedule"],
    ),
    ("io.k8s.api.core.v1.Toleration", "operator", &["Equal", "Exists"]),
    (
        "io.k8s.api.networking.v1.NetworkPolicyPort",
        "protocol",
        &["SCTP", "TCP", "UDP"],
    ),
    ("io.k8s.api.rbac.v1.RoleRef", "apiGroup", &["rbac.authorization.k8s.io"]),
    (
        "io.k8s.api.rbac.v1.Subject",
        "kind",
        &["Group", "ServiceAccount", "User"],
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
        "operator",
        &["DoesNotExist", "Exists", "In", "NotIn"],
    ),
];

/// Array fields whose items are enumerated.
const ITEM_ENUMS: &[(&str, &str, &[&str])] = &[(
    "io.k8s.api.networking.v1.NetworkPolicySpec",
    "policyTypes",
    &["Egress", "Ingress"],
)];

impl SchemaSet {
    /// The schema set for a Kubernetes minor version (`1.30`), shared.
    pub fn for_version(version: &str) -> Option<Arc<SchemaSet>> {
        static CACHE: OnceLock<std::sync::Mutex<HashMap<String, Arc<SchemaSet>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let mut guard = cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = guard.get(version) {
            return Some(s.clone());
        }
        let raw = data(version)?;
        let set = Arc::new(SchemaSet::build(version, raw));
        guard.insert(version.to_string(), set.clone());
        Some(set)
    }

    fn build(version: &str, raw: &str) -> SchemaSet {
        let json: Json = serde_json::from_str(raw).expect("embedded schema data is valid JSON");
        let mut set = SchemaSet {
            version: version.to_string(),
            ..SchemaSet::default()
        };
        if let Some(types) = json.get("types").and_then(Json::as_object) {
            for (name, t) in types {
                let mut ty = compact_type(t);
                if let Type::Object(obj) = &mut ty {
                    let obj = Arc::make_mut(obj);
                    for (tn, field, values) in ENUMS {
                        if tn == name && obj.fields.contains_key(*field) {
                            obj.fields.insert(
                                field.to_string(),
                                Type::Enum(values.iter().map(|s| s.to_string()).collect()),
                            );
                        }
                    }
                    for (tn, field, values) in ITEM_ENUMS {
                        if tn == name && obj.fields.contains_key(*field) {
                            let e = Type::Enum(values.iter().map(|s| s.to_string()).collect());
                            obj.fields.insert(field.to_string(), Type::Array(Box::new(e)));
                        }
                    }
                }
                set.types.insert(name.clone(), ty);
            }
        }
        if let Some(roots) = json.get("roots").and_then(Json::as_array) {
            for r in roots {
                let s = |i: usize| r.get(i).and_then(Json::as_str).unwrap_or_default().to_string();
                set.roots.insert((s(0), s(1), s(2)), Type::Ref(s(3)));
            }
        }
        for (key, ty) in crd_roots() {
            set.roots.insert(key.clone(), ty.clone());
        }
        set
    }

    /// Add the schemas of a CustomResourceDefinition from the input.
    pub fn add_crd(&mut self, crd: &Json) {
        let spec = &crd["spec"];
        let group = spec["group"].as_str().unwrap_or_default();
        let kind = spec["names"]["kind"].as_str().unwrap_or_default();
        for v in spec["versions"].as_array().into_iter().flatten() {
            let name = v["name"].as_str().unwrap_or_default();
            if let Some(schema) = v.get("schema").and_then(|s| s.get("openAPIV3Schema")) {
                self.roots
                    .insert((group.into(), name.into(), kind.into()), openapi_v3_type(schema));
            }
        }
    }

    pub fn root(&self, group: &str, version: &str, kind: &str) -> Option<&Type> {
        self.roots
            .get(&(group.to_string(), version.to_string(), kind.to_string()))
    }

    /// Versions of `group` in which `kind` is served by this Kubernetes release.
    pub fn served_versions(&self, group: &str, kind: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .roots
            .keys()
            .filter(|(g, _, k)| g == group && k == kind)
            .map(|(_, v, _)| v.clone())
            .collect();
        v.sort();
        v
    }

    /// Groups/versions serving `kind` at all (for "did you mean" on apiVersion).
    pub fn api_versions_for_kind(&self, kind: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .roots
            .keys()
            .filter(|(_, _, k)| k == kind)
            .map(|(g, v, _)| if g.is_empty() { v.clone() } else { format!("{g}/{v}") })
            .collect();
        v.sort();
        v
    }

    /// Whether `group` is one of Kubernetes' own API groups in this version.
    /// The embedded CRD schemas (Istio, Kyverno) do not count: a kind of theirs
    /// mamori lacks is an unvalidated custom resource, not an API the server
    /// refuses.
    pub fn knows_group(&self, group: &str) -> bool {
        let crd_group = crd_roots().iter().any(|((g, _, _), _)| g == group);
        !crd_group && self.roots.keys().any(|(g, _, _)| g == group)
    }

    fn resolve<'a>(&'a self, t: &'a Type) -> &'a Type {
        let mut t = t;
        for _ in 0..8 {
            match t {
                Type::Ref(name) => match self.types.get(name) {
                    Some(next) => t = next,
                    None => return &Type::Any,
                },
                _ => return t,
            }
        }
        t
    }

    fn object_of<'a>(&'a self, t: &'a Type) -> Option<&'a ObjType> {
        match self.resolve(t) {
            Type::Object(o) => Some(o),
            Type::Array(inner) => match self.resolve(inner) {
                Type::Object(o) => Some(o),
                _ => None,
            },
            _ => None,
        }
    }
}

fn compact_type(t: &Json) -> Type {
    match t {
        Json::String(s) => match s.as_str() {
            "string" => Type::String,
            "integer" => Type::Integer,
            "number" => Type::Number,
            "boolean" => Type::Boolean,
            "bytes" => Type::Bytes,
            "int-or-string" => Type::IntOrString,
            "quantity" => Type::Quantity,
            s if s.starts_with('#') => Type::Ref(s[1..].to_string()),
            _ => Type::Any,
        },
        Json::Array(a) => match a.first().and_then(Json::as_str) {
            Some("array") => Type::Array(Box::new(compact_type(&a[1]))),
            Some("map") => Type::Map(Box::new(compact_type(&a[1]))),
            Some("object") => {
                let fields = a[1]
                    .as_object()
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), compact_type(v))).collect())
                    .unwrap_or_default();
                let required = a
                    .get(2)
                    .and_then(Json::as_array)
                    .map(|r| r.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                    .unwrap_or_default();
                Type::Object(Arc::new(ObjType { fields, required }))
            }
            _ => Type::Any,
        },
        _ => Type::Any,
    }
}

/// An OpenAPI v3 (structural) schema, as CRDs carry it.
pub fn openapi_v3_type(s: &Json) -> Type {
    // Our embedded data names built-in Kubernetes types (ObjectMeta,
    // LabelSelector, admissionregistration.v1.MatchCondition) instead of
    // inlining them; they resolve against the chosen Kubernetes version, and
    // to "anything" where that version lacks them.
    if let Some(name) = s.get("x-mamori-ref").and_then(Json::as_str) {
        return Type::Ref(name.to_string());
    }
    if s.get("x-kubernetes-int-or-string").and_then(Json::as_bool) == Some(true) {
        return Type::IntOrString;
    }
    if let Some(e) = s.get("enum").and_then(Json::as_array) {
        let vals: Vec<String> = e.iter().filter_map(|v| v.as_str().map(String::from)).collect();
        if !vals.is_empty() {
            return Type::Enum(vals);
        }
    }
    let preserve = s.get("x-kubernetes-preserve-unknown-fields").and_then(Json::as_bool) == Some(true);
    match s.get("type").and_then(Json::as_str) {
        Some("string") => Type::String,
        Some("integer") => Type::Integer,
        Some("number") => Type::Number,
        Some("boolean") => Type::Boolean,
        Some("array") => Type::Array(Box::new(s.get("items").map(openapi_v3_type).unwrap_or(Type::Any))),
        Some("object") | None => {
            if let Some(props) = s.get("properties").and_then(Json::as_object) {
                if preserve {
                    return Type::Any;
                }
                let mut fields: BTreeMap<String, Type> =
                    props.iter().map(|(k, v)| (k.clone(), openapi_v3_type(v))).collect();
                // Every custom resource has these at the top; CRDs need not declare them.
                if s.get("x-mamori-root").is_some() || props.contains_key("spec") || props.contains_key("apiVersion") {
                    fields.entry("apiVersion".into()).or_insert(Type::String);
                    fields.entry("kind".into()).or_insert(Type::String);
                    fields
                        .entry("metadata".into())
                        .or_insert(Type::Ref("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta".into()));
                }
                let required = s
                    .get("required")
                    .and_then(Json::as_array)
                    .map(|r| r.iter().filter_map(|x| x.as_str().map(String::from)).collect())
                    .unwrap_or_default();
                Type::Object(Arc::new(ObjType { fields, required }))
            } else if let Some(ap) = s.get("additionalProperties") {
                match ap {
                    Json::Bool(false) => Type::Object(Arc::new(ObjType::default())),
                    Json::Object(_) => Type::Map(Box::new(openapi_v3_type(ap))),
                    _ => Type::Any,
                }
            } else {
                Type::Any
            }
        }
        _ => Type::Any,
    }
}

/// Where an unknown field probably belongs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// A misspelling of a field at the same level.
    Typo { field: String },
    /// A field of a sibling object: `roleRef.apiGroup`.
    UnderSibling { sibling: String, path: FieldPath },
    /// A field of an enclosing object, beside `beside`.
    InEnclosing { path: FieldPath, beside: String },
}

#[derive(Clone, Debug, PartialEq)]
pub enum IssueKind {
    UnknownField {
        field: String,
        placement: Option<Placement>,
    },
    WrongType {
        expected: String,
        found: String,
        text: Option<String>,
    },
    MissingRequired {
        field: String,
    },
    InvalidEnum {
        value: String,
        allowed: Vec<String>,
    },
    InvalidBase64,
    DuplicateKey {
        key: String,
        first: Pos,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct SchemaIssue {
    /// Path of the offending field (for a missing field: the field's path).
    pub path: FieldPath,
    pub pos: Pos,
    pub kind: IssueKind,
}

pub struct Validation {
    pub issues: Vec<SchemaIssue>,
    /// The object as stored by a server without strict validation.
    pub stored: Node,
}

struct Frame<'a> {
    path: FieldPath,
    obj: &'a ObjType,
    node: &'a Node,
}

impl SchemaSet {
    /// Validate `node` against the root type and return issues plus the
    /// pruned object.
    pub fn validate(&self, root: &Type, node: &Node) -> Validation {
        let mut issues = Vec::new();
        let mut stack = Vec::new();
        self.walk(root, node, &FieldPath::root(), &mut stack, &mut issues);
        issues.sort_by(|a, b| (a.pos, &a.path).cmp(&(b.pos, &b.path)));
        let mut stored = node.clone();
        // Remove deepest paths first so indexes stay valid.
        let mut prune: Vec<&FieldPath> = issues
            .iter()
            .filter(|i| matches!(i.kind, IssueKind::UnknownField { .. }))
            .map(|i| &i.path)
            .collect();
        prune.sort_by(|a, b| b.cmp(a));
        for p in prune {
            stored.remove(p);
        }
        Validation { issues, stored }
    }

    fn walk<'a>(
        &'a self,
        t: &'a Type,
        node: &'a Node,
        path: &FieldPath,
        stack: &mut Vec<Frame<'a>>,
        out: &mut Vec<SchemaIssue>,
    ) {
        if node.is_null() {
            return;
        }
        let t = self.resolve(t);
        let wrong = |expected: &str, out: &mut Vec<SchemaIssue>| {
            out.push(SchemaIssue {
                path: path.clone(),
                pos: node.pos,
                kind: IssueKind::WrongType {
                    expected: expected.to_string(),
                    found: node.type_name().to_string(),
                    text: match &node.value {
                        Value::Str { text, .. } => Some(text.clone()),
                        Value::Bool(b) => Some(b.to_string()),
                        Value::Int(i) => Some(i.to_string()),
                        Value::Float(f) => Some(f.to_string()),
                        _ => None,
                    },
                },
            })
        };
        match t {
            Type::Any | Type::Ref(_) => {}
            Type::String => {
                if !matches!(node.value, Value::Str { .. }) {
                    wrong("string", out)
                }
            }
            Type::Bytes => match &node.value {
                Value::Str { text, .. } => {
                    if !is_base64(text) {
                        out.push(SchemaIssue {
                            path: path.clone(),
                            pos: node.pos,
                            kind: IssueKind::InvalidBase64,
                        })
                    }
                }
                _ => wrong("string", out),
            },
            Type::Enum(values) => match &node.value {
                Value::Str { text, .. } => {
                    if !values.iter().any(|v| v == text) {
                        out.push(SchemaIssue {
                            path: path.clone(),
                            pos: node.pos,
                            kind: IssueKind::InvalidEnum {
                                value: text.clone(),
                                allowed: values.clone(),
                            },
                        })
                    }
                }
                _ => wrong("string", out),
            },
            Type::Integer => match node.value {
                Value::Int(_) => {}
                Value::Float(f) if f.fract() == 0.0 && f.is_finite() => {}
                _ => wrong("integer", out),
            },
            Type::Number => {
                if !matches!(node.value, Value::Int(_) | Value::Float(_)) {
                    wrong("number", out)
                }
            }
            Type::Boolean => {
                if !matches!(node.value, Value::Bool(_)) {
                    wrong("boolean", out)
                }
            }
            Type::IntOrString => {
                if !matches!(node.value, Value::Int(_) | Value::Str { .. }) {
                    wrong("integer or string", out)
                }
            }
            Type::Quantity => {
                if !matches!(node.value, Value::Int(_) | Value::Float(_) | Value::Str { .. }) {
                    wrong("quantity (string or number)", out)
                }
            }
            Type::Array(inner) => match node.as_seq() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.walk(inner, item, &path.index(i), stack, out);
                    }
                }
                None => wrong("array", out),
            },
            Type::Map(inner) => match node.as_map() {
                Some(entries) => {
                    self.check_duplicates(node, path, out);
                    for e in entries {
                        self.walk(inner, &e.value, &path.key(e.key.clone()), stack, out);
                    }
                }
                None => wrong("object", out),
            },
            Type::Object(obj) => {
                let Some(entries) = node.as_map() else {
                    return wrong("object", out);
                };
                self.check_duplicates(node, path, out);
                stack.push(Frame {
                    path: path.clone(),
                    obj,
                    node,
                });
                for e in entries {
                    let child = path.key(e.key.clone());
                    match obj.fields.get(&e.key) {
                        Some(ft) => self.walk(ft, &e.value, &child, stack, out),
                        None => {
                            let placement = self.place(&e.key, stack);
                            out.push(SchemaIssue {
                                path: child,
                                pos: e.key_pos,
                                kind: IssueKind::UnknownField {
                                    field: e.key.clone(),
                                    placement,
                                },
                            });
                        }
                    }
                }
                for r in &obj.required {
                    if node.field(r).is_none() {
                        out.push(SchemaIssue {
                            path: path.key(r.clone()),
                            pos: node.pos,
                            kind: IssueKind::MissingRequired { field: r.clone() },
                        });
                    }
                }
                stack.pop();
            }
        }
    }

    fn check_duplicates(&self, node: &Node, path: &FieldPath, out: &mut Vec<SchemaIssue>) {
        let Some(entries) = node.as_map() else { return };
        if entries.len() < 2 {
            return;
        }
        let mut seen: HashMap<&str, Pos> = HashMap::new();
        for e in entries {
            if let Some(first) = seen.get(e.key.as_str()) {
                out.push(SchemaIssue {
                    path: path.key(e.key.clone()),
                    pos: e.key_pos,
                    kind: IssueKind::DuplicateKey {
                        key: e.key.clone(),
                        first: *first,
                    },
                });
            } else {
                seen.insert(&e.key, e.key_pos);
            }
        }
    }

    /// Find where `field` belongs, looking from the innermost object outwards.
    fn place(&self, field: &str, stack: &[Frame<'_>]) -> Option<Placement> {
        let here = stack.last()?;
        // 1. A sibling object that has the field. Prefer siblings written in
        //    the document, where the field is required and missing, then
        //    where it is missing, then any.
        let mut best: Option<(u8, Placement)> = None;
        for (name, ft) in &here.obj.fields {
            let Some(sub) = self.object_of(ft) else { continue };
            if !sub.fields.contains_key(field) {
                continue;
            }
            let present = here.node.field(name);
            let rank = match present {
                Some(p) => {
                    let target = p.as_seq().and_then(|s| s.first()).unwrap_or(p);
                    let missing = target.field(field).is_none();
                    match (missing, sub.required.iter().any(|r| r == field)) {
                        (true, true) => 0,
                        (true, false) => 1,
                        _ => 2,
                    }
                }
                None => 3,
            };
            if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                let is_array = matches!(self.resolve(ft), Type::Array(_));
                let mut path = here.path.key(name.clone());
                if is_array {
                    path = path.index(0);
                }
                best = Some((
                    rank,
                    Placement::UnderSibling {
                        sibling: name.clone(),
                        path: path.key(field),
                    },
                ));
            }
        }
        if let Some((rank, p)) = &best {
            if *rank < 3 {
                return Some(p.clone());
            }
        }
        // 2. An enclosing object (up to three levels out) that has the field.
        for depth in 1..=3usize {
            if stack.len() <= depth {
                break;
            }
            let outer = &stack[stack.len() - 1 - depth];
            if outer.obj.fields.contains_key(field) {
                let inner_path = &stack[stack.len() - depth].path;
                let beside = inner_path.segs()[outer.path.segs().len()..]
                    .iter()
                    .find_map(|s| match s {
                        mamori_model::Seg::Key(k) => Some(k.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                return Some(Placement::InEnclosing {
                    path: outer.path.key(field),
                    beside,
                });
            }
        }
        // 3. A misspelling of a field at this level.
        let lower = field.to_ascii_lowercase();
        let mut typo: Option<(usize, &String)> = None;
        for name in here.obj.fields.keys() {
            let d = if name.to_ascii_lowercase() == lower {
                0
            } else {
                edit_distance(&lower, &name.to_ascii_lowercase())
            };
            let limit = if field.len() >= 8 {
                2
            } else if field.len() >= 4 {
                1
            } else {
                0
            };
            if d <= limit && typo.is_none_or(|(bd, _)| d < bd) {
                typo = Some((d, name));
            }
        }
        if let Some((_, name)) = typo {
            return Some(Placement::Typo { field: name.clone() });
        }
        best.map(|(_, p)| p)
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Go's `encoding/base64.StdEncoding` (padded) acceptance, ignoring the
/// newlines the decoder skips.
fn is_base64(s: &str) -> bool {
    let bytes: Vec<u8> = s.bytes().filter(|b| *b != b'\n' && *b != b'\r').collect();
    if bytes.len() % 4 != 0 {
        return false;
    }
    let pad = bytes.iter().rev().take_while(|b| **b == b'=').count();
    if pad > 2 {
        return false;
    }
    bytes[..bytes.len() - pad]
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
}

/// APIs removed with no served successor, which the embedded schemas (1.25
/// on) cannot describe: (group, kind, removed in, what to use instead).
const REMOVED_WITHOUT_SUCCESSOR: &[(&str, &str, &str, &str)] = &[
    (
        "policy",
        "PodSecurityPolicy",
        "1.25",
        "Pod Security Admission takes its place: label the namespace `pod-security.kubernetes.io/enforce: baseline` or `restricted` (`mamori pss` says which level its workloads already meet), or use a policy engine such as Kyverno.",
    ),
    (
        "extensions",
        "PodSecurityPolicy",
        "1.16",
        "PodSecurityPolicy itself was removed in 1.25; Pod Security Admission takes its place: label the namespace `pod-security.kubernetes.io/enforce: baseline` or `restricted`.",
    ),
    (
        "networking.k8s.io",
        "ClusterCIDR",
        "1.29",
        "Nothing replaces it: set node pod CIDRs with kube-controller-manager's `--cluster-cidr` and `--node-cidr-mask-size`.",
    ),
];

/// Whether Kubernetes `version` serves group/version/kind: read from the
/// embedded data's `roots` list alone, since building whole schema sets for
/// every version just to answer this costs a tenth of a corpus scan.
fn serves(version: &str, group: &str, api_version: &str, kind: &str) -> bool {
    type Roots = std::collections::HashSet<(String, String, String)>;
    static CACHE: OnceLock<std::sync::Mutex<HashMap<String, Arc<Roots>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let roots = {
        let mut guard = cache.lock().unwrap_or_else(|e| e.into_inner());
        guard
            .entry(version.to_string())
            .or_insert_with(|| {
                let parsed = data(version)
                    .and_then(|raw| {
                        let at = raw.find("\"roots\"")?;
                        let open = at + raw[at..].find('[')?;
                        serde_json::Deserializer::from_str(&raw[open..])
                            .into_iter::<Vec<Vec<String>>>()
                            .next()?
                            .ok()
                    })
                    .unwrap_or_default();
                Arc::new(
                    parsed
                        .into_iter()
                        .filter(|r| r.len() >= 3)
                        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
                        .collect(),
                )
            })
            .clone()
    };
    roots.contains(&(group.to_string(), api_version.to_string(), kind.to_string()))
}

/// Hint for an apiVersion/kind that `version` does not serve under any
/// apiVersion: removed without a successor, or served only by other
/// supported versions (with the range, so users see whether to upgrade the
/// manifest or pick another `--k8s-version`).
pub fn removed_api_hint(group: &str, api_version: &str, kind: &str, version: &str) -> Option<String> {
    if let Some((_, _, removed, advice)) = REMOVED_WITHOUT_SUCCESSOR
        .iter()
        .find(|(g, k, _, _)| *g == group && *k == kind)
    {
        return Some(format!(
            "{kind} was removed in Kubernetes {removed} and has no successor API. {advice}"
        ));
    }
    let served: Vec<&str> = VERSIONS
        .iter()
        .copied()
        .filter(|v| *v != version)
        .filter(|v| serves(v, group, api_version, kind))
        .collect();
    let gv = if group.is_empty() {
        api_version.to_string()
    } else {
        format!("{group}/{api_version}")
    };
    match (served.first(), served.last()) {
        (Some(first), Some(last)) => {
            let range = if first == last {
                format!("Kubernetes {first}")
            } else {
                format!("Kubernetes {first} to {last}")
            };
            Some(format!(
                "{kind} in {gv} is served by {range} only; check your cluster's version and pass it with `--k8s-version`"
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_documents, Limits};

    fn check(text: &str) -> Validation {
        let node = parse_documents(text, Limits::default())
            .remove(0)
            .unwrap()
            .node
            .unwrap();
        let set = SchemaSet::for_version(NEWEST).unwrap();
        let av = node.str_field("apiVersion").unwrap();
        let (g, v) = av.split_once('/').unwrap_or(("", av));
        let root = set.root(g, v, node.str_field("kind").unwrap()).unwrap().clone();
        set.validate(&root, &node)
    }

    #[test]
    fn rolebinding_apigroup_belongs_under_roleref() {
        let v = check("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: ns1}\nsubjects:\n- kind: ServiceAccount\n  name: s\nroleRef:\n  kind: Role\n  name: r\napiGroup: rbac.authorization.k8s.io\n");
        let unknown = v.issues.iter().find(|i| i.path.to_string() == "apiGroup").unwrap();
        assert_eq!(unknown.pos.line, 10);
        assert_eq!(
            unknown.kind,
            IssueKind::UnknownField {
                field: "apiGroup".into(),
                placement: Some(Placement::UnderSibling {
                    sibling: "roleRef".into(),
                    path: FieldPath::parse("roleRef.apiGroup").unwrap()
                })
            }
        );
        // roleRef.apiGroup is defaulted by the API server when absent.
        assert_eq!(v.issues.len(), 1, "{:?}", v.issues);
        assert!(v.stored.get("apiGroup").is_none());
    }

    #[test]
    fn peer_ports_belong_beside_to() {
        let v = check("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n  podSelector: {}\n  egress:\n  - to:\n    - podSelector: {}\n      ports:\n      - port: 80\n");
        assert_eq!(v.issues.len(), 1, "{:?}", v.issues);
        assert_eq!(
            v.issues[0].kind,
            IssueKind::UnknownField {
                field: "ports".into(),
                placement: Some(Placement::InEnclosing {
                    path: FieldPath::parse("spec.egress[0].ports").unwrap(),
                    beside: "to".into()
                })
            }
        );
    }

    #[test]
    fn openapi_v3_refs_maps_and_preserved_fields() {
        let t =
            openapi_v3_type(&serde_json::json!({"x-mamori-ref": "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"}));
        assert_eq!(
            t,
            Type::Ref("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector".into())
        );
        let t = openapi_v3_type(&serde_json::json!({"type": "object", "additionalProperties": {"type": "string"}}));
        assert_eq!(t, Type::Map(Box::new(Type::String)));
        let t = openapi_v3_type(&serde_json::json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}));
        assert_eq!(t, Type::Any);
        let t = openapi_v3_type(&serde_json::json!({"x-kubernetes-int-or-string": true}));
        assert_eq!(t, Type::IntOrString);
        // A referenced built-in type is validated like the built-in kinds:
        // Kyverno's match.any[].resources.selector is a LabelSelector.
        let v = check("apiVersion: kyverno.io/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  rules:\n  - name: r\n    match:\n      any:\n      - resources:\n          selector:\n            matchExpressions:\n            - {key: a, operator: in}\n");
        assert_eq!(v.issues.len(), 1, "{:?}", v.issues);
        assert_eq!(
            v.issues[0].path.to_string(),
            "spec.rules[0].match.any[0].resources.selector.matchExpressions[0].operator"
        );
        assert!(matches!(v.issues[0].kind, IssueKind::InvalidEnum { .. }));
    }

    #[test]
    fn one_entry_serves_several_kinds_and_versions() {
        let set = SchemaSet::for_version(NEWEST).unwrap();
        for (g, v, k) in [
            ("kyverno.io", "v1", "ClusterPolicy"),
            ("kyverno.io", "v1", "Policy"),
            ("kyverno.io", "v2beta1", "Policy"),
            ("kyverno.io", "v2", "ClusterCleanupPolicy"),
            ("networking.istio.io", "v1alpha3", "VirtualService"),
            ("networking.istio.io", "v1", "DestinationRule"),
            ("security.istio.io", "v1beta1", "AuthorizationPolicy"),
        ] {
            assert!(set.root(g, v, k).is_some(), "{g}/{v} {k}");
        }
        assert_eq!(
            set.served_versions("networking.istio.io", "EnvoyFilter"),
            vec!["v1alpha3"]
        );
    }

    #[test]
    fn types_enums_typos_base64() {
        let v = check("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: x\n    imagePullPolicy: always\n    tty: \"yes\"\n    securityContex: {}\n---\n");
        let kinds: Vec<_> = v.issues.iter().map(|i| (i.path.to_string(), i.kind.clone())).collect();
        assert!(kinds
            .iter()
            .any(|(p, k)| p == "spec.containers[0].imagePullPolicy" && matches!(k, IssueKind::InvalidEnum { .. })));
        assert!(kinds
            .iter()
            .any(|(p, k)| p == "spec.containers[0].tty" && matches!(k, IssueKind::WrongType { .. })));
        assert!(kinds.iter().any(|(_, k)| *k
            == IssueKind::UnknownField {
                field: "securityContex".into(),
                placement: Some(Placement::Typo {
                    field: "securityContext".into()
                })
            }));
        let s = check("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  ok: MTIzNA==\n  bad: not-base64!\n");
        assert_eq!(s.issues.len(), 1);
        assert_eq!(s.issues[0].kind, IssueKind::InvalidBase64);
    }
}
