use super::{judge, kind_name};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::PodSpecView;
use mamori_pss::Mode;

pub struct RejectedByNamespaceEnforce;
pub static CHECK: RejectedByNamespaceEnforce = RejectedByNamespaceEnforce;

static META: CheckMeta = CheckMeta {
    code: "PSS002",
    name: "rejected-by-namespace-enforce",
    title: "Pod or workload that its namespace's enforce level rejects",
    severity: Severity::Critical,
    selects: Selects::PodSpecs,
    mappings: &["NSA/CISA: pod security enforcement", "CIS Kubernetes 5.2"],
    course: Some("ex1-3 (Pod Security Standards)"),
    doc: r#"## What it finds
A Pod, or a workload's pod template (Deployment, StatefulSet, DaemonSet,
ReplicaSet, ReplicationController, Job, CronJob, PodTemplate), that
violates the level its namespace's `pod-security.kubernetes.io/enforce`
label sets (at the `enforce-version` label's version), judged as the
PodSecurity admission plugin judges it. The message repeats the API
server's text byte for byte.

## Why it matters
The deploy will fail. A Pod is refused with `pods "NAME" is forbidden:
violates PodSecurity ...`. A workload is worse: the API server accepts the
Deployment (with only a warning), and then its controller fails to create
every pod, so the rollout hangs with no running replicas and the reason is
found only in the ReplicaSet's events.

## Example
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
  - name: web
    image: registry.example/web:1.0
    securityContext:
      runAsUser: 0
```

## Use instead
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: web
    image: registry.example/web:1.0
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop: ["ALL"]
```

## Fix
Change the pod spec until each listed reason is gone (the details name the
container and the field to set). Lowering the namespace's enforce level
also makes the deploy pass, and weakens every other workload in it. Not
applied automatically.

## References
- Pod Security Standards: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
- Pod Security Admission: <https://kubernetes.io/docs/concepts/security/pod-security-admission/>
"#,
};

impl Check for RejectedByNamespaceEnforce {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        let Some(a) = judge(cx, view) else { return };
        let Some(v) = a.verdict(Mode::Enforce).filter(|v| !v.allowed) else {
            return;
        };
        let o = &cx.inventory.objects[view.object];
        let text = v.message.clone().unwrap_or_default();
        let message = if o.kind == "Pod" {
            format!(
                "namespace {:?} enforces {}: the API server rejects this Pod: {text}",
                a.namespace, v.policy
            )
        } else {
            format!(
                "namespace {:?} enforces {}: the {} is admitted, but every pod it creates is rejected, so the \
                 deploy will fail: {text}",
                a.namespace, v.policy, o.kind
            )
        };
        let hint = format!(
            "make {} satisfy {} (fix: {}), or run `mamori pss` to see every mode",
            kind_name(o),
            v.policy.level,
            v.evaluation.forbidden_reasons()
        );
        out.push(cx.finding(&META, view.object, &view.spec_path, message, Some(hint)));
    }
}
