//! What an ingress controller can reach, from Ingress
//! (`networking.k8s.io/v1`) and OpenShift Route objects: each backend
//! Service's pods, on the TCP target ports the backend names (every Service
//! port when it names none) that the pods expose, as far as the pods'
//! ingress policies allow a connection from outside their namespaces. The
//! controller is modelled as a pod of its own namespace with no labels,
//! so only rules admitting every namespace (or every address) let it in;
//! np-guard shows it as `{ingress-controller}`.

use crate::endpoint::Endpoint;
use crate::engine::{Engine, Target};
use crate::ports::{ConnSet, Protocol};
use mamori_model::{Inventory, LabelSelector, Node, Object};

pub const LABEL: &str = "{ingress-controller}";
pub const NAMESPACE: &str = "ingress-controller-ns";

/// The stand-in controller, for `Engine::with_extra`.
pub fn controller() -> Endpoint {
    Endpoint {
        namespace: NAMESPACE.into(),
        name: "ingress-controller".into(),
        kind: "Pod".into(),
        objects: Vec::new(),
        labels: Vec::new(),
        ports: Vec::new(),
        host_network: false,
        at: String::new(),
        class: 0,
        assumed: true,
    }
}

/// A backend: Service name and the port asked for (number, name, or any).
enum Want {
    Any,
    Number(i64),
    Name(String),
}

fn backends(o: &Object) -> Vec<(String, Want)> {
    let mut out = Vec::new();
    let Some(spec) = o.stored.get("spec") else { return out };
    let port_of = |p: Option<&Node>| match p {
        Some(p) => match (p.get("number").and_then(Node::as_i64), p.str_field("name")) {
            (Some(n), _) => Want::Number(n),
            (None, Some(n)) => Want::Name(n.to_string()),
            _ => Want::Any,
        },
        None => Want::Any,
    };
    if o.kind == "Ingress" {
        let mut svc = |b: Option<&Node>| {
            if let Some(s) = b.and_then(|b| b.get("service")) {
                if let Some(name) = s.str_field("name") {
                    out.push((name.to_string(), port_of(s.get("port"))));
                }
            }
        };
        svc(spec.get("defaultBackend"));
        for r in spec.field("rules").and_then(Node::as_seq).unwrap_or(&[]) {
            for p in r
                .get("http")
                .and_then(|h| h.field("paths"))
                .and_then(Node::as_seq)
                .unwrap_or(&[])
            {
                svc(p.get("backend"));
            }
        }
    } else {
        let want = match spec.get("port").and_then(|p| p.get("targetPort")) {
            Some(t) => match (t.as_i64(), t.as_str()) {
                (Some(n), _) => Want::Number(n),
                (None, Some(s)) => Want::Name(s.to_string()),
                _ => Want::Any,
            },
            None => Want::Any,
        };
        let targets = std::iter::once(spec.get("to")).chain(
            spec.field("alternateBackends")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .map(Some),
        );
        for t in targets.flatten() {
            if t.str_field("kind").is_some_and(|k| k != "Service") {
                continue;
            }
            if let Some(name) = t.str_field("name") {
                let w = match &want {
                    Want::Any => Want::Any,
                    Want::Number(n) => Want::Number(*n),
                    Want::Name(s) => Want::Name(s.clone()),
                };
                out.push((name.to_string(), w));
            }
        }
    }
    out
}

/// Per endpoint, the connections the controller is allowed to open.
pub fn reachable(inv: &Inventory, engine: &Engine) -> Vec<(usize, ConnSet)> {
    let Some(ctl) = engine.endpoints.iter().find(|e| e.assumed && e.namespace == NAMESPACE) else {
        return Vec::new();
    };
    let mut wanted: Vec<ConnSet> = vec![ConnSet::none(); engine.endpoints.len()];
    for o in &inv.objects {
        let is_ingress = o.kind == "Ingress" && o.api_version == "networking.k8s.io/v1";
        let is_route = o.kind == "Route" && o.group() == "route.openshift.io";
        if !(is_ingress || is_route) {
            continue;
        }
        let ns = o.effective_namespace.as_deref().unwrap_or("default");
        for (svc_name, want) in backends(o) {
            let Some(svc) = inv.get("Service", ns, &svc_name) else {
                continue;
            };
            let Some(spec) = svc.stored.get("spec") else { continue };
            let sel = spec.field("selector").map(Node::string_map).unwrap_or_default();
            if sel.is_empty() {
                continue;
            }
            let selector = LabelSelector::from_map(sel.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            let ports: Vec<&Node> = spec
                .field("ports")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .collect();
            let chosen: Vec<&Node> = ports
                .into_iter()
                .filter(|p| match &want {
                    Want::Any => true,
                    // The Service port, or (as np-guard matches it) its target port.
                    Want::Number(n) => target_of(p).0 == Some(*n) || p.get("port").and_then(Node::as_i64) == Some(*n),
                    Want::Name(s) => {
                        p.str_field("name") == Some(s.as_str())
                            || (!is_ingress && target_of(p).1.as_deref() == Some(s.as_str()))
                    }
                })
                .collect();
            for (i, e) in engine.endpoints.iter().enumerate() {
                if e.assumed || e.namespace != ns || !selector.matches(&e.labels) {
                    continue;
                }
                for p in &chosen {
                    let num = match target_of(p) {
                        (Some(n), _) => u16::try_from(n).ok(),
                        (None, Some(name)) => e
                            .ports
                            .iter()
                            .find(|(pn, pr, _)| pn.as_deref() == Some(name.as_str()) && *pr == Protocol::Tcp)
                            .map(|(_, _, n)| *n),
                        _ => None,
                    };
                    if let Some(n) = num {
                        // A VirtualMachine declares no container ports: a
                        // numeric target port is taken as it is (np-guard).
                        let vm = e.kind == "VirtualMachine" && e.ports.is_empty();
                        if vm || e.ports.iter().any(|(_, pr, pn)| *pr == Protocol::Tcp && *pn == n) {
                            wanted[i].add(&ConnSet::port(Protocol::Tcp, n));
                        }
                    }
                }
            }
        }
    }
    wanted
        .into_iter()
        .enumerate()
        .filter(|(_, w)| !w.is_empty())
        .map(|(i, w)| {
            let allowed = engine.conns(Target::Class(ctl.class), Target::Class(engine.endpoints[i].class));
            (i, w.intersect(&allowed))
        })
        .filter(|(_, c)| !c.is_empty())
        .collect()
}

/// A Service port's target: number, or name; absent means the port itself.
fn target_of(p: &Node) -> (Option<i64>, Option<String>) {
    match p.get("targetPort") {
        Some(t) => (t.as_i64(), t.as_str().map(str::to_string)),
        None => (p.get("port").and_then(Node::as_i64), None),
    }
}

/// Whether the input has Ingress or Route objects.
pub fn present(inv: &Inventory) -> bool {
    inv.objects.iter().any(|o| {
        (o.kind == "Ingress" && o.api_version == "networking.k8s.io/v1")
            || (o.kind == "Route" && o.group() == "route.openshift.io")
    })
}
