//! kubectl's `auth can-i --list` table.
//!
//! kubectl receives the rules of a SelfSubjectRulesReview (resource rules,
//! then non-resource rules), breaks every rule down to one verb x group x
//! resource (x name) or one verb x URL, compacts resource rules that differ
//! only by verb back into one row (verbs in first-seen order), sorts the rows
//! stably by the Go string form of the PolicyRule (`Verbs` first, then
//! `APIGroups`, `Resources`, `ResourceNames`, `NonResourceURLs`), and prints
//! them through a tab writer (min width 6, padding 3, space padded).
//! Non-resource rows are never merged, so a URL granted by two roles shows
//! twice, as it does against a real cluster.

use std::collections::HashMap;

use crate::model::PolicyRule;

/// Split into the SelfSubjectRulesReview shape: a rule with resources is a
/// resource rule, one with URLs a non-resource rule (a rule with both feeds
/// both lists, one with neither disappears).
fn review_rules(rules: &[PolicyRule]) -> Vec<PolicyRule> {
    let mut resource = Vec::new();
    let mut non_resource = Vec::new();
    for r in rules {
        if !r.resources.is_empty() {
            resource.push(PolicyRule {
                verbs: r.verbs.clone(),
                api_groups: r.api_groups.clone(),
                resources: r.resources.clone(),
                resource_names: r.resource_names.clone(),
                non_resource_urls: Vec::new(),
            });
        }
        if !r.non_resource_urls.is_empty() {
            non_resource.push(PolicyRule {
                verbs: r.verbs.clone(),
                non_resource_urls: r.non_resource_urls.clone(),
                ..PolicyRule::default()
            });
        }
    }
    resource.extend(non_resource);
    resource
}

/// `rbac.BreakdownRule`.
pub fn breakdown(rule: &PolicyRule) -> Vec<PolicyRule> {
    let mut out = Vec::new();
    for group in &rule.api_groups {
        for resource in &rule.resources {
            for verb in &rule.verbs {
                let base = PolicyRule {
                    verbs: vec![verb.clone()],
                    api_groups: vec![group.clone()],
                    resources: vec![resource.clone()],
                    ..PolicyRule::default()
                };
                if rule.resource_names.is_empty() {
                    out.push(base);
                } else {
                    for name in &rule.resource_names {
                        let mut r = base.clone();
                        r.resource_names = vec![name.clone()];
                        out.push(r);
                    }
                }
            }
        }
    }
    for url in &rule.non_resource_urls {
        for verb in &rule.verbs {
            out.push(PolicyRule {
                verbs: vec![verb.clone()],
                non_resource_urls: vec![url.clone()],
                ..PolicyRule::default()
            });
        }
    }
    out
}

/// `rbac.CompactRules`: rules with one group, one resource, at most one name
/// and no URLs merge their verbs; everything else passes through.
pub fn compact(rules: &[PolicyRule]) -> Vec<PolicyRule> {
    let mut passthrough = Vec::new();
    let mut simple: Vec<PolicyRule> = Vec::new();
    let mut by_key: HashMap<(String, String, Option<String>), usize> = HashMap::new();
    for r in rules {
        let is_simple = r.resource_names.len() <= 1
            && r.non_resource_urls.is_empty()
            && r.api_groups.len() == 1
            && r.resources.len() == 1;
        if !is_simple {
            passthrough.push(r.clone());
            continue;
        }
        let key = (
            r.api_groups[0].clone(),
            r.resources[0].clone(),
            r.resource_names.first().cloned(),
        );
        match by_key.get(&key) {
            Some(&i) => {
                for v in &r.verbs {
                    if !simple[i].verbs.contains(v) {
                        simple[i].verbs.push(v.clone());
                    }
                }
            }
            None => {
                by_key.insert(key, simple.len());
                simple.push(r.clone());
            }
        }
    }
    passthrough.extend(simple);
    passthrough
}

/// Go's `%v` of a string slice.
fn go_list(v: &[String]) -> String {
    format!("[{}]", v.join(" "))
}

/// The generated `PolicyRule.String()` that kubectl sorts by.
pub fn go_string(r: &PolicyRule) -> String {
    format!(
        "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
        go_list(&r.verbs),
        go_list(&r.api_groups),
        go_list(&r.resources),
        go_list(&r.resource_names),
        go_list(&r.non_resource_urls)
    )
}

/// kubectl's `CombineResourceGroup`: `resource[.group][/subresource]` from
/// the first resource and first group.
pub fn combine_resource_group(resources: &[String], groups: &[String]) -> String {
    let Some(first) = resources.first() else {
        return String::new();
    };
    let (resource, sub) = match first.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (first.as_str(), None),
    };
    let mut out = resource.to_string();
    if let Some(g) = groups.first().filter(|g| !g.is_empty()) {
        out.push('.');
        out.push_str(g);
    }
    if let Some(s) = sub {
        out.push('/');
        out.push_str(s);
    }
    out
}

/// The rows kubectl prints, in its order.
pub fn list_rows(rules: &[PolicyRule]) -> Vec<PolicyRule> {
    let broken: Vec<PolicyRule> = review_rules(rules).iter().flat_map(breakdown).collect();
    let mut rows = compact(&broken);
    // sort.Stable
    rows.sort_by_cached_key(go_string);
    rows
}

/// Go `text/tabwriter` as kubectl configures it (minwidth 6, padding 3,
/// padchar ' ', no flags) for lines that all have the same number of cells:
/// every tab-terminated cell is padded to its column's widest cell plus 3;
/// the last cell of a line is written as is.
pub fn tabwrite(lines: &[Vec<String>]) -> String {
    const MIN_WIDTH: usize = 6;
    const PADDING: usize = 3;
    let columns = lines.iter().map(|l| l.len().saturating_sub(1)).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            lines
                .iter()
                .filter(|l| c + 1 < l.len())
                .map(|l| l[c].chars().count() + PADDING)
                .max()
                .unwrap_or(0)
                .max(MIN_WIDTH)
        })
        .collect();
    let mut out = String::new();
    for line in lines {
        for (c, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if c + 1 < line.len() {
                let pad = widths[c].saturating_sub(cell.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

/// The whole `can-i --list` output for these rules.
pub fn list_table(rules: &[PolicyRule], headers: bool) -> String {
    let mut lines = Vec::new();
    if headers {
        lines.push(
            ["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]
                .map(str::to_string)
                .to_vec(),
        );
    }
    for r in list_rows(rules) {
        lines.push(vec![
            combine_resource_group(&r.resources, &r.api_groups),
            go_list(&r.non_resource_urls),
            go_list(&r.resource_names),
            go_list(&r.verbs),
        ]);
    }
    tabwrite(&lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_string()).collect()
    }

    #[test]
    fn resource_group_column() {
        assert_eq!(combine_resource_group(&s(&["pods"]), &s(&[""])), "pods");
        assert_eq!(combine_resource_group(&s(&["*"]), &s(&["*"])), "*.*");
        assert_eq!(
            combine_resource_group(&s(&["deployments/scale"]), &s(&["apps"])),
            "deployments.apps/scale"
        );
        assert_eq!(combine_resource_group(&[], &s(&["apps"])), "");
    }

    #[test]
    fn tab_writer_pads_to_widest_plus_three_with_min_width_six() {
        let lines = vec![s(&["a", "bb", "last"]), s(&["", "x", "z"])];
        assert_eq!(tabwrite(&lines), "a     bb    last\n      x     z\n");
        let wide = vec![s(&["abcdefgh", "y"])];
        assert_eq!(tabwrite(&wide), "abcdefgh   y\n");
    }

    #[test]
    fn breakdown_and_sort_key() {
        let r = PolicyRule::resource(&["", "apps"], &["a", "b"], &["get", "list"]).with_names(&["n"]);
        assert_eq!(breakdown(&r).len(), 8);
        let u = PolicyRule::non_resource(&["/x", "/y"], &["get"]);
        assert_eq!(breakdown(&u).len(), 2);
        assert_eq!(
            go_string(&u),
            "&PolicyRule{Verbs:[get],APIGroups:[],Resources:[],ResourceNames:[],NonResourceURLs:[/x /y],}"
        );
    }

    #[test]
    fn duplicate_urls_stay_duplicate_and_resource_rows_merge() {
        let rules = vec![
            PolicyRule::non_resource(&["/healthz"], &["get"]),
            PolicyRule::non_resource(&["/healthz"], &["get"]),
            PolicyRule::resource(&[""], &["pods"], &["get"]),
            PolicyRule::resource(&[""], &["pods"], &["get", "watch"]),
        ];
        let rows = list_rows(&rules);
        assert_eq!(rows.len(), 3);
        // "[get watch]" sorts before "[get]" (space < ']'), as in kubectl.
        assert_eq!(rows[0].verbs, s(&["get", "watch"]));
        assert_eq!(rows[0].resources, s(&["pods"]));
        for row in &rows[1..] {
            assert_eq!(row.verbs, s(&["get"]));
            assert_eq!(row.non_resource_urls, s(&["/healthz"]));
        }
    }
}
