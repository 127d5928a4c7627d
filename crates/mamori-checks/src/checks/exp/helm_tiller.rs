use crate::checks::img::{parse_image, registry_and_repository};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerKind, ContainerView, PodSpecView};

pub struct HelmTiller;
pub static CHECK: HelmTiller = HelmTiller;

static META: CheckMeta = CheckMeta {
    code: "EXP007",
    name: "helm-tiller",
    title: "Helm v2 Tiller deployed",
    severity: Severity::High,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: limit access to the Kubernetes API",
        "MITRE ATT&CK T1610 (deploy container); T1068 (exploitation for privilege escalation)",
        "Checkov CKV_K8S_34, CKV_K8S_44, CKV_K8S_45; Trivy KSV102",
    ],
    course: None,
    doc: r#"## What it finds
A container running Helm v2's server, Tiller: an image whose repository ends
in `/tiller` (`gcr.io/kubernetes-helm/tiller`, `ghcr.io/helm/tiller`, ...).

## Why it matters
Tiller installs whatever chart it is sent, with its own service account,
which is usually `cluster-admin` because charts create anything. Its gRPC
port 44134 has no authentication unless TLS was set up by hand, so any pod
that can reach it (every pod, without a NetworkPolicy) can install a
privileged pod on every node: a one-step path from any workload to the
whole cluster. Helm v2 reached end of life in November 2020 and receives no
security fixes; Helm 3 has no server side at all. The course's companion
lab (Kubernetes Goat) ships a Tiller scenario for this reason.

## Example
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: tiller-deploy
  namespace: kube-system
spec:
  selector:
    matchLabels:
      app: helm
      name: tiller
  template:
    metadata:
      labels:
        app: helm
        name: tiller
    spec:
      serviceAccountName: tiller
      containers:
      - name: tiller
        image: gcr.io/kubernetes-helm/tiller:v2.16.12
        ports:
        - containerPort: 44134
```

## Use instead
```yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: deploy-web
  namespace: shop
spec:
  template:
    spec:
      serviceAccountName: deployer
      restartPolicy: Never
      containers:
      - name: helm
        image: registry.example/helm:3.15.0
        args: ["upgrade", "--install", "web", "/charts/web", "--namespace", "shop"]
```

Helm 3 runs where it is invoked (here a deploy Job) with that
account's own RBAC permissions, limited to the namespace it deploys.

## Fix
Migrate releases to Helm 3 (`helm-2to3`), then delete the Tiller
Deployment, its Service and its service account binding. Not applied
automatically: removing Tiller removes the release management it holds.

## References
- Helm 2 end of life: <https://helm.sh/blog/helm-v2-deprecation-timeline/>
- Migrating Helm v2 to v3: <https://helm.sh/docs/topics/v2_v3_migration/>
"#,
};

/// Whether `image` is a Tiller image: its repository's last component.
pub fn is_tiller_image(image: &str) -> bool {
    let (_, repo) = registry_and_repository(parse_image(image).name);
    repo.rsplit('/').next() == Some("tiller")
}

impl Check for HelmTiller {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        if c.kind == ContainerKind::Ephemeral {
            return;
        }
        let Some(image) = c.node.str_field("image") else { return };
        if !is_tiller_image(image) {
            return;
        }
        let args = super::argv(c);
        let local = args
            .iter()
            .any(|a| a.starts_with("--listen=localhost:") || a.starts_with("--listen=127.0.0.1:"));
        let reach = if local {
            "listening on localhost only, but still a cluster-wide installer for anything in the pod"
        } else {
            "its gRPC port 44134 accepts unauthenticated installs from any pod that reaches it"
        };
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &c.path.key("image"),
            format!("container {:?} runs Helm v2's Tiller ({image}): {reach}", c.name),
            Some("migrate releases to Helm 3 and delete Tiller, its Service and its binding".into()),
        ));
    }
}
