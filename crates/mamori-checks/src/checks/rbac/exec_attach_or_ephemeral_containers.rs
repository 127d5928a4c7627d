use super::{sub, Capability};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct ExecAttachOrEphemeralContainers;
pub static CHECK: ExecAttachOrEphemeralContainers = ExecAttachOrEphemeralContainers;

static CAPABILITY: Capability = Capability {
    requests: &[
        sub("create", "pods", "exec"),
        sub("get", "pods", "exec"),
        sub("create", "pods", "attach"),
        sub("get", "pods", "attach"),
        sub("patch", "pods", "ephemeralcontainers"),
        sub("update", "pods", "ephemeralcontainers"),
    ],
    does: "run commands in pods (exec, attach or ephemeral containers)",
};

static META: CheckMeta = CheckMeta {
    code: "RBAC004",
    name: "exec-attach-or-ephemeral-containers",
    title: "Subject can exec into, attach to or debug pods",
    severity: Severity::High,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &[
        "MITRE ATT&CK T1609 (Container Administration Command)",
        "CIS Kubernetes 5.1.x",
    ],
    course: Some("ex1-0 (a shell in curl)"),
    doc: r#"## What it finds
A binding that grants `pods/exec` or `pods/attach` (`create`, or `get` for
older websocket clients) or `pods/ephemeralcontainers` (`patch`/`update`, what
`kubectl debug` uses).

## Why it matters
A shell in a pod is everything the pod has: its files, its Secrets, its
network position and its service-account token. Whoever can exec into the pods
of a namespace holds the power of every service account that runs there.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: debugger
  namespace: shop
rules:
- apiGroups: [""]
  resources: ["pods", "pods/exec"]
  verbs: ["get", "create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: oncall-debug
  namespace: shop
subjects:
- kind: Group
  name: oncall
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: debugger
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: debugger
  namespace: shop
rules:
- apiGroups: [""]
  resources: ["pods", "pods/log"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: oncall-debug
  namespace: shop
subjects:
- kind: Group
  name: oncall
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: debugger
```

## Fix
Grant exec only for break-glass access (a separate, audited group), and logs
(`pods/log`) for everyday debugging. Not safe to apply blindly.

## References
- RBAC good practices, workload creation: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation>
- kubectl debug: <https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container>
"#,
};

impl Check for ExecAttachOrEphemeralContainers {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        super::binding_check(cx, &META, obj, &CAPABILITY, "remove `pods/exec`, `pods/attach` and `pods/ephemeralcontainers`; read `pods/log` instead, and keep exec for an audited break-glass group", out);
    }
}
