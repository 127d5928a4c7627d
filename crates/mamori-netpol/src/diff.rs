//! Connectivity that changed between two sets of manifests, in np-guard's
//! diff grammar.

use crate::engine::{Engine, Target};
use crate::ip::{self, Range};
use crate::list::external;
use crate::ports::ConnSet;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Changed,
    Added,
    Removed,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Changed => "changed",
            Kind::Added => "added",
            Kind::Removed => "removed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub kind: Kind,
    pub src: String,
    pub dst: String,
    pub before: ConnSet,
    pub after: ConnSet,
    /// `workload X added`, `workload X and Y removed`.
    pub workloads: Option<String>,
}

/// Where a peer of the union exists: an endpoint's class in each engine.
type Presence = (Option<usize>, Option<usize>);

/// The changed pairs, changed first, then added, then removed, each sorted
/// by its text (the ingress controller's last). External ranges are cut at the boundaries of both inputs.
pub fn diff(before: &Engine, after: &Engine) -> Vec<Change> {
    diff_with(before, after, &[], &[])
}

/// With the ingress controller's reach on each side (`ingress::reachable`).
pub fn diff_with(
    before: &Engine,
    after: &Engine,
    ingress_before: &[(usize, ConnSet)],
    ingress_after: &[(usize, ConnSet)],
) -> Vec<Change> {
    diff_networks(before, after, ingress_before, ingress_after, [None, None])
}

/// With each side's primary network per class
/// (`networks::class_networks`): classes on different networks are not
/// connected.
pub fn diff_networks(
    before: &Engine,
    after: &Engine,
    ingress_before: &[(usize, ConnSet)],
    ingress_after: &[(usize, ConnSet)],
    networks: [Option<&[usize]>; 2],
) -> Vec<Change> {
    let mut peers: BTreeMap<String, Presence> = BTreeMap::new();
    for e in before.endpoints.iter().filter(|e| !e.assumed) {
        peers.entry(e.label()).or_default().0 = Some(e.class);
    }
    for e in after.endpoints.iter().filter(|e| !e.assumed) {
        peers.entry(e.label()).or_default().1 = Some(e.class);
    }
    let union = |a: &[Range], b: &[Range]| ip::atomic_intervals(a.iter().chain(b));
    let src_ips = union(&before.src_ips, &after.src_ips);
    let dst_ips = union(&before.dst_ips, &after.dst_ips);
    let conns = |e: &Engine, s: Option<Target>, d: Option<Target>| {
        let net = if std::ptr::eq(e, before) {
            networks[0]
        } else {
            networks[1]
        };
        match (s, d) {
            (Some(Target::Class(a)), Some(Target::Class(b))) if net.is_some_and(|n| n[a] != n[b]) => ConnSet::none(),
            (Some(s), Some(d)) => e.conns(s, d),
            _ => ConnSet::none(),
        }
    };
    let mut out = Vec::new();
    let mut push = |src: String, dst: String, b: ConnSet, a: ConnSet, info: Option<String>| {
        if b == a {
            return;
        }
        let kind = if b.is_empty() {
            Kind::Added
        } else if a.is_empty() {
            Kind::Removed
        } else {
            Kind::Changed
        };
        out.push(Change {
            kind,
            src,
            dst,
            before: b,
            after: a,
            workloads: info,
        });
    };
    let info = |names: &[(&String, &Presence)]| {
        let added: Vec<&str> = names
            .iter()
            .filter(|(_, p)| p.0.is_none())
            .map(|(n, _)| n.as_str())
            .collect();
        let removed: Vec<&str> = names
            .iter()
            .filter(|(_, p)| p.1.is_none())
            .map(|(n, _)| n.as_str())
            .collect();
        if !added.is_empty() {
            Some(format!("workload {} added", added.join(" and ")))
        } else if !removed.is_empty() {
            Some(format!("workload {} removed", removed.join(" and ")))
        } else {
            None
        }
    };
    let class = |c: Option<usize>| c.map(Target::Class);
    for (sn, sp) in &peers {
        for (dn, dp) in &peers {
            if sn == dn {
                continue;
            }
            let b = conns(before, class(sp.0), class(dp.0));
            let a = conns(after, class(sp.1), class(dp.1));
            push(sn.clone(), dn.clone(), b, a, info(&[(sn, sp), (dn, dp)]));
        }
        // Adjacent address ranges that changed alike are one line.
        let runs = |f: &dyn Fn(Range) -> (ConnSet, ConnSet), atoms: &[Range]| {
            let mut v: Vec<(Range, ConnSet, ConnSet)> = Vec::new();
            for &r in atoms {
                let (b, a) = f(r);
                match v.last_mut() {
                    Some((last, lb, la)) if *lb == b && *la == a && u64::from(last.1) + 1 == u64::from(r.0) => {
                        last.1 = r.1
                    }
                    _ => v.push((r, b, a)),
                }
            }
            v
        };
        let to_ip = |r: Range| {
            (
                conns(before, class(sp.0), Some(Target::Ip(r))),
                conns(after, class(sp.1), Some(Target::Ip(r))),
            )
        };
        for (r, b, a) in runs(&to_ip, &dst_ips) {
            push(sn.clone(), external(r), b, a, info(&[(sn, sp)]));
        }
        let from_ip = |r: Range| {
            (
                conns(before, Some(Target::Ip(r)), class(sp.0)),
                conns(after, Some(Target::Ip(r)), class(sp.1)),
            )
        };
        for (r, b, a) in runs(&from_ip, &src_ips) {
            push(external(r), sn.clone(), b, a, info(&[(sn, sp)]));
        }
    }
    let mut ing: BTreeMap<String, (ConnSet, ConnSet)> = BTreeMap::new();
    for (i, c) in ingress_before {
        ing.entry(before.endpoints[*i].label()).or_default().0 = c.clone();
    }
    for (i, c) in ingress_after {
        ing.entry(after.endpoints[*i].label()).or_default().1 = c.clone();
    }
    for (dst, (b, a)) in ing {
        let p = peers.get(&dst).copied().unwrap_or_default();
        push(
            crate::ingress::LABEL.to_string(),
            dst.clone(),
            b,
            a,
            info(&[(&dst, &p)]),
        );
    }
    // np-guard lists the ingress controller's changes after all others.
    out.sort_by_cached_key(|c| (c.src == crate::ingress::LABEL, c.kind, txt_line(c)));
    out
}

fn txt_line(c: &Change) -> String {
    let mut s = format!(
        "diff-type: {}, source: {}, destination: {}, ref1: {}, ref2: {}",
        c.kind.as_str(),
        c.src,
        c.dst,
        c.before,
        c.after
    );
    if let Some(w) = &c.workloads {
        s.push_str(&format!(", workloads-diff-info: {w}"));
    }
    s
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Txt,
    Csv,
    Md,
    Json,
}

pub fn render(changes: &[Change], format: Format) -> String {
    let cells = |c: &Change| {
        [
            c.kind.as_str().to_string(),
            c.src.clone(),
            c.dst.clone(),
            c.before.to_string(),
            c.after.to_string(),
            c.workloads.clone().unwrap_or_default(),
        ]
    };
    match format {
        // np-guard prints nothing when nothing changed.
        Format::Txt if changes.is_empty() => String::new(),
        Format::Txt => {
            let mut s = String::from("Connectivity diff:");
            for c in changes {
                s.push('\n');
                s.push_str(&txt_line(c));
            }
            s
        }
        Format::Csv => {
            let mut s = String::from("diff-type,source,destination,ref1,ref2,workloads-diff-info\n");
            for c in changes {
                let row: Vec<String> = cells(c)
                    .into_iter()
                    .map(|v| if v.contains(',') { format!("\"{v}\"") } else { v })
                    .collect();
                s.push_str(&row.join(","));
                s.push('\n');
            }
            s
        }
        Format::Md => {
            let mut s = String::from(
                "| diff-type | source | destination | ref1 | ref2 | workloads-diff-info |\n|-----------|--------|-------------|------|------|---------------------|",
            );
            for c in changes {
                s.push_str(&format!("\n| {} |", cells(c).join(" | ")));
            }
            s
        }
        Format::Json => {
            let v: Vec<serde_json::Value> = changes
                .iter()
                .map(|c| {
                    let [t, s, d, b, a, w] = cells(c);
                    serde_json::json!({"diff-type": t, "src": s, "dst": d, "ref1": b, "ref2": a, "workloads-diff-info": w})
                })
                .collect();
            serde_json::to_string_pretty(&v).unwrap_or_default()
        }
    }
}
