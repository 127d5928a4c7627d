use super::{label_path, namespace_standing};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_pss::ENFORCE_LEVEL_LABEL;

pub struct NamespaceCanEnforceStricterLevel;
pub static CHECK: NamespaceCanEnforceStricterLevel = NamespaceCanEnforceStricterLevel;

static META: CheckMeta = CheckMeta {
    code: "PSS004",
    name: "namespace-can-enforce-stricter-level",
    title: "Namespace could enforce a stricter Pod Security level",
    severity: Severity::Info,
    selects: Selects::Objects(&["Namespace"]),
    mappings: &["NSA/CISA: pod security enforcement", "CIS Kubernetes 5.2"],
    course: Some("ex1-3 (Pod Security Standards)"),
    doc: r#"## What it finds
A Namespace whose `pod-security.kubernetes.io/enforce` label sets a level
below the strictest one that every pod-bearing object in it (in the input)
already satisfies. (A namespace without the label is PSS001.)

## Why it matters
The workloads already meet the stricter level, so raising the label costs
nothing today and stops the next deploy from quietly adding a root,
privileged or host-namespace pod. Each level left unenforced is a
privilege that any future workload in the namespace may take.

## Example
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
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
Set the label the hint gives (`kubectl label --overwrite namespace NAME
pod-security.kubernetes.io/enforce=LEVEL`, or edit the manifest). Safe for
the workloads in the input; workloads deployed from elsewhere into the
same namespace are not seen, so check them first (`kubectl label --dry-run=server`
prints the pods that would violate).

## References
- Enforce Pod Security Standards with namespace labels: <https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-namespace-labels/>
- Pod Security Standards: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
"#,
};

impl Check for NamespaceCanEnforceStricterLevel {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let ns = &cx.inventory.objects[obj];
        if ns.api_version != "v1" {
            return;
        }
        let standing = namespace_standing(cx, &ns.name);
        // Without a valid label PSS001 applies; without workloads there is
        // nothing to judge the namespace by.
        if standing.enforce_label().is_none()
            || !standing.errors.is_empty()
            || standing.objects.is_empty()
            || !standing.can_be_raised()
        {
            return;
        }
        let level = standing.strictest;
        out.push(cx.finding(
            &META,
            obj,
            &label_path(ns, ENFORCE_LEVEL_LABEL),
            format!(
                "namespace {:?} enforces {}, but all {} pod-bearing object(s) in it satisfy {level} (at {}): it can \
                 enforce {level} without breaking them",
                ns.name,
                standing.policy.enforce,
                standing.objects.len(),
                standing.version
            ),
            Some(format!(
                "`kubectl label --overwrite namespace {} {ENFORCE_LEVEL_LABEL}={level}`, or set `{ENFORCE_LEVEL_LABEL}: {level}` in the manifest",
                ns.name
            )),
        ));
    }
}
