//! The np-guard connlist conformance runner, shared by
//! `examples/conformance.rs` (CI prints the count) and
//! `tests/conformance.rs` (fails below the floor).

use mamori_model::Inventory;
use mamori_netpol::list::{connlist_with, Direction, Focus, Format};
use mamori_netpol::{Engine, FieldValidation, Options};
use mamori_source::load::{load_paths, LoadOptions, ProblemKind};
use serde_json::Value;
use std::path::{Path, PathBuf};

#[allow(dead_code)] // `diff` is printed by the example only
pub struct Failure {
    pub case: String,
    pub reason: String,
    pub diff: Vec<String>,
}

#[derive(Default)]
pub struct Report {
    pub total: usize,
    pub passed: usize,
    pub failures: Vec<Failure>,
    pub unsupported: Vec<(String, String)>,
    pub bad_total: usize,
    pub bad_ok: usize,
    pub diff_total: usize,
    pub diff_passed: usize,
    pub exposure_total: usize,
    pub exposure_passed: usize,
    /// Exposure is partial: its failures are reported, not fatal.
    pub exposure_failures: Vec<Failure>,
    /// Each bad-input scenario and the errors mamori gave.
    pub bad_errors: Vec<(String, Vec<String>)>,
}

pub fn find_root() -> Option<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    for up in here.ancestors() {
        let p = up.join("shared/conformance/netpol");
        if p.join("cases.json").exists() {
            return Some(p);
        }
        let p = up.join("../shared/conformance/netpol");
        if p.join("cases.json").exists() {
            return Some(p);
        }
    }
    None
}

/// Why mamori cannot run a case yet, if it cannot. `multi`: the case runs
/// with multiple networks modelled (np-guard's multiple-networks option).
fn unsupported(case: &Value, dir: &Path, multi: bool) -> Option<String> {
    let text = dir_text(dir);
    let networks = [
        "UserDefinedNetwork",
        "NetworkAttachmentDefinition",
        "MultiNetworkPolicy",
    ]
    .iter()
    .any(|k| text.contains(k));
    if !multi && (case["multiple_networks"].as_bool() == Some(true) || networks) {
        return Some(
            "multiple networks (OVN-Kubernetes UDN/CUDN/NAD, MultiNetworkPolicy) are not run in this mode".into(),
        );
    }
    if !multi && text.contains("kind: VirtualMachine") {
        return Some("KubeVirt VirtualMachine workloads are modelled with multiple networks only".into());
    }
    None
}

fn dir_text(dir: &Path) -> String {
    let mut s = String::new();
    for e in walk(dir) {
        if let Ok(t) = std::fs::read_to_string(&e) {
            s.push_str(&t);
        }
    }
    s
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else { return out };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

pub fn load(dir: &Path) -> (Inventory, Vec<String>) {
    let r = load_paths(&[dir.to_path_buf()], &LoadOptions::default());
    let errors = r
        .problems
        .iter()
        .filter(|p| {
            matches!(
                p.kind,
                ProblemKind::Syntax | ProblemKind::Unreadable | ProblemKind::Binary
            )
        })
        .map(|p| format!("{}:{}: {}", p.path, p.pos.line, p.message))
        .collect();
    (Inventory::new(r.objects), errors)
}

/// Errors that make `mamori netpol list` refuse to answer: unparsable
/// input, refused policies, or nothing to analyse.
pub fn list_errors(engine: &Engine, load_errors: &[String]) -> Vec<String> {
    let mut e: Vec<String> = load_errors.to_vec();
    e.extend(engine.rejected().map(|i| {
        let file = i.at.rsplit_once(':').map(|(f, _)| f).unwrap_or(&i.at);
        format!("{file}:{}: {}: {}", i.line, i.field, i.message)
    }));
    if engine.endpoints.is_empty() && e.is_empty() {
        e.push("no workloads found".into());
    }
    e
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
        .unwrap_or_default()
}

pub fn run(root: &Path, filter: Option<&str>) -> Report {
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(root.join("cases.json")).expect("cases.json")).expect("json");
    let mut report = Report::default();
    for case in &cases {
        let Some((dir_rel, expected_rel, name)) = list_case(case, false, filter) else {
            continue;
        };
        let dir = root.join(dir_rel);
        let bad = is_bad(dir_rel);
        report.total += 1;
        let multi = case["multiple_networks"].as_bool() == Some(true);
        if let Some(why) = unsupported(case, &dir, multi) {
            report.unsupported.push((name, why));
            continue;
        }
        let (inv, load_errors) = load(&dir);
        let engine = engine_for(&inv, multi);
        let ingress = mamori_netpol::ingress::reachable(&inv, &engine);
        let mut errors = list_errors(&engine, &load_errors);
        if bad {
            report.bad_total += 1;
        }
        let expected = std::fs::read_to_string(root.join(expected_rel)).unwrap_or_default();
        if !errors.is_empty() {
            if bad {
                report.bad_ok += 1;
                report.passed += 1;
            } else {
                report.failures.push(Failure {
                    case: name,
                    reason: format!("refused: {}", errors.join("; ")),
                    diff: Vec::new(),
                });
            }
            continue;
        }
        if bad {
            report.failures.push(Failure {
                case: name,
                reason: "bad input gave an answer".into(),
                diff: Vec::new(),
            });
            continue;
        }
        let focus = focus_of(case);
        let conn = focus.conn;
        let lines = connlist_with(&engine, &focus, &ingress);
        let got = if multi {
            let m = mamori_netpol::networks::connlist_multi(&inv, &engine, &focus, lines);
            errors.extend(
                m.issues
                    .iter()
                    .filter(|i| i.rejected)
                    .map(|i| format!("{}: {}", i.at, i.message)),
            );
            mamori_netpol::networks::render_txt(&m, conn)
        } else {
            mamori_netpol::list::render_focused(&lines, Format::Txt, conn)
        };
        if !errors.is_empty() {
            report.failures.push(Failure {
                case: name,
                reason: format!("refused: {}", errors.join("; ")),
                diff: Vec::new(),
            });
            continue;
        }
        match compare(&expected, &got) {
            None => report.passed += 1,
            Some(diff) => report.failures.push(Failure {
                case: name,
                reason: format!("{} lines differ", diff.len()),
                diff,
            }),
        }
    }
    for case in &cases {
        let Some((dir_rel, expected_rel, name)) = list_case(case, true, filter) else {
            continue;
        };
        report.exposure_total += 1;
        let dir = root.join(dir_rel);
        if let Some(why) = unsupported(case, &dir, false) {
            report.unsupported.push((name, why));
            continue;
        }
        let focus = focus_of(case);
        let (inv, _) = load(&dir);
        let engine = engine_for(&inv, false);
        let ingress = mamori_netpol::ingress::reachable(&inv, &engine);
        let txt =
            mamori_netpol::list::render_focused(&connlist_with(&engine, &focus, &ingress), Format::Txt, focus.conn);
        let got = mamori_netpol::exposure::render_focused(&engine, &txt, &focus);
        let expected = std::fs::read_to_string(root.join(expected_rel)).unwrap_or_default();
        match compare(&expected, &got) {
            None => report.exposure_passed += 1,
            Some(diff) => report.exposure_failures.push(Failure {
                case: name,
                reason: format!("exposure: {} lines differ", diff.len()),
                diff,
            }),
        }
    }
    for case in &cases {
        if case["command"] != "diff" || case["format"] != "txt" {
            continue;
        }
        let (d1, d2) = (
            case["dir1"].as_str().unwrap_or_default(),
            case["dir2"].as_str().unwrap_or_default(),
        );
        if filter.is_some_and(|f| !d1.contains(f) && !d2.contains(f)) {
            continue;
        }
        let expected_rel = case["expected"].as_str().unwrap_or_default();
        let name = expected_rel.rsplit('/').next().unwrap_or(expected_rel).to_string();
        report.diff_total += 1;
        let multi = case["multiple_networks"].as_bool() == Some(true);
        if let Some(why) = unsupported(case, &root.join(d1), multi).or_else(|| unsupported(case, &root.join(d2), multi))
        {
            report.unsupported.push((name, why));
            continue;
        }
        let (i1, _) = load(&root.join(d1));
        let (i2, _) = load(&root.join(d2));
        let (e1, e2) = (engine_for(&i1, multi), engine_for(&i2, multi));
        let (n1, n2) = (
            mamori_netpol::networks::class_networks(&i1, &e1),
            mamori_netpol::networks::class_networks(&i2, &e2),
        );
        let (g1, g2) = (
            mamori_netpol::ingress::reachable(&i1, &e1),
            mamori_netpol::ingress::reachable(&i2, &e2),
        );
        let got = mamori_netpol::diff::render(
            &mamori_netpol::diff::diff_networks(
                &e1,
                &e2,
                &g1,
                &g2,
                [multi.then_some(&n1[..]), multi.then_some(&n2[..])],
            ),
            mamori_netpol::diff::Format::Txt,
        );
        let expected = std::fs::read_to_string(root.join(expected_rel)).unwrap_or_default();
        match compare(&expected, &got) {
            None => report.diff_passed += 1,
            Some(diff) => report.failures.push(Failure {
                case: name,
                reason: format!("diff: {} lines differ", diff.len()),
                diff,
            }),
        }
    }
    // The bad-input scenarios are not list cases: each must give errors.
    let mut bad_dirs = Vec::new();
    for sub in ["tests/bad_netpols", "tests/bad_yamls"] {
        if let Ok(rd) = std::fs::read_dir(root.join(sub)) {
            for e in rd.flatten() {
                if e.path().is_dir() {
                    bad_dirs.push(format!("{sub}/{}", e.file_name().to_string_lossy()));
                }
            }
        }
    }
    if let Ok(rd) = std::fs::read_dir(root.join("tests")) {
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().to_string();
            if is_bad(&n) && !n.starts_with("bad_") {
                bad_dirs.push(format!("tests/{n}"));
            }
        }
    }
    bad_dirs.sort();
    for rel in bad_dirs {
        if filter.is_some_and(|f| !rel.contains(f)) {
            continue;
        }
        report.bad_total += 1;
        // Scenarios with network objects run with multiple networks, as
        // upstream's tests for them do.
        let multi = unsupported(&Value::Null, &root.join(&rel), false).is_some()
            && unsupported(&Value::Null, &root.join(&rel), true).is_none();
        if let Some(why) = unsupported(&Value::Null, &root.join(&rel), multi) {
            report.unsupported.push((rel, why));
            report.bad_total -= 1;
            continue;
        }
        if let Some((_, why)) = DIVERGENT.iter().find(|(d, _)| *d == rel) {
            report.unsupported.push((rel, format!("intentional divergence: {why}")));
            report.bad_total -= 1;
            continue;
        }
        let (inv, load_errors) = load(&root.join(&rel));
        let engine = Engine::new(&inv, np_guard_options(multi));
        let mut errors = list_errors(&engine, &load_errors);
        if multi {
            let m = mamori_netpol::networks::connlist_multi(&inv, &engine, &Focus::default(), Vec::new());
            errors.extend(
                m.issues
                    .iter()
                    .filter(|i| i.rejected)
                    .map(|i| format!("{}: {}: {}", i.at, i.field, i.message)),
            );
        }
        if errors.is_empty() {
            report.failures.push(Failure {
                case: rel,
                reason: "bad input gave an answer".into(),
                diff: Vec::new(),
            });
        } else {
            report.bad_ok += 1;
            report.bad_errors.push((rel, errors));
        }
    }
    report
}

/// A txt `list` case (with or without `--exposure`, never `--explain`)
/// matching the filter: its folder, expected file and name.
fn list_case<'a>(case: &'a Value, exposure: bool, filter: Option<&str>) -> Option<(&'a str, &'a str, String)> {
    if case["command"] != "list"
        || case["format"] != "txt"
        || case["explain"] == true
        || (case["exposure"] == true) != exposure
    {
        return None;
    }
    let dir = case["dir"].as_str().unwrap_or_default();
    if filter.is_some_and(|f| !dir.contains(f)) {
        return None;
    }
    let expected = case["expected"].as_str().unwrap_or_default();
    Some((
        dir,
        expected,
        expected.rsplit('/').next().unwrap_or(expected).to_string(),
    ))
}

/// Upstream compares golden files with line breaks removed; lines are
/// compared here, in order. `None` when equal, else the missing (`-`) and
/// extra (`+`) lines.
fn compare(expected: &str, got: &str) -> Option<Vec<String>> {
    let got: Vec<&str> = got.lines().filter(|l| !l.trim().is_empty()).collect();
    let exp: Vec<&str> = expected
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
        .collect();
    if got == exp {
        return None;
    }
    let mut diff: Vec<String> = exp
        .iter()
        .filter(|l| !got.contains(l))
        .map(|l| format!("- {l}"))
        .collect();
    diff.extend(got.iter().filter(|l| !exp.contains(l)).map(|l| format!("+ {l}")));
    if diff.is_empty() {
        diff.push("(same lines, different order)".into());
    }
    Some(diff)
}

/// The engine np-guard's analysis corresponds to: with the ingress
/// controller when Ingress or Route objects are present.
fn engine_for(inv: &Inventory, multi: bool) -> Engine {
    if mamori_netpol::ingress::present(inv) {
        Engine::with_extra(inv, np_guard_options(multi), vec![mamori_netpol::ingress::controller()])
    } else {
        Engine::new(inv, np_guard_options(multi))
    }
}

/// np-guard decodes into Go structs, which drop unknown fields, and does
/// not validate workloads.
fn np_guard_options(multiple_networks: bool) -> Options {
    Options {
        field_validation: FieldValidation::Ignore,
        keep_rejected_workloads: true,
        multiple_networks,
    }
}

/// np-guard errors where the API server accepts the input; mamori answers
/// as the API defines it (and its NET checks warn).
const DIVERGENT: &[(&str, &str)] = &[
    (
        "tests/bad_netpols/subdir5",
        "a named port (`abc`) no destination pod has is valid API input; the rule allows nothing to those pods",
    ),
    (
        "tests/bad_netpols/subdir6",
        "a named port in an egress rule to an ipBlock is valid API input; it allows nothing to addresses",
    ),
    (
        "tests/bad_yamls/subdir4",
        "a Deployment, Service and ConfigMap the API server accepts; np-guard rejects a reference in the ConfigMap",
    ),
];

fn is_bad(dir: &str) -> bool {
    dir.contains("bad_netpols")
        || dir.contains("bad_yamls")
        || dir.contains("_bad_path_")
        || dir.contains("np_test_with_empty_port_range")
}

/// The focus options of a case, as upstream passes them.
fn focus_of(case: &Value) -> Focus {
    let mut workloads = names(&case["focusworkload"]);
    workloads.retain(|w| !w.is_empty());
    Focus {
        workloads,
        direction: match case["focus_direction"].as_str().unwrap_or("") {
            "ingress" => Direction::Ingress,
            "egress" => Direction::Egress,
            _ => Direction::Both,
        },
        peers: names(&case["focusworkload_peer"]),
        conn: Focus::parse_conn(case["focus_conn"].as_str().unwrap_or("")),
    }
}
