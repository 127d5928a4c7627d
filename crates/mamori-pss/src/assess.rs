//! Judging a whole inventory: every pod-bearing object by its namespace's
//! policy (or by one level given on the command line), and every namespace
//! by the strictest level all of its workloads satisfy.
//!
//! This is the seam between the engine, which knows nothing of files, and
//! mamori's model: objects are read *as stored* ([`Object::stored`]), so a
//! field the API server would drop (a misplaced `capabilities`) is judged
//! absent, exactly as the cluster would judge it. Namespaces come from the
//! [`Inventory`]: declared ones carry their labels; implied ones (`default`,
//! or any namespace an object lives in) have none, so the cluster defaults
//! apply (privileged unless an admission configuration says otherwise).
//!
//! Workloads are never rejected by admission, but their pods are, so an
//! enforce verdict on a workload answers "would its pods be created?" and
//! its message takes the warning form the API server sends for workloads.

use std::collections::BTreeMap;

use mamori_model::{Inventory, Object, PodSpecView};
use serde_json::Value;

use crate::admission::{admit, AdmissionRequest, AdmissionResponse, RequestKind};
use crate::config::{Exemption, PodSecurityConfiguration};
use crate::eval::{non_root_without_user, EvalOptions, Evaluation, PreparedPod};
use crate::level::{Level, LevelVersion, Version};
use crate::message::{forbidden_message, warning_message};
use crate::pod::PodInput;
use crate::policy::{FieldError, Mode, Policy};

/// What to judge against.
#[derive(Debug, Clone, Default)]
pub struct AssessOptions {
    /// Judge every object at this level (mode enforce) instead of by its
    /// namespace's labels.
    pub level: Option<Level>,
    /// Pin the policy version everywhere: the version of `level`, or the
    /// version of every namespace mode when judging by labels.
    pub version: Option<Version>,
    /// Cluster defaults and exemptions.
    pub config: PodSecurityConfiguration,
    pub eval: EvalOptions,
}

/// A pod (or a workload's pod template) copied out of the model as JSON,
/// the form the engine reads.
#[derive(Debug, Clone)]
pub struct OwnedPod {
    pub metadata: Value,
    pub spec: Value,
    /// A `Pod` object (enforce rejects it) rather than a template.
    pub is_pod: bool,
}

impl OwnedPod {
    /// The stored pod spec and metadata of `view`'s object; `None` when the
    /// object has no pod spec mapping.
    pub fn from_view(obj: &Object, view: &PodSpecView) -> Option<OwnedPod> {
        let spec = view.spec(obj)?.to_json();
        let metadata = view.metadata(obj).map(|m| m.to_json()).unwrap_or(Value::Null);
        Some(OwnedPod {
            metadata,
            spec,
            is_pod: obj.kind == "Pod",
        })
    }

    pub fn input(&self) -> PodInput<'_> {
        if self.is_pod {
            PodInput::new(&self.metadata, &self.spec)
        } else {
            PodInput::template(&self.metadata, &self.spec)
        }
    }

    /// The image of a container, by name (for messages).
    pub fn image_of(&self, container: &str) -> Option<&str> {
        ["initContainers", "containers", "ephemeralContainers"]
            .iter()
            .filter_map(|k| self.spec.get(k)?.as_array())
            .flatten()
            .find(|c| c.get("name").and_then(Value::as_str) == Some(container))?
            .get("image")?
            .as_str()
    }
}

/// The labels of a namespace as the inventory knows them (the
/// `kubernetes.io/metadata.name` label included).
pub fn namespace_labels(inv: &Inventory, namespace: &str) -> BTreeMap<String, String> {
    inv.namespaces
        .get(namespace)
        .map(|n| n.labels.iter().cloned().collect())
        .unwrap_or_default()
}

/// A namespace's policy from its labels and the cluster defaults, with the
/// label errors upstream would report.
pub fn namespace_policy(
    inv: &Inventory,
    namespace: &str,
    config: &PodSecurityConfiguration,
) -> (Policy, Vec<FieldError>) {
    Policy::from_label_map(&namespace_labels(inv, namespace), &config.defaults)
}

/// One mode's verdict on one object.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub mode: Mode,
    pub policy: LevelVersion,
    /// False only when evaluated and violated; exempt objects are allowed.
    pub allowed: bool,
    /// Empty when exempt.
    pub evaluation: Evaluation,
    /// The API server's text: the Forbidden error for a pod at enforce, the
    /// warning (`would violate PodSecurity ...`) otherwise.
    pub message: Option<String>,
}

/// A container that PSS accepts but the kubelet may refuse to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonRootWithoutUser {
    pub container: String,
    pub image: Option<String>,
}

/// Everything about one pod-bearing object.
#[derive(Debug, Clone)]
pub struct ObjectAssessment {
    /// Index in the inventory.
    pub object: usize,
    pub namespace: String,
    pub exempt: Option<Exemption>,
    /// Enforce, audit, warn; or only enforce with a fixed level.
    pub verdicts: Vec<Verdict>,
    /// The strictest level the pod satisfies, at `version`.
    pub strictest: Level,
    /// The version `strictest` was computed at: the enforce version.
    pub version: Version,
    /// The level above `strictest` and why the object fails it (`None` at
    /// restricted): what raising its namespace one level would break.
    pub above: Option<(Level, Evaluation)>,
    pub non_root_without_user: Vec<NonRootWithoutUser>,
    /// The API server's whole answer (warnings, audit annotations), when
    /// judged by the namespace's labels as they are (no level or version
    /// given on the command line).
    pub admission: Option<AdmissionResponse>,
}

impl ObjectAssessment {
    pub fn verdict(&self, mode: Mode) -> Option<&Verdict> {
        self.verdicts.iter().find(|v| v.mode == mode)
    }

    /// Enforce would reject the pod, or every pod of the workload.
    pub fn rejected(&self) -> bool {
        self.verdict(Mode::Enforce).is_some_and(|v| !v.allowed)
    }
}

/// An object that bears pods but was not judged, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub object: usize,
    pub reason: String,
}

/// One namespace that is declared in the input or holds pod-bearing objects.
#[derive(Debug, Clone)]
pub struct NamespaceAssessment {
    pub name: String,
    /// Index of the Namespace object, when declared.
    pub declared: Option<usize>,
    /// Its `pod-security.kubernetes.io/*` labels.
    pub pss_labels: BTreeMap<String, String>,
    pub policy: Policy,
    pub errors: Vec<FieldError>,
    pub exempt: bool,
    /// Assessed objects in it (indexes into [`Assessment::objects`]).
    pub objects: Vec<usize>,
    /// The version the levels below are computed at.
    pub version: Version,
    /// The strictest level every workload in it satisfies (restricted when
    /// it has none): the enforce label it can carry today.
    pub strictest: Level,
    /// The next stricter level and the objects (indexes into
    /// [`Assessment::objects`]) it would reject, with their evaluations.
    pub next: Option<(Level, Vec<(usize, Evaluation)>)>,
}

impl NamespaceAssessment {
    /// The enforce label it carries, if any.
    pub fn enforce_label(&self) -> Option<&str> {
        self.pss_labels.get(Mode::Enforce.level_label()).map(String::as_str)
    }

    /// `strictest` is stricter than the enforce level in force.
    pub fn can_be_raised(&self) -> bool {
        self.strictest > self.policy.enforce.level
    }
}

#[derive(Debug, Clone, Default)]
pub struct Assessment {
    pub objects: Vec<ObjectAssessment>,
    pub skipped: Vec<Skipped>,
    pub namespaces: Vec<NamespaceAssessment>,
}

/// Judges one pod-bearing object. `None` when it has no pod spec.
pub fn assess_object(inv: &Inventory, view: &PodSpecView, opts: &AssessOptions) -> Option<ObjectAssessment> {
    let obj = &inv.objects[view.object];
    let pod = OwnedPod::from_view(obj, view)?;
    let namespace = obj.effective_namespace.clone().unwrap_or_default();
    let (mut policy, _) = namespace_policy(inv, &namespace, &opts.config);
    if let Some(v) = opts.version {
        policy.enforce.version = v;
        policy.audit.version = v;
        policy.warn.version = v;
    }
    let modes: Vec<(Mode, LevelVersion)> = match opts.level {
        Some(level) => vec![(
            Mode::Enforce,
            LevelVersion::new(level, opts.version.unwrap_or(Version::Latest)),
        )],
        None => Mode::ALL.iter().map(|&m| (m, policy.get(m))).collect(),
    };
    let input = pod.input();
    let runtime_class = pod.spec.get("runtimeClassName").and_then(Value::as_str);
    // The user is unknown offline, and an empty name is never exempt.
    let exempt = opts.config.exempt(&namespace, "", runtime_class);
    let prepared = PreparedPod::new(&input);
    let name = obj.name.as_str();
    let verdicts = modes
        .into_iter()
        .map(|(mode, lv)| {
            if exempt.is_some() {
                return Verdict {
                    mode,
                    policy: lv,
                    allowed: true,
                    evaluation: Evaluation {
                        allowed: true,
                        violations: Vec::new(),
                    },
                    message: None,
                };
            }
            let evaluation = prepared.evaluate_with(lv.level, lv.version, opts.eval);
            let message = if pod.is_pod && mode == Mode::Enforce {
                forbidden_message(name, lv.level, lv.version, &evaluation)
            } else {
                warning_message(lv.level, lv.version, &evaluation)
            };
            Verdict {
                mode,
                policy: lv,
                allowed: evaluation.allowed,
                evaluation,
                message,
            }
        })
        .collect::<Vec<_>>();
    let version = verdicts[0].policy.version;
    let strictest = prepared.strictest_level(version, opts.eval);
    let above = strictest
        .stricter()
        .map(|l| (l, prepared.evaluate_with(l, version, opts.eval)));
    let non_root = non_root_without_user(&input)
        .into_iter()
        .map(|c| NonRootWithoutUser {
            image: pod.image_of(&c).map(str::to_string),
            container: c,
        })
        .collect();
    let admission = (opts.level.is_none() && opts.version.is_none()).then(|| {
        let labels: serde_json::Map<String, Value> = namespace_labels(inv, &namespace)
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        let labels = Value::Object(labels);
        let req = AdmissionRequest {
            kind: if pod.is_pod {
                RequestKind::Pod
            } else {
                RequestKind::Workload
            },
            name,
            namespace: &namespace,
            namespace_labels: &labels,
            username: "",
            pod: input,
        };
        admit(&opts.config, &req, opts.eval)
    });
    Some(ObjectAssessment {
        admission,
        object: view.object,
        namespace,
        exempt,
        verdicts,
        strictest,
        version,
        above,
        non_root_without_user: non_root,
    })
}

/// Judges every pod-bearing object and every namespace that is declared or
/// holds one. Objects the API server would refuse whatever PSS says (their
/// schema finding explains why) are skipped.
pub fn assess(inv: &Inventory, opts: &AssessOptions) -> Assessment {
    let mut a = Assessment::default();
    for view in &inv.pod_specs {
        let obj = &inv.objects[view.object];
        if let Some(r) = &obj.rejected {
            a.skipped.push(Skipped {
                object: view.object,
                reason: format!("the API server would refuse it before Pod Security runs: {r}"),
            });
            continue;
        }
        match assess_object(inv, view, opts) {
            Some(o) => a.objects.push(o),
            None => a.skipped.push(Skipped {
                object: view.object,
                reason: "it has no pod spec".to_string(),
            }),
        }
    }
    for ns in inv.namespaces.values() {
        let members: Vec<usize> = a
            .objects
            .iter()
            .enumerate()
            .filter(|(_, o)| o.namespace == ns.name)
            .map(|(i, _)| i)
            .collect();
        if ns.object.is_none() && members.is_empty() {
            continue;
        }
        a.namespaces
            .push(assess_namespace(inv, &ns.name, &a.objects, members, opts));
    }
    a
}

/// The `pod-security.kubernetes.io/` labels among `labels`.
pub fn pss_labels(labels: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    labels
        .iter()
        .filter(|(k, _)| k.starts_with(crate::message::AUDIT_ANNOTATION_PREFIX))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A namespace's standing: which level all of `members` (indexes into
/// `objects`) satisfy, and what the next level would reject.
pub fn assess_namespace(
    inv: &Inventory,
    name: &str,
    objects: &[ObjectAssessment],
    members: Vec<usize>,
    opts: &AssessOptions,
) -> NamespaceAssessment {
    let labels = namespace_labels(inv, name);
    let (mut policy, errors) = Policy::from_label_map(&labels, &opts.config.defaults);
    if let Some(v) = opts.version {
        policy.enforce.version = v;
        policy.audit.version = v;
        policy.warn.version = v;
    }
    // The version members were judged at (see `assess_object`).
    let version = match opts.level {
        Some(_) => opts.version.unwrap_or(Version::Latest),
        None => policy.enforce.version,
    };
    let strictest = members
        .iter()
        .map(|&i| objects[i].strictest)
        .min()
        .unwrap_or(Level::Restricted);
    // `strictest` is the members' minimum, so the next level rejects exactly
    // the members at that minimum, for the reasons each already computed.
    let next = strictest.stricter().map(|level| {
        let failing = members
            .iter()
            .filter_map(|&i| match &objects[i].above {
                Some((l, e)) if *l == level => Some((i, e.clone())),
                _ => None,
            })
            .collect();
        (level, failing)
    });
    NamespaceAssessment {
        name: name.to_string(),
        declared: inv.namespaces.get(name).and_then(|n| n.object),
        pss_labels: pss_labels(&labels),
        policy,
        errors,
        exempt: opts.config.exempt_namespace(name),
        objects: members,
        version,
        strictest,
        next,
    }
}
