//! `NET`: NetworkPolicy coverage and mistakes, judged by the NetworkPolicy
//! engine (`mamori-netpol`) on the whole inventory.
//!
//! The engine is built once per inventory, under strict field validation
//! (kubectl's default), with the cluster DNS assumed in kube-system when
//! the input does not contain it (so egress isolation can be judged
//! against DNS). Policies the API server would refuse take no part; NET006
//! reports them.
pub mod dns_peer_admits_whole_namespace;
pub mod egress_isolated_without_dns;
pub mod invalid_network_policy;
pub mod named_port_on_no_pod;
pub mod namespace_without_default_deny;
pub mod peer_matches_nothing;
pub mod policy_selects_nothing;
pub mod rule_names_service_port;
pub mod workload_selected_by_no_policy;

use crate::context::Context;
use mamori_model::LabelSelector;
use mamori_netpol::endpoint::{assumed_dns, is_dns};
use mamori_netpol::{Endpoint, Engine, Options};
use std::sync::Arc;

/// The engine, with the cluster DNS assumed when absent.
pub struct Net(pub Engine);

pub fn engine(cx: &Context) -> Arc<Net> {
    cx.inventory.derived(|inv| {
        let e = Engine::new(inv, Options::default());
        if e.endpoints.iter().any(is_dns) {
            Net(e)
        } else {
            Net(Engine::with_extra(inv, Options::default(), vec![assumed_dns()]))
        }
    })
}

/// The endpoint an object (a workload, or a pod folded into one) is part of.
pub fn endpoint_of(e: &Engine, obj: usize) -> Option<&Endpoint> {
    e.endpoints
        .iter()
        .find(|ep| !ep.assumed && ep.objects.first() == Some(&obj))
}

/// A custom resource in a namespace `in_ns` accepts (an operator's:
/// Prometheus, Alertmanager, an Argo Rollout, ...) describing pods whose
/// labels `sel` matches (`spec.podMetadata.labels`, the prometheus-operator
/// convention, or a pod template's). Its operator creates pods mamori cannot
/// see, so "nothing matches" would be a guess. The resource's own labels do
/// not count: a ServiceMonitor carries its component's labels and makes no
/// pod. Named as `Kind ns/name`.
pub fn operator_resource(cx: &Context, in_ns: impl Fn(&str) -> bool, sel: &LabelSelector) -> Option<String> {
    const POD_LABELS: &[&[&str]] = &[
        &["spec", "podMetadata", "labels"],
        &["spec", "template", "metadata", "labels"],
    ];
    cx.inventory.objects.iter().find_map(|o| {
        let group = o.group();
        // Built-in groups have no dot or end in k8s.io.
        if !group.contains('.') || group.ends_with(".k8s.io") {
            return None;
        }
        let ns = o.effective_namespace.as_deref()?;
        if !in_ns(ns) {
            return None;
        }
        let hit = POD_LABELS.iter().any(|path| {
            path.iter()
                .try_fold(&o.stored, |n, k| n.get(k))
                .is_some_and(|labels| sel.matches(&labels.string_map()))
        });
        hit.then(|| format!("{} {ns}/{}", o.kind, o.name))
    })
}

/// Namespaces the platform runs: their policies are the platform's business.
pub fn is_system_namespace(ns: &str) -> bool {
    matches!(ns, "kube-system" | "kube-public" | "kube-node-lease")
}

/// The policy index of a NetworkPolicy object, if the engine uses it.
pub fn policy_of(e: &Engine, obj: usize) -> Option<usize> {
    e.policies.iter().position(|p| p.object == obj)
}

pub const WORKLOADS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

/// One port entry of a rule of policy `policy`, with what checks on ports
/// need: the direction's name, the rule, the entry's index, its field path
/// (`spec.<dir>[i].ports[k].port`) and the rule's destination pods.
pub struct RulePort<'a> {
    pub dir: &'static str,
    pub egress: bool,
    pub rule: &'a mamori_netpol::policy::Rule,
    pub port: &'a mamori_netpol::policy::PortSpec,
    pub path: mamori_model::FieldPath,
    pub dests: &'a [&'a Endpoint],
}

/// Call `f` for every port entry of every rule of policy `policy`.
pub fn for_each_rule_port(e: &Engine, policy: usize, mut f: impl FnMut(RulePort<'_>)) {
    let p = &e.policies[policy];
    for (dir, egress) in [("ingress", false), ("egress", true)] {
        for r in p.rules(egress) {
            let dests = destinations(e, policy, egress, r.index);
            for (k, port) in r.ports.iter().flatten().enumerate() {
                let path = mamori_model::FieldPath::root()
                    .key("spec")
                    .key(dir)
                    .index(r.index)
                    .key("ports")
                    .index(k)
                    .key("port");
                f(RulePort {
                    dir,
                    egress,
                    rule: r,
                    port,
                    path,
                    dests: &dests,
                });
            }
        }
    }
}

/// The endpoints a rule's traffic goes to: for an ingress rule the pods
/// the policy selects, for an egress rule the pods its peers match.
pub fn destinations(e: &Engine, policy: usize, egress: bool, rule: usize) -> Vec<&Endpoint> {
    let p = &e.policies[policy];
    e.endpoints
        .iter()
        .filter(|ep| !ep.assumed)
        .filter(|ep| {
            if !egress {
                return ep.namespace == p.namespace && p.pod_selector.matches(&ep.labels);
            }
            match &p.egress_rules[rule].peers {
                None => true,
                Some(peers) => peers.iter().any(|peer| peer_matches(e, p, peer, ep)),
            }
        })
        .collect()
}

pub fn peer_matches(e: &Engine, p: &mamori_netpol::NetPol, peer: &mamori_netpol::policy::Peer, ep: &Endpoint) -> bool {
    match peer {
        mamori_netpol::policy::Peer::IpBlock { .. } => false,
        mamori_netpol::policy::Peer::Pods { namespaces, pods } => {
            let ns_ok = match namespaces {
                None => ep.namespace == p.namespace,
                Some(sel) => e.namespace_labels.get(&ep.namespace).is_some_and(|l| sel.matches(l)),
            };
            ns_ok && pods.as_ref().is_none_or(|s| s.matches(&ep.labels))
        }
    }
}
