use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::effective::{Source, User};
use mamori_model::{ContainerView, Node, PodSpecView};

pub struct RunAsNonRootContradictsUid;
pub static CHECK: RunAsNonRootContradictsUid = RunAsNonRootContradictsUid;

static META: CheckMeta = CheckMeta {
    code: "POD034",
    name: "run-as-non-root-contradicts-uid",
    title: "runAsNonRoot: true with runAsUser: 0: the container never starts",
    severity: Severity::Medium,
    selects: Selects::Containers,
    mappings: &["NSA/CISA: run containers as non-root users"],
    course: Some("ex2-4 (securityContext of the hardened pod)"),
    doc: r#"## What it finds
A Linux container whose effective security context (each field from the
container, else from the pod) has `runAsNonRoot: true` and `runAsUser: 0`,
typically a pod-level `runAsNonRoot: true` and a container that sets
`runAsUser: 0`, or the other way round.

## Why it matters
The API server accepts the pod, but the kubelet refuses to create the
container: `CreateContainerConfigError` with "container's runAsUser breaks
non-root policy". The pod stays pending forever, a rollout stalls, and the
usual reaction under pressure is to delete `runAsNonRoot` everywhere, which
loses the protection for the other containers too.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: shop
spec:
  securityContext:
    runAsNonRoot: true
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      runAsUser: 0
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: shop
spec:
  securityContext:
    runAsNonRoot: true
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      runAsUser: 10001
```

## Fix
Give the container a non-zero `runAsUser`. If it truly needs root (an init
container that changes owners), set `runAsNonRoot: false` on that container
only, and keep it as small as possible. Not applied automatically: which of
the two settings is wrong is the author's call.

## References
- Configure a security context: <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
- SecurityContext API (runAsNonRoot): <https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security-context-1>
"#,
};

impl Check for RunAsNonRootContradictsUid {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(e) = cx.effective(view, c) else { return };
        // Windows containers use runAsUserName; the kubelet's uid test is Linux only.
        if e.windows || !e.run_as_non_root {
            return;
        }
        let User::Uid(0, source) = e.user else { return };
        let field = match source {
            Source::Container => c.path.key("securityContext").key("runAsUser"),
            _ => view.spec_path.key("securityContext").key("runAsUser"),
        };
        let where_non_root = if c
            .node
            .get("securityContext")
            .and_then(|s| s.get("runAsNonRoot"))
            .and_then(Node::as_bool)
            == Some(true)
        {
            "the container"
        } else {
            "the pod"
        };
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &field,
            format!(
                "container {:?} runs as uid 0 while {where_non_root} sets runAsNonRoot: true: the kubelet refuses to start it (container's runAsUser breaks non-root policy)",
                c.name
            ),
            Some("give the container a non-zero `runAsUser`, or set `runAsNonRoot: false` on this container only if it must be root".into()),
        ));
    }
}
