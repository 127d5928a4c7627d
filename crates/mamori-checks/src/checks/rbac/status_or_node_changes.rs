use super::{Capability, Req};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct StatusOrNodeChanges;
pub static CHECK: StatusOrNodeChanges = StatusOrNodeChanges;

static CAPABILITY: Capability = Capability {
    requests: &[
        Req {
            verb: "update",
            group: "",
            resource: "pods",
            subresource: "status",
            namespaced: true,
        },
        Req {
            verb: "patch",
            group: "",
            resource: "pods",
            subresource: "status",
            namespaced: true,
        },
        Req {
            verb: "update",
            group: "",
            resource: "services",
            subresource: "status",
            namespaced: true,
        },
        Req {
            verb: "patch",
            group: "",
            resource: "services",
            subresource: "status",
            namespaced: true,
        },
        Req {
            verb: "update",
            group: "",
            resource: "nodes",
            subresource: "status",
            namespaced: false,
        },
        Req {
            verb: "patch",
            group: "",
            resource: "nodes",
            subresource: "status",
            namespaced: false,
        },
        Req {
            verb: "update",
            group: "",
            resource: "nodes",
            subresource: "",
            namespaced: false,
        },
        Req {
            verb: "patch",
            group: "",
            resource: "nodes",
            subresource: "",
            namespaced: false,
        },
    ],
    does: "rewrite pod, service or node status, or nodes (traffic and scheduling)",
};

const HINT: &str =
    "leave status to the kubelet and controllers that own it, and node changes to the node lifecycle tooling";

static META: CheckMeta = CheckMeta {
    code: "RBAC019",
    name: "status-or-node-changes",
    title: "Subject can rewrite pod, service or node status, or nodes",
    severity: Severity::Medium,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &["MITRE ATT&CK T1557 (Adversary-in-the-Middle)"],
    course: None,
    doc: r#"## What it finds
A binding that lets a person or workload update or patch `pods/status`,
`services/status` or `nodes/status`, or nodes themselves.

## Why it matters
Status is what the rest of the cluster believes. A rewritten pod status (its
IP, its readiness) makes Services send traffic to it; `services/status`
sets a LoadBalancer ingress IP and intercepts traffic to that IP from the
whole cluster (CVE-2020-8554); node labels, taints and cordoning steer
powerful pods onto a node the changer controls.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: status-writer
rules:
- apiGroups: [""]
  resources: ["pods/status", "services/status"]
  verbs: ["get", "patch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: alice-status-writer
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: status-writer
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: status-reader
rules:
- apiGroups: [""]
  resources: ["pods/status", "services/status", "nodes/status"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: alice-status-reader
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: status-reader
```

## Fix
Only the kubelet, the controllers and the node lifecycle tooling need to
write these. Not safe to apply blindly.

## References
- CVE-2020-8554: <https://github.com/kubernetes/kubernetes/issues/97076>
- RBAC good practices: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/>
"#,
};

impl Check for StatusOrNodeChanges {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        super::binding_check(cx, &META, obj, &CAPABILITY, HINT, out);
    }
}
