//! The embedded Istio and Kyverno schemas (`data/crds/`): strict validation
//! of their custom resources, and every such object of the shared
//! conformance data and corpus.

use mamori_source::load::{load_paths, load_texts, LoadOptions, LoadResult};
use mamori_source::schema::{IssueKind, Placement};
use std::path::{Path, PathBuf};

const GROUPS: &[&str] = &[
    "networking.istio.io",
    "security.istio.io",
    "kyverno.io",
    "policies.kyverno.io",
];

fn load(text: &str) -> LoadResult {
    load_texts(&[("t.yaml", text)], &LoadOptions::default())
}

fn issues(r: &LoadResult) -> Vec<(String, IssueKind)> {
    r.issues
        .iter()
        .map(|(_, i)| (i.path.to_string(), i.kind.clone()))
        .collect()
}

#[test]
fn virtual_service_typo_is_an_unknown_field() {
    let r = load(
        "apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - match:
    - uri: {prefix: /v2}
    route:
    - destination: {host: reviews, subset: v2}
      weght: 100
    timeout: 5s
",
    );
    assert_eq!(r.unvalidated, 0);
    assert_eq!(
        issues(&r),
        vec![(
            "spec.http[0].route[0].weght".to_string(),
            IssueKind::UnknownField {
                field: "weght".into(),
                placement: Some(Placement::Typo { field: "weight".into() })
            }
        )]
    );
    assert!(r.objects[0].rejected.is_none());
}

#[test]
fn valid_istio_networking_objects_have_no_issues() {
    let r = load(
        "apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  trafficPolicy:
    loadBalancer: {simple: LEAST_REQUEST}
    connectionPool:
      tcp: {maxConnections: 100, connectTimeout: 30ms}
      http: {http2MaxRequests: 1000}
    tls: {mode: ISTIO_MUTUAL}
  subsets:
  - name: v1
    labels: {version: v1}
---
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: {name: gw}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: ['*']
    tls: {mode: SIMPLE, credentialName: cert}
---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: ef}
spec:
  configPatches:
  - applyTo: HTTP_FILTER
    match: {context: SIDECAR_INBOUND}
    patch:
      operation: INSERT_BEFORE
      value: {name: envoy.lua, typed_config: {'@type': x, inlineCode: y}}
",
    );
    assert_eq!(r.objects.len(), 3);
    assert_eq!(r.unvalidated, 0);
    assert_eq!(issues(&r), vec![]);
}

#[test]
fn istio_enums_and_required_fields() {
    let r = load(
        "apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: d}
spec:
  trafficPolicy:
    tls: {mode: STRICT}
",
    );
    let got = issues(&r);
    assert!(got.iter().any(|(p, k)| p == "spec.trafficPolicy.tls.mode"
        && matches!(k, IssueKind::InvalidEnum { value, .. } if value == "STRICT")));
    assert!(got
        .iter()
        .any(|(p, k)| p == "spec.host" && matches!(k, IssueKind::MissingRequired { .. })));
    assert_eq!(got.len(), 2, "{got:?}");
}

#[test]
fn cluster_policy_typo_is_an_unknown_field() {
    let r = load(
        "apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: require-labels}
spec:
  validationFailureAction: Enforce
  background: true
  rules:
  - name: check-team
    match:
      any:
      - resources: {kinds: [Pod]}
    validate:
      mesage: label team is required
      pattern:
        metadata:
          labels: {team: '?*'}
",
    );
    assert_eq!(r.unvalidated, 0);
    assert_eq!(
        issues(&r),
        vec![(
            "spec.rules[0].validate.mesage".to_string(),
            IssueKind::UnknownField {
                field: "mesage".into(),
                placement: Some(Placement::Typo {
                    field: "message".into()
                })
            }
        )]
    );
}

#[test]
fn valid_kyverno_objects_have_no_issues() {
    let r = load(
        "apiVersion: kyverno.io/v1
kind: Policy
metadata: {name: add-label, namespace: apps}
spec:
  rules:
  - name: add
    match:
      resources: {kinds: [ConfigMap], selector: {matchLabels: {a: b}}}
    context:
    - name: cm
      configMap: {name: c, namespace: apps}
    preconditions:
      all:
      - key: '{{ request.operation }}'
        operator: AnyIn
        value: [CREATE]
    mutate:
      patchStrategicMerge:
        metadata:
          labels: {+(x): y}
---
apiVersion: kyverno.io/v2
kind: PolicyException
metadata: {name: ex, namespace: apps}
spec:
  exceptions:
  - policyName: add-label
    ruleNames: [add]
  match:
    any:
    - resources: {kinds: [ConfigMap], namespaces: [apps]}
---
apiVersion: kyverno.io/v2
kind: ClusterCleanupPolicy
metadata: {name: clean}
spec:
  schedule: '*/5 * * * *'
  match:
    any:
    - resources: {kinds: [Pod]}
",
    );
    assert_eq!(r.unvalidated, 0);
    assert_eq!(issues(&r), vec![]);
}

// ------------------------------------------------------------ shared data

fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("MAMORI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if dir.join("conformance").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} not found; skipping the Istio/Kyverno conformance survey",
            dir.display()
        );
        None
    }
}

fn manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            manifests(&p, out);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")) {
            out.push(p);
        }
    }
}

struct Survey {
    objects: usize,
    /// `file: Kind/name: path what`, file relative to the shared folder.
    issues: Vec<String>,
}

/// The objects of the Istio and Kyverno groups under `sub`, and their issues.
fn survey(shared: &Path, sub: &str) -> Survey {
    let mut files = Vec::new();
    manifests(&shared.join(sub), &mut files);
    let mut out = Survey {
        objects: 0,
        issues: Vec::new(),
    };
    for f in files {
        let r = load_paths(std::slice::from_ref(&f), &LoadOptions::default());
        let rel = f.strip_prefix(shared).unwrap().display().to_string();
        for (i, o) in r.objects.iter().enumerate() {
            let group = o.api_version.split_once('/').map(|(g, _)| g).unwrap_or("");
            if !GROUPS.contains(&group) {
                continue;
            }
            out.objects += 1;
            for (_, issue) in r.issues.iter().filter(|(j, _)| *j == i) {
                let what = match &issue.kind {
                    IssueKind::UnknownField { .. } => "unknown".to_string(),
                    IssueKind::MissingRequired { .. } => "missing".to_string(),
                    IssueKind::InvalidEnum { value, .. } => format!("enum {value}"),
                    other => format!("{other:?}"),
                };
                out.issues
                    .push(format!("{rel}: {}/{}: {} {what}", o.kind, o.name, issue.path));
            }
            for p in r.problems.iter().filter(|p| p.object == Some(i)) {
                out.issues
                    .push(format!("{rel}: {}/{}: problem {}", o.kind, o.name, p.message));
            }
        }
    }
    for i in &out.issues {
        eprintln!("   {i}");
    }
    eprintln!("== {sub}: {} objects, {} issues", out.objects, out.issues.len());
    out
}

/// The Kyverno policy library: every ClusterPolicy validates, except the
/// Chainsaw assertion files (`.chainsaw-test/*`), which are partial objects
/// (only `status`, to wait for readiness), not manifests to apply.
#[test]
fn kyverno_policy_library_validates() {
    let Some(shared) = shared() else { return };
    let s = survey(&shared, "conformance/kyverno");
    assert_eq!(s.objects, 93);
    let (asserts, rest): (Vec<_>, Vec<_>) = s
        .issues
        .iter()
        .partition(|i| i.contains("/.chainsaw-test/") && i.ends_with(": spec missing"));
    assert_eq!(rest, Vec::<&String>::new());
    assert_eq!(asserts.len(), 44);
}

/// Istio's samples, tests and test data: every networking/security object
/// validates except those of the schema-validation cases that must fail
/// (`pkg/config/validation/testdata/crds/*-invalid.yaml`), which all carry
/// the test's expected error in an `_err` field at the top, an unknown field
/// for the API server too. Of what those cases test, strict structural
/// validation finds four; the others need CEL rules, patterns or ranges.
#[test]
fn istio_conformance_data_validates() {
    let Some(shared) = shared() else { return };
    let s = survey(&shared, "conformance/istio");
    assert_eq!(s.objects, 159);
    const CASES: &str = "conformance/istio/pkg/config/validation/testdata/crds/";
    let (errs, rest): (Vec<_>, Vec<_>) = s
        .issues
        .iter()
        .partition(|i| i.starts_with(CASES) && i.contains("-invalid.yaml: ") && i.ends_with(": _err unknown"));
    // authz 2, destinationrule 3, peerauth 6, reqauth 20: one per object.
    assert_eq!(errs.len(), 31);
    let rest: Vec<String> = rest.iter().map(|i| i.trim_start_matches(CASES).to_string()).collect();
    assert_eq!(
        rest,
        vec![
            "destinationrule-invalid.yaml: DestinationRule/bookinfo-ratings: spec.trafficPolicy.loadBalancer.warmup.duration missing",
            "peerauth-invalid.yaml: PeerAuthentication/bad-mode: spec.mtls.mode enum BLAH",
            "reqauth-invalid.yaml: RequestAuthentication/bad-target-name: spec.targetRef.name missing",
            "reqauth-invalid.yaml: RequestAuthentication/invalid-from-headers-no-name: spec.jwtRules[0].fromHeaders[0].name missing",
        ]
    );
}

#[test]
fn corpus_istio_and_kyverno_objects_validate() {
    let Some(shared) = shared() else { return };
    let s = survey(&shared, "corpus");
    assert_eq!(s.objects, 12);
    assert_eq!(s.issues, Vec::<String>::new());
}
