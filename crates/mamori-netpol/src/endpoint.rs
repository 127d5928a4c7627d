//! Endpoints: workloads (by their pod template) and bare pods, grouped
//! into equivalence classes.

use crate::policy::{at, Issue};
use crate::ports::Protocol;
use mamori_model::{Inventory, Node};
use std::collections::BTreeMap;

/// A container port: name (for named-port rules), protocol, number.
pub type PodPort = (Option<String>, Protocol, u16);

/// A workload as the list shows it: pods folded into their top owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub namespace: String,
    pub name: String,
    /// `Deployment`, `Pod`, or the owner's kind for a pod with an owner
    /// that is not in the input (`ReplicaSet` in a cluster dump).
    pub kind: String,
    /// Inventory indexes of the objects folded into it.
    pub objects: Vec<usize>,
    pub labels: Vec<(String, String)>,
    pub ports: Vec<PodPort>,
    /// Pods in the host's network namespace: NetworkPolicy leaves them
    /// undefined (most CNIs do not apply policies to them).
    pub host_network: bool,
    pub at: String,
    pub class: usize,
    /// Not in the input: assumed to exist for a question (the cluster DNS).
    pub assumed: bool,
}

impl Endpoint {
    /// `ns/name[Kind]`, np-guard's peer name.
    pub fn label(&self) -> String {
        format!("{}/{}[{}]", self.namespace, self.name, self.kind)
    }
}

/// Endpoints that policies cannot tell apart: same namespace (and so the
/// same namespace labels), pod labels, ports and host networking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Class {
    pub namespace: String,
    pub labels: Vec<(String, String)>,
    pub ports: Vec<PodPort>,
    pub host_network: bool,
    pub members: Vec<usize>,
}

const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

fn owner(meta: &Node) -> Option<(String, String)> {
    let refs = meta.field("ownerReferences").and_then(Node::as_seq)?;
    let pick = refs
        .iter()
        .find(|r| r.get("controller").and_then(Node::as_bool) == Some(true))
        .or_else(|| refs.first())?;
    // A static pod's owner is its Node: the pod stays itself. An owner
    // without a kind is shown as np-guard shows it, `[Pod]`.
    let kind = pick.str_field("kind").filter(|k| !k.is_empty()).unwrap_or("Pod");
    if kind == "Node" {
        return None;
    }
    Some((kind.to_string(), pick.str_field("name")?.to_string()))
}

pub fn pod_ports(spec: &Node) -> Vec<PodPort> {
    let mut out = Vec::new();
    for c in spec.field("containers").and_then(Node::as_seq).unwrap_or(&[]) {
        for p in c.field("ports").and_then(Node::as_seq).unwrap_or(&[]) {
            let Some(num) = p.get("containerPort").and_then(Node::as_i64) else {
                continue;
            };
            let Ok(num) = u16::try_from(num) else { continue };
            let proto = p
                .str_field("protocol")
                .and_then(Protocol::parse)
                .unwrap_or(Protocol::Tcp);
            out.push((p.str_field("name").map(str::to_string), proto, num));
        }
    }
    out
}

/// Endpoints of the inventory. Objects the API server refuses run nothing
/// and are left out.
pub fn collect(inv: &Inventory, keep_rejected: bool, virtual_machines: bool, issues: &mut Vec<Issue>) -> Vec<Endpoint> {
    let mut by_key: BTreeMap<(String, String, String), Endpoint> = BTreeMap::new();
    if virtual_machines {
        collect_vms(inv, &mut by_key);
    }
    for v in &inv.pod_specs {
        let o = &inv.objects[v.object];
        if !WORKLOAD_KINDS.contains(&o.kind.as_str()) || (o.rejected.is_some() && !keep_rejected) {
            continue;
        }
        let Some(spec) = v.spec(o) else { continue };
        let ns = o.effective_namespace.clone().unwrap_or_else(|| "default".into());
        let (kind, name) = match (o.kind.as_str(), o.stored.get("metadata").and_then(owner)) {
            // KubeVirt runs a VirtualMachine as a VirtualMachineInstance of
            // the same name, whose virt-launcher pod is shown as the VM.
            ("Pod", Some((k, n))) if virtual_machines && k == "VirtualMachineInstance" => ("VirtualMachine".into(), n),
            ("Pod", Some(k)) => k,
            _ => (o.kind.clone(), o.name.clone()),
        };
        let mut labels = v.labels(o);
        labels.sort();
        let host_network = spec.get("hostNetwork").and_then(Node::as_bool) == Some(true);
        let ports = pod_ports(spec);
        let key = (ns.clone(), name.clone(), kind.clone());
        match by_key.get_mut(&key) {
            Some(e) => {
                if e.labels != labels {
                    issues.push(Issue {
                        at: at(o),
                        object: format!("{} {ns}/{}", o.kind, o.name),
                        field: "metadata.labels".into(),
                        line: o.origin.line,
                        message: format!(
                            "pods of {} have different labels ({} here): the workload is analysed with those of its first pod",
                            e.label(),
                            fmt_labels(&labels)
                        ),
                        rejected: false,
                    });
                }
                e.objects.push(v.object);
                for p in ports {
                    if !e.ports.contains(&p) {
                        e.ports.push(p);
                    }
                }
                e.host_network |= host_network;
            }
            None => {
                by_key.insert(
                    key,
                    Endpoint {
                        namespace: ns,
                        name,
                        kind,
                        objects: vec![v.object],
                        labels,
                        ports,
                        host_network,
                        at: at(o),
                        class: 0,
                        assumed: false,
                    },
                );
            }
        }
    }
    by_key.into_values().collect()
}

/// KubeVirt VirtualMachines (`kubevirt.io`): a workload whose pod (the
/// virt-launcher) carries `spec.template.metadata.labels`. A VM declares
/// no container ports, so named ports never resolve on it.
fn collect_vms(inv: &Inventory, by_key: &mut BTreeMap<(String, String, String), Endpoint>) {
    for (i, o) in inv.objects.iter().enumerate() {
        if o.kind != "VirtualMachine" || o.group() != "kubevirt.io" {
            continue;
        }
        let ns = o.effective_namespace.clone().unwrap_or_else(|| "default".into());
        let mut labels = o
            .stored
            .get("spec")
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("metadata"))
            .and_then(|m| m.get("labels"))
            .map(Node::string_map)
            .unwrap_or_default();
        labels.sort();
        let key = (ns.clone(), o.name.clone(), o.kind.clone());
        by_key.entry(key).or_insert_with(|| Endpoint {
            namespace: ns,
            name: o.name.clone(),
            kind: o.kind.clone(),
            objects: vec![i],
            labels,
            ports: Vec::new(),
            host_network: false,
            at: at(o),
            class: 0,
            assumed: false,
        });
    }
}

type ClassKey = (String, Vec<(String, String)>, Vec<PodPort>, bool);

/// Sort endpoints by label and group them into classes.
pub fn classify(endpoints: &mut [Endpoint]) -> Vec<Class> {
    endpoints.sort_by_key(|e| e.label());
    let mut classes: Vec<Class> = Vec::new();
    let mut index: BTreeMap<ClassKey, usize> = BTreeMap::new();
    for (i, e) in endpoints.iter_mut().enumerate() {
        e.ports.sort();
        let key = (e.namespace.clone(), e.labels.clone(), e.ports.clone(), e.host_network);
        let c = *index.entry(key).or_insert_with(|| {
            classes.push(Class {
                namespace: e.namespace.clone(),
                labels: e.labels.clone(),
                ports: e.ports.clone(),
                host_network: e.host_network,
                members: Vec::new(),
            });
            classes.len() - 1
        });
        classes[c].members.push(i);
        e.class = c;
    }
    classes
}

/// The cluster DNS as kubeadm, kind, minikube and the managed services
/// deploy it (CoreDNS under the `kube-dns` name), for questions about DNS
/// when the input does not contain it.
pub fn assumed_dns() -> Endpoint {
    Endpoint {
        namespace: "kube-system".into(),
        name: "kube-dns".into(),
        kind: "Pod".into(),
        objects: Vec::new(),
        labels: vec![("k8s-app".into(), "kube-dns".into())],
        ports: vec![
            (Some("dns".into()), Protocol::Udp, 53),
            (Some("dns-tcp".into()), Protocol::Tcp, 53),
            (Some("metrics".into()), Protocol::Tcp, 9153),
        ],
        host_network: false,
        at: String::new(),
        class: 0,
        assumed: true,
    }
}

/// Whether an endpoint is the cluster DNS (`k8s-app: kube-dns` in kube-system).
pub fn is_dns(e: &Endpoint) -> bool {
    e.namespace == "kube-system" && e.labels.iter().any(|(k, v)| k == "k8s-app" && v == "kube-dns")
}

pub fn fmt_labels(labels: &[(String, String)]) -> String {
    let v: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", v.join(","))
}
