//! End-to-end tests of the `mamori` binary. Tests that need `../shared`
//! (the course's lab, the corpus, the SARIF schema) print a note and pass
//! when it is absent; CI always has it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn shared() -> Option<PathBuf> {
    let p = std::env::var_os("MAMORI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared"));
    if p.join("seed-lab").is_dir() {
        Some(p)
    } else {
        eprintln!(
            "note: {} not found; skipping the part of this test that needs it",
            p.display()
        );
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

fn json_findings(r: &Run) -> Vec<serde_json::Value> {
    let v: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.stdout));
    v["findings"].as_array().unwrap().clone()
}

#[test]
fn example_environment_json_report() {
    let r = mamori(&["scan", "examples/k8s-defense", "--format", "json"], &root());
    assert_eq!(r.code, 1, "high findings fail by default: {}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["schemaVersion"], "1");
    assert_eq!(v["summary"]["objects"], 6);
    let f = json_findings(&r);
    let sch = f
        .iter()
        .find(|f| f["code"] == "SCH003")
        .expect("misplaced capabilities reported");
    assert_eq!(sch["location"]["path"], "examples/k8s-defense/30-toolbox.yaml");
    assert_eq!(sch["location"]["line"], 19);
    assert_eq!(sch["location"]["field"], "spec.containers[0].capabilities");
    assert_eq!(sch["object"]["kind"], "Pod");
    assert_eq!(sch["object"]["namespace"], "shop");
    assert!(sch["hint"].as_str().unwrap().contains("securityContext"));
    for k in ["code", "name", "severity", "object", "location", "message", "hint"] {
        assert!(sch.get(k).is_some(), "finding lacks {k}");
    }
}

#[test]
fn exit_codes() {
    let r = mamori(&["scan", "examples/k8s-defense", "--fail-on", "never", "-q"], &root());
    assert_eq!(r.code, 0);
    let r = mamori(
        &["scan", "examples/k8s-defense", "--fail-on", "critical", "-q"],
        &root(),
    );
    // The example's service account is bound to cluster-admin and its token
    // is mounted in the pods: RBAC001 and RBAC014 are critical.
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("RBAC001") && r.stdout.contains("RBAC014"),
        "{}",
        r.stdout
    );
    let r = mamori(&["scan", "examples/k8s-defense", "--k8s-version", "1.12"], &root());
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("error: Kubernetes version \"1.12\" is not supported"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("hint:"));
    let r = mamori(&["scan", "no/such/path"], &root());
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("SCH002"), "{}", r.stdout);
    let r = mamori(&["explain", "NOPE999"], &root());
    assert_eq!(r.code, 2);
}

#[test]
fn stdin_and_output_file() {
    let dir = std::env::temp_dir().join(format!("mamori-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mamori"))
        .args(["scan", "-", "--format", "json", "-o", "out.json", "-q"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx\n",
        )
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "only medium findings");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out.json")).unwrap()).unwrap();
    let f = &report["findings"].as_array().unwrap()[0];
    assert_eq!(f["location"]["path"], "-");
    assert_eq!(f["object"]["namespace"], "default");
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left: {leftovers:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn hostile_input_is_reported_not_fatal() {
    let dir = std::env::temp_dir().join(format!("mamori-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut prev = 'a';
    for c in "bcdefghij".chars() {
        bomb.push_str(&format!(
            "{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
        prev = c;
    }
    std::fs::write(dir.join("bomb.yaml"), bomb).unwrap();
    std::fs::write(dir.join("deep.yaml"), "[".repeat(100_000)).unwrap();
    std::fs::write(dir.join("empty.yaml"), "").unwrap();
    std::fs::write(dir.join("binary.yaml"), [0u8, 159, 146, 150]).unwrap();
    std::fs::write(dir.join("scalar.yaml"), "just text\n").unwrap();
    std::fs::write(
        dir.join("ok.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n",
    )
    .unwrap();
    let r = mamori(&["scan", ".", "--format", "json"], &dir);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let f = json_findings(&r);
    let codes: Vec<(&str, &str)> = f
        .iter()
        .map(|f| (f["location"]["path"].as_str().unwrap(), f["code"].as_str().unwrap()))
        .collect();
    assert!(codes.contains(&("bomb.yaml", "SCH001")), "{codes:?}");
    assert!(codes.contains(&("deep.yaml", "SCH001")), "{codes:?}");
    assert!(codes.contains(&("binary.yaml", "SCH002")), "{codes:?}");
    assert!(codes.contains(&("scalar.yaml", "SCH011")), "{codes:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["summary"]["objects"], 1, "the good file is still analysed");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn seed_lab_defects_are_located_with_hint_and_consequence() {
    let Some(shared) = shared() else { return };
    let lab = shared.join("seed-lab");
    let cases = [
        (
            "ex1-k8s-defense/01-rbac/role-binding-limited.yaml",
            12,
            "apiGroup",
            "roleRef",
            "sa-limited gets no permissions",
        ),
        (
            "ex1-k8s-defense/02-netpol/network-policy-allowcurl.yaml",
            18,
            "spec.egress[0].to[0].ports",
            "beside `to`",
            "allows all ports",
        ),
        (
            "ex1-k8s-defense/02-netpol/network-policy-allowcurl.yaml",
            26,
            "spec.egress[1].to[0].ports",
            "beside `to`",
            "allows all ports",
        ),
        (
            "ex1-k8s-defense/02-netpol/network-policy-allownginx.yaml",
            18,
            "spec.ingress[0].from[0].ports",
            "beside `from`",
            "allows all ports",
        ),
        (
            "ex1-k8s-defense/03-pss/nonroot-pod.yaml",
            17,
            "spec.containers[0].capabilities",
            "under `securityContext`",
            "nothing is dropped",
        ),
        (
            "ex2-supply-chain/secure-pod.yaml",
            18,
            "spec.containers[0].capabilities",
            "under `securityContext`",
            "nothing is dropped",
        ),
        (
            "ex4-zero-trust/autho-details.yaml",
            15,
            "spec.rules[0].from[0].principals",
            "under `source`",
            "matches every caller",
        ),
        (
            "ex4-zero-trust/autho-productpage.yaml",
            0,
            "spec.rules[0].from[0].principals",
            "under `source`",
            "matches every caller",
        ),
        (
            "ex4-zero-trust/autho-ratings.yaml",
            0,
            "spec.rules[0].from[0].principals",
            "under `source`",
            "matches every caller",
        ),
        (
            "ex4-zero-trust/autho-reviews.yaml",
            0,
            "spec.rules[0].from[0].principals",
            "under `source`",
            "matches every caller",
        ),
    ];
    for (file, line, field, hint, consequence) in cases {
        let r = mamori(&["scan", file, "--format", "json", "--select", "SCH003"], &lab);
        let f = json_findings(&r);
        let hit = f
            .iter()
            .find(|x| x["location"]["field"] == field)
            .unwrap_or_else(|| panic!("{file}: no SCH003 at {field}: {}", r.stdout));
        if line > 0 {
            assert_eq!(hit["location"]["line"], line, "{file}");
        }
        assert_eq!(hit["location"]["path"], file);
        assert!(hit["hint"].as_str().unwrap().contains(hint), "{file}: {}", hit["hint"]);
        assert!(
            hit["message"].as_str().unwrap().contains(consequence),
            "{file}: {}",
            hit["message"]
        );
        assert!(
            hit["message"].as_str().unwrap().contains("strict decoding error"),
            "{file}"
        );
    }
    // The corrected files carry no schema defect.
    let r = mamori(
        &[
            "scan",
            "ex1-k8s-defense/01-rbac/corrected",
            "ex1-k8s-defense/02-netpol/corrected",
            "ex1-k8s-defense/03-pss/corrected",
            "ex2-supply-chain/corrected",
            "ex4-zero-trust/corrected",
            "--format",
            "json",
            "--select",
            "SCH",
        ],
        &lab,
    );
    assert_eq!(json_findings(&r), Vec::<serde_json::Value>::new());
}

#[test]
fn corpus_loads_and_sarif_validates() {
    let Some(shared) = shared() else { return };
    let corpus = shared.join("corpus");
    let r = mamori(
        &[
            "scan",
            corpus.to_str().unwrap(),
            "--format",
            "sarif",
            "--fail-on",
            "never",
            "-q",
        ],
        &root(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sarif: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shared.join("schemas/sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "SARIF does not validate: {errors:#?}");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
    // The same run as JSON: every object loaded, nothing lost.
    let r = mamori(
        &[
            "scan",
            corpus.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "never",
            "-q",
        ],
        &root(),
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["summary"]["files"].as_u64().unwrap() >= 500, "{}", v["summary"]);
    assert!(v["summary"]["objects"].as_u64().unwrap() >= 600, "{}", v["summary"]);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        !codes.contains(&"SCH001"),
        "unrendered Helm templates are notes, not syntax errors"
    );
}

#[test]
fn docs_are_current_and_explain_matches() {
    let r = mamori(&["docs", "--check"], &root());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = mamori(&["explain", "SCH003"], &root());
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        std::fs::read_to_string(root().join("docs/checks/SCH003.md")).unwrap()
    );
    let r = mamori(&["checks", "--format", "json"], &root());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v.as_array().unwrap().iter().any(|c| c["code"] == "SCH003"));
}

/// Answers of `explain-pod --format json` for one container: (root, unshare, ping).
fn runtime_answers(r: &Run, container: &str) -> (serde_json::Value, String, String) {
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
    let c = v[0]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == container)
        .unwrap_or_else(|| panic!("no container {container}: {}", r.stdout))
        .clone();
    let answer = |t: &str| {
        c["abilities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["try_it"] == t)
            .unwrap()["answer"]
            .as_str()
            .unwrap()
            .to_string()
    };
    (
        c["root"].clone(),
        answer("unshare --user --mount"),
        answer("ping -c 2 8.8.8.8"),
    )
}

#[test]
fn explain_pod_on_the_example_and_bad_targets() {
    let r = mamori(
        &[
            "explain-pod",
            "shop/toolbox",
            "examples/k8s-defense",
            "--format",
            "json",
        ],
        &root(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // curlimages/curl runs as uid 100; its misplaced capabilities are dropped,
    // so NET_RAW stays in the set, but a non-root process with
    // allowPrivilegeEscalation: false cannot use it. Unconfined seccomp
    // leaves unshare to the node's user-namespace setting.
    let (root_user, unshare, ping) = runtime_answers(&r, "toolbox");
    assert_eq!(root_user, serde_json::json!(false));
    assert_eq!(unshare, "unknown");
    assert_eq!(ping, "no");
    let r = mamori(&["explain-pod", "shop/nothing", "examples/k8s-defense"], &root());
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no pod or workload shop/nothing") && r.stderr.contains("shop/web (Pod)"),
        "{}",
        r.stderr
    );
    let r = mamori(&["explain-pod", "a/b/c", "examples/k8s-defense"], &root());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not NAMESPACE/NAME"), "{}", r.stderr);
}

/// The course's runtime table (EXPECTED.md, ex2): `id`, `unshare --user
/// --mount` and `ping` in secure-pod and insecure-pod.
#[test]
fn explain_pod_predicts_the_course_runtime_table() {
    let Some(shared) = shared() else { return };
    let lab = shared.join("seed-lab/ex2-supply-chain");
    let corrected = lab.join("corrected");
    let r = mamori(
        &[
            "explain-pod",
            "k8s-defense/secure-pod",
            corrected.to_str().unwrap(),
            "--format",
            "json",
        ],
        &root(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        runtime_answers(&r, "demo"),
        (serde_json::json!(false), "no".into(), "no".into())
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v[0]["containers"][0]["user"].as_str().unwrap().starts_with("uid 1000"));

    let insecure = lab.join("insecure-pod.yaml");
    let r = mamori(
        &[
            "explain-pod",
            "k8s-defense/insecure-pod",
            insecure.to_str().unwrap(),
            "--format",
            "json",
        ],
        &root(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        runtime_answers(&r, "demo"),
        (serde_json::json!(true), "yes".into(), "yes".into())
    );
}

#[test]
fn course_secret_pod_leaks_are_reported() {
    let Some(shared) = shared() else { return };
    let pod = shared.join("seed-lab/ex4-zero-trust/secret-test-pod.yaml");
    if !pod.is_file() {
        eprintln!("note: {} not found; skipping", pod.display());
        return;
    }
    let r = mamori(
        &[
            "scan",
            pod.to_str().unwrap(),
            "--select",
            "SEC",
            "--format",
            "json",
            "--fail-on",
            "never",
            "-q",
        ],
        &root(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let findings = json_findings(&r);
    let of = |code: &str| -> Vec<&serde_json::Value> { findings.iter().filter(|f| f["code"] == code).collect() };
    // The API key is passed as an env var ...
    let env = of("SEC004");
    assert_eq!(env.len(), 1, "{findings:#?}");
    assert_eq!(
        env[0]["location"]["field"],
        "spec.containers[0].env[0].valueFrom.secretKeyRef"
    );
    // ... and the command prints it twice: `env | grep API_KEY` and `cat` of the mounted file.
    let printed = of("SEC005");
    assert_eq!(printed.len(), 1, "{findings:#?}");
    assert_eq!(printed[0]["location"]["field"], "spec.containers[0].command[2]");
    let message = printed[0]["message"].as_str().unwrap();
    assert!(
        message.contains("`env` prints the environment, including API_KEY"),
        "{message}"
    );
    assert!(message.contains("`cat /mnt/secrets/API_KEY`"), "{message}");
}
