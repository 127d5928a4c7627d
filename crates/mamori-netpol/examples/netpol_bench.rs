//! Synthetic clusters and the time and memory of full connectivity.
//!
//! `cargo run --release -p mamori-netpol --example netpol_bench [-- PODS NAMESPACES POLICIES]`
//!
//! Default: 10,000 pods in 500 namespaces with 2,000 policies (4 per
//! namespace: a default deny, an allow between two apps, DNS egress to
//! kube-system, and an ingress from labelled namespaces). Pods take one of
//! five app labels per namespace, so there are 5 shapes per namespace.
//! Prints the load, engine build and full class-matrix times, then the same
//! with pods doubled (more pods per shape), namespaces doubled (more
//! shapes) and policies doubled, each against the base run of the same
//! process, and the peak resident memory.

use mamori_model::Inventory;
use mamori_netpol::{Engine, Options};
use mamori_source::load::{load_texts, LoadOptions};
use std::time::Instant;

fn cluster(pods: usize, namespaces: usize, policies: usize) -> String {
    let mut s = String::with_capacity(pods * 220 + policies * 400);
    for n in 0..namespaces {
        s.push_str(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata: {{name: ns{n}, labels: {{team: t{}}}}}\n---\n",
            n % 10
        ));
    }
    for i in 0..pods {
        let n = i % namespaces;
        let app = (i / namespaces) % 5;
        s.push_str(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: ns{n}, labels: {{app: a{app}}}}}\nspec: {{containers: [{{name: c, image: x, ports: [{{containerPort: 8080, name: http}}]}}]}}\n---\n"
        ));
    }
    let per_ns = policies.div_ceil(namespaces).max(1);
    let mut written = 0;
    'outer: for n in 0..namespaces {
        for k in 0..per_ns {
            if written == policies {
                break 'outer;
            }
            let spec = match k % 4 {
                0 => "{podSelector: {}, policyTypes: [Ingress, Egress]}".to_string(),
                1 => format!(
                    "{{podSelector: {{matchLabels: {{app: a{}}}}}, ingress: [{{from: [{{podSelector: {{matchLabels: {{app: a{}}}}}}}], ports: [{{port: http}}]}}]}}",
                    k % 5,
                    (k + 1) % 5
                ),
                2 => "{podSelector: {}, policyTypes: [Egress], egress: [{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}], ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]}, {to: [{podSelector: {}}, {namespaceSelector: {matchLabels: {team: tTEAM}}}]}]}".replace("TEAM", &(n % 10).to_string()),
                _ => format!(
                    "{{podSelector: {{matchLabels: {{app: a{}}}}}, ingress: [{{from: [{{namespaceSelector: {{matchLabels: {{team: t{}}}}}, podSelector: {{matchLabels: {{app: a0}}}}}}, {{ipBlock: {{cidr: 10.{}.0.0/16}}}}], ports: [{{port: 8080, endPort: 8090}}]}}]}}",
                    k % 5,
                    (n + k) % 10,
                    n % 256
                ),
            };
            s.push_str(&format!(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np{k}, namespace: ns{n}}}\nspec: {spec}\n---\n"
            ));
            written += 1;
        }
    }
    s
}

struct Run {
    load: f64,
    build: f64,
    matrix: f64,
    classes: usize,
    allowed_pairs: usize,
}

fn run(pods: usize, namespaces: usize, policies: usize) -> Run {
    let text = cluster(pods, namespaces, policies);
    let t = Instant::now();
    let r = load_texts(&[("synthetic.yaml", text.as_str())], &LoadOptions::default());
    let inv = Inventory::new(r.objects);
    let load = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let e = Engine::new(&inv, Options::default());
    let build = t.elapsed().as_secs_f64();
    assert!(e.rejected().next().is_none(), "synthetic policies are valid");
    let t = Instant::now();
    let m = e.class_matrix();
    let matrix = t.elapsed().as_secs_f64();
    Run {
        load,
        build,
        matrix,
        classes: e.classes.len(),
        allowed_pairs: m.len(),
    }
}

fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (pods, ns, pol) = match args.as_slice() {
        [p, n, q] => (*p, *n, *q),
        _ => (10_000, 500, 2_000),
    };
    let show = |label: &str, r: &Run, base: Option<&Run>| {
        let ratio = |x: f64, b: f64| {
            if b > 0.0 {
                format!(" (x{:.2})", x / b)
            } else {
                String::new()
            }
        };
        println!(
            "{label:<34} classes {:>5}  load {:>7.3}s  engine {:>6.3}s{}  full connectivity {:>6.3}s{}  ({} allowed class pairs)",
            r.classes,
            r.load,
            r.build,
            base.map(|b| ratio(r.build, b.build)).unwrap_or_default(),
            r.matrix,
            base.map(|b| ratio(r.matrix, b.matrix)).unwrap_or_default(),
            r.allowed_pairs
        );
    };
    let base = run(pods, ns, pol);
    show(&format!("{pods} pods, {ns} ns, {pol} policies"), &base, None);
    let after_base = peak_rss_mib();
    show("pods x2 (same shapes)", &run(pods * 2, ns, pol), Some(&base));
    show("policies x2", &run(pods, ns, pol * 2), Some(&base));
    show(
        "namespaces and pods x2 (shapes x2)",
        &run(pods * 2, ns * 2, pol * 2),
        Some(&base),
    );
    if let Some(m) = after_base {
        println!("peak resident memory after the base run: {m:.0} MiB (process, including the YAML text and loader)");
    }
    if let Some(m) = peak_rss_mib() {
        println!("peak resident memory over all runs: {m:.0} MiB");
    }
}
