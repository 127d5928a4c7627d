use super::{req, Capability};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};

pub struct PolicyEngineChanges;
pub static CHECK: PolicyEngineChanges = PolicyEngineChanges;

static CAPABILITY: Capability = Capability {
    requests: &[
        req("create", "templates.gatekeeper.sh", "constrainttemplates", false),
        req("update", "templates.gatekeeper.sh", "constrainttemplates", false),
        req("patch", "templates.gatekeeper.sh", "constrainttemplates", false),
        req("delete", "templates.gatekeeper.sh", "constrainttemplates", false),
        req("create", "mutations.gatekeeper.sh", "assign", false),
        req("update", "mutations.gatekeeper.sh", "assign", false),
        req("patch", "mutations.gatekeeper.sh", "assign", false),
        req("delete", "mutations.gatekeeper.sh", "assign", false),
        req("create", "mutations.gatekeeper.sh", "assignmetadata", false),
        req("update", "mutations.gatekeeper.sh", "assignmetadata", false),
        req("patch", "mutations.gatekeeper.sh", "assignmetadata", false),
        req("delete", "mutations.gatekeeper.sh", "assignmetadata", false),
        req("create", "mutations.gatekeeper.sh", "modifyset", false),
        req("update", "mutations.gatekeeper.sh", "modifyset", false),
        req("patch", "mutations.gatekeeper.sh", "modifyset", false),
        req("delete", "mutations.gatekeeper.sh", "modifyset", false),
        req("create", "config.gatekeeper.sh", "configs", true),
        req("update", "config.gatekeeper.sh", "configs", true),
        req("patch", "config.gatekeeper.sh", "configs", true),
        req("delete", "config.gatekeeper.sh", "configs", true),
        req("create", "kyverno.io", "clusterpolicies", false),
        req("update", "kyverno.io", "clusterpolicies", false),
        req("patch", "kyverno.io", "clusterpolicies", false),
        req("delete", "kyverno.io", "clusterpolicies", false),
        req("create", "kyverno.io", "policies", true),
        req("update", "kyverno.io", "policies", true),
        req("patch", "kyverno.io", "policies", true),
        req("delete", "kyverno.io", "policies", true),
        req("create", "kyverno.io", "policyexceptions", true),
        req("update", "kyverno.io", "policyexceptions", true),
        req("patch", "kyverno.io", "policyexceptions", true),
        req("delete", "kyverno.io", "policyexceptions", true),
    ],
    does: "change Gatekeeper or Kyverno policies (what admission lets through)",
};

const HINT: &str = "keep policy changes with the platform team's pipeline; give others read access";

static META: CheckMeta = CheckMeta {
    code: "RBAC018",
    name: "policy-engine-changes",
    title: "Subject can change Gatekeeper or Kyverno policies",
    severity: Severity::High,
    selects: Selects::Objects(&["RoleBinding", "ClusterRoleBinding"]),
    mappings: &["MITRE ATT&CK T1562.001 (Impair Defenses)"],
    course: None,
    doc: r#"## What it finds
A binding that lets a person or workload create, change or delete the
policies of an admission policy engine: Gatekeeper ConstraintTemplates,
mutators (Assign, AssignMetadata, ModifySet) and its Config, Kyverno
ClusterPolicies, Policies and PolicyExceptions. Kubernetes' own admission
webhooks and ValidatingAdmissionPolicies are RBAC010's.

## Why it matters
These engines are where the cluster's rules live: no privileged pods, only
signed images, required labels. Whoever may edit them may switch a rule off
(or exempt themselves with a PolicyException) and then do what it forbade; a
mutating policy can also rewrite every admitted object.

## Example
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: policy-author
rules:
- apiGroups: ["kyverno.io"]
  resources: ["clusterpolicies", "policies"]
  verbs: ["get", "list", "create", "update", "delete"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: alice-policy-author
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: policy-author
```

## Use instead
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: policy-viewer
rules:
- apiGroups: ["kyverno.io"]
  resources: ["clusterpolicies", "policies", "policyreports"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: alice-policy-viewer
subjects:
- kind: User
  name: alice
  apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: policy-viewer
```

## Fix
Change policies from the platform team's pipeline; give developers read
access to policies and reports. Not safe to apply blindly.

## References
- Gatekeeper: <https://open-policy-agent.github.io/gatekeeper/website/docs/constrainttemplates>
- Kyverno policy exceptions: <https://kyverno.io/docs/exceptions/>
"#,
};

impl Check for PolicyEngineChanges {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        super::binding_check(cx, &META, obj, &CAPABILITY, HINT, out);
    }
}
