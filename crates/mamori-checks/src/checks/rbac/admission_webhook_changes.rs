use super::{req, Capability};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct AdmissionWebhookChanges;
pub static CHECK: AdmissionWebhookChanges = AdmissionWebhookChanges;

static CAPABILITY: Capability = Capability {
    requests: &[
        req(
            "create",
            "admissionregistration.k8s.io",
            "mutatingwebhookconfigurations",
            false,
        ),
        req(
            "update",
            "admissionregistration.k8s.io",
            "mutatingwebhookconfigurations",
            false,
        ),
        req(
            "patch",
            "admissionregistration.k8s.io",
            "mutatingwebhookconfigurations",
            false,
        ),
        req(
            "delete",
            "admissionregistration.k8s.io",
            "mutatingwebhookconfigurations",
            false,
        ),
        req(
            "create",
            "admissionregistration.k8s.io",
            "validatingwebhookconfigurations",
            false,
        ),
        req(
            "update",
            "admissionregistration.k8s.io",
            "validatingwebhookconfigurations",
            false,
        ),
        req(
            "patch",
            "admissionregistration.k8s.io",
            "validatingwebhookconfigurations",
            false,
        ),
        req(
            "delete",
            "admissionregistration.k8s.io",
            "validatingwebhookconfigurations",
            false,
        ),
        req(
            "update",
            "admissionregistration.k8s.io",
            "validatingadmissionpolicies",
            false,
        ),
        req(
            "delete",
            "admissionregistration.k8s.io",
            "validatingadmissionpolicies",
            false,
        ),
        req(
            "delete",
            "admissionregistration.k8s.io",
            "validatingadmissionpolicybindings",
            false,
        ),
    ],
    does: "change admission webhooks or admission policies",
};

static META: CheckMeta = CheckMeta {
    code: "RBAC010",
    name: "admission-webhook-changes",
    title: "Subject can change admission webhooks or policies",
    severity: Severity::Critical,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &["MITRE ATT&CK T1562 (Impair Defenses)"],
    course: None,
    doc: r#"## What it finds
A ClusterRoleBinding that lets a subject create, change or delete mutating or
validating webhook configurations, or change or delete
ValidatingAdmissionPolicies and their bindings.

## Why it matters
Admission control is where policy is enforced. A mutating webhook sees and can
rewrite every object sent to the API server, Secrets included; deleting a
validating webhook or policy switches a guard off without a trace in any
workload.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: webhook-admin
rules:
- apiGroups: ["admissionregistration.k8s.io"]
  resources: ["mutatingwebhookconfigurations"]
  verbs: ["get", "list", "patch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: cert-injector
subjects:
- kind: ServiceAccount
  name: injector
  namespace: tools
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: webhook-admin
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: webhook-admin
rules:
- apiGroups: ["admissionregistration.k8s.io"]
  resources: ["mutatingwebhookconfigurations"]
  resourceNames: ["injector-webhook"]
  verbs: ["get", "patch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: cert-injector
subjects:
- kind: ServiceAccount
  name: injector
  namespace: tools
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: webhook-admin
```

## Fix
Restrict webhook updates to the controller's own configuration with
`resourceNames` (what cert injectors need), and keep create and delete with
cluster administrators. Not safe to apply blindly.

## References
- Dynamic admission control: <https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/>
- RBAC good practices: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#control-admission-webhooks>
"#,
};

impl Check for AdmissionWebhookChanges {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        super::binding_check(
            cx,
            &META,
            obj,
            &CAPABILITY,
            "restrict the verbs to the controller's own webhook configuration with `resourceNames`",
            out,
        );
    }
}
