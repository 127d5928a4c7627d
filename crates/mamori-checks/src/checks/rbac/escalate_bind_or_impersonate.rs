use super::{req, Capability};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct EscalateBindOrImpersonate;
pub static CHECK: EscalateBindOrImpersonate = EscalateBindOrImpersonate;

static CAPABILITY: Capability = Capability {
    requests: &[
        req("escalate", "rbac.authorization.k8s.io", "roles", true),
        req("escalate", "rbac.authorization.k8s.io", "clusterroles", false),
        req("bind", "rbac.authorization.k8s.io", "roles", true),
        req("bind", "rbac.authorization.k8s.io", "clusterroles", true),
        req("impersonate", "", "users", false),
        req("impersonate", "", "groups", false),
        req("impersonate", "", "serviceaccounts", true),
        req("impersonate", "authentication.k8s.io", "uids", false),
        req("impersonate", "authentication.k8s.io", "userextras", false),
    ],
    does: "escalate, bind or impersonate (gain permissions it does not hold)",
};

static META: CheckMeta = CheckMeta {
    code: "RBAC006",
    name: "escalate-bind-or-impersonate",
    title: "Subject can escalate, bind or impersonate",
    severity: Severity::Critical,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &["MITRE ATT&CK T1078 (Valid Accounts)", "CIS Kubernetes 5.1.8"],
    course: None,
    doc: r#"## What it finds
A binding that grants the `escalate` or `bind` verbs on roles or cluster
roles, or `impersonate` on users, groups, service accounts, UIDs or user
extras.

## Why it matters
RBAC stops a subject from granting more than it holds, unless it has
`escalate` (edit a role beyond its own rights) or `bind` (bind any role).
`impersonate` lets it act as another user, `system:masters` members included.
Each is a path to cluster-admin.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: role-manager
rules:
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["clusterroles"]
  verbs: ["get", "list", "bind", "escalate"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: role-manager
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: role-manager
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: role-manager
rules:
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["clusterroles"]
  verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: role-manager
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: role-manager
```

## Fix
Remove `escalate`, `bind` and `impersonate`; if a controller must bind roles,
restrict `bind` with `resourceNames` to the roles it hands out. Not safe to
apply blindly.

## References
- Privilege escalation prevention: <https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping>
- Impersonation: <https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation>
"#,
};

impl Check for EscalateBindOrImpersonate {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        super::binding_check(cx, &META, obj, &CAPABILITY, "remove the `escalate`, `bind` and `impersonate` verbs, or restrict `bind` to named roles with `resourceNames`", out);
    }
}
