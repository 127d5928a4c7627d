use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;

pub struct BindingToMissingRole;
pub static CHECK: BindingToMissingRole = BindingToMissingRole;

static META: CheckMeta = CheckMeta {
    code: "RBAC023",
    name: "binding-to-missing-role",
    title: "Binding refers to a Role or ClusterRole that does not exist",
    severity: Severity::Low,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &["CIS Kubernetes 5.1.x"],
    course: None,
    doc: r#"## What it finds
A RoleBinding or ClusterRoleBinding whose `roleRef` names a Role or
ClusterRole that is neither in the files scanned nor among the API server's
default ClusterRoles. Scan the whole cluster's manifests together, or this
reports roles defined elsewhere.

## Why it matters
The API server accepts such a binding and it grants nothing: often a typo
(a misspelt name, `Role` for `ClusterRole`) and a workload that fails with
`forbidden`. It is also a loaded gun: whoever later creates a role of that
name, perhaps for another purpose, silently grants it to the binding's
subjects.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ci-reader
  namespace: shop
subjects:
- kind: ServiceAccount
  name: ci
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: pod-reader
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: app-reader
  namespace: shop
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: app-reader
  namespace: shop
subjects:
- kind: ServiceAccount
  name: app
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: app-reader
```

## Fix
Correct the `roleRef` (its name, or `kind: Role` versus `ClusterRole`), add
the missing role, or delete the binding. A binding's `roleRef` cannot be
changed: delete and recreate it. Not safe to apply blindly.

## References
- RoleBinding and ClusterRoleBinding: <https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding>
"#,
};

impl Check for BindingToMissingRole {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let Some(b) = super::binding_view(cx, obj) else { return };
        if b.rules.is_some() || b.subjects.is_empty() {
            return;
        }
        let subjects: Vec<_> = b.subjects.iter().collect();
        out.push(cx.finding(
            &META,
            obj,
            &FieldPath::parse("roleRef.name").expect("static path"),
            format!(
                "{} refers to {}, which does not exist: it grants nothing now, and {} once someone creates it",
                b.binding_text(),
                b.role_text(),
                if subjects.len() == 1 {
                    format!("{} gets whatever it holds", super::subject_list(&subjects))
                } else {
                    format!("{} get whatever it holds", super::subject_list(&subjects))
                }
            ),
            Some("fix the roleRef (name, Role or ClusterRole), add the role, or delete the binding".into()),
        ));
    }
}
