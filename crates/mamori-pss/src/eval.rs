//! Evaluating a pod at a level and version, and aggregating the results.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::checks::{CheckId, Ctx};
use crate::level::{Level, Version, MAX_POLICY_MINOR};
use crate::pod::{Facts, PodInput};

/// One failed check. The ID and reason are static texts when built by the
/// engine (`Cow` spares two allocations per violation) and owned after
/// deserialisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Upstream check ID, e.g. `allowPrivilegeEscalation`.
    pub check_id: Cow<'static, str>,
    /// Short reason, e.g. `allowPrivilegeEscalation != false`.
    pub reason: Cow<'static, str>,
    /// Specifics, e.g. `container "app" must set securityContext.allowPrivilegeEscalation=false`.
    pub detail: String,
}

/// The outcome of evaluating one pod at one level and version: the failed
/// checks in upstream order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Evaluation {
    pub allowed: bool,
    pub violations: Vec<Violation>,
}

/// Upstream's placeholder for a check that fails without a reason (no
/// built-in check does; kept so hand-made evaluations render like upstream).
pub const UNKNOWN_FORBIDDEN_REASON: &str = "unknown forbidden reason";

impl Evaluation {
    /// The detailed list used in single-object messages:
    /// `reason (detail), reason (detail), ...`, where an empty detail leaves
    /// the reason bare.
    pub fn forbidden_detail(&self) -> String {
        let mut out = String::new();
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(reason_or_unknown(&v.reason));
            if !v.detail.is_empty() {
                out.push_str(" (");
                out.push_str(&v.detail);
                out.push(')');
            }
        }
        out
    }

    /// The reasons only, joined by `", "` (used when summarising existing
    /// pods on a namespace label change).
    pub fn forbidden_reasons(&self) -> String {
        self.violations
            .iter()
            .map(|v| reason_or_unknown(&v.reason))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn reason_or_unknown(r: &str) -> &str {
    if r.is_empty() {
        UNKNOWN_FORBIDDEN_REASON
    } else {
        r
    }
}

/// Cluster-wide knobs that change evaluation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EvalOptions {
    /// The API server emulates this older minor (`--emulated-version`):
    /// `latest` and newer versions are capped at it.
    pub emulation_minor: Option<u64>,
    /// Upstream's opt-in (feature gate `UserNamespacesPodSecurityStandards`)
    /// to relax runAsNonRoot and runAsUser for `hostUsers: false` pods in
    /// policy versions before v1.35, which relax them unconditionally.
    pub relax_user_namespace_pods: bool,
}

/// Bit `i` set when `CheckId::ALL[i]` runs at `level` and effective minor
/// `minor` (at most [`MAX_POLICY_MINOR`]): the table is built once, so an
/// evaluation skips the revision lookups.
fn run_mask(level: Level, minor: u64) -> u32 {
    const _: () = assert!(CheckId::ALL.len() <= 32, "one bit per check");
    const MINORS: usize = MAX_POLICY_MINOR as usize + 1;
    static TABLE: OnceLock<[[u32; MINORS]; 3]> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [[0u32; MINORS]; 3];
        for (li, level) in Level::ALL.into_iter().enumerate() {
            for (m, bits) in t[li].iter_mut().enumerate() {
                for (i, c) in CheckId::ALL.into_iter().enumerate() {
                    if c.runs_at(level, m as u64) {
                        *bits |= 1 << i;
                    }
                }
            }
        }
        t
    });
    table[level as usize][(minor as usize).min(MINORS - 1)]
}

/// The checks that run at `level` and `version`, in message order.
pub fn checks_for(level: Level, version: Version) -> Vec<CheckId> {
    let minor = version.effective_minor(None);
    CheckId::ALL.into_iter().filter(|c| c.runs_at(level, minor)).collect()
}

/// A pod prepared for evaluation: its fields are read once, then it can be
/// evaluated at any number of levels and versions.
#[derive(Debug, Clone)]
pub struct PreparedPod<'a> {
    facts: Facts<'a>,
}

impl<'a> PreparedPod<'a> {
    pub fn new(pod: &PodInput<'a>) -> Self {
        PreparedPod {
            facts: Facts::extract(pod),
        }
    }

    pub fn evaluate(&self, level: Level, version: Version) -> Evaluation {
        self.evaluate_with(level, version, EvalOptions::default())
    }

    pub fn evaluate_with(&self, level: Level, version: Version, opts: EvalOptions) -> Evaluation {
        let ctx = Ctx {
            minor: version.effective_minor(opts.emulation_minor),
            relax_user_namespace_pods: opts.relax_user_namespace_pods,
        };
        let mut violations = Vec::new();
        if level != Level::Privileged {
            let mask = run_mask(level, ctx.minor);
            for (i, check) in CheckId::ALL.into_iter().enumerate() {
                if mask & (1 << i) == 0 {
                    continue;
                }
                if let Some(fail) = check.run(&self.facts, &ctx) {
                    violations.push(Violation {
                        check_id: Cow::Borrowed(check.as_str()),
                        reason: Cow::Borrowed(fail.reason),
                        detail: fail.detail,
                    });
                }
            }
        }
        Evaluation {
            allowed: violations.is_empty(),
            violations,
        }
    }

    /// Whether the pod passes, without building any message text.
    pub fn allowed(&self, level: Level, version: Version, opts: EvalOptions) -> bool {
        let ctx = Ctx {
            minor: version.effective_minor(opts.emulation_minor),
            relax_user_namespace_pods: opts.relax_user_namespace_pods,
        };
        if level == Level::Privileged {
            return true;
        }
        let mask = run_mask(level, ctx.minor);
        CheckId::ALL
            .into_iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .all(|(_, c)| c.run(&self.facts, &ctx).is_none())
    }

    /// The strictest level the pod satisfies at `version`.
    pub fn strictest_level(&self, version: Version, opts: EvalOptions) -> Level {
        // Restricted includes every baseline rule (its replacements are
        // stricter), so one failing level settles the ones above it.
        if self.allowed(Level::Restricted, version, opts) {
            Level::Restricted
        } else if self.allowed(Level::Baseline, version, opts) {
            Level::Baseline
        } else {
            Level::Privileged
        }
    }
}

/// Evaluates a pod at a level and version (upstream's `EvaluatePod` followed
/// by `AggregateCheckResults`).
pub fn evaluate(pod: &PodInput<'_>, level: Level, version: Version) -> Evaluation {
    PreparedPod::new(pod).evaluate(level, version)
}

/// [`evaluate`] with cluster options.
pub fn evaluate_with(pod: &PodInput<'_>, level: Level, version: Version, opts: EvalOptions) -> Evaluation {
    PreparedPod::new(pod).evaluate_with(level, version, opts)
}

/// The strictest level the pod satisfies at `version`.
pub fn strictest_level(pod: &PodInput<'_>, version: Version) -> Level {
    PreparedPod::new(pod).strictest_level(version, EvalOptions::default())
}

/// Containers (in visiting order) that must run as non-root
/// (`runAsNonRoot: true` on the container, or inherited from the pod) but
/// set no `runAsUser` at either level. PSS accepts them, yet the kubelet
/// refuses to start such a container when its image's default user is root
/// or not numeric (`container has runAsNonRoot and image will run as root`),
/// so callers may want to warn. Windows pods are skipped: they name users
/// with `runAsUserName` instead.
pub fn non_root_without_user(pod: &PodInput<'_>) -> Vec<String> {
    let f = Facts::extract(pod);
    if f.is_windows() {
        return Vec::new();
    }
    f.containers
        .iter()
        .filter(|c| c.run_as_non_root.or(f.run_as_non_root) == Some(true) && c.run_as_user.or(f.run_as_user).is_none())
        .map(|c| c.name.to_string())
        .collect()
}
