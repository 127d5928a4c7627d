use crate::context::Context;
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, PodSpecView};

/// What a check looks at; the catalog dispatches on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selects {
    /// Problems found while loading (files, documents, schema).
    Input,
    /// Whole objects (optionally of some kinds).
    Objects(&'static [&'static str]),
    /// Every pod spec (Pod, workloads, CronJob, PodTemplate).
    PodSpecs,
    /// Every container (init, regular, ephemeral) of every pod spec.
    Containers,
}

#[derive(Debug)]
pub struct CheckMeta {
    /// Stable code, never reused (`SCH003`).
    pub code: &'static str,
    /// Kebab-case name of the bad pattern.
    pub name: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub selects: Selects,
    /// NSA/CISA, CIS Kubernetes, MITRE ATT&CK for containers.
    pub mappings: &'static [&'static str],
    /// Course exercise this covers, if any.
    pub course: Option<&'static str>,
    /// Markdown with the sections `## What it finds`, `## Why it matters`,
    /// `## Example`, `## Use instead`, `## Fix`, `## References`.
    pub doc: &'static str,
}

pub trait Check: Sync {
    fn meta(&self) -> &'static CheckMeta;
    fn input(&self, _cx: &Context, _out: &mut Vec<Finding>) {}
    fn object(&self, _cx: &Context, _obj: usize, _out: &mut Vec<Finding>) {}
    fn pod_spec(&self, _cx: &Context, _view: &PodSpecView, _out: &mut Vec<Finding>) {}
    fn container(&self, _cx: &Context, _view: &PodSpecView, _c: &ContainerView, _out: &mut Vec<Finding>) {}
}

pub fn all() -> Vec<&'static dyn Check> {
    use crate::checks::*;
    let mut v: Vec<&'static dyn Check> = vec![
        &sch::invalid_yaml::CHECK,
        &sch::unreadable_input::CHECK,
        &sch::unknown_field::CHECK,
        &sch::wrong_field_type::CHECK,
        &sch::missing_required_field::CHECK,
        &sch::unsupported_value::CHECK,
        &sch::api_not_served::CHECK,
        &sch::duplicate_object::CHECK,
        &sch::duplicate_field::CHECK,
        &sch::not_a_kubernetes_object::CHECK,
        &sch::document_not_a_mapping::CHECK,
        &sch::invalid_base64_data::CHECK,
        &img::image_tag_latest_or_missing::CHECK,
        &pod::privileged_container::CHECK,
        &pod::privilege_escalation_allowed::CHECK,
        &pss::namespace_without_enforce_label::CHECK,
        &pss::rejected_by_namespace_enforce::CHECK,
        &pss::violates_audit_or_warn::CHECK,
        &pss::namespace_can_enforce_stricter_level::CHECK,
        &pss::invalid_pod_security_label::CHECK,
    ];
    v.sort_by_key(|c| c.meta().code);
    v
}

pub fn by_code(code: &str) -> Option<&'static dyn Check> {
    all()
        .into_iter()
        .find(|c| c.meta().code.eq_ignore_ascii_case(code) || c.meta().name == code)
}

/// Run `checks` over the context: one walk of the inventory.
pub fn run(cx: &Context, checks: &[&'static dyn Check]) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in checks {
        if c.meta().selects == Selects::Input {
            c.input(cx, &mut out);
        }
    }
    let object_checks: Vec<_> = checks
        .iter()
        .filter(|c| matches!(c.meta().selects, Selects::Objects(_)))
        .collect();
    for (i, o) in cx.inventory.objects.iter().enumerate() {
        for c in &object_checks {
            if let Selects::Objects(kinds) = c.meta().selects {
                if kinds.is_empty() || kinds.contains(&o.kind.as_str()) {
                    c.object(cx, i, &mut out);
                }
            }
        }
    }
    let pod_checks: Vec<_> = checks
        .iter()
        .filter(|c| c.meta().selects == Selects::PodSpecs)
        .collect();
    let container_checks: Vec<_> = checks
        .iter()
        .filter(|c| c.meta().selects == Selects::Containers)
        .collect();
    for view in &cx.inventory.pod_specs {
        let obj = &cx.inventory.objects[view.object];
        if obj.rejected.is_some() {
            // The API server would never create it; its schema finding says why.
            continue;
        }
        for c in &pod_checks {
            c.pod_spec(cx, view, &mut out);
        }
        if !container_checks.is_empty() {
            for cv in view.containers(obj) {
                for c in &container_checks {
                    c.container(cx, view, &cv, &mut out);
                }
            }
        }
    }
    out.sort_by_key(Finding::sort_key);
    out
}
