//! One view of the pod spec inside every pod-bearing kind, so that no check
//! handles eight kinds.

use crate::node::Node;
use crate::object::Object;
use crate::path::FieldPath;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

/// Where the pod spec and pod metadata sit in an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSpecView {
    /// Index of the owning object in the inventory.
    pub object: usize,
    pub spec_path: FieldPath,
    pub meta_path: FieldPath,
}

#[derive(Clone, Debug)]
pub struct ContainerView<'a> {
    pub kind: ContainerKind,
    pub index: usize,
    pub name: &'a str,
    /// Path of the container within the object.
    pub path: FieldPath,
    pub node: &'a Node,
}

/// The paths of the pod template for a kind, if it bears pods.
pub fn pod_paths(kind: &str) -> Option<(FieldPath, FieldPath)> {
    let p = |s: &str| FieldPath::parse(s).expect("static path");
    Some(match kind {
        "Pod" => (p("spec"), p("metadata")),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "ReplicationController" => {
            (p("spec.template.spec"), p("spec.template.metadata"))
        }
        "CronJob" => (
            p("spec.jobTemplate.spec.template.spec"),
            p("spec.jobTemplate.spec.template.metadata"),
        ),
        "PodTemplate" => (p("template.spec"), p("template.metadata")),
        _ => return None,
    })
}

impl PodSpecView {
    pub fn for_object(index: usize, obj: &Object) -> Option<PodSpecView> {
        let (spec_path, meta_path) = pod_paths(&obj.kind)?;
        Some(PodSpecView {
            object: index,
            spec_path,
            meta_path,
        })
    }

    /// The pod spec as stored (unknown fields dropped).
    pub fn spec<'a>(&self, obj: &'a Object) -> Option<&'a Node> {
        obj.stored.at(&self.spec_path).filter(|n| n.as_map().is_some())
    }

    pub fn metadata<'a>(&self, obj: &'a Object) -> Option<&'a Node> {
        obj.stored.at(&self.meta_path)
    }

    /// Pod labels: a Pod's own, or the template's.
    pub fn labels(&self, obj: &Object) -> Vec<(String, String)> {
        self.metadata(obj)
            .and_then(|m| m.get("labels"))
            .map(Node::string_map)
            .unwrap_or_default()
    }

    /// Containers in upstream's order: init containers, containers, then
    /// ephemeral containers.
    pub fn containers<'a>(&self, obj: &'a Object) -> Vec<ContainerView<'a>> {
        let mut out = Vec::new();
        let Some(spec) = self.spec(obj) else {
            return out;
        };
        for kind in [ContainerKind::Init, ContainerKind::Regular, ContainerKind::Ephemeral] {
            if let Some(items) = spec.field(kind.field()).and_then(Node::as_seq) {
                for (index, node) in items.iter().enumerate() {
                    out.push(ContainerView {
                        kind,
                        index,
                        name: node.str_field("name").unwrap_or(""),
                        path: self.spec_path.key(kind.field()).index(index),
                        node,
                    });
                }
            }
        }
        out
    }
}
