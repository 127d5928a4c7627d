use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::PodSpecView;

pub struct WorkloadInKubeSystem;
pub static CHECK: WorkloadInKubeSystem = WorkloadInKubeSystem;

static META: CheckMeta = CheckMeta {
    code: "POD041",
    name: "workload-in-kube-system",
    title: "Workload written into kube-system",
    severity: Severity::Low,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: namespaces to isolate resources",
        "MITRE ATT&CK T1078.001 (valid accounts: default accounts)",
        "Trivy KSV037",
    ],
    course: None,
    doc: r#"## What it finds
A Pod or workload whose manifest says `namespace: kube-system`.

## Why it matters
`kube-system` holds the cluster's own components and their service
accounts, several of which may create pods, read Secrets or edit nodes. A
pod there may mount the token of any service account of the namespace and
is reachable by whoever can exec into or create pods in `kube-system`,
which RBAC reviews treat as cluster-admin equivalent. An application there
shares that blast radius: a compromise of it is one `serviceAccountName`
away from the control plane's permissions, and admins tend to exclude
`kube-system` from Pod Security enforcement and policy engines. Add-ons
that must live there (a CNI, DNS, a CSI driver) are expected; suppress the
check for them with the reason.

## Example
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reporting
  namespace: kube-system
spec:
  selector:
    matchLabels:
      app: reporting
  template:
    metadata:
      labels:
        app: reporting
    spec:
      containers:
      - name: reporting
        image: registry.example/reporting:1.0
```

## Use instead
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reporting
  namespace: reporting
spec:
  selector:
    matchLabels:
      app: reporting
  template:
    metadata:
      labels:
        app: reporting
    spec:
      containers:
      - name: reporting
        image: registry.example/reporting:1.0
```

## Fix
Move the workload to a namespace of its own, with its own service account
and only the cluster permissions it needs. Not applied automatically: its
RBAC bindings and clients refer to the namespace.

## References
- Namespaces, initial namespaces: <https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces>
- RBAC good practices (kube-system): <https://kubernetes.io/docs/concepts/security/rbac-good-practices/>
"#,
};

impl Check for WorkloadInKubeSystem {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        super::written_into(
            cx,
            view,
            &META,
            "kube-system",
            "runs in kube-system, beside the control plane's service accounts and usually outside Pod Security enforcement",
            "give it a namespace of its own (suppress with a reason for cluster add-ons that belong there)",
            out,
        );
    }
}
