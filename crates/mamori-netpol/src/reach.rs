//! One question, `can A reach B on this port?`, answered with the policy
//! and rule that decide it on both ends.

use crate::endpoint::is_dns;
use crate::engine::{Engine, Side, Target};
use crate::policy::Peer;
use crate::ports::{ConnSet, Protocol};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct RuleRef {
    pub policy: String,
    /// `egress rule #2` (1-based, as np-guard numbers rules).
    pub rule: String,
    pub at: String,
    pub line: u32,
    /// What the rule allows to this destination.
    pub connections: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct SideReport {
    /// `egress` or `ingress`.
    pub direction: &'static str,
    /// The pod whose policies decide this direction.
    pub at_endpoint: String,
    pub isolated: bool,
    pub isolated_by: Vec<String>,
    /// Rules that match the other end (with what they allow, possibly nothing).
    pub rules: Vec<RuleRef>,
    pub allowed: String,
    pub decision: String,
    /// (Baseline)AdminNetworkPolicy rules that decided part of it.
    pub admin: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    pub allowed: bool,
    /// `allowed`, `denied`, or `unknown` (hostNetwork).
    pub verdict: &'static str,
    pub from: String,
    pub to: String,
    /// The connection asked about (`TCP 80`), or null for any.
    pub connection: Option<String>,
    /// Everything allowed between the two.
    pub allowed_connections: String,
    pub egress: SideReport,
    pub ingress: SideReport,
    /// Facts that change the picture: DNS, broad peers, assumed endpoints.
    pub notes: Vec<String>,
}

/// One end of a question: an endpoint, or an external IPv4 address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Endpoint(usize),
    Address(u32),
}

/// Ask about `src` -> `dst` (endpoint indexes), on `port` or any.
pub fn reach(engine: &Engine, src: usize, dst: usize, port: Option<(Protocol, u16)>) -> Verdict {
    reach_ends(engine, End::Endpoint(src), End::Endpoint(dst), port)
}

/// Ask about any two ends.
pub fn reach_ends(engine: &Engine, src: End, dst: End, port: Option<(Protocol, u16)>) -> Verdict {
    let info = |e: End| match e {
        End::Endpoint(i) => {
            let ep = &engine.endpoints[i];
            (Target::Class(ep.class), ep.label(), Some(ep))
        }
        End::Address(a) => (
            Target::Ip((a, a)),
            format!("{}[External]", std::net::Ipv4Addr::from(a)),
            None,
        ),
    };
    let (st, slabel, sep) = info(src);
    let (dt, dlabel, dep) = info(dst);
    let (eg, ing) = engine.explain(st, dt);
    let total = eg.allowed.intersect(&ing.allowed);
    let asked = port.map(|(p, n)| ConnSet::port(p, n));
    let allowed = match &asked {
        Some(c) => !c.intersect(&total).is_empty(),
        None => !total.is_empty(),
    };
    let host = |e: Option<&crate::Endpoint>| e.is_some_and(|e| e.host_network);
    let unknown = host(sep) || host(dep);
    let mut notes = Vec::new();
    if unknown {
        let which = if host(sep) { slabel.clone() } else { dlabel.clone() };
        notes.push(format!(
            "{which} uses hostNetwork: it has the node's address, and NetworkPolicy leaves policy for such pods undefined (most CNIs do not apply it); the verdict from the policies alone would be: {}",
            if allowed { "allowed" } else { "denied" }
        ));
    }
    for e in [sep, dep].into_iter().flatten() {
        if e.assumed {
            notes.push(format!(
                "{} is not in the input: assumed as the cluster DNS is usually deployed (labels k8s-app=kube-dns, ports UDP 53 `dns`, TCP 53 `dns-tcp`)",
                e.label()
            ));
        }
    }
    if let Some(d) = dep.filter(|d| is_dns(d)) {
        dns_notes(engine, &eg, d, &mut notes);
    } else if !eg.isolated_by.is_empty() {
        // Egress isolation usually breaks name lookups too: say so.
        if let Some(dns) = engine.endpoints.iter().position(is_dns) {
            let dt = Target::Class(engine.endpoints[dns].class);
            let side = engine.side(true, st, dt, false);
            let udp = side.allowed.contains(Protocol::Udp, 53);
            let tcp = side.allowed.contains(Protocol::Tcp, 53);
            let word = |b: bool| if b { "allowed" } else { "denied" };
            let by: Vec<String> = side.isolated_by.iter().map(|&i| engine.policies[i].label()).collect();
            notes.push(format!(
                "DNS: egress from {slabel} is isolated (by {}); to {} UDP 53 is {}, TCP 53 is {}{}",
                by.join(", "),
                engine.endpoints[dns].label(),
                word(udp),
                word(tcp),
                if !udp {
                    ": name lookups fail (they time out) unless a rule allows DNS"
                } else if !tcp {
                    ": lookups whose answers need TCP (truncated, large) fail; allow TCP 53 as well"
                } else {
                    ""
                }
            ));
        }
    }
    if sep.is_none() || dep.is_none() {
        notes.push("an external address is governed only by the policies of the pod at the other end (ipBlock peers; pods' own addresses are not in manifests)".into());
    }
    Verdict {
        allowed: allowed && !unknown,
        verdict: if unknown {
            "unknown"
        } else if allowed {
            "allowed"
        } else {
            "denied"
        },
        from: slabel.clone(),
        to: dlabel.clone(),
        connection: port.map(|(p, n)| format!("{p} {n}")),
        allowed_connections: total.to_string(),
        egress: side_report(engine, true, &eg, slabel.clone(), dlabel.clone(), asked.as_ref()),
        ingress: side_report(engine, false, &ing, dlabel, slabel, asked.as_ref()),
        notes,
    }
}

fn dns_notes(engine: &Engine, eg: &Side, dns: &crate::Endpoint, notes: &mut Vec<String>) {
    if eg.isolated_by.is_empty() {
        return;
    }
    let udp = eg.allowed.contains(Protocol::Udp, 53);
    let tcp = eg.allowed.contains(Protocol::Tcp, 53);
    if udp && !tcp {
        notes.push(
            "warning: DNS is allowed on UDP 53 only: resolvers retry over TCP 53 when an answer is truncated (large records, DNSSEC), and those lookups fail; allow TCP 53 too".into(),
        );
    }
    let ns_labels = engine.namespace_labels.get(&dns.namespace).cloned().unwrap_or_default();
    for g in &eg.grants {
        let p = &engine.policies[g.policy];
        let rule = &p.egress_rules[g.rule];
        for peer in rule.peers.iter().flatten() {
            if let Peer::Pods {
                namespaces: Some(sel),
                pods: None,
            } = peer
            {
                if sel.matches(&ns_labels) {
                    notes.push(format!(
                        "hint: NetworkPolicy {} egress rule #{} admits every pod in {}, not just the DNS pods: add `podSelector: {{matchLabels: {{k8s-app: kube-dns}}}}` to that peer",
                        p.label(),
                        g.rule + 1,
                        dns.namespace
                    ));
                }
            }
        }
    }
}

fn side_report(
    engine: &Engine,
    egress: bool,
    side: &Side,
    me: String,
    other: String,
    asked: Option<&ConnSet>,
) -> SideReport {
    let direction = if egress { "egress" } else { "ingress" };
    let rules: Vec<RuleRef> = side
        .grants
        .iter()
        .map(|g| {
            let p = &engine.policies[g.policy];
            let r = &p.rules(egress)[g.rule];
            RuleRef {
                policy: p.label(),
                rule: format!("{direction} rule #{}", g.rule + 1),
                at: p.at.clone(),
                line: r.line,
                connections: g.conns.to_string(),
            }
        })
        .collect();
    let isolated_by: Vec<String> = side.isolated_by.iter().map(|&i| engine.policies[i].label()).collect();
    let wanted = asked.cloned().unwrap_or_else(ConnSet::all);
    let decision = if side.not_a_pod {
        format!("{me} is outside the cluster: no policy applies at this end")
    } else if side.isolated_by.is_empty() {
        format!("{me} is not isolated for {direction} (no policy of its namespace with type {} selects it): everything is allowed", cap(direction))
    } else {
        let deciding: Vec<String> = side
            .grants
            .iter()
            .filter(|g| !g.conns.intersect(&wanted).is_empty())
            .map(|g| {
                let p = &engine.policies[g.policy];
                let r = &p.rules(egress)[g.rule];
                let (file, _) = p.at.rsplit_once(':').unwrap_or((&p.at, ""));
                format!(
                    "NetworkPolicy {} {direction} rule #{} ({file}:{}): {}",
                    p.label(),
                    g.rule + 1,
                    r.line,
                    g.conns
                )
            })
            .collect();
        if !deciding.is_empty() {
            format!("allowed by {}", deciding.join("; "))
        } else {
            let why: Vec<String> = side
                .isolated_by
                .iter()
                .map(|&i| {
                    let p = &engine.policies[i];
                    let rules = p.rules(egress);
                    let matching: Vec<&crate::engine::Grant> = side.grants.iter().filter(|g| g.policy == i).collect();
                    if rules.is_empty() {
                        format!("{} ({}) has no {direction} rules", p.label(), p.at)
                    } else if matching.is_empty() {
                        format!("{} ({}): no {direction} rule matches {other}", p.label(), p.at)
                    } else {
                        let what: Vec<String> = matching
                            .iter()
                            .map(|g| {
                                format!(
                                    "rule #{} allows {}",
                                    g.rule + 1,
                                    if g.conns.is_empty() {
                                        "nothing (named port not on the destination)".to_string()
                                    } else {
                                        g.conns.to_string()
                                    }
                                )
                            })
                            .collect();
                        format!("{} ({}): {}", p.label(), p.at, what.join(", "))
                    }
                })
                .collect();
            format!(
                "denied: {me} is isolated for {direction} and no rule allows {}: {}",
                asked.map(|c| c.to_string()).unwrap_or_else(|| "any connection".into()),
                why.join("; ")
            )
        }
    };
    let admin: Vec<String> = side
        .admin
        .iter()
        .map(|d| {
            let a = &engine.admin[d.policy];
            let r = &a.rules(egress)[d.rule];
            format!(
                "{} {} ({}) {direction} rule #{} {:?} ({:?}): {}",
                a.kind(),
                a.name,
                a.at,
                d.rule + 1,
                r.name,
                d.action,
                d.conns
            )
        })
        .collect();
    let deciding_admin: Vec<&String> = side
        .admin
        .iter()
        .zip(&admin)
        .filter(|(d, _)| !d.conns.intersect(&wanted).is_empty())
        .map(|(_, t)| t)
        .collect();
    let decision = if deciding_admin.is_empty() {
        decision
    } else {
        let verdict = if side.allowed.intersect(&wanted).is_empty() {
            "denied"
        } else {
            "allowed"
        };
        format!(
            "{verdict}: decided first by {}{}",
            deciding_admin.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; "),
            if side.isolated_by.is_empty() {
                String::new()
            } else {
                format!(" (NetworkPolicies: {decision})")
            }
        )
    };
    SideReport {
        admin,
        direction,
        at_endpoint: me,
        isolated: !side.isolated_by.is_empty(),
        isolated_by,
        rules,
        allowed: side.allowed.to_string(),
        decision,
    }
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

impl Verdict {
    pub fn text(&self) -> String {
        let mut s = format!(
            "{}: {} -> {}{}\n",
            self.verdict,
            self.from,
            self.to,
            self.connection.as_deref().map(|c| format!(" {c}")).unwrap_or_default()
        );
        s.push_str(&format!(
            "  egress at {}: {}\n",
            self.egress.at_endpoint, self.egress.decision
        ));
        s.push_str(&format!(
            "  ingress at {}: {}\n",
            self.ingress.at_endpoint, self.ingress.decision
        ));
        if self.connection.is_some() || self.allowed_connections != "All Connections" {
            s.push_str(&format!("  allowed between them: {}\n", self.allowed_connections));
        }
        for n in &self.notes {
            s.push_str(&format!("  {n}\n"));
        }
        s
    }
}
