//! Kubernetes objects with their origin.

use crate::node::Node;
use serde::{Deserialize, Serialize};

/// Where an object was read from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// Path as given on the command line (relative to where mamori runs), or `-`.
    pub path: String,
    /// 0-based index of the YAML document in the file.
    pub doc: usize,
    /// 1-based line of the object's first key.
    pub line: u32,
    /// Helm's `# Source: chart/templates/x.yaml` comment above the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helm_source: Option<String>,
    /// Index within a `kind: List` (or `*List`) object's `items`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_item: Option<usize>,
}

/// The identity findings print: apiVersion, kind, namespace, name.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}", self.kind, ns, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Object {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// The namespace as written, if any.
    pub namespace: Option<String>,
    /// For namespaced kinds: the written namespace, else the assumed one
    /// (`--namespace`, default `default`). `None` for cluster-scoped kinds.
    pub effective_namespace: Option<String>,
    /// True when `effective_namespace` was assumed rather than written.
    pub namespace_assumed: bool,
    pub origin: Origin,
    /// The object as written.
    pub node: Node,
    /// The object as the API server would store it: unknown fields dropped
    /// (the behaviour of a server without strict field validation).
    pub stored: Node,
    /// Why the API server would refuse this object whatever the validation
    /// mode (for example a required field is missing), if it would.
    pub rejected: Option<String>,
}

impl Object {
    pub fn group(&self) -> &str {
        match self.api_version.split_once('/') {
            Some((g, _)) => g,
            None => "",
        }
    }

    pub fn version(&self) -> &str {
        match self.api_version.split_once('/') {
            Some((_, v)) => v,
            None => &self.api_version,
        }
    }

    pub fn reference(&self) -> ObjectRef {
        ObjectRef {
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            namespace: self.effective_namespace.clone(),
            name: self.name.clone(),
        }
    }

    pub fn labels(&self) -> Vec<(String, String)> {
        self.stored
            .get("metadata")
            .and_then(|m| m.get("labels"))
            .map(Node::string_map)
            .unwrap_or_default()
    }

    pub fn annotations(&self) -> Vec<(String, String)> {
        self.stored
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .map(Node::string_map)
            .unwrap_or_default()
    }

    pub fn annotation(&self, key: &str) -> Option<String> {
        self.annotations().into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Built-in and well-known kinds that live outside namespaces. Kinds of
/// custom resources not listed here are treated as namespaced, unless a
/// CustomResourceDefinition in the input says otherwise.
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "AdminNetworkPolicy",
    "BaselineAdminNetworkPolicy",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "ClusterCleanupPolicy",
    "ClusterIssuer",
    "ClusterPolicy",
    "ClusterPolicyReport",
    "ClusterRole",
    "ClusterRoleBinding",
    "ClusterTrustBundle",
    "ComponentStatus",
    "CustomResourceDefinition",
    "DeviceClass",
    "FlowSchema",
    "IPAddress",
    "IngressClass",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "ResourceSlice",
    "RuntimeClass",
    "SelfSubjectAccessReview",
    "SelfSubjectReview",
    "SelfSubjectRulesReview",
    "ServiceCIDR",
    "StorageClass",
    "StorageVersion",
    "StorageVersionMigration",
    "SubjectAccessReview",
    "TokenReview",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
    "VolumeAttributesClass",
];

pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.binary_search(&kind).is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn cluster_scoped_table_is_sorted() {
        let mut v = super::CLUSTER_SCOPED.to_vec();
        v.sort_unstable();
        assert_eq!(v, super::CLUSTER_SCOPED);
        assert!(super::is_cluster_scoped("ClusterRoleBinding"));
        assert!(!super::is_cluster_scoped("RoleBinding"));
    }
}
