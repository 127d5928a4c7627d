//! The connectivity list, in np-guard's connlist formats.

use crate::engine::{Engine, Target};
use crate::ip;
use crate::ports::ConnSet;
use std::collections::HashMap;

/// One allowed (source, destination) pair.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Line {
    pub src: String,
    pub dst: String,
    pub conns: ConnSet,
    /// Namespaces of the two ends (`None` for an external range), for dot.
    pub src_ns: Option<String>,
    pub dst_ns: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Direction {
    #[default]
    Both,
    Ingress,
    Egress,
}

#[derive(Clone, Debug, Default)]
pub struct Focus {
    /// Workloads (`name` or `ns/name`): only lines with one of them at an end.
    pub workloads: Vec<String>,
    /// With workloads: only their incoming (ingress) or outgoing (egress) lines.
    pub direction: Direction,
    /// With workloads: only lines whose other end is one of these.
    pub peers: Vec<String>,
    /// Only this connection (np-guard's `--focus-conn tcp-8080`).
    pub conn: Option<(crate::ports::Protocol, u16)>,
}

impl Focus {
    /// np-guard's `PROTO-PORT` (`tcp-8080`, `udp-53`).
    pub fn parse_conn(s: &str) -> Option<(crate::ports::Protocol, u16)> {
        let (p, n) = s.split_once('-')?;
        Some((
            crate::ports::Protocol::parse_loose(p)?,
            n.parse().ok().filter(|n| *n > 0)?,
        ))
    }
}

pub(crate) fn name_matches(list: &[String], ns: &str, name: &str) -> bool {
    list.iter().any(|w| match w.split_once('/') {
        Some((n, w)) => n == ns && w == name,
        None => w == name,
    })
}

/// The allowed pairs, sorted as np-guard sorts them (by the text of the
/// line). Self pairs and assumed endpoints are left out.
pub fn connlist(engine: &Engine, focus: &Focus) -> Vec<Line> {
    connlist_with(engine, focus, &[])
}

/// With the lines of an ingress controller (`ingress::reachable`).
pub fn connlist_with(engine: &Engine, focus: &Focus, ingress: &[(usize, ConnSet)]) -> Vec<Line> {
    let mut cache: HashMap<(Target, Target), ConnSet> = HashMap::new();
    let mut conns = |s: Target, d: Target| cache.entry((s, d)).or_insert_with(|| engine.conns(s, d)).clone();
    let focused = |i: usize| {
        let e = &engine.endpoints[i];
        focus.workloads.is_empty() || name_matches(&focus.workloads, &e.namespace, &e.name)
    };
    let peer_ok = |i: Option<usize>| {
        focus.peers.is_empty()
            || i.is_some_and(|i| {
                let e = &engine.endpoints[i];
                name_matches(&focus.peers, &e.namespace, &e.name)
            })
    };
    let keep = |src_focus: bool, dst_focus: bool| {
        if focus.workloads.is_empty() {
            return true;
        }
        match focus.direction {
            Direction::Both => src_focus || dst_focus,
            Direction::Egress => src_focus,
            Direction::Ingress => dst_focus,
        }
    };
    let mut out = Vec::new();
    let eps = &engine.endpoints;
    for (si, s) in eps.iter().enumerate() {
        if s.assumed {
            continue;
        }
        let sf = focused(si);
        for (di, d) in eps.iter().enumerate() {
            let df = focused(di);
            if si == di || d.assumed || !keep(sf, df) {
                continue;
            }
            if !focus.peers.is_empty() {
                // The peer is the end that is not the focused workload.
                let ok = (sf && peer_ok(Some(di)) && focus.direction != Direction::Ingress)
                    || (df && peer_ok(Some(si)) && focus.direction != Direction::Egress);
                if !ok {
                    continue;
                }
            }
            let c = conns(Target::Class(s.class), Target::Class(d.class));
            if !c.is_empty() {
                out.push(Line {
                    src: s.label(),
                    dst: d.label(),
                    conns: c,
                    src_ns: Some(s.namespace.clone()),
                    dst_ns: Some(d.namespace.clone()),
                });
            }
        }
        if keep(sf, false) && peer_ok(None) {
            for &r in &engine.dst_ips {
                let c = conns(Target::Class(s.class), Target::Ip(r));
                if !c.is_empty() {
                    out.push(Line {
                        src: s.label(),
                        dst: external(r),
                        conns: c,
                        src_ns: Some(s.namespace.clone()),
                        dst_ns: None,
                    });
                }
            }
        }
        if keep(false, sf) && peer_ok(None) {
            for &r in &engine.src_ips {
                let c = conns(Target::Ip(r), Target::Class(s.class));
                if !c.is_empty() {
                    out.push(Line {
                        src: external(r),
                        dst: s.label(),
                        conns: c,
                        src_ns: None,
                        dst_ns: Some(s.namespace.clone()),
                    });
                }
            }
        }
    }
    for (i, c) in ingress {
        let e = &engine.endpoints[*i];
        let f = focus.workloads.is_empty()
            || crate::list::name_matches(&focus.workloads, &e.namespace, &e.name)
            || crate::list::name_matches(&focus.workloads, "", "ingress-controller");
        if f && focus.direction != Direction::Egress && focus.peers.is_empty() {
            out.push(Line {
                src: crate::ingress::LABEL.into(),
                dst: e.label(),
                conns: c.clone(),
                src_ns: None,
                dst_ns: Some(e.namespace.clone()),
            });
        }
    }
    if let Some((p, n)) = focus.conn {
        let only = ConnSet::port(p, n);
        out.retain_mut(|l| {
            l.conns = l.conns.intersect(&only);
            !l.conns.is_empty()
        });
    }
    out.sort_by_cached_key(txt_line);
    out
}

pub fn external(r: ip::Range) -> String {
    format!("{}[External]", ip::display(r))
}

fn txt_line(l: &Line) -> String {
    format!("{} => {} : {}", l.src, l.dst, l.conns)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Txt,
    Json,
    Csv,
    Md,
    Dot,
}

pub fn render(lines: &[Line], format: Format) -> String {
    render_focused(lines, format, None)
}

/// With `--focus-conn`, the txt form names the connection once, as np-guard does.
pub fn render_focused(lines: &[Line], format: Format, conn: Option<(crate::ports::Protocol, u16)>) -> String {
    match format {
        Format::Txt if conn.is_some() => {
            let (p, n) = conn.expect("checked");
            let mut s = format!("Permitted connections on {p} {n}:");
            for l in lines {
                s.push_str(&format!("\n{} => {}", l.src, l.dst));
            }
            s
        }
        Format::Txt => lines.iter().map(txt_line).collect::<Vec<_>>().join("\n"),
        Format::Csv => {
            let mut s = String::from("src,dst,conn\n");
            for l in lines {
                let c = l.conns.to_string();
                let c = if c.contains(',') { format!("\"{c}\"") } else { c };
                s.push_str(&format!("{},{},{c}\n", l.src, l.dst));
            }
            s
        }
        Format::Md => {
            let mut s = String::from("| src | dst | conn |\n|-----|-----|------|");
            for l in lines {
                s.push_str(&format!("\n| {} | {} | {} |", l.src, l.dst, l.conns));
            }
            s
        }
        Format::Json => {
            let v: Vec<serde_json::Value> = lines
                .iter()
                .map(|l| serde_json::json!({"src": l.src, "dst": l.dst, "conn": l.conns.to_string()}))
                .collect();
            serde_json::to_string_pretty(&v).unwrap_or_default()
        }
        Format::Dot => dot(lines),
    }
}

fn dot(lines: &[Line]) -> String {
    use std::collections::BTreeMap;
    let mut ns_nodes: BTreeMap<&str, Vec<(&str, String)>> = BTreeMap::new();
    let mut externals: Vec<&str> = Vec::new();
    for l in lines {
        for (label, ns) in [(&l.src, &l.src_ns), (&l.dst, &l.dst_ns)] {
            match ns {
                Some(ns) => {
                    let short = label.strip_prefix(&format!("{ns}/")).unwrap_or(label).to_string();
                    let v = ns_nodes.entry(ns.as_str()).or_default();
                    if !v.iter().any(|(k, _)| k == label) {
                        v.push((label.as_str(), short));
                    }
                }
                None => {
                    if !externals.contains(&label.as_str()) {
                        externals.push(label);
                    }
                }
            }
        }
    }
    let mut s = String::from("digraph {\n");
    for (ns, mut nodes) in ns_nodes {
        nodes.sort();
        s.push_str(&format!(
            "\tsubgraph \"cluster_{ns}[namespace]\" {{\n\t\tcolor=\"black\"\n\t\tfontcolor=\"black\"\n"
        ));
        for (id, short) in nodes {
            s.push_str(&format!(
                "\t\t\"{id}\" [label=\"{short}\" color=\"blue\" fontcolor=\"blue\"]\n"
            ));
        }
        s.push_str(&format!("\t\tlabel=\"{ns}[namespace]\"\n\t}}\n"));
    }
    externals.sort();
    for e in externals {
        s.push_str(&format!(
            "\t\"{e}\" [label=\"{e}\" color=\"red2\" fontcolor=\"red2\"]\n"
        ));
    }
    for l in lines {
        let weight = if l.src_ns.is_none() { "0.5" } else { "1" };
        s.push_str(&format!(
            "\t\"{}\" -> \"{}\" [label=\"{}\" color=\"gold2\" fontcolor=\"darkgreen\" weight={weight}]\n",
            l.src, l.dst, l.conns
        ));
    }
    s.push('}');
    s
}
