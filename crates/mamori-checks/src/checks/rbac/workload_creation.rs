use super::{req, Capability};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct WorkloadCreation;
pub static CHECK: WorkloadCreation = WorkloadCreation;

static CAPABILITY: Capability = Capability {
    requests: &[
        req("create", "", "pods", true),
        // Changing a running pod swaps its image (rbac-police `modify_pods`).
        req("update", "", "pods", true),
        req("patch", "", "pods", true),
        req("create", "apps", "deployments", true),
        req("update", "apps", "deployments", true),
        req("patch", "apps", "deployments", true),
        req("create", "apps", "daemonsets", true),
        req("update", "apps", "daemonsets", true),
        req("patch", "apps", "daemonsets", true),
        req("create", "apps", "statefulsets", true),
        req("update", "apps", "statefulsets", true),
        req("patch", "apps", "statefulsets", true),
        req("create", "apps", "replicasets", true),
        req("update", "apps", "replicasets", true),
        req("patch", "apps", "replicasets", true),
        req("create", "batch", "jobs", true),
        req("create", "batch", "cronjobs", true),
        req("update", "batch", "cronjobs", true),
        req("patch", "batch", "cronjobs", true),
        req("create", "", "replicationcontrollers", true),
        req("update", "", "replicationcontrollers", true),
        req("patch", "", "replicationcontrollers", true),
        req("create", "", "podtemplates", true),
    ],
    does: "create or change pods and workloads",
};

static META: CheckMeta = CheckMeta {
    code: "RBAC005",
    name: "workload-creation",
    title: "Subject can create pods or workloads",
    severity: Severity::High,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &["MITRE ATT&CK T1610 (Deploy Container)", "CIS Kubernetes 5.1.4"],
    course: None,
    doc: r#"## What it finds
A binding that lets a subject create or change pods (a patch swaps a running
container's image), or create or change the objects that make pods (Deployments, DaemonSets, StatefulSets, ReplicaSets, Jobs,
CronJobs, ReplicationControllers).

## Why it matters
A pod can name any service account of its namespace and mount any Secret,
ConfigMap or volume there; without Pod Security admission it can also run
privileged on the node. Creating pods in a namespace is holding every service
account's power in it.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ci
  namespace: shop
rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "create", "update"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ci
  namespace: shop
subjects:
- kind: ServiceAccount
  name: ci
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: ci
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ci
  namespace: shop
rules:
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ci
  namespace: shop
subjects:
- kind: ServiceAccount
  name: ci
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: ci
```

## Fix
Keep workload changes with the deployment pipeline's own account, in the
namespaces it deploys to, with Pod Security `restricted` enforced there. Not
safe to apply blindly.

## References
- RBAC good practices, workload creation: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation>
"#,
};

impl Check for WorkloadCreation {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        super::binding_check(cx, &META, obj, &CAPABILITY, "limit pod and workload writes to the deployment pipeline, and enforce Pod Security `restricted` in that namespace", out);
    }
}
