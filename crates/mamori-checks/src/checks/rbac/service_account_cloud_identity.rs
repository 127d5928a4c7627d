use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{FieldPath, Node};

pub struct ServiceAccountCloudIdentity;
pub static CHECK: ServiceAccountCloudIdentity = ServiceAccountCloudIdentity;

/// Annotations that link a service account to a cloud identity.
const CLOUD_ANNOTATIONS: &[(&str, &str)] = &[
    ("eks.amazonaws.com/role-arn", "AWS IAM role (EKS IRSA)"),
    (
        "iam.gke.io/gcp-service-account",
        "Google Cloud service account (GKE Workload Identity)",
    ),
    (
        "azure.workload.identity/client-id",
        "Azure managed identity (Workload Identity)",
    ),
];

static META: CheckMeta = CheckMeta {
    code: "RBAC013",
    name: "service-account-cloud-identity",
    title: "Service account linked to a cloud IAM identity",
    severity: Severity::Medium,
    selects: Selects::Objects(&["ServiceAccount"]),
    mappings: &["MITRE ATT&CK T1078.004 (Cloud Accounts)"],
    course: None,
    doc: r#"## What it finds
A ServiceAccount annotated with a cloud identity: `eks.amazonaws.com/role-arn`
(EKS IAM roles for service accounts), `iam.gke.io/gcp-service-account` (GKE
Workload Identity) or `azure.workload.identity/client-id` (Azure Workload
Identity). The finding counts the pods in the input that run as it.

## Why it matters
Every pod running as this account can exchange its token for the cloud
identity's credentials: the account's power reaches beyond the cluster
(buckets, databases, other clusters). Who can create pods or mint tokens for
this account in its namespace holds that cloud identity too.

## Example
```yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: uploader
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/s3-uploader
```

## Use instead
```yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: uploader
  namespace: shop
```

## Fix
Keep the annotation only on accounts that need the cloud identity, give that
identity the narrowest cloud policy, and make sure few subjects can create
pods or tokens in the namespace (RBAC005, RBAC007). Review, do not remove
blindly: the workload loses its cloud access.

## References
- EKS IAM roles for service accounts: <https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html>
- GKE Workload Identity: <https://cloud.google.com/kubernetes-engine/docs/concepts/workload-identity>
"#,
};

impl Check for ServiceAccountCloudIdentity {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        let ns = o.effective_namespace.clone().unwrap_or_default();
        for (key, what) in CLOUD_ANNOTATIONS {
            let Some(identity) = o.annotation(key) else { continue };
            let pods = cx
                .inventory
                .pod_specs
                .iter()
                .filter(|v| {
                    let p = &cx.inventory.objects[v.object];
                    p.effective_namespace.as_deref() == Some(ns.as_str())
                        && v.spec(p)
                            .and_then(|s| s.field("serviceAccountName").and_then(Node::as_str))
                            == Some(o.name.as_str())
                })
                .count();
            out.push(cx.finding(
                &META,
                obj,
                &FieldPath::root().key("metadata").key("annotations").key(*key),
                format!(
                    "ServiceAccount {ns}/{} acts as {what} {identity}; {pods} pod template(s) in the input run as it",
                    o.name
                ),
                Some("give the cloud identity the narrowest policy, and limit who can create pods or tokens in this namespace".into()),
            ));
        }
    }
}
