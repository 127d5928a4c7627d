use crate::checks::img::{parse_image, registry_and_repository};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerKind, ContainerView, PodSpecView};

pub struct KubernetesDashboard;
pub static CHECK: KubernetesDashboard = KubernetesDashboard;

static META: CheckMeta = CheckMeta {
    code: "EXP008",
    name: "kubernetes-dashboard",
    title: "Kubernetes Dashboard deployed",
    severity: Severity::Medium,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: limit access to the Kubernetes API",
        "MITRE ATT&CK T1133 (external remote services)",
        "Checkov CKV_K8S_33",
    ],
    course: None,
    doc: r#"## What it finds
A container running the Kubernetes Dashboard web UI: an image
`kubernetesui/dashboard` (or its `dashboard-web`, `dashboard-api`,
`dashboard-auth` parts) or a `kubernetes-dashboard` image of the older
registries. The finding says when `--enable-skip-login` or
`--enable-insecure-login` is set.

## Why it matters
The Dashboard acts on the cluster with the token of whoever logs in, or,
with `--enable-skip-login`, with its own service account, which
installations often bind to `cluster-admin`. Exposed Dashboards have been
found by scanning the internet and used to run cryptominers in victims'
clusters (the 2018 Tesla incident). It is one more web application with
cluster-wide reach to keep patched and off the network.

## Example
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kubernetes-dashboard
  namespace: kubernetes-dashboard
spec:
  selector:
    matchLabels:
      k8s-app: kubernetes-dashboard
  template:
    metadata:
      labels:
        k8s-app: kubernetes-dashboard
    spec:
      containers:
      - name: kubernetes-dashboard
        image: kubernetesui/dashboard:v2.7.0
        args:
        - --enable-skip-login
```

## Use instead
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: cluster-ui
  namespace: kubernetes-dashboard
data:
  note: "use kubectl or a UI on the workstation, with the user's own credentials"
```

## Fix
Remove the Dashboard, or keep it reachable only through `kubectl proxy` /
`kubectl port-forward`, without `--enable-skip-login`, and with a service
account that has no permissions of its own. Not applied automatically.

## References
- Kubernetes Dashboard: <https://github.com/kubernetes/dashboard>
- Dashboard access control: <https://github.com/kubernetes/dashboard/blob/master/docs/user/access-control/README.md>
"#,
};

/// Whether `image` is a Kubernetes Dashboard image.
pub fn is_dashboard_image(image: &str) -> bool {
    let (_, repo) = registry_and_repository(parse_image(image).name);
    let last = repo.rsplit('/').next().unwrap_or("");
    repo.starts_with("kubernetesui/dashboard") || last.starts_with("kubernetes-dashboard")
}

impl Check for KubernetesDashboard {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        if c.kind == ContainerKind::Ephemeral {
            return;
        }
        let Some(image) = c.node.str_field("image") else { return };
        if !is_dashboard_image(image) {
            return;
        }
        let flags: Vec<&str> = super::argv(c)
            .into_iter()
            .filter(|a| {
                let flag = a.split('=').next().unwrap_or("");
                let off = a.ends_with("=false");
                !off && matches!(flag, "--enable-skip-login" | "--enable-insecure-login")
            })
            .collect();
        let extra = if flags.is_empty() {
            String::new()
        } else {
            format!(", with {}", flags.join(" and "))
        };
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &c.path.key("image"),
            format!(
                "container {:?} runs the Kubernetes Dashboard ({image}){extra}: a web UI with cluster-wide reach",
                c.name
            ),
            Some("remove it, or reach it only through `kubectl port-forward` with the user's own token".into()),
        ));
    }
}
