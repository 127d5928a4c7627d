//! End-to-end tests of `mamori rbac`: the course's answers (seed-lab
//! EXPECTED.md, ex1 00-vulnerable and 01-rbac) with exact output, and the
//! commands on inline manifests. Tests that need `../shared` print a note
//! and pass when it is absent.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn seed_lab() -> Option<PathBuf> {
    let p = std::env::var_os("MAMORI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared"))
        .join("seed-lab");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("note: {} not found; skipping the course's answers", p.display());
        None
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn mamori(args: &[&str], cwd: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_mamori"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const V: &str = "ex1-k8s-defense/00-vulnerable";
const R: &str = "ex1-k8s-defense/01-rbac";

fn sa(name: &str) -> String {
    format!("system:serviceaccount:k8s-defense:{name}")
}

/// `mamori rbac can-i VERB pods -n k8s-defense --as SA PATHS...`
fn can_i(lab: &Path, verb: &str, who: &str, paths: &[&str]) -> Run {
    let who = sa(who);
    let mut args = vec!["rbac", "can-i", verb, "pods", "-n", "k8s-defense", "--as", &who];
    args.extend_from_slice(paths);
    mamori(&args, lab)
}

fn step_01(corrected: bool) -> Vec<&'static str> {
    vec![
        V,
        "ex1-k8s-defense/01-rbac/role-readonly.yaml",
        "ex1-k8s-defense/01-rbac/service-account-limited.yaml",
        if corrected {
            "ex1-k8s-defense/01-rbac/corrected/role-binding-limited.yaml"
        } else {
            "ex1-k8s-defense/01-rbac/role-binding-limited.yaml"
        },
    ]
}

#[test]
fn ex1_00_sa_admin_can_get_and_delete_pods() {
    let Some(lab) = seed_lab() else { return };
    for verb in ["get", "delete"] {
        let r = can_i(&lab, verb, "sa-admin", &[V]);
        assert_eq!((r.code, r.stdout.as_str()), (0, "yes\n"), "{verb}: {}", r.stderr);
    }
    let r = mamori(
        &[
            "rbac",
            "can-i",
            "delete",
            "pods",
            "-n",
            "k8s-defense",
            "--as",
            &sa("sa-admin"),
            "--explain",
            V,
        ],
        &lab,
    );
    assert_eq!(r.code, 0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "yes");
    assert_eq!(
        lines[3].trim(),
        "ServiceAccount k8s-defense/sa-admin <- ClusterRoleBinding sa-admin-binding -> ClusterRole cluster-admin -> rules[0] verbs [*] apiGroups [*] resources [*]"
    );
    assert_eq!(
        lines[4].trim(),
        format!("binding: {V}/cluster-role-binding-admin.yaml:2")
    );
}

#[test]
fn ex1_01_sa_limited_with_the_corrected_binding_gets_but_cannot_delete() {
    let Some(lab) = seed_lab() else { return };
    let paths = step_01(true);
    let get = can_i(&lab, "get", "sa-limited", &paths);
    assert_eq!((get.code, get.stdout.as_str()), (0, "yes\n"), "{}", get.stderr);
    let delete = can_i(&lab, "delete", "sa-limited", &paths);
    assert_eq!((delete.code, delete.stdout.as_str()), (1, "no\n"), "{}", delete.stderr);
    assert_eq!(delete.stderr, "", "the corrected binding is valid");
    // sa-admin keeps cluster-admin in step 01: its binding is not removed.
    assert_eq!(can_i(&lab, "delete", "sa-admin", &paths).stdout, "yes\n");
}

#[test]
fn ex1_01_as_printed_binding_is_rejected_so_sa_limited_gets_nothing() {
    let Some(lab) = seed_lab() else { return };
    let paths = step_01(false);
    for verb in ["get", "delete"] {
        let r = can_i(&lab, verb, "sa-limited", &paths);
        assert_eq!((r.code, r.stdout.as_str()), (1, "no\n"), "{verb}");
        assert_eq!(
            r.stderr,
            format!(
                "warning: {R}/role-binding-limited.yaml:12: RoleBinding k8s-defense/sa-limited-binding: strict decoding error: unknown field \"apiGroup\"; the API server refuses it, so it grants nothing\n"
            )
        );
    }
}

#[test]
fn ex1_list_tables_with_and_without_namespace() {
    let Some(lab) = seed_lab() else { return };
    let list = |who: &str, ns: Option<&str>, paths: &[&str]| {
        let who = sa(who);
        let mut args = vec!["rbac", "can-i", "--list", "--as", who.as_str()];
        if let Some(ns) = ns {
            args.extend_from_slice(&["-n", ns]);
        }
        args.extend_from_slice(paths);
        let r = mamori(&args, &lab);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let expected = root().join("crates/mamori-rbac/tests/expected");
    let read = |f: &str| std::fs::read_to_string(expected.join(f)).unwrap();
    // 00: cluster-admin's `*.*` and `[*]` rows plus the bootstrap rows.
    assert_eq!(list("sa-admin", None, &[V]), read("sa-admin-default.txt"));
    let corrected = step_01(true);
    // Without -n kubectl asks about `default`: no pods row.
    let default_ns = list("sa-limited", None, &corrected);
    assert_eq!(default_ns, read("sa-limited-default.txt"));
    assert!(!default_ns.contains("pods"));
    let in_ns = list("sa-limited", Some("k8s-defense"), &corrected);
    assert_eq!(in_ns, read("sa-limited-k8s-defense.txt"));
    assert!(in_ns
        .lines()
        .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["pods", "[]", "[]", "[get", "list]"]));
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mamori-rbac-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const TEAM: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: shop}
rules:
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, create, update]
- apiGroups: [\"\"]
  resources: [secrets]
  resourceNames: [shop-tls]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-deployer, namespace: shop}
subjects:
- {kind: ServiceAccount, name: ci}
- {kind: User, name: dana}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
";

#[test]
fn who_can_matrix_and_unknown_names() {
    let d = scratch("who");
    write(&d, "team.yaml", TEAM);
    let r = mamori(&["rbac", "who-can", "create", "deploy", "-n", "shop", "team.yaml"], &d);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let subjects: Vec<&str> = r.stdout.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(
        subjects,
        [
            "3 subject(s) can create deployments.apps in namespace shop:",
            "User dana",
            "Group system:masters",
            "ServiceAccount shop/ci",
        ]
    );
    assert!(r.stdout.contains(
        "  RoleBinding shop/ci-deployer -> Role shop/deployer -> rules[0] verbs [get, list, create, update] apiGroups [apps] resources [deployments]  (team.yaml:13)"
    ));
    // Another namespace: nobody but system:masters.
    let other = mamori(
        &[
            "rbac",
            "who-can",
            "create",
            "deployments.apps",
            "-n",
            "prod",
            "team.yaml",
        ],
        &d,
    );
    assert!(other.stdout.starts_with("1 subject(s)"), "{}", other.stdout);
    let json = mamori(
        &[
            "rbac",
            "who-can",
            "create",
            "deploy",
            "-n",
            "shop",
            "team.yaml",
            "--format",
            "json",
        ],
        &d,
    );
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["subjects"].as_array().unwrap().len(), 3);

    let m = mamori(
        &[
            "rbac",
            "matrix",
            "--as",
            "dana",
            "-n",
            "shop",
            "team.yaml",
            "--no-bootstrap",
        ],
        &d,
    );
    assert_eq!(m.code, 0, "{}", m.stderr);
    let rows: Vec<Vec<&str>> = m
        .stdout
        .lines()
        .skip(1)
        .take(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0], ["secrets", "~", ".", ".", ".", ".", ".", ".", "."]);
    assert_eq!(rows[1], ["deployments.apps", "x", "x", ".", "x", "x", ".", ".", "."]);

    // Unknown resource and verb: still answered, with kubectl's warnings.
    let u = mamori(
        &[
            "rbac",
            "can-i",
            "frobnicate",
            "foos.example.com",
            "--as",
            "dana",
            "team.yaml",
        ],
        &d,
    );
    assert_eq!((u.code, u.stdout.as_str()), (1, "no\n"));
    assert!(u
        .stderr
        .contains("warning: the server doesn't have a resource type 'foos' in group 'example.com'"));
    assert!(u.stderr.contains("warning: verb 'frobnicate' is not a known verb"));
    assert!(u.stderr.contains("hint: "));
    // A named secret: granted by resourceNames, but never a list.
    let named = mamori(
        &[
            "rbac",
            "can-i",
            "get",
            "secrets/shop-tls",
            "-n",
            "shop",
            "--as",
            "dana",
            "team.yaml",
        ],
        &d,
    );
    assert_eq!(named.stdout, "yes\n");
    let list = mamori(
        &[
            "rbac",
            "can-i",
            "list",
            "secrets",
            "-n",
            "shop",
            "--as",
            "dana",
            "team.yaml",
        ],
        &d,
    );
    assert_eq!(list.stdout, "no\n");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn generate_from_an_audit_log_skips_bad_lines_and_round_trips() {
    let d = scratch("gen");
    let ev = |id: &str, verb: &str, ns: &str, res: &str, name: &str| {
        format!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"{id}","stage":"ResponseComplete","verb":"{verb}","requestURI":"/x","user":{{"username":"system:serviceaccount:shop:ci"}},"objectRef":{{"resource":"{res}","namespace":"{ns}","name":"{name}","apiGroup":"apps","apiVersion":"v1"}}}}"#
        )
    };
    let log = [
        ev("1", "create", "shop", "deployments", ""),
        "{ not json".to_string(),
        ev("2", "patch", "shop", "deployments", "web"),
        String::new(),
        "[1, 2]".to_string(),
    ]
    .join("\n");
    write(&d, "audit.log", &log);
    let r = mamori(
        &[
            "rbac",
            "generate",
            "--audit-log",
            "audit.log",
            "--serviceaccount",
            "shop/ci",
            "-o",
            "ci.yaml",
        ],
        &d,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("skipped 2 malformed line(s): 2, 5"), "{}", r.stderr);
    assert!(r.stderr.contains("grants nothing beyond the log"), "{}", r.stderr);
    let yaml = std::fs::read_to_string(d.join("ci.yaml")).unwrap();
    assert!(!yaml.contains("resourceNames"));
    // The generated manifest, read back: exactly the logged verbs.
    let ask = |verb: &str| {
        mamori(
            &[
                "rbac",
                "can-i",
                verb,
                "deployments.apps",
                "-n",
                "shop",
                "--as",
                "system:serviceaccount:shop:ci",
                "ci.yaml",
                "--no-bootstrap",
            ],
            &d,
        )
        .stdout
    };
    assert_eq!(
        (ask("create").as_str(), ask("patch").as_str(), ask("delete").as_str()),
        ("yes\n", "yes\n", "no\n")
    );
    let none = mamori(&["rbac", "generate", "--audit-log", "audit.log"], &d);
    assert_eq!(none.code, 2);
    assert!(
        none.stderr.contains("system:serviceaccount:shop:ci (2)"),
        "{}",
        none.stderr
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn ex1_00_top_finding_is_the_pod_to_cluster_admin_path() {
    let Some(lab) = seed_lab() else { return };
    let r = mamori(
        &["scan", V, "--select", "RBAC", "--format", "json", "--fail-on", "never"],
        &lab,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let curl = findings
        .iter()
        .find(|f| f["code"] == "RBAC014" && f["object"]["name"] == "curl")
        .expect("the curl pod's token path is reported");
    assert_eq!(curl["severity"], "critical");
    assert_eq!(curl["location"]["path"], format!("{V}/curl-pod.yaml"));
    assert_eq!(curl["location"]["line"], 12);
    assert_eq!(
        curl["message"],
        "a shell in `curl` can do anything, for example delete any pod in the whole cluster with the mounted token of ServiceAccount k8s-defense/sa-admin (sa-admin -> ClusterRoleBinding sa-admin-binding -> ClusterRole cluster-admin)"
    );
    let codes: Vec<&str> = findings.iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["RBAC001", "RBAC014", "RBAC014"]);
    // 01 (both bindings: the as-printed one is refused, the corrected one grants
    // get/list pods): the pods now run as sa-limited and no path is reported.
    let r = mamori(
        &[
            "scan",
            "ex1-k8s-defense/01-rbac",
            "--select",
            "RBAC014",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        &lab,
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0, "{}", r.stdout);
}

#[test]
fn matrix_lists_non_resource_urls() {
    let d = scratch("urls");
    write(
        &d,
        "urls.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: scraper}
rules:
- nonResourceURLs: [/metrics, /debug/*]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: scraper}
subjects:
- {kind: User, name: prom, apiGroup: rbac.authorization.k8s.io}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: scraper}
",
    );
    let m = mamori(&["rbac", "matrix", "--as", "prom", "urls.yaml", "--no-bootstrap"], &d);
    assert_eq!(m.code, 0, "{}", m.stderr);
    let section: Vec<Vec<&str>> = m
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("NON-RESOURCE URL"))
        .take(3)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        section,
        [
            vec!["NON-RESOURCE", "URL", "get", "head", "post", "put", "patch", "delete"],
            vec!["/debug/*", "x", ".", ".", ".", ".", "."],
            vec!["/metrics", "x", ".", ".", ".", ".", "."],
        ]
    );
    let j = mamori(
        &[
            "rbac",
            "matrix",
            "--as",
            "prom",
            "urls.yaml",
            "--no-bootstrap",
            "--format",
            "json",
        ],
        &d,
    );
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["nonResourceURLs"][1]["url"], "/metrics");
    assert_eq!(v["nonResourceURLs"][1]["verbs"]["get"], "allowed");
    assert_eq!(v["nonResourceURLs"][1]["verbs"]["post"], "denied");
}
