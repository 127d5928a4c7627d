use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::PodSpecView;

pub struct WorkloadInDefaultNamespace;
pub static CHECK: WorkloadInDefaultNamespace = WorkloadInDefaultNamespace;

static META: CheckMeta = CheckMeta {
    code: "POD031",
    name: "workload-in-default-namespace",
    title: "Workload written into the default namespace",
    severity: Severity::Low,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: namespaces to isolate resources",
        "CIS Kubernetes 5.7.4 (the default namespace should not be used)",
        "Checkov CKV_K8S_21; kubescape C-0061; Trivy KSV110",
    ],
    course: None,
    doc: r#"## What it finds
A Pod or workload whose manifest says `namespace: default`. A manifest that
names no namespace is not reported: it lands in whatever namespace it is
applied to (`kubectl -n`, Kustomize's `namespace:`, Helm's `--namespace`),
and mamori notes on each finding which namespace it assumed.

## Why it matters
`default` is where everything without a namespace ends up, so it mixes
unrelated workloads: RBAC granted there for one reaches all of them, every
pod that names no service account shares its `default` account, and it
rarely carries Pod Security labels, quotas or a default-deny
NetworkPolicy. A namespace of its own gives the workload its own policy
boundary.

## Example
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: registry.example/web:1.0
```

## Use instead
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: registry.example/web:1.0
```

## Fix
Create a namespace for the application (with Pod Security labels, a quota
and a default-deny NetworkPolicy) and set `metadata.namespace` to it, or
remove the field and choose the namespace at deploy time. Not applied
automatically: the namespace must exist and carry the policies.

## References
- Namespaces: <https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/>
- CIS Kubernetes Benchmark: <https://www.cisecurity.org/benchmark/kubernetes>
"#,
};

impl Check for WorkloadInDefaultNamespace {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        super::written_into(
            cx,
            view,
            &META,
            "default",
            "is written into the default namespace, shared by everything deployed without one",
            "give the application its own namespace, or leave `namespace` out and choose it at deploy time",
            out,
        );
    }
}
