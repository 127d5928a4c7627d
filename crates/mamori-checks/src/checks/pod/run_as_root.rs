use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::effective::{Source, User};
use mamori_model::{ContainerView, PodSpecView};

pub struct RunAsRoot;
pub static CHECK: RunAsRoot = RunAsRoot;

static META: CheckMeta = CheckMeta {
    code: "POD003",
    name: "run-as-root",
    title: "Container runs as root (uid 0)",
    severity: Severity::High,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: use containers built to run applications as non-root users",
        "CIS Kubernetes 5.2.7",
        "MITRE ATT&CK T1611 (escape to host)",
    ],
    course: Some("ex2-4"),
    doc: r#"## What it finds
A Linux container whose `runAsUser` (its own, or the pod's) is `0`.

## Why it matters
uid 0 in a container holds every capability of the container's bounding
set: it can open raw sockets, change file owners, bind low ports and, with
any of the kernel's container-escape bugs, act as root on the node. In the
course's runtime exercise the root `insecure-pod` pings the internet and
creates user namespaces; the non-root `secure-pod` can do neither.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  securityContext:
    runAsUser: 0
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
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
  containers:
  - name: app
    image: registry.example/app:1.0
```

## Fix
Set `runAsUser` to a non-zero uid the image can run as, and
`runAsNonRoot: true` so the kubelet refuses to start the container as root.
Files the process writes must be owned by or writable for that uid (use
`fsGroup` for volumes).

## References
- Configure a security context: <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
- Pod Security Standards, restricted: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
"#,
};

impl Check for RunAsRoot {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(e) = cx.effective(view, c) else { return };
        if e.windows {
            return;
        }
        if let User::Uid(0, source) = e.user {
            let field = match source {
                Source::Container => c.path.key("securityContext").key("runAsUser"),
                _ => view.spec_path.key("securityContext").key("runAsUser"),
            };
            let whose = if source == Source::Pod {
                " (from the pod's securityContext)"
            } else {
                ""
            };
            out.push(cx.container_finding(
                &META,
                view,
                c,
                &field,
                format!("container {:?} runs as root: runAsUser is 0{whose}", c.name),
                Some("set `runAsUser` to a non-zero uid (e.g. 10001) and `runAsNonRoot: true`".into()),
            ));
        }
    }
}
