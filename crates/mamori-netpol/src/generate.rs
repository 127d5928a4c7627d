//! Policies from flows: a default deny per namespace, the minimal allow
//! rules for each flow on both ends, and DNS.

use crate::endpoint::Endpoint;
use crate::engine::Engine;
use crate::ports::Protocol;
use std::collections::BTreeMap;

/// One wanted connection.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Flow {
    /// Endpoint indexes in the engine.
    pub src: usize,
    pub dst: usize,
    pub protocol: Protocol,
    pub port: u16,
}

#[derive(Debug, PartialEq, Eq)]
pub struct FlowError {
    pub line: usize,
    pub message: String,
}

/// Parse flows: CSV (`source,destination,port,protocol`, a header line
/// allowed, protocol optional and TCP by default) or JSON lines
/// (`{"source": "ns/a", "destination": "ns/b", "port": 80, "protocol": "TCP"}`).
/// `#` starts a comment line.
pub fn parse_flows(text: &str, engine: &Engine) -> Result<Vec<Flow>, Vec<FlowError>> {
    let mut flows = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let n = i + 1;
        let fields: Vec<String> = if line.starts_with('{') {
            match serde_json::from_str::<serde_json::Value>(line) {
                Ok(v) => ["source", "destination", "port", "protocol"]
                    .iter()
                    .map(|k| match &v[*k] {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Number(x) => x.to_string(),
                        _ => String::new(),
                    })
                    .collect(),
                Err(e) => {
                    errors.push(FlowError {
                        line: n,
                        message: format!("not a JSON object: {e}"),
                    });
                    continue;
                }
            }
        } else {
            line.split(',').map(|s| s.trim().to_string()).collect()
        };
        if n == 1
            && fields
                .first()
                .is_some_and(|f| f.eq_ignore_ascii_case("source") || f.eq_ignore_ascii_case("src"))
        {
            continue;
        }
        let get = |k: usize| fields.get(k).map(String::as_str).unwrap_or("");
        let find = |w: &str| -> Result<usize, String> {
            let (ns, name) = w.split_once('/').ok_or_else(|| format!("{w:?} is not NS/NAME"))?;
            engine
                .endpoints
                .iter()
                .position(|e| !e.assumed && e.namespace == ns && e.name == name)
                .ok_or_else(|| format!("no workload or pod {w} in the input"))
        };
        let parsed = (|| -> Result<Flow, String> {
            let src = find(get(0))?;
            let dst = find(get(1))?;
            let port: u16 = get(2)
                .parse()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("{:?} is not a port (1-65535)", get(2)))?;
            let protocol = match get(3) {
                "" => Protocol::Tcp,
                p => Protocol::parse_loose(p).ok_or_else(|| format!("{p:?} is not TCP, UDP or SCTP"))?,
            };
            Ok(Flow {
                src,
                dst,
                protocol,
                port,
            })
        })();
        match parsed {
            Ok(f) => flows.push(f),
            Err(message) => errors.push(FlowError { line: n, message }),
        }
    }
    if errors.is_empty() {
        flows.sort();
        flows.dedup();
        Ok(flows)
    } else {
        Err(errors)
    }
}

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn labels_yaml(labels: &[(String, String)]) -> String {
    let v: Vec<String> = labels.iter().map(|(k, v)| format!("{}: {}", q(k), q(v))).collect();
    format!("{{{}}}", v.join(", "))
}

fn peer_yaml(from_ns: &str, e: &Endpoint) -> String {
    let pods = format!("podSelector: {{matchLabels: {}}}", labels_yaml(&e.labels));
    if e.namespace == from_ns {
        format!("    - {pods}\n")
    } else {
        format!(
            "    - namespaceSelector: {{matchLabels: {{\"kubernetes.io/metadata.name\": {}}}}}\n      {pods}\n",
            q(&e.namespace)
        )
    }
}

fn ports_yaml(ports: &[(Protocol, u16)]) -> String {
    let mut s = String::from("    ports:\n");
    for (p, n) in ports {
        s.push_str(&format!("    - {{protocol: {p}, port: {n}}}\n"));
    }
    s
}

/// Per peer endpoint, the ports of its flows.
type PeerPorts = BTreeMap<usize, Vec<(Protocol, u16)>>;

/// The policies as YAML: per namespace of a flow's ends, `default-deny`
/// and `allow-dns` (egress to the kube-dns pods on UDP and TCP 53); per
/// endpoint, `<name>-egress` and `<name>-ingress` with one rule per peer.
pub fn generate(engine: &Engine, flows: &[Flow]) -> String {
    let eps = &engine.endpoints;
    let mut namespaces: Vec<&str> = flows
        .iter()
        .flat_map(|f| [eps[f.src].namespace.as_str(), eps[f.dst].namespace.as_str()])
        .collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    // (endpoint, egress?) -> peer endpoint -> ports
    let mut rules: BTreeMap<(usize, bool), PeerPorts> = BTreeMap::new();
    for f in flows {
        rules
            .entry((f.src, true))
            .or_default()
            .entry(f.dst)
            .or_default()
            .push((f.protocol, f.port));
        rules
            .entry((f.dst, false))
            .or_default()
            .entry(f.src)
            .or_default()
            .push((f.protocol, f.port));
    }
    let mut docs = Vec::new();
    for ns in &namespaces {
        docs.push(format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: {}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n",
            q(ns)
        ));
        docs.push(format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-dns\n  namespace: {}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector: {{matchLabels: {{\"kubernetes.io/metadata.name\": \"kube-system\"}}}}\n      podSelector: {{matchLabels: {{\"k8s-app\": \"kube-dns\"}}}}\n    ports:\n    - {{protocol: UDP, port: 53}}\n    - {{protocol: TCP, port: 53}}\n",
            q(ns)
        ));
    }
    for ((e, egress), peers) in &rules {
        let me = &eps[*e];
        let (dir, key, ty) = if *egress {
            ("egress", "to", "Egress")
        } else {
            ("ingress", "from", "Ingress")
        };
        let mut s = format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {}\n  namespace: {}\nspec:\n  podSelector: {{matchLabels: {}}}\n  policyTypes: [{ty}]\n  {dir}:\n",
            q(&format!("{}-{}-{dir}", me.name, me.kind.to_ascii_lowercase())),
            q(&me.namespace),
            labels_yaml(&me.labels)
        );
        for (peer, ports) in peers {
            let mut ports = ports.clone();
            ports.sort();
            ports.dedup();
            s.push_str(&format!("  - {key}:\n"));
            s.push_str(&peer_yaml(&me.namespace, &eps[*peer]));
            s.push_str(&ports_yaml(&ports));
        }
        docs.push(s);
    }
    docs.join("---\n")
}
