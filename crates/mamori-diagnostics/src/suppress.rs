//! Suppressions: an annotation on the object, rules in `.mamori.yaml`, and a
//! baseline report. Every suppression is counted; rules that matched nothing
//! and rules past their expiry date are reported, so nothing hides silently.
//!
//! Annotation: `mamori.dev/ignore: "IMG001,POD003: reason"`. Anyone who can
//! deploy can add one, so `.mamori.yaml` can forbid them
//! (`allowAnnotations: false`).

use crate::finding::{Finding, Severity};
use mamori_model::{Node, Object};
use std::collections::{BTreeMap, HashMap, HashSet};

pub const IGNORE_ANNOTATION: &str = "mamori.dev/ignore";

#[derive(Clone, Debug, Default, PartialEq)]
pub struct IgnoreRule {
    pub codes: Vec<String>,
    pub path: Option<String>,
    pub namespace: Option<String>,
    /// `Kind/name` or `Kind/namespace/name`.
    pub object: Option<String>,
    pub container: Option<String>,
    pub reason: String,
    pub owner: Option<String>,
    /// `YYYY-MM-DD`; after that day the rule no longer applies.
    pub expires: Option<String>,
    /// Line in the config file, for messages.
    pub line: u32,
}

#[derive(Clone, Debug, Default)]
pub struct Config {
    pub path: String,
    pub ignore: Vec<IgnoreRule>,
    pub severity: BTreeMap<String, Severity>,
    pub allow_annotations: bool,
    /// Registries allowed for images (used by IMG checks).
    pub registries: Vec<String>,
    /// Kubernetes 1.x minor the checks assume (`--k8s-version`; not read
    /// from `.mamori.yaml`). `None`: the newest supported.
    pub k8s_minor: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    pub line: u32,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}: {}", self.path, self.line, self.field, self.message)
    }
}

impl Config {
    pub fn empty() -> Config {
        Config {
            allow_annotations: true,
            ..Config::default()
        }
    }

    /// Read `.mamori.yaml` from its parsed node. Unknown keys are errors,
    /// as a typo in a suppression file must not silently widen it.
    pub fn from_node(path: &str, node: Option<&Node>) -> Result<Config, ConfigError> {
        let mut cfg = Config::empty();
        cfg.path = path.to_string();
        let Some(node) = node else { return Ok(cfg) };
        let err = |n: &Node, field: &str, message: String| ConfigError {
            path: path.to_string(),
            line: n.pos.line,
            field: field.to_string(),
            message,
        };
        let Some(entries) = node.as_map() else {
            return Err(err(node, "(top level)", "must be a mapping".into()));
        };
        for e in entries {
            match e.key.as_str() {
                "ignore" => {
                    let Some(items) = e.value.as_seq() else {
                        return Err(err(&e.value, "ignore", "must be a list of rules".into()));
                    };
                    for (i, item) in items.iter().enumerate() {
                        cfg.ignore.push(parse_rule(item, &format!("ignore[{i}]"), &err)?);
                    }
                }
                "severity" => {
                    for s in e.value.as_map().into_iter().flatten() {
                        let sev = s.value.as_str().and_then(Severity::parse).ok_or_else(|| {
                            err(
                                &s.value,
                                &format!("severity.{}", s.key),
                                "must be one of critical, high, medium, low, info".into(),
                            )
                        })?;
                        cfg.severity.insert(s.key.clone(), sev);
                    }
                }
                "allowAnnotations" => {
                    cfg.allow_annotations = e
                        .value
                        .as_bool()
                        .ok_or_else(|| err(&e.value, "allowAnnotations", "must be true or false".into()))?;
                }
                "registries" => {
                    let Some(items) = e.value.as_seq() else {
                        return Err(err(&e.value, "registries", "must be a list of registry hosts".into()));
                    };
                    for (i, item) in items.iter().enumerate() {
                        // A non-string or empty entry is a mistake, not "allow nothing more".
                        match item.as_str().map(str::trim) {
                            Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
                                cfg.registries.push(host.to_string())
                            }
                            _ => {
                                return Err(err(
                                    item,
                                    &format!("registries[{i}]"),
                                    "must be a registry host (`registry.example.com`, `localhost:5000`), a host with a path prefix (`ghcr.io/my-org`) or `*.domain`".into(),
                                ))
                            }
                        }
                    }
                }
                other => {
                    return Err(err(
                        &e.value,
                        other,
                        "unknown key; known keys: ignore, severity, allowAnnotations, registries".into(),
                    ))
                }
            }
        }
        Ok(cfg)
    }
}

fn parse_rule(
    item: &Node,
    at: &str,
    err: &dyn Fn(&Node, &str, String) -> ConfigError,
) -> Result<IgnoreRule, ConfigError> {
    let mut rule = IgnoreRule {
        line: item.pos.line,
        ..IgnoreRule::default()
    };
    let Some(entries) = item.as_map() else {
        return Err(err(item, at, "a rule is a mapping with code and reason".into()));
    };
    for e in entries {
        let field = format!("{at}.{}", e.key);
        let text = || {
            e.value.as_str().map(String::from).ok_or_else(|| {
                err(
                    &e.value,
                    &field,
                    format!("must be a string, not {}", e.value.type_name()),
                )
            })
        };
        match e.key.as_str() {
            "code" => rule.codes = vec![text()?],
            "codes" => {
                rule.codes = e
                    .value
                    .as_seq()
                    .map(|s| s.iter().filter_map(|v| v.as_str().map(String::from)).collect())
                    .ok_or_else(|| err(&e.value, &field, "must be a list of codes".into()))?
            }
            "path" => rule.path = Some(text()?),
            "namespace" => rule.namespace = Some(text()?),
            "object" => rule.object = Some(text()?),
            "container" => rule.container = Some(text()?),
            "reason" => rule.reason = text()?,
            "owner" => rule.owner = Some(text()?),
            "expires" => {
                let t = text()?;
                if parse_date(&t).is_none() {
                    return Err(err(&e.value, &field, format!("{t:?} is not a date; write YYYY-MM-DD")));
                }
                rule.expires = Some(t)
            }
            other => {
                return Err(err(
                    &e.value,
                    &field,
                    format!("unknown key {other:?}; known: code, codes, path, namespace, object, container, reason, owner, expires"),
                ))
            }
        }
    }
    if rule.codes.is_empty() {
        return Err(err(
            item,
            at,
            "needs `code` (or `codes`): which findings to ignore".into(),
        ));
    }
    if rule.reason.trim().is_empty() {
        return Err(err(item, at, "needs a `reason`: say why this is acceptable".into()));
    }
    Ok(rule)
}

/// `YYYY-MM-DD` to days since 1970-01-01.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.trim().splitn(3, '-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let d: i64 = it.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

pub fn today() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    secs.div_euclid(86_400)
}

/// Findings from an earlier JSON report.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    pub path: String,
    fingerprints: HashSet<String>,
}

impl Baseline {
    pub fn from_report(path: &str, json: &serde_json::Value) -> Result<Baseline, String> {
        let findings = json
            .get("findings")
            .and_then(|f| f.as_array())
            .ok_or_else(|| format!("{path}: not a mamori JSON report (no `findings` array)"))?;
        let mut fingerprints = HashSet::new();
        for f in findings {
            let finding: Finding = serde_json::from_value(f.clone())
                .map_err(|e| format!("{path}: a finding does not match the report schema: {e}"))?;
            fingerprints.insert(finding.fingerprint());
        }
        Ok(Baseline {
            path: path.to_string(),
            fingerprints,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SuppressionReport {
    pub by_annotation: usize,
    pub by_config: usize,
    pub by_baseline: usize,
    /// Config rules that matched nothing: (rule line, codes).
    pub unused: Vec<(u32, Vec<String>)>,
    /// Config rules past their expiry date: (rule line, codes, date).
    pub expired: Vec<(u32, Vec<String>, String)>,
    /// Annotations present but ignored because the config forbids them.
    pub forbidden_annotations: usize,
}

pub struct Suppressor<'a> {
    pub config: &'a Config,
    pub baseline: Option<&'a Baseline>,
    pub today: i64,
    globs: Vec<Option<globset::GlobMatcher>>,
}

impl<'a> Suppressor<'a> {
    pub fn new(config: &'a Config, baseline: Option<&'a Baseline>) -> Suppressor<'a> {
        let globs = config
            .ignore
            .iter()
            .map(|r| {
                r.path
                    .as_ref()
                    .and_then(|p| globset::GlobBuilder::new(p).literal_separator(false).build().ok())
                    .map(|g| g.compile_matcher())
            })
            .collect();
        Suppressor {
            config,
            baseline,
            today: today(),
            globs,
        }
    }

    /// Apply severity overrides and drop suppressed findings. `object_of`
    /// gives the object a finding is about, for annotations.
    pub fn apply(
        &self,
        findings: Vec<Finding>,
        object_of: &dyn Fn(&Finding) -> Option<&'a Object>,
    ) -> (Vec<Finding>, SuppressionReport) {
        let mut report = SuppressionReport::default();
        let mut used = vec![false; self.config.ignore.len()];
        let mut kept = Vec::new();
        let mut forbidden_seen: HashSet<String> = HashSet::new();
        let mut ann_cache: HashMap<String, Option<Vec<String>>> = HashMap::new();
        for mut f in findings {
            if let Some(sev) = self.config.severity.get(&f.code) {
                f.severity = *sev;
            }
            if let Some(obj) = object_of(&f) {
                let key = format!(
                    "{}#{}#{}",
                    obj.origin.path,
                    obj.origin.doc,
                    obj.origin.list_item.unwrap_or(0)
                );
                let codes = ann_cache
                    .entry(key.clone())
                    .or_insert_with(|| obj.annotation(IGNORE_ANNOTATION).map(|v| parse_annotation(&v)))
                    .clone();
                if let Some(codes) = codes {
                    if codes.iter().any(|c| c == &f.code || c == "*") {
                        if self.config.allow_annotations {
                            report.by_annotation += 1;
                            continue;
                        } else if forbidden_seen.insert(key) {
                            report.forbidden_annotations += 1;
                        }
                    }
                }
            }
            let mut hit = false;
            for (i, r) in self.config.ignore.iter().enumerate() {
                if self.rule_matches(i, r, &f) {
                    if r.expires
                        .as_deref()
                        .and_then(parse_date)
                        .is_some_and(|d| d < self.today)
                    {
                        continue;
                    }
                    used[i] = true;
                    hit = true;
                    break;
                }
            }
            if hit {
                report.by_config += 1;
                continue;
            }
            if self.baseline.is_some_and(|b| b.fingerprints.contains(&f.fingerprint())) {
                report.by_baseline += 1;
                continue;
            }
            kept.push(f);
        }
        for (i, r) in self.config.ignore.iter().enumerate() {
            if let Some(d) = r.expires.as_deref() {
                if parse_date(d).is_some_and(|x| x < self.today) {
                    report.expired.push((r.line, r.codes.clone(), d.to_string()));
                    continue;
                }
            }
            if !used[i] {
                report.unused.push((r.line, r.codes.clone()));
            }
        }
        (kept, report)
    }

    fn rule_matches(&self, i: usize, r: &IgnoreRule, f: &Finding) -> bool {
        if !r
            .codes
            .iter()
            .any(|c| c == &f.code || c == "*" || (c.ends_with('*') && f.code.starts_with(&c[..c.len() - 1])))
        {
            return false;
        }
        if let Some(g) = &self.globs[i] {
            if !g.is_match(&f.location.path) {
                return false;
            }
        } else if r.path.is_some() {
            return false;
        }
        if let Some(ns) = &r.namespace {
            if f.object.as_ref().and_then(|o| o.namespace.as_ref()) != Some(ns) {
                return false;
            }
        }
        if let Some(want) = &r.object {
            let Some(o) = &f.object else { return false };
            let short = format!("{}/{}", o.kind, o.name);
            if want != &o.to_string() && want != &short {
                return false;
            }
        }
        if let Some(c) = &r.container {
            if f.container.as_ref() != Some(c) {
                return false;
            }
        }
        true
    }
}

/// `IMG001,POD003: reason` -> codes.
fn parse_annotation(v: &str) -> Vec<String> {
    let codes = v.split(':').next().unwrap_or("");
    codes
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Location;
    use mamori_model::ObjectRef;

    fn finding(code: &str, path: &str, ns: &str) -> Finding {
        Finding {
            code: code.into(),
            name: "x".into(),
            severity: Severity::High,
            object: Some(ObjectRef {
                api_version: "v1".into(),
                kind: "Pod".into(),
                namespace: Some(ns.into()),
                name: "p".into(),
            }),
            location: Location {
                path: path.into(),
                line: 1,
                column: 1,
                field: String::new(),
            },
            message: "m".into(),
            why: String::new(),
            hint: None,
            references: vec![],
            notes: vec![],
            container: None,
            fix: None,
        }
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2026-12-03"), Some(20_790));
        assert_eq!(parse_date("2026-13-01"), None);
    }

    #[test]
    fn config_rules_count_and_report_unused_and_expired() {
        let cfg = Config {
            ignore: vec![
                IgnoreRule {
                    codes: vec!["IMG001".into()],
                    path: Some("examples/**".into()),
                    reason: "demo".into(),
                    line: 2,
                    ..IgnoreRule::default()
                },
                IgnoreRule {
                    codes: vec!["POD001".into()],
                    reason: "unused".into(),
                    line: 5,
                    ..IgnoreRule::default()
                },
                IgnoreRule {
                    codes: vec!["SCH003".into()],
                    reason: "old".into(),
                    expires: Some("2020-01-01".into()),
                    line: 8,
                    ..IgnoreRule::default()
                },
            ],
            allow_annotations: true,
            ..Config::default()
        };
        let s = Suppressor::new(&cfg, None);
        let (kept, rep) = s.apply(
            vec![
                finding("IMG001", "examples/a.yaml", "x"),
                finding("IMG001", "prod/a.yaml", "x"),
                finding("SCH003", "a.yaml", "x"),
            ],
            &|_| None,
        );
        assert_eq!(kept.len(), 2);
        assert_eq!(rep.by_config, 1);
        assert_eq!(rep.unused, vec![(5, vec!["POD001".to_string()])]);
        assert_eq!(rep.expired.len(), 1);
    }

    #[test]
    fn config_errors_name_the_field() {
        let node = Node::from_json(&serde_json::json!({"ignore": [{"code": "IMG001"}]}));
        let e = Config::from_node(".mamori.yaml", Some(&node)).unwrap_err();
        assert!(e.message.contains("reason"));
        let node = Node::from_json(
            &serde_json::json!({"ignore": [{"code": "IMG001", "reason": "r", "expire": "2020-01-01"}]}),
        );
        let e = Config::from_node(".mamori.yaml", Some(&node)).unwrap_err();
        assert_eq!(e.field, "ignore[0].expire");
        let node = Node::from_json(&serde_json::json!({"registries": ["ghcr.io/my-org", 5]}));
        let e = Config::from_node(".mamori.yaml", Some(&node)).unwrap_err();
        assert_eq!(e.field, "registries[1]");
        let node = Node::from_json(&serde_json::json!({"registries": " ghcr.io "}));
        assert!(Config::from_node(".mamori.yaml", Some(&node)).is_err());
        let node = Node::from_json(&serde_json::json!({"registries": [" ghcr.io ", "*.example.com"]}));
        let cfg = Config::from_node(".mamori.yaml", Some(&node)).unwrap();
        assert_eq!(cfg.registries, ["ghcr.io", "*.example.com"]);
    }

    #[test]
    fn annotation_codes() {
        assert_eq!(
            parse_annotation("IMG001, POD002: vendor image"),
            vec!["IMG001", "POD002"]
        );
    }
}
