use super::{req, Capability};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct ApiExtensionChanges;
pub static CHECK: ApiExtensionChanges = ApiExtensionChanges;

static CAPABILITY: Capability = Capability {
    requests: &[
        req("create", "apiextensions.k8s.io", "customresourcedefinitions", false),
        req("update", "apiextensions.k8s.io", "customresourcedefinitions", false),
        req("patch", "apiextensions.k8s.io", "customresourcedefinitions", false),
        req("delete", "apiextensions.k8s.io", "customresourcedefinitions", false),
        req("create", "apiregistration.k8s.io", "apiservices", false),
        req("update", "apiregistration.k8s.io", "apiservices", false),
        req("patch", "apiregistration.k8s.io", "apiservices", false),
        req("delete", "apiregistration.k8s.io", "apiservices", false),
    ],
    does: "change CustomResourceDefinitions or APIServices (the cluster's API itself)",
};

const HINT: &str = "keep CRD and APIService changes with the cluster's installation pipeline";

static META: CheckMeta = CheckMeta {
    code: "RBAC017",
    name: "api-extension-changes",
    title: "Subject can change CustomResourceDefinitions or APIServices",
    severity: Severity::Medium,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &["MITRE ATT&CK T1578 (Modify Cloud Compute Infrastructure)"],
    course: None,
    doc: r#"## What it finds
A binding that lets a person or workload create, update, patch or delete
CustomResourceDefinitions (`apiextensions.k8s.io`) or APIServices
(`apiregistration.k8s.io`).

## Why it matters
Deleting a CRD deletes every object of that type, Gatekeeper constraints and
cert-manager certificates included. Changing a CRD's conversion webhook, or
an APIService's backing service, sends the API server's requests for that
API, with their content, to a service of the changer's choice.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: crd-installer
rules:
- apiGroups: ["apiextensions.k8s.io"]
  resources: ["customresourcedefinitions"]
  verbs: ["get", "list", "create", "update"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: alice-crd-installer
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: crd-installer
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: crd-reader
rules:
- apiGroups: ["apiextensions.k8s.io"]
  resources: ["customresourcedefinitions"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: alice-crd-reader
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: crd-reader
```

## Fix
Install and upgrade CRDs from the installation pipeline's own account; give
operators and people read access. Not safe to apply blindly.

## References
- Custom resources: <https://kubernetes.io/docs/concepts/extend-kubernetes/api-extension/custom-resources/>
- API aggregation: <https://kubernetes.io/docs/concepts/extend-kubernetes/api-extension/apiserver-aggregation/>
"#,
};

impl Check for ApiExtensionChanges {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        super::binding_check(cx, &META, obj, &CAPABILITY, HINT, out);
    }
}
