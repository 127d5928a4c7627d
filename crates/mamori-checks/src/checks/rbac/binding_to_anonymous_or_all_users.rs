use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;
use mamori_rbac::SubjectKind;

pub struct BindingToAnonymousOrAllUsers;
pub static CHECK: BindingToAnonymousOrAllUsers = BindingToAnonymousOrAllUsers;

static META: CheckMeta = CheckMeta {
    code: "RBAC011",
    name: "binding-to-anonymous-or-all-users",
    title: "Binding to system:anonymous, system:unauthenticated or system:authenticated",
    severity: Severity::High,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &["CIS Kubernetes 5.1.x", "MITRE ATT&CK T1078.001 (Default Accounts)"],
    course: None,
    doc: r#"## What it finds
A RoleBinding or ClusterRoleBinding whose subjects include the user
`system:anonymous` or the groups `system:unauthenticated` or
`system:authenticated`. (The API server's own default bindings to these
groups are not in manifests and are not reported.)

## Why it matters
`system:anonymous` and `system:unauthenticated` are every request without
credentials: anyone who can reach the API server. `system:authenticated` is
every user and every service account of every namespace, so a permission
granted to it is granted to the least trusted pod in the cluster.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: everyone-can-view
subjects:
- kind: Group
  name: system:authenticated
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: developers-can-view
subjects:
- kind: Group
  name: developers
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
```

## Fix
Bind a group of the people or the service accounts that need the role.
Not safe to apply blindly.

## References
- Anonymous requests: <https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests>
- RBAC good practices: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/>
"#,
};

impl Check for BindingToAnonymousOrAllUsers {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let Some(b) = super::binding_view(cx, obj) else { return };
        for (i, s) in b.subjects.iter().enumerate() {
            let who = match (s.kind, s.name.as_str()) {
                (SubjectKind::User, "system:anonymous") | (SubjectKind::Group, "system:unauthenticated") => {
                    "every unauthenticated request (anyone who reaches the API server)"
                }
                (SubjectKind::Group, "system:authenticated") => "every user and every service account",
                _ => continue,
            };
            let grants = match &b.rules {
                Some(r) if !r.is_empty() => format!("{} ({} rules)", b.role_text(), r.len()),
                Some(_) => format!("{} (no rules today)", b.role_text()),
                None => format!(
                    "{} (missing today: it grants nothing until it is created)",
                    b.role_text()
                ),
            };
            out.push(cx.finding(
                &META,
                obj,
                &FieldPath::root().key("subjects").index(i),
                format!("{} gives {grants} to {} {}: {who}", b.binding_text(), s, b.scope()),
                Some("bind a specific group or service account instead".into()),
            ));
        }
    }
}
