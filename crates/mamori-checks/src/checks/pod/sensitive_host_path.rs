use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{Node, PodSpecView};

pub struct SensitiveHostPath;
pub static CHECK: SensitiveHostPath = SensitiveHostPath;

/// Host paths that give control of the node, and what each exposes. A
/// volume matches when its path is one of these or lies under it; `/` and
/// folders holding these match too (they contain them).
pub const SENSITIVE: &[(&str, &str)] = &[
    (
        "/var/run/docker.sock",
        "the Docker API: start a privileged container on the node",
    ),
    (
        "/run/docker.sock",
        "the Docker API: start a privileged container on the node",
    ),
    (
        "/var/run/containerd/containerd.sock",
        "the containerd API: start a container on the node",
    ),
    (
        "/run/containerd/containerd.sock",
        "the containerd API: start a container on the node",
    ),
    (
        "/var/run/crio/crio.sock",
        "the CRI-O API: start a container on the node",
    ),
    ("/run/crio/crio.sock", "the CRI-O API: start a container on the node"),
    (
        "/var/run/cri-dockerd.sock",
        "the CRI API: start a container on the node",
    ),
    (
        "/etc",
        "the node's configuration: users, sudoers, kubelet and kube-proxy credentials",
    ),
    ("/proc", "every process on the node and kernel settings"),
    ("/sys", "kernel and device settings"),
    ("/dev", "the node's devices, disks included"),
    ("/boot", "the node's kernel and boot loader"),
    ("/root", "root's home: SSH keys and shell history"),
    ("/home", "users' homes: SSH keys and credentials"),
    (
        "/var/lib/kubelet",
        "the kubelet's data: every pod's Secrets and service-account tokens",
    ),
    (
        "/var/lib/etcd",
        "etcd's data: every object of the cluster, Secrets included",
    ),
    (
        "/etc/kubernetes",
        "the node's kubeconfigs and, on control-plane nodes, the cluster CA key",
    ),
    ("/var/lib/docker", "every container's filesystem"),
    ("/var/lib/containerd", "every container's filesystem"),
    ("/var/run", "the container runtime's socket"),
    ("/run", "the container runtime's socket"),
    ("/var/log", "every pod's logs, and a symlink escape for log readers"),
];

/// What a host path exposes, if it is sensitive: itself, under, or above a
/// sensitive path.
pub fn sensitive(path: &str) -> Option<String> {
    let p = path.trim_end_matches('/');
    if p.is_empty() {
        return Some("the node's whole filesystem".into());
    }
    // The most specific entry names what is exposed (`/etc/kubernetes`, not `/etc`).
    if let Some((_, what)) = SENSITIVE
        .iter()
        .filter(|(s, _)| p == *s || p.starts_with(&format!("{s}/")))
        .max_by_key(|(s, _)| s.len())
    {
        return Some(what.to_string());
    }
    // A parent of a sensitive path (`/var`) exposes it.
    SENSITIVE
        .iter()
        .find(|(s, _)| s.starts_with(&format!("{p}/")))
        .map(|(s, what)| format!("{s} ({what})"))
}

static META: CheckMeta = CheckMeta {
    code: "POD014",
    name: "sensitive-host-path",
    title: "Mounts a sensitive path of the node",
    severity: Severity::Critical,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: do not mount host paths",
        "CIS Kubernetes 5.2.12",
        "MITRE ATT&CK T1611 (escape to host)",
    ],
    course: None,
    doc: r#"## What it finds
A `hostPath` volume whose path is, lies under, or contains a path that gives
control of the node: the container runtime sockets (`docker.sock`,
`containerd.sock`, `crio.sock`), `/`, `/etc`, `/proc`, `/sys`, `/dev`,
`/boot`, `/root`, `/home`, `/var/run`, `/run`, `/var/lib/kubelet`,
`/var/lib/etcd`, `/etc/kubernetes`, the runtimes' data folders and `/var/log`.

## Why it matters
These are one step from root on the node: with the runtime socket a
container starts a privileged container; with `/etc` it adds a user or a
cron job; with `/var/lib/kubelet` it reads every pod's service-account
token. Read-only mounts still leak credentials.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
  volumes:
  - name: docker
    hostPath:
      path: /var/run/docker.sock
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
  volumes:
  - name: scratch
    emptyDir: {}
```

## Fix
Remove the volume. Builds that need a container engine use rootless
builders (BuildKit rootless, kaniko); node agents that need host files run
in their own namespace with a privileged Pod Security level and the
narrowest path, read-only.

## References
- hostPath volumes: <https://kubernetes.io/docs/concepts/storage/volumes/#hostpath>
"#,
};

impl Check for SensitiveHostPath {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        let obj = &cx.inventory.objects[view.object];
        let Some(vols) = view.spec(obj).and_then(|s| s.get("volumes")).and_then(Node::as_seq) else {
            return;
        };
        for (i, v) in vols.iter().enumerate() {
            let Some(path) = v.get("hostPath").and_then(|h| h.str_field("path")) else {
                continue;
            };
            if let Some(what) = sensitive(path) {
                out.push(cx.finding(
                    &META,
                    view.object,
                    &view.spec_path.key("volumes").index(i).key("hostPath").key("path"),
                    format!(
                        "volume {:?} mounts the node's {path}: it exposes {what}",
                        v.str_field("name").unwrap_or("")
                    ),
                    Some("remove the hostPath volume; use emptyDir, a ConfigMap or a PersistentVolumeClaim".into()),
                ));
            }
        }
    }
}
