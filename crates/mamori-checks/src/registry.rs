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
        &pod::apparmor_unconfined::CHECK,
        &pod::capabilities_not_dropped::CHECK,
        &pod::capability_added::CHECK,
        &pod::dangerous_capability_added::CHECK,
        &pod::default_service_account::CHECK,
        &pod::host_ipc::CHECK,
        &pod::host_network::CHECK,
        &pod::host_path_volume::CHECK,
        &pod::host_pid::CHECK,
        &pod::host_port::CHECK,
        &pod::missing_memory_limit::CHECK,
        &pod::missing_resource_requests::CHECK,
        &img::image_not_pinned_by_digest::CHECK,
        &img::pull_policy_allows_stale_image::CHECK,
        &img::registry_not_allowed::CHECK,
        &sec::secret_in_env_value::CHECK,
        &sec::secret_in_configmap::CHECK,
        &sec::secret_in_annotation::CHECK,
        &sec::secret_as_env_var::CHECK,
        &sec::secret_printed_to_logs::CHECK,
        &sec::secret_manifest_committed::CHECK,
        &sec::long_lived_service_account_token::CHECK,
        &exp::service_nodeport::CHECK,
        &exp::service_loadbalancer_open::CHECK,
        &exp::service_external_ips::CHECK,
        &exp::ingress_without_tls::CHECK,
        &exp::ingress_wildcard_host::CHECK,
        &exp::service_external_name::CHECK,
        &pod::privileged_container::CHECK,
        &pod::privilege_escalation_allowed::CHECK,
        &pod::run_as_non_root_not_set::CHECK,
        &pod::run_as_root::CHECK,
        &pod::run_as_root_group::CHECK,
        &pod::seccomp_unconfined::CHECK,
        &pod::selinux_custom_options::CHECK,
        &pod::sensitive_host_path::CHECK,
        &pod::service_account_token_automounted::CHECK,
        &pod::share_process_namespace::CHECK,
        &pod::unmasked_proc_mount::CHECK,
        &pod::unsafe_sysctl::CHECK,
        &pod::windows_host_process::CHECK,
        &pod::writable_root_filesystem::CHECK,
        &rbac::cluster_admin_bound::CHECK,
        &rbac::wildcard_in_role_rule::CHECK,
        &rbac::secrets_readable::CHECK,
        &rbac::exec_attach_or_ephemeral_containers::CHECK,
        &rbac::workload_creation::CHECK,
        &rbac::escalate_bind_or_impersonate::CHECK,
        &rbac::service_account_token_creation::CHECK,
        &rbac::node_proxy::CHECK,
        &rbac::csr_approval::CHECK,
        &rbac::admission_webhook_changes::CHECK,
        &rbac::binding_to_anonymous_or_all_users::CHECK,
        &rbac::aws_auth_maps_to_system_masters::CHECK,
        &rbac::service_account_cloud_identity::CHECK,
        &rbac::pod_token_grants_risky_permission::CHECK,
        &rbac::pod_access_reaches_powerful_account::CHECK,
        &rbac::persistent_volume_changes::CHECK,
        &rbac::api_extension_changes::CHECK,
        &rbac::policy_engine_changes::CHECK,
        &rbac::status_or_node_changes::CHECK,
        &rbac::network_policy_changes::CHECK,
        &rbac::event_deletion::CHECK,
        &rbac::kube_system_config_writes::CHECK,
        &rbac::binding_to_missing_role::CHECK,
        &pod::missing_liveness_probe::CHECK,
        &pod::missing_readiness_probe::CHECK,
        &pod::missing_cpu_limit::CHECK,
        &pod::low_uid::CHECK,
        &pod::workload_in_default_namespace::CHECK,
        &pod::empty_dir_without_size_limit::CHECK,
        &pod::cronjob_concurrent_runs::CHECK,
        &pod::run_as_non_root_contradicts_uid::CHECK,
        &pod::naked_pod::CHECK,
        &pod::seccomp_annotation_ignored::CHECK,
        &pod::git_repo_volume::CHECK,
        &pod::duplicate_env_var::CHECK,
        &pod::fractional_byte_quantity::CHECK,
        &exp::helm_tiller::CHECK,
        &exp::kubernetes_dashboard::CHECK,
        &exp::nginx_snippet_annotation::CHECK,
        &exp::service_selects_no_pod::CHECK,
        &pod::sudo_in_command::CHECK,
        &pod::workload_in_kube_system::CHECK,
        &pod::missing_memory_request::CHECK,
        &pss::namespace_without_enforce_label::CHECK,
        &pss::rejected_by_namespace_enforce::CHECK,
        &pss::violates_audit_or_warn::CHECK,
        &pss::namespace_can_enforce_stricter_level::CHECK,
        &pss::invalid_pod_security_label::CHECK,
        &net::namespace_without_default_deny::CHECK,
        &net::workload_selected_by_no_policy::CHECK,
        &net::egress_isolated_without_dns::CHECK,
        &net::policy_selects_nothing::CHECK,
        &net::peer_matches_nothing::CHECK,
        &net::invalid_network_policy::CHECK,
        &net::named_port_on_no_pod::CHECK,
        &net::rule_names_service_port::CHECK,
        &net::dns_peer_admits_whole_namespace::CHECK,
    ];
    v.sort_by_key(|c| c.meta().code);
    v
}

pub fn by_code(code: &str) -> Option<&'static dyn Check> {
    all()
        .into_iter()
        .find(|c| c.meta().code.eq_ignore_ascii_case(code) || c.meta().name == code)
}

/// Run `checks` over the context. On a large inventory the check groups are
/// shared out to one thread per core, each walking the inventory once;
/// findings are sorted by a key that includes the code, and each check's
/// findings stay in its own order (stable sort), so the output is the one a
/// single walk gives.
pub fn run(cx: &Context, checks: &[&'static dyn Check]) -> Vec<Finding> {
    let threads = if cx.inventory.objects.len() >= PARALLEL_OBJECTS {
        std::thread::available_parallelism().map_or(1, |n| n.get()).min(8)
    } else {
        1
    };
    if threads < 2 || checks.len() < 2 {
        return walk(cx, checks);
    }
    // Whole groups per thread, so an engine a group derives (the RBAC
    // policy, the PSS assessment) is built by one thread only; groups go,
    // largest first, to the share with the fewest checks.
    let mut groups: Vec<Vec<&'static dyn Check>> = Vec::new();
    for c in checks {
        let prefix = |c: &dyn Check| c.meta().code.trim_end_matches(|ch: char| ch.is_ascii_digit());
        match groups.iter_mut().find(|g| prefix(g[0]) == prefix(*c)) {
            Some(g) => g.push(*c),
            None => groups.push(vec![*c]),
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.len()));
    let mut shares: Vec<Vec<&'static dyn Check>> = vec![Vec::new(); threads];
    for g in groups {
        let least = (0..threads).min_by_key(|&t| shares[t].len()).unwrap_or(0);
        shares[least].extend(g);
    }
    let mut out: Vec<Finding> = std::thread::scope(|s| {
        let workers: Vec<_> = shares.iter().map(|share| s.spawn(|| walk(cx, share))).collect();
        workers
            .into_iter()
            // A panicking check is a bug; re-raise it on this thread.
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    // Equal keys share a code, so they come from one check, walked by one
    // thread in the single walk's order; the stable sort keeps that order.
    out.sort_by_cached_key(Finding::sort_key);
    out
}

/// Below this many objects one thread is faster than several.
const PARALLEL_OBJECTS: usize = 200;

/// One walk of the inventory for `checks`.
fn walk(cx: &Context, checks: &[&'static dyn Check]) -> Vec<Finding> {
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
    // Stable, with each key built once.
    out.sort_by_cached_key(Finding::sort_key);
    out
}

/// A finished analysis: the inventory built from a load, what the load
/// reported besides objects, and the findings of the checks run over it.
pub struct Analysis {
    pub inventory: mamori_model::Inventory,
    /// The load, its objects moved into `inventory`.
    pub load: mamori_source::load::LoadResult,
    pub findings: Vec<Finding>,
}

/// Build the inventory from `load` and run `checks`: the one pipeline the
/// CLI, the tests, the benchmark and the fuzzer share.
pub fn analyze(
    mut load: mamori_source::load::LoadResult,
    config: &mamori_diagnostics::Config,
    checks: &[&'static dyn Check],
) -> Analysis {
    let inventory = mamori_model::Inventory::new(std::mem::take(&mut load.objects));
    let cx = Context {
        inventory: &inventory,
        problems: &load.problems,
        issues: &load.issues,
        config,
    };
    let findings = run(&cx, checks);
    Analysis {
        inventory,
        load,
        findings,
    }
}
