use super::{req, Capability};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct PersistentVolumeChanges;
pub static CHECK: PersistentVolumeChanges = PersistentVolumeChanges;

static CAPABILITY: Capability = Capability {
    requests: &[
        req("create", "", "persistentvolumes", false),
        req("update", "", "persistentvolumes", false),
        req("patch", "", "persistentvolumes", false),
    ],
    does: "create or change PersistentVolumes (a hostPath volume is any directory of a node)",
};

const HINT: &str =
    "leave PersistentVolumes to the storage provisioner and let workloads claim storage with PersistentVolumeClaims";

static META: CheckMeta = CheckMeta {
    code: "RBAC016",
    name: "persistent-volume-changes",
    title: "Subject can create or change PersistentVolumes",
    severity: Severity::High,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &["MITRE ATT&CK T1611 (Escape to Host)"],
    course: None,
    doc: r#"## What it finds
A binding that lets a person or workload create, update or patch
PersistentVolumes (cluster-scoped, so only through a ClusterRoleBinding).

## Why it matters
A PersistentVolume can be a `hostPath` on a node, `/` included. Whoever can
create one and claim it mounts the node's filesystem into a pod, even where
Pod Security forbids `hostPath` volumes in pods: the pod only names a claim.
It can also be bound ahead of time to another namespace's claim and receive
that namespace's data.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: storage-admin
rules:
- apiGroups: [""]
  resources: ["persistentvolumes"]
  verbs: ["get", "list", "create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: alice-storage-admin
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: storage-admin
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: storage-user
  namespace: shop
rules:
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get", "list", "create"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: alice-storage-user
  namespace: shop
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: storage-user
```

## Fix
Let a storage provisioner (a CSI driver's controller) create
PersistentVolumes; people and workloads create PersistentVolumeClaims in
their namespaces. Not safe to apply blindly: static provisioning stops.

## References
- Persistent volumes: <https://kubernetes.io/docs/concepts/storage/persistent-volumes/>
- RBAC good practices, persistent volume creation: <https://kubernetes.io/docs/concepts/security/rbac-good-practices/#persistent-volume-creation>
"#,
};

impl Check for PersistentVolumeChanges {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        super::binding_check(cx, &META, obj, &CAPABILITY, HINT, out);
    }
}
