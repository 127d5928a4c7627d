//! `mamori explain-pod`: a container's effective privileges in plain words.

use crate::cli::{ExplainPodArgs, TextOrJson};
use anyhow::bail;
use mamori_model::effective::{Ability, Answer, Profile, Source, User};
use mamori_model::{Effective, Inventory, PodSpecView};
use mamori_source::load::{load_paths, LoadOptions};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Serialize)]
struct ContainerReport {
    name: String,
    kind: &'static str,
    image: String,
    user: String,
    root: Option<bool>,
    privileged: bool,
    allow_privilege_escalation: bool,
    capabilities: Vec<String>,
    added: Vec<String>,
    dropped: Vec<String>,
    seccomp: String,
    apparmor: String,
    read_only_root_filesystem: bool,
    abilities: Vec<Ability>,
}

#[derive(Serialize)]
struct PodReport {
    kind: String,
    namespace: String,
    name: String,
    path: String,
    line: u32,
    host_namespaces: Vec<&'static str>,
    containers: Vec<ContainerReport>,
}

pub fn run(args: ExplainPodArgs) -> anyhow::Result<u8> {
    let (ns, name) = match args.target.split_once('/') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains('/') => {
            (ns.to_string(), name.to_string())
        }
        None if !args.target.is_empty() => (args.namespace.clone(), args.target.clone()),
        _ => bail!(
            "{:?} is not NAMESPACE/NAME\nhint: e.g. `mamori explain-pod shop/web manifests/`",
            args.target
        ),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let opts = LoadOptions {
        default_namespace: args.namespace.clone(),
        ..LoadOptions::default()
    };
    let load = load_paths(&paths, &opts);
    let inventory = Inventory::new(load.objects);
    let views: Vec<&PodSpecView> = inventory
        .pod_specs
        .iter()
        .filter(|v| {
            let o = &inventory.objects[v.object];
            o.name == name && o.effective_namespace.as_deref() == Some(ns.as_str())
        })
        .collect();
    if views.is_empty() {
        let known: Vec<String> = inventory
            .pod_specs
            .iter()
            .map(|v| {
                let o = &inventory.objects[v.object];
                format!(
                    "{}/{} ({})",
                    o.effective_namespace.as_deref().unwrap_or(""),
                    o.name,
                    o.kind
                )
            })
            .take(20)
            .collect();
        bail!(
            "no pod or workload {ns}/{name} in the input\nhint: pod-bearing objects found: {}",
            if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            }
        );
    }
    let reports: Vec<PodReport> = views.iter().map(|v| report(&inventory, v)).collect();
    let text = match args.format {
        TextOrJson::Json => serde_json::to_string_pretty(&reports)? + "\n",
        TextOrJson::Text => reports.iter().map(render).collect::<Vec<_>>().join("\n"),
    };
    super::print(&text)?;
    Ok(0)
}

fn report(inv: &Inventory, view: &PodSpecView) -> PodReport {
    let obj = &inv.objects[view.object];
    let spec = view.spec(obj);
    let mut host = Vec::new();
    let mut containers = Vec::new();
    if let Some(spec) = spec {
        for c in view.containers(obj) {
            let e = Effective::of(spec, view.metadata(obj), c.node);
            let image = c.node.str_field("image").unwrap_or("").to_string();
            if containers.is_empty() {
                for (on, n) in [
                    (e.host_pid, "hostPID"),
                    (e.host_ipc, "hostIPC"),
                    (e.host_network, "hostNetwork"),
                ] {
                    if on {
                        host.push(n);
                    }
                }
            }
            containers.push(container(&e, &c, image));
        }
    }
    PodReport {
        kind: obj.kind.clone(),
        namespace: obj.effective_namespace.clone().unwrap_or_default(),
        name: obj.name.clone(),
        path: obj.origin.path.clone(),
        line: obj.origin.line,
        host_namespaces: host,
        containers,
    }
}

fn container(e: &Effective, c: &mamori_model::ContainerView, image: String) -> ContainerReport {
    let (root, user) = e.root_guess(&image);
    let user = match &e.user {
        User::Uid(_, Source::Pod) => format!("{user}, from the pod's securityContext"),
        _ => user,
    };
    let seccomp = match (e.privileged, e.seccomp_source) {
        (true, _) => "Unconfined (privileged)".to_string(),
        (_, Source::Default) => {
            "Unconfined (not set; RuntimeDefault only where the kubelet runs with --seccomp-default)".into()
        }
        (_, Source::Pod) => format!("{} (from the pod)", e.seccomp.describe()),
        (_, Source::Container) => e.seccomp.describe(),
    };
    let apparmor = match &e.apparmor {
        None => "runtime default where AppArmor is enabled on the node (not set)".to_string(),
        Some(p @ Profile::Unconfined) if e.privileged => format!("{} (privileged)", p.describe()),
        Some(p) => p.describe(),
    };
    ContainerReport {
        name: c.name.to_string(),
        kind: match c.kind {
            mamori_model::ContainerKind::Init => "init",
            mamori_model::ContainerKind::Regular => "container",
            mamori_model::ContainerKind::Ephemeral => "ephemeral",
        },
        abilities: e.abilities(&image),
        image,
        user,
        root,
        privileged: e.privileged,
        allow_privilege_escalation: e.allow_privilege_escalation,
        capabilities: e.capabilities.iter().cloned().collect(),
        added: e.added.clone(),
        dropped: e.dropped.clone(),
        seccomp,
        apparmor,
        read_only_root_filesystem: e.read_only_root,
    }
}

fn render(r: &PodReport) -> String {
    let mut s = format!("{} {}/{}  ({}:{})\n", r.kind, r.namespace, r.name, r.path, r.line);
    if !r.host_namespaces.is_empty() {
        s += &format!("  shares the node's: {}\n", r.host_namespaces.join(", "));
    }
    for c in &r.containers {
        s += &format!("\n  {} {:?}  image {}\n", c.kind, c.name, c.image);
        s += &format!("    user          {}\n", c.user);
        let caps = if c.capabilities.is_empty() {
            "none".to_string()
        } else {
            c.capabilities.join(", ")
        };
        s += &format!("    capabilities  {caps}\n");
        if c.privileged {
            s += "    privileged    yes: every capability, every device, no confinement\n";
        }
        s += &format!("    seccomp       {}\n", c.seccomp);
        s += &format!("    apparmor      {}\n", c.apparmor);
        s += &format!(
            "    root fs       {}\n",
            if c.read_only_root_filesystem {
                "read-only"
            } else {
                "writable"
            }
        );
        s += "    can it...\n";
        for a in &c.abilities {
            let ans = match a.answer {
                Answer::Yes => "yes",
                Answer::No => "no ",
                Answer::Unknown => "?  ",
            };
            s += &format!("      {ans} {} (`{}`): {}\n", a.what, a.try_it, a.because);
        }
    }
    s
}
