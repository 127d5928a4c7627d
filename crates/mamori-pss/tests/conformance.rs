//! Upstream conformance: every fixture of `shared/conformance/pss`
//! (kubernetes/pod-security-admission `test/testdata`), evaluated at its
//! folder's level and version. `pass/` must be allowed; `fail/` must be
//! forbidden with a message containing upstream's expected substring, and
//! (stricter than upstream) the failed checks must include the fixture's
//! own check or the restricted check that replaces it. Some fixtures fail
//! further checks by construction (a Windows HostProcess pod needs
//! hostNetwork; a privileged container cannot also set
//! allowPrivilegeEscalation=false); those are counted and listed.
//!
//! Fixtures are read with mamori's own loader and evaluated *as stored*
//! (`Object::stored`, unknown fields pruned), exactly what `mamori pss`
//! evaluates, so the runner also proves the loader keeps every field PSS reads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mamori_source::load::{load_texts, LoadOptions};

use mamori_pss::{evaluate, forbidden_message, CheckId, Evaluation, Level, PodInput, Version};

/// `../shared/conformance/pss` beside the repository, or under `$MAMORI_SHARED`
/// (as the CLI tests allow).
fn data_dir() -> PathBuf {
    std::env::var_os("MAMORI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")))
        .join("conformance/pss")
}

struct Row {
    path: String,
    level: Level,
    version: Version,
    expect_allowed: bool,
    check_id: Option<String>,
    substring: Option<String>,
    /// Set for fixtures an API server rejects in validation, before
    /// PodSecurity runs (hostUsers=true with an Unmasked procMount).
    note: Option<String>,
}

fn parse_rows(tsv: &str) -> Vec<Row> {
    let mut lines = tsv.lines();
    let header = lines.next().expect("header");
    assert_eq!(
        header,
        "path\tlevel\tversion\texpect\tcheck_id\texpected_message_substring\tnote"
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(cols.len() >= 6, "short row: {l}");
            let opt = |s: &str| (s != "-" && !s.is_empty()).then(|| s.to_string());
            Row {
                path: cols[0].to_string(),
                level: Level::parse(cols[1]).expect("level"),
                version: Version::parse(cols[2]).expect("version"),
                expect_allowed: match cols[3] {
                    "allowed" => true,
                    "forbidden" => false,
                    other => panic!("unknown expectation {other}"),
                },
                check_id: opt(cols[4]),
                substring: opt(cols[5]),
                note: cols.get(6).and_then(|n| opt(n)),
            }
        })
        .collect()
}

/// The checks that may legitimately report a fixture's failure at `level`:
/// the fixture's check, or the restricted check that replaces it there.
fn acceptable_checks(fixture_check: &str, level: Level, version: Version) -> Vec<CheckId> {
    let Some(id) = CheckId::parse(fixture_check) else {
        return Vec::new();
    };
    let minor = version.effective_minor(None);
    let mut ids = vec![id];
    if level == Level::Restricted {
        if let Some(r) = id.overridden_by() {
            if r.revision_at(minor).is_some() {
                ids.push(r);
            }
        }
    }
    ids
}

/// `Ok(extra)`: the fixture behaves as expected; `extra` lists further
/// failed checks beyond the fixture's own.
fn judge(row: &Row, pod: &serde_json::Value, eval: &Evaluation) -> Result<Vec<String>, String> {
    let name = pod["metadata"]["name"].as_str().unwrap_or("");
    if row.expect_allowed {
        if eval.allowed {
            return Ok(Vec::new());
        }
        return Err(format!("expected allowed, got: {}", eval.forbidden_detail()));
    }
    let Some(msg) = forbidden_message(name, row.level, row.version, eval) else {
        return Err("expected forbidden, got allowed".into());
    };
    let expected_prefix = format!(
        "pods \"{name}\" is forbidden: violates PodSecurity \"{}:{}\": ",
        row.level, row.version
    );
    if !msg.starts_with(&expected_prefix) {
        return Err(format!("bad message prefix: {msg}"));
    }
    let substring = row
        .substring
        .clone()
        .or_else(|| row.check_id.clone())
        .unwrap_or_default();
    if !msg.contains(&substring) {
        return Err(format!("message lacks {substring:?}: {msg}"));
    }
    if let Some(check) = &row.check_id {
        let ok = acceptable_checks(check, row.level, row.version);
        let got: Vec<&str> = eval.violations.iter().map(|v| v.check_id.as_ref()).collect();
        if !got.iter().any(|g| ok.iter().any(|c| c.as_str() == *g)) {
            return Err(format!("expected a failure of {ok:?}, got {got:?}: {msg}"));
        }
        return Ok(got
            .into_iter()
            .filter(|g| !ok.iter().any(|c| c.as_str() == *g))
            .map(String::from)
            .collect());
    }
    Ok(Vec::new())
}

/// The fixture's single object as the API server would store it, as JSON.
/// Upstream's fixtures skip API validation (some lack required fields), so
/// schema issues are expected; pruning is not: a fixture that loses a field
/// means the loader drops something PSS reads, which must not pass quietly.
fn stored_pod(path: &str, text: &str, opts: &LoadOptions) -> serde_json::Value {
    let load = load_texts(&[(path, text)], opts);
    assert!(load.problems.is_empty(), "{path}: {:?}", load.problems);
    assert_eq!(load.objects.len(), 1, "{path}: expected one object");
    let o = &load.objects[0];
    let stored = o.stored.to_json();
    assert_eq!(stored, o.node.to_json(), "{path}: the loader pruned a field");
    stored
}

#[test]
fn upstream_fixtures() {
    let dir = data_dir();
    let tsv_path = dir.join("EXPECTATIONS.tsv");
    if !tsv_path.is_file() {
        println!(
            "note: {} is absent; PSS conformance skipped (0 fixtures run)",
            dir.display()
        );
        return;
    }
    let opts = LoadOptions::default();
    let rows = parse_rows(&std::fs::read_to_string(&tsv_path).expect("read TSV"));
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut failures: Vec<String> = Vec::new();
    // check × outcome table, for the summary.
    let mut table: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    // (fixture check, extra failed checks) -> fixtures
    let mut extras: BTreeMap<(String, String), usize> = BTreeMap::new();
    for row in &rows {
        let file = dir.join("testdata").join(Path::new(&row.path));
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
        let pod = stored_pod(&row.path, &text, &opts);
        let eval = evaluate(&PodInput::from_pod(&pod), row.level, row.version);
        let key = row.check_id.clone().unwrap_or_else(|| "(base)".into());
        let entry = table.entry(key).or_default();
        match judge(row, &pod, &eval) {
            Ok(extra) => {
                passed += 1;
                entry.0 += 1;
                if !extra.is_empty() {
                    let k = (row.check_id.clone().unwrap_or_default(), extra.join("+"));
                    *extras.entry(k).or_default() += 1;
                }
            }
            Err(e) => {
                failed += 1;
                entry.1 += 1;
                failures.push(format!("{}: {e}", row.path));
            }
        }
    }
    for (check, (p, f)) in &table {
        println!("{check:<32} {p:>5} ok {f:>5} failed");
    }
    for ((check, extra), n) in &extras {
        println!("note: {n} {check} fixtures also fail {extra} (by construction upstream)");
    }
    let invalid: Vec<&str> = rows
        .iter()
        .filter(|r| r.note.is_some())
        .map(|r| r.path.as_str())
        .collect();
    if !invalid.is_empty() {
        println!(
            "note: {} fail fixtures are also invalid objects that upstream's API server rejects before \
             PodSecurity (still forbidden here): {}",
            invalid.len(),
            invalid.join(", ")
        );
    }
    for f in failures.iter().take(50) {
        println!("FAIL {f}");
    }
    println!("PSS conformance: {passed}/{} passed", rows.len());
    assert_eq!(rows.len(), 4537, "fixture count changed");
    assert_eq!(failed, 0, "{failed} PSS fixtures disagree with upstream");
}
