//! What a dropped field means, in plain words.
//!
//! A server without strict field validation stores the object with unknown
//! fields pruned. The loader keeps that pruned object (`Object::stored`);
//! here we compare it with what was written and say what changed for the
//! kinds whose meaning we know.

use crate::context::Context;
use mamori_model::{FieldPath, Node, Object, Seg};

/// The sentence that follows "Where the field is dropped instead, ...".
pub fn of_unknown_field(cx: &Context, obj: &Object, path: &FieldPath) -> String {
    let segs = path.segs();
    let key = |i: usize| match segs.get(i) {
        Some(Seg::Key(k)) => Some(k.as_str()),
        _ => None,
    };
    let idx = |i: usize| match segs.get(i) {
        Some(Seg::Index(n)) => Some(*n),
        _ => None,
    };
    let mut parts = Vec::new();
    match obj.kind.as_str() {
        "NetworkPolicy" if segs.len() >= 5 && key(0) == Some("spec") => {
            if let (Some(dir @ ("ingress" | "egress")), Some(i), Some(peer @ ("from" | "to"))) =
                (key(1), idx(2), key(3))
            {
                let rule_path = FieldPath::root().key("spec").key(dir).index(i);
                let rule = obj.stored.at(&rule_path);
                let has_ports = rule
                    .and_then(|r| r.field("ports"))
                    .is_some_and(|p| p.as_seq().is_some_and(|s| !s.is_empty()));
                if !has_ports {
                    let meant = obj.node.at(path).map(describe_ports).filter(|s| !s.is_empty());
                    parts.push(format!(
                        "rule {rule_path} has no ports left, so it allows all ports and protocols {} its peers{}",
                        if peer == "to" { "to" } else { "from" },
                        meant.map(|m| format!(" (only {m} was meant)")).unwrap_or_default()
                    ));
                }
            }
        }
        "AuthorizationPolicy" if key(0) == Some("spec") && key(1) == Some("rules") => {
            if let (Some(i), Some(part @ ("from" | "to")), Some(j)) = (idx(2), key(3), idx(4)) {
                let inner = if part == "from" { "source" } else { "operation" };
                let entry_path = FieldPath::root().key("spec").key("rules").index(i).key(part).index(j);
                let empty = obj
                    .stored
                    .at(&entry_path)
                    .and_then(|e| e.field(inner))
                    .is_none_or(|s| s.as_map().is_none_or(|m| m.iter().all(|e| e.value.is_null())));
                if empty {
                    let action = obj
                        .stored
                        .get("spec")
                        .and_then(|s| s.str_field("action"))
                        .unwrap_or("ALLOW");
                    let who = if part == "from" {
                        "every caller"
                    } else {
                        "every request"
                    };
                    let mut s = format!("{entry_path}.{inner} is empty: this rule matches {who}");
                    if action == "ALLOW" {
                        s.push_str(&format!(
                            ", so the policy allows {} to the workloads it selects{}",
                            if part == "from" {
                                "requests from anyone"
                            } else {
                                "any request from its sources"
                            },
                            if part == "from" {
                                " and a deny-all policy no longer protects them"
                            } else {
                                ""
                            }
                        ));
                    } else if action == "DENY" {
                        s.push_str(&format!(", so the policy denies {who}"));
                    }
                    parts.push(s);
                }
            }
        }
        _ => {}
    }
    if parts.is_empty()
        && matches!(obj.kind.as_str(), "RoleBinding" | "ClusterRoleBinding")
        && path.to_string() == "apiGroup"
    {
        let role_ref = obj.stored.get("roleRef");
        if role_ref.is_some_and(|r| r.str_field("apiGroup").is_none_or(str::is_empty)) {
            // SetDefaults_RoleBinding fills an empty roleRef.apiGroup.
            parts.push(format!(
                "roleRef.apiGroup defaults to rbac.authorization.k8s.io and the binding grants {} as intended",
                role_name(&obj.stored)
            ));
        }
    }
    if parts.is_empty() {
        if let Some((container, rest)) = container_of(cx, obj, path) {
            let field = rest.to_string();
            if field == "capabilities" {
                parts.push(format!(
                    "container {container:?} has no securityContext.capabilities: nothing is dropped, so it keeps the container runtime's default capabilities (NET_RAW, CHOWN, SETUID and others)"
                ));
            } else {
                parts.push(format!("container {container:?} runs as if `{field}` were not written"));
            }
        }
    }
    if parts.is_empty() {
        parts.push(format!("the object is stored as if `{path}` were not written"));
    }
    let mut s = parts.join("; ");
    if let Some(r) = &obj.rejected {
        s.push_str(&format!(
            ". Even then the API server rejects the {} ({r}): it is never created",
            obj.kind
        ));
    }
    s
}

/// What refusing the object means, for kinds where that matters beyond
/// "it is not created": appended after the strict decoding error.
pub fn of_rejection(obj: &Object) -> String {
    if matches!(obj.kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
        let subjects = subjects(&obj.stored);
        if !subjects.is_empty() {
            let verb = if subjects.len() == 1 { "gets" } else { "get" };
            return format!(
                ": the {} is not created, so {} {verb} no permissions from {} until it is fixed",
                obj.kind,
                subjects.join(", "),
                role_name(&obj.stored)
            );
        }
    }
    String::new()
}

fn role_name(binding: &Node) -> String {
    binding
        .get("roleRef")
        .map(|r| {
            format!(
                "{} {}",
                r.str_field("kind").unwrap_or("role"),
                r.str_field("name").unwrap_or("?")
            )
        })
        .unwrap_or_else(|| "its role".into())
}

fn subjects(binding: &Node) -> Vec<String> {
    let ns = binding
        .get("metadata")
        .and_then(|m| m.str_field("namespace"))
        .unwrap_or("");
    binding
        .get("subjects")
        .and_then(Node::as_seq)
        .map(|s| {
            s.iter()
                .map(|sub| {
                    let kind = sub.str_field("kind").unwrap_or("?");
                    let name = sub.str_field("name").unwrap_or("?");
                    if kind == "ServiceAccount" {
                        // A RoleBinding's ServiceAccount subject defaults to the binding's namespace.
                        let sns = sub.str_field("namespace").filter(|s| !s.is_empty()).unwrap_or(ns);
                        format!("ServiceAccount {sns}/{name}")
                    } else {
                        format!("{kind} {name}")
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// If `path` is inside a container, its name and the path below it.
fn container_of<'a>(cx: &Context, obj: &'a Object, path: &'a FieldPath) -> Option<(String, FieldPath)> {
    let view = cx
        .inventory
        .pod_specs
        .iter()
        .find(|v| std::ptr::eq(&cx.inventory.objects[v.object], obj))?;
    for c in view.containers(obj) {
        if path.starts_with(&c.path) && path.segs().len() > c.path.segs().len() {
            let rest = FieldPath::parse("").expect("empty");
            let rest = path.segs()[c.path.segs().len()..].iter().fold(rest, |acc, s| match s {
                Seg::Key(k) => acc.key(k.clone()),
                Seg::Index(i) => acc.index(*i),
            });
            return Some((c.name.to_string(), rest));
        }
    }
    None
}

/// `TCP/80, UDP/53` from a written `ports` list.
fn describe_ports(n: &Node) -> String {
    n.as_seq()
        .map(|s| {
            s.iter()
                .map(|p| {
                    let proto = p.str_field("protocol").unwrap_or("TCP");
                    let port = p
                        .get("port")
                        .map(|v| {
                            v.as_str()
                                .map(String::from)
                                .or_else(|| v.as_i64().map(|i| i.to_string()))
                                .unwrap_or_default()
                        })
                        .unwrap_or_else(|| "any".into());
                    format!("{proto}/{port}")
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}
