//! End-to-end tests of `mamori netpol`. The course's answers
//! (`../shared/seed-lab`, ex1 02-netpol, see EXPECTED.md) run on copies of
//! the course's files when `../shared` is present; without it those tests
//! print a note and pass. The rest runs on inline manifests.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn lab() -> Option<PathBuf> {
    let shared = std::env::var_os("MAMORI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared"));
    let lab = shared.join("seed-lab/ex1-k8s-defense");
    if lab.join("02-netpol").is_dir() {
        Some(lab)
    } else {
        eprintln!(
            "note: {} not found; skipping the course's NetworkPolicy answers",
            lab.display()
        );
        None
    }
}

/// A folder with the course's pods, namespace and Service (01-rbac) and the
/// given 02-netpol files.
fn stage(name: &str, policies: &[&str]) -> Option<PathBuf> {
    let lab = lab()?;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("netpol-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in [
        "00-vulnerable/namespace-k8s-defense.yaml",
        "00-vulnerable/nginx-service.yaml",
        "01-rbac/curl-pod.yaml",
        "01-rbac/nginx-pod.yaml",
    ]
    .iter()
    .chain(policies)
    {
        let src = lab.join(f);
        let dst = dir.join(f.replace('/', "_"));
        std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
    }
    Some(dir)
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

fn reach(dir: &Path, from: &str, to: &str, extra: &[&str]) -> (Run, Value) {
    let mut args = vec!["netpol", "reach", "--from", from, "--to", to, ".", "--format", "json"];
    args.extend_from_slice(extra);
    let r = mamori(&args, dir);
    let v: Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", r.stdout, r.stderr));
    (r, v)
}

fn notes(v: &Value) -> String {
    v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

const DENY: &str = "02-netpol/network-policy-denyall.yaml";

#[test]
fn course_deny_all_alone_denies_curl_to_nginx_and_dns() {
    let Some(dir) = stage("deny", &[DENY]) else { return };
    let (r, v) = reach(&dir, "k8s-defense/curl", "k8s-defense/nginx:80", &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(v["allowed"], false);
    assert_eq!(v["egress"]["isolated_by"][0], "k8s-defense/deny-all");
    assert!(v["egress"]["decision"].as_str().unwrap().contains("deny-all"));
    assert!(v["egress"]["decision"]
        .as_str()
        .unwrap()
        .contains("has no egress rules"));
    assert!(v["ingress"]["decision"]
        .as_str()
        .unwrap()
        .contains("has no ingress rules"));
    let n = notes(&v);
    assert!(
        n.contains("DNS: egress from k8s-defense/curl[Pod] is isolated (by k8s-defense/deny-all)"),
        "{n}"
    );
    assert!(
        n.contains("UDP 53 is denied, TCP 53 is denied: name lookups fail"),
        "{n}"
    );
    // The lookup itself, as the course runs it.
    let (r, v) = reach(&dir, "k8s-defense/curl", "kube-system/kube-dns:53/udp", &[]);
    assert_eq!((r.code, v["allowed"].clone()), (1, Value::Bool(false)));
    // Text form.
    let t = mamori(
        &[
            "netpol",
            "reach",
            "--from",
            "k8s-defense/curl",
            "--to",
            "k8s-defense/nginx:80",
            ".",
        ],
        &dir,
    );
    assert_eq!(t.code, 1);
    assert!(
        t.stdout
            .starts_with("denied: k8s-defense/curl[Pod] -> k8s-defense/nginx[Pod] TCP 80\n"),
        "{}",
        t.stdout
    );
}

#[test]
fn course_as_printed_policies_are_refused_and_would_allow_all_ports() {
    let Some(dir) = stage(
        "printed",
        &[
            DENY,
            "02-netpol/network-policy-allowcurl.yaml",
            "02-netpol/network-policy-allownginx.yaml",
        ],
    ) else {
        return;
    };
    // Strict validation (kubectl's default): both refused, so deny-all decides.
    let (r, v) = reach(&dir, "k8s-defense/curl", "k8s-defense/nginx:80", &[]);
    assert_eq!(r.code, 1);
    let n = notes(&v);
    for f in [
        "02-netpol_network-policy-allowcurl.yaml:18: NetworkPolicy k8s-defense/allow-curl: spec.egress[0].to[0].ports",
        "02-netpol_network-policy-allowcurl.yaml:26: NetworkPolicy k8s-defense/allow-curl: spec.egress[1].to[0].ports",
        "02-netpol_network-policy-allownginx.yaml:18: NetworkPolicy k8s-defense/allow-nginx: spec.ingress[0].from[0].ports",
    ] {
        assert!(n.contains(f), "{f} missing:\n{n}");
    }
    assert!(
        n.contains("egress rule #1 allows all ports and protocols to its peers"),
        "{n}"
    );
    // Where the field is dropped instead: every port is allowed, and said so.
    let (r, v) = reach(
        &dir,
        "k8s-defense/curl",
        "k8s-defense/nginx:8080",
        &["--field-validation", "ignore"],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(v["allowed_connections"], "All Connections");
    assert_eq!(v["egress"]["rules"][0]["connections"], "All Connections");
    assert!(
        notes(&v).contains("dropped, so egress rule #1 allows all ports"),
        "{}",
        notes(&v)
    );
    // list refuses to answer from refused policies.
    let l = mamori(&["netpol", "list", "."], &dir);
    assert_eq!(l.code, 2);
    assert!(
        l.stderr
            .contains("error: the API server would refuse policies of the input"),
        "{}",
        l.stderr
    );
    assert!(
        l.stderr.contains("hint: fix them, or pass --skip-invalid"),
        "{}",
        l.stderr
    );
    assert!(l.stdout.is_empty());
}

#[test]
fn course_corrected_policies() {
    let Some(dir) = stage(
        "corrected",
        &[
            DENY,
            "02-netpol/corrected/network-policy-allowcurl.yaml",
            "02-netpol/corrected/network-policy-allownginx.yaml",
        ],
    ) else {
        return;
    };
    // curl -> nginx TCP/80: egress by allow-curl, ingress by allow-nginx.
    let (r, v) = reach(&dir, "k8s-defense/curl", "k8s-defense/nginx:80/tcp", &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(v["verdict"], "allowed");
    assert_eq!(v["egress"]["rules"][0]["policy"], "k8s-defense/allow-curl");
    assert_eq!(v["egress"]["rules"][0]["rule"], "egress rule #1");
    assert_eq!(v["ingress"]["rules"][0]["policy"], "k8s-defense/allow-nginx");
    assert_eq!(v["allowed_connections"], "TCP 80");
    // Through the Service: port 80 -> targetPort 80.
    let (r, _) = reach(&dir, "k8s-defense/curl", "k8s-defense/nginx:80", &[]);
    assert_eq!(r.code, 0);
    // DNS over UDP 53 to any pod of kube-system: allowed, with the broad-peer hint.
    let (r, v) = reach(&dir, "k8s-defense/curl", "kube-system/kube-dns:53/udp", &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let n = notes(&v);
    assert!(
        n.contains("admits every pod in kube-system, not just the DNS pods"),
        "{n}"
    );
    assert!(n.contains("podSelector: {matchLabels: {k8s-app: kube-dns}}"), "{n}");
    // TCP 53: denied, with the fallback warning.
    let (r, v) = reach(&dir, "k8s-defense/curl", "kube-system/kube-dns:53/tcp", &[]);
    assert_eq!(r.code, 1);
    assert!(
        notes(&v).contains("warning: DNS is allowed on UDP 53 only"),
        "{}",
        notes(&v)
    );
    // nginx egress: denied, to curl and to DNS.
    let (r, v) = reach(&dir, "k8s-defense/nginx", "k8s-defense/curl", &[]);
    assert_eq!(r.code, 1);
    assert!(v["egress"]["decision"]
        .as_str()
        .unwrap()
        .contains("has no egress rules"));
    let (r, _) = reach(&dir, "k8s-defense/nginx", "kube-system/kube-dns:53/udp", &[]);
    assert_eq!(r.code, 1);
    // Everything else to nginx: denied.
    let (r, _) = reach(&dir, "k8s-defense/curl", "k8s-defense/nginx:443", &[]);
    assert_eq!(r.code, 1);
    // The whole picture: one line.
    let l = mamori(&["netpol", "list", "."], &dir);
    assert_eq!(l.code, 0, "{}", l.stderr);
    assert_eq!(l.stdout, "k8s-defense/curl[Pod] => k8s-defense/nginx[Pod] : TCP 80\n");
    // Exposure: the DNS rule opens UDP 53 to every pod of kube-system.
    let exposure = |extra: &[&str]| {
        let mut args = vec!["netpol", "list", ".", "--exposure"];
        args.extend_from_slice(extra);
        let r = mamori(&args, &dir);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let x = exposure(&[]);
    assert!(
        x.contains("k8s-defense/curl[Pod] \t=> \tkube-system/[all pods] : UDP 53\n"),
        "{x}"
    );
    // nginx admits only pods labelled app=curl in its namespace: the
    // existing curl pod is such a pod and its connection is in the list,
    // so (as np-guard) no potential peer stands for that selector.
    assert!(!x.contains("k8s-defense/nginx[Pod] \t<="), "{x}");
    // Focused on curl's egress: only that section; with a connection
    // focus, the lines that allow it, named without their sets.
    let f = exposure(&["--focus-workload", "curl", "--focus-direction", "egress"]);
    assert!(
        f.contains("Egress Exposure:\nk8s-defense/curl[Pod] \t=> \tkube-system/[all pods] : UDP 53"),
        "{f}"
    );
    assert!(!f.contains("Ingress Exposure:"), "{f}");
    let c = exposure(&["--focus-conn", "udp-53"]);
    assert!(
        c.contains("Exposure Analysis Result On UDP 53:\nEgress Exposure:\nk8s-defense/curl[Pod] \t=> \tkube-system/[all pods]\n"),
        "{c}"
    );
}

fn inline(name: &str, yaml: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("netpol-inline-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("all.yaml"), yaml).unwrap();
    dir
}

const APP: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x, ports: [{containerPort: 8080, name: http}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: x, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]
";

#[test]
fn list_formats() {
    let dir = inline("formats", APP);
    let txt = mamori(&["netpol", "list", "."], &dir);
    assert_eq!(txt.code, 0, "{}", txt.stderr);
    assert_eq!(
        txt.stdout,
        "0.0.0.0-255.255.255.255[External] => shop/web[Deployment] : All Connections\n\
         shop/db[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections\n\
         shop/db[Deployment] => shop/web[Deployment] : All Connections\n\
         shop/web[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections\n\
         shop/web[Deployment] => shop/db[Deployment] : TCP 5432\n"
    );
    let json = mamori(&["netpol", "list", ".", "--format", "json"], &dir);
    let v: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        v[4],
        serde_json::json!({"src": "shop/web[Deployment]", "dst": "shop/db[Deployment]", "conn": "TCP 5432"})
    );
    let csv = mamori(&["netpol", "list", ".", "--format", "csv"], &dir);
    assert!(csv
        .stdout
        .starts_with("src,dst,conn\n0.0.0.0-255.255.255.255[External],shop/web[Deployment],All Connections\n"));
    let md = mamori(&["netpol", "list", ".", "--format", "md"], &dir);
    assert!(md.stdout.starts_with("| src | dst | conn |\n|-----|-----|------|\n"));
    let dot = mamori(&["netpol", "list", ".", "--format", "dot"], &dir);
    assert!(
        dot.stdout
            .contains("\"shop/web[Deployment]\" -> \"shop/db[Deployment]\" [label=\"TCP 5432\""),
        "{}",
        dot.stdout
    );
    let focus = mamori(
        &[
            "netpol",
            "list",
            ".",
            "--focus-workload",
            "db",
            "--focus-direction",
            "ingress",
        ],
        &dir,
    );
    assert_eq!(focus.stdout, "shop/web[Deployment] => shop/db[Deployment] : TCP 5432\n");
    // -o writes the file whole.
    let out = dir.join("out.txt");
    let o = mamori(&["netpol", "list", ".", "-o", out.to_str().unwrap()], &dir);
    assert_eq!(o.code, 0);
    assert_eq!(std::fs::read_to_string(out).unwrap(), txt.stdout);
}

#[test]
fn reach_usage_errors_exit_2() {
    let dir = inline("usage", APP);
    for (from, to) in [
        ("shop/web", "shop/nope"),
        ("shop/web", "shop/db:http"),
        ("shop/web", "shop/db:80/icmp"),
        ("shop/web:80", "shop/db"),
    ] {
        let r = mamori(&["netpol", "reach", "--from", from, "--to", to, "."], &dir);
        assert_eq!(r.code, 2, "{from} {to}: {}", r.stderr);
        assert!(
            r.stderr.contains("error: ") && r.stderr.contains("hint: "),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn invalid_policy_is_an_error_with_file_line_and_field_and_skip_invalid_lists_the_rest() {
    let bad = format!(
        "{APP}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: bad, namespace: shop}}\nspec:\n  podSelector: {{}}\n  ingress:\n  - from:\n    - ipBlock: {{cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}\n"
    );
    let dir = inline("invalid", &bad);
    let r = mamori(&["netpol", "list", "."], &dir);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("all.yaml:33: NetworkPolicy shop/bad: spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"192.168.0.0/16\": must be a strict subset of `cidr`"),
        "{}",
        r.stderr
    );
    let r = mamori(&["netpol", "list", ".", "--skip-invalid"], &dir);
    assert_eq!(r.code, 0);
    assert!(r
        .stdout
        .contains("shop/web[Deployment] => shop/db[Deployment] : TCP 5432"));
    // reach still answers, without the refused policy, and says so.
    let (r, v) = reach(&dir, "shop/web", "shop/db:5432", &[]);
    assert_eq!(r.code, 0);
    assert!(notes(&v).contains("refused: all.yaml:33"), "{}", notes(&v));
}

#[test]
fn host_network_is_unknown() {
    let y = "apiVersion: v1\nkind: Pod\nmetadata: {name: h, namespace: a}\nspec: {hostNetwork: true, containers: [{name: c, image: x}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec: {containers: [{name: c, image: x}]}\n";
    let dir = inline("hostnet", y);
    let (r, v) = reach(&dir, "a/p", "a/h", &[]);
    assert_eq!(r.code, 1);
    assert_eq!(v["verdict"], "unknown");
    assert!(notes(&v).contains("uses hostNetwork"));
}

#[test]
fn diff_reports_changed_pairs_and_exits_1() {
    let before = inline("diff-before", APP);
    let after = inline(
        "diff-after",
        &APP.replace("ports: [{port: 5432}]", "ports: [{port: 5432}, {port: 9187}]"),
    );
    let r = mamori(
        &["netpol", "diff", before.to_str().unwrap(), after.to_str().unwrap()],
        &before,
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "Connectivity diff:\ndiff-type: changed, source: shop/web[Deployment], destination: shop/db[Deployment], ref1: TCP 5432, ref2: TCP 5432,9187\n"
    );
    let same = mamori(
        &["netpol", "diff", before.to_str().unwrap(), before.to_str().unwrap()],
        &before,
    );
    assert_eq!((same.code, same.stdout.as_str()), (0, ""));
}

#[test]
fn generate_writes_policies_and_proves_them() {
    let app = APP.split("---\napiVersion: networking.k8s.io/v1").next().unwrap();
    let dir = inline("generate", app);
    std::fs::write(
        dir.join("flows.csv"),
        "source,destination,port,protocol\nshop/web,shop/db,5432,TCP\n",
    )
    .unwrap();
    let r = mamori(
        &[
            "netpol",
            "generate",
            "all.yaml",
            "--flows",
            "flows.csv",
            "-o",
            "policies.yaml",
        ],
        &dir,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("diff: empty"), "{}", r.stderr);
    assert!(r.stderr.contains("plus DNS (3 pair(s))"), "{}", r.stderr);
    // The result, loaded with the workloads: exactly the flow, plus DNS.
    let l = mamori(&["netpol", "list", "all.yaml", "policies.yaml"], &dir);
    assert_eq!(l.stdout, "shop/web[Deployment] => shop/db[Deployment] : TCP 5432\n");
    let (code, v) = reach(&dir, "shop/db", "kube-system/kube-dns:53/tcp", &[]);
    assert_eq!(code.code, 0, "{v}");
    // Bad flows: errors with the line.
    std::fs::write(dir.join("bad.csv"), "shop/web,shop/nope,80\n").unwrap();
    let r = mamori(&["netpol", "generate", "all.yaml", "--flows", "bad.csv"], &dir);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("bad.csv:1: no workload or pod shop/nope in the input"),
        "{}",
        r.stderr
    );
}

#[test]
fn reach_external_addresses() {
    let y = format!(
        "{APP}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: web-out, namespace: shop}}\nspec:\n  podSelector: {{matchLabels: {{app: web}}}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{{ipBlock: {{cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}}}]\n    ports: [{{port: 443}}]\n"
    );
    let dir = inline("external", &y);
    let (r, v) = reach(&dir, "shop/web", "93.184.216.34:443", &[]);
    assert_eq!(r.code, 0, "{v}");
    assert_eq!(v["to"], "93.184.216.34[External]");
    let (r, v) = reach(&dir, "shop/web", "169.254.169.254:443", &[]);
    assert_eq!(r.code, 1, "{v}");
    assert!(v["ingress"]["decision"]
        .as_str()
        .unwrap()
        .contains("outside the cluster"));
    // Into the cluster: db admits only web.
    let (r, _) = reach(&dir, "10.0.0.1", "shop/db:5432", &[]);
    assert_eq!(r.code, 1);
}

const UDN: &str = "apiVersion: v1
kind: Namespace
metadata: {name: blue, labels: {k8s.ovn.org/primary-user-defined-network: \"\"}}
---
apiVersion: k8s.ovn.org/v1
kind: UserDefinedNetwork
metadata: {name: net, namespace: blue}
spec: {topology: Layer2, layer2: {role: Primary, subnets: [10.0.0.0/16]}}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: blue}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: default}
spec: {containers: [{name: c, image: x}]}
";

#[test]
fn list_and_diff_with_multiple_networks() {
    let dir = inline("udn", UDN);
    // Default: one network, the UDN is not modelled.
    let plain = mamori(&["netpol", "list", "."], &dir);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(plain.stdout.contains("blue/a[Pod] => default/b[Pod] : All Connections"));
    let multi = mamori(&["netpol", "list", ".", "--multiple-networks"], &dir);
    assert_eq!(multi.code, 0, "{}", multi.stderr);
    assert_eq!(
        multi.stdout,
        "Permitted connectivity analyzed in Pod network:\n\
         0.0.0.0-255.255.255.255[External] => default/b[Pod] : All Connections\n\
         default/b[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n\
         \n\
         Permitted connectivity analyzed in primary UDN blue:\n\
         0.0.0.0-255.255.255.255[External] => blue[udn]/a[Pod] : All Connections\n\
         blue[udn]/a[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n\
         \n\
         Workload-to-Networks Mapping:\n\
         blue/a[Pod]: \n\
         \tPrimary Network: blue[UDN]\n\
         default/b[Pod]: \n\
         \tPrimary Network: pod-network\n"
    );
    let before = inline(
        "udn-before",
        &UDN.replace("k8s.ovn.org/primary-user-defined-network", "x"),
    );
    let diff = mamori(
        &["netpol", "diff", before.to_str().unwrap(), ".", "--multiple-networks"],
        &dir,
    );
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    assert!(diff
        .stdout
        .contains("diff-type: removed, source: blue/a[Pod], destination: default/b[Pod], ref1: All Connections, ref2: No Connections"));
    // A refused network stops the list with file, line and field.
    let bad = inline("udn-bad", &UDN.replace("Layer2, layer2", "Layer4, layer2"));
    let r = mamori(&["netpol", "list", ".", "--multiple-networks"], &bad);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("error: the API server or OVN-Kubernetes would refuse an object of the input:"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("all.yaml:5: UserDefinedNetwork blue/net: spec.topology: Unsupported value: \"Layer4\""),
        "{}",
        r.stderr
    );
}
