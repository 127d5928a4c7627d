//! Meta-tests of the catalog: unique codes, complete docs, a fixture and a
//! snapshot per check, and each doc's Example fires while Use instead does not.

use mamori_checks::context::section;
use mamori_checks::docs::SECTIONS;
use mamori_checks::{all, analyze, Check};
use mamori_diagnostics::{Config, Finding};
use mamori_source::load::{load_texts, LoadOptions};
use std::collections::HashSet;
use std::path::PathBuf;

/// Checks whose Example cannot be expressed as YAML text, with the reason.
const EXAMPLE_NOT_YAML: &[(&str, &str)] = &[("SCH002", "needs a binary or unreadable file; covered by its fixture")];

/// The `.mamori.yaml` a check's doc example and fixture assume: checks
/// that are off without a setting get the one their doc names.
fn config_for(code: &str) -> Config {
    let mut cfg = Config::empty();
    if code == "IMG004" {
        cfg.registries = vec!["registry.example.com".into()];
    }
    cfg
}

fn scan(path: &str, text: &str, check: &'static dyn Check) -> Vec<Finding> {
    analyze(
        load_texts(&[(path, text)], &LoadOptions::default()),
        &config_for(check.meta().code),
        &[check],
    )
    .findings
}

fn yaml_block(body: &str) -> Option<String> {
    let start = body.find("```yaml\n")? + "```yaml\n".len();
    let end = body[start..].find("```")? + start;
    Some(body[start..end].to_string())
}

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for c in all() {
        let m = c.meta();
        assert!(codes.insert(m.code), "duplicate code {}", m.code);
        assert!(names.insert(m.name), "duplicate name {}", m.name);
        let (group, num) = m
            .code
            .split_at(m.code.find(|ch: char| ch.is_ascii_digit()).expect("code has digits"));
        assert!(
            group.chars().all(|c| c.is_ascii_uppercase()) && num.len() == 3,
            "{}",
            m.code
        );
        assert!(
            m.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}",
            m.name
        );
    }
}

#[test]
fn every_doc_has_every_section() {
    for c in all() {
        let m = c.meta();
        let mut last = 0;
        for s in SECTIONS {
            let head = format!("## {s}\n");
            let at = m
                .doc
                .find(&head)
                .unwrap_or_else(|| panic!("{}: missing section {s}", m.code));
            assert!(at >= last, "{}: section {s} out of order", m.code);
            last = at;
            assert!(
                !section(m.doc, s).unwrap().is_empty(),
                "{}: section {s} is empty",
                m.code
            );
        }
        assert!(
            section(m.doc, "References").unwrap().contains("<http"),
            "{}: References needs at least one link",
            m.code
        );
    }
}

#[test]
fn example_fires_and_use_instead_does_not() {
    for c in all() {
        let m = c.meta();
        if EXAMPLE_NOT_YAML.iter().any(|(code, _)| *code == m.code) {
            continue;
        }
        let bad = yaml_block(section(m.doc, "Example").unwrap())
            .unwrap_or_else(|| panic!("{}: Example has no yaml block", m.code));
        let good = yaml_block(section(m.doc, "Use instead").unwrap())
            .unwrap_or_else(|| panic!("{}: Use instead has no yaml block", m.code));
        let fired = scan("example.yaml", &bad, c);
        assert!(
            fired.iter().any(|f| f.code == m.code),
            "{}: Example does not fire",
            m.code
        );
        let quiet = scan("use-instead.yaml", &good, c);
        assert!(
            !quiet.iter().any(|f| f.code == m.code),
            "{}: Use instead fires: {quiet:#?}",
            m.code
        );
    }
}

fn fixture_path(code: &str) -> PathBuf {
    let group = code.trim_end_matches(|c: char| c.is_ascii_digit()).to_lowercase();
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(group)
        .join(format!("{code}.yaml"))
}

#[test]
fn every_check_has_a_fixture_and_a_snapshot() {
    for c in all() {
        let m = c.meta();
        let path = fixture_path(m.code);
        let bytes = std::fs::read(&path).unwrap_or_else(|_| panic!("{}: missing fixture {}", m.code, path.display()));
        let shown = format!(
            "fixtures/{}",
            path.strip_prefix(path.parent().unwrap().parent().unwrap())
                .unwrap()
                .display()
        );
        let findings = match String::from_utf8(bytes) {
            Ok(text) if !text.contains('\0') => scan(&shown, &text, c),
            _ => {
                // Binary fixtures go through the file loader, as a user's would.
                let mut load = mamori_source::load::load_paths(std::slice::from_ref(&path), &LoadOptions::default());
                for p in &mut load.problems {
                    p.path = shown.clone();
                }
                analyze(load, &config_for(m.code), &[c]).findings
            }
        };
        let mine: Vec<&Finding> = findings.iter().filter(|f| f.code == m.code).collect();
        assert!(!mine.is_empty(), "{}: fixture produces no finding", m.code);
        let text: String = mine
            .iter()
            .map(|f| {
                format!(
                    "{}:{}:{} {} {} [{}]\n  {}\n  hint: {}\n",
                    f.location.path,
                    f.location.line,
                    f.location.column,
                    f.code,
                    f.severity,
                    f.location.field,
                    f.message,
                    f.hint.as_deref().unwrap_or("-")
                )
            })
            .collect();
        insta::assert_snapshot!(m.code, text);
    }
}

/// On a large input the catalog runs its check groups on several threads;
/// the findings must be those of each check run alone, merged in catalog
/// order and sorted (what a single walk gives).
#[test]
fn threaded_run_equals_check_by_check() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut texts = Vec::new();
    for group in std::fs::read_dir(&dir).unwrap() {
        for f in std::fs::read_dir(group.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            if let Ok(t) = std::fs::read_to_string(&p) {
                // Copies under other paths make the inventory large enough for threads.
                for copy in 0..3 {
                    texts.push((format!("{copy}/{}", p.display()), t.clone()));
                }
            }
        }
    }
    texts.sort();
    let sources: Vec<(&str, &str)> = texts.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let mut cfg = Config::empty();
    cfg.registries = vec!["registry.example.com".into()];
    let catalog = all();
    let together = analyze(load_texts(&sources, &LoadOptions::default()), &cfg, &catalog);
    assert!(together.inventory.objects.len() >= 200, "too few objects for threads");
    let cx = mamori_checks::Context {
        inventory: &together.inventory,
        problems: &together.load.problems,
        issues: &together.load.issues,
        config: &cfg,
    };
    let mut alone: Vec<Finding> = catalog
        .iter()
        .flat_map(|c| mamori_checks::run(&cx, std::slice::from_ref(c)))
        .collect();
    alone.sort_by_cached_key(Finding::sort_key);
    let key = |f: &Finding| (f.sort_key(), f.container.clone(), f.severity);
    assert!(together.findings.len() > 500);
    assert_eq!(
        together.findings.iter().map(key).collect::<Vec<_>>(),
        alone.iter().map(key).collect::<Vec<_>>()
    );
}
