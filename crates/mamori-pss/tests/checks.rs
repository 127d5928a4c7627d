//! Per-check rules, version changes and exact detail strings, through the
//! public API.

use mamori_pss::{
    checks_for, evaluate, evaluate_with, forbidden_message, non_root_without_user, strictest_level, warning_message,
    CheckId, EvalOptions, Evaluation, Level, PodInput, PreparedPod, Version,
};
use serde_json::{json, Value};

const R: Level = Level::Restricted;
const B: Level = Level::Baseline;
const LATEST: Version = Version::Latest;

fn v(minor: u64) -> Version {
    Version::V(minor)
}

fn eval_pod(pod: &Value, level: Level, version: Version) -> Evaluation {
    evaluate(&PodInput::from_pod(pod), level, version)
}

/// `reason (detail), ...` of a pod.
fn detail(pod: &Value, level: Level, version: Version) -> String {
    eval_pod(pod, level, version).forbidden_detail()
}

/// A pod that passes restricted at every version.
fn restricted_pod() -> Value {
    json!({
        "metadata": {"name": "ok"},
        "spec": {
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "initContainers": [{"name": "init", "securityContext": {
                "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}],
            "containers": [{"name": "app", "securityContext": {
                "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]
        }
    })
}

fn with(mut pod: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let obj = pod.pointer_mut(parent).unwrap_or_else(|| panic!("no {parent}"));
    obj.as_object_mut().unwrap().insert(key.to_string(), value);
    pod
}

#[test]
fn seed_lab_root_pod_message_is_byte_exact() {
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "root-pod", "namespace": "k8s-pss"},
        "spec": {"containers": [{"name": "root", "image": "busybox",
            "command": ["sh", "-c", "sleep 3600"], "securityContext": {"runAsUser": 0}}]}
    });
    let e = eval_pod(&pod, R, LATEST);
    assert_eq!(
        forbidden_message("root-pod", R, LATEST, &e).unwrap(),
        r#"pods "root-pod" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "root" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "root" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "root" must set securityContext.runAsNonRoot=true), runAsUser=0 (container "root" must not set runAsUser=0), seccompProfile (pod or container "root" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
    );
    assert!(eval_pod(&pod, B, LATEST).allowed);
    assert_eq!(strictest_level(&PodInput::from_pod(&pod), LATEST), B);
}

#[test]
fn seed_lab_nonroot_pods() {
    // As printed, `capabilities` is a container field (dropped by decoding).
    let printed = json!({
        "metadata": {"name": "restricted-pod"},
        "spec": {
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "app", "image": "busybox",
                "securityContext": {"allowPrivilegeEscalation": false},
                "capabilities": {"drop": ["ALL"]}}]
        }
    });
    assert_eq!(
        detail(&printed, R, LATEST),
        r#"unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"])"#
    );
    let corrected = with(
        printed.clone(),
        "/spec/containers/0/securityContext/capabilities",
        json!({"drop": ["ALL"]}),
    );
    assert!(eval_pod(&corrected, R, LATEST).allowed);
    // Allowed, but busybox runs as root: the kubelet would refuse to start it.
    assert_eq!(non_root_without_user(&PodInput::from_pod(&corrected)), ["app"]);
    let with_uid = with(corrected, "/spec/securityContext/runAsUser", json!(1000));
    assert!(non_root_without_user(&PodInput::from_pod(&with_uid)).is_empty());
}

#[test]
fn order_is_baseline_then_restricted_by_id() {
    let pod = json!({
        "metadata": {"name": "bad", "annotations": {
            "container.apparmor.security.beta.kubernetes.io/c": "unconfined"}},
        "spec": {
            "hostNetwork": true, "hostPID": true, "hostIPC": true,
            "securityContext": {
                "runAsNonRoot": false, "runAsUser": 0,
                "seLinuxOptions": {"type": "spc_t", "role": "r"},
                "seccompProfile": {"type": "Unconfined"},
                "sysctls": [{"name": "kernel.msgmax", "value": "1"}, {"name": "net.ipv4.tcp_syncookies"}, {"name": "kernel.msgmax"}],
                "windowsOptions": {"hostProcess": true}
            },
            "volumes": [{"name": "h", "hostPath": {"path": "/"}}, {"name": "n", "nfs": {}}, {"name": "e", "emptyDir": {}}],
            "containers": [{
                "name": "c",
                "ports": [{"containerPort": 80, "hostPort": 10000}, {"containerPort": 443}],
                "livenessProbe": {"httpGet": {"host": "10.0.0.1", "port": 80}},
                "securityContext": {
                    "privileged": true, "procMount": "Unmasked",
                    "capabilities": {"add": ["SYS_ADMIN", "NET_RAW", "CHOWN"]}
                }
            }]
        }
    });
    let e = eval_pod(&pod, R, LATEST);
    let ids: Vec<&str> = e.violations.iter().map(|v| v.check_id.as_ref()).collect();
    assert_eq!(
        ids,
        [
            "appArmorProfile",
            "hostNamespaces",
            "hostPorts",
            "hostProbesAndHostLifecycle",
            "privileged",
            "seLinuxOptions",
            "sysctls",
            "windowsHostProcess",
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "procMount_restricted",
            "restrictedVolumes",
            "runAsNonRoot",
            "runAsUser",
            "seccompProfile_restricted",
        ]
    );
    // With hostNetwork, the Pod's port 443 gets hostPort 443 by defaulting.
    assert_eq!(
        e.forbidden_detail(),
        concat!(
            r#"forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/c="unconfined""), "#,
            "host namespaces (hostNetwork=true, hostPID=true, hostIPC=true), ",
            r#"hostPort (container "c" uses hostPorts 10000, 443), "#,
            r#"probe or lifecycle host (container "c" uses probe or lifecycle host "10.0.0.1"), "#,
            r#"privileged (container "c" must not set securityContext.privileged=true), "#,
            r#"seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t"; role may not be set), "#,
            "forbidden sysctls (kernel.msgmax, kernel.msgmax), ",
            "hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true), ",
            r#"allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), "#,
            r#"unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]; container "c" must not include "CHOWN", "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add), "#,
            r#"procMount (container "c" must not set securityContext.procMount to "Unmasked"), "#,
            r#"restricted volume types (volumes "h", "n" use restricted volume types "hostPath", "nfs"), "#,
            "runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false), ",
            "runAsUser=0 (pod must not set runAsUser=0), ",
            r#"seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")"#
        )
    );
    // Baseline uses its own versions of the replaced checks.
    let ids: Vec<String> = eval_pod(&pod, B, LATEST)
        .violations
        .into_iter()
        .map(|v| v.check_id.into_owned())
        .collect();
    assert_eq!(
        ids,
        [
            "appArmorProfile",
            "capabilities_baseline",
            "hostNamespaces",
            "hostPathVolumes",
            "hostPorts",
            "hostProbesAndHostLifecycle",
            "privileged",
            "procMount",
            "seLinuxOptions",
            "seccompProfile_baseline",
            "sysctls",
            "windowsHostProcess",
        ]
    );
    assert_eq!(
        detail(&pod, B, v(30)).split(", forbidden sysctls").next().unwrap(),
        concat!(
            r#"forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/c="unconfined""), "#,
            r#"non-default capabilities (container "c" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add), "#,
            "host namespaces (hostNetwork=true, hostPID=true, hostIPC=true), ",
            r#"hostPath volumes (volume "h"), "#,
            r#"hostPort (container "c" uses hostPorts 10000, 443), "#,
            r#"privileged (container "c" must not set securityContext.privileged=true), "#,
            r#"procMount (container "c" must not set securityContext.procMount to "Unmasked"), "#,
            r#"seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t"; role may not be set), "#,
            r#"seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")"#
        )
    );
}

#[test]
fn templates_do_not_default_host_ports() {
    let spec = json!({"hostNetwork": true, "containers": [{"name": "c", "ports": [{"containerPort": 80}]}]});
    let meta = json!({});
    let pod = evaluate(&PodInput::new(&meta, &spec), B, LATEST);
    assert_eq!(
        pod.forbidden_detail(),
        r#"host namespaces (hostNetwork=true), hostPort (container "c" uses hostPort 80)"#
    );
    let tpl = evaluate(&PodInput::template(&meta, &spec), B, LATEST);
    assert_eq!(tpl.forbidden_detail(), "host namespaces (hostNetwork=true)");
}

#[test]
fn plurals_and_container_order() {
    let pod = json!({"metadata": {}, "spec": {
        "initContainers": [{"name": "i", "ports": [{"hostPort": 80}], "securityContext": {"privileged": true}}],
        "containers": [
            {"name": "b", "ports": [{"hostPort": 80}, {"hostPort": 8080}], "securityContext": {"privileged": true}},
            {"name": "a", "securityContext": {"privileged": false}}
        ],
        "ephemeralContainers": [{"name": "dbg", "securityContext": {"privileged": true}}]
    }});
    assert_eq!(
        detail(&pod, B, LATEST),
        r#"hostPort (containers "i", "b" use hostPorts 80, 8080), privileged (containers "i", "b", "dbg" must not set securityContext.privileged=true)"#
    );
}

#[test]
fn probe_hosts_are_sorted_sets() {
    let probe = |h: &str| json!({"tcpSocket": {"host": h, "port": 1}});
    let pod = json!({"metadata": {}, "spec": {"containers": [
        {"name": "z", "readinessProbe": probe("b.example"), "lifecycle": {"preStop": {"httpGet": {"host": "a.example"}}}},
        {"name": "y", "startupProbe": probe("b.example"), "livenessProbe": {"httpGet": {"host": ""}}}
    ]}});
    assert_eq!(
        detail(&pod, B, v(34)),
        r#"probe or lifecycle host (containers "y", "z" use probe or lifecycle hosts "a.example", "b.example")"#
    );
    assert!(eval_pod(&pod, B, v(33)).allowed, "check starts at v1.34");
}

#[test]
fn apparmor_fields_and_annotations() {
    let pod = json!({"metadata": {"annotations": {
        "container.apparmor.security.beta.kubernetes.io/b": "unconfined",
        "container.apparmor.security.beta.kubernetes.io/a": "foo\"bar",
        "container.apparmor.security.beta.kubernetes.io/ok": "localhost/x",
        "container.apparmor.security.beta.kubernetes.io/ok2": "runtime/default",
        "container.apparmor.security.beta.kubernetes.io/ok3": ""
    }},
    "spec": {
        "securityContext": {"appArmorProfile": {"type": "Unconfined"}},
        "containers": [{"name": "c", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}},
                       {"name": "d", "securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "p"}}}]
    }});
    assert_eq!(
        detail(&pod, B, v(0)),
        concat!(
            r#"forbidden AppArmor profiles (pod and container "c" and annotations must not set AppArmor profile type to "#,
            r#""Unconfined", "container.apparmor.security.beta.kubernetes.io/a="foo\"bar"", "container.apparmor.security.beta.kubernetes.io/b="unconfined"")"#
        )
    );
    let one = json!({"metadata": {}, "spec": {"securityContext": {"appArmorProfile": {"type": "Unconfined"}}}});
    assert_eq!(
        detail(&one, B, LATEST),
        r#"forbidden AppArmor profile (pod must not set AppArmor profile type to "Unconfined")"#
    );
}

#[test]
fn seccomp_annotations_before_1_19_and_fields_after() {
    let pod = json!({"metadata": {"annotations": {
        "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
        "container.seccomp.security.alpha.kubernetes.io/c": "",
        "container.seccomp.security.alpha.kubernetes.io/other": "unconfined",
        "container.seccomp.security.alpha.kubernetes.io/d": "docker/default"
    }},
    "spec": {
        "securityContext": {"seccompProfile": {"type": "Unconfined"}},
        "containers": [{"name": "c"}, {"name": "d"}]
    }});
    let annotations = concat!(
        r#"seccompProfile (forbidden annotations container.seccomp.security.alpha.kubernetes.io/c="", "#,
        r#"seccomp.security.alpha.kubernetes.io/pod="unconfined")"#
    );
    assert_eq!(detail(&pod, B, v(18)), annotations);
    assert!(detail(&pod, R, v(18)).contains(annotations));
    assert_eq!(
        detail(&pod, B, v(19)),
        r#"seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")"#
    );
}

#[test]
fn seccomp_restricted_explicit_and_implicit() {
    let base = restricted_pod();
    let unset = with(base.clone(), "/spec/securityContext", json!({"runAsNonRoot": true}));
    assert_eq!(
        detail(&unset, R, LATEST),
        r#"seccompProfile (pod or containers "init", "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
    );
    let one_container = with(
        unset.clone(),
        "/spec/containers/0/securityContext/seccompProfile",
        json!({"type": "Localhost"}),
    );
    assert_eq!(
        detail(&one_container, R, LATEST),
        r#"seccompProfile (pod or container "init" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
    );
    let explicit = with(
        one_container,
        "/spec/initContainers/0/securityContext/seccompProfile",
        json!({}),
    );
    assert_eq!(
        detail(&explicit, R, LATEST),
        r#"seccompProfile (container "init" must not set securityContext.seccompProfile.type to "")"#
    );
    assert!(eval_pod(&unset, R, v(18)).allowed, "fields ignored before v1.19");
}

#[test]
fn capabilities_versions() {
    let pod = with(
        restricted_pod(),
        "/spec/containers/0/securityContext/capabilities",
        json!({"drop": ["all"], "add": ["NET_BIND_SERVICE", "NET_ADMIN"]}),
    );
    assert_eq!(
        detail(&pod, R, v(21)),
        r#"non-default capabilities (container "app" must not include "NET_ADMIN" in securityContext.capabilities.add)"#
    );
    assert_eq!(
        detail(&pod, R, v(22)),
        r#"unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]; container "app" must not include "NET_ADMIN" in securityContext.capabilities.add)"#
    );
    let ok = with(
        restricted_pod(),
        "/spec/containers/0/securityContext/capabilities",
        json!({"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}),
    );
    assert!(eval_pod(&ok, R, LATEST).allowed);
}

#[test]
fn windows_relaxation_from_1_25() {
    let pod = json!({"metadata": {}, "spec": {
        "os": {"name": "windows"},
        "securityContext": {"runAsNonRoot": true},
        "containers": [{"name": "w"}]
    }});
    assert!(eval_pod(&pod, R, v(25)).allowed);
    assert_eq!(
        eval_pod(&pod, R, v(24))
            .violations
            .iter()
            .map(|v| v.check_id.as_ref())
            .collect::<Vec<_>>(),
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "seccompProfile_restricted"
        ]
    );
}

#[test]
fn user_namespace_relaxation_from_1_35() {
    let pod = json!({"metadata": {}, "spec": {
        "hostUsers": false,
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}, "runAsUser": 0},
        "containers": [{"name": "c", "securityContext": {
            "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]},
            "procMount": "Unmasked"}}]
    }});
    let ids = |lvl, ver| {
        eval_pod(&pod, lvl, ver)
            .violations
            .into_iter()
            .map(|v| v.check_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(B, v(34)), ["procMount"]);
    assert!(ids(B, v(35)).is_empty());
    assert_eq!(ids(R, v(34)), ["procMount", "runAsNonRoot", "runAsUser"]);
    assert_eq!(ids(R, v(35)), ["procMount_restricted"]);
    let relaxed = evaluate_with(
        &PodInput::from_pod(&pod),
        R,
        v(34),
        EvalOptions {
            relax_user_namespace_pods: true,
            ..Default::default()
        },
    );
    assert_eq!(relaxed.violations.len(), 1);
    assert_eq!(relaxed.violations[0].check_id, "procMount");
}

#[test]
fn run_as_non_root_forms() {
    let pod = with(restricted_pod(), "/spec/securityContext/runAsNonRoot", json!(false));
    let pod = with(pod, "/spec/containers/0/securityContext/runAsNonRoot", json!(false));
    assert_eq!(
        detail(&pod, R, LATEST),
        r#"runAsNonRoot != true (pod and container "app" must not set securityContext.runAsNonRoot=false)"#
    );
    let pod = with(
        restricted_pod(),
        "/spec/securityContext",
        json!({"seccompProfile": {"type": "RuntimeDefault"}}),
    );
    let pod = with(pod, "/spec/containers/0/securityContext/runAsNonRoot", json!(true));
    assert_eq!(
        detail(&pod, R, LATEST),
        r#"runAsNonRoot != true (pod or container "init" must set securityContext.runAsNonRoot=true)"#
    );
}

#[test]
fn run_as_user_from_1_23() {
    let pod = with(restricted_pod(), "/spec/securityContext/runAsUser", json!(0));
    let pod = with(pod, "/spec/initContainers/0/securityContext/runAsUser", json!(0));
    let pod = with(pod, "/spec/containers/0/securityContext/runAsUser", json!(1000));
    assert!(eval_pod(&pod, R, v(22)).allowed);
    assert_eq!(
        detail(&pod, R, v(23)),
        r#"runAsUser=0 (pod and container "init" must not set runAsUser=0)"#
    );
}

#[test]
fn selinux_versions_and_parts() {
    let pod = json!({"metadata": {}, "spec": {
        "securityContext": {"seLinuxOptions": {"type": "container_engine_t", "level": "s0:c1"}},
        "containers": [{"name": "c", "securityContext": {"seLinuxOptions": {"user": "u"}}}]
    }});
    assert_eq!(
        detail(&pod, B, v(30)),
        r#"seLinuxOptions (pod and container "c" set forbidden securityContext.seLinuxOptions: type "container_engine_t"; user may not be set)"#
    );
    assert_eq!(
        detail(&pod, B, v(31)),
        r#"seLinuxOptions (container "c" set forbidden securityContext.seLinuxOptions: user may not be set)"#
    );
}

#[test]
fn sysctl_sets_grow_by_version() {
    let pod =
        |name: &str| json!({"metadata": {}, "spec": {"securityContext": {"sysctls": [{"name": name, "value": "1"}]}}});
    for (name, since) in [
        ("net.ipv4.ping_group_range", 0),
        ("net.ipv4.ip_local_reserved_ports", 27),
        ("net.ipv4.tcp_keepalive_probes", 29),
        ("net.ipv4.tcp_wmem", 32),
        ("net.ipv4.tcp_notsent_lowat", 37),
    ] {
        if since > 0 {
            assert_eq!(
                detail(&pod(name), B, v(since - 1)),
                format!("forbidden sysctls ({name})")
            );
        }
        assert!(eval_pod(&pod(name), B, v(since)).allowed, "{name}");
        assert!(eval_pod(&pod(name), B, LATEST).allowed, "{name}");
    }
}

#[test]
fn volumes_default_to_empty_dir_and_image_is_allowed() {
    let pod = with(
        restricted_pod(),
        "/spec/volumes",
        json!([{"name": "a"}, {"name": "b", "image": {"reference": "x"}}, {"name": "c", "ephemeral": {}}]),
    );
    assert!(eval_pod(&pod, R, v(0)).allowed);
    let pod = with(restricted_pod(), "/spec/volumes", json!([{"name": "g", "gitRepo": {}}]));
    assert_eq!(
        detail(&pod, R, LATEST),
        r#"restricted volume types (volume "g" uses restricted volume type "gitRepo")"#
    );
}

#[test]
fn privileged_level_has_no_checks_and_versions_cap() {
    let pod = json!({"metadata": {}, "spec": {"hostPID": true}});
    assert!(eval_pod(&pod, Level::Privileged, LATEST).allowed);
    assert!(checks_for(Level::Privileged, LATEST).is_empty());
    // A future version evaluates like the newest one, but prints as asked.
    let e = eval_pod(&pod, B, v(99));
    assert_eq!(e, eval_pod(&pod, B, LATEST));
    assert_eq!(
        warning_message(B, v(99), &e).unwrap(),
        r#"would violate PodSecurity "baseline:v1.99": host namespaces (hostPID=true)"#
    );
    // Emulating an older API server caps latest there.
    let pod = json!({"metadata": {}, "spec": {"containers": [{"name": "c",
        "livenessProbe": {"httpGet": {"host": "h"}}}]}});
    let capped = EvalOptions {
        emulation_minor: Some(33),
        ..Default::default()
    };
    assert!(
        PreparedPod::new(&PodInput::from_pod(&pod))
            .evaluate_with(B, LATEST, capped)
            .allowed
    );
    assert!(!eval_pod(&pod, B, LATEST).allowed);
}

#[test]
fn check_sets_per_version() {
    let ids = |l, v| checks_for(l, v).into_iter().map(CheckId::as_str).collect::<Vec<_>>();
    assert_eq!(
        ids(R, v(0)),
        [
            "appArmorProfile",
            "capabilities_baseline",
            "hostNamespaces",
            "hostPorts",
            "privileged",
            "procMount",
            "seLinuxOptions",
            "seccompProfile_baseline",
            "sysctls",
            "windowsHostProcess",
            "restrictedVolumes",
            "runAsNonRoot"
        ]
    );
    assert_eq!(ids(B, LATEST).len(), 12);
    assert_eq!(ids(R, LATEST).len(), 15);
    assert_eq!(CheckId::Sysctls.revision_at(30), Some(29));
    assert_eq!(CheckId::RunAsUser.revision_at(22), None);
    assert_eq!(
        CheckId::parse("seccompProfile_restricted"),
        Some(CheckId::SeccompProfileRestricted)
    );
}

#[test]
fn wrong_types_read_as_absent_and_nulls_are_absent() {
    let pod = json!({"metadata": {"annotations": null}, "spec": {
        "hostNetwork": "true", "securityContext": null,
        "containers": [{"name": "c", "securityContext": {"privileged": "yes", "capabilities": null}}],
        "volumes": null
    }});
    assert!(eval_pod(&pod, B, LATEST).allowed);
    let empty = json!({});
    assert!(
        evaluate(&PodInput::from_pod(&empty), R, LATEST).allowed,
        "no containers"
    );
}

#[test]
fn strictest_level_per_version() {
    let pod = restricted_pod();
    assert_eq!(strictest_level(&PodInput::from_pod(&pod), LATEST), R);
    let pod = with(pod, "/spec/hostIPC", json!(true));
    assert_eq!(strictest_level(&PodInput::from_pod(&pod), LATEST), Level::Privileged);
    // Restricted before v1.8 did not require allowPrivilegeEscalation=false.
    let pod = json!({"metadata": {}, "spec": {"securityContext": {"runAsNonRoot": true},
        "containers": [{"name": "c"}]}});
    let p = PreparedPod::new(&PodInput::from_pod(&pod));
    assert_eq!(p.strictest_level(v(7), EvalOptions::default()), R);
    assert_eq!(p.strictest_level(v(8), EvalOptions::default()), B);
}
