//! The evaluation: which connections each direction allows, and why.

use crate::admin::{self, Action, AdminPeer, AdminPol};
use crate::endpoint::{classify, collect, Class, Endpoint};
use crate::ip::{self, Range};
use crate::policy::{self, FieldValidation, Issue, NetPol, Peer};
use crate::ports::ConnSet;
use mamori_model::Inventory;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub field_validation: FieldValidation,
    /// Analyse workloads the API server would refuse (a trimmed cluster
    /// dump without container names), as np-guard does; by default they
    /// run nothing and are left out.
    pub keep_rejected_workloads: bool,
    /// Model OVN-Kubernetes multiple networks and KubeVirt
    /// VirtualMachines, as np-guard's multiple-networks option does (see
    /// [`crate::networks`]). Off: VirtualMachines are not workloads.
    pub multiple_networks: bool,
}

/// One end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// An equivalence class of endpoints.
    Class(usize),
    /// An atomic interval of external IPv4 addresses.
    Ip(Range),
}

/// A rule that allows something, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// Index into [`Engine::policies`].
    pub policy: usize,
    /// Index of the rule in the policy's `ingress` or `egress` list.
    pub rule: usize,
    pub conns: ConnSet,
}

/// An (Baseline)AdminNetworkPolicy rule that decided part of a direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminDecision {
    /// Index into [`Engine::admin`].
    pub policy: usize,
    pub rule: usize,
    pub action: Action,
    /// What this rule decided (what earlier rules had not).
    pub conns: ConnSet,
}

/// One direction of a connection: egress at the source, ingress at the
/// destination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// AdminNetworkPolicy decisions before the NetworkPolicies, and
    /// BaselineAdminNetworkPolicy ones after, in evaluation order.
    pub admin: Vec<AdminDecision>,
    /// Policies whose types include this direction and that select the
    /// pod. Empty: not isolated, everything is allowed.
    pub isolated_by: Vec<usize>,
    pub grants: Vec<Grant>,
    pub allowed: ConnSet,
    /// The end is not a pod (an external address), so this direction is
    /// not governed by NetworkPolicy.
    pub not_a_pod: bool,
}

#[derive(Clone, Debug, Default)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn get(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
}

/// What a rule's peers match, precomputed.
#[derive(Clone, Debug)]
struct RuleMatch {
    /// `None`: every peer (pods and addresses).
    pods: Option<Bits>,
    ips: Vec<Range>,
    /// The rule's connections when they do not depend on the destination
    /// (no named ports).
    fixed: Option<ConnSet>,
}

pub struct Engine {
    pub endpoints: Vec<Endpoint>,
    pub classes: Vec<Class>,
    pub policies: Vec<NetPol>,
    /// Invalid policies (refused, take no part) and warnings.
    pub issues: Vec<Issue>,
    pub namespace_labels: HashMap<String, Vec<(String, String)>>,
    /// Per class: policies that isolate it for ingress / egress.
    ingress_of: Vec<Vec<usize>>,
    egress_of: Vec<Vec<usize>>,
    /// Per policy: per ingress rule / per egress rule.
    matches: Vec<[Vec<RuleMatch>; 2]>,
    /// Atomic external intervals: sources (from ingress ipBlocks) and
    /// destinations (from egress ipBlocks).
    pub src_ips: Vec<Range>,
    pub dst_ips: Vec<Range>,
    /// AdminNetworkPolicies by priority, then the baseline, if any.
    pub admin: Vec<AdminPol>,
    /// Per class: the admin policies whose subject selects it, in order.
    admin_of: Vec<Vec<usize>>,
}

impl Engine {
    pub fn new(inv: &Inventory, options: Options) -> Engine {
        Engine::with_extra(inv, options, Vec::new())
    }

    /// With hypothetical endpoints added (a DNS pod the input does not
    /// have, for `reach`).
    pub fn with_extra(inv: &Inventory, options: Options, extra: Vec<Endpoint>) -> Engine {
        let mut issues = Vec::new();
        let mut policies = Vec::new();
        for (i, o) in inv.objects.iter().enumerate() {
            if o.kind != "NetworkPolicy" || o.api_version != "networking.k8s.io/v1" {
                continue;
            }
            match policy::parse(i, o, options.field_validation) {
                Ok((p, warnings)) => {
                    issues.extend(warnings);
                    policies.push(p);
                }
                Err(e) => issues.extend(e),
            }
        }
        // The same policy twice: `kubectl apply` keeps the last, `create`
        // refuses the second; either way the input does not say which holds.
        for dup in inv.duplicates() {
            let first = &inv.objects[dup[0]];
            if !matches!(
                first.kind.as_str(),
                "NetworkPolicy" | "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy"
            ) {
                continue;
            }
            for &i in &dup[1..] {
                let o = &inv.objects[i];
                issues.push(Issue {
                    at: policy::at(o),
                    object: match &o.effective_namespace {
                        Some(ns) => format!("{} {ns}/{}", o.kind, o.name),
                        None => format!("{} {}", o.kind, o.name),
                    },
                    field: "metadata.name".into(),
                    line: o.origin.line,
                    message: format!("defined twice (also at {}): which definition holds depends on the order they are applied; neither is used", policy::at(first)),
                    rejected: true,
                });
            }
            policies.retain(|p: &NetPol| !dup.contains(&p.object));
        }
        policies.sort_by(|a: &NetPol, b: &NetPol| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        let mut admin_pols = Vec::new();
        let duplicated: Vec<usize> = inv.duplicates().into_iter().flatten().collect();
        for (i, o) in inv.objects.iter().enumerate() {
            if !matches!(o.kind.as_str(), "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy")
                || o.group() != admin::GROUP
                || duplicated.contains(&i)
            {
                continue;
            }
            match admin::parse(i, o) {
                Ok(a) => admin_pols.push(a),
                Err(e) => issues.extend(e),
            }
        }
        admin_pols.sort_by_key(|a: &AdminPol| (a.priority.is_none(), a.priority, a.name.clone()));
        for w in admin_pols.windows(2) {
            if w[0].priority.is_some() && w[0].priority == w[1].priority {
                issues.push(Issue {
                    at: w[1].at.clone(),
                    object: format!("AdminNetworkPolicy {}", w[1].name),
                    field: "spec.priority".into(),
                    line: inv.objects[w[1].object].node.locate(&mamori_model::FieldPath::parse("spec.priority").unwrap_or_default()).line,
                    message: format!(
                        "same priority {} as AdminNetworkPolicy {} ({}): their order is undefined, so no verdict can be given where both apply",
                        w[1].priority.unwrap_or(0),
                        w[0].name,
                        w[0].at
                    ),
                    rejected: true,
                });
            }
        }
        if admin_pols.iter().filter(|a| a.priority.is_none()).count() > 1 {
            let b = admin_pols.iter().rfind(|a| a.priority.is_none()).expect("counted");
            issues.push(Issue {
                at: b.at.clone(),
                object: format!("BaselineAdminNetworkPolicy {}", b.name),
                field: "metadata.name".into(),
                line: inv.objects[b.object].origin.line,
                message: "a second BaselineAdminNetworkPolicy: there is only one, `default`".into(),
                rejected: true,
            });
        }
        let mut endpoints = collect(
            inv,
            options.keep_rejected_workloads,
            options.multiple_networks,
            &mut issues,
        );
        endpoints.extend(extra);
        let classes = classify(&mut endpoints);
        let namespace_labels = inv
            .namespaces
            .iter()
            .map(|(k, v)| (k.clone(), v.labels.clone()))
            .collect();
        let mut e = Engine::build(endpoints, classes, policies, issues, namespace_labels);
        e.set_admin(admin_pols);
        e
    }

    /// Add the admin policies: subjects per class, and egress networks to
    /// the destination address cuts.
    pub fn set_admin(&mut self, admin: Vec<AdminPol>) {
        let mut blocks = Vec::new();
        for a in &admin {
            for r in &a.egress {
                for p in &r.peers {
                    if let AdminPeer::Networks(ranges) = p {
                        blocks.extend_from_slice(ranges);
                    }
                }
            }
        }
        if !blocks.is_empty() {
            let mut cuts: Vec<Range> = self.dst_ips.clone();
            cuts.extend(blocks);
            self.dst_ips = ip::atomic_intervals(&cuts);
        }
        self.admin_of = self
            .classes
            .iter()
            .map(|c| {
                let ns = self
                    .namespace_labels
                    .get(&c.namespace)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                (0..admin.len())
                    .filter(|&i| admin[i].subject.matches(ns, &c.labels))
                    .collect()
            })
            .collect();
        self.admin = admin;
    }

    fn admin_peer_matches(&self, peer: &AdminPeer, other: Target) -> bool {
        match (peer, other) {
            (AdminPeer::Workloads(sel), Target::Class(o)) => {
                let c = &self.classes[o];
                let ns = self
                    .namespace_labels
                    .get(&c.namespace)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                sel.matches(ns, &c.labels)
            }
            (AdminPeer::Networks(ranges), Target::Ip(r)) => ip::contains(ranges, r),
            _ => false,
        }
    }

    pub fn build(
        endpoints: Vec<Endpoint>,
        classes: Vec<Class>,
        policies: Vec<NetPol>,
        issues: Vec<Issue>,
        mut namespace_labels: HashMap<String, Vec<(String, String)>>,
    ) -> Engine {
        for c in &classes {
            namespace_labels
                .entry(c.namespace.clone())
                .or_insert_with(|| vec![(mamori_model::inventory::NAME_LABEL.to_string(), c.namespace.clone())]);
        }
        let n = classes.len();
        let mut by_ns: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, c) in classes.iter().enumerate() {
            by_ns.entry(c.namespace.as_str()).or_default().push(i);
        }
        let mut ingress_of = vec![Vec::new(); n];
        let mut egress_of = vec![Vec::new(); n];
        let mut matches = Vec::with_capacity(policies.len());
        let (mut src_blocks, mut dst_blocks) = (Vec::new(), Vec::new());
        let mut ns_matches: HashMap<String, Vec<String>> = HashMap::new();
        for (pi, p) in policies.iter().enumerate() {
            for &c in by_ns.get(p.namespace.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                if p.pod_selector.matches(&classes[c].labels) {
                    if p.ingress {
                        ingress_of[c].push(pi);
                    }
                    if p.egress {
                        egress_of[c].push(pi);
                    }
                }
            }
            let mut per_dir: [Vec<RuleMatch>; 2] = [Vec::new(), Vec::new()];
            for (d, egress) in [(0, false), (1, true)] {
                for r in p.rules(egress) {
                    let fixed = (!r.has_named_ports()).then(|| r.conns(&[]));
                    let Some(peers) = &r.peers else {
                        per_dir[d].push(RuleMatch {
                            pods: None,
                            ips: Vec::new(),
                            fixed,
                        });
                        continue;
                    };
                    let mut bits = Bits::new(n);
                    let mut ips = Vec::new();
                    for peer in peers {
                        match peer {
                            Peer::Pods { namespaces, pods } => {
                                let mut mark = |c: usize| {
                                    if pods.as_ref().is_none_or(|s| s.matches(&classes[c].labels)) {
                                        bits.set(c);
                                    }
                                };
                                match namespaces {
                                    None => {
                                        for &c in by_ns.get(p.namespace.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                                            mark(c);
                                        }
                                    }
                                    Some(ns_sel) => {
                                        // Policies repeat the same namespace selectors:
                                        // match each distinct one against the namespaces once.
                                        let matching = ns_matches.entry(ns_sel.to_string()).or_insert_with(|| {
                                            by_ns
                                                .keys()
                                                .filter(|ns| ns_sel.matches(&namespace_labels[**ns]))
                                                .map(|ns| ns.to_string())
                                                .collect()
                                        });
                                        for ns in matching.iter() {
                                            for &c in &by_ns[ns.as_str()] {
                                                mark(c);
                                            }
                                        }
                                    }
                                }
                            }
                            Peer::IpBlock { ranges, .. } => {
                                ips.extend_from_slice(ranges);
                                if egress {
                                    dst_blocks.extend_from_slice(ranges);
                                } else {
                                    src_blocks.extend_from_slice(ranges);
                                }
                            }
                        }
                    }
                    per_dir[d].push(RuleMatch {
                        pods: Some(bits),
                        ips,
                        fixed,
                    });
                }
            }
            matches.push(per_dir);
        }
        Engine {
            endpoints,
            classes,
            policies,
            issues,
            namespace_labels,
            ingress_of,
            egress_of,
            matches,
            src_ips: ip::atomic_intervals(&src_blocks),
            dst_ips: ip::atomic_intervals(&dst_blocks),
            admin: Vec::new(),
            admin_of: vec![Vec::new(); n],
        }
    }

    pub fn rejected(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.rejected)
    }

    /// The admin policies whose subject selects `class`: ANPs by priority,
    /// then the baseline.
    pub fn admin_for(&self, class: usize) -> &[usize] {
        &self.admin_of[class]
    }

    /// Policies isolating `class` for the direction.
    pub fn isolating(&self, class: usize, egress: bool) -> &[usize] {
        if egress {
            &self.egress_of[class]
        } else {
            &self.ingress_of[class]
        }
    }

    /// One direction. `egress`: `subject` is the source and `other` the
    /// destination; otherwise `subject` is the destination. Named ports
    /// resolve on the destination.
    pub fn side(&self, egress: bool, subject: Target, other: Target, explain: bool) -> Side {
        let mut side = self.np_side(egress, subject, other, explain);
        let Target::Class(c) = subject else { return side };
        let order = &self.admin_of[c];
        if order.is_empty() {
            return side;
        }
        let dst = if egress { other } else { subject };
        let no_ports = Vec::new();
        let dst_ports = match dst {
            Target::Class(d) => &self.classes[d].ports,
            Target::Ip(_) => &no_ports,
        };
        let mut remaining = ConnSet::all();
        let mut allowed = ConnSet::none();
        let mut passed = ConnSet::none();
        let mut decisions = Vec::new();
        let mut decide = |pi: usize, remaining: &mut ConnSet, allowed: &mut ConnSet, passed: &mut ConnSet| {
            let a = &self.admin[pi];
            for (ri, r) in a.rules(egress).iter().enumerate() {
                if !r.peers.iter().any(|p| self.admin_peer_matches(p, other)) {
                    continue;
                }
                let p = r.conns(dst_ports).intersect(remaining);
                if p.is_empty() {
                    continue;
                }
                match r.action {
                    Action::Allow => allowed.add(&p),
                    Action::Deny => {}
                    Action::Pass => passed.add(&p),
                }
                *remaining = remaining.subtract(&p);
                if explain {
                    decisions.push(AdminDecision {
                        policy: pi,
                        rule: ri,
                        action: r.action,
                        conns: p,
                    });
                }
            }
        };
        let (anps, baseline): (Vec<usize>, Vec<usize>) = order.iter().partition(|&&i| self.admin[i].priority.is_some());
        for &pi in &anps {
            decide(pi, &mut remaining, &mut allowed, &mut passed);
        }
        let mut undecided = remaining.union(&passed);
        if !side.isolated_by.is_empty() {
            allowed.add(&side.allowed.intersect(&undecided));
        } else {
            let mut unused = ConnSet::none();
            for &pi in &baseline {
                decide(pi, &mut undecided, &mut allowed, &mut unused);
            }
            allowed.add(&undecided);
        }
        side.allowed = allowed;
        side.admin = decisions;
        side
    }

    fn np_side(&self, egress: bool, subject: Target, other: Target, explain: bool) -> Side {
        let Target::Class(c) = subject else {
            return Side {
                admin: Vec::new(),
                isolated_by: Vec::new(),
                grants: Vec::new(),
                allowed: ConnSet::all(),
                not_a_pod: true,
            };
        };
        let isolated_by = self.isolating(c, egress).to_vec();
        if isolated_by.is_empty() {
            return Side {
                admin: Vec::new(),
                isolated_by,
                grants: Vec::new(),
                allowed: ConnSet::all(),
                not_a_pod: false,
            };
        }
        let dst = if egress { other } else { subject };
        let no_ports = Vec::new();
        let dst_ports = match dst {
            Target::Class(d) => &self.classes[d].ports,
            Target::Ip(_) => &no_ports,
        };
        let d = usize::from(egress);
        let mut allowed = ConnSet::none();
        let mut grants = Vec::new();
        for &pi in &isolated_by {
            let p = &self.policies[pi];
            for (ri, r) in p.rules(egress).iter().enumerate() {
                let m = &self.matches[pi][d][ri];
                let hit = match (&m.pods, other) {
                    (None, _) => true,
                    (Some(bits), Target::Class(o)) => bits.get(o),
                    (Some(_), Target::Ip(range)) => ip::contains(&m.ips, range),
                };
                if !hit {
                    continue;
                }
                let conns = r.conns(dst_ports);
                if conns.is_empty() {
                    if explain {
                        grants.push(Grant {
                            policy: pi,
                            rule: ri,
                            conns,
                        });
                    }
                    continue;
                }
                allowed.add(&conns);
                if explain {
                    grants.push(Grant {
                        policy: pi,
                        rule: ri,
                        conns,
                    });
                }
            }
        }
        Side {
            admin: Vec::new(),
            isolated_by,
            grants,
            allowed,
            not_a_pod: false,
        }
    }

    /// The connections from `src` to `dst`: egress allowed at the source
    /// and ingress at the destination.
    pub fn conns(&self, src: Target, dst: Target) -> ConnSet {
        let e = self.allowed(true, src, dst);
        match e {
            Some(e) if e.is_empty() => e,
            Some(e) => match self.allowed(false, dst, src) {
                Some(i) => e.intersect(&i),
                None => e,
            },
            None => self.allowed(false, dst, src).unwrap_or_else(ConnSet::all),
        }
    }

    /// What one direction allows, without the explanation; `None` when
    /// everything is (not isolated, no admin policy): the hot path of the
    /// full matrix, so it allocates only the result.
    fn allowed(&self, egress: bool, subject: Target, other: Target) -> Option<ConnSet> {
        let Target::Class(c) = subject else { return None };
        if !self.admin_of[c].is_empty() {
            return Some(self.side(egress, subject, other, false).allowed);
        }
        let iso = self.isolating(c, egress);
        if iso.is_empty() {
            return None;
        }
        let dst = if egress { other } else { subject };
        let dst_ports: &[crate::endpoint::PodPort] = match dst {
            Target::Class(d) => &self.classes[d].ports,
            Target::Ip(_) => &[],
        };
        let d = usize::from(egress);
        let mut allowed = ConnSet::none();
        for &pi in iso {
            for (ri, r) in self.policies[pi].rules(egress).iter().enumerate() {
                let m = &self.matches[pi][d][ri];
                let hit = match (&m.pods, other) {
                    (None, _) => true,
                    (Some(bits), Target::Class(o)) => bits.get(o),
                    (Some(_), Target::Ip(range)) => ip::contains(&m.ips, range),
                };
                if hit {
                    match &m.fixed {
                        Some(c) => allowed.add(c),
                        None => allowed.add(&r.conns(dst_ports)),
                    }
                }
            }
        }
        Some(allowed)
    }

    /// Both directions, explained.
    pub fn explain(&self, src: Target, dst: Target) -> (Side, Side) {
        (self.side(true, src, dst, true), self.side(false, dst, src, true))
    }

    /// Every class pair with a non-empty connection set (self pairs
    /// included): the full connectivity, costing classes squared, not pods
    /// squared. Sparse, as most pairs of a segmented cluster are denied.
    pub fn class_matrix(&self) -> Vec<(usize, usize, ConnSet)> {
        let n = self.classes.len();
        let mut out = Vec::new();
        for s in 0..n {
            for d in 0..n {
                let c = self.conns(Target::Class(s), Target::Class(d));
                if !c.is_empty() {
                    out.push((s, d, c));
                }
            }
        }
        out
    }

    pub fn endpoint_by_name(&self, namespace: &str, name: &str) -> Vec<usize> {
        self.endpoints
            .iter()
            .enumerate()
            .filter(|(_, e)| e.namespace == namespace && e.name == name)
            .map(|(i, _)| i)
            .collect()
    }
}
