use super::{req, Capability};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct EventDeletion;
pub static CHECK: EventDeletion = EventDeletion;

static CAPABILITY: Capability = Capability {
    requests: &[
        req("delete", "", "events", true),
        req("deletecollection", "", "events", true),
        req("delete", "events.k8s.io", "events", true),
        req("deletecollection", "events.k8s.io", "events", true),
    ],
    does: "delete Events (the cluster's record of what happened)",
};

const HINT: &str = "let Events expire on their own (the API server's --event-ttl); give people read access";

static META: CheckMeta = CheckMeta {
    code: "RBAC021",
    name: "event-deletion",
    title: "Subject can delete Events",
    severity: Severity::Low,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &["MITRE ATT&CK T1070 (Indicator Removal)"],
    course: None,
    doc: r#"## What it finds
A binding that lets a person or workload delete Events (core or
`events.k8s.io`), one by one or by collection. The default `edit` and
`admin` ClusterRoles include it. Creating and patching Events is not
reported: every controller's event recorder does both.

## Why it matters
Events are often the only trace of what happened in a namespace: failed
mounts, image pulls, evictions, a pod that came and went. Deleting them
hides an intrusion from whoever looks with `kubectl get events` (the audit
log, when there is one, still has it).

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: event-janitor
rules:
- apiGroups: [""]
  resources: ["events"]
  verbs: ["list", "delete", "deletecollection"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: alice-event-janitor
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: event-janitor
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: event-viewer
rules:
- apiGroups: [""]
  resources: ["events"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: alice-event-viewer
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: event-viewer
```

## Fix
Nobody needs to delete Events: they expire after the API server's
`--event-ttl` (one hour by default). Safe to apply.

## References
- Event API: <https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/>
"#,
};

impl Check for EventDeletion {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        super::binding_check(cx, &META, obj, &CAPABILITY, HINT, out);
    }
}
