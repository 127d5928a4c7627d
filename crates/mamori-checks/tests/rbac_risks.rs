//! `crates/mamori-rbac/RISKS.md` maps every rule of the peer catalogs in
//! `../shared/conformance/rbac` to mamori checks, or says why none: a rule
//! missing there, a row with neither a check nor a reason, or a row naming
//! a check that does not exist fails this test.

use mamori_checks::all;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shared_rbac() -> Option<PathBuf> {
    let p = std::env::var_os("MAMORI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir().join("../../../shared"))
        .join("conformance/rbac");
    if p.join("INDEX.md").is_file() {
        Some(p)
    } else {
        eprintln!("note: {} not found; checking RISKS.md's own rows only", p.display());
        None
    }
}

/// One table row: the checks it names and its note.
struct Row {
    line: usize,
    codes: Vec<String>,
    note: String,
}

/// The rows of RISKS.md, by section (`krane`, `rbac-police`, `rbac-tool`)
/// and rule.
fn risks() -> BTreeMap<String, BTreeMap<String, Row>> {
    let path = crate_dir().join("../mamori-rbac/RISKS.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out: BTreeMap<String, BTreeMap<String, Row>> = BTreeMap::new();
    let mut section = String::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(h) = line.strip_prefix("## ") {
            section = h.split_whitespace().next().unwrap_or_default().to_string();
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // `| rule | checks | note |` splits into 5 cells, the outer two empty.
        if cells.len() != 5 || !cells[1].starts_with('`') {
            continue;
        }
        let rule = cells[1].trim_matches('`').to_string();
        let codes = if cells[2] == "-" {
            Vec::new()
        } else {
            cells[2].split(',').map(|c| c.trim().to_string()).collect()
        };
        let row = Row {
            line: i + 1,
            codes,
            note: cells[3].to_string(),
        };
        assert!(
            out.entry(section.clone())
                .or_default()
                .insert(rule.clone(), row)
                .is_none(),
            "RISKS.md:{}: `{rule}` is listed twice under {section}",
            i + 1
        );
    }
    out
}

/// The rule ids of each upstream catalog, read from its file.
fn upstream(dir: &std::path::Path) -> BTreeMap<String, BTreeSet<String>> {
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let mut out = BTreeMap::new();
    // krane: `- id: NAME` items of the top-level `rules:` list.
    out.insert(
        "krane".to_string(),
        read("krane/config/rules.yaml")
            .lines()
            .filter_map(|l| l.strip_prefix("- id:"))
            .map(|s| s.trim().to_string())
            .collect(),
    );
    let police: serde_json::Value = serde_json::from_str(&read("rbac-police/policies.json")).expect("policies.json");
    out.insert(
        "rbac-police".to_string(),
        police["policies"]
            .as_array()
            .expect("policies array")
            .iter()
            .map(|p| p["id"].as_str().expect("policy id").to_string())
            .collect(),
    );
    // rbac-tool: `- Name: NAME` items of `Rules:` (exclusions have no Name).
    out.insert(
        "rbac-tool".to_string(),
        read("rbac-tool/pkg/analysis/default-rules.yaml")
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("- Name:"))
            .map(|s| s.trim().to_string())
            .collect(),
    );
    out
}

#[test]
fn every_row_names_a_real_check_or_gives_a_reason() {
    let codes: BTreeSet<&str> = all().iter().map(|c| c.meta().code).collect();
    let risks = risks();
    assert_eq!(
        risks.keys().map(String::as_str).collect::<Vec<_>>(),
        ["krane", "rbac-police", "rbac-tool"],
        "RISKS.md sections"
    );
    for rows in risks.values() {
        for (rule, row) in rows {
            assert!(
                !row.codes.is_empty() || !row.note.is_empty(),
                "RISKS.md:{}: `{rule}` names no check and gives no reason",
                row.line
            );
            for c in &row.codes {
                assert!(
                    codes.contains(c.as_str()),
                    "RISKS.md:{}: `{rule}` names {c}, which is not a check",
                    row.line
                );
            }
        }
    }
}

#[test]
fn every_catalog_rule_is_mapped() {
    let Some(dir) = shared_rbac() else { return };
    let risks = risks();
    let upstream = upstream(&dir);
    let sizes: Vec<(&str, usize)> = upstream.iter().map(|(k, v)| (k.as_str(), v.len())).collect();
    // The catalogs as INDEX.md describes them (krane's count includes its
    // disabled example rule).
    assert_eq!(sizes, [("krane", 53), ("rbac-police", 23), ("rbac-tool", 15)]);
    for (section, rules) in &upstream {
        let mapped: BTreeSet<String> = risks
            .get(section)
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default();
        let missing: Vec<_> = rules.difference(&mapped).collect();
        let stale: Vec<_> = mapped.difference(rules).collect();
        assert!(missing.is_empty(), "{section}: rules not in RISKS.md: {missing:?}");
        assert!(
            stale.is_empty(),
            "{section}: RISKS.md rows for no upstream rule: {stale:?}"
        );
    }
}
