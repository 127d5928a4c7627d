//! Judging a whole inventory loaded by mamori's own loader: namespaces from
//! the input or implied, objects as stored, pods versus templates.

use mamori_model::Inventory;
use mamori_pss::{assess, AssessOptions, Assessment, Level, Mode, PodSecurityConfiguration, Version};
use mamori_source::load::{load_texts, LoadOptions};
use serde_json::json;

fn inventory(yaml: &str) -> Inventory {
    let load = load_texts(&[("test.yaml", yaml)], &LoadOptions::default());
    assert!(load.problems.is_empty(), "{:?}", load.problems);
    Inventory::new(load.objects)
}

fn object<'a>(inv: &Inventory, a: &'a Assessment, name: &str) -> &'a mamori_pss::ObjectAssessment {
    a.objects
        .iter()
        .find(|o| inv.objects[o.object].name == name)
        .unwrap_or_else(|| panic!("{name} not assessed"))
}

const LAB: &str = "
apiVersion: v1
kind: Namespace
metadata:
  name: lab
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/audit: restricted
    pod-security.kubernetes.io/audit-version: v1.24
---
apiVersion: v1
kind: Pod
metadata: {name: edge, namespace: lab}
spec:
  hostNetwork: true
  containers:
  - name: edge
    image: registry.example/edge:1.0
    ports: [{containerPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: edge-deploy, namespace: lab}
spec:
  selector: {matchLabels: {app: edge}}
  template:
    metadata: {labels: {app: edge}}
    spec:
      hostNetwork: true
      containers:
      - name: edge
        image: registry.example/edge:1.0
        ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: plain, namespace: elsewhere}
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      runAsNonRoot: true
      runAsUser: 1000
      allowPrivilegeEscalation: false
      seccompProfile: {type: RuntimeDefault}
      capabilities: {drop: [ALL]}
";

#[test]
fn namespace_labels_modes_and_pod_defaults() {
    let inv = inventory(LAB);
    let a = assess(&inv, &AssessOptions::default());
    let edge = object(&inv, &a, "edge");
    let enforce = edge.verdict(Mode::Enforce).unwrap();
    assert_eq!(enforce.policy.to_string(), "baseline:latest");
    // A Pod with hostNetwork gets hostPort = containerPort before admission.
    assert_eq!(
        enforce.message.as_deref(),
        Some(
            r#"pods "edge" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), hostPort (container "edge" uses hostPort 8080)"#
        )
    );
    assert_eq!(
        edge.verdict(Mode::Audit).unwrap().policy.to_string(),
        "restricted:v1.24"
    );
    // Warn follows the enforce label when unlabelled.
    assert_eq!(edge.verdict(Mode::Warn).unwrap().policy.to_string(), "baseline:latest");
    assert!(edge.rejected());
    let adm = edge.admission.as_ref().unwrap();
    assert!(!adm.allowed && adm.warnings.is_empty());

    // A template gets no hostPort default: only hostNetwork is reported.
    let deploy = object(&inv, &a, "edge-deploy");
    assert_eq!(
        deploy.verdict(Mode::Enforce).unwrap().message.as_deref(),
        Some(r#"would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)"#)
    );
    assert!(deploy.admission.as_ref().unwrap().allowed, "workloads are admitted");

    // An implied namespace has no labels: privileged defaults.
    let plain = object(&inv, &a, "plain");
    assert!(plain
        .verdicts
        .iter()
        .all(|v| v.allowed && v.policy.level == Level::Privileged));
    assert_eq!(plain.strictest, Level::Restricted);

    let lab = a.namespaces.iter().find(|n| n.name == "lab").unwrap();
    assert!(lab.declared.is_some());
    assert_eq!(lab.strictest, Level::Privileged);
    let (next, failing) = lab.next.as_ref().unwrap();
    assert_eq!(*next, Level::Baseline);
    assert_eq!(failing.len(), 2);
    let elsewhere = a.namespaces.iter().find(|n| n.name == "elsewhere").unwrap();
    assert!(elsewhere.declared.is_none() && elsewhere.next.is_none());
    // `default` and `kube-system` always exist, but hold nothing here.
    assert!(!a
        .namespaces
        .iter()
        .any(|n| n.name == "default" || n.name == "kube-system"));
}

#[test]
fn fixed_level_version_and_configuration() {
    let inv = inventory(LAB);
    let opts = AssessOptions {
        level: Some(Level::Restricted),
        version: Some(Version::V(24)),
        ..AssessOptions::default()
    };
    let a = assess(&inv, &opts);
    let plain = object(&inv, &a, "plain");
    assert_eq!(plain.verdicts.len(), 1);
    assert_eq!(plain.verdicts[0].policy.to_string(), "restricted:v1.24");
    assert!(plain.verdicts[0].allowed);
    assert!(
        plain.admission.is_none(),
        "no admission answer for a hypothetical level"
    );

    let config = PodSecurityConfiguration::from_value(&json!({
        "apiVersion": "pod-security.admission.config.k8s.io/v1",
        "kind": "PodSecurityConfiguration",
        "defaults": {"enforce": "restricted"},
        "exemptions": {"namespaces": ["lab"]}
    }))
    .unwrap();
    let a = assess(
        &inv,
        &AssessOptions {
            config,
            ..AssessOptions::default()
        },
    );
    let edge = object(&inv, &a, "edge");
    assert_eq!(edge.exempt.map(|e| e.as_str()), Some("namespace"));
    assert!(!edge.rejected());
    // The implied namespace now takes the configured default.
    let plain = object(&inv, &a, "plain");
    assert_eq!(
        plain.verdict(Mode::Enforce).unwrap().policy.to_string(),
        "restricted:latest"
    );
    assert!(!plain.rejected());
}

#[test]
fn dropped_fields_are_judged_absent_and_refused_objects_skipped() {
    let inv = inventory(
        "
apiVersion: v1
kind: Pod
metadata: {name: misplaced}
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    capabilities:
      add: [SYS_ADMIN]
---
apiVersion: v1
kind: Pod
metadata: {name: no-containers}
spec: {}
",
    );
    let a = assess(
        &inv,
        &AssessOptions {
            level: Some(Level::Baseline),
            ..AssessOptions::default()
        },
    );
    // The misplaced `capabilities` is dropped as stored, so baseline passes.
    assert!(object(&inv, &a, "misplaced").verdicts[0].allowed);
    assert_eq!(a.skipped.len(), 1);
    assert_eq!(inv.objects[a.skipped[0].object].name, "no-containers");
}
