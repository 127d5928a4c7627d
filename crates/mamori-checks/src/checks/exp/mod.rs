//! `EXP`: exposure of workloads outside the cluster (Services, Ingresses).
pub mod helm_tiller;
pub mod ingress_wildcard_host;
pub mod ingress_without_tls;
pub mod kubernetes_dashboard;
pub mod nginx_snippet_annotation;
pub mod service_external_ips;
pub mod service_external_name;
pub mod service_loadbalancer_open;
pub mod service_nodeport;
pub mod service_selects_no_pod;

use mamori_model::{ContainerView, Node, Object};

/// A container's `command` and `args` words, in order.
pub fn argv<'a>(c: &ContainerView<'a>) -> Vec<&'a str> {
    crate::checks::sec::shell::container_argv(c)
        .into_iter()
        .map(|(_, w)| w)
        .collect()
}

/// A Service's type as stored: unset means ClusterIP.
pub fn service_type(o: &Object) -> &str {
    o.stored
        .get("spec")
        .and_then(|s| s.str_field("type"))
        .unwrap_or("ClusterIP")
}

/// `port/protocol` of each Service port, with its nodePort when set.
pub fn ports_text(o: &Object, with_node_port: bool) -> String {
    let ports: Vec<String> = o
        .stored
        .get("spec")
        .and_then(|s| s.field("ports"))
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .map(|p| {
            let port = p
                .get("port")
                .and_then(Node::as_i64)
                .map(|n| n.to_string())
                .unwrap_or("?".into());
            let proto = p.str_field("protocol").unwrap_or("TCP");
            match p.get("nodePort").and_then(Node::as_i64) {
                Some(np) if with_node_port => format!("{port}/{proto} (node port {np})"),
                _ if with_node_port => format!("{port}/{proto} (node port assigned by the cluster)"),
                _ => format!("{port}/{proto}"),
            }
        })
        .collect();
    if ports.is_empty() {
        "no ports".into()
    } else {
        ports.join(", ")
    }
}
