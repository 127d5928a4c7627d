//! `mamori fix` on real files: snapshots of the diffs, idempotence, CRLF,
//! flow style, templates, PSS restricted after fixing, the course's pods.

use mamori_fix::{fix_text, FileFix, Options};
use std::path::{Path, PathBuf};

fn data(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn unsafe_opts() -> Options {
    Options {
        unsafe_fixes: true,
        ..Options::default()
    }
}

/// What a snapshot shows: the diff, the fixes applied, what was left alone.
fn report(f: &FileFix) -> String {
    let mut s = f.diff();
    s.push_str("--- applied\n");
    for a in &f.applied {
        s.push_str(&format!(
            "{} {} line {} {}: {}\n",
            a.code, a.object, a.line, a.path, a.description
        ));
    }
    for k in &f.skipped {
        s.push_str(&format!("skipped: {k}\n"));
    }
    if let Some(r) = &f.refused {
        s.push_str(&format!("refused: {r}\n"));
    }
    s
}

/// Fixing the fixed text changes nothing.
fn assert_idempotent(f: &FileFix, opts: &Options) {
    let again = fix_text(&f.path, &f.fixed, opts);
    assert_eq!(again.refused, None, "{}", f.path);
    assert_eq!(again.fixed, f.fixed, "fixing {} twice changed it again", f.path);
    assert!(again.applied.is_empty(), "{:?}", again.applied);
}

fn check(name: &str, opts: &Options) -> FileFix {
    let f = fix_text(name, &data(name), opts);
    assert_eq!(f.refused, None, "{name}");
    assert!(f.changed(), "{name} unchanged");
    assert_idempotent(&f, opts);
    f
}

#[test]
fn deployment_safe() {
    insta::assert_snapshot!(report(&check("deployment.yaml", &Options::default())));
}

#[test]
fn deployment_unsafe() {
    insta::assert_snapshot!(report(&check("deployment.yaml", &unsafe_opts())));
}

#[test]
fn partial_flow_and_null() {
    insta::assert_snapshot!(report(&check("partial.yaml", &unsafe_opts())));
}

#[test]
fn multi_document_cronjob_and_list() {
    insta::assert_snapshot!(report(&check("multi.yaml", &unsafe_opts())));
}

#[test]
fn templates_are_refused() {
    let f = fix_text("template.yaml", &data("template.yaml"), &Options::default());
    assert!(!f.changed());
    let r = f.refused.expect("refused");
    assert!(r.contains("template.yaml:4:") && r.contains("helm template"), "{r}");
}
