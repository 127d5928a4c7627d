use super::{label_path, namespace_standing};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_pss::ENFORCE_LEVEL_LABEL;

pub struct NamespaceWithoutEnforceLabel;
pub static CHECK: NamespaceWithoutEnforceLabel = NamespaceWithoutEnforceLabel;

static META: CheckMeta = CheckMeta {
    code: "PSS001",
    name: "namespace-without-enforce-label",
    title: "Namespace without a Pod Security enforce label",
    severity: Severity::Medium,
    selects: Selects::Objects(&["Namespace"]),
    mappings: &[
        "NSA/CISA: pod security enforcement",
        "CIS Kubernetes 5.2.1 (at least one active policy control mechanism)",
    ],
    course: Some("ex1-3 (Pod Security Standards)"),
    doc: r#"## What it finds
A Namespace without the `pod-security.kubernetes.io/enforce` label.

## Why it matters
Without the label, the PodSecurity admission plugin applies the cluster's
default, which is `privileged` unless the API server's admission
configuration says otherwise: any pod is admitted, including one that
shares the node's network and process namespaces, mounts the host's disk or
runs privileged. A single compromised deploy credential is then a path to
the node. The `audit` and `warn` labels only report; only `enforce` refuses.

## Example
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
```

## Use instead
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
```

## Fix
Label the namespace with the strictest level its workloads satisfy; the
hint names it, judged from the pod-bearing objects in the input (`mamori
pss` shows what the next level would reject). Start with `warn` and `audit`
at a stricter level to find what would break before enforcing it. Not
applied automatically: workloads deployed from elsewhere may need a lower
level.

## References
- Pod Security Admission: <https://kubernetes.io/docs/concepts/security/pod-security-admission/>
- Enforce Pod Security Standards with namespace labels: <https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/>
"#,
};

impl Check for NamespaceWithoutEnforceLabel {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let ns = &cx.inventory.objects[obj];
        if ns.api_version != "v1" || ns.labels().iter().any(|(k, _)| k == ENFORCE_LEVEL_LABEL) {
            return;
        }
        let standing = namespace_standing(cx, &ns.name);
        let n = standing.objects.len();
        let basis = if n == 0 {
            "no pod-bearing object in the input lives in it".to_string()
        } else {
            format!("all {n} pod-bearing object(s) in the input satisfy it")
        };
        let hint = format!(
            "`kubectl label namespace {} {ENFORCE_LEVEL_LABEL}={}` ({basis}), or add `{ENFORCE_LEVEL_LABEL}: {}` under metadata.labels",
            ns.name, standing.strictest, standing.strictest
        );
        out.push(cx.finding(
            &META,
            obj,
            &label_path(ns, ENFORCE_LEVEL_LABEL),
            format!(
                "namespace {:?} has no {ENFORCE_LEVEL_LABEL} label: the cluster default applies (privileged unless \
                 the admission configuration sets another), so any pod is admitted",
                ns.name
            ),
            Some(hint),
        ));
    }
}
