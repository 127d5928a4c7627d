//! Words for answers: subjects, rules and the binding -> role -> rule chain,
//! as the CLI and the checks print them.

use std::fmt;

use crate::model::{PolicyRule, Subject, SubjectKind};
use crate::policy::{BindingKind, Grant, RoleId};

impl fmt::Display for Subject {
    /// `ServiceAccount NS/NAME`, `User NAME`, `Group NAME`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, &self.namespace) {
            (SubjectKind::ServiceAccount, Some(ns)) => write!(f, "ServiceAccount {ns}/{}", self.name),
            (kind, _) => write!(f, "{} {}", kind.as_str(), self.name),
        }
    }
}

impl fmt::Display for RoleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind.as_str(), self.name),
            None => write!(f, "{} {}", self.kind.as_str(), self.name),
        }
    }
}

fn list(v: &[String]) -> String {
    format!("[{}]", v.join(", "))
}

/// One rule in the order people read it: verbs, then what they apply to.
pub fn rule_text(r: &PolicyRule) -> String {
    let mut s = format!("verbs {}", list(&r.verbs));
    if !r.non_resource_urls.is_empty() {
        s.push_str(&format!(" nonResourceURLs {}", list(&r.non_resource_urls)));
    } else {
        let groups: Vec<String> = r
            .api_groups
            .iter()
            .map(|g| if g.is_empty() { "\"\"".to_string() } else { g.clone() })
            .collect();
        s.push_str(&format!(
            " apiGroups {} resources {}",
            list(&groups),
            list(&r.resources)
        ));
        if !r.resource_names.is_empty() {
            s.push_str(&format!(" resourceNames {}", list(&r.resource_names)));
        }
    }
    s
}

impl Grant {
    /// `ClusterRoleBinding sa-admin-binding -> ClusterRole cluster-admin`,
    /// the short chain findings quote.
    pub fn chain(&self) -> String {
        let binding = match (&self.binding.kind, &self.binding.namespace) {
            (BindingKind::RoleBinding, Some(ns)) => format!("RoleBinding {ns}/{}", self.binding.name),
            _ => format!("ClusterRoleBinding {}", self.binding.name),
        };
        format!("{binding} -> {}", self.role)
    }

    /// The chain with the rule: `... -> rules[0] verbs [*] apiGroups [*] ...`,
    /// and the role the rule was aggregated from.
    pub fn chain_with_rule(&self) -> String {
        let mut s = format!(
            "{} -> rules[{}] {}",
            self.chain(),
            self.rule_index,
            rule_text(&self.rule)
        );
        if let Some(from) = &self.aggregated_from {
            s.push_str(&format!(" (aggregated from ClusterRole {from})"));
        }
        s
    }
}
