//! Rule matching, one function per attribute, with the upstream semantics of
//! the `rbac/v1` helpers the authorizer uses.

use crate::model::PolicyRule;
use crate::Request;

/// `*` in verbs, apiGroups, resources and nonResourceURLs.
pub const WILDCARD: &str = "*";

/// A rule verb matches if it is `*` or equal to the request verb.
pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == WILDCARD || v == verb)
}

/// A rule group matches if it is `*` or equal; `""` is the core group.
pub fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == WILDCARD || g == group)
}

/// `combined` is `resource` or `resource/subresource`. A rule resource
/// matches if it is `*` (which also covers every subresource), exactly equal
/// to the combined form (so `pods` never grants `pods/log`), or `*/sub` when
/// the request has exactly that subresource.
pub fn resource_matches(rule: &PolicyRule, combined: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        r == WILDCARD
            || r == combined
            || (!subresource.is_empty()
                && r.len() == subresource.len() + 2
                && r.starts_with("*/")
                && r.ends_with(subresource))
    })
}

/// An empty resourceNames list matches any name; otherwise the request must
/// carry one of the names. Requests without a name (create, list/watch
/// without a `metadata.name` field selector, deletecollection) never match.
pub fn resource_name_matches(rule: &PolicyRule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

/// `*` matches any path, an exact string matches itself, and a trailing `*`
/// makes the rest a prefix (`/apis/*` matches `/apis/apps` but not `/apis`).
pub fn non_resource_url_matches(rule: &PolicyRule, path: &str) -> bool {
    rule.non_resource_urls
        .iter()
        .any(|u| u == WILDCARD || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*'))))
}

/// Whether one rule allows the request (`RuleAllows` upstream).
pub fn rule_allows(rule: &PolicyRule, req: &Request) -> bool {
    match &req.non_resource_url {
        Some(path) => verb_matches(rule, &req.verb) && non_resource_url_matches(rule, path),
        None => {
            let combined;
            let resource = if req.subresource.is_empty() {
                req.resource.as_str()
            } else {
                combined = format!("{}/{}", req.resource, req.subresource);
                combined.as_str()
            };
            verb_matches(rule, &req.verb)
                && api_group_matches(rule, &req.api_group)
                && resource_matches(rule, resource, &req.subresource)
                && resource_name_matches(rule, req.name.as_deref().unwrap_or(""))
        }
    }
}
