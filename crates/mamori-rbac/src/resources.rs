//! The built-in resource types of Kubernetes, as discovery would list them,
//! so that a question can be asked the way kubectl asks it: `po`, `pod`,
//! `Pods`, `deploy.apps` and `deployments.v1.apps` all mean the same
//! resource. kubectl resolves names through the server's discovery; offline,
//! this table (plus the CustomResourceDefinitions in the input) stands in
//! for it. A name that resolves to nothing is still asked about, as written,
//! after a warning: that is what kubectl does.

/// Every verb a resource with the standard REST storage serves.
pub const STANDARD_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];
const NO_COLLECTION: &[&str] = &["get", "list", "watch", "create", "update", "patch", "delete"];
const CREATE_ONLY: &[&str] = &["create"];
const READ_ONLY: &[&str] = &["get", "list"];

/// Verbs kubectl knows for resource requests (it warns about others).
pub const KNOWN_RESOURCE_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "impersonate",
    "*",
    "approve",
    "sign",
    "escalate",
    "attest",
];
/// Verbs kubectl knows for non-resource requests.
pub const KNOWN_NON_RESOURCE_VERBS: &[&str] = &["get", "put", "post", "head", "options", "delete", "patch", "*"];

/// One resource type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceType {
    pub group: String,
    /// Plural, lower case: what RBAC rules name.
    pub resource: String,
    pub singular: String,
    pub kind: String,
    pub short_names: Vec<String>,
    pub namespaced: bool,
    pub verbs: Vec<String>,
}

type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    bool,
    &'static [&'static str],
);

// (group, plural, Kind, short names, namespaced, verbs)
const BUILTIN: &[Row] = &[
    ("", "bindings", "Binding", &[], true, CREATE_ONLY),
    ("", "componentstatuses", "ComponentStatus", &["cs"], false, READ_ONLY),
    ("", "configmaps", "ConfigMap", &["cm"], true, STANDARD_VERBS),
    ("", "endpoints", "Endpoints", &["ep"], true, STANDARD_VERBS),
    ("", "events", "Event", &["ev"], true, STANDARD_VERBS),
    ("", "limitranges", "LimitRange", &["limits"], true, STANDARD_VERBS),
    ("", "namespaces", "Namespace", &["ns"], false, NO_COLLECTION),
    ("", "nodes", "Node", &["no"], false, STANDARD_VERBS),
    (
        "",
        "persistentvolumeclaims",
        "PersistentVolumeClaim",
        &["pvc"],
        true,
        STANDARD_VERBS,
    ),
    (
        "",
        "persistentvolumes",
        "PersistentVolume",
        &["pv"],
        false,
        STANDARD_VERBS,
    ),
    ("", "pods", "Pod", &["po"], true, STANDARD_VERBS),
    ("", "podtemplates", "PodTemplate", &[], true, STANDARD_VERBS),
    (
        "",
        "replicationcontrollers",
        "ReplicationController",
        &["rc"],
        true,
        STANDARD_VERBS,
    ),
    ("", "resourcequotas", "ResourceQuota", &["quota"], true, STANDARD_VERBS),
    ("", "secrets", "Secret", &[], true, STANDARD_VERBS),
    ("", "serviceaccounts", "ServiceAccount", &["sa"], true, STANDARD_VERBS),
    ("", "services", "Service", &["svc"], true, STANDARD_VERBS),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        "MutatingWebhookConfiguration",
        &[],
        false,
        STANDARD_VERBS,
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicies",
        "ValidatingAdmissionPolicy",
        &[],
        false,
        STANDARD_VERBS,
    ),
    (
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
        "ValidatingAdmissionPolicyBinding",
        &[],
        false,
        STANDARD_VERBS,
    ),
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "ValidatingWebhookConfiguration",
        &[],
        false,
        STANDARD_VERBS,
    ),
    (
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        &["crd", "crds"],
        false,
        STANDARD_VERBS,
    ),
    (
        "apiregistration.k8s.io",
        "apiservices",
        "APIService",
        &[],
        false,
        STANDARD_VERBS,
    ),
    (
        "apps",
        "controllerrevisions",
        "ControllerRevision",
        &[],
        true,
        STANDARD_VERBS,
    ),
    ("apps", "daemonsets", "DaemonSet", &["ds"], true, STANDARD_VERBS),
    ("apps", "deployments", "Deployment", &["deploy"], true, STANDARD_VERBS),
    ("apps", "replicasets", "ReplicaSet", &["rs"], true, STANDARD_VERBS),
    ("apps", "statefulsets", "StatefulSet", &["sts"], true, STANDARD_VERBS),
    (
        "authentication.k8s.io",
        "selfsubjectreviews",
        "SelfSubjectReview",
        &[],
        false,
        CREATE_ONLY,
    ),
    (
        "authentication.k8s.io",
        "tokenreviews",
        "TokenReview",
        &[],
        false,
        CREATE_ONLY,
    ),
    (
        "authorization.k8s.io",
        "localsubjectaccessreviews",
        "LocalSubjectAccessReview",
        &[],
        true,
        CREATE_ONLY,
    ),
    (
        "authorization.k8s.io",
        "selfsubjectaccessreviews",
        "SelfSubjectAccessReview",
        &[],
        false,
        CREATE_ONLY,
    ),
    (
        "authorization.k8s.io",
        "selfsubjectrulesreviews",
        "SelfSubjectRulesReview",
        &[],
        false,
        CREATE_ONLY,
    ),
    (
        "authorization.k8s.io",
        "subjectaccessreviews",
        "SubjectAccessReview",
        &[],
        false,
        CREATE_ONLY,
    ),
    (
        "autoscaling",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
        &["hpa"],
        true,
        STANDARD_VERBS,
    ),
    ("batch", "cronjobs", "CronJob", &["cj"], true, STANDARD_VERBS),
    ("batch", "jobs", "Job", &[], true, STANDARD_VERBS),
    (
        "certificates.k8s.io",
        "certificatesigningrequests",
        "CertificateSigningRequest",
        &["csr"],
        false,
        STANDARD_VERBS,
    ),
    ("coordination.k8s.io", "leases", "Lease", &[], true, STANDARD_VERBS),
    (
        "discovery.k8s.io",
        "endpointslices",
        "EndpointSlice",
        &[],
        true,
        STANDARD_VERBS,
    ),
    ("events.k8s.io", "events", "Event", &["ev"], true, STANDARD_VERBS),
    (
        "flowcontrol.apiserver.k8s.io",
        "flowschemas",
        "FlowSchema",
        &[],
        false,
        STANDARD_VERBS,
    ),
    (
        "flowcontrol.apiserver.k8s.io",
        "prioritylevelconfigurations",
        "PriorityLevelConfiguration",
        &[],
        false,
        STANDARD_VERBS,
    ),
    (
        "networking.k8s.io",
        "ingressclasses",
        "IngressClass",
        &[],
        false,
        STANDARD_VERBS,
    ),
    (
        "networking.k8s.io",
        "ingresses",
        "Ingress",
        &["ing"],
        true,
        STANDARD_VERBS,
    ),
    (
        "networking.k8s.io",
        "ipaddresses",
        "IPAddress",
        &["ip"],
        false,
        STANDARD_VERBS,
    ),
    (
        "networking.k8s.io",
        "networkpolicies",
        "NetworkPolicy",
        &["netpol"],
        true,
        STANDARD_VERBS,
    ),
    (
        "networking.k8s.io",
        "servicecidrs",
        "ServiceCIDR",
        &[],
        false,
        STANDARD_VERBS,
    ),
    (
        "node.k8s.io",
        "runtimeclasses",
        "RuntimeClass",
        &[],
        false,
        STANDARD_VERBS,
    ),
    (
        "policy",
        "poddisruptionbudgets",
        "PodDisruptionBudget",
        &["pdb"],
        true,
        STANDARD_VERBS,
    ),
    (
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        "ClusterRoleBinding",
        &[],
        false,
        STANDARD_VERBS,
    ),
    (
        "rbac.authorization.k8s.io",
        "clusterroles",
        "ClusterRole",
        &[],
        false,
        STANDARD_VERBS,
    ),
    (
        "rbac.authorization.k8s.io",
        "rolebindings",
        "RoleBinding",
        &[],
        true,
        STANDARD_VERBS,
    ),
    ("rbac.authorization.k8s.io", "roles", "Role", &[], true, STANDARD_VERBS),
    (
        "resource.k8s.io",
        "deviceclasses",
        "DeviceClass",
        &[],
        false,
        STANDARD_VERBS,
    ),
    (
        "resource.k8s.io",
        "resourceclaims",
        "ResourceClaim",
        &[],
        true,
        STANDARD_VERBS,
    ),
    (
        "resource.k8s.io",
        "resourceclaimtemplates",
        "ResourceClaimTemplate",
        &[],
        true,
        STANDARD_VERBS,
    ),
    (
        "resource.k8s.io",
        "resourceslices",
        "ResourceSlice",
        &[],
        false,
        STANDARD_VERBS,
    ),
    (
        "scheduling.k8s.io",
        "priorityclasses",
        "PriorityClass",
        &["pc"],
        false,
        STANDARD_VERBS,
    ),
    ("storage.k8s.io", "csidrivers", "CSIDriver", &[], false, STANDARD_VERBS),
    ("storage.k8s.io", "csinodes", "CSINode", &[], false, STANDARD_VERBS),
    (
        "storage.k8s.io",
        "csistoragecapacities",
        "CSIStorageCapacity",
        &[],
        true,
        STANDARD_VERBS,
    ),
    (
        "storage.k8s.io",
        "storageclasses",
        "StorageClass",
        &["sc"],
        false,
        STANDARD_VERBS,
    ),
    (
        "storage.k8s.io",
        "volumeattachments",
        "VolumeAttachment",
        &[],
        false,
        STANDARD_VERBS,
    ),
];

/// Known resource types: the built-in ones and any added (from CRDs).
#[derive(Clone, Debug)]
pub struct ResourceTable {
    types: Vec<ResourceType>,
}

impl Default for ResourceTable {
    fn default() -> Self {
        ResourceTable {
            types: BUILTIN
                .iter()
                .map(|(group, resource, kind, short, namespaced, verbs)| ResourceType {
                    group: group.to_string(),
                    resource: resource.to_string(),
                    singular: kind.to_ascii_lowercase(),
                    kind: kind.to_string(),
                    short_names: short.iter().map(|s| s.to_string()).collect(),
                    namespaced: *namespaced,
                    verbs: verbs.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
        }
    }
}

/// What a resource argument resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub group: String,
    pub resource: String,
    /// `None` when the type is unknown (asked as written, after a warning).
    pub namespaced: Option<bool>,
    /// kubectl's warning for a name that resolves to nothing.
    pub warning: Option<String>,
}

impl ResourceTable {
    pub fn types(&self) -> &[ResourceType] {
        &self.types
    }

    /// Add a custom resource type (from a CustomResourceDefinition).
    pub fn add(&mut self, t: ResourceType) {
        if !self
            .types
            .iter()
            .any(|x| x.group == t.group && x.resource == t.resource)
        {
            self.types.push(t);
        }
    }

    /// The type with this group and plural name.
    pub fn get(&self, group: &str, resource: &str) -> Option<&ResourceType> {
        self.types.iter().find(|t| t.group == group && t.resource == resource)
    }

    /// kubectl's `resourceFor`: `*` is itself (in the core group, as
    /// kubectl sends it); `name.version.group` and `name.group` narrow the
    /// group; the name matches a plural, singular or short name, case
    /// insensitively. Among matches the core group wins, then the first
    /// group in name order (discovery's preference for built-ins).
    pub fn resolve(&self, arg: &str) -> Resolved {
        if arg == "*" {
            return Resolved {
                group: String::new(),
                resource: "*".into(),
                namespaced: Some(true),
                warning: None,
            };
        }
        let lower = arg.to_ascii_lowercase();
        let mut candidates: Vec<(String, Option<String>)> = Vec::new();
        // `schema.ParseResourceArg`: three or more parts are resource.version.group.
        let parts: Vec<&str> = lower.splitn(3, '.').collect();
        if parts.len() == 3 {
            candidates.push((parts[0].to_string(), Some(parts[2].to_string())));
        }
        let (name, group) = match lower.split_once('.') {
            Some((n, g)) => (n.to_string(), Some(g.to_string())),
            None => (lower.clone(), None),
        };
        candidates.push((name.clone(), group.clone()));
        for (name, group) in &candidates {
            let found = self.types.iter().find(|t| {
                (t.resource == *name || t.singular == *name || t.short_names.iter().any(|s| s == name))
                    && group.as_ref().is_none_or(|g| t.group == *g)
            });
            if let Some(t) = found {
                return Resolved {
                    group: t.group.clone(),
                    resource: t.resource.clone(),
                    namespaced: Some(t.namespaced),
                    warning: None,
                };
            }
        }
        let warning = match &group {
            None => format!("the server doesn't have a resource type '{name}'"),
            Some(g) => format!("the server doesn't have a resource type '{name}' in group '{g}'"),
        };
        // kubectl then asks about the argument as written, in the core group.
        Resolved {
            group: String::new(),
            resource: arg.to_string(),
            namespaced: None,
            warning: Some(warning),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_kubectl() {
        let t = ResourceTable::default();
        for arg in ["pods", "pod", "po", "Pods"] {
            let r = t.resolve(arg);
            assert_eq!((r.group.as_str(), r.resource.as_str()), ("", "pods"), "{arg}");
        }
        for arg in ["deploy", "deployments.apps", "deployment.v1.apps", "Deployment"] {
            let r = t.resolve(arg);
            assert_eq!(
                (r.group.as_str(), r.resource.as_str()),
                ("apps", "deployments"),
                "{arg}"
            );
        }
        assert_eq!(t.resolve("events").group, "");
        assert_eq!(t.resolve("events.events.k8s.io").group, "events.k8s.io");
        let unknown = t.resolve("foos.example.com");
        assert_eq!(unknown.resource, "foos.example.com");
        assert_eq!(
            unknown.warning.as_deref(),
            Some("the server doesn't have a resource type 'foos' in group 'example.com'")
        );
        assert_eq!(t.resolve("*").resource, "*");
        assert_eq!(t.resolve("nodes").namespaced, Some(false));
    }
}
