use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, PodSpecView};

pub struct WritableRootFilesystem;
pub static CHECK: WritableRootFilesystem = WritableRootFilesystem;

static META: CheckMeta = CheckMeta {
    code: "POD010",
    name: "writable-root-filesystem",
    title: "Root filesystem is writable",
    severity: Severity::Low,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: use immutable container filesystems",
        "CIS Kubernetes 5.7.3",
        "MITRE ATT&CK T1105 (ingress tool transfer)",
    ],
    course: Some("ex2-4"),
    doc: r#"## What it finds
A Linux container without `securityContext.readOnlyRootFilesystem: true`.

## Why it matters
An attacker with code execution in a writable container downloads tools,
drops web shells and changes binaries that later runs trust. A read-only
root keeps the image as built; the application writes only to the volumes
it declares.

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
      readOnlyRootFilesystem: true
    volumeMounts:
    - name: tmp
      mountPath: /tmp
  volumes:
  - name: tmp
    emptyDir: {}
```

## Fix
Set `readOnlyRootFilesystem: true` and mount an `emptyDir` where the
application writes (`/tmp`, caches, pid files). Riskier than most fixes: a
process that writes elsewhere fails at run time, so `mamori fix` applies it
only with `--unsafe-fixes`.

`mamori fix` applies this only with --unsafe-fixes: it sets
`readOnlyRootFilesystem: true` and mounts an `emptyDir` volume at `/tmp`
unless something is mounted there already.

## References
- Configure a security context: <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
"#,
};

impl Check for WritableRootFilesystem {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(e) = cx.effective(view, c) else { return };
        if e.windows || e.read_only_root {
            return;
        }
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &c.path,
            format!("container {:?} can write to its root filesystem", c.name),
            Some("set `securityContext.readOnlyRootFilesystem: true` and mount an emptyDir where it writes".into()),
        ));
    }
}
