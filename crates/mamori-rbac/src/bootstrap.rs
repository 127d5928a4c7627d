//! The default policy the API server creates at start-up, as built-in data.
//!
//! Data files (`data/`, see `data/README.md` for provenance) are upstream
//! bootstrap-policy golden files (kubernetes/kubernetes
//! `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/`, Apache-2.0),
//! converted to JSON. Two ClusterRole snapshots exist; older minors are the
//! older snapshot minus the user-visible rules that appeared later.

use serde::Serialize;
use serde_json::Value;

/// Oldest Kubernetes minor version with bootstrap data (1.25).
pub const OLDEST_MINOR: u32 = 25;
/// Newest Kubernetes minor version the data was taken for (1.34).
pub const NEWEST_MINOR: u32 = 34;

const CLUSTER_ROLES_1_34: &str = include_str!("../data/cluster-roles-1.34.json");
const CLUSTER_ROLES_1_31: &str = include_str!("../data/cluster-roles-1.31.json");
const CLUSTER_ROLE_BINDINGS: &str = include_str!("../data/cluster-role-bindings.json");
const NAMESPACE_ROLES: &str = include_str!("../data/namespace-roles.json");
const NAMESPACE_ROLE_BINDINGS: &str = include_str!("../data/namespace-role-bindings.json");

/// Whether and which default policy takes part in answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Bootstrap {
    /// Manifests only (`--no-bootstrap`).
    Off,
    /// The default policy of Kubernetes 1.`minor`. Minors below
    /// [`OLDEST_MINOR`] use 1.25's data, above [`NEWEST_MINOR`] the newest.
    Minor(u32),
}

impl Default for Bootstrap {
    fn default() -> Self {
        Bootstrap::Minor(NEWEST_MINOR)
    }
}

/// Which snapshot a minor version uses, and the rules removed from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// `1.31` or `1.34`: the data file.
    pub data: &'static str,
    /// The issuer-discovery role lacks the trailing-slash URLs (before 1.28).
    pub without_issuer_slash_urls: bool,
    /// system:basic-user lacks `selfsubjectreviews` (before 1.27).
    pub without_selfsubjectreviews: bool,
}

/// The snapshot used for Kubernetes 1.`minor`.
pub fn snapshot_for(minor: u32) -> Snapshot {
    let minor = minor.clamp(OLDEST_MINOR, NEWEST_MINOR);
    Snapshot {
        data: if minor >= 33 { "1.34" } else { "1.31" },
        // Upstream PR #117511 (merged in the 1.28 cycle) added
        // `/.well-known/openid-configuration/` and `/openid/v1/jwks/`.
        without_issuer_slash_urls: minor < 28,
        // SelfSubjectReview went beta (on by default) in 1.27; the
        // basic-user rule is only present when the API is enabled.
        without_selfsubjectreviews: minor < 27,
    }
}

fn items(doc: &str) -> Vec<Value> {
    // The data is part of the crate and checked by tests: a parse failure
    // is a build defect, not an input error.
    let v: Value = serde_json::from_str(doc).expect("built-in bootstrap data is valid JSON");
    match v {
        Value::Object(mut m) => match m.remove("items") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The default objects (ClusterRoles, ClusterRoleBindings, and the
/// kube-system / kube-public Roles and RoleBindings) for a setting.
pub fn objects(bootstrap: Bootstrap) -> Vec<Value> {
    let Bootstrap::Minor(minor) = bootstrap else {
        return Vec::new();
    };
    let snap = snapshot_for(minor);
    let mut roles = items(if snap.data == "1.34" {
        CLUSTER_ROLES_1_34
    } else {
        CLUSTER_ROLES_1_31
    });
    for role in &mut roles {
        let name = role
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let Some(Value::Array(rules)) = role.get_mut("rules") else {
            continue;
        };
        if snap.without_issuer_slash_urls && name == "system:service-account-issuer-discovery" {
            for rule in rules.iter_mut() {
                if let Some(Value::Array(urls)) = rule.get_mut("nonResourceURLs") {
                    urls.retain(|u| u.as_str().is_some_and(|u| !u.ends_with('/')));
                }
            }
        }
        if snap.without_selfsubjectreviews && name == "system:basic-user" {
            rules.retain(|r| r.pointer("/resources/0").and_then(Value::as_str) != Some("selfsubjectreviews"));
        }
    }
    let mut out = roles;
    out.extend(items(CLUSTER_ROLE_BINDINGS));
    out.extend(items(NAMESPACE_ROLES));
    out.extend(items(NAMESPACE_ROLE_BINDINGS));
    out
}
