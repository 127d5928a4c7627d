//! Exposure: what each workload is open to beyond the workloads of the
//! input, from the selectors of the rules that admit it (np-guard's
//! `--exposure`). A direction no policy isolates is exposed to the entire
//! cluster and every address; an isolating rule exposes the workload to
//! the representative peer its selectors describe (`entire-cluster`,
//! `ns/[all pods]`, `ns/[pod with {k=v}]`, `[namespace with {k=v}]/...`,
//! `[all namespaces]/...`), whether or not such pods exist today.

use crate::engine::Engine;
use crate::policy::Peer;
use crate::ports::ConnSet;
use mamori_model::inventory::NAME_LABEL;
use mamori_model::{LabelSelector, SelectorOp};
use std::collections::BTreeMap;

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
    reqs.sort_by(|a, b| a.key.cmp(&b.key));
    let v: Vec<String> = reqs
        .iter()
        .map(|r| {
            let op = match r.op {
                SelectorOp::In => "In",
                SelectorOp::NotIn => "NotIn",
                SelectorOp::Exists => "Exists",
                SelectorOp::DoesNotExist => "DoesNotExist",
            };
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

/// The exposure section, as np-guard prints it after the connlist.
pub fn render(engine: &Engine, connlist_txt: &str) -> String {
    let mut egress: BTreeMap<(String, String), ConnSet> = BTreeMap::new();
    let mut ingress: BTreeMap<(String, String), ConnSet> = BTreeMap::new();
    let mut unprotected: Vec<String> = Vec::new();
    for e in engine.endpoints.iter().filter(|e| !e.assumed) {
        for (is_egress, map, word) in [(true, &mut egress, "Egress"), (false, &mut ingress, "Ingress")] {
            let iso = engine.isolating(e.class, is_egress);
            if iso.is_empty() {
                map.insert((e.label(), "0.0.0.0-255.255.255.255[External]".into()), ConnSet::all());
                map.insert((e.label(), "entire-cluster".into()), ConnSet::all());
                unprotected.push(format!("{} is not protected on {word}", e.label()));
                continue;
            }
            for &pi in iso {
                let p = &engine.policies[pi];
                for r in p.rules(is_egress) {
                    // Named ports resolve on the destination: the workload for ingress.
                    let conns = if is_egress { r.conns(&[]) } else { r.conns(&e.ports) };
                    if conns.is_empty() {
                        continue;
                    }
                    let targets: Vec<String> = match &r.peers {
                        None => vec!["entire-cluster".into(), "0.0.0.0-255.255.255.255[External]".into()],
                        Some(peers) => peers
                            .iter()
                            .enumerate()
                            .filter_map(|(j, peer)| match peer {
                                Peer::Pods { namespaces, pods } => {
                                    Some(representative(&p.namespace, namespaces, pods, r.selector_texts.get(j)))
                                }
                                Peer::IpBlock { .. } => None,
                            })
                            .collect(),
                    };
                    for t in targets {
                        map.entry((e.label(), t)).or_default().add(&conns);
                    }
                }
            }
        }
    }
    // Every representative peer is part of the entire cluster: what the
    // cluster-wide rules allow, they allow it too.
    for map in [&mut egress, &mut ingress] {
        let wide: Vec<(String, ConnSet)> = map
            .iter()
            .filter(|((_, t), _)| t == "entire-cluster")
            .map(|((w, _), c)| (w.clone(), c.clone()))
            .collect();
        for (w, c) in wide {
            for ((mw, t), mc) in map.iter_mut() {
                if *mw == w && t != "entire-cluster" && !t.ends_with("[External]") {
                    mc.add(&c);
                }
            }
        }
    }
    let section = |title: &str, arrow: &str, map: &BTreeMap<(String, String), ConnSet>| {
        if map.is_empty() {
            return None;
        }
        let width = map.keys().map(|(w, _)| w.len()).max().unwrap_or(0);
        let mut s = format!("{title}:");
        for ((w, t), c) in map {
            s.push_str(&format!("\n{w:<width$} \t{arrow} \t{t} : {c}"));
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
    if !unprotected.is_empty() {
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
    out.push_str("Exposure Analysis Result:\n");
    out.push_str(&parts.join("\n\n"));
    out
}
