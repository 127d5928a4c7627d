use super::stored_rbac;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;
use mamori_rbac::{RbacObject, RoleKind};

pub struct WildcardInRoleRule;
pub static CHECK: WildcardInRoleRule = WildcardInRoleRule;

static META: CheckMeta = CheckMeta {
    code: "RBAC002",
    name: "wildcard-in-role-rule",
    title: "Role rule with `*` verbs, resources or API groups",
    severity: Severity::Medium,
    selects: Selects::Objects(&["Role", "ClusterRole"]),
    mappings: &["CIS Kubernetes 5.1.3", "NSA/CISA: least privilege"],
    course: None,
    doc: r#"## What it finds
A rule of a Role or ClusterRole with `*` in `verbs`, `resources` or
`apiGroups`. The finding names the bindings in the input that use the role
and their subjects.

## Why it matters
A wildcard grants what exists today and everything added later: new
subresources, new verbs, every custom resource a future operator installs.
`resources: ["*"]` also covers every subresource (`pods/exec`,
`serviceaccounts/token`), which is rarely what the author meant.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: app-operator
  namespace: shop
rules:
- apiGroups: ["apps"]
  resources: ["*"]
  verbs: ["get", "list", "watch"]
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: app-operator
  namespace: shop
rules:
- apiGroups: ["apps"]
  resources: ["deployments", "replicasets"]
  verbs: ["get", "list", "watch"]
```

## Fix
List the verbs, resources and API groups the subject uses; `mamori rbac
generate --audit-log` derives them from an audit log. Not safe to apply
blindly.

## References
- RBAC good practices, wildcards: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#least-privilege>
"#,
};

impl Check for WildcardInRoleRule {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        let (kind, namespace, name, rules) = match stored_rbac(o) {
            Some(RbacObject::Role(r)) => (RoleKind::Role, Some(r.namespace), r.name, r.rules),
            Some(RbacObject::ClusterRole(r)) if r.aggregation_rule.is_none() => {
                (RoleKind::ClusterRole, None, r.name, r.rules)
            }
            _ => return,
        };
        // Who holds the role: bindings of the input that refer to it.
        let mut holders = Vec::new();
        for (i, b) in cx.inventory.objects.iter().enumerate() {
            if !matches!(b.kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
                continue;
            }
            let Some(v) = super::binding_view(cx, i) else { continue };
            let same_ns = kind == RoleKind::ClusterRole || v.namespace == namespace;
            if v.role_kind == kind && v.role_name == name && same_ns && !v.subjects.is_empty() {
                let subjects: Vec<_> = v.subjects.iter().collect();
                holders.push(format!("{} ({})", v.binding_text(), super::subject_list(&subjects)));
            }
        }
        let held = if holders.is_empty() {
            "no binding in the input uses it".to_string()
        } else {
            format!("held through {}", holders.join("; "))
        };
        for (i, rule) in rules.iter().enumerate() {
            let fields: Vec<&str> = [
                ("verbs", &rule.verbs),
                ("resources", &rule.resources),
                ("apiGroups", &rule.api_groups),
            ]
            .into_iter()
            .filter(|(_, v)| v.iter().any(|x| x == "*"))
            .map(|(f, _)| f)
            .collect();
            let Some(first) = fields.first() else { continue };
            out.push(cx.finding(
                &META,
                obj,
                &FieldPath::root().key("rules").index(i).key(*first),
                format!(
                    "rules[{i}] has `*` in {}: {} ({held})",
                    fields.join(", "),
                    mamori_rbac::rule_text(rule)
                ),
                Some("list the verbs, resources and API groups it needs".into()),
            ));
        }
    }
}
