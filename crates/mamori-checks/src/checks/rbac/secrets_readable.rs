use super::{req, Capability};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct SecretsReadable;
pub static CHECK: SecretsReadable = SecretsReadable;

static CAPABILITY: Capability = Capability {
    requests: &[
        req("get", "", "secrets", true),
        req("list", "", "secrets", true),
        req("watch", "", "secrets", true),
    ],
    does: "read Secrets",
};

static META: CheckMeta = CheckMeta {
    code: "RBAC003",
    name: "secrets-readable",
    title: "Subject can read Secrets",
    severity: Severity::High,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &[
        "NSA/CISA: protect Secrets",
        "CIS Kubernetes 5.1.2",
        "MITRE ATT&CK T1552.007 (Container API)",
    ],
    course: Some("ex4 (Secrets)"),
    doc: r#"## What it finds
A binding that lets a service account or a non-system user or group `get`,
`list` or `watch` Secrets without naming them (`resourceNames`).

## Why it matters
Secrets hold tokens, passwords and keys, only base64-encoded. `list` returns
every Secret's data at once, service-account tokens included, so reading
Secrets in a namespace is acting as any account there.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: config-reader
  namespace: shop
rules:
- apiGroups: [""]
  resources: ["configmaps", "secrets"]
  verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: web-config
  namespace: shop
subjects:
- kind: ServiceAccount
  name: web
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: config-reader
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: config-reader
  namespace: shop
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list"]
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: ["web-tls"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: web-config
  namespace: shop
subjects:
- kind: ServiceAccount
  name: web
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: config-reader
```

## Fix
Mount the Secrets the workload needs as volumes instead of reading them
through the API; if it must read them, grant `get` with `resourceNames` for
those Secrets only. Not safe to apply blindly.

## References
- RBAC good practices, Secrets: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets>
"#,
};

impl Check for SecretsReadable {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        super::binding_check(
            cx,
            &META,
            obj,
            &CAPABILITY,
            "grant `get` on the named Secrets only (`resourceNames`), or mount them as volumes",
            out,
        );
    }
}
