use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{FieldPath, Node};
use mamori_source::yaml::{parse_documents, Limits};

pub struct AwsAuthMapsToSystemMasters;
pub static CHECK: AwsAuthMapsToSystemMasters = AwsAuthMapsToSystemMasters;

static META: CheckMeta = CheckMeta {
    code: "RBAC012",
    name: "aws-auth-maps-to-system-masters",
    title: "EKS aws-auth ConfigMap maps an IAM identity to system:masters",
    severity: Severity::High,
    selects: Selects::Objects(&["ConfigMap"]),
    mappings: &["MITRE ATT&CK T1078.004 (Cloud Accounts)"],
    course: None,
    doc: r#"## What it finds
The EKS `aws-auth` ConfigMap in `kube-system` whose `mapRoles` or
`mapUsers` put an IAM role or user into the `system:masters` group.

## Why it matters
`system:masters` is allowed everything before RBAC is even asked, and no
RBAC object shows it: `kubectl auth can-i` and RBAC reviews miss it. Anyone
who can assume that IAM role, or edit this ConfigMap, is cluster-admin for
good (a member of `system:masters` cannot be restricted by RBAC).

## Example
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/ci-deployer
      username: ci-deployer
      groups:
      - system:masters
```

## Use instead
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/ci-deployer
      username: ci-deployer
      groups:
      - ci-deployers
```

## Fix
Map the IAM identity to a group of your own and bind that group a Role or
ClusterRole with what it needs; on current EKS prefer access entries and
access policies over `aws-auth`. Not safe to apply blindly.

## References
- EKS, grant IAM users access to Kubernetes: <https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html>
- EKS best practices, IAM: <https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html>
"#,
};

impl Check for AwsAuthMapsToSystemMasters {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        if o.name != "aws-auth" || o.effective_namespace.as_deref() != Some("kube-system") {
            return;
        }
        let Some(data) = o.stored.get("data") else { return };
        for (key, id_field) in [("mapRoles", "rolearn"), ("mapUsers", "userarn")] {
            let Some(text) = data.str_field(key) else { continue };
            // The value is itself YAML: a list of mappings.
            let entries: Vec<Node> = parse_documents(text, Limits::default())
                .into_iter()
                .filter_map(|d| d.ok().and_then(|d| d.node))
                .filter_map(|n| n.as_seq().map(<[Node]>::to_vec))
                .flatten()
                .collect();
            for e in entries {
                let masters = e
                    .get("groups")
                    .and_then(Node::as_seq)
                    .is_some_and(|g| g.iter().any(|g| g.as_str() == Some("system:masters")));
                if !masters {
                    continue;
                }
                let id = e.str_field(id_field).unwrap_or("(no ARN)");
                let user = e.str_field("username").unwrap_or("(no username)");
                out.push(cx.finding(
                    &META,
                    obj,
                    &FieldPath::root().key("data").key(key),
                    format!(
                        "{key} puts {id} (username {user}) in system:masters: cluster-admin that no RBAC binding shows and RBAC cannot restrict"
                    ),
                    Some("map it to a group of your own and bind that group the role it needs".into()),
                ));
            }
        }
    }
}
