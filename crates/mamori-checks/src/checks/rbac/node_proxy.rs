use super::{Capability, Req};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct NodeProxy;
pub static CHECK: NodeProxy = NodeProxy;

static CAPABILITY: Capability = Capability {
    requests: &[
        Req {
            verb: "get",
            group: "",
            resource: "nodes",
            subresource: "proxy",
            namespaced: false,
        },
        Req {
            verb: "create",
            group: "",
            resource: "nodes",
            subresource: "proxy",
            namespaced: false,
        },
    ],
    does: "reach every kubelet's API through nodes/proxy",
};

static META: CheckMeta = CheckMeta {
    code: "RBAC008",
    name: "node-proxy",
    title: "Subject can use the nodes/proxy subresource",
    severity: Severity::Critical,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &["MITRE ATT&CK T1609 (Container Administration Command)"],
    course: None,
    doc: r#"## What it finds
A ClusterRoleBinding that grants `get` or `create` on `nodes/proxy`.

## Why it matters
`nodes/proxy` forwards to the kubelet API of any node, which runs commands in
any container on it (`/exec`, `/run`) and, with `get` alone over websockets,
is reported to allow that too. The kubelet's requests bypass admission control
and are not in the API server's audit log as pod exec.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: node-metrics
rules:
- apiGroups: [""]
  resources: ["nodes/proxy", "nodes/metrics"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: monitoring
subjects:
- kind: ServiceAccount
  name: prometheus
  namespace: monitoring
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: node-metrics
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: node-metrics
rules:
- apiGroups: [""]
  resources: ["nodes/metrics"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: monitoring
subjects:
- kind: ServiceAccount
  name: prometheus
  namespace: monitoring
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: node-metrics
```

## Fix
Grant the fine-grained kubelet subresources instead (`nodes/metrics`,
`nodes/stats`, `nodes/log`). Not safe to apply blindly.

## References
- Kubelet authorization: <https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/#kubelet-authorization>
- RBAC good practices: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#access-to-proxy-subresource-of-nodes>
"#,
};

impl Check for NodeProxy {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        super::binding_check(
            cx,
            &META,
            obj,
            &CAPABILITY,
            "grant `nodes/metrics` or `nodes/stats` instead of `nodes/proxy`",
            out,
        );
    }
}
