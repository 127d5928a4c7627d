use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::effective::User;
use mamori_model::{ContainerView, PodSpecView};

pub struct RunAsNonRootNotSet;
pub static CHECK: RunAsNonRootNotSet = RunAsNonRootNotSet;

static META: CheckMeta = CheckMeta {
    code: "POD004",
    name: "run-as-non-root-not-set",
    title: "The image decides whether the container runs as root",
    severity: Severity::Medium,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: use containers built to run applications as non-root users",
        "CIS Kubernetes 5.2.7",
    ],
    course: Some("ex1-3, ex2-4"),
    doc: r#"## What it finds
A Linux container with neither `runAsUser` nor `runAsNonRoot: true` (its own
or the pod's): the user comes from the image's `USER` line, which is root for
most public images (nginx, curl, python, busybox).

## Why it matters
Nothing in the manifest stops the container from running as uid 0 today, or
after the next image update. `runAsNonRoot: true` makes the kubelet refuse to
start a container whose user is root, so the guarantee lives in the manifest.

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
Set `runAsNonRoot: true`, and `runAsUser` to a non-zero uid unless the image
declares a numeric non-root `USER`: with `runAsNonRoot` alone, an image whose
user is root, or a name the kubelet cannot verify, does not start
(`CreateContainerConfigError`).

`mamori fix` applies this: `runAsNonRoot: true` on the pod (on the
container when another container sets `runAsUser: 0`), and `runAsUser: 10001`
where no user is set. Caveat: an image that needs root, or files owned by
its own uid, breaks; set the image's uid instead where you know it.

## References
- Configure a security context: <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
"#,
};

impl Check for RunAsNonRootNotSet {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(e) = cx.effective(view, c) else { return };
        if e.windows || e.run_as_non_root || e.user != User::Image {
            return;
        }
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &c.path,
            format!(
                "container {:?} sets neither runAsUser nor runAsNonRoot: it runs as whatever user image {:?} declares, root for most images",
                c.name,
                c.node.str_field("image").unwrap_or("")
            ),
            Some("set `securityContext.runAsNonRoot: true` and `runAsUser: 10001` (or the image's non-root uid)".into()),
        ));
    }
}
