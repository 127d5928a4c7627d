//! `POD`: runtime hardening of pods and containers.
pub mod apparmor_unconfined;
pub mod capabilities_not_dropped;
pub mod capability_added;
pub mod cronjob_concurrent_runs;
pub mod dangerous_capability_added;
pub mod default_service_account;
pub mod duplicate_env_var;
pub mod empty_dir_without_size_limit;
pub mod fractional_byte_quantity;
pub mod git_repo_volume;
pub mod host_ipc;
pub mod host_network;
pub mod host_path_volume;
pub mod host_pid;
pub mod host_port;
pub mod low_uid;
pub mod missing_cpu_limit;
pub mod missing_liveness_probe;
pub mod missing_memory_limit;
pub mod missing_memory_request;
pub mod missing_readiness_probe;
pub mod missing_resource_requests;
pub mod naked_pod;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
pub mod run_as_non_root_contradicts_uid;
pub mod run_as_non_root_not_set;
pub mod run_as_root;
pub mod run_as_root_group;
pub mod seccomp_annotation_ignored;
pub mod seccomp_unconfined;
pub mod selinux_custom_options;
pub mod sensitive_host_path;
pub mod service_account_token_automounted;
pub mod share_process_namespace;
pub mod sudo_in_command;
pub mod unmasked_proc_mount;
pub mod unsafe_sysctl;
pub mod windows_host_process;
pub mod workload_in_default_namespace;
pub mod workload_in_kube_system;
pub mod writable_root_filesystem;

use mamori_model::Node;

/// Linux-only settings do not apply to pods that declare `os.name: windows`.
pub fn is_windows(spec: &Node) -> bool {
    spec.get("os").and_then(|o| o.str_field("name")) == Some("windows")
}

/// Findings for a pod-level boolean that shares a host namespace.
pub fn host_namespace(
    cx: &crate::context::Context,
    view: &mamori_model::PodSpecView,
    meta: &crate::registry::CheckMeta,
    field: &str,
    consequence: &str,
    out: &mut Vec<mamori_diagnostics::Finding>,
) {
    let obj = &cx.inventory.objects[view.object];
    let Some(spec) = view.spec(obj) else { return };
    if spec.get(field).and_then(Node::as_bool) == Some(true) {
        out.push(cx.finding(
            meta,
            view.object,
            &view.spec_path.key(field),
            format!("{} {:?} sets {field}: true: {consequence}", obj.kind, obj.name),
            Some(format!("remove `{field}` (it defaults to false)")),
        ));
    }
}

/// The container's `capabilities.add` entries: (index, as written, normalised).
pub fn added_caps(c: &mamori_model::ContainerView) -> Vec<(usize, String, String)> {
    c.node
        .get("securityContext")
        .and_then(|s| s.get("capabilities"))
        .and_then(|k| k.get("add"))
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            n.as_str()
                .map(|s| (i, s.to_string(), mamori_model::effective::normalize_cap(s)))
        })
        .collect()
}

/// A finding at `metadata.namespace` when the pod-bearing object's manifest
/// writes namespace `ns` (an assumed namespace is a deploy-time choice).
pub fn written_into(
    cx: &crate::context::Context,
    view: &mamori_model::PodSpecView,
    meta: &crate::registry::CheckMeta,
    ns: &str,
    consequence: &str,
    hint: &str,
    out: &mut Vec<mamori_diagnostics::Finding>,
) {
    let obj = &cx.inventory.objects[view.object];
    if obj.namespace_assumed || obj.namespace.as_deref() != Some(ns) {
        return;
    }
    out.push(cx.finding(
        meta,
        view.object,
        &mamori_model::FieldPath::root().key("metadata").key("namespace"),
        format!("{} {:?} {consequence}", obj.kind, obj.name),
        Some(hint.into()),
    ));
}
