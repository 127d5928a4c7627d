//! End-to-end tests of `mamori pss`. The course's answers (`../shared/seed-lab`,
//! ex1 03-pss) are checked byte for byte against `EXPECTED.md` when `../shared`
//! is present; without it those tests print a note and pass.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The course's ex1 03-pss folder and its EXPECTED.md, when present.
fn seed_lab() -> Option<(PathBuf, String)> {
    let shared = std::env::var_os("MAMORI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared"));
    let lab = shared.join("seed-lab");
    match std::fs::read_to_string(lab.join("EXPECTED.md")) {
        Ok(expected) if lab.join("ex1-k8s-defense/03-pss").is_dir() => Some((lab, expected)),
        _ => {
            eprintln!("note: {} not found; skipping the course's PSS answers", lab.display());
            None
        }
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

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", r.stdout, r.stderr))
}

/// The result of `name` in `mode`.
fn result<'a>(v: &'a Value, name: &str, mode: &str) -> &'a Value {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["object"]["name"] == name && r["mode"] == mode)
        .unwrap_or_else(|| panic!("no {mode} result for {name}: {v:#}"))
}

/// The text of the first backquoted span in EXPECTED.md's 03-pss section
/// that starts with `prefix`.
fn expected_quote(expected: &str, prefix: &str) -> String {
    let section = &expected[expected.find("### 03-pss").expect("03-pss section")..];
    let section = &section[..section[4..].find("\n## ").map_or(section.len(), |e| e + 4)];
    let start = section
        .find(&format!("`{prefix}"))
        .unwrap_or_else(|| panic!("EXPECTED.md quotes no `{prefix}..."))
        + 1;
    let end = section[start..].find('`').expect("closing backquote") + start;
    // The quote may be wrapped across lines in the markdown source.
    section[start..end].split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A scratch folder with the given files.
fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mamori-pss-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (f, text) in files {
        std::fs::write(dir.join(f), text).unwrap();
    }
    dir
}

#[test]
fn course_root_pod_is_forbidden_byte_for_byte_and_passes_audit_baseline() {
    let Some((lab, expected)) = seed_lab() else { return };
    let dir = lab.join("ex1-k8s-defense");
    let r = mamori(
        &[
            "pss",
            "03-pss/namespace-k8s-pss.yaml",
            "03-pss/root-pod.yaml",
            "--format",
            "json",
        ],
        &dir,
    );
    assert_eq!(r.code, 1, "enforce rejects the pod: {}", r.stderr);
    let v = json(&r);
    let enforce = result(&v, "root-pod", "enforce");
    assert_eq!(enforce["level"], "restricted");
    assert_eq!(enforce["version"], "latest");
    assert_eq!(enforce["allowed"], false);
    assert_eq!(
        enforce["message"].as_str().unwrap(),
        expected_quote(&expected, "pods \"root-pod\" is forbidden")
    );
    assert_eq!(enforce["location"]["path"], "03-pss/root-pod.yaml");
    assert_eq!(enforce["location"]["line"], 1);
    // The API server's whole answer: rejected, no warning, the enforce policy annotated.
    let adm = v["admission"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["object"]["name"] == "root-pod")
        .unwrap();
    assert_eq!(adm["allowed"], false);
    assert_eq!(adm["message"], enforce["message"]);
    assert_eq!(adm["warnings"], serde_json::json!([]));
    assert_eq!(
        adm["auditAnnotations"],
        serde_json::json!({"pod-security.kubernetes.io/enforce-policy": "restricted:latest"})
    );
    let audit = result(&v, "root-pod", "audit");
    assert_eq!(
        (audit["level"].as_str(), audit["allowed"].as_bool()),
        (Some("baseline"), Some(true))
    );
    assert_eq!(audit["message"], Value::Null);
    assert_eq!(enforce["strictestLevel"], "baseline");
    let ns = &v["namespaces"][0];
    assert_eq!(ns["name"], "k8s-pss");
    assert_eq!(ns["policy"]["enforce"], "restricted:latest");
    assert_eq!(ns["policy"]["audit"], "baseline:latest");

    // The text report prints the same message on its own line.
    let t = mamori(&["pss", "03-pss/namespace-k8s-pss.yaml", "03-pss/root-pod.yaml"], &dir);
    assert_eq!(t.code, 1);
    let want = expected_quote(&expected, "pods \"root-pod\" is forbidden");
    assert!(t.stdout.lines().any(|l| l.trim() == want), "{}", t.stdout);
}

#[test]
fn course_nonroot_pod_as_printed_and_corrected() {
    let Some((lab, expected)) = seed_lab() else { return };
    let dir = lab.join("ex1-k8s-defense");
    let r = mamori(
        &[
            "pss",
            "03-pss/namespace-k8s-pss.yaml",
            "03-pss/nonroot-pod.yaml",
            "--format",
            "json",
        ],
        &dir,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    // As printed, `capabilities` is a container field that does not exist:
    // dropped, the pod fails restricted for that one reason.
    let enforce = result(&v, "restricted-pod", "enforce");
    assert_eq!(enforce["allowed"], false);
    let violations = enforce["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert_eq!(violations[0]["check"], "capabilities_restricted");
    let quoted = expected_quote(&expected, "unrestricted capabilities");
    assert_eq!(
        enforce["message"].as_str().unwrap(),
        format!("pods \"restricted-pod\" is forbidden: violates PodSecurity \"restricted:latest\": {quoted}")
    );
    let notes = v["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["kind"] == "droppedField"
            && n["message"]
                .as_str()
                .unwrap()
                .contains("spec.containers[0].securityContext.capabilities")),
        "{notes:#?}"
    );

    let r = mamori(
        &[
            "pss",
            "03-pss/namespace-k8s-pss.yaml",
            "03-pss/corrected/nonroot-pod.yaml",
            "--format",
            "json",
        ],
        &dir,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json(&r);
    for mode in ["enforce", "audit", "warn"] {
        let res = result(&v, "nonroot-pod", mode);
        assert_eq!(res["allowed"], true, "{mode}");
        assert_eq!(res["message"], Value::Null, "{mode}");
    }
    assert_eq!(result(&v, "nonroot-pod", "enforce")["strictestLevel"], "restricted");
    let notes = v["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert_eq!(notes[0]["kind"], "runAsNonRootWithoutRunAsUser");
    let m = notes[0]["message"].as_str().unwrap();
    assert!(
        m.starts_with("container \"app\" sets runAsNonRoot: true without runAsUser")
            && m.contains("image \"busybox\"")
            && m.contains("container has runAsNonRoot and image will run as root"),
        "{m}"
    );
    let ns = &v["namespaces"][0];
    assert_eq!(ns["strictestLevel"], "restricted");
    assert_eq!(ns["nextLevel"], Value::Null);
}

const NAMESPACE: &str = "apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/enforce-version: v1.30
";

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.example/web:1.0
";

const HOST_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: agent
  namespace: shop
spec:
  hostPID: true
  containers:
  - name: agent
    image: registry.example/agent:1.0
";

#[test]
fn namespace_labels_judge_pods_and_workloads() {
    let dir = scratch(
        "labels",
        &[
            ("ns.yaml", NAMESPACE),
            ("web.yaml", DEPLOYMENT),
            ("agent.yaml", HOST_POD),
        ],
    );
    let r = mamori(&["pss", ".", "--format", "json"], &dir);
    assert_eq!(r.code, 1, "the hostPID pod is rejected: {}", r.stderr);
    let v = json(&r);
    let agent = result(&v, "agent", "enforce");
    assert_eq!(
        agent["message"],
        "pods \"agent\" is forbidden: violates PodSecurity \"baseline:v1.30\": host namespaces (hostPID=true)"
    );
    // The deployment passes baseline; warn follows the enforce label.
    let web = result(&v, "web", "warn");
    assert_eq!(
        (web["level"].as_str(), web["version"].as_str()),
        (Some("baseline"), Some("v1.30"))
    );
    assert_eq!(web["allowed"], true);
    assert_eq!(web["strictestLevel"], "baseline");
    let ns = &v["namespaces"][0];
    assert_eq!(ns["name"], "shop");
    assert_eq!(ns["strictestLevel"], "privileged");
    assert_eq!(ns["nextLevel"]["level"], "baseline");
    let rejected: Vec<&str> = ns["nextLevel"]["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["object"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(rejected, ["agent"]);

    // At a fixed level, workloads get the warning form and count as rejected.
    let r = mamori(&["pss", "web.yaml", "--level", "restricted", "--format", "json"], &dir);
    assert_eq!(r.code, 1);
    let v = json(&r);
    let web = result(&v, "web", "enforce");
    let m = web["message"].as_str().unwrap();
    assert!(
        m.starts_with("would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false"),
        "{m}"
    );
    assert_eq!(v["results"].as_array().unwrap().len(), 1, "one mode with --level");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn admission_config_defaults_and_exemptions() {
    let config = "apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults:
      enforce: baseline
    exemptions:
      namespaces: [ops]
";
    let ops_pod = HOST_POD.replace("namespace: shop", "namespace: ops");
    let dir = scratch(
        "config",
        &[("ac.yaml", config), ("agent.yaml", HOST_POD), ("ops.yaml", &ops_pod)],
    );
    // `shop` is not in the input: no labels, so the configured default applies.
    let r = mamori(
        &[
            "pss",
            "agent.yaml",
            "ops.yaml",
            "--admission-config",
            "ac.yaml",
            "--format",
            "json",
        ],
        &dir,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = json(&r);
    let rs = v["results"].as_array().unwrap();
    let shop = rs
        .iter()
        .find(|r| r["object"]["namespace"] == "shop" && r["mode"] == "enforce")
        .unwrap();
    assert_eq!(
        (shop["level"].as_str(), shop["allowed"].as_bool()),
        (Some("baseline"), Some(false))
    );
    let ops = rs
        .iter()
        .find(|r| r["object"]["namespace"] == "ops" && r["mode"] == "enforce")
        .unwrap();
    assert_eq!(
        (ops["exempt"].as_str(), ops["allowed"].as_bool()),
        (Some("namespace"), Some(true))
    );

    // Without the configuration, both namespaces are privileged: exit 0.
    let r = mamori(&["pss", "agent.yaml", "ops.yaml"], &dir);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn usage_and_input_errors_exit_2_and_name_accepted_values() {
    let dir = scratch("errors", &[("web.yaml", DEPLOYMENT), ("bad.yaml", "a: [\n")]);
    let r = mamori(&["pss", "web.yaml", "--level", "strict"], &dir);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("privileged, baseline, restricted"), "{}", r.stderr);
    let r = mamori(&["pss", "web.yaml", "--version", "1.30"], &dir);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("latest") && r.stderr.contains("did you mean v1.30?"),
        "{}",
        r.stderr
    );
    let r = mamori(&["pss", "web.yaml", "bad.yaml"], &dir);
    assert_eq!(r.code, 2, "invalid YAML is an input error");
    assert!(r.stderr.contains("bad.yaml"), "{}", r.stderr);
    let r = mamori(&["pss", "web.yaml", "--admission-config", "web.yaml"], &dir);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("PodSecurityConfiguration"), "{}", r.stderr);
    let r = mamori(&["pss", "--help"], &dir);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Examples:") && r.stdout.contains("Exit codes"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_file_is_written_whole() {
    let dir = scratch("output", &[("web.yaml", DEPLOYMENT)]);
    let r = mamori(&["pss", "web.yaml", "--format", "json", "-o", "out.json"], &dir);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let v: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("out.json")).unwrap()).unwrap();
    assert_eq!(v["summary"]["objects"], 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn latest_means_the_api_servers_own_version() {
    // Probes aimed at another host are refused from policy v1.34 on.
    let probe = "apiVersion: v1
kind: Pod
metadata:
  name: probe
  namespace: shop
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    livenessProbe:
      httpGet:
        host: 10.0.0.1
        port: 8080
";
    let ns = NAMESPACE.replace("    pod-security.kubernetes.io/enforce-version: v1.30\n", "");
    let dir = scratch("k8s-version", &[("ns.yaml", &ns), ("probe.yaml", probe)]);
    let r = mamori(&["pss", ".", "--format", "json"], &dir);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(
        result(&json(&r), "probe", "enforce")["message"],
        "pods \"probe\" is forbidden: violates PodSecurity \"baseline:latest\": probe or lifecycle host \
         (container \"app\" uses probe or lifecycle host \"10.0.0.1\")"
    );
    let r = mamori(&["pss", ".", "--format", "json", "--k8s-version", "1.33"], &dir);
    assert_eq!(r.code, 0, "a 1.33 API server has no such check: {}", r.stdout);
    assert_eq!(result(&json(&r), "probe", "enforce")["allowed"], true);
    let r = mamori(&["pss", ".", "--k8s-version", "1.12"], &dir);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("1.25"), "{}", r.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stdin_objects_without_namespace_take_dash_n_and_say_so() {
    use std::io::Write;
    let dir = scratch("stdin", &[("ns.yaml", NAMESPACE)]);
    let pod = HOST_POD.replace("  namespace: shop\n", "");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mamori"))
        .args(["pss", "ns.yaml", "-", "-n", "shop", "--format", "json"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(pod.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "judged by shop's enforce=baseline");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let agent = result(&v, "agent", "enforce");
    assert_eq!(agent["object"]["namespace"], "shop");
    assert_eq!(agent["location"]["path"], "-");
    assert!(v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"] == "namespaceAssumed" && n["message"].as_str().unwrap().contains("\"shop\"")));
    let _ = std::fs::remove_dir_all(&dir);
}
