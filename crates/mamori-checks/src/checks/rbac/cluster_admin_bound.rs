use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct ClusterAdminBound;
pub static CHECK: ClusterAdminBound = ClusterAdminBound;

static META: CheckMeta = CheckMeta {
    code: "RBAC001",
    name: "cluster-admin-bound",
    title: "cluster-admin (or all-wildcard rules) bound to a workload or person",
    severity: Severity::Critical,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &[
        "NSA/CISA: least privilege for service accounts",
        "CIS Kubernetes 5.1.1",
        "MITRE ATT&CK T1078 (Valid Accounts)",
    ],
    course: Some("ex1-0 (sa-admin bound to cluster-admin)"),
    doc: r#"## What it finds
A RoleBinding or ClusterRoleBinding that gives a service account, or a user or
group outside Kubernetes' own `system:` names, the `cluster-admin` ClusterRole
or any role with a rule of `*` verbs on `*` resources in `*` API groups.

## Why it matters
Whoever holds that subject's credentials can do anything: read every Secret,
delete any pod, bind themselves any role, and take over the nodes. For a
service account the credential is a token mounted into every pod that runs as
it, so one shell in one pod is the whole cluster. Through a RoleBinding it is
the whole namespace.

## Example
```yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: deployer
  namespace: shop
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: deployer-admin
subjects:
- kind: ServiceAccount
  name: deployer
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: shop
rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "update", "patch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: deployer
  namespace: shop
subjects:
- kind: ServiceAccount
  name: deployer
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: deployer
```

## Fix
Replace the binding with a Role that lists only the verbs and resources the
workload uses, bound in its own namespace. `mamori rbac generate --audit-log`
writes that Role from what the account was seen doing. Not safe to apply
blindly: the workload may need more than you expect.

## References
- RBAC good practices: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/>
- Default roles: <https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles>
"#,
};

impl Check for ClusterAdminBound {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        super::binding_check(cx, &META, obj, &super::FULL_CONTROL, "bind a Role with only the permissions it needs (`mamori rbac generate --audit-log` writes one from an audit log)", out);
    }
}
