//! What a container can actually do: its security settings after the
//! pod-level defaults, the container runtime's defaults and the kernel's
//! rules are applied. The runtime checks and `mamori explain-pod` read this
//! one model, so a finding and an explanation never disagree.
//!
//! Rules applied (Kubernetes `securityContext` semantics):
//! * container-level `runAsUser`, `runAsGroup`, `runAsNonRoot`,
//!   `seccompProfile`, `appArmorProfile`, `seLinuxOptions` override the pod's;
//!   with neither set, the image's `USER` decides (unknown from manifests);
//! * capabilities start from the container runtime's default bounding set
//!   (containerd's, which Docker shares; CRI-O's is smaller), then `add`,
//!   then `drop` (`ALL` empties it). `privileged: true` grants every
//!   capability and disables seccomp and AppArmor confinement;
//! * a process that is not uid 0 has no effective capabilities (Kubernetes
//!   sets no ambient capabilities) unless a setuid or file-capability binary
//!   raises them, which `allowPrivilegeEscalation: false` (no_new_privs)
//!   prevents;
//! * `allowPrivilegeEscalation` is true unless set false; the API server
//!   rejects `false` together with `privileged` or `CAP_SYS_ADMIN`;
//! * seccomp unset everywhere is `Unconfined` unless the kubelet runs with
//!   `--seccomp-default` (then `RuntimeDefault`); the legacy annotations
//!   stopped having effect in 1.27 and are reported, not applied;
//! * AppArmor: the `appArmorProfile` field, else the legacy per-container
//!   annotation; unset means the runtime's default profile where AppArmor is
//!   enabled on the node.

use crate::node::Node;
use std::collections::BTreeSet;

/// containerd's (and Docker's) default capability set.
pub const RUNTIME_DEFAULT_CAPS: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Every capability of current Linux kernels, for `privileged` and `add: [ALL]`.
pub const ALL_CAPS: &[&str] = &[
    "AUDIT_CONTROL",
    "AUDIT_READ",
    "AUDIT_WRITE",
    "BLOCK_SUSPEND",
    "BPF",
    "CHECKPOINT_RESTORE",
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "IPC_LOCK",
    "IPC_OWNER",
    "KILL",
    "LEASE",
    "LINUX_IMMUTABLE",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "MKNOD",
    "NET_ADMIN",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_RAW",
    "PERFMON",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYSLOG",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_CHROOT",
    "SYS_MODULE",
    "SYS_NICE",
    "SYS_PACCT",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "WAKE_ALARM",
];

/// `cap_net_raw` and `CAP_NET_RAW` both name NET_RAW; runtimes accept either.
pub fn normalize_cap(c: &str) -> String {
    let u = c.trim().to_ascii_uppercase();
    u.strip_prefix("CAP_").map(str::to_string).unwrap_or(u)
}

/// Where a setting came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Container,
    Pod,
    /// Nothing set: the default applies.
    Default,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum User {
    Uid(i64, Source),
    /// No `runAsUser`: the image's `USER` decides.
    Image,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Profile {
    Unconfined,
    RuntimeDefault,
    Localhost(String),
}

impl Profile {
    pub fn describe(&self) -> String {
        match self {
            Profile::Unconfined => "Unconfined".into(),
            Profile::RuntimeDefault => "RuntimeDefault".into(),
            Profile::Localhost(p) => format!("Localhost ({p})"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Effective {
    pub windows: bool,
    pub user: User,
    pub run_as_non_root: bool,
    pub privileged: bool,
    pub allow_privilege_escalation: bool,
    /// The bounding set, sorted.
    pub capabilities: BTreeSet<String>,
    pub added: Vec<String>,
    pub dropped: Vec<String>,
    pub seccomp: Profile,
    pub seccomp_source: Source,
    pub apparmor: Option<Profile>,
    pub read_only_root: bool,
    pub unmasked_proc: bool,
    pub host_pid: bool,
    pub host_ipc: bool,
    pub host_network: bool,
    /// `hostUsers: false` puts the pod in its own user namespace.
    pub user_namespace: bool,
}

fn sc(n: Option<&Node>) -> Option<&Node> {
    n.and_then(|n| n.get("securityContext"))
}

fn profile_of(p: &Node) -> Option<Profile> {
    match p.str_field("type")? {
        "Unconfined" => Some(Profile::Unconfined),
        "RuntimeDefault" => Some(Profile::RuntimeDefault),
        "Localhost" => Some(Profile::Localhost(
            p.str_field("localhostProfile").unwrap_or("").to_string(),
        )),
        _ => None,
    }
}

impl Effective {
    /// `spec` is the pod spec, `meta` the pod metadata (for the AppArmor
    /// annotation), `container` the container; all as stored.
    pub fn of(spec: &Node, meta: Option<&Node>, container: &Node) -> Effective {
        let psc = sc(Some(spec));
        let csc = sc(Some(container));
        let pick = |field: &str| -> Option<(&Node, Source)> {
            csc.and_then(|c| c.get(field))
                .filter(|n| !n.is_null())
                .map(|n| (n, Source::Container))
                .or_else(|| {
                    psc.and_then(|p| p.get(field))
                        .filter(|n| !n.is_null())
                        .map(|n| (n, Source::Pod))
                })
        };
        let windows = spec.get("os").and_then(|o| o.str_field("name")) == Some("windows");
        let user = match pick("runAsUser").and_then(|(n, s)| n.as_i64().map(|u| (u, s))) {
            Some((u, s)) => User::Uid(u, s),
            None => User::Image,
        };
        let run_as_non_root = pick("runAsNonRoot").and_then(|(n, _)| n.as_bool()) == Some(true);
        let privileged = csc.and_then(|c| c.get("privileged")).and_then(Node::as_bool) == Some(true);

        let caps_node = csc.and_then(|c| c.get("capabilities"));
        let list = |k: &str| -> Vec<String> {
            caps_node
                .and_then(|c| c.get(k))
                .and_then(Node::as_seq)
                .map(|s| s.iter().filter_map(Node::as_str).map(normalize_cap).collect())
                .unwrap_or_default()
        };
        let added = list("add");
        let dropped = list("drop");
        let mut capabilities: BTreeSet<String> = if privileged {
            ALL_CAPS.iter().map(|c| c.to_string()).collect()
        } else {
            RUNTIME_DEFAULT_CAPS.iter().map(|c| c.to_string()).collect()
        };
        if !privileged {
            for a in &added {
                if a == "ALL" {
                    capabilities.extend(ALL_CAPS.iter().map(|c| c.to_string()));
                } else {
                    capabilities.insert(a.clone());
                }
            }
            for d in &dropped {
                if d == "ALL" {
                    capabilities.clear();
                } else {
                    capabilities.remove(d);
                }
            }
        }
        let allow_privilege_escalation = csc
            .and_then(|c| c.get("allowPrivilegeEscalation"))
            .and_then(Node::as_bool)
            != Some(false);

        let (seccomp, seccomp_source) = if privileged {
            (Profile::Unconfined, Source::Container)
        } else {
            match pick("seccompProfile").and_then(|(n, s)| profile_of(n).map(|p| (p, s))) {
                Some((p, s)) => (p, s),
                None => (Profile::Unconfined, Source::Default),
            }
        };
        let name = container.str_field("name").unwrap_or("");
        let apparmor = if privileged {
            Some(Profile::Unconfined)
        } else {
            pick("appArmorProfile").and_then(|(n, _)| profile_of(n)).or_else(|| {
                let key = format!("container.apparmor.security.beta.kubernetes.io/{name}");
                let v = meta
                    .and_then(|m| m.get("annotations"))
                    .and_then(|a| a.str_field(&key))?;
                Some(match v {
                    "unconfined" => Profile::Unconfined,
                    "runtime/default" => Profile::RuntimeDefault,
                    other => Profile::Localhost(other.strip_prefix("localhost/").unwrap_or(other).to_string()),
                })
            })
        };
        let flag = |n: Option<&Node>, k: &str| n.and_then(|n| n.get(k)).and_then(Node::as_bool) == Some(true);
        Effective {
            windows,
            user,
            run_as_non_root,
            privileged,
            allow_privilege_escalation,
            capabilities,
            added,
            dropped,
            seccomp,
            seccomp_source,
            apparmor,
            read_only_root: flag(csc, "readOnlyRootFilesystem"),
            unmasked_proc: csc.and_then(|c| c.str_field("procMount")) == Some("Unmasked"),
            host_pid: flag(Some(spec), "hostPID"),
            host_ipc: flag(Some(spec), "hostIPC"),
            host_network: flag(Some(spec), "hostNetwork"),
            user_namespace: spec.get("hostUsers").and_then(Node::as_bool) == Some(false),
        }
    }

    /// Runs as uid 0: `Some(true)` known root, `Some(false)` known non-root,
    /// `None` the image decides (and `runAsNonRoot` makes the kubelet refuse
    /// root images).
    pub fn is_root(&self) -> Option<bool> {
        match self.user {
            User::Uid(u, _) => Some(u == 0),
            User::Image if self.run_as_non_root => Some(false),
            User::Image => None,
        }
    }

    pub fn has_cap(&self, c: &str) -> bool {
        self.capabilities.contains(c)
    }

    /// Whether a process in the container can use capability `c`: root holds
    /// its bounding set; another user only through setuid or file
    /// capabilities, which no_new_privs blocks.
    pub fn can_use_cap(&self, c: &str) -> Option<bool> {
        if !self.has_cap(c) {
            return Some(false);
        }
        match self.is_root() {
            Some(true) => Some(true),
            Some(false) if !self.allow_privilege_escalation => Some(false),
            // Non-root, but a setuid or file-capability binary can raise it.
            Some(false) => Some(true),
            None => None,
        }
    }
}

/// Default users of well-known images, for when no `runAsUser` is set: a
/// guess the image's `USER` line confirms or not, said as such. Official
/// Docker Hub images run as root unless noted.
pub fn known_image_user(image: &str) -> Option<(i64, &'static str)> {
    let (name, tag) = split_image(image);
    let name = name
        .strip_prefix("docker.io/")
        .or_else(|| name.strip_prefix("index.docker.io/"))
        .unwrap_or(&name)
        .to_string();
    let name = name.strip_prefix("library/").unwrap_or(&name).to_string();
    const NON_ROOT: &[(&str, i64, &str)] = &[
        ("curlimages/curl", 100, "curlimages/curl runs as curl_user (uid 100)"),
        (
            "nginxinc/nginx-unprivileged",
            101,
            "nginx-unprivileged runs as nginx (uid 101)",
        ),
    ];
    if let Some((_, uid, why)) = NON_ROOT.iter().find(|(n, _, _)| *n == name) {
        return Some((*uid, why));
    }
    if name.starts_with("bitnami/") {
        return Some((1001, "Bitnami images run as uid 1001"));
    }
    if name.starts_with("gcr.io/distroless/") {
        return Some(if tag.contains("nonroot") {
            (65532, "distroless :nonroot images run as uid 65532")
        } else {
            (0, "distroless images without :nonroot run as root")
        });
    }
    const ROOT: &[&str] = &[
        "alpine",
        "busybox",
        "ubuntu",
        "debian",
        "centos",
        "fedora",
        "rockylinux",
        "amazonlinux",
        "nginx",
        "httpd",
        "python",
        "node",
        "golang",
        "ruby",
        "php",
        "redis",
        "postgres",
        "mysql",
        "mariadb",
        "mongo",
        "openjdk",
        "eclipse-temurin",
        "traefik",
        "haproxy",
        "memcached",
        "rabbitmq",
        "wordpress",
    ];
    if ROOT.contains(&name.as_str()) {
        return Some((0, "official Docker Hub image without a USER line: runs as root"));
    }
    None
}

/// `registry/repo:tag@digest` -> (`registry/repo`, `tag`).
fn split_image(image: &str) -> (String, String) {
    let no_digest = image.split('@').next().unwrap_or(image);
    // A `:` after the last `/` is the tag; before it, a registry port.
    match no_digest.rfind(':') {
        Some(i) if !no_digest[i..].contains('/') => (no_digest[..i].to_string(), no_digest[i + 1..].to_string()),
        _ => (no_digest.to_string(), String::new()),
    }
}

/// Yes, no, or it depends on something manifests do not say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Yes,
    No,
    Unknown,
}

/// One thing a process in the container can or cannot do, and why.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Ability {
    pub what: &'static str,
    /// The command that shows it (as in the course's runtime exercise).
    pub try_it: &'static str,
    pub answer: Answer,
    pub because: String,
}

impl Effective {
    /// uid 0 known from the manifest, or from a well-known image's default.
    pub fn root_guess(&self, image: &str) -> (Option<bool>, String) {
        match (&self.user, self.is_root()) {
            (User::Uid(u, _), _) => (Some(*u == 0), format!("uid {u} (runAsUser)")),
            (User::Image, Some(false)) => (
                Some(false),
                "a non-root uid the image declares (runAsNonRoot: the kubelet refuses root)".into(),
            ),
            _ => match known_image_user(image) {
                Some((uid, why)) => (Some(uid == 0), format!("uid {uid}, from the image: {why}")),
                None => (None, "unknown: the image's USER decides".into()),
            },
        }
    }

    /// What a process can do: raw sockets, user namespaces, file ownership,
    /// low ports, mounts, privilege escalation.
    pub fn abilities(&self, image: &str) -> Vec<Ability> {
        let (root, _) = self.root_guess(image);
        let usable = |cap: &str| -> Answer {
            if !self.has_cap(cap) {
                return Answer::No;
            }
            match root {
                Some(true) => Answer::Yes,
                Some(false) if !self.allow_privilege_escalation => Answer::No,
                Some(false) => Answer::Unknown,
                None => Answer::Unknown,
            }
        };
        let cap_reason = |cap: &str, ans: Answer| -> String {
            match ans {
                _ if !self.has_cap(cap) => format!("{cap} is not in its capability set"),
                Answer::Yes => format!("root holds {cap} (in its capability set)"),
                Answer::No => format!(
                    "{cap} is in the bounding set, but a non-root process has no effective capabilities and allowPrivilegeEscalation: false stops setuid or file-capability binaries"
                ),
                Answer::Unknown if root == Some(false) => {
                    format!("non-root, but a setuid or file-capability binary could use {cap} (allowPrivilegeEscalation is not false)")
                }
                Answer::Unknown => format!("{cap} is in its set; whether the process holds it depends on the image's user"),
            }
        };
        let mut out = Vec::new();

        let raw = usable("NET_RAW");
        out.push(Ability {
            what: "open raw sockets (ping, packet forging)",
            try_it: "ping -c 2 8.8.8.8",
            answer: raw,
            because: cap_reason("NET_RAW", raw),
        });

        let sys_admin = usable("SYS_ADMIN");
        let (userns, why) = match &self.seccomp {
            _ if self.privileged => (Answer::Yes, "privileged: no seccomp filter".to_string()),
            Profile::Unconfined => (
                if root == Some(true) {
                    Answer::Yes
                } else {
                    Answer::Unknown
                },
                if root == Some(true) {
                    "seccomp is Unconfined, and root may create user namespaces".into()
                } else {
                    "seccomp is Unconfined; a non-root user may too where the node allows unprivileged user namespaces"
                        .into()
                },
            ),
            Profile::RuntimeDefault if sys_admin == Answer::Yes => (
                Answer::Yes,
                "RuntimeDefault allows unshare to holders of SYS_ADMIN".into(),
            ),
            Profile::RuntimeDefault => (
                Answer::No,
                "seccomp RuntimeDefault blocks unshare(CLONE_NEWUSER) without SYS_ADMIN".into(),
            ),
            Profile::Localhost(p) => (Answer::Unknown, format!("depends on the Localhost profile {p:?}")),
        };
        out.push(Ability {
            what: "create user and mount namespaces",
            try_it: "unshare --user --mount",
            answer: userns,
            because: why,
        });

        let chown = usable("CHOWN");
        out.push(Ability {
            what: "change file owners",
            try_it: "chown 1234 /tmp/x",
            answer: chown,
            because: cap_reason("CHOWN", chown),
        });

        let low = usable("NET_BIND_SERVICE");
        out.push(Ability {
            what: "bind ports below 1024",
            try_it: "nc -l -p 80",
            answer: low,
            because: cap_reason("NET_BIND_SERVICE", low),
        });

        let (mount, why) = if self.privileged {
            (Answer::Yes, "privileged".to_string())
        } else if sys_admin == Answer::No {
            (Answer::No, "mount needs SYS_ADMIN, which it does not hold".into())
        } else if self.has_cap("SYS_ADMIN") {
            (
                Answer::Unknown,
                "holds SYS_ADMIN; the node's default AppArmor profile, where enabled, still denies mount".into(),
            )
        } else {
            (Answer::No, "mount needs SYS_ADMIN, which is not in its set".into())
        };
        out.push(Ability {
            what: "mount filesystems",
            try_it: "mount -t tmpfs x /mnt",
            answer: mount,
            because: why,
        });

        let (esc, why) = if self.privileged {
            (Answer::Yes, "privileged".to_string())
        } else if !self.allow_privilege_escalation {
            (Answer::No, "allowPrivilegeEscalation: false sets no_new_privs".into())
        } else {
            (
                Answer::Yes,
                "allowPrivilegeEscalation is not false: setuid and file-capability binaries raise privileges".into(),
            )
        };
        out.push(Ability {
            what: "gain privileges through setuid binaries",
            try_it: "su, sudo, ping with file capabilities",
            answer: esc,
            because: why,
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(yaml_json: serde_json::Value) -> Node {
        Node::from_json(&yaml_json)
    }

    #[test]
    fn defaults_are_the_runtime_set_unconfined_and_image_user() {
        let spec = node(serde_json::json!({"containers": [{"name": "a"}]}));
        let c = node(serde_json::json!({"name": "a"}));
        let e = Effective::of(&spec, None, &c);
        assert_eq!(e.user, User::Image);
        assert_eq!(e.is_root(), None);
        assert!(e.has_cap("NET_RAW") && !e.has_cap("SYS_ADMIN"));
        assert_eq!(e.seccomp, Profile::Unconfined);
        assert_eq!(e.seccomp_source, Source::Default);
        assert!(e.allow_privilege_escalation);
    }

    #[test]
    fn container_overrides_pod_and_drop_all_empties_the_set() {
        let spec = node(serde_json::json!({
            "securityContext": {"runAsUser": 0, "seccompProfile": {"type": "RuntimeDefault"}},
        }));
        let c = node(serde_json::json!({"name": "a", "securityContext": {
            "runAsUser": 1000, "allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"], "add": ["cap_net_bind_service"]}}}));
        let e = Effective::of(&spec, None, &c);
        assert_eq!(e.user, User::Uid(1000, Source::Container));
        assert_eq!(e.seccomp, Profile::RuntimeDefault);
        assert_eq!(e.seccomp_source, Source::Pod);
        // drop ALL applies after add, as the runtime does
        assert!(e.capabilities.is_empty());
        assert_eq!(e.can_use_cap("NET_RAW"), Some(false));
    }

    #[test]
    fn privileged_has_every_capability_and_no_confinement() {
        let spec = node(serde_json::json!({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}));
        let c = node(
            serde_json::json!({"name": "a", "securityContext": {"privileged": true, "capabilities": {"drop": ["ALL"]}}}),
        );
        let e = Effective::of(&spec, None, &c);
        assert!(e.has_cap("SYS_ADMIN"));
        assert_eq!(e.seccomp, Profile::Unconfined);
        assert_eq!(e.apparmor, Some(Profile::Unconfined));
    }

    #[test]
    fn non_root_uses_capabilities_only_through_escalation() {
        let spec = node(serde_json::json!({}));
        let c = node(serde_json::json!({"name": "a", "securityContext": {"runAsUser": 1000}}));
        assert_eq!(Effective::of(&spec, None, &c).can_use_cap("NET_RAW"), Some(true));
        let c = node(
            serde_json::json!({"name": "a", "securityContext": {"runAsUser": 1000, "allowPrivilegeEscalation": false}}),
        );
        assert_eq!(Effective::of(&spec, None, &c).can_use_cap("NET_RAW"), Some(false));
    }

    #[test]
    fn apparmor_annotation_is_read_per_container() {
        let spec = node(serde_json::json!({}));
        let meta = node(
            serde_json::json!({"annotations": {"container.apparmor.security.beta.kubernetes.io/a": "unconfined"}}),
        );
        let c = node(serde_json::json!({"name": "a"}));
        assert_eq!(
            Effective::of(&spec, Some(&meta), &c).apparmor,
            Some(Profile::Unconfined)
        );
        let c = node(serde_json::json!({"name": "b"}));
        assert_eq!(Effective::of(&spec, Some(&meta), &c).apparmor, None);
    }
}

#[cfg(test)]
mod course_runtime_table {
    //! The course's runtime exercise (EXPECTED.md, ex2): `id`, `unshare
    //! --user --mount` and `ping` in `secure-pod` and `insecure-pod`.
    use super::*;

    fn answers(spec: serde_json::Value) -> (Option<bool>, Answer, Answer) {
        let spec = Node::from_json(&spec);
        let c = &spec.get("containers").and_then(Node::as_seq).unwrap()[0];
        let e = Effective::of(&spec, None, c);
        let image = c.str_field("image").unwrap();
        let a = e.abilities(image);
        let find = |t: &str| a.iter().find(|x| x.try_it == t).unwrap().answer;
        (
            e.root_guess(image).0,
            find("unshare --user --mount"),
            find("ping -c 2 8.8.8.8"),
        )
    }

    #[test]
    fn secure_pod_runs_as_1000_and_can_neither_unshare_nor_ping() {
        let (root, unshare, ping) = answers(serde_json::json!({
            "securityContext": {"runAsNonRoot": true, "runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "demo", "image": "alpine", "securityContext": {
                "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]
        }));
        assert_eq!((root, unshare, ping), (Some(false), Answer::No, Answer::No));
    }

    #[test]
    fn insecure_pod_is_root_and_can_unshare_and_ping() {
        let (root, unshare, ping) = answers(serde_json::json!({
            "containers": [{"name": "demo", "image": "alpine", "securityContext": {"allowPrivilegeEscalation": true}}]
        }));
        assert_eq!((root, unshare, ping), (Some(true), Answer::Yes, Answer::Yes));
    }

    #[test]
    fn image_names_normalise() {
        assert_eq!(known_image_user("docker.io/library/alpine:3.20").map(|u| u.0), Some(0));
        assert_eq!(known_image_user("curlimages/curl:8.10.1").map(|u| u.0), Some(100));
        assert_eq!(
            known_image_user("gcr.io/distroless/static:nonroot").map(|u| u.0),
            Some(65532)
        );
        assert_eq!(known_image_user("registry.example:5000/alpine"), None);
    }
}
