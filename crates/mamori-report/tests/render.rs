//! Snapshots of every renderer over real findings: the bundled example
//! scanned by the real loader and catalog, so a change in any format shows
//! up as a reviewed diff.

use mamori_checks::{all, analyze};
use mamori_diagnostics::{Config, Finding, SuppressionReport};
use mamori_report::{junit, sarif, table, Summary};
use mamori_source::load::{load_texts, LoadOptions};

/// Two small files with findings of several severities, containers and
/// notes; read from the example so the snapshots follow it.
fn findings() -> (Vec<Finding>, Summary) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/k8s-defense");
    let mut names: Vec<String> = std::fs::read_dir(root)
        .expect("examples/k8s-defense")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    let texts: Vec<(String, String)> = names
        .iter()
        .map(|n| {
            (
                format!("examples/k8s-defense/{n}"),
                std::fs::read_to_string(format!("{root}/{n}")).unwrap(),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = texts.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let a = analyze(load_texts(&refs, &LoadOptions::default()), &Config::empty(), &all());
    let (findings, inventory, load) = (a.findings, a.inventory, a.load);
    assert!(findings.len() >= 3, "the example must produce findings to render");
    let mut summary = Summary {
        k8s_version: "1.37".into(),
        files: load.files,
        documents: load.documents,
        objects: inventory.objects.len(),
        ..Summary::default()
    };
    summary.fill(
        &findings,
        &SuppressionReport::default(),
        mamori_diagnostics::Severity::High,
    );
    (findings, summary)
}

#[test]
fn table_plain() {
    let (f, s) = findings();
    insta::assert_snapshot!(table::render(&f, &s, &table::Style { color: false }));
}

#[test]
fn table_coloured_differs_only_by_escapes() {
    let (f, s) = findings();
    let plain = table::render(&f, &s, &table::Style { color: false });
    let coloured = table::render(&f, &s, &table::Style { color: true });
    assert!(coloured.contains("\u{1b}["), "colour output has ANSI escapes");
    let stripped = strip_ansi(&coloured);
    assert_eq!(stripped, plain);
}

#[test]
fn junit() {
    let (f, _) = findings();
    insta::assert_snapshot!(junit::render(&f));
}

/// The rules' prose comes from the check docs, whole: asserted here, then
/// redacted, so that editing a doc does not churn the snapshot while a
/// change of SARIF structure or of any rule's metadata still shows.
#[test]
fn sarif() {
    let (f, _) = findings();
    let mut v: serde_json::Value = serde_json::from_str(&sarif::render(&f)).expect("SARIF is JSON");
    let driver = &mut v["runs"][0]["tool"]["driver"];
    for (_, field) in driver.as_object_mut().expect("driver").iter_mut() {
        if field == env!("CARGO_PKG_VERSION") {
            *field = "[version]".into();
        }
    }
    let rules = driver["rules"].as_array_mut().expect("rules");
    let checks = all();
    assert_eq!(rules.len(), checks.len(), "one rule per check");
    for (rule, check) in rules.iter_mut().zip(&checks) {
        let meta = check.meta();
        assert_eq!(rule["id"], meta.code);
        let page = mamori_checks::docs::page(meta);
        assert_eq!(rule["help"]["text"], page.as_str(), "{}", meta.code);
        assert_eq!(rule["help"]["markdown"], page.as_str(), "{}", meta.code);
        let what = mamori_checks::context::section(meta.doc, "What it finds").expect("What it finds");
        let what: Vec<&str> = what.split_whitespace().collect();
        assert_eq!(
            rule["fullDescription"]["text"],
            what.join(" ").as_str(),
            "{}",
            meta.code
        );
        rule["help"] = serde_json::json!({"text": "[docs page]", "markdown": "[docs page]"});
        rule["fullDescription"]["text"] = "[What it finds]".into();
    }
    insta::assert_snapshot!(serde_json::to_string_pretty(&v).expect("serialises"));
}

#[test]
fn json() {
    let (f, s) = findings();
    insta::assert_snapshot!(mamori_report::json(&f, &s).replace(env!("CARGO_PKG_VERSION"), "[version]"));
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
