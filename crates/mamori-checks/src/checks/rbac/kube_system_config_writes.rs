use super::{req, Capability};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct KubeSystemConfigWrites;
pub static CHECK: KubeSystemConfigWrites = KubeSystemConfigWrites;

static CAPABILITY: Capability = Capability {
    requests: &[
        req("create", "", "configmaps", true),
        req("update", "", "configmaps", true),
        req("patch", "", "configmaps", true),
        req("delete", "", "configmaps", true),
        req("create", "", "secrets", true),
        req("update", "", "secrets", true),
        req("patch", "", "secrets", true),
        req("delete", "", "secrets", true),
    ],
    does: "write kube-system's ConfigMaps or Secrets",
};

const HINT: &str = "keep kube-system's configuration with the cluster's installation pipeline";

static META: CheckMeta = CheckMeta {
    code: "RBAC022",
    name: "kube-system-config-writes",
    title: "Subject can write ConfigMaps or Secrets in kube-system",
    severity: Severity::High,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &["MITRE ATT&CK T1098 (Account Manipulation)", "CIS Kubernetes 5.1.x"],
    course: None,
    doc: r#"## What it finds
A binding that lets a person or workload create, change or delete
ConfigMaps or Secrets in `kube-system`: a RoleBinding there, or a
ClusterRoleBinding (which reaches every namespace).

## Why it matters
`kube-system` holds the cluster's own configuration: EKS's `aws-auth`
ConfigMap (map an IAM role to `system:masters`), CoreDNS's `Corefile`
(redirect any name), `kube-proxy` and `kubeadm-config`, and the
service-account token Secrets of the system controllers (a new
`kubernetes.io/service-account-token` Secret mints a token for any account
there).

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: kube-config-editor
  namespace: kube-system
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "update", "patch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: alice-kube-config-editor
  namespace: kube-system
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: kube-config-editor
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: shop-config-editor
  namespace: shop
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "update", "patch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: alice-shop-config-editor
  namespace: shop
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: shop-config-editor
```

## Fix
Change kube-system from the installation pipeline only; on EKS use access
entries instead of `aws-auth`. Not safe to apply blindly.

## References
- EKS access entries: <https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html>
- RBAC good practices: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/>
"#,
};

impl Check for KubeSystemConfigWrites {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        // Only kube-system counts: a RoleBinding elsewhere writes elsewhere.
        let Some(b) = super::binding_view(cx, obj) else { return };
        if b.cluster || b.namespace.as_deref() == Some("kube-system") {
            super::binding_check(cx, &META, obj, &CAPABILITY, HINT, out);
        }
    }
}
