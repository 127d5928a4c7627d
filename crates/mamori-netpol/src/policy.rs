//! NetworkPolicy objects to evaluable policies, with the API server's
//! defaulting and validation.

use crate::ip::{block_ranges, Cidr, Range};
use crate::ports::{ConnSet, Protocol, MAX_PORT};
use mamori_model::{FieldPath, LabelSelector, Node, Object, Pos};

/// How fields the schema does not know are treated, as the API server's
/// field validation: kubectl asks for `Strict` by default since 1.27.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FieldValidation {
    /// An unknown field rejects the object.
    #[default]
    Strict,
    /// Unknown fields are dropped and the rest is stored (`--validate=false`,
    /// older clients, most operators).
    Ignore,
}

/// Something wrong with a policy (or a workload) that changes the analysis.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Issue {
    /// `path:line` of the object.
    pub at: String,
    /// `NetworkPolicy ns/name` or the workload.
    pub object: String,
    /// The field, from the object's root (`spec.ingress[0].from[0].ipBlock.cidr`).
    pub field: String,
    /// 1-based line of the field in the file.
    pub line: u32,
    pub message: String,
    /// True when the API server refuses the object: it takes no part.
    pub rejected: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortMatch {
    /// No `port`: every port of the protocol.
    All,
    Range(u16, u16),
    /// A named port, resolved on each destination pod by name and protocol.
    Named(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortSpec {
    pub protocol: Protocol,
    pub port: PortMatch,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Peer {
    /// `podSelector` and/or `namespaceSelector` (both present: AND). A
    /// missing namespace selector means the policy's namespace; a missing
    /// pod selector means every pod.
    Pods {
        namespaces: Option<LabelSelector>,
        pods: Option<LabelSelector>,
    },
    /// External addresses: `cidr` minus `except` (IPv4 intervals).
    IpBlock {
        cidr: String,
        except: Vec<String>,
        ranges: Vec<Range>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// 0-based index in `ingress` or `egress`.
    pub index: usize,
    pub line: u32,
    /// `None`: `from`/`to` absent or empty, every peer.
    pub peers: Option<Vec<Peer>>,
    /// `None`: `ports` absent or empty, every port and protocol.
    pub ports: Option<Vec<PortSpec>>,
    /// Per peer, its namespace and pod selectors as np-guard prints them
    /// (`{app=x,{Key:tier,Operator:Exists,Values:[],}}`), for exposure.
    pub selector_texts: Vec<(Option<String>, Option<String>)>,
}

impl Rule {
    /// The connections the rule's ports allow to a pod with `pod_ports`
    /// (name, protocol, number); a named port the pod lacks allows nothing.
    pub fn conns(&self, pod_ports: &[(Option<String>, Protocol, u16)]) -> ConnSet {
        let Some(ports) = &self.ports else {
            return ConnSet::all();
        };
        let mut c = ConnSet::none();
        for p in ports {
            match &p.port {
                PortMatch::All => c.add(&ConnSet::protocol(p.protocol)),
                PortMatch::Range(lo, hi) => c.add(&ConnSet::range(p.protocol, *lo, *hi)),
                PortMatch::Named(n) => {
                    for (name, proto, num) in pod_ports {
                        if name.as_deref() == Some(n.as_str()) && *proto == p.protocol {
                            c.add(&ConnSet::port(*proto, *num));
                        }
                    }
                }
            }
        }
        c
    }

    pub fn has_named_ports(&self) -> bool {
        self.ports
            .iter()
            .flatten()
            .any(|p| matches!(p.port, PortMatch::Named(_)))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetPol {
    /// Index of the object in the inventory.
    pub object: usize,
    pub namespace: String,
    pub name: String,
    /// `path:line` of the object.
    pub at: String,
    pub pod_selector: LabelSelector,
    /// `policyTypes` after defaulting.
    pub ingress: bool,
    pub egress: bool,
    pub ingress_rules: Vec<Rule>,
    pub egress_rules: Vec<Rule>,
}

impl NetPol {
    pub fn label(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    pub fn rules(&self, egress: bool) -> &[Rule] {
        if egress {
            &self.egress_rules
        } else {
            &self.ingress_rules
        }
    }
}

struct Ctx<'a> {
    object: &'a Object,
    issues: Vec<Issue>,
    root: &'a Node,
}

impl Ctx<'_> {
    fn err(&mut self, path: &FieldPath, message: impl Into<String>) {
        let pos: Pos = self.object.node.locate(path);
        self.issues.push(Issue {
            at: at(self.object),
            object: describe(self.object),
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

pub fn at(o: &Object) -> String {
    format!("{}:{}", o.origin.path, o.origin.line)
}

fn describe(o: &Object) -> String {
    match &o.effective_namespace {
        Some(ns) => format!("{} {ns}/{}", o.kind, o.name),
        None => format!("{} {}", o.kind, o.name),
    }
}

/// Fields present as written and absent as stored: what the loader
/// pruned as unknown.
pub fn all_pruned(written: &Node, stored: &Node, path: &FieldPath, out: &mut Vec<FieldPath>) {
    if let (Some(w), Some(_)) = (written.as_map(), stored.as_map()) {
        for e in w {
            let p = path.key(e.key.clone());
            match stored.get(&e.key) {
                None => out.push(p),
                Some(s) => all_pruned(&e.value, s, &p, out),
            }
        }
    } else if let (Some(w), Some(s)) = (written.as_seq(), stored.as_seq()) {
        for (i, (a, b)) in w.iter().zip(s).enumerate() {
            all_pruned(a, b, &path.index(i), out);
        }
    }
}

/// What dropping a field means for the policy, for the fields whose
/// meaning changes (the course's `ports` inside a peer).
fn dropped_consequence(field: &FieldPath, validation: FieldValidation) -> String {
    use mamori_model::Seg;
    let s = field.segs();
    if let [Seg::Key(spec), Seg::Key(dir), Seg::Index(i), Seg::Key(peers), Seg::Index(_), Seg::Key(last)] = s {
        if spec == "spec"
            && (dir == "ingress" || dir == "egress")
            && last == "ports"
            && (peers == "from" || peers == "to")
        {
            let effect = match validation {
                FieldValidation::Strict => "where it is dropped instead (no strict validation), ",
                FieldValidation::Ignore => "dropped, so ",
            };
            return format!(
                "; `ports` is not a field of a peer (NetworkPolicyPeer): {effect}{dir} rule #{} allows all ports and protocols {} its peers (hint: indent `ports` to the level of `{peers}`)",
                i + 1,
                if peers == "from" { "from" } else { "to" }
            );
        }
    }
    String::new()
}

/// Parse and validate a NetworkPolicy (`networking.k8s.io/v1`). `Err`
/// carries why the API server refuses it; `Ok` may carry warnings.
pub fn parse(index: usize, object: &Object, validation: FieldValidation) -> Result<(NetPol, Vec<Issue>), Vec<Issue>> {
    let mut warnings = Vec::new();
    let mut strict_errors: Result<(), Vec<Issue>> = Err(Vec::new());
    if let Some(reason) = &object.rejected {
        // Our own validation names the field and line when it sees the
        // reason too (a bad protocol); otherwise the loader's reason stands.
        let mut unrejected = object.clone();
        unrejected.rejected = None;
        parse(index, &unrejected, FieldValidation::Ignore)?;
        return Err(vec![Issue {
            at: at(object),
            object: describe(object),
            field: String::new(),
            line: object.origin.line,
            message: format!("the API server refuses it ({reason}); it takes no part"),
            rejected: true,
        }]);
    }
    if object.node != object.stored {
        let mut fields = Vec::new();
        all_pruned(&object.node, &object.stored, &FieldPath::root(), &mut fields);
        for field in fields {
            let line = object.node.locate(&field).line;
            let f = field.to_string();
            let consequence = dropped_consequence(&field, validation);
            let (rejected, message) = match validation {
                FieldValidation::Strict => (
                    true,
                    format!("unknown field: strict field validation (kubectl's default) refuses the policy, so it takes no part{consequence}"),
                ),
                FieldValidation::Ignore => (
                    false,
                    format!("unknown field, dropped: the policy is analysed as stored, without it{consequence}"),
                ),
            };
            let issue = Issue {
                at: at(object),
                object: describe(object),
                field: f,
                line,
                message,
                rejected,
            };
            match validation {
                FieldValidation::Strict => {
                    if let Err(v) = &mut strict_errors {
                        v.push(issue);
                    }
                }
                FieldValidation::Ignore => warnings.push(issue),
            }
        }
        if let Err(v) = strict_errors {
            if !v.is_empty() {
                return Err(v);
            }
        }
    }
    let root = match validation {
        FieldValidation::Strict => &object.node,
        FieldValidation::Ignore => &object.stored,
    };
    let mut cx = Ctx {
        object,
        issues: Vec::new(),
        root,
    };
    let spec_path = FieldPath::root().key("spec");
    let empty = Node::null();
    let spec = cx.root.get("spec").unwrap_or(&empty);
    let pod_selector = selector(&mut cx, spec.get("podSelector"), &spec_path.key("podSelector"))
        .unwrap_or_else(LabelSelector::everything);
    let has_egress = spec
        .field("egress")
        .and_then(Node::as_seq)
        .is_some_and(|s| !s.is_empty());
    let types: Vec<&str> = spec
        .field("policyTypes")
        .and_then(Node::as_seq)
        .map(|s| s.iter().filter_map(Node::as_str).collect())
        .unwrap_or_default();
    for (i, t) in types.iter().enumerate() {
        if !matches!(*t, "Ingress" | "Egress") {
            cx.err(
                &spec_path.key("policyTypes").index(i),
                format!("Unsupported value: {t:?}: supported values: \"Ingress\", \"Egress\""),
            );
        }
    }
    if types.len() > 2 {
        cx.err(
            &spec_path.key("policyTypes"),
            "may not specify more than two policyTypes",
        );
    }
    // Defaulting: no policyTypes means Ingress, plus Egress when the
    // egress list is non-empty (`SetDefaults_NetworkPolicySpec`).
    let (ingress, egress) = if types.is_empty() {
        (true, has_egress)
    } else {
        (types.contains(&"Ingress"), types.contains(&"Egress"))
    };
    let ingress_rules = rules(&mut cx, spec, &spec_path, "ingress", "from");
    let egress_rules = rules(&mut cx, spec, &spec_path, "egress", "to");
    if !cx.issues.is_empty() {
        return Err(cx.issues);
    }
    Ok((
        NetPol {
            object: index,
            namespace: object.effective_namespace.clone().unwrap_or_else(|| "default".into()),
            name: object.name.clone(),
            at: at(object),
            pod_selector,
            ingress,
            egress,
            ingress_rules,
            egress_rules,
        },
        warnings,
    ))
}

fn selector(cx: &mut Ctx, node: Option<&Node>, path: &FieldPath) -> Option<LabelSelector> {
    let node = node.filter(|n| !n.is_null())?;
    for (k, v) in node.field("matchLabels").map(Node::string_map).unwrap_or_default() {
        let p = path.key("matchLabels").key(k.clone());
        if let Err(m) = label_key(&k) {
            cx.err(&p, format!("Invalid value: {k:?}: {m}"));
        }
        if let Err(m) = label_value(&v) {
            cx.err(&p, format!("Invalid value: {v:?}: {m}"));
        }
    }
    for (i, e) in node
        .field("matchExpressions")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let k = e.str_field("key").unwrap_or_default();
        if let Err(m) = label_key(k) {
            cx.err(
                &path.key("matchExpressions").index(i).key("key"),
                format!("Invalid value: {k:?}: {m}"),
            );
        }
        for (j, v) in e
            .field("values")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let v = v.as_str().unwrap_or_default();
            if let Err(m) = label_value(v) {
                cx.err(
                    &path.key("matchExpressions").index(i).key("values").index(j),
                    format!("Invalid value: {v:?}: {m}"),
                );
            }
        }
    }
    match LabelSelector::from_node(node) {
        Ok(s) => Some(s),
        Err(e) => {
            let p = if e.field.is_empty() {
                path.clone()
            } else {
                path.join(&FieldPath::parse(&e.field).unwrap_or_default())
            };
            cx.err(&p, format!("Invalid value: {}", e.message));
            Some(LabelSelector::everything())
        }
    }
}

fn rules(cx: &mut Ctx, spec: &Node, spec_path: &FieldPath, dir: &str, peers_key: &str) -> Vec<Rule> {
    let mut out = Vec::new();
    let Some(items) = spec.field(dir).and_then(Node::as_seq) else {
        return out;
    };
    for (i, r) in items.iter().enumerate() {
        let rp = spec_path.key(dir).index(i);
        let peers = r
            .field(peers_key)
            .and_then(Node::as_seq)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.iter()
                    .enumerate()
                    .filter_map(|(j, p)| peer(cx, p, &rp.key(peers_key).index(j)))
                    .collect::<Vec<_>>()
            });
        let ports = r
            .field("ports")
            .and_then(Node::as_seq)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.iter()
                    .enumerate()
                    .filter_map(|(j, p)| port(cx, p, &rp.key("ports").index(j)))
                    .collect::<Vec<_>>()
            });
        let selector_texts = r
            .field(peers_key)
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .map(|p| {
                let t = |k: &str| p.field(k).map(selector_text);
                (t("namespaceSelector"), t("podSelector"))
            })
            .collect();
        out.push(Rule {
            index: i,
            line: r.pos.line,
            peers,
            ports,
            selector_texts,
        });
    }
    out
}

fn peer(cx: &mut Ctx, p: &Node, path: &FieldPath) -> Option<Peer> {
    let pods = selector(cx, p.get("podSelector"), &path.key("podSelector"));
    let namespaces = selector(cx, p.get("namespaceSelector"), &path.key("namespaceSelector"));
    let ip = p.field("ipBlock");
    match (ip, pods.is_some() || namespaces.is_some()) {
        (None, false) => {
            cx.err(path, "must specify a peer");
            None
        }
        (Some(_), true) => {
            cx.err(
                path,
                "may not specify more than 1 peer type (ipBlock with podSelector or namespaceSelector)",
            );
            None
        }
        (None, true) => Some(Peer::Pods { namespaces, pods }),
        (Some(ip), false) => {
            let ipp = path.key("ipBlock");
            let Some(cidr_text) = ip.str_field("cidr").filter(|s| !s.is_empty()) else {
                cx.err(&ipp.key("cidr"), "Required value");
                return None;
            };
            let cidr = match Cidr::parse(cidr_text) {
                Ok(c) => c,
                Err(m) => {
                    cx.err(&ipp.key("cidr"), format!("Invalid value: {m}"));
                    return None;
                }
            };
            let mut except = Vec::new();
            let mut except_text = Vec::new();
            for (k, e) in ip
                .field("except")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                let ep = ipp.key("except").index(k);
                let text = e.as_str().unwrap_or_default();
                match Cidr::parse(text) {
                    Ok(c) if cidr.strictly_contains(&c) => {
                        except.push(c);
                        except_text.push(text.to_string());
                    }
                    Ok(_) => cx.err(
                        &ep,
                        format!("Invalid value: {text:?}: must be a strict subset of `cidr` {cidr_text:?}"),
                    ),
                    Err(m) => cx.err(&ep, format!("Invalid value: {m}")),
                }
            }
            Some(Peer::IpBlock {
                cidr: cidr_text.to_string(),
                ranges: block_ranges(&cidr, &except),
                except: except_text,
            })
        }
    }
}

const NAME_RULE: &str =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

fn name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn dns_subdomain(s: &str) -> bool {
    s.len() <= 253
        && s.split('.').all(|l| {
            let b = l.as_bytes();
            !b.is_empty()
                && b.len() <= 63
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

/// A label key: a qualified name, `[prefix/]name` (`IsQualifiedName`).
pub fn label_key(k: &str) -> Result<(), String> {
    let (prefix, name) = match k.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    if let Some(p) = prefix {
        if !dns_subdomain(p) {
            return Err("prefix part must be a lowercase RFC 1123 subdomain".into());
        }
    }
    if !name_part(name) {
        return Err(format!("name part {NAME_RULE}, at most 63 characters"));
    }
    Ok(())
}

/// A label value: empty, or at most 63 characters as a name part.
pub fn label_value(v: &str) -> Result<(), String> {
    if v.is_empty() || name_part(v) {
        Ok(())
    } else {
        Err(format!(
            "a valid label value must be 63 characters or less and {NAME_RULE}"
        ))
    }
}

/// A selector as np-guard prints it: `matchLabels` as sorted `k=v`, then
/// `matchExpressions` sorted by key as Go prints the struct, values sorted.
pub fn selector_text(n: &Node) -> String {
    let mut parts: Vec<String> = n
        .field("matchLabels")
        .map(Node::string_map)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    parts.sort();
    let mut exprs: Vec<(String, String)> = n
        .field("matchExpressions")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .map(|e| {
            let key = e.str_field("key").unwrap_or_default().to_string();
            let values: Vec<&str> = e
                .field("values")
                .and_then(Node::as_seq)
                .map(|v| v.iter().filter_map(Node::as_str).collect())
                .unwrap_or_default();
            // np-guard prints the values in the order written.
            let text = format!(
                "{{Key:{key},Operator:{},Values:[{}],}}",
                e.str_field("operator").unwrap_or_default(),
                values.join(" ")
            );
            (key, text)
        })
        .collect();
    exprs.sort();
    parts.extend(exprs.into_iter().map(|(_, t)| t));
    format!("{{{}}}", parts.join(","))
}

/// IANA_SVC_NAME, as `validation.IsValidPortName`: 1-15 characters of
/// `a-z0-9-`, at least one letter, no leading, trailing or double hyphen.
pub fn valid_port_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 15
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

fn port(cx: &mut Ctx, p: &Node, path: &FieldPath) -> Option<PortSpec> {
    let protocol = match p.field("protocol") {
        None => Protocol::Tcp,
        Some(n) => match n.as_str().and_then(Protocol::parse) {
            Some(pr) => pr,
            None => {
                let v = n
                    .as_str()
                    .map(|s| format!("{s:?}"))
                    .unwrap_or_else(|| n.type_name().to_string());
                cx.err(
                    &path.key("protocol"),
                    format!("Unsupported value: {v}: supported values: \"SCTP\", \"TCP\", \"UDP\""),
                );
                return None;
            }
        },
    };
    let end = p.field("endPort");
    let port = match p.field("port") {
        None => {
            if end.is_some() {
                cx.err(
                    &path.key("endPort"),
                    "may not be specified when `port` is not specified",
                );
                return None;
            }
            PortMatch::All
        }
        Some(n) => {
            if let Some(num) = n.as_i64() {
                if !(1..=i64::from(MAX_PORT)).contains(&num) {
                    cx.err(
                        &path.key("port"),
                        format!("Invalid value: {num}: must be between 1 and 65535, inclusive"),
                    );
                    return None;
                }
                let lo = num as u16;
                match end {
                    None => PortMatch::Range(lo, lo),
                    Some(e) => match e.as_i64() {
                        Some(hi) if hi >= num && hi <= i64::from(MAX_PORT) => PortMatch::Range(lo, hi as u16),
                        Some(hi) if hi < num => {
                            cx.err(
                                &path.key("endPort"),
                                format!("Invalid value: {hi}: must be greater than or equal to `port` ({num})"),
                            );
                            return None;
                        }
                        _ => {
                            cx.err(
                                &path.key("endPort"),
                                "Invalid value: must be between 1 and 65535, inclusive",
                            );
                            return None;
                        }
                    },
                }
            } else if let Some(name) = n.as_str() {
                if end.is_some() {
                    cx.err(&path.key("endPort"), "may not be specified when `port` is non-numeric");
                    return None;
                }
                if let Ok(num) = name.parse::<i64>() {
                    // A quoted number is an IntOrString string: a port name, and an invalid one.
                    cx.err(&path.key("port"), format!("Invalid value: {name:?}: must contain at least one letter (a quoted number is a port name; write {num} unquoted)"));
                    return None;
                }
                if !valid_port_name(name) {
                    cx.err(&path.key("port"), format!("Invalid value: {name:?}: must be a port number or an IANA_SVC_NAME (at most 15 characters of a-z, 0-9 and '-', with a letter, no leading, trailing or double '-')"));
                    return None;
                }
                PortMatch::Named(name.to_string())
            } else {
                cx.err(
                    &path.key("port"),
                    format!(
                        "Invalid value: a port must be a number or a name, not {}",
                        n.type_name()
                    ),
                );
                return None;
            }
        }
    };
    Some(PortSpec { protocol, port })
}
