//! `RBAC`: who can do what, answered by the RBAC engine (`mamori-rbac`).
//!
//! The policy is built once per inventory (with the API server's default
//! policy, so a binding to `cluster-admin` or `edit` is judged by the rules
//! those roles really have, aggregation included). Binding checks name every
//! subject and the chain binding -> role -> rule. Objects the API server
//! would refuse grant nothing and are skipped: their schema finding says why.
pub mod admission_webhook_changes;
pub mod api_extension_changes;
pub mod aws_auth_maps_to_system_masters;
pub mod binding_to_anonymous_or_all_users;
pub mod binding_to_missing_role;
pub mod cluster_admin_bound;
pub mod csr_approval;
pub mod escalate_bind_or_impersonate;
pub mod event_deletion;
pub mod exec_attach_or_ephemeral_containers;
pub mod kube_system_config_writes;
pub mod network_policy_changes;
pub mod node_proxy;
pub mod persistent_volume_changes;
pub mod pod_access_reaches_powerful_account;
pub mod pod_token_grants_risky_permission;
pub mod policy_engine_changes;
pub mod secrets_readable;
pub mod service_account_cloud_identity;
pub mod service_account_token_creation;
pub mod status_or_node_changes;
pub mod wildcard_in_role_rule;
pub mod workload_creation;

use crate::context::Context;
use crate::registry::CheckMeta;
use mamori_diagnostics::Finding;
use mamori_model::{FieldPath, Object};
use mamori_rbac::matching::rule_allows;
use mamori_rbac::{
    decode, Bootstrap, Decoded, FieldValidation, Options, Policy, PolicyRule, RbacObject, Request, RoleKind, Subject,
    SubjectKind,
};
use std::sync::Arc;

/// The RBAC policy of the inventory, with the default policy of the
/// Kubernetes version the scan assumes (`--k8s-version`).
pub fn policy(cx: &Context) -> Arc<Policy> {
    let bootstrap = cx.config.k8s_minor.map(Bootstrap::Minor).unwrap_or_default();
    cx.inventory.derived(|inv| {
        Policy::from_inventory(
            inv,
            Options {
                bootstrap,
                ..Options::default()
            },
        )
    })
}

/// One request a risky permission allows.
#[derive(Debug)]
pub struct Req {
    pub verb: &'static str,
    pub group: &'static str,
    pub resource: &'static str,
    pub subresource: &'static str,
    /// Namespaced resources can be granted by a RoleBinding; cluster-scoped
    /// ones only by a ClusterRoleBinding.
    pub namespaced: bool,
}

pub const fn req(verb: &'static str, group: &'static str, resource: &'static str, namespaced: bool) -> Req {
    Req {
        verb,
        group,
        resource,
        subresource: "",
        namespaced,
    }
}

pub const fn sub(verb: &'static str, resource: &'static str, subresource: &'static str) -> Req {
    Req {
        verb,
        group: "",
        resource,
        subresource,
        namespaced: true,
    }
}

impl Req {
    pub fn request(&self) -> Request {
        Request::resource(self.verb, self.group, self.resource).subresource(self.subresource)
    }
}

/// A permission worth a finding: any of `requests`, in words.
#[derive(Debug)]
pub struct Capability {
    pub requests: &'static [Req],
    /// What it lets a holder do, e.g. "read Secrets".
    pub does: &'static str,
}

/// Everything, everywhere: `*` verbs on `*` resources of `*` groups.
pub const FULL_CONTROL: Capability = Capability {
    requests: &[req("*", "*", "*", true)],
    does: "do anything, for example delete any pod,",
};

/// A binding as the API server stores it, with its role's effective rules.
pub struct BindingView {
    pub cluster: bool,
    pub namespace: Option<String>,
    pub name: String,
    pub subjects: Vec<Subject>,
    pub role_kind: RoleKind,
    pub role_name: String,
    /// `None` when the role does not exist (the binding grants nothing).
    pub rules: Option<Vec<PolicyRule>>,
}

impl BindingView {
    pub fn binding_text(&self) -> String {
        match (&self.namespace, self.cluster) {
            (Some(ns), false) => format!("RoleBinding {ns}/{}", self.name),
            _ => format!("ClusterRoleBinding {}", self.name),
        }
    }

    pub fn role_text(&self) -> String {
        match (self.role_kind, &self.namespace) {
            (RoleKind::Role, Some(ns)) => format!("Role {ns}/{}", self.role_name),
            _ => format!("ClusterRole {}", self.role_name),
        }
    }

    /// Where the binding grants: "cluster-wide" or "in namespace NS".
    pub fn scope(&self) -> String {
        match (&self.namespace, self.cluster) {
            (Some(ns), false) => format!("in namespace {ns}"),
            _ => "cluster-wide".into(),
        }
    }

    /// The first rule that grants any of the capability's requests, with
    /// the request. RoleBindings cannot grant cluster-scoped resources.
    pub fn first_match(&self, cap: &Capability) -> Option<(usize, &PolicyRule)> {
        self.rules.as_ref()?.iter().enumerate().find(|(_, r)| {
            cap.requests
                .iter()
                .filter(|q| self.cluster || q.namespaced)
                .any(|q| rule_allows(r, &q.request()))
        })
    }

    /// Subjects that are people or workloads: service accounts, and users
    /// and groups outside the `system:` names Kubernetes itself uses.
    pub fn non_system_subjects(&self) -> Vec<&Subject> {
        self.subjects
            .iter()
            .filter(|s| s.kind == SubjectKind::ServiceAccount || !s.name.starts_with("system:"))
            .collect()
    }
}

/// The object decoded as the engine stores it (strict field validation:
/// an object with unknown fields is refused), if the API server accepts it.
pub fn stored_rbac(o: &Object) -> Option<RbacObject> {
    if o.rejected.is_some() {
        return None;
    }
    let value = if o.node != o.stored {
        o.node.to_json()
    } else {
        o.stored.to_json()
    };
    let ns = o.effective_namespace.clone().unwrap_or_else(|| "default".into());
    match decode(&value, FieldValidation::Strict, &ns) {
        Decoded::Accepted(obj, _) => Some(obj),
        _ => None,
    }
}

pub fn binding_view(cx: &Context, obj: usize) -> Option<BindingView> {
    let o = &cx.inventory.objects[obj];
    let p = policy(cx);
    let (cluster, namespace, name, mut subjects, role_ref) = match stored_rbac(o)? {
        RbacObject::RoleBinding(b) => (false, Some(b.namespace), b.name, b.subjects, b.role_ref),
        RbacObject::ClusterRoleBinding(b) => (true, None, b.name, b.subjects, b.role_ref),
        _ => return None,
    };
    for s in &mut subjects {
        if s.kind == SubjectKind::ServiceAccount && s.namespace.is_none() {
            s.namespace = namespace.clone();
        }
    }
    let rules = match role_ref.kind {
        RoleKind::ClusterRole => p.cluster_role(&role_ref.name).map(|r| r.rules.clone()),
        RoleKind::Role => p
            .role(namespace.as_deref().unwrap_or_default(), &role_ref.name)
            .map(|r| r.rules.clone()),
    };
    Some(BindingView {
        cluster,
        namespace,
        name,
        subjects,
        role_kind: role_ref.kind,
        role_name: role_ref.name,
        rules,
    })
}

/// `ServiceAccount a/b, User c`.
pub fn subject_list(subjects: &[&Subject]) -> String {
    subjects.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
}

/// The shared body of the binding checks: a finding when the binding gives
/// a non-system subject the capability. Bindings that give full control are
/// left to RBAC001, which reports them once instead of once per permission.
pub fn binding_check(cx: &Context, meta: &CheckMeta, obj: usize, cap: &Capability, hint: &str, out: &mut Vec<Finding>) {
    let Some(b) = binding_view(cx, obj) else { return };
    let subjects = b.non_system_subjects();
    if subjects.is_empty() {
        return;
    }
    if meta.code != "RBAC001" && b.first_match(&FULL_CONTROL).is_some() {
        return;
    }
    let Some((i, rule)) = b.first_match(cap) else { return };
    let message = format!(
        "{} can {} {} ({} -> {} -> rules[{i}] {})",
        subject_list(&subjects),
        cap.does.trim_end_matches(','),
        b.scope(),
        b.binding_text(),
        b.role_text(),
        mamori_rbac::rule_text(rule)
    );
    out.push(cx.finding(
        meta,
        obj,
        &FieldPath::parse("roleRef.name").expect("static path"),
        message,
        Some(hint.to_string()),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_diagnostics::Config;
    use mamori_source::load::{load_texts, LoadOptions};

    /// The rules of the default `system:aggregate-to-edit` under the
    /// Kubernetes version the configuration names.
    fn edit_rules(minor: Option<u32>) -> Vec<PolicyRule> {
        let load = load_texts(&[], &LoadOptions::default());
        let inventory = mamori_model::Inventory::new(load.objects);
        let config = Config {
            k8s_minor: minor,
            ..Config::empty()
        };
        let cx = Context {
            inventory: &inventory,
            problems: &[],
            issues: &[],
            config: &config,
        };
        policy(&cx)
            .cluster_role("system:aggregate-to-edit")
            .expect("a default ClusterRole")
            .rules
            .clone()
    }

    #[test]
    fn the_default_policy_follows_k8s_version() {
        // 1.34's edit gained the DRA (resource.k8s.io) rules 1.31's lacks.
        let dra = |rules: &[PolicyRule]| {
            rules
                .iter()
                .any(|r| r.api_groups.iter().any(|g| g == "resource.k8s.io"))
        };
        assert!(dra(&edit_rules(None)));
        assert!(dra(&edit_rules(Some(34))));
        assert!(!dra(&edit_rules(Some(31))));
    }
}
