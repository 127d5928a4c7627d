use super::{Capability, Req};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct CsrApproval;
pub static CHECK: CsrApproval = CsrApproval;

static CAPABILITY: Capability = Capability {
    requests: &[
        Req {
            verb: "update",
            group: "certificates.k8s.io",
            resource: "certificatesigningrequests",
            subresource: "approval",
            namespaced: false,
        },
        Req {
            verb: "approve",
            group: "certificates.k8s.io",
            resource: "signers",
            subresource: "",
            namespaced: false,
        },
    ],
    does: "approve certificate signing requests",
};

static META: CheckMeta = CheckMeta {
    code: "RBAC009",
    name: "csr-approval",
    title: "Subject can approve certificate signing requests",
    severity: Severity::High,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &["MITRE ATT&CK T1649 (Steal or Forge Authentication Certificates)"],
    course: None,
    doc: r#"## What it finds
A ClusterRoleBinding that grants `update` on
`certificatesigningrequests/approval` or `approve` on `signers`.

## Why it matters
An approved CSR for the `kubernetes.io/kube-apiserver-client` signer is a
client certificate for any user name and group, `system:masters` included: a
subject that can create and approve CSRs can mint itself cluster-admin.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: csr-approver
rules:
- apiGroups: ["certificates.k8s.io"]
  resources: ["certificatesigningrequests", "certificatesigningrequests/approval"]
  verbs: ["get", "list", "update"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: csr-approver
subjects:
- kind: ServiceAccount
  name: approver
  namespace: tools
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: csr-approver
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: csr-approver
rules:
- apiGroups: ["certificates.k8s.io"]
  resources: ["certificatesigningrequests"]
  verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: csr-approver
subjects:
- kind: ServiceAccount
  name: approver
  namespace: tools
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: csr-approver
```

## Fix
Leave approval to the controller manager's built-in approvers; if a controller
must approve, restrict `approve` on `signers` to its signer name with
`resourceNames`. Not safe to apply blindly.

## References
- Certificate signing requests, authorization: <https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization>
"#,
};

impl Check for CsrApproval {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        super::binding_check(cx, &META, obj, &CAPABILITY, "restrict `approve` on `signers` to one signer with `resourceNames`, and drop `certificatesigningrequests/approval` where it is not needed", out);
    }
}
