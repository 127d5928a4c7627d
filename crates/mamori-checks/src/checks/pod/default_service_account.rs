use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::PodSpecView;

pub struct DefaultServiceAccount;
pub static CHECK: DefaultServiceAccount = DefaultServiceAccount;

static META: CheckMeta = CheckMeta {
    code: "POD022",
    name: "default-service-account",
    title: "Runs as the namespace's default service account",
    severity: Severity::Low,
    selects: Selects::PodSpecs,
    mappings: &["NSA/CISA: least privilege for service accounts", "CIS Kubernetes 5.1.5"],
    course: Some("ex1-1"),
    doc: r#"## What it finds
A pod spec without `serviceAccountName` (or with `default`), whose token is
mounted (see POD023 for the mount).

## Why it matters
Every pod of the namespace that names no account shares `default`, so a
permission granted to `default` for one workload reaches all of them, and
audit logs cannot tell them apart. A dedicated account per workload keeps
RBAC grants and their blast radius to that workload.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  serviceAccountName: app
  automountServiceAccountToken: false
  containers:
  - name: app
    image: registry.example/app:1.0
```

## Fix
Create a ServiceAccount per workload and set `serviceAccountName`; if the
workload does not call the Kubernetes API, also set
`automountServiceAccountToken: false`.

## References
- Configure service accounts for pods: <https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/>
"#,
};

impl Check for DefaultServiceAccount {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        let obj = &cx.inventory.objects[view.object];
        let Some(spec) = view.spec(obj) else { return };
        let name = spec.str_field("serviceAccountName").filter(|s| !s.is_empty());
        if name.is_some_and(|n| n != "default") {
            return;
        }
        // Without a token the account's permissions are out of reach.
        if spec.get("automountServiceAccountToken").and_then(|b| b.as_bool()) == Some(false) {
            return;
        }
        let field = match name {
            Some(_) => view.spec_path.key("serviceAccountName"),
            None => view.spec_path.clone(),
        };
        out.push(cx.finding(
            &META,
            view.object,
            &field,
            format!(
                "{} {:?} runs as the default service account of namespace {:?}, shared by every pod that names none",
                obj.kind,
                obj.name,
                obj.effective_namespace.as_deref().unwrap_or("default")
            ),
            Some("create a ServiceAccount for this workload and set `serviceAccountName`".into()),
        ));
    }
}
