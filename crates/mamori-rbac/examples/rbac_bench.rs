//! Benchmark of the RBAC engine on a synthetic cluster: 10 000 bindings and
//! 5 000 roles (plus the default policy). Measures the index build, who-can
//! and a single can-i.
//!
//! Baseline, measured in the same run: one linear pass over every binding
//! comparing subject names, the least an unindexed authorizer does per
//! question (it still has to resolve roles and match rules after that). The
//! ratios are what to compare across machines.
//!
//! `cargo run --release -p mamori-rbac --example rbac_bench [BINDINGS ROLES]`

use std::time::{Duration, Instant};

use mamori_rbac::{Options, Policy, Request, Scope, UserInfo};
use serde_json::{json, Value};

/// A small deterministic generator, so every run builds the same cluster.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

const VERBS: &[&str] = &["get", "list", "watch", "create", "update", "patch", "delete"];
const RESOURCES: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "secrets"),
    ("", "configmaps"),
    ("", "services"),
    ("apps", "deployments"),
    ("apps", "statefulsets"),
    ("batch", "jobs"),
    ("networking.k8s.io", "ingresses"),
    ("", "pods/log"),
    ("", "pods/exec"),
];

fn rules(rng: &mut Lcg) -> Value {
    let n = 1 + rng.next(5);
    (0..n)
        .map(|_| {
            let (g, r) = RESOURCES[rng.next(RESOURCES.len())];
            let verbs: Vec<&str> = (0..1 + rng.next(3)).map(|_| VERBS[rng.next(VERBS.len())]).collect();
            json!({"apiGroups": [g], "resources": [r], "verbs": verbs})
        })
        .collect()
}

fn cluster(bindings: usize, roles: usize, namespaces: usize) -> Vec<Value> {
    let mut rng = Lcg(42);
    let mut out = Vec::with_capacity(bindings + roles);
    let cluster_roles = roles / 5;
    for i in 0..cluster_roles {
        out.push(
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": format!("cr-{i}")}, "rules": rules(&mut rng)}),
        );
    }
    for i in 0..roles - cluster_roles {
        out.push(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": format!("role-{i}"), "namespace": format!("ns-{}", i % namespaces)},
            "rules": rules(&mut rng)}));
    }
    let subject = |rng: &mut Lcg, ns: usize| match rng.next(3) {
        0 => json!({"kind": "ServiceAccount", "name": format!("sa-{}", rng.next(50)), "namespace": format!("ns-{ns}")}),
        1 => {
            json!({"kind": "User", "name": format!("user-{}", rng.next(2000)), "apiGroup": "rbac.authorization.k8s.io"})
        }
        _ => {
            json!({"kind": "Group", "name": format!("group-{}", rng.next(200)), "apiGroup": "rbac.authorization.k8s.io"})
        }
    };
    for i in 0..bindings {
        let ns = rng.next(namespaces);
        let subjects: Vec<Value> = (0..1 + rng.next(3)).map(|_| subject(&mut rng, ns)).collect();
        if i % 5 == 0 {
            out.push(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": format!("crb-{i}")}, "subjects": subjects,
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": format!("cr-{}", rng.next(cluster_roles))}}));
        } else {
            // Roles of this namespace are role-{k} with k % namespaces == ns.
            let k = rng.next((roles - cluster_roles) / namespaces) * namespaces + ns;
            let role_ref = if rng.next(4) == 0 {
                json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": format!("cr-{}", rng.next(cluster_roles))})
            } else {
                json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": format!("role-{k}")})
            };
            out.push(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": format!("rb-{i}"), "namespace": format!("ns-{ns}")}, "subjects": subjects,
                "roleRef": role_ref}),
            );
        }
    }
    out
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(f());
        best = best.min(t.elapsed());
    }
    (best, last.expect("at least one run"))
}

/// One pass over the bindings: which ones name `name` as a subject.
fn linear_scan(objects: &[Value], name: &str) -> usize {
    objects
        .iter()
        .filter(|o| {
            o["subjects"]
                .as_array()
                .is_some_and(|subs| subs.iter().any(|s| s["name"].as_str() == Some(name)))
        })
        .count()
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let bindings = args.first().copied().unwrap_or(10_000);
    let roles = args.get(1).copied().unwrap_or(5_000);
    let objects = cluster(bindings, roles, 100);
    let (build, policy) = time(3, || Policy::from_values(&objects, Options::default()));
    println!("synthetic cluster: {bindings} bindings, {roles} roles, 100 namespaces (+ default policy)");
    println!(
        "index build (decode, aggregate, index): {:.1} ms (best of 3)",
        build.as_secs_f64() * 1e3
    );

    let queries = [
        Request::resource("get", "", "secrets").in_namespace("ns-7"),
        Request::resource("create", "", "pods")
            .subresource("exec")
            .in_namespace("ns-42"),
        Request::resource("delete", "apps", "deployments").in_namespace("ns-99"),
    ];
    let mut first_who_can = None;
    for q in &queries {
        let (t, found) = time(10, || {
            policy.who_can(q, &Scope::Namespace(q.namespace.clone().unwrap_or_default()))
        });
        println!(
            "who-can {} {}{} -n {}: {:.2} ms, {} subjects",
            q.verb,
            q.resource,
            if q.subresource.is_empty() {
                String::new()
            } else {
                format!("/{}", q.subresource)
            },
            q.namespace.as_deref().unwrap_or(""),
            t.as_secs_f64() * 1e3,
            found.len()
        );
        first_who_can.get_or_insert(t);
    }
    let first_who_can = first_who_can.expect("three queries");
    let (t, found) = time(5, || policy.who_can(&queries[0], &Scope::AnyNamespace));
    println!(
        "who-can get secrets -A: {:.2} ms, {} subjects",
        t.as_secs_f64() * 1e3,
        found.len()
    );

    let users: Vec<UserInfo> = (0..50)
        .map(|i| UserInfo::service_account(&format!("ns-{}", i % 100), &format!("sa-{i}")))
        .chain((0..50).map(|i| UserInfo::impersonate(&format!("user-{i}"), &["group-1", "group-2"])))
        .collect();
    let iterations = 20_000;
    let start = Instant::now();
    let mut allowed = 0;
    for i in 0..iterations {
        let u = &users[i % users.len()];
        let q = &queries[i % queries.len()];
        if policy.can_i(u, q).allowed {
            allowed += 1;
        }
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / iterations as f64;
    println!("can-i (single question, mixed users): {per:.2} µs per call ({iterations} calls, {allowed} allowed)");

    let (scan, hits) = time(20, || linear_scan(&objects, "sa-7"));
    let scan_us = scan.as_secs_f64() * 1e6;
    println!("baseline: one linear pass over the bindings' subjects: {scan_us:.1} µs ({hits} hits)");
    println!(
        "ratios: can-i {:.4}x baseline, who-can -n {:.1}x, who-can -A {:.1}x",
        per / scan_us,
        first_who_can.as_secs_f64() * 1e6 / scan_us,
        t.as_secs_f64() * 1e6 / scan_us
    );
}
