//! Whole admission decisions: modes, exemptions, annotations and namespace
//! label changes.

use mamori_pss::{
    admit, namespace_write, AdmissionRequest, EvalOptions, Exemption, ExistingPod, Mode, PodInput,
    PodSecurityConfiguration, RequestKind,
};
use serde_json::{json, Value};

fn root_pod() -> Value {
    json!({
        "metadata": {"name": "root-pod", "namespace": "k8s-pss"},
        "spec": {"containers": [{"name": "root", "image": "busybox",
            "securityContext": {"runAsUser": 0}}]}
    })
}

fn request<'a>(kind: RequestKind, labels: &'a Value, pod: &'a Value) -> AdmissionRequest<'a> {
    AdmissionRequest {
        kind,
        name: pod["metadata"]["name"].as_str().unwrap_or(""),
        namespace: "k8s-pss",
        namespace_labels: labels,
        username: "alice",
        pod: PodInput::from_pod(pod),
    }
}

#[test]
fn seed_lab_namespace_rejects_root_pod_and_audits_baseline() {
    let labels = json!({
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/audit": "baseline"
    });
    let pod = root_pod();
    let config = PodSecurityConfiguration::default();
    let r = admit(
        &config,
        &request(RequestKind::Pod, &labels, &pod),
        EvalOptions::default(),
    );
    assert!(!r.allowed);
    assert!(r.message.as_deref().unwrap().starts_with(
        r#"pods "root-pod" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false"#
    ));
    // Rejected requests carry no warning; baseline audit passes.
    assert!(r.warnings.is_empty());
    assert_eq!(
        r.audit_annotations
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>(),
        ["pod-security.kubernetes.io/enforce-policy=restricted:latest"]
    );
    let modes: Vec<(Mode, String, bool)> = r
        .verdicts
        .iter()
        .map(|v| (v.mode, v.policy.to_string(), v.evaluation.allowed))
        .collect();
    assert_eq!(
        modes,
        [
            (Mode::Enforce, "restricted:latest".into(), false),
            (Mode::Audit, "baseline:latest".into(), true),
            (Mode::Warn, "restricted:latest".into(), false),
        ]
    );

    // The same pod template in a Deployment is admitted with a warning.
    let w = admit(
        &config,
        &request(RequestKind::Workload, &labels, &pod),
        EvalOptions::default(),
    );
    assert!(w.allowed && w.message.is_none());
    assert_eq!(w.warnings.len(), 1);
    assert!(w.warnings[0]
        .starts_with(r#"would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false"#));
    assert!(w.audit_annotations.is_empty());
}

#[test]
fn audit_annotation_and_invalid_labels() {
    let labels = json!({
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "nonsense"
    });
    let pod = root_pod();
    let r = admit(
        &PodSecurityConfiguration::default(),
        &request(RequestKind::Pod, &labels, &pod),
        EvalOptions::default(),
    );
    assert!(r.allowed);
    assert!(r.warnings.is_empty(), "invalid warn level fails open");
    assert!(r.audit_annotations["pod-security.kubernetes.io/audit-violations"]
        .starts_with(r#"would violate PodSecurity "restricted:latest": "#));
    assert_eq!(
        r.audit_annotations["pod-security.kubernetes.io/error"],
        r#"Failed to parse policy: metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "nonsense": must be one of privileged, baseline, restricted"#
    );
    assert_eq!(
        r.audit_annotations["pod-security.kubernetes.io/enforce-policy"],
        "privileged:latest"
    );
}

#[test]
fn exemptions_short_circuit_in_order() {
    let config = PodSecurityConfiguration::from_value(&json!({
        "apiVersion": "pod-security.admission.config.k8s.io/v1",
        "kind": "PodSecurityConfiguration",
        "defaults": {"enforce": "restricted"},
        "exemptions": {"usernames": ["alice"], "runtimeClasses": ["kata"], "namespaces": ["k8s-pss"]}
    }))
    .unwrap();
    let labels = Value::Null;
    let pod = root_pod();
    let r = admit(
        &config,
        &request(RequestKind::Pod, &labels, &pod),
        EvalOptions::default(),
    );
    assert!(r.allowed);
    assert_eq!(r.exempt, Some(Exemption::Namespace));
    assert_eq!(r.audit_annotations["pod-security.kubernetes.io/exempt"], "namespace");

    let mut req = request(RequestKind::Pod, &labels, &pod);
    req.namespace = "apps";
    assert_eq!(
        admit(&config, &req, EvalOptions::default()).exempt,
        Some(Exemption::User)
    );
    req.username = "bob";
    let denied = admit(&config, &req, EvalOptions::default());
    assert!(!denied.allowed, "cluster default enforce=restricted");

    let kata = json!({"metadata": {"name": "k"}, "spec": {"runtimeClassName": "kata",
        "containers": [{"name": "c", "securityContext": {"privileged": true}}]}});
    let mut req = request(RequestKind::Pod, &labels, &kata);
    req.namespace = "apps";
    req.username = "bob";
    let r = admit(&config, &req, EvalOptions::default());
    assert_eq!(r.exempt, Some(Exemption::RuntimeClass));
    assert!(r.allowed);
}

#[test]
fn namespace_label_changes() {
    let config = PodSecurityConfiguration::default();
    let bad = json!({"pod-security.kubernetes.io/enforce-version": "v1.025"});
    let r = namespace_write(&config, "team", None, &bad, &[], EvalOptions::default());
    assert!(!r.allowed);
    assert_eq!(
        r.message.as_deref(),
        Some(
            r#"Namespace "team" is invalid: metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: "v1.025": must be "latest" or "v1.x""#
        )
    );
    // The same invalid labels already present do not block an update.
    let r = namespace_write(&config, "team", Some(&bad), &bad, &[], EvalOptions::default());
    assert!(r.allowed);

    let p1 = root_pod();
    let p2 = json!({"metadata": {"name": "a-pod"}, "spec": {"containers": [{"name": "x", "securityContext": {"runAsUser": 0}}]}});
    let p3 = json!({"metadata": {"name": "host"}, "spec": {"hostPID": true, "containers": [{"name": "h"}]}});
    let pods = [
        ExistingPod {
            name: "root-pod",
            pod: PodInput::from_pod(&p1),
            controller_uid: Some("rs-1"),
        },
        ExistingPod {
            name: "a-pod",
            pod: PodInput::from_pod(&p2),
            controller_uid: Some("rs-1"),
        },
        ExistingPod {
            name: "host",
            pod: PodInput::from_pod(&p3),
            controller_uid: None,
        },
    ];
    let old = json!({});
    let new = json!({"pod-security.kubernetes.io/enforce": "restricted"});
    let r = namespace_write(&config, "team", Some(&old), &new, &pods, EvalOptions::default());
    assert!(r.allowed);
    assert_eq!(
        r.warnings,
        [
            r#"existing pods in namespace "team" violate the new PodSecurity enforce level "restricted:latest""#,
            "a-pod (and 1 other pod): allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, runAsUser=0, seccompProfile",
            "host: host namespaces, allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile",
        ]
    );
    // Relaxing at the same version skips the dry run.
    let r = namespace_write(&config, "team", Some(&new), &old, &pods, EvalOptions::default());
    assert!(r.allowed && r.warnings.is_empty());

    // Exempt namespaces get a note instead (listing only labelled modes:
    // warn follows enforce here but is not labelled).
    let exempt = PodSecurityConfiguration::from_value(&json!({
        "apiVersion": "pod-security.admission.config.k8s.io/v1",
        "kind": "PodSecurityConfiguration",
        "exemptions": {"namespaces": ["team"]}
    }))
    .unwrap();
    let r = namespace_write(&exempt, "team", None, &new, &pods, EvalOptions::default());
    assert_eq!(
        r.warnings,
        [r#"namespace "team" is exempt from Pod Security, and the policy (enforce=restricted:latest) will be ignored"#]
    );
}
