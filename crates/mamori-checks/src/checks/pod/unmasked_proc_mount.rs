use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, PodSpecView};

pub struct UnmaskedProcMount;
pub static CHECK: UnmaskedProcMount = UnmaskedProcMount;

static META: CheckMeta = CheckMeta {
    code: "POD017",
    name: "unmasked-proc-mount",
    title: "/proc mounted unmasked",
    severity: Severity::High,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: harden container runtime settings",
        "MITRE ATT&CK T1611 (escape to host)",
    ],
    course: None,
    doc: r#"## What it finds
A container with `securityContext.procMount: Unmasked`.

## Why it matters
The runtime normally masks and makes read-only parts of `/proc` (`kcore`,
`sysrq-trigger`, `sys`, timer and latency files) that leak kernel memory or
change the node. Unmasked exposes them. Baseline Pod Security forbids it;
it only makes sense for nested containers in a user namespace
(`hostUsers: false`).

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      procMount: Unmasked
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
```

## Fix
Remove `procMount` (the default is `Default`, masked).

## References
- procMount: <https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security-context-1>
"#,
};

impl Check for UnmaskedProcMount {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(e) = cx.effective(view, c) else { return };
        if !e.unmasked_proc {
            return;
        }
        let userns = if e.user_namespace {
            " (in its own user namespace, hostUsers: false, which limits the damage)"
        } else {
            ""
        };
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &c.path.key("securityContext").key("procMount"),
            format!("container {:?} mounts /proc unmasked{userns}", c.name),
            Some("remove `procMount: Unmasked`".into()),
        ));
    }
}
