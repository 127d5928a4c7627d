//! `mamori fix` end to end: the diff by default (nothing written), atomic
//! in-place writes, `-o DIR`, refusal of templates, idempotence, the re-scan.

use std::path::{Path, PathBuf};
use std::process::Command;

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
        .expect("run mamori");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh folder with a pod (LF), the same pod with CRLF, and a template.
fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mamori-fix-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("m")).unwrap();
    std::fs::write(dir.join("m/pod.yaml"), POD).unwrap();
    std::fs::write(dir.join("m/crlf.yaml"), POD.replace('\n', "\r\n")).unwrap();
    dir
}

const POD: &str = "# the app\napiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n  - name: app  # main\n    image: registry.example/app:1.0\n";

#[test]
fn dry_run_prints_a_diff_and_writes_nothing() {
    let dir = workdir("dry");
    let r = mamori(&["fix", "m"], &dir);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("--- a/m/crlf.yaml\n+++ b/m/crlf.yaml\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("+    securityContext:\n"), "{}", r.stdout);
    assert!(
        r.stderr.contains("would apply 12 fixes in 2 of 2 files"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("remaining after fixing:"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(dir.join("m/pod.yaml")).unwrap(), POD);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn in_place_then_again_changes_nothing() {
    let dir = workdir("inplace");
    let r = mamori(&["fix", "m", "--in-place"], &dir);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    let fixed = std::fs::read_to_string(dir.join("m/pod.yaml")).unwrap();
    assert!(
        fixed.starts_with("# the app\n") && fixed.contains("  - name: app  # main\n"),
        "{fixed}"
    );
    assert!(fixed.contains("      allowPrivilegeEscalation: false\n"), "{fixed}");
    let crlf = std::fs::read_to_string(dir.join("m/crlf.yaml")).unwrap();
    assert_eq!(crlf, fixed.replace('\n', "\r\n"));
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.join("m"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let again = mamori(&["fix", "m", "--in-place"], &dir);
    assert_eq!(again.code, 0);
    assert!(
        again.stderr.contains("applied 0 fixes in 0 of 2 files"),
        "{}",
        again.stderr
    );
    assert_eq!(std::fs::read_to_string(dir.join("m/pod.yaml")).unwrap(), fixed);
    // The safe fixes leave what needs a decision: the writable root filesystem.
    let scan = mamori(&["scan", "m/pod.yaml", "--format", "json"], &dir);
    assert!(!scan.stdout.contains("\"POD002\"") && scan.stdout.contains("\"POD010\""));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_dir_gets_every_file_and_templates_are_refused() {
    let dir = workdir("out");
    std::fs::write(
        dir.join("m/chart.yaml"),
        "kind: Pod\nmetadata:\n  name: {{ .Values.name }}\n",
    )
    .unwrap();
    let r = mamori(&["fix", "m", "--unsafe-fixes", "-o", "out"], &dir);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("error: m/chart.yaml:3: looks like a template"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("out/chart.yaml")).unwrap(),
        "kind: Pod\nmetadata:\n  name: {{ .Values.name }}\n"
    );
    let fixed = std::fs::read_to_string(dir.join("out/pod.yaml")).unwrap();
    assert!(
        fixed.contains("readOnlyRootFilesystem: true") && fixed.contains("mountPath: /tmp"),
        "{fixed}"
    );
    assert_eq!(std::fs::read_to_string(dir.join("m/pod.yaml")).unwrap(), POD);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_select_is_a_usage_error() {
    let dir = workdir("select");
    let r = mamori(&["fix", "m", "--select", "IMG001"], &dir);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no fixable check has that code"), "{}", r.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}
