use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::PodSpecView;

pub struct SeccompAnnotationIgnored;
pub static CHECK: SeccompAnnotationIgnored = SeccompAnnotationIgnored;

pub const POD_KEY: &str = "seccomp.security.alpha.kubernetes.io/pod";
pub const CONTAINER_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

static META: CheckMeta = CheckMeta {
    code: "POD036",
    name: "seccomp-annotation-ignored",
    title: "Seccomp set by an annotation Kubernetes no longer reads",
    severity: Severity::Medium,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: use seccomp to restrict system calls",
        "CIS Kubernetes 5.7.2 (seccomp profile set to runtime/default)",
        "MITRE ATT&CK T1611 (escape to host)",
    ],
    course: Some("ex2-4 (seccomp of the hardened pod)"),
    doc: r#"## What it finds
The annotation `seccomp.security.alpha.kubernetes.io/pod` on a pod (or pod
template) whose pod-level `securityContext.seccompProfile` is unset, or
`container.seccomp.security.alpha.kubernetes.io/<name>` for a container
whose own `seccompProfile` is unset: exactly the cases for which the API
server warns "non-functional in v1.27+; use the "seccompProfile" field
instead". Checked for `--k8s-version` 1.27 and later.

## Why it matters
Up to 1.26 the API server copied these annotations into the
`seccompProfile` fields of a new pod. Since 1.27 it does not, and the
kubelet reads only the fields: the pod runs `Unconfined` (unless the
kubelet runs with `--seccomp-default`) while its manifest looks hardened,
and scanners that still read the annotation (Checkov's CKV_K8S_31 does)
report it as protected. All of the kernel's system calls are open to the
container, including the ones container escapes rely on.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: shop
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: runtime/default
spec:
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
  namespace: shop
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: app
    image: registry.example/app:1.0
```

## Fix
Replace the annotation with `securityContext.seccompProfile` (`type:
RuntimeDefault`, or `Localhost` with `localhostProfile`) on the pod or the
container, and delete the annotation. Not applied automatically yet; POD007's
fix sets the field.

## References
- Restrict a container's syscalls with seccomp: <https://kubernetes.io/docs/tutorials/security/seccomp/>
- Seccomp annotations removed in 1.27 (changelog): <https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-1.27.md>
"#,
};

fn profile_text(v: &str) -> &str {
    match v {
        "runtime/default" | "docker/default" => "RuntimeDefault",
        "unconfined" => "Unconfined",
        _ => "Localhost",
    }
}

impl Check for SeccompAnnotationIgnored {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        // Up to 1.26 the API server still turned the annotations into fields.
        if cx.config.k8s_minor.is_some_and(|m| m < 27) {
            return;
        }
        let obj = &cx.inventory.objects[view.object];
        let Some(spec) = view.spec(obj) else { return };
        let Some(annotations) = view.metadata(obj).and_then(|m| m.get("annotations")) else {
            return;
        };
        let has_field = |n: Option<&mamori_model::Node>| {
            n.and_then(|n| n.get("securityContext"))
                .and_then(|s| s.field("seccompProfile"))
                .is_some()
        };
        // Upstream's warning names the annotation from the object's root.
        let at = view.meta_path.to_string();
        let mut report = |key: &str, value: &str, whom: Option<String>| {
            let asked = profile_text(value);
            let what = match (whom, asked) {
                (None, _) => "every container sets its own seccompProfile: the annotation only misleads".to_string(),
                (Some(w), "Unconfined") => format!("{w} Unconfined, but by default, not because of the annotation"),
                (Some(w), p) => format!("{w} Unconfined, not with the {p} profile it asks for"),
            };
            let hint = match asked {
                "Unconfined" => {
                    "remove the annotation (and set `securityContext.seccompProfile.type: RuntimeDefault`)".to_string()
                }
                p => format!("set `securityContext.seccompProfile.type: {p}` and remove the annotation"),
            };
            out.push(cx.finding(
                &META,
                view.object,
                &view.meta_path.key("annotations").key(key),
                format!("{at}.annotations[{key}]: non-functional in v1.27+; use the \"seccompProfile\" field instead: {what}"),
                Some(hint),
            ));
        };
        let containers = view.containers(obj);
        if !has_field(Some(spec)) {
            if let Some(v) = annotations.str_field(POD_KEY) {
                let open: Vec<String> = containers
                    .iter()
                    .filter(|c| !has_field(Some(c.node)))
                    .map(|c| format!("{:?}", c.name))
                    .collect();
                let whom = match open.len() {
                    0 => None,
                    1 => Some(format!("container {} runs", open[0])),
                    _ => Some(format!("containers {} run", open.join(", "))),
                };
                report(POD_KEY, v, whom);
            }
        }
        for c in &containers {
            if has_field(Some(c.node)) {
                continue;
            }
            let key = format!("{CONTAINER_PREFIX}{}", c.name);
            if let Some(v) = annotations.str_field(&key) {
                report(&key, v, Some(format!("container {:?} runs", c.name)));
            }
        }
    }
}
