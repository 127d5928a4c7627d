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

/// Every workload in `text` satisfies PSS restricted, by the PSS engine.
fn assert_restricted(name: &str, text: &str) {
    let load = mamori_source::load::load_texts(&[(name, text)], &Default::default());
    let inv = mamori_model::Inventory::new(load.objects);
    assert!(!inv.pod_specs.is_empty(), "{name}: no workloads");
    for view in &inv.pod_specs {
        let a = mamori_pss::assess_object(&inv, view, &mamori_pss::AssessOptions::default()).expect("assessed");
        let o = &inv.objects[view.object];
        assert_eq!(
            a.strictest,
            mamori_pss::Level::Restricted,
            "{name}: {} {:?} is only {:?} after fixing: {:?}",
            o.kind,
            o.name,
            a.strictest,
            a.above
        );
    }
}

#[test]
fn fixed_workloads_pass_pss_restricted() {
    for name in ["deployment.yaml", "multi.yaml", "partial.yaml"] {
        let f = check(name, &unsafe_opts());
        assert_restricted(name, &f.fixed);
        // Before fixing, none of them did.
        let load = mamori_source::load::load_texts(&[(name, &f.original)], &Default::default());
        let inv = mamori_model::Inventory::new(load.objects);
        let before = mamori_pss::assess_object(&inv, &inv.pod_specs[0], &Default::default()).expect("assessed");
        assert_ne!(before.strictest, mamori_pss::Level::Restricted, "{name}");
    }
}

#[test]
fn safe_fixes_reach_restricted_without_host_namespaces() {
    // Without host namespaces, the safe fixes alone reach restricted.
    let f = check("deployment.yaml", &Options::default());
    assert_restricted("deployment.yaml", &f.fixed);
}

#[test]
fn crlf_files_stay_crlf() {
    let lf = data("deployment.yaml");
    let crlf = lf.replace('\n', "\r\n");
    let fixed_lf = fix_text("d.yaml", &lf, &Options::default());
    let fixed = fix_text("d.yaml", &crlf, &Options::default());
    assert_eq!(fixed.refused, None);
    assert!(fixed.changed());
    assert!(!fixed.fixed.replace("\r\n", "").contains('\n'), "a bare LF crept in");
    assert_eq!(fixed.fixed, fixed_lf.fixed.replace('\n', "\r\n"));
    assert_idempotent(&fixed, &Options::default());
}

#[test]
fn flow_style_mappings_are_extended_in_flow_style() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: registry.example/a:1, securityContext: {}}]}\n";
    let f = fix_text("p.yaml", text, &Options::default());
    assert_eq!(f.refused, None);
    insta::assert_snapshot!(f.fixed, @"apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: a, image: registry.example/a:1, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}], securityContext: {seccompProfile: {type: RuntimeDefault}, runAsNonRoot: true, runAsUser: 10001}, automountServiceAccountToken: false}
");
    assert_restricted("p.yaml", &f.fixed);
    assert_idempotent(&f, &Options::default());
}

#[test]
fn four_space_indentation_and_indented_lists_are_followed() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n    name: p\nspec:\n    containers:\n        -   name: a\n            image: registry.example/a:1\n";
    let f = fix_text("p.yaml", text, &Options::default());
    assert_eq!(f.refused, None);
    insta::assert_snapshot!(f.fixed, @"apiVersion: v1
kind: Pod
metadata:
    name: p
spec:
    containers:
        -   name: a
            image: registry.example/a:1
            securityContext:
                allowPrivilegeEscalation: false
                capabilities:
                    drop:
                        - ALL
    securityContext:
        seccompProfile:
            type: RuntimeDefault
        runAsNonRoot: true
        runAsUser: 10001
    automountServiceAccountToken: false
");
    assert_idempotent(&f, &Options::default());
}

#[test]
fn select_limits_the_fixes_and_unsafe_needs_the_flag() {
    let opts = Options {
        select: vec!["POD002".into(), "POD011".into()],
        ..Options::default()
    };
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n  containers:\n  - name: a\n    image: registry.example/a:1\n";
    let f = fix_text("p.yaml", text, &opts);
    assert_eq!(f.applied.iter().map(|a| a.code).collect::<Vec<_>>(), ["POD002"]);
    assert!(
        f.skipped.iter().any(|s| s.contains("POD011 needs --unsafe-fixes")),
        "{:?}",
        f.skipped
    );
    let f = fix_text(
        "p.yaml",
        text,
        &Options {
            unsafe_fixes: true,
            ..opts
        },
    );
    assert_eq!(
        f.applied.iter().map(|a| a.code).collect::<Vec<_>>(),
        ["POD002", "POD011"]
    );
    assert!(f.fixed.contains("  hostPID: false\n"));
}

#[test]
fn explicit_service_accounts_keep_their_token() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  serviceAccountName: operator\n  containers:\n  - name: a\n    image: registry.example/a:1\n";
    let f = fix_text("p.yaml", text, &Options::default());
    assert!(!f.fixed.contains("automountServiceAccountToken"));
    assert!(
        f.skipped
            .iter()
            .any(|s| s.contains("POD023") && s.contains("\"operator\"")),
        "{:?}",
        f.skipped
    );
}

#[test]
fn anchors_and_aliases_are_refused_not_corrupted() {
    // The container's securityContext is an alias: editing the anchor would
    // change two places. Whatever happens, the result parses or is refused.
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: &sc\n    a: b\nspec:\n  containers:\n  - name: a\n    image: registry.example/a:1\n    securityContext: *sc\n";
    let f = fix_text("p.yaml", text, &Options::default());
    assert!(f.refused.is_some() || !f.changed(), "{}", f.fixed);
}

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("MAMORI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")));
    if dir.join("seed-lab").is_dir() {
        Some(dir.join("seed-lab"))
    } else {
        eprintln!("note: {} absent, skipping the course's pods", dir.display());
        None
    }
}

#[test]
fn course_misplaced_capabilities_are_moved_as_corrected() {
    let Some(lab) = shared() else { return };
    let only_moves = Options {
        select: vec!["SCH003".into()],
        ..Options::default()
    };
    // secure-pod: the corrected file is the fixed file, byte for byte.
    let dir = lab.join("ex2-supply-chain");
    let text = std::fs::read_to_string(dir.join("secure-pod.yaml")).expect("secure-pod.yaml");
    let corrected = std::fs::read_to_string(dir.join("corrected/secure-pod.yaml")).expect("corrected");
    let f = fix_text("secure-pod.yaml", &text, &only_moves);
    assert_eq!(f.refused, None);
    assert_eq!(f.fixed, corrected);
    insta::assert_snapshot!("course_secure_pod", f.diff());
    // nonroot-pod: the same move; the corrected file also renames the pod.
    let dir = lab.join("ex1-k8s-defense/03-pss");
    let text = std::fs::read_to_string(dir.join("nonroot-pod.yaml")).expect("nonroot-pod.yaml");
    let corrected = std::fs::read_to_string(dir.join("corrected/nonroot-pod.yaml")).expect("corrected");
    let f = fix_text("nonroot-pod.yaml", &text, &only_moves);
    assert_eq!(f.refused, None);
    assert_eq!(f.fixed.replace("name: restricted-pod", "name: nonroot-pod"), corrected);
    // All safe fixes: the corrected pods plus automountServiceAccountToken,
    // and they pass restricted.
    for (d, file) in [
        ("ex2-supply-chain", "secure-pod.yaml"),
        ("ex1-k8s-defense/03-pss", "nonroot-pod.yaml"),
    ] {
        let text = std::fs::read_to_string(lab.join(d).join(file)).expect("course file");
        let f = fix_text(file, &text, &Options::default());
        assert_eq!(f.refused, None);
        let codes: Vec<&str> = f.applied.iter().map(|a| a.code).collect();
        assert_eq!(codes, ["SCH003", "POD023"], "{file}");
        assert_restricted(file, &f.fixed);
        assert_idempotent(&f, &Options::default());
    }
}

/// Diff headers: git's a/ b/ for relative paths, absolute paths as they are.
#[test]
fn diff_headers_follow_the_path_given() {
    let text = data("deployment.yaml");
    let rel = fix_text("k8s/deployment.yaml", &text, &Options::default());
    assert!(rel
        .diff()
        .starts_with("--- a/k8s/deployment.yaml\n+++ b/k8s/deployment.yaml\n"));
    let abs = fix_text("/srv/k8s/deployment.yaml", &text, &Options::default());
    assert!(abs
        .diff()
        .starts_with("--- /srv/k8s/deployment.yaml\n+++ /srv/k8s/deployment.yaml\n"));
}
