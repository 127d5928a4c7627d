use super::{req, Capability};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct NetworkPolicyChanges;
pub static CHECK: NetworkPolicyChanges = NetworkPolicyChanges;

static CAPABILITY: Capability = Capability {
    requests: &[
        req("create", "networking.k8s.io", "networkpolicies", true),
        req("update", "networking.k8s.io", "networkpolicies", true),
        req("patch", "networking.k8s.io", "networkpolicies", true),
        req("delete", "networking.k8s.io", "networkpolicies", true),
        req("deletecollection", "networking.k8s.io", "networkpolicies", true),
    ],
    does: "change NetworkPolicies (a namespace's network isolation)",
};

const HINT: &str = "change NetworkPolicies through the deployment pipeline, reviewed; give people read access";

static META: CheckMeta = CheckMeta {
    code: "RBAC020",
    name: "network-policy-changes",
    title: "Subject can change NetworkPolicies",
    severity: Severity::Medium,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &[
        "MITRE ATT&CK T1562.007 (Disable or Modify Cloud Firewall)",
        "NSA/CISA: network separation",
    ],
    course: None,
    doc: r#"## What it finds
A binding that lets a person or workload create, change or delete
NetworkPolicies (`networking.k8s.io`), which includes the default `admin`
and `edit` ClusterRoles.

## Why it matters
NetworkPolicies are a namespace's firewall. Deleting a default-deny policy,
or adding an allow-all one, opens every pod of the namespace to the cluster
(and to the internet, for egress), which is how a foothold spreads.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: net-admin
  namespace: shop
rules:
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "list", "create", "update", "delete"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: alice-net-admin
  namespace: shop
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: net-admin
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: net-viewer
  namespace: shop
rules:
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: alice-net-viewer
  namespace: shop
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: net-viewer
```

## Fix
Keep NetworkPolicies in the deployment repository and apply them from the
pipeline; people get read access. Not safe to apply blindly.

## References
- Network policies: <https://kubernetes.io/docs/concepts/services-networking/network-policies/>
"#,
};

impl Check for NetworkPolicyChanges {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        super::binding_check(cx, &META, obj, &CAPABILITY, HINT, out);
    }
}
