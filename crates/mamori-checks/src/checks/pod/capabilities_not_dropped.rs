use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, PodSpecView};

pub struct CapabilitiesNotDropped;
pub static CHECK: CapabilitiesNotDropped = CapabilitiesNotDropped;

static META: CheckMeta = CheckMeta {
    code: "POD005",
    name: "capabilities-not-dropped",
    title: "Default capabilities not dropped",
    severity: Severity::Medium,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: drop unneeded Linux capabilities",
        "CIS Kubernetes 5.2.9",
        "MITRE ATT&CK T1611 (escape to host)",
    ],
    course: Some("ex1-3, ex2-4"),
    doc: r#"## What it finds
A Linux, non-privileged container whose `securityContext.capabilities.drop`
does not contain `ALL`.

## Why it matters
The container runtime grants 14 capabilities by default (containerd and
Docker: CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE,
NET_RAW, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT, AUDIT_WRITE). NET_RAW
alone lets a process forge packets and spoof ARP or DNS on the pod network;
the course's `insecure-pod` can `ping` because of it. Few applications need
any of them. Pod Security Standards' restricted level requires `drop: [ALL]`.

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
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      capabilities:
        drop: ["ALL"]
```

## Fix
Add `capabilities: {drop: ["ALL"]}` under the container's `securityContext`
and add back only what the process needs (usually nothing; a server binding
a port below 1024 as non-root needs `NET_BIND_SERVICE`). Mind the indentation:
`capabilities` directly under the container is an unknown field and is
dropped (SCH003).

`mamori fix` applies this: it adds `ALL` to the container's
`capabilities.drop`, keeping what it adds back.

## References
- Set capabilities for a container: <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container>
- containerd default capabilities: <https://github.com/containerd/containerd/blob/main/pkg/oci/spec.go>
"#,
};

impl Check for CapabilitiesNotDropped {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(e) = cx.effective(view, c) else { return };
        // privileged has its own finding (POD001); drop does not apply to it.
        if e.windows || e.privileged || e.dropped.iter().any(|d| d == "ALL") {
            return;
        }
        let kept: Vec<&str> = e.capabilities.iter().map(String::as_str).collect();
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &c.path,
            format!(
                "container {:?} does not drop ALL capabilities; it keeps {}",
                c.name,
                kept.join(", ")
            ),
            Some("add `securityContext.capabilities.drop: [\"ALL\"]` and add back only what it needs".into()),
        ));
    }
}
