//! Exposure: what each workload is open to beyond the workloads of the
//! input, from the selectors of the rules that could admit it (np-guard's
//! `--exposure`). A direction no NetworkPolicy isolates and no
//! (Baseline)AdminNetworkPolicy rule governs is exposed to the entire
//! cluster and every address. Otherwise each distinct selector pair of the
//! rules that apply stands for a representative peer (`entire-cluster`,
//! `ns/[all pods]`, `ns/[pod with {k=v}]`, `[namespace with {k=v}]/...`,
//! `[all namespaces]/...`), whether or not such pods exist today, and is
//! evaluated like a pod through the admin policies, the NetworkPolicies
//! and the baseline; a rule applies to it only when its selector is empty
//! or says exactly the same (np-guard's "full match": a narrower or
//! overlapping selector says nothing about an unknown pod). A peer that
//! gets what the entire cluster gets adds nothing and is left out, as is a
//! `matchLabels`-only pod selector in a given namespace that an existing
//! workload matches (its connection is in the list already).

use crate::admin::{Action, AdminPeer, AdminPort, Selection};
use crate::engine::{Engine, Target};
use crate::list::{name_matches, Direction, Focus};
use crate::policy::{Peer, PortMatch};
use crate::ports::ConnSet;
use mamori_model::inventory::NAME_LABEL;
use mamori_model::{LabelSelector, SelectorOp};
use std::collections::{BTreeMap, BTreeSet, HashMap};

fn sel_text(s: &LabelSelector) -> String {
    let plain = s
        .requirements
        .iter()
        .all(|r| r.op == SelectorOp::In && r.values.len() == 1);
    if plain {
        let mut v: Vec<String> = s
            .requirements
            .iter()
            .map(|r| format!("{}={}", r.key, r.values[0]))
            .collect();
        v.sort();
        return format!("{{{}}}", v.join(","));
    }
    let mut reqs: Vec<&mamori_model::Requirement> = s.requirements.iter().collect();
    // matchLabels-like entries first, then the expressions, each by key.
    let label = |r: &mamori_model::Requirement| r.op == SelectorOp::In && r.values.len() == 1;
    reqs.sort_by(|a, b| (!label(a), &a.key).cmp(&(!label(b), &b.key)));
    let v: Vec<String> = reqs
        .iter()
        .map(|r| {
            let op = match r.op {
                SelectorOp::In => "In",
                SelectorOp::NotIn => "NotIn",
                SelectorOp::Exists => "Exists",
                SelectorOp::DoesNotExist => "DoesNotExist",
            };
            if r.op == SelectorOp::In && r.values.len() == 1 {
                return format!("{}={}", r.key, r.values[0]);
            }
            format!("{{Key:{},Operator:{op},Values:[{}],}}", r.key, r.values.join(" "))
        })
        .collect();
    format!("{{{}}}", v.join(","))
}

/// The representative peer of a pod/namespace peer; `texts` are the
/// selectors as written (np-guard's notation).
fn representative(
    policy_ns: &str,
    namespaces: &Option<LabelSelector>,
    pods: &Option<LabelSelector>,
    texts: Option<&(Option<String>, Option<String>)>,
) -> String {
    let pods_all = pods.as_ref().is_none_or(LabelSelector::is_everything);
    let ns_part = match namespaces {
        None => policy_ns.to_string(),
        Some(n) if n.is_everything() => {
            if pods_all {
                return "entire-cluster".into();
            }
            "[all namespaces]".into()
        }
        Some(n) => match n.requirements.as_slice() {
            [r] if r.key == NAME_LABEL && r.op == SelectorOp::In && r.values.len() == 1 => r.values[0].clone(),
            _ => format!(
                "[namespace with {}]",
                texts.and_then(|t| t.0.clone()).unwrap_or_else(|| sel_text(n))
            ),
        },
    };
    let pod_part = if pods_all {
        "[all pods]".to_string()
    } else {
        let text = texts.and_then(|t| t.1.clone());
        format!(
            "[pod with {}]",
            text.unwrap_or_else(|| pods.as_ref().map(sel_text).unwrap_or_default())
        )
    };
    format!("{ns_part}/{pod_part}")
}

/// A representative peer: the pods a rule's selectors describe, whether
/// or not any exist. A namespace given as the policy's own is the
/// selector on its name label.
struct Rep {
    name: String,
    namespaces: LabelSelector,
    pods: LabelSelector,
    /// The pod selector is written as `matchLabels` only (not everything).
    plain: bool,
}

fn plain_pods(pods: &LabelSelector, text: Option<&String>) -> bool {
    !pods.is_everything()
        && match text {
            Some(t) => !t.contains("{Key:"),
            None => pods
                .requirements
                .iter()
                .all(|r| r.op == SelectorOp::In && r.values.len() == 1),
        }
}

/// One requirement in np-guard's canonical notation: `In` with a single
/// value is the same as a `matchLabels` entry.
fn req_key(r: &mamori_model::Requirement) -> String {
    if r.op == SelectorOp::In && r.values.len() == 1 {
        return format!("{}={}", r.key, r.values[0]);
    }
    let mut v = r.values.clone();
    v.sort();
    format!("{} {:?} {}", r.key, r.op, v.join(","))
}

/// np-guard's "full match" of a rule selector with a representative
/// peer's: the rule selects everything, or both have the same
/// requirements. A narrower or overlapping rule does not match: which of
/// the potential pods it selects is unknown.
fn full_match(rule: &LabelSelector, rep: &LabelSelector) -> bool {
    if rule.is_everything() {
        return true;
    }
    let canon = |s: &LabelSelector| {
        let mut v: Vec<(String, String)> = s.requirements.iter().map(|r| (r.key.clone(), req_key(r))).collect();
        v.sort();
        v
    };
    canon(rule) == canon(rep)
}

/// A selector's identity regardless of how it is written.
fn canon(s: &LabelSelector) -> Vec<String> {
    let mut v: Vec<String> = s.requirements.iter().map(req_key).collect();
    v.sort();
    v
}

type RepKey = (Vec<String>, Vec<String>);

/// The name each distinct potential peer gets: np-guard makes one per
/// selector pair for the whole input and names it after the first rule
/// that yields it (policies in order, ingress rules before egress).
fn first_names(engine: &Engine) -> HashMap<RepKey, String> {
    let mut names: HashMap<RepKey, String> = HashMap::new();
    for p in &engine.policies {
        for egress in [false, true] {
            for r in p.rules(egress) {
                for (j, peer) in r.peers.iter().flatten().enumerate() {
                    if let Peer::Pods { namespaces, pods } = peer {
                        let key = (
                            canon(&ns_selector(&p.namespace, namespaces)),
                            canon(pods.as_ref().unwrap_or(&LabelSelector::everything())),
                        );
                        names
                            .entry(key)
                            .or_insert_with(|| representative(&p.namespace, namespaces, pods, r.selector_texts.get(j)));
                    }
                }
            }
        }
    }
    names
}

fn ns_selector(policy_ns: &str, namespaces: &Option<LabelSelector>) -> LabelSelector {
    match namespaces {
        Some(n) => n.clone(),
        None => LabelSelector::from_map([(NAME_LABEL, policy_ns)]),
    }
}

fn np_peer_matches(policy_ns: &str, peer: &Peer, rep: &Rep) -> bool {
    match peer {
        Peer::Pods { namespaces, pods } => {
            full_match(&ns_selector(policy_ns, namespaces), &rep.namespaces)
                && pods.as_ref().is_none_or(|p| full_match(p, &rep.pods))
        }
        Peer::IpBlock { .. } => false,
    }
}

fn admin_peer_matches(peer: &AdminPeer, rep: &Rep) -> bool {
    match peer {
        AdminPeer::Workloads(Selection::Namespaces(n)) => full_match(n, &rep.namespaces),
        AdminPeer::Workloads(Selection::Pods { namespaces, pods }) => {
            full_match(namespaces, &rep.namespaces) && full_match(pods, &rep.pods)
        }
        _ => false,
    }
}

/// Whether an existing workload is one of the pods `rep` describes.
fn matched_by_existing(engine: &Engine, rep: &Rep) -> bool {
    engine.classes.iter().any(|c| {
        let ns = engine
            .namespace_labels
            .get(&c.namespace)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        rep.namespaces.matches(ns) && rep.pods.matches(&c.labels)
    })
}

/// Named ports the rules allowing `rep` name, for egress: a potential pod
/// has no ports to resolve them on, so np-guard prints them by name
/// (protocol, name); an AdminNetworkPolicy's `namedPort` has no protocol.
fn rep_named(engine: &Engine, class: usize, rep: &Rep) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for &pi in engine.isolating(class, true) {
        let p = &engine.policies[pi];
        for r in p.rules(true) {
            let hit = match &r.peers {
                None => true,
                Some(peers) => peers.iter().any(|peer| np_peer_matches(&p.namespace, peer, rep)),
            };
            for ps in r.ports.iter().flatten().filter(|_| hit) {
                if let PortMatch::Named(n) = &ps.port {
                    out.insert((ps.protocol.as_str().to_string(), n.clone()));
                }
            }
        }
    }
    for &a in engine.admin_for(class) {
        for r in engine.admin[a].rules(true) {
            if r.action != Action::Allow || !r.peers.iter().any(|p| admin_peer_matches(p, rep)) {
                continue;
            }
            for port in r.ports.iter().flatten() {
                if let AdminPort::Named(n) = port {
                    out.insert((String::new(), n.clone()));
                }
            }
        }
    }
    out
}

/// A connection set with the named ports np-guard could not resolve,
/// grouped by protocol after the numbered ones.
fn conn_text(conns: &ConnSet, named: &BTreeSet<(String, String)>) -> String {
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (proto, name) in named {
        groups.entry(proto.as_str()).or_default().push(name.as_str());
    }
    let mut parts: Vec<String> = Vec::new();
    if !conns.is_empty() || groups.is_empty() {
        parts.push(conns.to_string());
    }
    parts.extend(
        groups
            .iter()
            .map(|(proto, names)| format!("{proto} {}", names.join(","))),
    );
    parts.join(",")
}

/// What the workload's policies allow between it and `rep`, evaluated as
/// for a real peer (admin policies, then NetworkPolicies, then the
/// baseline), with "matches" being [`full_match`].
fn rep_conns(engine: &Engine, class: usize, egress: bool, rep: &Rep) -> ConnSet {
    // Named ports resolve on the destination: the workload for ingress; a
    // potential pod has none.
    let ports: &[crate::endpoint::PodPort] = if egress { &[] } else { &engine.classes[class].ports };
    let iso = engine.isolating(class, egress);
    let mut np = ConnSet::none();
    for &pi in iso {
        let p = &engine.policies[pi];
        for r in p.rules(egress) {
            let hit = match &r.peers {
                None => true,
                Some(peers) => peers.iter().any(|peer| np_peer_matches(&p.namespace, peer, rep)),
            };
            if hit {
                np.add(&r.conns(ports));
            }
        }
    }
    let order = engine.admin_for(class);
    if order.is_empty() {
        return np;
    }
    let mut remaining = ConnSet::all();
    let mut allowed = ConnSet::none();
    let mut passed = ConnSet::none();
    let decide = |pi: usize, remaining: &mut ConnSet, allowed: &mut ConnSet, passed: &mut ConnSet| {
        for r in engine.admin[pi].rules(egress) {
            if !r.peers.iter().any(|p| admin_peer_matches(p, rep)) {
                continue;
            }
            let c = r.conns(ports).intersect(remaining);
            match r.action {
                Action::Allow => allowed.add(&c),
                Action::Deny => {}
                Action::Pass => passed.add(&c),
            }
            *remaining = remaining.subtract(&c);
        }
    };
    let (anps, baseline): (Vec<usize>, Vec<usize>) = order.iter().partition(|&&i| engine.admin[i].priority.is_some());
    for &pi in &anps {
        decide(pi, &mut remaining, &mut allowed, &mut passed);
    }
    let mut undecided = remaining.union(&passed);
    if !iso.is_empty() {
        allowed.add(&np.intersect(&undecided));
    } else {
        let mut unused = ConnSet::none();
        for &pi in &baseline {
            decide(pi, &mut undecided, &mut allowed, &mut unused);
        }
        allowed.add(&undecided);
    }
    allowed
}

/// The exposure section, as np-guard prints it after the connlist.
pub fn render(engine: &Engine, connlist_txt: &str) -> String {
    render_focused(engine, connlist_txt, &Focus::default())
}

/// With np-guard's focus options: only the focused workloads, only the
/// focused direction, and with a focused connection only the lines that
/// allow it (named without their connections, no unprotected list).
pub fn render_focused(engine: &Engine, connlist_txt: &str, focus: &Focus) -> String {
    let mask = focus.conn.map(|(p, n)| ConnSet::port(p, n));
    let mut egress: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut ingress: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut unprotected: Vec<String> = Vec::new();
    const EXTERNAL: &str = "0.0.0.0-255.255.255.255[External]";
    let names = first_names(engine);
    let focused = |e: &&crate::endpoint::Endpoint| {
        !e.assumed && (focus.workloads.is_empty() || name_matches(&focus.workloads, &e.namespace, &e.name))
    };
    let directions = match (focus.workloads.is_empty(), focus.direction) {
        (false, Direction::Egress) => vec![true],
        (false, Direction::Ingress) => vec![false],
        _ => vec![true, false],
    };
    let restrict = |c: ConnSet| match &mask {
        Some(m) => c.intersect(m),
        None => c,
    };
    for e in engine.endpoints.iter().filter(focused) {
        for (is_egress, map, word) in [(true, &mut egress, "Egress"), (false, &mut ingress, "Ingress")] {
            if !directions.contains(&is_egress) {
                continue;
            }
            let iso = engine.isolating(e.class, is_egress);
            let admin = engine.admin_for(e.class);
            let by_admin = admin.iter().any(|&a| !engine.admin[a].rules(is_egress).is_empty());
            if iso.is_empty() && !by_admin {
                map.insert((e.label(), EXTERNAL.into()), ConnSet::all().to_string());
                map.insert((e.label(), "entire-cluster".into()), ConnSet::all().to_string());
                unprotected.push(format!("{} is not protected on {word}", e.label()));
                continue;
            }
            // The representative peers of every rule that could apply.
            let everything = LabelSelector::everything;
            let mut reps: Vec<Rep> = vec![Rep {
                name: "entire-cluster".into(),
                namespaces: everything(),
                pods: everything(),
                plain: false,
            }];
            for &pi in iso {
                let p = &engine.policies[pi];
                for r in p.rules(is_egress) {
                    for (j, peer) in r.peers.iter().flatten().enumerate() {
                        if let Peer::Pods { namespaces, pods } = peer {
                            let pods = pods.clone().unwrap_or_else(everything);
                            let text = r.selector_texts.get(j).and_then(|t| t.1.as_ref());
                            reps.push(Rep {
                                name: representative(
                                    &p.namespace,
                                    namespaces,
                                    &Some(pods.clone()),
                                    r.selector_texts.get(j),
                                ),
                                namespaces: ns_selector(&p.namespace, namespaces),
                                plain: plain_pods(&pods, text),
                                pods,
                            });
                        }
                    }
                }
            }
            for &a in admin {
                for r in engine.admin[a].rules(is_egress) {
                    for peer in &r.peers {
                        let (namespaces, pods) = match peer {
                            AdminPeer::Workloads(Selection::Namespaces(n)) => (n.clone(), everything()),
                            AdminPeer::Workloads(Selection::Pods { namespaces, pods }) => {
                                (namespaces.clone(), pods.clone())
                            }
                            _ => continue,
                        };
                        reps.push(Rep {
                            name: representative("", &Some(namespaces.clone()), &Some(pods.clone()), None),
                            plain: plain_pods(&pods, None),
                            namespaces,
                            pods,
                        });
                    }
                }
            }
            let named = |rep: &Rep| {
                // A named port cannot be told to be the focused one.
                if is_egress && mask.is_none() {
                    rep_named(engine, e.class, rep)
                } else {
                    BTreeSet::new()
                }
            };
            let wide = (
                restrict(rep_conns(engine, e.class, is_egress, &reps[0])),
                named(&reps[0]),
            );
            let mut seen: Vec<RepKey> = Vec::new();
            for rep in &mut reps {
                let key = (canon(&rep.namespaces), canon(&rep.pods));
                if seen.contains(&key) {
                    continue;
                }
                if let Some(n) = names.get(&key) {
                    rep.name = n.clone();
                }
                seen.push(key);
                let rep = &*rep;
                let conns = (restrict(rep_conns(engine, e.class, is_egress, rep)), named(rep));
                let is_wide = rep.name == "entire-cluster";
                // A potential peer allowed what the entire cluster is adds
                // nothing; one denied everything is shown only while no
                // existing workload stands for it.
                if !is_wide && conns == wide {
                    continue;
                }
                if conns.0.is_empty() && conns.1.is_empty() && (is_wide || mask.is_some()) {
                    continue;
                }
                // Pods with exactly given labels that exist already are in
                // the connlist; np-guard makes no potential pod for them
                // (expressions and whole namespaces always get one).
                if rep.plain && !rep.namespaces.is_everything() && matched_by_existing(engine, rep) {
                    continue;
                }
                map.insert((e.label(), rep.name.clone()), conn_text(&conns.0, &conns.1));
            }
            // External addresses: shown when the whole address space gets
            // the same connections.
            let ranges = if is_egress { &engine.dst_ips } else { &engine.src_ips };
            let mut ext: Option<ConnSet> = None;
            let mut uniform = true;
            for &r in ranges {
                let c = restrict(
                    engine
                        .side(is_egress, Target::Class(e.class), Target::Ip(r), false)
                        .allowed,
                );
                match &ext {
                    None => ext = Some(c),
                    Some(x) if *x != c => uniform = false,
                    _ => {}
                }
            }
            // np-guard adds it to a workload's entry only once the entry
            // exists: a potential peer or the entire cluster, or an
            // AdminNetworkPolicy rule for the direction (a baseline alone
            // makes none).
            let by_anp = admin
                .iter()
                .any(|&a| engine.admin[a].priority.is_some() && !engine.admin[a].rules(is_egress).is_empty());
            let has_lines = by_anp || map.keys().any(|(w, _)| *w == e.label());
            if let (true, true, Some(c)) = (has_lines, uniform, ext) {
                if !c.is_empty() {
                    map.insert((e.label(), EXTERNAL.into()), c.to_string());
                }
            }
        }
    }
    // One column width for both sections, as np-guard aligns them.
    let shared_width = egress
        .keys()
        .chain(ingress.keys())
        .map(|(w, _)| w.len())
        .max()
        .unwrap_or(0);
    let section = |title: &str, arrow: &str, map: &BTreeMap<(String, String), String>| {
        if map.is_empty() {
            return None;
        }
        let width = shared_width;
        let mut s = format!("{title}:");
        for ((w, t), c) in map {
            if mask.is_some() {
                s.push_str(&format!("\n{w:<width$} \t{arrow} \t{t}"));
            } else {
                s.push_str(&format!("\n{w:<width$} \t{arrow} \t{t} : {c}"));
            }
        }
        Some(s)
    };
    let mut parts: Vec<String> = Vec::new();
    if let Some(s) = section("Egress Exposure", "=>", &egress) {
        parts.push(s);
    }
    if let Some(s) = section("Ingress Exposure", "<=", &ingress) {
        parts.push(s);
    }
    if !unprotected.is_empty() && mask.is_none() {
        unprotected.sort();
        parts.push(format!(
            "Workloads not protected by network policies:\n{}",
            unprotected.join("\n")
        ));
    }
    let mut out = String::new();
    if !connlist_txt.is_empty() {
        out.push_str(connlist_txt);
        out.push_str("\n\n");
    }
    match focus.conn {
        Some((p, n)) => out.push_str(&format!("Exposure Analysis Result On {p} {n}:\n")),
        None => out.push_str("Exposure Analysis Result:\n"),
    }
    out.push_str(&parts.join("\n\n"));
    out
}
