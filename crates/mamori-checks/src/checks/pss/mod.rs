//! `PSS`: Pod Security Standards, judged by the `mamori-pss` engine exactly
//! as the PodSecurity admission plugin would, with the built-in cluster
//! defaults (privileged:latest, no exemptions). `mamori pss` takes an
//! admission configuration; the catalog does not, so a cluster with other
//! defaults may judge unlabelled namespaces more strictly than these checks.
pub mod invalid_pod_security_label;
pub mod namespace_can_enforce_stricter_level;
pub mod namespace_without_enforce_label;
pub mod rejected_by_namespace_enforce;
pub mod violates_audit_or_warn;

use crate::context::Context;
use mamori_model::{FieldPath, Object, PodSpecView};
use mamori_pss::{assess_namespace, assess_object, AssessOptions, NamespaceAssessment, ObjectAssessment};

/// The verdicts on one pod spec under its namespace's labels.
pub fn judge(cx: &Context, view: &PodSpecView) -> Option<ObjectAssessment> {
    assess_object(cx.inventory, view, &AssessOptions::default())
}

/// A namespace's standing over the pod-bearing objects of the input that
/// the API server would accept.
pub fn namespace_standing(cx: &Context, name: &str) -> NamespaceAssessment {
    let opts = AssessOptions::default();
    let inv = cx.inventory;
    let objects: Vec<ObjectAssessment> = inv
        .pod_specs
        .iter()
        .filter(|v| {
            let o = &inv.objects[v.object];
            o.rejected.is_none() && o.effective_namespace.as_deref() == Some(name)
        })
        .filter_map(|v| assess_object(inv, v, &opts))
        .collect();
    let members = (0..objects.len()).collect();
    assess_namespace(inv, name, &objects, members, &opts)
}

/// Where a finding about a namespace label points: the label when it is
/// written, else `metadata.labels`, else `metadata`.
pub fn label_path(ns: &Object, label: &str) -> FieldPath {
    let labels = FieldPath::root().key("metadata").key("labels");
    let has = |p: &FieldPath| ns.node.at(p).is_some();
    let exact = labels.key(label);
    if has(&exact) {
        exact
    } else if has(&labels) {
        labels
    } else {
        FieldPath::root().key("metadata")
    }
}

/// `Kind NAME` as users say it (`Deployment web`).
pub fn kind_name(o: &Object) -> String {
    format!("{} {}", o.kind, o.name)
}
