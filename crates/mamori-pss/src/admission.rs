//! A whole PodSecurity admission decision for one pod or workload, as the
//! API server would make it: exemptions, namespace policy, the enforce,
//! audit and warn evaluations, and the exact response texts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::{Exemption, PodSecurityConfiguration};
use crate::eval::{EvalOptions, Evaluation, PreparedPod};
use crate::level::{Level, LevelVersion, Version};
use crate::message::{
    forbidden_message, warning_message, AUDIT_VIOLATIONS_ANNOTATION, ENFORCE_POLICY_ANNOTATION, ERROR_ANNOTATION,
    EXEMPT_ANNOTATION,
};
use crate::pod::PodInput;
use crate::policy::{policy_error_annotation, FieldError, Mode, Policy};

/// What is being created or updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestKind {
    /// A Pod: enforce, audit and warn apply.
    Pod,
    /// A workload with a pod template (Deployment, ReplicaSet, StatefulSet,
    /// DaemonSet, Job, CronJob, ReplicationController, PodTemplate): only
    /// audit and warn apply, it is never rejected.
    Workload,
}

/// One admission request.
#[derive(Debug, Clone, Copy)]
pub struct AdmissionRequest<'a> {
    pub kind: RequestKind,
    /// Object name (for the Forbidden message).
    pub name: &'a str,
    pub namespace: &'a str,
    /// The namespace's `metadata.labels` (null when it has none).
    pub namespace_labels: &'a Value,
    /// The requesting user (empty when unknown; never exempt).
    pub username: &'a str,
    pub pod: PodInput<'a>,
}

/// The evaluation for one mode, kept for reporting even when upstream would
/// not show it (e.g. the warning of a pod that enforce rejects).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeVerdict {
    pub mode: Mode,
    pub policy: LevelVersion,
    pub evaluation: Evaluation,
}

/// The API server's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdmissionResponse {
    pub allowed: bool,
    /// Why nothing was evaluated.
    pub exempt: Option<Exemption>,
    pub policy: Policy,
    pub policy_errors: Vec<FieldError>,
    /// The Forbidden error text when rejected.
    pub message: Option<String>,
    /// HTTP Warning headers (kubectl prints `Warning: ` before each).
    pub warnings: Vec<String>,
    /// Audit annotations, keys with the `pod-security.kubernetes.io/` prefix.
    pub audit_annotations: BTreeMap<String, String>,
    /// Per-mode evaluations (enforce only for pods); empty when exempt or
    /// when upstream short-circuits a fully privileged namespace.
    pub verdicts: Vec<ModeVerdict>,
}

impl AdmissionResponse {
    fn allowed(policy: Policy, policy_errors: Vec<FieldError>) -> Self {
        AdmissionResponse {
            allowed: true,
            exempt: None,
            policy,
            policy_errors,
            message: None,
            warnings: Vec::new(),
            audit_annotations: BTreeMap::new(),
            verdicts: Vec::new(),
        }
    }
}

/// Decides a create (or significant update) as the PodSecurity admission
/// plugin does. Short-circuits in upstream order: exempt namespace, exempt
/// user, fully privileged namespace (with valid labels), exempt runtime
/// class; then enforce (pods only), audit and warn, reusing an evaluation
/// when two modes share a level and version. No warning is added to a
/// request that enforce rejects.
pub fn admit(config: &PodSecurityConfiguration, req: &AdmissionRequest<'_>, opts: EvalOptions) -> AdmissionResponse {
    let (policy, errs) = Policy::from_labels(req.namespace_labels, &config.defaults);
    let exempt = |e: Exemption, policy: Policy, errs: Vec<FieldError>| {
        let mut r = AdmissionResponse::allowed(policy, errs);
        r.exempt = Some(e);
        r.audit_annotations.insert(EXEMPT_ANNOTATION.to_string(), e.to_string());
        r
    };
    if config.exempt_namespace(req.namespace) {
        return exempt(Exemption::Namespace, policy, errs);
    }
    if config.exempt_user(req.username) {
        return exempt(Exemption::User, policy, errs);
    }
    let is_pod = req.kind == RequestKind::Pod;
    let privileged_short_circuit = errs.is_empty()
        && policy.warn.level == Level::Privileged
        && policy.audit.level == Level::Privileged
        && (!is_pod || policy.enforce.level == Level::Privileged);
    if privileged_short_circuit {
        let mut r = AdmissionResponse::allowed(policy, errs);
        if is_pod {
            r.audit_annotations.insert(
                ENFORCE_POLICY_ANNOTATION.to_string(),
                LevelVersion::new(Level::Privileged, Version::Latest).to_string(),
            );
        }
        return r;
    }
    let runtime_class = req.pod.spec.get("runtimeClassName").and_then(Value::as_str);
    if config.exempt_runtime_class(runtime_class) {
        return exempt(Exemption::RuntimeClass, policy, errs);
    }

    let mut r = AdmissionResponse::allowed(policy, errs);
    if let Some(e) = policy_error_annotation(&r.policy_errors) {
        r.audit_annotations.insert(ERROR_ANNOTATION.to_string(), e);
    }
    let pod = PreparedPod::new(&req.pod);
    let mut cache: Vec<(LevelVersion, Evaluation)> = Vec::new();
    let mut eval_at = |lv: LevelVersion| -> Evaluation {
        if let Some((_, e)) = cache.iter().find(|(k, _)| *k == lv) {
            return e.clone();
        }
        let e = pod.evaluate_with(lv.level, lv.version, opts);
        cache.push((lv, e.clone()));
        e
    };

    if is_pod {
        let lv = policy.enforce;
        r.audit_annotations
            .insert(ENFORCE_POLICY_ANNOTATION.to_string(), lv.to_string());
        let e = eval_at(lv);
        if let Some(m) = forbidden_message(req.name, lv.level, lv.version, &e) {
            r.allowed = false;
            r.message = Some(m);
        }
        r.verdicts.push(ModeVerdict {
            mode: Mode::Enforce,
            policy: lv,
            evaluation: e,
        });
    }
    let lv = policy.audit;
    let e = eval_at(lv);
    if let Some(m) = warning_message(lv.level, lv.version, &e) {
        r.audit_annotations.insert(AUDIT_VIOLATIONS_ANNOTATION.to_string(), m);
    }
    r.verdicts.push(ModeVerdict {
        mode: Mode::Audit,
        policy: lv,
        evaluation: e,
    });
    let lv = policy.warn;
    let e = eval_at(lv);
    if r.allowed {
        if let Some(m) = warning_message(lv.level, lv.version, &e) {
            r.warnings.push(m);
        }
    }
    r.verdicts.push(ModeVerdict {
        mode: Mode::Warn,
        policy: lv,
        evaluation: e,
    });
    r
}
