//! Time per pod for a baseline plus a restricted evaluation, the figure
//! upstream quotes (about 4.8 µs per pod in KEP-2579).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mamori_pss::{evaluate, Level, PodInput, PreparedPod, Version};
use serde_json::{json, Value};

/// A typical compliant pod: one init container, one container, pod-level
/// settings, a few volumes and probes.
fn compliant_pod() -> Value {
    json!({
        "metadata": {"name": "web", "labels": {"app": "web"}, "annotations": {"team": "a"}},
        "spec": {
            "securityContext": {"runAsNonRoot": true, "runAsUser": 1000,
                "seccompProfile": {"type": "RuntimeDefault"}},
            "initContainers": [{"name": "init", "image": "registry.k8s.io/pause",
                "securityContext": {"allowPrivilegeEscalation": false,
                    "capabilities": {"drop": ["ALL"]}}}],
            "containers": [{"name": "app", "image": "nginx",
                "ports": [{"containerPort": 8080}],
                "livenessProbe": {"httpGet": {"path": "/", "port": 8080}},
                "securityContext": {"allowPrivilegeEscalation": false,
                    "readOnlyRootFilesystem": true,
                    "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}],
            "volumes": [{"name": "tmp", "emptyDir": {}},
                        {"name": "cfg", "configMap": {"name": "cfg"}}]
        }
    })
}

/// The course's root pod: passes baseline, fails five restricted checks.
fn root_pod() -> Value {
    json!({
        "metadata": {"name": "root-pod"},
        "spec": {"containers": [{"name": "root", "image": "busybox",
            "securityContext": {"runAsUser": 0}}]}
    })
}

fn bench(c: &mut Criterion) {
    for (name, pod) in [("compliant", compliant_pod()), ("root", root_pod())] {
        let input = PodInput::from_pod(&pod);
        c.bench_function(&format!("{name}: evaluate baseline + restricted"), |b| {
            b.iter(|| {
                let input = black_box(&input);
                (
                    evaluate(input, Level::Baseline, Version::Latest),
                    evaluate(input, Level::Restricted, Version::Latest),
                )
            })
        });
        c.bench_function(&format!("{name}: prepared, baseline + restricted"), |b| {
            b.iter(|| {
                let p = PreparedPod::new(black_box(&input));
                (
                    p.evaluate(Level::Baseline, Version::Latest),
                    p.evaluate(Level::Restricted, Version::Latest),
                )
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
