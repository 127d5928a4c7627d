use super::{judge, kind_name};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::PodSpecView;
use mamori_pss::{LevelVersion, Mode};

pub struct ViolatesAuditOrWarn;
pub static CHECK: ViolatesAuditOrWarn = ViolatesAuditOrWarn;

static META: CheckMeta = CheckMeta {
    code: "PSS003",
    name: "violates-audit-or-warn-level",
    title: "Pod or workload that violates its namespace's audit or warn level",
    severity: Severity::Medium,
    selects: Selects::PodSpecs,
    mappings: &["NSA/CISA: pod security enforcement", "CIS Kubernetes 5.2"],
    course: Some("ex1-3 (Pod Security Standards)"),
    doc: r#"## What it finds
A Pod or a workload's pod template that its namespace's enforce level
admits but that violates the level of its `pod-security.kubernetes.io/audit`
or `pod-security.kubernetes.io/warn` label. (When enforce rejects it,
PSS002 reports that instead.) When the enforce label is set and the warn
label is not, warn follows enforce, as upstream does.

## Why it matters
A namespace labelled `warn` or `audit` at a stricter level than it enforces
is on its way to enforcing that level: this workload is what will break
when it does. Meanwhile every `kubectl apply` prints `Warning: would
violate PodSecurity ...` and every request adds a
`pod-security.kubernetes.io/audit-violations` annotation to the audit log,
noise that hides new problems.

## Example
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/warn: restricted
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.example/web:1.0
```

## Use instead
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/warn: restricted
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
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
Change the pod spec until each listed reason is gone, then raise the
namespace's enforce label to the same level. Not applied automatically.

## References
- Pod Security Admission (modes): <https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces>
- Pod Security Standards: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
"#,
};

impl Check for ViolatesAuditOrWarn {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        let Some(a) = judge(cx, view) else { return };
        if a.rejected() {
            return;
        }
        // One finding per distinct policy: audit and warn often share one.
        let mut groups: Vec<(LevelVersion, Vec<Mode>, &mamori_pss::Verdict)> = Vec::new();
        for v in a.verdicts.iter().filter(|v| v.mode != Mode::Enforce && !v.allowed) {
            match groups.iter_mut().find(|(p, _, _)| *p == v.policy) {
                Some(g) => g.1.push(v.mode),
                None => groups.push((v.policy, vec![v.mode], v)),
            }
        }
        let o = &cx.inventory.objects[view.object];
        for (policy, modes, v) in groups {
            let consequences: Vec<&str> = modes
                .iter()
                .map(|m| match m {
                    Mode::Warn => "kubectl prints it as a warning",
                    _ => "the audit log records it",
                })
                .collect();
            let names: Vec<&str> = modes.iter().map(|m| m.as_str()).collect();
            let message = format!(
                "violates the {} level {policy} of namespace {:?} ({}): {}",
                names.join(" and "),
                a.namespace,
                consequences.join("; "),
                v.message.clone().unwrap_or_default()
            );
            let hint = format!(
                "make {} satisfy {} (fix: {}); the namespace enforces {} today",
                kind_name(o),
                policy.level,
                v.evaluation.forbidden_reasons(),
                a.verdict(Mode::Enforce)
                    .map(|e| e.policy.to_string())
                    .unwrap_or_default()
            );
            out.push(cx.finding(&META, view.object, &view.spec_path, message, Some(hint)));
        }
    }
}
