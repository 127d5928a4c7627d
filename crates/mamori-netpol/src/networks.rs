//! Multiple networks (OVN-Kubernetes user-defined networks, Multus
//! NetworkAttachmentDefinitions and MultiNetworkPolicy), as np-guard's
//! multiple-networks analysis models them. The semantics are written down
//! in the crate's opening essay; this module assigns every workload its
//! networks and lists the connectivity per network.

use crate::endpoint::{classify, Endpoint};
use crate::engine::Engine;
use crate::list::{connlist, Focus, Line};
use crate::policy::{self, at, FieldValidation, Issue, NetPol, Peer};
use crate::ports::Protocol;
use mamori_model::{Inventory, LabelSelector, Node, Object};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The namespace label without which OVN-Kubernetes never puts a
/// namespace on a primary (C)UDN.
pub const PRIMARY_LABEL: &str = "k8s.ovn.org/primary-user-defined-network";
/// The pod annotation naming its secondary networks (Multus).
pub const NETWORKS_ANNOTATION: &str = "k8s.v1.cni.cncf.io/networks";
/// The MultiNetworkPolicy annotation naming the networks it governs.
pub const POLICY_FOR_ANNOTATION: &str = "k8s.v1.cni.cncf.io/policy-for";

/// A workload's primary network.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Primary {
    /// The cluster's default pod network.
    Pod,
    /// A namespace's UserDefinedNetwork, named by the namespace.
    Udn(String),
    /// A ClusterUserDefinedNetwork, by name.
    Cudn(String),
}

impl Primary {
    /// As np-guard's workload-to-networks mapping prints it.
    fn mapping(&self) -> String {
        match self {
            Primary::Pod => "pod-network".into(),
            Primary::Udn(n) => format!("{n}[UDN]"),
            Primary::Cudn(n) => format!("{n}[CUDN]"),
        }
    }
}

/// Networks of the input: the primary network of each namespace, and the
/// NetworkAttachmentDefinitions (namespace, name).
#[derive(Clone, Debug, Default)]
pub struct Networks {
    primary: HashMap<String, Primary>,
    /// The (C)UDN that gave each namespace its primary network.
    assigned_by: HashMap<String, String>,
    nads: BTreeSet<(String, String)>,
    /// Whether the input declares any UDN, CUDN or NAD.
    pub declared: bool,
    /// Networks OVN-Kubernetes (and so np-guard) refuses: no verdict is
    /// given from them.
    pub issues: Vec<Issue>,
}

fn role_is_primary(network: &Node) -> bool {
    ["layer2", "layer3"].iter().any(|l| {
        network
            .get(l)
            .and_then(|n| n.str_field("role"))
            .is_some_and(|r| r == "Primary")
    })
}

impl Networks {
    pub fn of(inv: &Inventory) -> Networks {
        let mut n = Networks::default();
        let labelled: BTreeMap<&str, &Vec<(String, String)>> = inv
            .namespaces
            .iter()
            .filter(|(_, v)| v.labels.iter().any(|(k, _)| k == PRIMARY_LABEL))
            .map(|(k, v)| (k.as_str(), &v.labels))
            .collect();
        let empty = Node::null();
        for o in &inv.objects {
            let spec = o.stored.get("spec").unwrap_or(&empty);
            // np-guard recognises these kinds whatever the API group (one
            // of its scenarios misspells `k8s.cni.cncf.io`).
            match (o.group(), o.kind.as_str()) {
                (_, "UserDefinedNetwork") => {
                    n.declared = true;
                    let ns = o.effective_namespace.clone().unwrap_or_else(|| "default".into());
                    if !n.valid(o, spec, "spec", &ns) {
                        continue;
                    }
                    if role_is_primary(spec) && labelled.contains_key(ns.as_str()) {
                        n.assign(o, &ns, Primary::Udn(ns.clone()));
                    }
                }
                (_, "ClusterUserDefinedNetwork") => {
                    n.declared = true;
                    let Some(net) = spec.get("network") else { continue };
                    if !n.valid(o, net, "spec.network", "") || !role_is_primary(net) {
                        continue;
                    }
                    // A selector that does not parse selects nothing.
                    let sel = match spec.get("namespaceSelector").filter(|s| !s.is_null()) {
                        Some(s) => LabelSelector::from_node(s).ok(),
                        None => Some(LabelSelector::everything()),
                    };
                    let Some(sel) = sel else { continue };
                    for (ns, labels) in &labelled {
                        if sel.matches(labels) {
                            n.assign(o, ns, Primary::Cudn(o.name.clone()));
                        }
                    }
                }
                (_, "NetworkAttachmentDefinition") => {
                    n.declared = true;
                    let ns = o.effective_namespace.clone().unwrap_or_else(|| "default".into());
                    n.nads.insert((ns, o.name.clone()));
                }
                _ => {}
            }
        }
        n
    }

    fn refuse(&mut self, o: &Object, field: &str, message: String) {
        self.issues.push(Issue {
            at: at(o),
            object: match &o.effective_namespace {
                Some(ns) => format!("{} {ns}/{}", o.kind, o.name),
                None => format!("{} {}", o.kind, o.name),
            },
            field: field.into(),
            line: o.origin.line,
            message,
            rejected: true,
        });
    }

    /// OVN-Kubernetes' rules for a (C)UDN's network (`net` at `path`):
    /// topology `Layer2` or `Layer3` with the matching layer section, role
    /// `Primary` or `Secondary`; a UDN (`namespace` not empty) is not
    /// named `default` nor created in `default` or an `openshift-`
    /// namespace, where it would isolate nothing.
    fn valid(&mut self, o: &Object, net: &Node, path: &str, namespace: &str) -> bool {
        let before = self.issues.len();
        let topology = net.str_field("topology").unwrap_or("");
        if !matches!(topology, "Layer2" | "Layer3") {
            self.refuse(
                o,
                &format!("{path}.topology"),
                format!("Unsupported value: {topology:?}: supported values: \"Layer2\", \"Layer3\""),
            );
        }
        for (layer, other) in [("layer2", "Layer3"), ("layer3", "Layer2")] {
            let Some(l) = net.get(layer).filter(|l| !l.is_null()) else {
                continue;
            };
            if topology == other {
                self.refuse(
                    o,
                    &format!("{path}.{layer}"),
                    format!("does not match topology {topology:?}: the layer section must be the topology's"),
                );
            }
            let role = l.str_field("role").unwrap_or("");
            if !matches!(role, "Primary" | "Secondary") {
                self.refuse(
                    o,
                    &format!("{path}.{layer}.role"),
                    format!("Unsupported value: {role:?}: supported values: \"Primary\", \"Secondary\""),
                );
            }
        }
        if !namespace.is_empty() {
            if o.name == "default" {
                self.refuse(
                    o,
                    "metadata.name",
                    "a UserDefinedNetwork may not be named \"default\"".into(),
                );
            }
            if namespace == "default" || namespace.starts_with("openshift-") {
                self.refuse(
                    o,
                    "metadata.namespace",
                    format!("a UserDefinedNetwork in namespace {namespace:?} would isolate nothing (OVN-Kubernetes does not apply it there)"),
                );
            }
        }
        self.issues.len() == before
    }

    /// A namespace has one primary network: a second (C)UDN for it is
    /// refused, even one of the same kind.
    fn assign(&mut self, o: &Object, namespace: &str, p: Primary) {
        let by = format!("{} {}", o.kind, o.name);
        match self.assigned_by.get(namespace) {
            Some(old) if *old != by => {
                let msg = format!(
                    "namespace {namespace:?} already has a primary network ({old}): only one primary (Cluster)UserDefinedNetwork may serve a namespace"
                );
                self.refuse(o, "metadata.name", msg);
            }
            _ => {
                self.assigned_by.insert(namespace.to_string(), by);
                self.primary.insert(namespace.to_string(), p);
            }
        }
    }

    pub fn primary(&self, namespace: &str) -> Primary {
        self.primary.get(namespace).cloned().unwrap_or(Primary::Pod)
    }

    /// The secondary networks (NAD names) an endpoint is attached to: the
    /// pods' `k8s.v1.cni.cncf.io/networks` annotation, or a
    /// VirtualMachine's `multus` networks. A reference to a NAD that the
    /// input does not have attaches nothing.
    pub fn secondaries(&self, inv: &Inventory, e: &Endpoint) -> BTreeMap<String, Vec<u32>> {
        let mut out: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for &i in &e.objects {
            let o = &inv.objects[i];
            for r in references(inv, i, o) {
                let ns = r.namespace.unwrap_or_else(|| e.namespace.clone());
                if self.nads.contains(&(ns, r.name.clone())) {
                    out.entry(r.name).or_default().extend(r.ips);
                }
            }
        }
        out
    }

    fn nad_namespaces(&self, name: &str) -> BTreeSet<&str> {
        self.nads
            .iter()
            .filter(|(_, n)| n == name)
            .map(|(ns, _)| ns.as_str())
            .collect()
    }
}

/// A reference to a NAD, with the addresses the workload has on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NadRef {
    pub namespace: Option<String>,
    pub name: String,
    /// IPv4 addresses (`ips` of the annotation's JSON form; a VM's static
    /// cloud-init addresses).
    pub ips: Vec<u32>,
}

/// References to NADs made by one object.
fn references(inv: &Inventory, index: usize, o: &Object) -> Vec<NadRef> {
    if o.kind == "VirtualMachine" {
        let spec = o
            .stored
            .get("spec")
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("spec"));
        let nets = spec
            .and_then(|s| s.get("networks"))
            .and_then(Node::as_seq)
            .unwrap_or(&[]);
        let ips = spec.map(vm_addresses).unwrap_or_default();
        return nets
            .iter()
            .filter_map(|n| n.get("multus")?.str_field("networkName"))
            .map(|r| {
                let (namespace, name) = split_ref(r);
                NadRef {
                    namespace,
                    name,
                    ips: ips.clone(),
                }
            })
            .collect();
    }
    let Some(view) = inv.pod_specs.iter().find(|v| v.object == index) else {
        return Vec::new();
    };
    let value = view
        .metadata(o)
        .and_then(|m| m.get("annotations"))
        .map(Node::string_map)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == NETWORKS_ANNOTATION)
        .map(|(_, v)| v);
    value.map(|v| parse_networks_annotation(&v)).unwrap_or_default()
}

fn split_ref(s: &str) -> (Option<String>, String) {
    match s.split_once('/') {
        Some((ns, n)) => (Some(ns.to_string()), n.to_string()),
        None => (None, s.to_string()),
    }
}

/// Multus's two forms: a comma-separated list of `[ns/]name[@interface]`,
/// or a JSON list of `{"name", "namespace", "ips", ...}` objects.
pub fn parse_networks_annotation(v: &str) -> Vec<NadRef> {
    let t = v.trim();
    if t.starts_with('[') {
        let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(t) else {
            return Vec::new();
        };
        return items
            .iter()
            .filter_map(|i| {
                let name = i.get("name")?.as_str()?.to_string();
                let namespace = i.get("namespace").and_then(|n| n.as_str()).map(str::to_string);
                let ips = i
                    .get("ips")
                    .and_then(|a| a.as_array())
                    .map(|a| a.iter().filter_map(|x| x.as_str().and_then(address)).collect())
                    .unwrap_or_default();
                Some(NadRef { namespace, name, ips })
            })
            .collect();
    }
    t.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (namespace, name) = split_ref(s.split_once('@').map(|(n, _)| n).unwrap_or(s));
            NadRef {
                namespace,
                name,
                ips: Vec::new(),
            }
        })
        .collect()
}

/// An IPv4 address, alone or with its prefix length (`10.0.0.1/24`).
fn address(s: &str) -> Option<u32> {
    let a = s.split_once('/').map(|(a, _)| a).unwrap_or(s);
    a.trim().parse::<std::net::Ipv4Addr>().ok().map(u32::from)
}

/// The static addresses of a VM's cloud-init network configuration
/// (`cloudInitNoCloud`/`cloudInitConfigDrive` `networkData`, netplan
/// version 2: `ethernets.<if>.addresses`).
fn vm_addresses(spec: &Node) -> Vec<u32> {
    let mut out = Vec::new();
    for v in spec.get("volumes").and_then(Node::as_seq).unwrap_or(&[]) {
        for src in ["cloudInitNoCloud", "cloudInitConfigDrive"] {
            let Some(data) = v.get(src).and_then(|c| c.str_field("networkData")) else {
                continue;
            };
            let docs = mamori_source::yaml::parse_documents(data, mamori_source::yaml::Limits::default());
            for d in docs.into_iter().flatten() {
                let Some(root) = d.node else { continue };
                let Some(eths) = root.get("ethernets").and_then(Node::as_map) else {
                    continue;
                };
                for e in eths {
                    for a in e.value.get("addresses").and_then(Node::as_seq).unwrap_or(&[]) {
                        out.extend(a.as_str().and_then(address));
                    }
                }
            }
        }
    }
    out
}

/// Per class of `engine`, a number for its primary network (classes share
/// a namespace, so a class is on one primary network).
pub fn class_networks(inv: &Inventory, engine: &Engine) -> Vec<usize> {
    let nets = Networks::of(inv);
    let mut ids: HashMap<Primary, usize> = HashMap::new();
    engine
        .classes
        .iter()
        .map(|c| {
            let n = ids.len();
            *ids.entry(nets.primary(&c.namespace)).or_insert(n)
        })
        .collect()
}

/// The connectivity per network.
#[derive(Clone, Debug, Default)]
pub struct MultiList {
    /// Lines in the default pod network.
    pub pod: Vec<Line>,
    /// Primary UDNs, primary CUDNs and secondary NADs by name, in np-guard's
    /// section order.
    pub udn: BTreeMap<String, Vec<Line>>,
    pub cudn: BTreeMap<String, Vec<Line>>,
    pub nad: BTreeMap<String, Vec<Line>>,
    /// Workloads whose primary network is the pod network.
    pub pod_network_workloads: usize,
    /// `ns/name[Kind]` with its primary network and NADs.
    pub mapping: Vec<(String, String, Vec<String>)>,
    /// MultiNetworkPolicies np-guard refuses, and warnings.
    pub issues: Vec<Issue>,
}

/// The connectivity of `engine` (built with `multiple_networks`) split by
/// network. `all` are the engine's lines (with the ingress controller's):
/// a pair of workloads is connected only in a network both are on, an
/// external address or the ingress controller reaches primary networks.
pub fn connlist_multi(inv: &Inventory, engine: &Engine, focus: &Focus, all: Vec<Line>) -> MultiList {
    let nets = Networks::of(inv);
    let mut out = MultiList {
        issues: nets.issues.clone(),
        ..MultiList::default()
    };
    let by_label: HashMap<String, usize> = engine
        .endpoints
        .iter()
        .enumerate()
        .filter(|(_, e)| !e.assumed)
        .map(|(i, e)| (e.label(), i))
        .collect();
    let primary = |i: usize| nets.primary(&engine.endpoints[i].namespace);
    for mut l in all {
        let (s, d) = (by_label.get(&l.src).copied(), by_label.get(&l.dst).copied());
        let net = match (s, d) {
            (Some(s), Some(d)) if primary(s) != primary(d) => continue,
            (Some(i), _) | (_, Some(i)) => primary(i),
            (None, None) => Primary::Pod,
        };
        match net {
            Primary::Pod => out.pod.push(l),
            Primary::Udn(n) => {
                for (end, ns) in [(&mut l.src, &l.src_ns), (&mut l.dst, &l.dst_ns)] {
                    if let Some(ns) = ns
                        .as_ref()
                        .filter(|ns| by_label.contains_key(end.as_str()) && **ns == n)
                    {
                        *end = format!("{ns}[udn]{}", &end[ns.len()..]);
                    }
                }
                out.udn.entry(n).or_default().push(l);
            }
            Primary::Cudn(n) => out.cudn.entry(n).or_default().push(l),
        }
    }
    for lines in out.udn.values_mut() {
        lines.sort_by_cached_key(|l| (l.src.clone(), l.dst.clone()));
    }
    // Secondary networks: the attached workloads and the
    // MultiNetworkPolicies for the network, nothing else.
    let mut attached: BTreeMap<String, Vec<(usize, Vec<u32>)>> = BTreeMap::new();
    let mut secondaries: Vec<Vec<String>> = Vec::new();
    for (i, e) in engine.endpoints.iter().enumerate() {
        let s = if e.assumed {
            BTreeMap::new()
        } else {
            nets.secondaries(inv, e)
        };
        secondaries.push(s.keys().cloned().collect());
        for (n, ips) in s {
            attached.entry(n).or_default().push((i, ips));
        }
    }
    let mnps = multi_policies(inv, &mut out.issues);
    for (name, members) in &attached {
        let nad_ns = nets.nad_namespaces(name);
        let mut policies: Vec<NetPol> = mnps
            .iter()
            .filter(|(targets, _)| targets.iter().any(|(ns, n)| n == name && nad_ns.contains(ns.as_str())))
            .map(|(_, p)| p.clone())
            .collect();
        let mut eps: Vec<Endpoint> = members.iter().map(|(i, _)| engine.endpoints[*i].clone()).collect();
        let ips: Vec<&[u32]> = members.iter().map(|(_, a)| a.as_slice()).collect();
        blocks_to_labels(&mut policies, &mut eps, &ips);
        let classes = classify(&mut eps);
        let sub = Engine::build(eps, classes, policies, Vec::new(), engine.namespace_labels.clone());
        // Addresses outside the cluster are not on a secondary network.
        let lines: Vec<Line> = connlist(&sub, focus)
            .into_iter()
            .filter(|l| l.src_ns.is_some() && l.dst_ns.is_some())
            .collect();
        if !lines.is_empty() {
            out.nad.insert(name.clone(), lines);
        }
    }
    for (i, e) in engine.endpoints.iter().enumerate() {
        if e.assumed {
            continue;
        }
        let p = nets.primary(&e.namespace);
        if p == Primary::Pod {
            out.pod_network_workloads += 1;
        }
        {
            let s: Vec<String> = secondaries[i].iter().map(|n| format!("{n}[NAD]")).collect();
            out.mapping.push((e.label(), p.mapping(), s));
        }
    }
    out.mapping.sort();
    out
}

/// On a secondary network an `ipBlock` peer matches the workloads whose
/// address on that network it contains. The engine matches blocks against
/// external addresses only, so each block becomes a pod peer (any
/// namespace) selecting a label given to exactly those workloads.
fn blocks_to_labels(policies: &mut [NetPol], eps: &mut [Endpoint], ips: &[&[u32]]) {
    let mut n = 0;
    for p in policies.iter_mut() {
        for r in p.ingress_rules.iter_mut().chain(p.egress_rules.iter_mut()) {
            for peer in r.peers.iter_mut().flatten() {
                let Peer::IpBlock { ranges, .. } = peer else { continue };
                let key = format!("{BLOCK_LABEL}{n}");
                n += 1;
                for (e, a) in eps.iter_mut().zip(ips) {
                    if a.iter().any(|x| ranges.iter().any(|(lo, hi)| lo <= x && x <= hi)) {
                        e.labels.push((key.clone(), String::new()));
                        e.labels.sort();
                    }
                }
                *peer = Peer::Pods {
                    namespaces: Some(LabelSelector::everything()),
                    pods: Some(LabelSelector::from_map([(key.as_str(), "")])),
                };
            }
        }
    }
}

/// Not a valid label key prefix (a `/` in the name part), so no input
/// label can collide with it.
const BLOCK_LABEL: &str = "mamori/ip-block/";

/// MultiNetworkPolicies, each with the networks its `policy-for`
/// annotation names (`(namespace, name)`, the namespace defaulting to the
/// policy's), parsed and defaulted as NetworkPolicies (without
/// `policyTypes`: Ingress, and Egress when there are egress rules).
fn multi_policies(inv: &Inventory, issues: &mut Vec<Issue>) -> Vec<(Vec<(String, String)>, NetPol)> {
    let mut out = Vec::new();
    for (i, o) in inv.objects.iter().enumerate() {
        if o.kind != "MultiNetworkPolicy" {
            continue;
        }
        let ns = o.effective_namespace.clone().unwrap_or_else(|| "default".into());
        let Some(value) = o.annotation(POLICY_FOR_ANNOTATION).filter(|v| !v.trim().is_empty()) else {
            issues.push(Issue {
                at: at(o),
                object: format!("MultiNetworkPolicy {ns}/{}", o.name),
                field: format!("metadata.annotations.{POLICY_FOR_ANNOTATION}"),
                line: o.origin.line,
                message: "missing: a MultiNetworkPolicy governs the networks this annotation names".into(),
                rejected: true,
            });
            continue;
        };
        let targets: Vec<(String, String)> = value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                let (n, name) = split_ref(s);
                (n.unwrap_or_else(|| ns.clone()), name)
            })
            .collect();
        match policy::parse(i, o, FieldValidation::Ignore) {
            Ok((p, warnings)) => {
                issues.extend(warnings);
                out.push((targets, p));
            }
            Err(e) => issues.extend(e),
        }
    }
    out
}

const HEADER: &str = "Permitted connectivity analyzed in ";

/// np-guard's txt output with multiple networks: the pod network, then a
/// section per primary UDN, primary CUDN and secondary NAD, then the
/// workload-to-networks mapping (not with `--focus-conn`).
pub fn render_txt(m: &MultiList, conn: Option<(Protocol, u16)>) -> String {
    let sections = !(m.udn.is_empty() && m.cudn.is_empty() && m.nad.is_empty());
    let line = |l: &Line| match conn {
        Some(_) => format!("{} => {}", l.src, l.dst),
        None => format!("{} => {} : {}", l.src, l.dst, l.conns),
    };
    let mut s = String::new();
    if let Some((p, n)) = conn {
        s.push_str(&format!("Permitted connections on {p} {n}:\n"));
        if sections && !m.pod.is_empty() {
            s.push_str(&format!("{HEADER}Pod network:\n"));
        }
    } else if sections {
        s.push_str(&format!("{HEADER}Pod network:\n"));
        if m.pod.is_empty() {
            s.push_str(if m.pod_network_workloads == 0 {
                "all input workloads are configured with (C)UDN as their primary network interface\n"
            } else {
                "All connections are not allowed for the workloads in the pod-network\n"
            });
        }
    }
    for l in &m.pod {
        s.push_str(&line(l));
        s.push('\n');
    }
    for (kind, map) in [
        ("primary UDN", &m.udn),
        ("primary CUDN", &m.cudn),
        ("secondary NAD", &m.nad),
    ] {
        for (name, lines) in map {
            s.push_str(&format!("\n{HEADER}{kind} {name}:\n"));
            for l in lines {
                s.push_str(&line(l));
                s.push('\n');
            }
        }
    }
    if conn.is_none() && !m.mapping.is_empty() {
        s.push_str("\nWorkload-to-Networks Mapping:\n");
        for (w, p, sec) in &m.mapping {
            s.push_str(&format!("{w}: \n\tPrimary Network: {p}"));
            if !sec.is_empty() {
                s.push_str(&format!("\n\tSecondary Networks: {}", sec.join(",")));
            }
            s.push('\n');
        }
    }
    s
}
