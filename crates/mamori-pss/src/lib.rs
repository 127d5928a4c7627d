//! # Pod Security Standards, exactly as the API server applies them
//!
//! The Pod Security Standards (PSS) are three cumulative profiles for what a
//! pod may ask of its node. Kubernetes enforces them with the built-in
//! PodSecurity admission plugin (the `k8s.io/pod-security-admission` library,
//! which replaced PodSecurityPolicy). This crate re-implements that library's
//! decisions and texts offline, so that a manifest can be judged without a
//! cluster and the answer matches what `kubectl apply` would print, byte for
//! byte. What follows summarises the behaviour implemented and where it comes
//! from; the check-by-check reference, with every string, is
//! `shared/conformance/pss/CHECKS.md`, which was written from a reading of
//! the upstream sources (`policy/check_*.go`, `policy/registry.go`,
//! `api/helpers.go`, `admission/admission.go`, `admission/response.go`).
//! Those sources, read for facts, were the authority wherever the two
//! seemed to differ; no upstream code or prose is reproduced here.
//!
//! ## Levels
//!
//! `privileged` has no checks. `baseline` blocks known privilege escalations:
//! host namespaces, privileged containers, added capabilities beyond the
//! runtime's default set, host paths and host ports, unsafe sysctls,
//! non-default `/proc` masks, custom SELinux users and types, AppArmor and
//! seccomp profiles that switch confinement off, Windows host processes, and
//! (from v1.34) probes and lifecycle hooks aimed at other hosts. `restricted`
//! adds hardening: no privilege escalation, run as non-root (and not as UID
//! 0), drop all capabilities (re-adding at most `NET_BIND_SERVICE`), a
//! `RuntimeDefault` or `Localhost` seccomp profile, and only ephemeral or
//! projected volume types.
//!
//! ## Versions
//!
//! A policy is a level at a version: `latest` or `v1.<minor>`, grammar
//! `^v1\.(0|[1-9][0-9]*)$`. Each check has one or more revisions, each
//! starting at a minor version; a policy version uses, for each check, the
//! newest revision that is not newer than it, and checks whose first revision
//! is newer do not run at all (`allowPrivilegeEscalation` starts at v1.8,
//! `runAsUser` at v1.23, `hostProbesAndHostLifecycle` at v1.34). A version
//! newer than the newest revision of any check (v1.37 here,
//! [`MAX_POLICY_MINOR`]) evaluates as that newest version, and so does
//! `latest`; an API server that emulates an older minor caps both there
//! ([`EvalOptions::emulation_minor`]). Messages always show the version as
//! the namespace asked for it (`restricted:latest`), not the capped one.
//!
//! At the restricted level, some baseline checks are replaced by a stricter
//! restricted check for the versions where the replacement exists:
//! `capabilities_baseline` by `capabilities_restricted` (v1.22+),
//! `hostPathVolumes` by `restrictedVolumes` (always), the annotation-based
//! `seccompProfile_baseline` by `seccompProfile_restricted` (v1.19+), and
//! `procMount` by `procMount_restricted` (v1.35+). Below v1.19 seccomp is
//! judged from the alpha annotations only, from v1.19 on from the fields only.
//!
//! ## Messages
//!
//! Failed checks are reported in a fixed order: baseline check IDs sorted
//! byte-wise, then restricted check IDs sorted byte-wise (so
//! `seLinuxOptions` precedes `seccompProfile_*`). Each failure has a short
//! reason and a detail naming who set what; the detailed list is
//! `reason (detail)` items joined by `", "`. Container lists keep the order
//! in which containers are visited (init containers, then containers, then
//! ephemeral containers), except where a check lists a sorted set; values
//! are quoted with `"` and no escaping, except annotation values, which use
//! Go's `%q`; nouns and verbs agree with the count (exactly one is
//! singular). The enforce rejection is apimachinery's Forbidden error,
//! `pods "NAME" is forbidden: violates PodSecurity "LEVEL:VERSION": ...`; the
//! warn mode sends `would violate PodSecurity "LEVEL:VERSION": ...` as an
//! HTTP warning, which is also the `audit-violations` audit annotation.
//! Workloads (Deployments, Jobs, ...) are never rejected: only their audit
//! annotation and warning say what their pods will meet.
//!
//! ## Relaxations
//!
//! A pod with `spec.os.name: windows` cannot set the Linux-only fields, so
//! from v1.25 `allowPrivilegeEscalation`, `capabilities_restricted` and
//! `seccompProfile_restricted` pass such pods. A pod with
//! `spec.hostUsers: false` runs in a user namespace, where container root is
//! not host root; from v1.35 `runAsNonRoot` and `runAsUser` pass such pods
//! and baseline `procMount` allows any value for them (the restricted
//! replacement still requires `Default`). Clusters may opt into the user
//! namespace relaxation for older versions
//! ([`EvalOptions::relax_user_namespace_pods`]).
//!
//! ## Namespaces, defaults and exemptions
//!
//! A namespace chooses a level and version per mode with the
//! `pod-security.kubernetes.io/{enforce,audit,warn}[-version]` labels;
//! missing labels take the cluster defaults from the PodSecurity plugin's
//! `PodSecurityConfiguration` (built-in: privileged, latest). An invalid
//! label is refused when the namespace is written; if one exists anyway, an
//! invalid enforce level counts as restricted (fail closed), an invalid
//! audit or warn level as privileged (fail open), an invalid version as
//! latest. When enforce is labelled and warn is not, warn follows enforce if
//! that is stricter than the default. The configuration can also exempt
//! requests by user name, namespace or pod runtime class; exempt requests are
//! allowed unevaluated and marked with an `exempt` audit annotation.
//!
//! ## What the API server does first
//!
//! The API server decodes and defaults an object before admission sees it.
//! Two defaults matter to PSS and are applied here ([`PodInput`]): a volume
//! without a source becomes `emptyDir`, and in a Pod with `hostNetwork: true`
//! every container port without a `hostPort` gets one equal to its
//! `containerPort`. A field of the wrong JSON type would have failed
//! decoding, so the engine reads it as absent.
//!
//! ## Using the crate
//!
//! [`evaluate`] judges one pod at one level and version; [`strictest_level`]
//! finds the strictest level a pod satisfies; [`forbidden_message`] and
//! [`warning_message`] render the texts; [`Policy::from_labels`] and
//! [`PodSecurityConfiguration::from_value`] resolve namespaces and cluster
//! configuration; [`admit`] makes a whole admission decision and
//! [`namespace_write`] judges a namespace label change.
//! [`assess`] judges a whole mamori [`Inventory`](mamori_model::Inventory):
//! every pod-bearing object by its namespace's labels (or at one level), and
//! every namespace by the strictest level all its workloads satisfy.
//! [`non_root_without_user`] is not part of PSS: it names containers that
//! PSS accepts but the kubelet may refuse to start.

mod admission;
mod assess;
mod checks;
mod config;
mod eval;
mod level;
mod message;
mod pod;
mod policy;
mod text;

pub use admission::{admit, AdmissionRequest, AdmissionResponse, ModeVerdict, RequestKind};
pub use assess::{
    assess, assess_namespace, assess_object, namespace_labels, namespace_policy, pss_labels, AssessOptions, Assessment,
    NamespaceAssessment, NonRootWithoutUser, ObjectAssessment, OwnedPod, Skipped, Verdict,
};
pub use checks::CheckId;
pub use config::{exempt, ConfigError, Exemption, Exemptions, PodSecurityConfiguration};
pub use eval::{
    checks_for, evaluate, evaluate_with, non_root_without_user, strictest_level, EvalOptions, Evaluation, PreparedPod,
    Violation, UNKNOWN_FORBIDDEN_REASON,
};
pub use level::{Level, LevelError, LevelVersion, Version, VersionError, MAX_POLICY_MINOR};
pub use message::{
    audit_violations_annotation, forbidden_message, violation_text, warning_message, AUDIT_ANNOTATION_PREFIX,
    AUDIT_VIOLATIONS_ANNOTATION, ENFORCE_POLICY_ANNOTATION, ERROR_ANNOTATION, EXEMPT_ANNOTATION,
};
pub use pod::{PodInput, PodKind};
pub use policy::{
    aggregate, exempt_namespace_warning, existing_pods_warnings, namespace_invalid_message, namespace_write,
    policy_error_annotation, ExistingPod, FieldError, Mode, NamespaceResponse, Policy, AUDIT_LEVEL_LABEL,
    AUDIT_VERSION_LABEL, ENFORCE_LEVEL_LABEL, ENFORCE_VERSION_LABEL, NAMESPACE_MAX_PODS_TO_CHECK, WARN_LEVEL_LABEL,
    WARN_VERSION_LABEL,
};
pub use text::go_quote;
