//! The pod being judged, and the one-pass extraction of the fields the
//! checks read.
//!
//! Checks never walk the JSON themselves: [`Facts::extract`] visits each
//! relevant object once, matching keys by name, and keeps borrowed slices.
//! That keeps a passing evaluation free of allocations beyond the container
//! list, which is what makes the engine fast.
//!
//! JSON is read the way the API server's decoder would have typed it: a field
//! of the wrong JSON type (which would have made the request fail to decode,
//! so admission never ran) is treated as absent, and `null` is absent.

use serde_json::{Map, Value};

/// Where the pod spec comes from. It only changes API-server defaulting that
/// PSS can observe (see [`PodInput::template`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodKind {
    /// A `Pod` object.
    Pod,
    /// The pod template of a workload (Deployment, Job, CronJob, ...).
    Template,
}

/// A pod (or pod template) to evaluate: its metadata (annotations matter for
/// the AppArmor and alpha seccomp annotations) and its pod spec (`.spec` of a
/// Pod, `.spec.template.spec` of a workload, `.spec.jobTemplate.spec.template.spec`
/// of a CronJob).
#[derive(Debug, Clone, Copy)]
pub struct PodInput<'a> {
    pub metadata: &'a Value,
    pub spec: &'a Value,
    pub kind: PodKind,
}

impl<'a> PodInput<'a> {
    /// A Pod object's metadata and spec.
    ///
    /// The API server defaults a Pod before admission sees it, and two of
    /// those defaults change what PSS reports, so they are applied here too:
    /// a volume with no source becomes `emptyDir`, and with
    /// `hostNetwork: true` each init/regular container port without a
    /// `hostPort` gets `hostPort = containerPort`.
    pub fn new(metadata: &'a Value, spec: &'a Value) -> Self {
        PodInput {
            metadata,
            spec,
            kind: PodKind::Pod,
        }
    }

    /// A workload's pod template. Since Kubernetes 1.28 templates no longer
    /// get the hostNetwork hostPort default (feature gate
    /// `DefaultHostNetworkHostPortsInPodTemplates`, off), so only the
    /// volume default applies.
    pub fn template(metadata: &'a Value, spec: &'a Value) -> Self {
        PodInput {
            metadata,
            spec,
            kind: PodKind::Template,
        }
    }

    /// Splits a whole `Pod` object (`metadata` + `spec`).
    pub fn from_pod(pod: &'a Value) -> Self {
        PodInput::new(field(pod, "metadata"), field(pod, "spec"))
    }
}

static NULL: Value = Value::Null;

/// `m[key]` by a linear scan. Kubernetes objects are small, and serde_json's
/// map may be an `IndexMap` (feature `preserve_order`, which the workspace
/// enables) that hashes every lookup with SipHash: scanning a handful of keys
/// is several times faster on this path.
pub(crate) fn map_get<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    m.iter().find_map(|(k, v)| (k == key).then_some(v))
}

/// `v[key]` when `v` is an object (see [`map_get`]).
pub(crate) fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    map_get(v.as_object()?, key)
}

fn field<'a>(v: &'a Value, key: &str) -> &'a Value {
    get(v, key).unwrap_or(&NULL)
}

pub(crate) const EMPTY: &[Value] = &[];

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SeLinux<'a> {
    pub type_: &'a str,
    pub user: &'a str,
    pub role: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

/// The fields of one container (init, regular or ephemeral) that checks read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Container<'a> {
    pub kind: ContainerKind,
    pub name: &'a str,
    /// `securityContext` is present (not null).
    pub has_sc: bool,
    pub privileged: Option<bool>,
    pub allow_privilege_escalation: Option<bool>,
    /// `securityContext.capabilities` is present.
    pub has_caps: bool,
    pub caps_add: &'a [Value],
    pub caps_drop: &'a [Value],
    pub proc_mount: Option<&'a str>,
    pub selinux: Option<SeLinux<'a>>,
    /// `seccompProfile.type`, `Some("")` when the profile object has no type.
    pub seccomp: Option<&'a str>,
    pub apparmor: Option<&'a str>,
    pub run_as_non_root: Option<bool>,
    pub run_as_user: Option<i64>,
    pub host_process: Option<bool>,
    pub ports: &'a [Value],
    /// liveness, readiness, startup probes, then postStart, preStop handlers.
    pub handlers: [Option<&'a Map<String, Value>>; 5],
    /// Some probe or lifecycle handler names a host.
    pub probe_host: bool,
}

impl<'a> Container<'a> {
    fn new(kind: ContainerKind) -> Self {
        Container {
            kind,
            name: "",
            has_sc: false,
            privileged: None,
            allow_privilege_escalation: None,
            has_caps: false,
            caps_add: EMPTY,
            caps_drop: EMPTY,
            proc_mount: None,
            selinux: None,
            seccomp: None,
            apparmor: None,
            run_as_non_root: None,
            run_as_user: None,
            host_process: None,
            ports: EMPTY,
            handlers: [None; 5],
            probe_host: false,
        }
    }
}

/// The pod-level fields that checks read, plus the containers in visiting
/// order (init, regular, ephemeral).
#[derive(Debug, Clone)]
pub(crate) struct Facts<'a> {
    pub annotations: Option<&'a Map<String, Value>>,
    pub host_network: bool,
    pub host_pid: bool,
    pub host_ipc: bool,
    pub host_users: Option<bool>,
    pub os_name: Option<&'a str>,
    pub run_as_non_root: Option<bool>,
    pub run_as_user: Option<i64>,
    pub seccomp: Option<&'a str>,
    pub apparmor: Option<&'a str>,
    pub selinux: Option<SeLinux<'a>>,
    pub host_process: Option<bool>,
    pub sysctls: &'a [Value],
    pub volumes: &'a [Value],
    /// Some volume is a hostPath (even alongside an allowed source).
    pub any_host_path: bool,
    /// Some volume uses a restricted type.
    pub any_restricted_volume: bool,
    pub containers: Vec<Container<'a>>,
    /// A Pod with hostNetwork: container ports default their hostPort.
    pub default_host_ports: bool,
}

fn as_bool(v: &Value) -> Option<bool> {
    v.as_bool()
}

fn as_str(v: &Value) -> Option<&str> {
    v.as_str()
}

/// Integers as Go would decode them into an int64 field.
pub(crate) fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                .map(|f| f as i64)
        }),
        _ => None,
    }
}

fn as_array(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) => a.as_slice(),
        _ => EMPTY,
    }
}

/// `type` of a seccompProfile/appArmorProfile object; a present object
/// without a (string) type reads as the empty type, as Go's zero value.
fn profile_type(v: &Value) -> Option<&str> {
    match v {
        Value::Object(m) => Some(map_get(m, "type").and_then(as_str).unwrap_or("")),
        _ => None,
    }
}

fn selinux(v: &Value) -> Option<SeLinux<'_>> {
    let m = v.as_object()?;
    let mut s = SeLinux::default();
    for (k, v) in m {
        let text = as_str(v).unwrap_or("");
        match k.as_str() {
            "type" => s.type_ = text,
            "user" => s.user = text,
            "role" => s.role = text,
            _ => {}
        }
    }
    Some(s)
}

fn host_process(v: &Value) -> Option<bool> {
    get(v, "hostProcess").and_then(as_bool)
}

fn container(v: &Value, kind: ContainerKind) -> Container<'_> {
    let mut c = Container::new(kind);
    let Some(m) = v.as_object() else {
        return c;
    };
    for (k, v) in m {
        match k.as_str() {
            "name" => c.name = as_str(v).unwrap_or(""),
            "ports" => c.ports = as_array(v),
            "livenessProbe" => c.handlers[0] = v.as_object(),
            "readinessProbe" => c.handlers[1] = v.as_object(),
            "startupProbe" => c.handlers[2] = v.as_object(),
            "lifecycle" => {
                if let Some(l) = v.as_object() {
                    c.handlers[3] = map_get(l, "postStart").and_then(Value::as_object);
                    c.handlers[4] = map_get(l, "preStop").and_then(Value::as_object);
                }
            }
            "securityContext" => {
                let Some(sc) = v.as_object() else { continue };
                c.has_sc = true;
                for (k, v) in sc {
                    match k.as_str() {
                        "privileged" => c.privileged = as_bool(v),
                        "allowPrivilegeEscalation" => c.allow_privilege_escalation = as_bool(v),
                        "capabilities" => {
                            if let Some(caps) = v.as_object() {
                                c.has_caps = true;
                                if let Some(a) = map_get(caps, "add") {
                                    c.caps_add = as_array(a);
                                }
                                if let Some(d) = map_get(caps, "drop") {
                                    c.caps_drop = as_array(d);
                                }
                            }
                        }
                        "procMount" => c.proc_mount = as_str(v),
                        "seLinuxOptions" => c.selinux = selinux(v),
                        "seccompProfile" => c.seccomp = profile_type(v),
                        "appArmorProfile" => c.apparmor = profile_type(v),
                        "runAsNonRoot" => c.run_as_non_root = as_bool(v),
                        "runAsUser" => c.run_as_user = as_int(v),
                        "windowsOptions" => c.host_process = host_process(v),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    c.probe_host = container_hosts(&c).next().is_some();
    c
}

/// Non-empty `httpGet.host` / `tcpSocket.host` of one probe or handler.
fn handler_hosts(h: &Map<String, Value>) -> impl Iterator<Item = &str> {
    ["httpGet", "tcpSocket"]
        .into_iter()
        .filter_map(move |k| get(map_get(h, k)?, "host")?.as_str().filter(|s| !s.is_empty()))
}

/// Every host named by a container's probes and lifecycle handlers.
pub(crate) fn container_hosts<'a>(c: &Container<'a>) -> impl Iterator<Item = &'a str> {
    c.handlers.into_iter().flatten().flat_map(handler_hosts)
}

/// Volume sources the restricted level accepts.
const ALLOWED_VOLUME_SOURCES: [&str; 9] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Forbidden sources, in the order upstream tests them (the first one
/// present names the type).
const RESTRICTED_VOLUME_SOURCES: [&str; 21] = [
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

/// What a volume means to the checks, from one pass over its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VolumeClass {
    pub host_path: bool,
    /// The restricted type the volume uses, `None` if allowed. A volume with
    /// no known source at all is allowed: the API server defaults it to
    /// `emptyDir` before admission.
    pub restricted: Option<&'static str>,
}

pub(crate) fn classify_volume(v: &Value) -> VolumeClass {
    let mut allowed = false;
    let mut first: Option<usize> = None;
    for (k, val) in v.as_object().into_iter().flatten() {
        if val.is_null() {
            continue;
        }
        if ALLOWED_VOLUME_SOURCES.contains(&k.as_str()) {
            allowed = true;
        } else if let Some(i) = RESTRICTED_VOLUME_SOURCES.iter().position(|r| r == k) {
            first = Some(first.map_or(i, |f| f.min(i)));
        }
    }
    VolumeClass {
        host_path: first == Some(0),
        restricted: if allowed {
            None
        } else {
            first.map(|i| RESTRICTED_VOLUME_SOURCES[i])
        },
    }
}

impl<'a> Facts<'a> {
    pub(crate) fn extract(pod: &PodInput<'a>) -> Facts<'a> {
        let mut f = Facts {
            annotations: get(pod.metadata, "annotations").and_then(Value::as_object),
            host_network: false,
            host_pid: false,
            host_ipc: false,
            host_users: None,
            os_name: None,
            run_as_non_root: None,
            run_as_user: None,
            seccomp: None,
            apparmor: None,
            selinux: None,
            host_process: None,
            sysctls: EMPTY,
            volumes: EMPTY,
            any_host_path: false,
            any_restricted_volume: false,
            containers: Vec::new(),
            default_host_ports: false,
        };
        let Some(spec) = pod.spec.as_object() else {
            return f;
        };
        let (mut init, mut regular, mut ephemeral) = (EMPTY, EMPTY, EMPTY);
        for (k, v) in spec {
            match k.as_str() {
                "hostNetwork" => f.host_network = as_bool(v).unwrap_or(false),
                "hostPID" => f.host_pid = as_bool(v).unwrap_or(false),
                "hostIPC" => f.host_ipc = as_bool(v).unwrap_or(false),
                "hostUsers" => f.host_users = as_bool(v),
                "os" => f.os_name = get(v, "name").and_then(as_str),
                "volumes" => f.volumes = as_array(v),
                "initContainers" => init = as_array(v),
                "containers" => regular = as_array(v),
                "ephemeralContainers" => ephemeral = as_array(v),
                "securityContext" => {
                    let Some(sc) = v.as_object() else { continue };
                    for (k, v) in sc {
                        match k.as_str() {
                            "runAsNonRoot" => f.run_as_non_root = as_bool(v),
                            "runAsUser" => f.run_as_user = as_int(v),
                            "seccompProfile" => f.seccomp = profile_type(v),
                            "appArmorProfile" => f.apparmor = profile_type(v),
                            "seLinuxOptions" => f.selinux = selinux(v),
                            "windowsOptions" => f.host_process = host_process(v),
                            "sysctls" => f.sysctls = as_array(v),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        for v in f.volumes {
            let class = classify_volume(v);
            f.any_host_path |= class.host_path;
            f.any_restricted_volume |= class.restricted.is_some();
        }
        f.default_host_ports = pod.kind == PodKind::Pod && f.host_network;
        f.containers.reserve_exact(init.len() + regular.len() + ephemeral.len());
        f.containers
            .extend(init.iter().map(|c| container(c, ContainerKind::Init)));
        f.containers
            .extend(regular.iter().map(|c| container(c, ContainerKind::Regular)));
        f.containers
            .extend(ephemeral.iter().map(|c| container(c, ContainerKind::Ephemeral)));
        f
    }

    /// `spec.os.name == "windows"` (the v1.25 Windows relaxation).
    pub(crate) fn is_windows(&self) -> bool {
        self.os_name == Some("windows")
    }

    /// `spec.hostUsers` explicitly false: the pod runs in a user namespace.
    pub(crate) fn in_user_namespace(&self) -> bool {
        self.host_users == Some(false)
    }
}
