use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::effective::{Profile, Source};
use mamori_model::{ContainerView, PodSpecView};

pub struct SeccompUnconfined;
pub static CHECK: SeccompUnconfined = SeccompUnconfined;

static META: CheckMeta = CheckMeta {
    code: "POD007",
    name: "seccomp-unconfined",
    title: "No seccomp profile: every system call allowed",
    severity: Severity::Medium,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: use seccomp to limit system calls",
        "CIS Kubernetes 5.7.2",
        "MITRE ATT&CK T1611 (escape to host)",
    ],
    course: Some("ex2-4"),
    doc: r#"## What it finds
A Linux, non-privileged container whose seccomp profile is `Unconfined`:
set so explicitly, or not set on the container nor on the pod (the kubelet
then applies no profile unless it runs with `--seccomp-default`).

## Why it matters
The runtime's default seccomp profile blocks about 50 system calls that
containers do not need and that many kernel exploits use (`unshare` of user
namespaces, `keyctl`, `bpf`, `mount`, `ptrace` of other processes). In the
course, `unshare --user --mount` succeeds in the unconfined `insecure-pod`
and fails in `secure-pod` with RuntimeDefault. Restricted Pod Security
requires RuntimeDefault or Localhost.

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
    seccompProfile:
      type: RuntimeDefault
  containers:
  - name: app
    image: registry.example/app:1.0
```

## Fix
Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (it
applies to every container). Applications rarely notice; a tool that needs
a blocked call should get a `Localhost` profile written for it.

`mamori fix` applies this: `seccompProfile.type: RuntimeDefault` on the
pod, or on the container where the container itself sets `Unconfined`.

## References
- Restrict a container's syscalls with seccomp: <https://kubernetes.io/docs/tutorials/security/seccomp/>
"#,
};

impl Check for SeccompUnconfined {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(e) = cx.effective(view, c) else { return };
        if e.windows || e.privileged || e.seccomp != Profile::Unconfined {
            return;
        }
        let (field, message) = match e.seccomp_source {
            Source::Container => (
                c.path.key("securityContext").key("seccompProfile").key("type"),
                format!("container {:?} sets seccompProfile Unconfined: every system call is allowed", c.name),
            ),
            Source::Pod => (
                view.spec_path.key("securityContext").key("seccompProfile").key("type"),
                format!("the pod sets seccompProfile Unconfined, so container {:?} may make every system call", c.name),
            ),
            Source::Default => (
                c.path.clone(),
                format!(
                    "container {:?} has no seccomp profile (neither it nor the pod sets one): it runs Unconfined unless the kubelet uses --seccomp-default",
                    c.name
                ),
            ),
        };
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &field,
            message,
            Some("set `securityContext.seccompProfile.type: RuntimeDefault` on the pod".into()),
        ));
    }
}
