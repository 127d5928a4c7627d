use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{Node, PodSpecView};

pub struct ServiceAccountTokenAutomounted;
pub static CHECK: ServiceAccountTokenAutomounted = ServiceAccountTokenAutomounted;

static META: CheckMeta = CheckMeta {
    code: "POD023",
    name: "service-account-token-automounted",
    title: "Service-account token mounted into the pod",
    severity: Severity::Medium,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: disable automounting of service account tokens",
        "CIS Kubernetes 5.1.6",
        "MITRE ATT&CK T1528 (steal application access token)",
    ],
    course: Some("ex1-1"),
    doc: r#"## What it finds
A pod spec whose service-account token is mounted: neither the pod nor its
ServiceAccount (when it is in the input) sets
`automountServiceAccountToken: false`. The pod's setting wins over the
account's.

## Why it matters
The token sits at `/var/run/secrets/kubernetes.io/serviceaccount/token` in
every container: a shell in any of them, through an exploit or `kubectl
exec`, holds whatever the account may do. In the course, the curl pod
carries `sa-admin`'s token, bound to cluster-admin. Most applications never
call the Kubernetes API and need no token.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  serviceAccountName: app
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
Set `automountServiceAccountToken: false` on the pod (or on the
ServiceAccount, for every pod that uses it). A workload that does call the
API keeps the token and gets a least-privilege Role (`mamori rbac`).

`mamori fix` applies this where nothing suggests API access: not when the
pod sets `automountServiceAccountToken: true`, names a service account other
than `default`, or its account is bound to a role in the same file.

## References
- Opt out of API credential automounting: <https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting>
"#,
};

impl Check for ServiceAccountTokenAutomounted {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        let obj = &cx.inventory.objects[view.object];
        let Some(spec) = view.spec(obj) else { return };
        match spec.get("automountServiceAccountToken").and_then(Node::as_bool) {
            Some(false) => return,
            Some(true) => {
                out.push(cx.finding(
                    &META,
                    view.object,
                    &view.spec_path.key("automountServiceAccountToken"),
                    format!(
                        "{} {:?} mounts its service-account token explicitly",
                        obj.kind, obj.name
                    ),
                    Some("set `automountServiceAccountToken: false` unless it calls the Kubernetes API".into()),
                ));
                return;
            }
            None => {}
        }
        let sa = spec
            .str_field("serviceAccountName")
            .filter(|s| !s.is_empty())
            .unwrap_or("default");
        let ns = obj.effective_namespace.as_deref().unwrap_or("default");
        let account = cx.inventory.get("ServiceAccount", ns, sa);
        if account
            .and_then(|a| a.stored.get("automountServiceAccountToken"))
            .and_then(Node::as_bool)
            == Some(false)
        {
            return;
        }
        let why = if account.is_some() {
            format!("neither it nor ServiceAccount {sa:?} disables automounting")
        } else {
            format!("it does not disable automounting (ServiceAccount {sa:?} is not in the input)")
        };
        out.push(cx.finding(
            &META,
            view.object,
            &view.spec_path,
            format!(
                "{} {:?} mounts the token of service account {sa:?}: {why}",
                obj.kind, obj.name
            ),
            Some("set `automountServiceAccountToken: false` unless it calls the Kubernetes API".into()),
        ));
    }
}
