//! Conformance runner over the shared RBAC data (`../shared/conformance/rbac`,
//! see its INDEX.md): rbac-tool's who-can and policy-rules fixtures, whose
//! expected rows are read from each fixture's header comment; audit2rbac's
//! demo log against its documented Role for alice; the upstream bootstrap
//! copies against the built-in default policy. Prints counts; exits 1 on a
//! mismatch, 0 with a note when the data is absent.
//!
//! `cargo run -p mamori-rbac --example rbac_conformance`

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use mamori_model::Object;
use mamori_rbac::audit::{generate, AuditLog, GenerateOptions};
use mamori_rbac::resources::ResourceTable;
use mamori_rbac::{
    bootstrap, decode, table, Bootstrap, Decoded, FieldValidation, Options, Policy, RbacObject, Request, Scope,
    UserInfo,
};
use mamori_source::load::{load_texts, LoadOptions};

type Row = (String, String, String);

/// Where our answer differs from rbac-tool's header on purpose, and why
/// (the API server, not rbac-tool, is the reference).
const DIVERGENCES: &[(&str, &str, &str)] = &[
    (
        "nonresourceurl-reader.yaml",
        "get /test-reader",
        "the ClusterRole is bound by a RoleBinding, and the API server never consults RoleBindings for non-resource URLs",
    ),
    (
        "gatewat-api-operator.yaml",
        "get gateways",
        "the role grants create/update/delete/patch on gateways, not get",
    ),
];

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("MAMORI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    dir.join("conformance/rbac")
        .is_dir()
        .then(|| dir.join("conformance/rbac"))
}

fn objects(path: &Path) -> (String, Vec<Object>) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let shown = path.display().to_string();
    let objs = load_texts(&[(&shown, &text)], &LoadOptions::default()).objects;
    (text, objs)
}

/// `# Run:` commands and `# Expect:` table rows of an rbac-tool fixture header.
fn header(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut runs = Vec::new();
    let mut rows = Vec::new();
    let mut section = "";
    // The header is the comment block before the first YAML line (blank lines inside it occur).
    for line in text.lines().take_while(|l| l.starts_with('#') || l.trim().is_empty()) {
        let body = line.trim_start_matches('#').trim();
        match body {
            "Run:" | "Expect:" | "Install:" => section = body,
            _ if section == "Run:" && body.contains("rbac-tool") => runs.push(body.to_string()),
            _ if section == "Expect:" && body.contains('|') => {
                let cells: Vec<String> = body.split('|').map(|c| c.trim().to_string()).collect();
                if matches!(cells[0].as_str(), "User" | "Group" | "ServiceAccount") {
                    rows.push(cells);
                }
            }
            _ => {}
        }
    }
    (runs, rows)
}

/// The API group of a resource the built-in table does not know, as the
/// cluster's discovery would give it: the group the fixture's rules use.
fn group_from_rules(policy_objects: &[Object], resource: &str) -> String {
    for o in policy_objects {
        for rule in o.stored.get("rules").and_then(|r| r.as_seq()).unwrap_or_default() {
            let names = |k: &str| -> Vec<String> {
                rule.get(k)
                    .and_then(|v| v.as_seq())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_string))
                    .collect()
            };
            if names("resources").iter().any(|r| r == resource) {
                if let Some(g) = names("apiGroups").into_iter().find(|g| g != "*") {
                    return g;
                }
            }
        }
    }
    String::new()
}

fn who_can(dir: &Path, failures: &mut Vec<String>) -> (usize, usize, usize) {
    let (mut queries, mut exact, mut divergent) = (0, 0, 0);
    let whocan = dir.join("rbac-tool/testdata/whocan");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&whocan)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let table = ResourceTable::default();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let (text, objs) = objects(&f);
        let policy = Policy::from_objects(&objs, Options::default());
        let (runs, rows) = header(&text);
        let want: BTreeSet<Row> = rows
            .iter()
            .map(|c| (c[0].clone(), c[1].clone(), c.get(2).cloned().unwrap_or_default()))
            .collect();
        for run in runs {
            queries += 1;
            let (cmd, grep) = match run.split_once('|') {
                Some((c, g)) => (c, g.trim().strip_prefix("grep").map(|g| g.trim().to_string())),
                None => (run.as_str(), None),
            };
            let words: Vec<&str> = cmd.split_whitespace().skip_while(|w| *w != "who-can").skip(1).collect();
            let (verb, target) = (words[0], words[1]);
            let request = if target.starts_with('/') {
                Request::non_resource(verb, target)
            } else {
                let (res, res_name) = match target.split_once('/') {
                    Some((r, n)) => (r, Some(n)),
                    None => (target, None),
                };
                let r = table.resolve(res);
                let group = if r.warning.is_some() {
                    group_from_rules(&objs, res)
                } else {
                    r.group
                };
                let mut q = Request::resource(verb, &group, if r.warning.is_some() { res } else { &r.resource });
                if let Some(n) = res_name {
                    q = q.named(n);
                }
                q
            };
            let got: BTreeSet<Row> = policy
                .who_can(&request, &Scope::AnyNamespace)
                .into_iter()
                .filter(|w| grep.as_ref().is_none_or(|g| w.subject.name.contains(g.as_str())))
                .filter(|w| grep.is_some() || !w.grants.iter().all(|g| g.bootstrap) || w.privileged)
                .map(|w| {
                    (
                        w.subject.kind.as_str().to_string(),
                        w.subject.name,
                        w.subject.namespace.unwrap_or_default(),
                    )
                })
                .collect();
            let query = format!("{verb} {target}");
            let divergence = DIVERGENCES.iter().find(|(f, q, _)| *f == name && *q == query);
            if got == want {
                exact += 1;
            } else if let Some((_, _, why)) = divergence {
                divergent += 1;
                println!("    differs on purpose: {name}: who-can {query}: {why}");
                println!("      rbac-tool: {want:?}\n      mamori:    {got:?}");
            } else {
                failures.push(format!("who-can {name} {query}: expected {want:?}, got {got:?}"));
            }
        }
    }
    (queries, exact, divergent)
}

fn policy_rules(dir: &Path, failures: &mut Vec<String>) -> (usize, usize) {
    let f = dir.join("rbac-tool/testdata/policyrules/multiple-role-bindings.yaml");
    let (text, objs) = objects(&f);
    let policy = Policy::from_objects(&objs, Options::default());
    let (_, rows) = header(&text);
    let want: BTreeSet<Vec<String>> = rows
        .iter()
        .map(|c| {
            let group = if c[4] == "core" { String::new() } else { c[4].clone() };
            vec![
                c[1].clone(),
                c[2].clone(),
                c[3].clone(),
                group,
                c[5].clone(),
                c[6].clone(),
                c[8].clone(),
            ]
        })
        .collect();
    let mut got = BTreeSet::new();
    for subject in want
        .iter()
        .map(|r| (r[0].clone(), r[2].clone()))
        .collect::<BTreeSet<_>>()
    {
        let user = UserInfo::service_account(&subject.1, &subject.0);
        for g in policy
            .grants_for(&user, Some(&subject.1))
            .into_iter()
            .filter(|g| !g.bootstrap)
        {
            for r in table::breakdown(&g.rule) {
                got.insert(vec![
                    subject.0.clone(),
                    r.verbs[0].clone(),
                    subject.1.clone(),
                    r.api_groups[0].clone(),
                    r.resources[0].clone(),
                    r.resource_names.first().cloned().unwrap_or_default(),
                    format!(
                        "Roles>>{}/{}",
                        g.binding.namespace.clone().unwrap_or_default(),
                        g.role.name
                    ),
                ]);
            }
        }
    }
    let matched = want.intersection(&got).count();
    if want != got {
        failures.push(format!("policy-rules: expected {want:?}, got {got:?}"));
    }
    (want.len(), matched)
}

fn audit2rbac(dir: &Path, failures: &mut Vec<String>) -> usize {
    let log = AuditLog::parse(&std::fs::read_to_string(dir.join("audit2rbac/testdata/demo.log")).unwrap_or_default());
    let (_, expected) = objects(&dir.join("audit2rbac/expected/alice-roles.yaml"));
    let g = generate(&log, "alice", &GenerateOptions::default());
    // Compare as stored objects, names aside (audit2rbac names them audit2rbac:alice).
    let norm = |o: RbacObject| match o {
        RbacObject::Role(mut r) => {
            r.name.clear();
            r.labels.clear();
            format!("{r:?}")
        }
        RbacObject::RoleBinding(mut b) => {
            b.name.clear();
            b.role_ref.name.clear();
            format!("{b:?}")
        }
        other => format!("{other:?}"),
    };
    let ours: Vec<String> = g
        .objects
        .iter()
        .filter_map(|v| match decode(v, FieldValidation::Strict, "default") {
            Decoded::Accepted(o, _) => Some(norm(o)),
            _ => None,
        })
        .collect();
    let theirs: Vec<String> = expected
        .iter()
        .filter_map(
            |o| match decode(&o.stored.to_json(), FieldValidation::Strict, "default") {
                Decoded::Accepted(o, _) => Some(norm(o)),
                _ => None,
            },
        )
        .collect();
    if ours != theirs || ours.is_empty() {
        failures.push(format!("audit2rbac alice: expected {theirs:?}, got {ours:?}"));
        return 0;
    }
    for user in ["bob", "system:serviceaccount:ns1:sa1"] {
        let g = generate(&log, user, &GenerateOptions::default());
        println!(
            "    {user}: {} request(s) -> {} object(s) (no documented oracle)",
            g.requests,
            g.objects.len()
        );
    }
    ours.len()
}

fn bootstrap_copies(dir: &Path, failures: &mut Vec<String>) -> (usize, usize) {
    let ours: Vec<RbacObject> = bootstrap::objects(Bootstrap::default())
        .iter()
        .filter_map(|v| match decode(v, FieldValidation::Strict, "default") {
            Decoded::Accepted(o, _) => Some(o),
            _ => None,
        })
        .collect();
    let mut total = 0;
    let mut matched = 0;
    for rel in [
        "bootstrap/c60df899/cluster-role-bindings.yaml",
        "bootstrap/namespace-roles.yaml",
        "bootstrap/namespace-role-bindings.yaml",
    ] {
        for o in objects(&dir.join(rel)).1 {
            total += 1;
            match decode(&o.stored.to_json(), FieldValidation::Strict, "default") {
                Decoded::Accepted(obj, _) if ours.contains(&obj) => matched += 1,
                _ => failures.push(format!(
                    "bootstrap: {} {} differs from the built-in data",
                    o.kind, o.name
                )),
            }
        }
    }
    (total, matched)
}

fn main() {
    let Some(dir) = shared() else {
        println!("conformance: shared data (../shared/conformance/rbac) not found; skipped");
        return;
    };
    let mut failures = Vec::new();
    println!("RBAC conformance ({})", dir.display());
    let (q, exact, div) = who_can(&dir, &mut failures);
    println!("  rbac-tool who-can: {q} queries, {exact} match exactly, {div} differ on purpose");
    let (rows, matched) = policy_rules(&dir, &mut failures);
    println!("  rbac-tool policy-rules: {matched}/{rows} rows match");
    let n = audit2rbac(&dir, &mut failures);
    println!("  audit2rbac demo.log --user alice: {n}/2 objects match the documented Role and RoleBinding");
    let (total, ok) = bootstrap_copies(&dir, &mut failures);
    println!("  bootstrap policy: {ok}/{total} upstream objects match the built-in data");
    if failures.is_empty() {
        println!("conformance: all pass");
    } else {
        for f in &failures {
            println!("FAIL {f}");
        }
        println!("conformance: {} failure(s)", failures.len());
        std::process::exit(1);
    }
}
