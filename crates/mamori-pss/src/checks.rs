//! The check catalogue: which checks exist, when each revision starts, which
//! restricted check replaces which baseline check, and each check's rule and
//! message text.
//!
//! Every check returns `None` when the pod passes, without allocating, or the
//! upstream reason and detail when it fails.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::level::Level;
use crate::pod::{as_int, classify_volume, container_hosts, get, Container, ContainerKind, Facts, SeLinux};
use crate::text::{go_quote, join_quote, pluralize, push_join_quote, sorted_set};

/// Every check, declared in message order: baseline IDs sorted byte-wise,
/// then restricted IDs sorted byte-wise (upstream sorts IDs "to maintain
/// consistent error messages"; byte order puts `seLinuxOptions` before
/// `seccompProfile_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CheckId {
    #[serde(rename = "appArmorProfile")]
    AppArmorProfile,
    #[serde(rename = "capabilities_baseline")]
    CapabilitiesBaseline,
    #[serde(rename = "hostNamespaces")]
    HostNamespaces,
    #[serde(rename = "hostPathVolumes")]
    HostPathVolumes,
    #[serde(rename = "hostPorts")]
    HostPorts,
    #[serde(rename = "hostProbesAndHostLifecycle")]
    HostProbesAndHostLifecycle,
    #[serde(rename = "privileged")]
    Privileged,
    #[serde(rename = "procMount")]
    ProcMount,
    #[serde(rename = "seLinuxOptions")]
    SeLinuxOptions,
    #[serde(rename = "seccompProfile_baseline")]
    SeccompProfileBaseline,
    #[serde(rename = "sysctls")]
    Sysctls,
    #[serde(rename = "windowsHostProcess")]
    WindowsHostProcess,
    #[serde(rename = "allowPrivilegeEscalation")]
    AllowPrivilegeEscalation,
    #[serde(rename = "capabilities_restricted")]
    CapabilitiesRestricted,
    #[serde(rename = "procMount_restricted")]
    ProcMountRestricted,
    #[serde(rename = "restrictedVolumes")]
    RestrictedVolumes,
    #[serde(rename = "runAsNonRoot")]
    RunAsNonRoot,
    #[serde(rename = "runAsUser")]
    RunAsUser,
    #[serde(rename = "seccompProfile_restricted")]
    SeccompProfileRestricted,
}

impl CheckId {
    /// All checks in message order.
    pub const ALL: [CheckId; 19] = [
        CheckId::AppArmorProfile,
        CheckId::CapabilitiesBaseline,
        CheckId::HostNamespaces,
        CheckId::HostPathVolumes,
        CheckId::HostPorts,
        CheckId::HostProbesAndHostLifecycle,
        CheckId::Privileged,
        CheckId::ProcMount,
        CheckId::SeLinuxOptions,
        CheckId::SeccompProfileBaseline,
        CheckId::Sysctls,
        CheckId::WindowsHostProcess,
        CheckId::AllowPrivilegeEscalation,
        CheckId::CapabilitiesRestricted,
        CheckId::ProcMountRestricted,
        CheckId::RestrictedVolumes,
        CheckId::RunAsNonRoot,
        CheckId::RunAsUser,
        CheckId::SeccompProfileRestricted,
    ];

    /// The upstream check ID.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::AppArmorProfile => "appArmorProfile",
            CheckId::CapabilitiesBaseline => "capabilities_baseline",
            CheckId::HostNamespaces => "hostNamespaces",
            CheckId::HostPathVolumes => "hostPathVolumes",
            CheckId::HostPorts => "hostPorts",
            CheckId::HostProbesAndHostLifecycle => "hostProbesAndHostLifecycle",
            CheckId::Privileged => "privileged",
            CheckId::ProcMount => "procMount",
            CheckId::SeLinuxOptions => "seLinuxOptions",
            CheckId::SeccompProfileBaseline => "seccompProfile_baseline",
            CheckId::Sysctls => "sysctls",
            CheckId::WindowsHostProcess => "windowsHostProcess",
            CheckId::AllowPrivilegeEscalation => "allowPrivilegeEscalation",
            CheckId::CapabilitiesRestricted => "capabilities_restricted",
            CheckId::ProcMountRestricted => "procMount_restricted",
            CheckId::RestrictedVolumes => "restrictedVolumes",
            CheckId::RunAsNonRoot => "runAsNonRoot",
            CheckId::RunAsUser => "runAsUser",
            CheckId::SeccompProfileRestricted => "seccompProfile_restricted",
        }
    }

    /// Looks a check up by its upstream ID.
    pub fn parse(s: &str) -> Option<CheckId> {
        CheckId::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The level that introduces the check.
    pub fn level(self) -> Level {
        if self >= CheckId::AllowPrivilegeEscalation {
            Level::Restricted
        } else {
            Level::Baseline
        }
    }

    /// The minimum minor version of each revision, oldest first. The first
    /// entry is the version the check appears in.
    pub fn revisions(self) -> &'static [u64] {
        match self {
            CheckId::HostProbesAndHostLifecycle => &[34],
            CheckId::ProcMount => &[0, 35],
            CheckId::SeLinuxOptions => &[0, 31],
            CheckId::SeccompProfileBaseline => &[0, 19],
            CheckId::Sysctls => &[0, 27, 29, 32, 37],
            CheckId::AllowPrivilegeEscalation => &[8, 25],
            CheckId::CapabilitiesRestricted => &[22, 25],
            CheckId::ProcMountRestricted => &[35],
            CheckId::RunAsNonRoot => &[0, 35],
            CheckId::RunAsUser => &[23, 35],
            CheckId::SeccompProfileRestricted => &[19, 25],
            _ => &[0],
        }
    }

    /// The baseline check this restricted check replaces at the restricted
    /// level (every revision of these checks declares the override).
    pub fn overrides(self) -> Option<CheckId> {
        match self {
            CheckId::CapabilitiesRestricted => Some(CheckId::CapabilitiesBaseline),
            CheckId::ProcMountRestricted => Some(CheckId::ProcMount),
            CheckId::RestrictedVolumes => Some(CheckId::HostPathVolumes),
            CheckId::SeccompProfileRestricted => Some(CheckId::SeccompProfileBaseline),
            _ => None,
        }
    }

    /// The restricted check that replaces this baseline check (inverse of
    /// [`CheckId::overrides`]).
    pub fn overridden_by(self) -> Option<CheckId> {
        match self {
            CheckId::CapabilitiesBaseline => Some(CheckId::CapabilitiesRestricted),
            CheckId::ProcMount => Some(CheckId::ProcMountRestricted),
            CheckId::HostPathVolumes => Some(CheckId::RestrictedVolumes),
            CheckId::SeccompProfileBaseline => Some(CheckId::SeccompProfileRestricted),
            _ => None,
        }
    }

    /// The revision (its minimum minor) that applies at `minor`, if the check
    /// exists there.
    pub fn revision_at(self, minor: u64) -> Option<u64> {
        self.revisions().iter().rev().copied().find(|&r| r <= minor)
    }

    fn exists_at(self, minor: u64) -> bool {
        self.revisions()[0] <= minor
    }

    /// Whether the check runs at `level` and effective minor `minor`.
    pub fn runs_at(self, level: Level, minor: u64) -> bool {
        if !self.exists_at(minor) {
            return false;
        }
        match (self.level(), level) {
            (_, Level::Privileged) => false,
            (Level::Restricted, Level::Baseline) => false,
            (Level::Restricted, _) => true,
            (_, Level::Baseline) => true,
            (_, Level::Restricted) => !self.overridden_by().is_some_and(|r| r.exists_at(minor)),
        }
    }

    pub(crate) fn run(self, f: &Facts<'_>, ctx: &Ctx) -> Option<Fail> {
        match self {
            CheckId::AppArmorProfile => app_armor_profile(f),
            CheckId::CapabilitiesBaseline => capabilities_baseline(f),
            CheckId::HostNamespaces => host_namespaces(f),
            CheckId::HostPathVolumes => host_path_volumes(f),
            CheckId::HostPorts => host_ports(f),
            CheckId::HostProbesAndHostLifecycle => host_probes_and_lifecycle(f),
            CheckId::Privileged => privileged(f),
            CheckId::ProcMount => {
                // v1.35: a pod in a user namespace may use any procMount.
                if ctx.minor >= 35 && f.in_user_namespace() {
                    None
                } else {
                    proc_mount(f)
                }
            }
            CheckId::SeLinuxOptions => se_linux_options(f, ctx.minor >= 31),
            CheckId::SeccompProfileBaseline => {
                if ctx.minor >= 19 {
                    seccomp_baseline_fields(f)
                } else {
                    seccomp_baseline_annotations(f)
                }
            }
            CheckId::Sysctls => sysctls(f, ctx.minor),
            CheckId::WindowsHostProcess => windows_host_process(f),
            CheckId::AllowPrivilegeEscalation => skip_windows(f, ctx).then(|| allow_privilege_escalation(f))?,
            CheckId::CapabilitiesRestricted => skip_windows(f, ctx).then(|| capabilities_restricted(f))?,
            CheckId::ProcMountRestricted => proc_mount(f),
            CheckId::RestrictedVolumes => restricted_volumes(f),
            CheckId::RunAsNonRoot => skip_userns(f, ctx).then(|| run_as_non_root(f))?,
            CheckId::RunAsUser => skip_userns(f, ctx).then(|| run_as_user(f))?,
            CheckId::SeccompProfileRestricted => skip_windows(f, ctx).then(|| seccomp_restricted(f))?,
        }
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// True when the check should run; false for Windows pods from the v1.25
/// revisions on (Windows has no such Linux settings, and API validation
/// forbids setting them there).
fn skip_windows(f: &Facts<'_>, ctx: &Ctx) -> bool {
    !(ctx.minor >= 25 && f.is_windows())
}

/// True when the check should run; false for user-namespace pods from the
/// v1.35 revisions on (root in a user namespace is unprivileged on the
/// host), or earlier when the cluster opted into that relaxation.
fn skip_userns(f: &Facts<'_>, ctx: &Ctx) -> bool {
    !((ctx.minor >= 35 || ctx.relax_user_namespace_pods) && f.in_user_namespace())
}

/// Evaluation parameters shared by all checks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    pub minor: u64,
    pub relax_user_namespace_pods: bool,
}

/// A failed check: upstream's forbidden reason and detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fail {
    pub reason: &'static str,
    pub detail: String,
}

fn fail(reason: &'static str, detail: String) -> Option<Fail> {
    Some(Fail { reason, detail })
}

/// `container "a"` / `containers "a", "b"`.
fn containers_phrase(names: &[&str]) -> String {
    let mut s = String::from(pluralize("container", "containers", names.len()));
    s.push(' ');
    push_join_quote(&mut s, names);
    s
}

/// `{prefix}container "a"{suffix}` / `{prefix}containers "a", "b"{suffix}`
/// for the containers matching `pred`, `None` when none match. Written in
/// one allocation: the restricted checks fail for most unhardened pods, and
/// collecting names, then a phrase, then a format made that path
/// allocation-bound.
fn containers_detail<'a>(
    f: &Facts<'a>,
    pred: impl Fn(&Container<'a>) -> bool,
    prefix: &str,
    suffix: &str,
) -> Option<String> {
    let (n, len) = f
        .containers
        .iter()
        .filter(|c| pred(c))
        .fold((0, 0), |(n, len), c| (n + 1, len + c.name.len() + 4));
    if n == 0 {
        return None;
    }
    let mut s = String::with_capacity(prefix.len() + "containers ".len() + len + suffix.len());
    s.push_str(prefix);
    s.push_str(pluralize("container", "containers", n));
    s.push(' ');
    for (i, c) in f.containers.iter().filter(|c| pred(c)).enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push('"');
        s.push_str(c.name);
        s.push('"');
    }
    s.push_str(suffix);
    Some(s)
}

fn names_where<'a>(f: &Facts<'a>, pred: impl Fn(&Container<'a>) -> bool) -> Vec<&'a str> {
    f.containers.iter().filter(|c| pred(c)).map(|c| c.name).collect()
}

// ---------------------------------------------------------------- baseline

const APPARMOR_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn app_armor_type_allowed(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

fn app_armor_annotation_allowed(v: &str) -> bool {
    v.is_empty() || v == "runtime/default" || v.starts_with("localhost/")
}

fn app_armor_profile(f: &Facts<'_>) -> Option<Fail> {
    let pod_bad = f.apparmor.filter(|t| !app_armor_type_allowed(t));
    let containers_bad = f
        .containers
        .iter()
        .any(|c| c.apparmor.is_some_and(|t| !app_armor_type_allowed(t)));
    let annotations_bad = f.annotations.is_some_and(|a| {
        a.iter().any(|(k, v)| {
            k.starts_with(APPARMOR_ANNOTATION_PREFIX) && v.as_str().is_some_and(|v| !app_armor_annotation_allowed(v))
        })
    });
    if pod_bad.is_none() && !containers_bad && !annotations_bad {
        return None;
    }

    let mut setters: Vec<String> = Vec::new();
    let mut values: Vec<&str> = Vec::new();
    if let Some(t) = pod_bad {
        setters.push("pod".into());
        values.push(t);
    }
    let mut names = Vec::new();
    for c in &f.containers {
        if let Some(t) = c.apparmor.filter(|t| !app_armor_type_allowed(t)) {
            names.push(c.name);
            values.push(t);
        }
    }
    if !names.is_empty() {
        setters.push(containers_phrase(&names));
    }
    // Field types first (sorted, distinct), then the annotations (sorted).
    let mut values: Vec<String> = sorted_set(values).into_iter().map(String::from).collect();
    let mut annotations: Vec<String> = f
        .annotations
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            let v = v.as_str()?;
            (k.starts_with(APPARMOR_ANNOTATION_PREFIX) && !app_armor_annotation_allowed(v))
                .then(|| format!("{k}={}", go_quote(v)))
        })
        .collect();
    if !annotations.is_empty() {
        annotations.sort_unstable();
        setters.push(pluralize("annotation", "annotations", annotations.len()).into());
        values.extend(annotations);
    }
    fail(
        pluralize(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            values.len(),
        ),
        format!(
            "{} must not set AppArmor profile type to {}",
            setters.join(" and "),
            join_quote(&values)
        ),
    )
}

const BASELINE_CAPABILITIES: [&str; 13] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn capabilities_baseline(f: &Facts<'_>) -> Option<Fail> {
    fn bad_cap(v: &Value) -> Option<&str> {
        v.as_str().filter(|s| !BASELINE_CAPABILITIES.contains(s))
    }
    let names = names_where(f, |c| c.caps_add.iter().any(|v| bad_cap(v).is_some()));
    if names.is_empty() {
        return None;
    }
    let caps: Vec<&str> = f
        .containers
        .iter()
        .flat_map(|c| c.caps_add.iter().filter_map(bad_cap))
        .collect();
    fail(
        "non-default capabilities",
        format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&names),
            join_quote(&sorted_set(caps))
        ),
    )
}

fn host_namespaces(f: &Facts<'_>) -> Option<Fail> {
    if !(f.host_network || f.host_pid || f.host_ipc) {
        return None;
    }
    let parts: Vec<&str> = [
        (f.host_network, "hostNetwork=true"),
        (f.host_pid, "hostPID=true"),
        (f.host_ipc, "hostIPC=true"),
    ]
    .into_iter()
    .filter_map(|(on, s)| on.then_some(s))
    .collect();
    fail("host namespaces", parts.join(", "))
}

fn volume_name(v: &Value) -> &str {
    v.get("name").and_then(Value::as_str).unwrap_or("")
}

fn host_path_volumes(f: &Facts<'_>) -> Option<Fail> {
    if !f.any_host_path {
        return None;
    }
    let names: Vec<&str> = f
        .volumes
        .iter()
        .filter(|v| classify_volume(v).host_path)
        .map(volume_name)
        .collect();
    fail(
        "hostPath volumes",
        format!("{} {}", pluralize("volume", "volumes", names.len()), join_quote(&names)),
    )
}

/// The host port a container port ends up with, including the API server's
/// hostNetwork default (`hostPort = containerPort`) for Pods.
fn host_port(f: &Facts<'_>, c: &Container<'_>, port: &Value) -> i64 {
    let hp = get(port, "hostPort").and_then(as_int).unwrap_or(0);
    if hp == 0 && f.default_host_ports && c.kind != ContainerKind::Ephemeral {
        return get(port, "containerPort").and_then(as_int).unwrap_or(0);
    }
    hp
}

fn host_ports(f: &Facts<'_>) -> Option<Fail> {
    let names = names_where(f, |c| c.ports.iter().any(|p| host_port(f, c, p) != 0));
    if names.is_empty() {
        return None;
    }
    let mut ports: Vec<String> = f
        .containers
        .iter()
        .flat_map(|c| c.ports.iter().map(move |p| host_port(f, c, p)))
        .filter(|&p| p != 0)
        .map(|p| p.to_string())
        .collect();
    ports.sort_unstable();
    ports.dedup();
    fail(
        "hostPort",
        format!(
            "{} {} {} {}",
            containers_phrase(&names),
            pluralize("uses", "use", names.len()),
            pluralize("hostPort", "hostPorts", ports.len()),
            ports.join(", ")
        ),
    )
}

fn host_probes_and_lifecycle(f: &Facts<'_>) -> Option<Fail> {
    let names = names_where(f, |c| c.probe_host);
    if names.is_empty() {
        return None;
    }
    // Unlike the other checks, containers are listed as a sorted set here.
    let names = sorted_set(names);
    let hosts = sorted_set(f.containers.iter().flat_map(container_hosts).collect());
    fail(
        "probe or lifecycle host",
        format!(
            "{} {} {} {}",
            containers_phrase(&names),
            pluralize("uses", "use", names.len()),
            pluralize("probe or lifecycle host", "probe or lifecycle hosts", hosts.len()),
            join_quote(&hosts)
        ),
    )
}

fn privileged(f: &Facts<'_>) -> Option<Fail> {
    let names = names_where(f, |c| c.privileged == Some(true));
    if names.is_empty() {
        return None;
    }
    fail(
        "privileged",
        format!(
            "{} must not set securityContext.privileged=true",
            containers_phrase(&names)
        ),
    )
}

fn proc_mount(f: &Facts<'_>) -> Option<Fail> {
    fn bad<'a>(c: &Container<'a>) -> Option<&'a str> {
        c.proc_mount.filter(|&p| p != "Default")
    }
    let names = names_where(f, |c| bad(c).is_some());
    if names.is_empty() {
        return None;
    }
    let values = sorted_set(f.containers.iter().filter_map(bad).collect());
    fail(
        "procMount",
        format!(
            "{} must not set securityContext.procMount to {}",
            containers_phrase(&names),
            join_quote(&values)
        ),
    )
}

fn se_linux_type_allowed(t: &str, engine_type: bool) -> bool {
    matches!(t, "" | "container_t" | "container_init_t" | "container_kvm_t")
        || (engine_type && t == "container_engine_t")
}

fn se_linux_options(f: &Facts<'_>, engine_type: bool) -> Option<Fail> {
    let bad =
        |s: &SeLinux<'_>| !se_linux_type_allowed(s.type_, engine_type) || !s.user.is_empty() || !s.role.is_empty();
    let pod_bad = f.selinux.as_ref().is_some_and(bad);
    let names = names_where(f, |c| c.selinux.as_ref().is_some_and(bad));
    if !pod_bad && names.is_empty() {
        return None;
    }
    let all = f
        .selinux
        .iter()
        .chain(f.containers.iter().filter_map(|c| c.selinux.as_ref()));
    let (mut types, mut user, mut role) = (Vec::new(), false, false);
    for s in all {
        if !se_linux_type_allowed(s.type_, engine_type) {
            types.push(s.type_);
        }
        user |= !s.user.is_empty();
        role |= !s.role.is_empty();
    }
    let mut setters: Vec<String> = Vec::new();
    if pod_bad {
        setters.push("pod".into());
    }
    if !names.is_empty() {
        setters.push(containers_phrase(&names));
    }
    let mut parts: Vec<String> = Vec::new();
    if !types.is_empty() {
        let types = sorted_set(types);
        parts.push(format!(
            "{} {}",
            pluralize("type", "types", types.len()),
            join_quote(&types)
        ));
    }
    if user {
        parts.push("user may not be set".into());
    }
    if role {
        parts.push("role may not be set".into());
    }
    fail(
        "seLinuxOptions",
        format!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            setters.join(" and "),
            parts.join("; ")
        ),
    )
}

const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn seccomp_annotation_allowed(v: &str) -> bool {
    v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/")
}

/// v1.0–v1.18: only the alpha annotations are inspected.
fn seccomp_baseline_annotations(f: &Facts<'_>) -> Option<Fail> {
    let annotations = f.annotations?;
    let bad = |key: &str| {
        annotations
            .get(key)
            .and_then(Value::as_str)
            .filter(|v| !seccomp_annotation_allowed(v))
    };
    let mut forbidden: Vec<String> = Vec::new();
    if let Some(v) = bad(SECCOMP_POD_ANNOTATION) {
        forbidden.push(format!("{SECCOMP_POD_ANNOTATION}={}", go_quote(v)));
    }
    if annotations
        .keys()
        .any(|k| k.starts_with(SECCOMP_CONTAINER_ANNOTATION_PREFIX))
    {
        let mut key = String::from(SECCOMP_CONTAINER_ANNOTATION_PREFIX);
        for c in &f.containers {
            key.truncate(SECCOMP_CONTAINER_ANNOTATION_PREFIX.len());
            key.push_str(c.name);
            if let Some(v) = bad(&key) {
                forbidden.push(format!("{key}={}", go_quote(v)));
            }
        }
    }
    if forbidden.is_empty() {
        return None;
    }
    forbidden.sort_unstable();
    forbidden.dedup();
    fail(
        "seccompProfile",
        format!(
            "forbidden {} {}",
            pluralize("annotation", "annotations", forbidden.len()),
            forbidden.join(", ")
        ),
    )
}

fn seccomp_type_allowed(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

/// Pod/containers that explicitly set a bad seccomp type: the setter list
/// and the sorted bad values, or `None`.
fn seccomp_explicit_bad(f: &Facts<'_>) -> Option<String> {
    let pod_bad = f.seccomp.filter(|t| !seccomp_type_allowed(t));
    let names = names_where(f, |c| c.seccomp.is_some_and(|t| !seccomp_type_allowed(t)));
    if pod_bad.is_none() && names.is_empty() {
        return None;
    }
    let mut setters: Vec<String> = Vec::new();
    let mut values: Vec<&str> = Vec::new();
    if let Some(t) = pod_bad {
        setters.push("pod".into());
        values.push(t);
    }
    if !names.is_empty() {
        setters.push(containers_phrase(&names));
    }
    values.extend(
        f.containers
            .iter()
            .filter_map(|c| c.seccomp.filter(|t| !seccomp_type_allowed(t))),
    );
    Some(format!(
        "{} must not set securityContext.seccompProfile.type to {}",
        setters.join(" and "),
        join_quote(&sorted_set(values))
    ))
}

/// v1.19+: only the fields are inspected.
fn seccomp_baseline_fields(f: &Facts<'_>) -> Option<Fail> {
    fail("seccompProfile", seccomp_explicit_bad(f)?)
}

const SYSCTLS_1_0: [&str; 5] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const SYSCTLS_1_27: [&str; 1] = ["net.ipv4.ip_local_reserved_ports"];
const SYSCTLS_1_29: [&str; 4] = [
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const SYSCTLS_1_32: [&str; 2] = ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const SYSCTLS_1_37: [&str; 2] = ["net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"];

/// Whether a sysctl is in the safe set of the revision in force at `minor`.
pub(crate) fn sysctl_allowed(name: &str, minor: u64) -> bool {
    SYSCTLS_1_0.contains(&name)
        || (minor >= 27 && SYSCTLS_1_27.contains(&name))
        || (minor >= 29 && SYSCTLS_1_29.contains(&name))
        || (minor >= 32 && SYSCTLS_1_32.contains(&name))
        || (minor >= 37 && SYSCTLS_1_37.contains(&name))
}

fn sysctls(f: &Facts<'_>, minor: u64) -> Option<Fail> {
    fn name(s: &Value) -> &str {
        s.get("name").and_then(Value::as_str).unwrap_or("")
    }
    if f.sysctls.iter().all(|s| sysctl_allowed(name(s), minor)) {
        return None;
    }
    // Spec order, duplicates kept, unquoted.
    let bad: Vec<&str> = f
        .sysctls
        .iter()
        .map(name)
        .filter(|n| !sysctl_allowed(n, minor))
        .collect();
    fail("forbidden sysctls", bad.join(", "))
}

fn windows_host_process(f: &Facts<'_>) -> Option<Fail> {
    let pod_bad = f.host_process == Some(true);
    let names = names_where(f, |c| c.host_process == Some(true));
    if !pod_bad && names.is_empty() {
        return None;
    }
    let mut setters: Vec<String> = Vec::new();
    if pod_bad {
        setters.push("pod".into());
    }
    if !names.is_empty() {
        setters.push(containers_phrase(&names));
    }
    fail(
        "hostProcess",
        format!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters.join(" and ")
        ),
    )
}

// -------------------------------------------------------------- restricted

fn allow_privilege_escalation(f: &Facts<'_>) -> Option<Fail> {
    // Unset counts as true: the runtime's default allows escalation.
    let detail = containers_detail(
        f,
        |c| c.allow_privilege_escalation != Some(false),
        "",
        " must set securityContext.allowPrivilegeEscalation=false",
    )?;
    fail("allowPrivilegeEscalation != false", detail)
}

fn capabilities_restricted(f: &Facts<'_>) -> Option<Fail> {
    let drops_all = |c: &Container<'_>| c.has_sc && c.has_caps && c.caps_drop.iter().any(|d| d.as_str() == Some("ALL"));
    fn bad_add(v: &Value) -> Option<&str> {
        v.as_str().filter(|&s| s != "NET_BIND_SERVICE")
    }
    let adds_bad = |c: &Container<'_>| c.caps_add.iter().any(|v| bad_add(v).is_some());
    const DROP_ALL: &str = r#" must set securityContext.capabilities.drop=["ALL"]"#;
    if !f.containers.iter().any(adds_bad) {
        let detail = containers_detail(f, |c| !drops_all(c), "", DROP_ALL)?;
        return fail("unrestricted capabilities", detail);
    }
    let missing = names_where(f, |c| !drops_all(c));
    let adding = names_where(f, adds_bad);
    if missing.is_empty() && adding.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("{}{DROP_ALL}", containers_phrase(&missing)));
    }
    if !adding.is_empty() {
        let caps = sorted_set(
            f.containers
                .iter()
                .flat_map(|c| c.caps_add.iter().filter_map(bad_add))
                .collect(),
        );
        parts.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding),
            join_quote(&caps)
        ));
    }
    fail("unrestricted capabilities", parts.join("; "))
}

fn restricted_volumes(f: &Facts<'_>) -> Option<Fail> {
    if !f.any_restricted_volume {
        return None;
    }
    let mut names = Vec::new();
    let mut types = Vec::new();
    for v in f.volumes {
        if let Some(t) = classify_volume(v).restricted {
            names.push(volume_name(v));
            types.push(t);
        }
    }
    let types = sorted_set(types);
    fail(
        "restricted volume types",
        format!(
            "{} {} {} {} {}",
            pluralize("volume", "volumes", names.len()),
            join_quote(&names),
            pluralize("uses", "use", names.len()),
            pluralize("restricted volume type", "restricted volume types", types.len()),
            join_quote(&types)
        ),
    )
}

fn run_as_non_root(f: &Facts<'_>) -> Option<Fail> {
    let pod_false = f.run_as_non_root == Some(false);
    let pod_true = f.run_as_non_root == Some(true);
    let explicit = names_where(f, |c| c.run_as_non_root == Some(false));
    if pod_false || !explicit.is_empty() {
        let mut setters: Vec<String> = Vec::new();
        if pod_false {
            setters.push("pod".into());
        }
        if !explicit.is_empty() {
            setters.push(containers_phrase(&explicit));
        }
        return fail(
            "runAsNonRoot != true",
            format!(
                "{} must not set securityContext.runAsNonRoot=false",
                setters.join(" and ")
            ),
        );
    }
    if pod_true {
        return None;
    }
    let detail = containers_detail(
        f,
        |c| c.run_as_non_root.is_none(),
        "pod or ",
        " must set securityContext.runAsNonRoot=true",
    )?;
    fail("runAsNonRoot != true", detail)
}

fn run_as_user(f: &Facts<'_>) -> Option<Fail> {
    const SUFFIX: &str = " must not set runAsUser=0";
    let pod_root = f.run_as_user == Some(0);
    let prefix = if pod_root { "pod and " } else { "" };
    match containers_detail(f, |c| c.run_as_user == Some(0), prefix, SUFFIX) {
        Some(detail) => fail("runAsUser=0", detail),
        None if pod_root => fail("runAsUser=0", format!("pod{SUFFIX}")),
        None => None,
    }
}

fn seccomp_restricted(f: &Facts<'_>) -> Option<Fail> {
    if let Some(detail) = seccomp_explicit_bad(f) {
        return fail("seccompProfile", detail);
    }
    if f.seccomp.is_some() {
        // A valid pod-level profile covers containers that leave it unset.
        return None;
    }
    let detail = containers_detail(
        f,
        |c| c.seccomp.is_none(),
        "pod or ",
        r#" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#,
    )?;
    fail("seccompProfile", detail)
}
