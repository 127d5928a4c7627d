//! AdminNetworkPolicy and BaselineAdminNetworkPolicy
//! (`policy.networking.k8s.io/v1alpha1`, the network-policy-api project's
//! CRDs, installed by the CNI).
//!
//! Per direction, an AdminNetworkPolicy (ANP) whose `subject` selects the
//! pod is consulted before any NetworkPolicy: ANPs by ascending
//! `priority` (0 first), the rules of each in order, the first rule whose
//! peer and ports match a connection decides it: `Allow` and `Deny` are
//! final, `Pass` hands it to the NetworkPolicy layer. What no ANP decides
//! (or passes) goes to the NetworkPolicies: if one isolates the pod for the
//! direction, they decide (allowed if a rule allows, else denied). Only if
//! none isolates it does the BaselineAdminNetworkPolicy (the singleton
//! `default`) get it: its first matching rule decides (`Allow` or `Deny`),
//! and what it does not match is allowed. Peers are `namespaces`, `pods`
//! (namespace and pod selectors, both required), egress `networks` (CIDRs)
//! and `nodes` (not modelled: they match nothing here). Ports are
//! `portNumber`, `portRange` (inclusive) or `namedPort` (resolved on the
//! destination pod by name). A missing selector inside `pods` is empty
//! (everything). Two ANPs with the same priority are an error: their order
//! is undefined.

use crate::ip::{block_ranges, Cidr, Range};
use crate::policy::{at, Issue};
use crate::ports::{ConnSet, Protocol, MAX_PORT};
use mamori_model::{FieldPath, LabelSelector, Node, Object};

pub const GROUP: &str = "policy.networking.k8s.io";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Allow,
    Deny,
    Pass,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    Namespaces(LabelSelector),
    Pods {
        namespaces: LabelSelector,
        pods: LabelSelector,
    },
}

impl Selection {
    pub fn matches(&self, ns_labels: &[(String, String)], pod_labels: &[(String, String)]) -> bool {
        match self {
            Selection::Namespaces(n) => n.matches(ns_labels),
            Selection::Pods { namespaces, pods } => namespaces.matches(ns_labels) && pods.matches(pod_labels),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminPeer {
    Workloads(Selection),
    Networks(Vec<Range>),
    /// Nodes are not modelled: such a peer matches nothing.
    Nodes,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminPort {
    Range(Protocol, u16, u16),
    Named(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminRule {
    pub name: String,
    pub action: Action,
    pub peers: Vec<AdminPeer>,
    /// `None`: every port.
    pub ports: Option<Vec<AdminPort>>,
}

impl AdminRule {
    pub fn conns(&self, pod_ports: &[crate::endpoint::PodPort]) -> ConnSet {
        let Some(ports) = &self.ports else {
            return ConnSet::all();
        };
        let mut c = ConnSet::none();
        for p in ports {
            match p {
                AdminPort::Range(pr, lo, hi) => c.add(&ConnSet::range(*pr, *lo, *hi)),
                AdminPort::Named(n) => {
                    for (name, pr, num) in pod_ports {
                        if name.as_deref() == Some(n.as_str()) {
                            c.add(&ConnSet::port(*pr, *num));
                        }
                    }
                }
            }
        }
        c
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminPol {
    pub object: usize,
    pub name: String,
    pub at: String,
    /// `None` for the BaselineAdminNetworkPolicy.
    pub priority: Option<u32>,
    pub subject: Selection,
    pub ingress: Vec<AdminRule>,
    pub egress: Vec<AdminRule>,
}

impl AdminPol {
    pub fn kind(&self) -> &'static str {
        if self.priority.is_some() {
            "AdminNetworkPolicy"
        } else {
            "BaselineAdminNetworkPolicy"
        }
    }

    pub fn rules(&self, egress: bool) -> &[AdminRule] {
        if egress {
            &self.egress
        } else {
            &self.ingress
        }
    }
}

struct Cx<'a> {
    object: &'a Object,
    issues: Vec<Issue>,
}

impl Cx<'_> {
    fn err(&mut self, path: &FieldPath, message: impl Into<String>) {
        let pos = self.object.node.locate(path);
        self.issues.push(Issue {
            at: at(self.object),
            object: format!("{} {}", self.object.kind, self.object.name),
            field: path.to_string(),
            line: if pos.line == 0 {
                self.object.origin.line
            } else {
                pos.line
            },
            message: message.into(),
            rejected: true,
        });
    }
}

fn selector(cx: &mut Cx, n: Option<&Node>, path: &FieldPath) -> LabelSelector {
    match n {
        // Absent is the zero value, an empty selector: everything (the
        // upstream conformance manifests rely on it).
        None => LabelSelector::everything(),
        Some(n) => LabelSelector::from_node(n).unwrap_or_else(|e| {
            cx.err(path, format!("Invalid value: {}", e.message));
            LabelSelector::everything()
        }),
    }
}

/// Exactly one of the keys must be set.
fn one_of<'a>(cx: &mut Cx, n: &'a Node, keys: &[&str], path: &FieldPath) -> Option<(&'a str, &'a Node)> {
    let set: Vec<(&str, &Node)> = n
        .as_map()
        .unwrap_or(&[])
        .iter()
        .filter(|e| keys.contains(&e.key.as_str()) && !e.value.is_null())
        .map(|e| (e.key.as_str(), &e.value))
        .collect();
    match set.as_slice() {
        [one] => Some(*one),
        [] => {
            cx.err(path, format!("must set exactly one of {}", keys.join(", ")));
            None
        }
        _ => {
            cx.err(path, format!("may set only one of {}", keys.join(", ")));
            None
        }
    }
}

fn selection(cx: &mut Cx, n: &Node, path: &FieldPath) -> Option<Selection> {
    let (k, v) = one_of(cx, n, &["namespaces", "pods"], path)?;
    Some(match k {
        "namespaces" => Selection::Namespaces(selector(cx, Some(v), &path.key("namespaces"))),
        _ => Selection::Pods {
            namespaces: selector(
                cx,
                v.get("namespaceSelector"),
                &path.key("pods").key("namespaceSelector"),
            ),
            pods: selector(cx, v.get("podSelector"), &path.key("pods").key("podSelector")),
        },
    })
}

fn rules(cx: &mut Cx, spec: &Node, dir: &str, peers_key: &str, baseline: bool) -> Vec<AdminRule> {
    let mut out = Vec::new();
    let base = FieldPath::root().key("spec").key(dir);
    for (i, r) in spec.field(dir).and_then(Node::as_seq).unwrap_or(&[]).iter().enumerate() {
        let rp = base.index(i);
        let action = match r.str_field("action") {
            Some("Allow") => Action::Allow,
            Some("Deny") => Action::Deny,
            Some("Pass") if !baseline => Action::Pass,
            Some(other) => {
                let allowed = if baseline {
                    "\"Allow\", \"Deny\""
                } else {
                    "\"Allow\", \"Deny\", \"Pass\""
                };
                cx.err(
                    &rp.key("action"),
                    format!("Unsupported value: {other:?}: supported values: {allowed}"),
                );
                continue;
            }
            None => {
                cx.err(&rp.key("action"), "Required value");
                continue;
            }
        };
        let peer_nodes = r.field(peers_key).and_then(Node::as_seq).unwrap_or(&[]);
        if peer_nodes.is_empty() {
            cx.err(&rp.key(peers_key), "Required value: at least one peer");
            continue;
        }
        let keys: &[&str] = if dir == "egress" {
            &["namespaces", "pods", "nodes", "networks"]
        } else {
            &["namespaces", "pods"]
        };
        let mut peers = Vec::new();
        for (j, p) in peer_nodes.iter().enumerate() {
            let pp = rp.key(peers_key).index(j);
            let Some((k, v)) = one_of(cx, p, keys, &pp) else {
                continue;
            };
            peers.push(match k {
                "nodes" => AdminPeer::Nodes,
                "networks" => {
                    let mut ranges = Vec::new();
                    for (m, c) in v.as_seq().unwrap_or(&[]).iter().enumerate() {
                        match c.as_str().map(Cidr::parse) {
                            Some(Ok(cidr)) => ranges.extend(block_ranges(&cidr, &[])),
                            _ => cx.err(
                                &pp.key("networks").index(m),
                                format!("Invalid value: {:?} is not a valid CIDR", c.as_str().unwrap_or("")),
                            ),
                        }
                    }
                    AdminPeer::Networks(ranges)
                }
                _ => match selection(cx, p, &pp) {
                    Some(s) => AdminPeer::Workloads(s),
                    None => continue,
                },
            });
        }
        let ports = r.field("ports").and_then(Node::as_seq).map(|ps| {
            ps.iter()
                .enumerate()
                .filter_map(|(j, p)| {
                    let pp = rp.key("ports").index(j);
                    let (k, v) = one_of(cx, p, &["portNumber", "portRange", "namedPort"], &pp)?;
                    let proto = || {
                        v.str_field("protocol")
                            .map(Protocol::parse)
                            .unwrap_or(Some(Protocol::Tcp))
                    };
                    let num = |key: &str| {
                        v.get(key)
                            .and_then(Node::as_i64)
                            .filter(|n| (1..=i64::from(MAX_PORT)).contains(n))
                            .map(|n| n as u16)
                    };
                    match k {
                        "namedPort" => v.as_str().map(|s| AdminPort::Named(s.to_string())),
                        "portNumber" => match (proto(), num("port")) {
                            (Some(pr), Some(n)) => Some(AdminPort::Range(pr, n, n)),
                            _ => {
                                cx.err(
                                    &pp.key(k),
                                    "Invalid value: needs a protocol (TCP, UDP, SCTP) and a port 1-65535",
                                );
                                None
                            }
                        },
                        _ => match (proto(), num("start"), num("end")) {
                            (Some(pr), Some(lo), Some(hi)) if lo <= hi => Some(AdminPort::Range(pr, lo, hi)),
                            _ => {
                                cx.err(
                                    &pp.key(k),
                                    "Invalid value: needs a protocol and 1 <= start <= end <= 65535",
                                );
                                None
                            }
                        },
                    }
                })
                .collect()
        });
        out.push(AdminRule {
            name: r.str_field("name").unwrap_or_default().to_string(),
            action,
            peers,
            ports,
        });
    }
    out
}

/// Parse and validate an ANP or BANP.
pub fn parse(index: usize, object: &Object) -> Result<AdminPol, Vec<Issue>> {
    let mut cx = Cx {
        object,
        issues: Vec::new(),
    };
    let baseline = object.kind == "BaselineAdminNetworkPolicy";
    let empty = Node::null();
    let spec = object.node.get("spec").unwrap_or(&empty);
    let spec_path = FieldPath::root().key("spec");
    if baseline && object.name != "default" {
        cx.err(
            &FieldPath::root().key("metadata").key("name"),
            format!(
                "Invalid value: {:?}: a BaselineAdminNetworkPolicy must be named \"default\"",
                object.name
            ),
        );
    }
    let priority = if baseline {
        None
    } else {
        match spec.get("priority").and_then(Node::as_i64) {
            Some(p) if (0..=1000).contains(&p) => Some(p as u32),
            Some(p) => {
                cx.err(
                    &spec_path.key("priority"),
                    format!("Invalid value: {p}: must be between 0 and 1000"),
                );
                None
            }
            None => {
                cx.err(&spec_path.key("priority"), "Required value");
                None
            }
        }
    };
    let subject = match spec.field("subject") {
        Some(s) => selection(&mut cx, s, &spec_path.key("subject")),
        None => {
            cx.err(&spec_path.key("subject"), "Required value");
            None
        }
    };
    let ingress = rules(&mut cx, spec, "ingress", "from", baseline);
    let egress = rules(&mut cx, spec, "egress", "to", baseline);
    if !cx.issues.is_empty() {
        return Err(cx.issues);
    }
    Ok(AdminPol {
        object: index,
        name: object.name.clone(),
        at: at(object),
        priority,
        subject: subject.unwrap_or(Selection::Namespaces(LabelSelector::everything())),
        ingress,
        egress,
    })
}
