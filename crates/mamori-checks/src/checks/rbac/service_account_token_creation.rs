use super::{sub, Capability};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct ServiceAccountTokenCreation;
pub static CHECK: ServiceAccountTokenCreation = ServiceAccountTokenCreation;

static CAPABILITY: Capability = Capability {
    requests: &[sub("create", "serviceaccounts", "token")],
    does: "create tokens for service accounts",
};

static META: CheckMeta = CheckMeta {
    code: "RBAC007",
    name: "service-account-token-creation",
    title: "Subject can mint service-account tokens",
    severity: Severity::High,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &["MITRE ATT&CK T1528 (Steal Application Access Token)"],
    course: None,
    doc: r#"## What it finds
A binding that grants `create` on `serviceaccounts/token`, the TokenRequest
API.

## Why it matters
A TokenRequest returns a fresh, valid token for any service account the
subject can name in that namespace: it can act as each of them, the most
powerful one included.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: token-minter
  namespace: kube-system
rules:
- apiGroups: [""]
  resources: ["serviceaccounts/token"]
  verbs: ["create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ci-tokens
  namespace: kube-system
subjects:
- kind: ServiceAccount
  name: ci
  namespace: tools
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: token-minter
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: token-minter
  namespace: kube-system
rules:
- apiGroups: [""]
  resources: ["serviceaccounts/token"]
  resourceNames: ["deploy-bot"]
  verbs: ["create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ci-tokens
  namespace: kube-system
subjects:
- kind: ServiceAccount
  name: ci
  namespace: tools
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: token-minter
```

## Fix
Restrict token creation to the one service account it is for with
`resourceNames`, or let pods get their tokens through projected volumes. Not
safe to apply blindly.

## References
- TokenRequest: <https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/>
"#,
};

impl Check for ServiceAccountTokenCreation {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        super::binding_check(
            cx,
            &META,
            obj,
            &CAPABILITY,
            "restrict `serviceaccounts/token` to the account it is for with `resourceNames`",
            out,
        );
    }
}
