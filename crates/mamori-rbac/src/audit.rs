//! Least privilege from an audit log: the Role/ClusterRole and binding that
//! allow what one user was seen doing.
//!
//! Input is the API server's audit log (`audit.k8s.io/v1` `Event`s, one JSON
//! object per line). The acting identity is the impersonated user when there
//! is one (`kubectl --as`), else the authenticated user. Events that share an
//! `auditID` (one per stage) are one request. A request with an `objectRef`
//! and a resource is a resource request (group, resource, subresource,
//! namespace); anything else is a non-resource request on the URL path.
//! Every request counts, allowed or not: a denied request is exactly the
//! permission the workload lacked.
//!
//! Output, as audit2rbac shapes it: one Role plus RoleBinding per namespace
//! for namespaced requests, one ClusterRole plus ClusterRoleBinding for
//! cluster-wide requests and URLs; resources of one API group that need the
//! same verbs share a rule. By default a read verb is widened to
//! get/list/watch (clients that list usually watch, and get what they
//! listed); [`GenerateOptions::exact`] keeps only the logged verbs. No rule
//! carries `resourceNames`, so none can silently fail for create, list,
//! watch or deletecollection, which never carry a name. What the output
//! allows beyond the log is returned, so it can be shown.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::Deserialize;
use serde_json::{json, Value};

use crate::model::{PolicyRule, RBAC_API_VERSION, RBAC_GROUP};
use crate::user::split_service_account;
use crate::Request;

#[derive(Deserialize)]
struct RawUser {
    #[serde(default)]
    username: String,
}

#[derive(Deserialize, Default)]
struct RawObjectRef {
    #[serde(default)]
    resource: String,
    #[serde(default)]
    namespace: String,
    #[serde(default, rename = "apiGroup")]
    api_group: String,
    #[serde(default)]
    subresource: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct RawEvent {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default, rename = "auditID")]
    audit_id: Option<String>,
    verb: String,
    #[serde(default, rename = "requestURI")]
    request_uri: String,
    user: RawUser,
    #[serde(default, rename = "impersonatedUser")]
    impersonated_user: Option<RawUser>,
    #[serde(default, rename = "objectRef")]
    object_ref: Option<RawObjectRef>,
}

/// One request seen in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRequest {
    /// 1-based line of the event.
    pub line: usize,
    /// The acting user.
    pub user: String,
    pub request: Request,
}

/// A line that is not an audit event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Malformed {
    pub line: usize,
    pub error: String,
}

/// The requests of a log and the lines skipped.
#[derive(Clone, Debug, Default)]
pub struct AuditLog {
    pub requests: Vec<AuditRequest>,
    pub malformed: Vec<Malformed>,
}

impl AuditLog {
    /// Parse JSON lines. Blank lines are ignored; lines that are not JSON
    /// audit events are skipped and counted, never fatal.
    pub fn parse(text: &str) -> AuditLog {
        let mut log = AuditLog::default();
        let mut seen = HashSet::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let ev: RawEvent = match serde_json::from_str(line) {
                Ok(ev) => ev,
                Err(e) => {
                    log.malformed.push(Malformed {
                        line: line_no,
                        error: e.to_string(),
                    });
                    continue;
                }
            };
            if ev.kind.as_deref().is_some_and(|k| k != "Event") {
                log.malformed.push(Malformed {
                    line: line_no,
                    error: format!("kind {:?}, not an audit Event", ev.kind.unwrap_or_default()),
                });
                continue;
            }
            // One request is logged once per stage under the same auditID.
            if let Some(id) = &ev.audit_id {
                if !seen.insert(id.clone()) {
                    continue;
                }
            }
            let user = ev
                .impersonated_user
                .map(|u| u.username)
                .filter(|u| !u.is_empty())
                .unwrap_or(ev.user.username);
            let request = match ev.object_ref.filter(|o| !o.resource.is_empty()) {
                Some(o) => {
                    let mut r = Request::resource(&ev.verb, &o.api_group, &o.resource).subresource(&o.subresource);
                    if !o.namespace.is_empty() {
                        r = r.in_namespace(&o.namespace);
                    }
                    if !o.name.is_empty() {
                        r = r.named(&o.name);
                    }
                    r
                }
                None => {
                    let path = ev.request_uri.split('?').next().unwrap_or_default();
                    Request::non_resource(&ev.verb, path)
                }
            };
            log.requests.push(AuditRequest {
                line: line_no,
                user,
                request,
            });
        }
        log
    }

    /// Acting users with their request counts, most active first.
    pub fn users(&self) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &self.requests {
            *counts.entry(&r.user).or_default() += 1;
        }
        let mut v: Vec<(String, usize)> = counts.into_iter().map(|(u, n)| (u.to_string(), n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

/// How to generate.
#[derive(Clone, Debug, Default)]
pub struct GenerateOptions {
    /// Keep only the logged verbs (no get/list/watch widening).
    pub exact: bool,
    /// Name of the roles and bindings (default `mamori:USER`).
    pub name: Option<String>,
}

/// The generated objects and what they allow beyond the log.
#[derive(Clone, Debug)]
pub struct Generated {
    /// Roles, ClusterRoles and their bindings, as Kubernetes objects.
    pub objects: Vec<Value>,
    /// Requests of the user in the log.
    pub requests: usize,
    /// `(scope, verb, resource)` the output allows that no logged request used.
    pub beyond: Vec<String>,
}

const READ: [&str; 3] = ["get", "list", "watch"];

fn verb_rank(v: &str) -> (usize, String) {
    let order = [
        "get",
        "list",
        "watch",
        "create",
        "update",
        "patch",
        "delete",
        "deletecollection",
    ];
    (order.iter().position(|o| *o == v).unwrap_or(order.len()), v.to_string())
}

fn sorted_verbs(verbs: &BTreeSet<String>) -> Vec<String> {
    let mut v: Vec<String> = verbs.iter().cloned().collect();
    v.sort_by_key(|x| verb_rank(x));
    v
}

/// Rules for one scope: resources of a group with the same verbs share a
/// rule; URLs with the same verbs share a rule.
fn rules(
    resources: &BTreeMap<(String, String), BTreeSet<String>>,
    urls: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<PolicyRule> {
    let mut by_verbs: BTreeMap<(String, Vec<String>), Vec<String>> = BTreeMap::new();
    for ((group, resource), verbs) in resources {
        by_verbs
            .entry((group.clone(), sorted_verbs(verbs)))
            .or_default()
            .push(resource.clone());
    }
    let mut out: Vec<PolicyRule> = by_verbs
        .into_iter()
        .map(|((group, verbs), resources)| PolicyRule {
            verbs,
            api_groups: vec![group],
            resources,
            ..PolicyRule::default()
        })
        .collect();
    let mut url_rules: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (url, verbs) in urls {
        url_rules.entry(sorted_verbs(verbs)).or_default().push(url.clone());
    }
    out.extend(url_rules.into_iter().map(|(verbs, non_resource_urls)| PolicyRule {
        verbs,
        non_resource_urls,
        ..PolicyRule::default()
    }));
    out
}

fn rule_json(r: &PolicyRule) -> Value {
    if r.non_resource_urls.is_empty() {
        json!({"apiGroups": r.api_groups, "resources": r.resources, "verbs": r.verbs})
    } else {
        json!({"nonResourceURLs": r.non_resource_urls, "verbs": r.verbs})
    }
}

/// The Role(s)/ClusterRole and bindings for `user` (a user name, or
/// `system:serviceaccount:NS:NAME`).
pub fn generate(log: &AuditLog, user: &str, opts: &GenerateOptions) -> Generated {
    type Perms = BTreeMap<(String, String), BTreeSet<String>>;
    let mut namespaced: BTreeMap<String, Perms> = BTreeMap::new();
    let mut cluster: Perms = BTreeMap::new();
    let mut urls: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut logged: HashSet<(String, String, String, String)> = HashSet::new();
    let mut count = 0;
    for r in log.requests.iter().filter(|r| r.user == user) {
        count += 1;
        let q = &r.request;
        if let Some(url) = &q.non_resource_url {
            urls.entry(url.clone()).or_default().insert(q.verb.clone());
            continue;
        }
        let resource = if q.subresource.is_empty() {
            q.resource.clone()
        } else {
            format!("{}/{}", q.resource, q.subresource)
        };
        let ns = q.namespace.clone().unwrap_or_default();
        logged.insert((ns.clone(), q.verb.clone(), q.api_group.clone(), resource.clone()));
        let perms = if ns.is_empty() {
            &mut cluster
        } else {
            namespaced.entry(ns).or_default()
        };
        let verbs = perms.entry((q.api_group.clone(), resource)).or_default();
        verbs.insert(q.verb.clone());
        if !opts.exact && READ.contains(&q.verb.as_str()) {
            verbs.extend(READ.iter().map(|v| v.to_string()));
        }
    }
    let name = opts.name.clone().unwrap_or_else(|| format!("mamori:{user}"));
    let subject = match split_service_account(user) {
        Some((ns, sa)) => json!({"kind": "ServiceAccount", "name": sa, "namespace": ns}),
        None => json!({"apiGroup": RBAC_GROUP, "kind": "User", "name": user}),
    };
    let mut objects = Vec::new();
    let mut beyond = Vec::new();
    let mut note_beyond = |scope: &str, ns: &str, perms: &Perms| {
        for ((group, resource), verbs) in perms {
            for v in sorted_verbs(verbs) {
                if !logged.contains(&(ns.to_string(), v.clone(), group.clone(), resource.clone())) {
                    let g = if group.is_empty() {
                        String::new()
                    } else {
                        format!(".{group}")
                    };
                    beyond.push(format!("{v} {resource}{g} {scope}"));
                }
            }
        }
    };
    for (ns, perms) in &namespaced {
        note_beyond(&format!("in namespace {ns}"), ns, perms);
        let rules: Vec<Value> = rules(perms, &BTreeMap::new()).iter().map(rule_json).collect();
        objects.push(json!({"apiVersion": RBAC_API_VERSION, "kind": "Role",
            "metadata": {"name": name, "namespace": ns}, "rules": rules}));
        objects.push(json!({"apiVersion": RBAC_API_VERSION, "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": ns},
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": "Role", "name": name},
            "subjects": [subject]}));
    }
    if !cluster.is_empty() || !urls.is_empty() {
        note_beyond("cluster-wide", "", &cluster);
        let rules: Vec<Value> = rules(&cluster, &urls).iter().map(rule_json).collect();
        objects.push(json!({"apiVersion": RBAC_API_VERSION, "kind": "ClusterRole",
            "metadata": {"name": name}, "rules": rules}));
        objects.push(json!({"apiVersion": RBAC_API_VERSION, "kind": "ClusterRoleBinding",
            "metadata": {"name": name},
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": name},
            "subjects": [subject]}));
    }
    Generated {
        objects,
        requests: count,
        beyond,
    }
}

/// Block-style YAML for generated objects (a `---` between documents).
/// Strings that YAML could read as something else are double-quoted.
pub fn to_yaml(objects: &[Value]) -> String {
    let mut out = String::new();
    for (i, o) in objects.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        emit(&mut out, o, 0);
    }
    out
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let plain = !s.is_empty()
                && s.chars().all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c))
                && !s.starts_with(['-', '.', '/'])
                && !matches!(
                    s.to_ascii_lowercase().as_str(),
                    "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
                )
                && s.parse::<f64>().is_err();
            if plain {
                s.clone()
            } else {
                Value::String(s.clone()).to_string()
            }
        }
        Value::Array(a) if a.is_empty() => "[]".into(),
        Value::Object(m) if m.is_empty() => "{}".into(),
        other => other.to_string(),
    }
}

fn is_scalar(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => true,
    }
}

fn emit(out: &mut String, v: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) => {
            for (k, val) in m {
                if is_scalar(val) {
                    out.push_str(&format!("{pad}{k}: {}\n", scalar(val)));
                } else if val.is_array() {
                    out.push_str(&format!("{pad}{k}:\n"));
                    emit(out, val, indent);
                } else {
                    out.push_str(&format!("{pad}{k}:\n"));
                    emit(out, val, indent + 2);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                if is_scalar(item) {
                    out.push_str(&format!("{pad}- {}\n", scalar(item)));
                } else {
                    let mut inner = String::new();
                    emit(&mut inner, item, indent + 2);
                    // The first line of the item goes after the dash.
                    let body = inner.strip_prefix(&" ".repeat(indent + 2)).unwrap_or(&inner);
                    out.push_str(&format!("{pad}- {body}"));
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_lines_are_counted_and_stages_collapse() {
        let text = r#"{"kind":"Event","auditID":"a","stage":"RequestReceived","verb":"get","requestURI":"/api/v1/namespaces/n/pods/p","user":{"username":"u"},"objectRef":{"resource":"pods","namespace":"n","name":"p","apiVersion":"v1"}}
not json
{"kind":"Event","auditID":"a","stage":"ResponseComplete","verb":"get","requestURI":"/api/v1/namespaces/n/pods/p","user":{"username":"u"},"objectRef":{"resource":"pods","namespace":"n","name":"p","apiVersion":"v1"}}

{"kind":"Event","auditID":"b","verb":"get","requestURI":"/healthz?verbose","user":{"username":"u"}}
{"kind":"Other","verb":"get","user":{"username":"u"}}
"#;
        let log = AuditLog::parse(text);
        assert_eq!(log.malformed.iter().map(|m| m.line).collect::<Vec<_>>(), [2, 6]);
        assert_eq!(log.requests.len(), 2);
        assert_eq!(log.requests[1].request.non_resource_url.as_deref(), Some("/healthz"));
        let g = generate(&log, "u", &GenerateOptions::default());
        assert_eq!(g.requests, 2);
        let kinds: Vec<&str> = g.objects.iter().map(|o| o["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"]);
        assert_eq!(g.beyond, ["list pods in namespace n", "watch pods in namespace n"]);
        let exact = generate(
            &log,
            "u",
            &GenerateOptions {
                exact: true,
                name: None,
            },
        );
        assert!(exact.beyond.is_empty());
        let yaml = to_yaml(&exact.objects);
        assert!(yaml.contains("  name: \"mamori:u\"\n"), "{yaml}");
        assert!(
            yaml.contains("- apiGroups:\n  - \"\"\n  resources:\n  - pods\n  verbs:\n  - get\n"),
            "{yaml}"
        );
    }
}
