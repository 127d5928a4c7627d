//! Time per pod for a baseline plus a restricted evaluation, the figure
//! upstream quotes (about 4.8 µs per pod in KEP-2579).
//!
//! Each case is measured twice: wall-clock time (criterion's default), and
//! on 64-bit Linux the thread's CPU time (`cpu/` names), which stays
//! meaningful on a machine shared with other jobs, where wall-clock time
//! includes the time the benchmark waited for a core.

use criterion::measurement::Measurement;
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

fn bench_with<M: Measurement + 'static>(c: &mut Criterion<M>, prefix: &str) {
    for (name, pod) in [("compliant", compliant_pod()), ("root", root_pod())] {
        let input = PodInput::from_pod(&pod);
        c.bench_function(&format!("{prefix}{name}: evaluate baseline + restricted"), |b| {
            b.iter(|| {
                let input = black_box(&input);
                (
                    evaluate(input, Level::Baseline, Version::Latest),
                    evaluate(input, Level::Restricted, Version::Latest),
                )
            })
        });
        c.bench_function(&format!("{prefix}{name}: prepared, baseline + restricted"), |b| {
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

fn bench(c: &mut Criterion) {
    bench_with(c, "");
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
mod cpu {
    use criterion::measurement::{Measurement, ValueFormatter, WallTime};

    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }

    extern "C" {
        fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
    }

    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;

    fn now_ns() -> u64 {
        let mut t = Timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `t` is a valid, writable timespec for the call's duration.
        let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut t) };
        assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
        t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
    }

    /// CPU time of the benchmark thread, in nanoseconds.
    pub struct ThreadCpu;

    static WALL: WallTime = WallTime;

    impl Measurement for ThreadCpu {
        type Intermediate = u64;
        type Value = u64;
        fn start(&self) -> u64 {
            now_ns()
        }
        fn end(&self, start: u64) -> u64 {
            now_ns() - start
        }
        fn add(&self, a: &u64, b: &u64) -> u64 {
            a + b
        }
        fn zero(&self) -> u64 {
            0
        }
        fn to_f64(&self, v: &u64) -> f64 {
            *v as f64
        }
        fn formatter(&self) -> &dyn ValueFormatter {
            // Nanoseconds, like wall time: reuse its formatting.
            WALL.formatter()
        }
    }

    pub fn bench(c: &mut criterion::Criterion<ThreadCpu>) {
        super::bench_with(c, "cpu/");
    }
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
criterion_group! {
    name = cpu_benches;
    config = Criterion::default().with_measurement(cpu::ThreadCpu);
    targets = cpu::bench
}
criterion_group!(benches, bench);
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
criterion_main!(benches, cpu_benches);
#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
criterion_main!(benches);
