use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::effective::Profile;
use mamori_model::{ContainerView, PodSpecView};

pub struct ApparmorUnconfined;
pub static CHECK: ApparmorUnconfined = ApparmorUnconfined;

static META: CheckMeta = CheckMeta {
    code: "POD008",
    name: "apparmor-unconfined",
    title: "AppArmor explicitly disabled",
    severity: Severity::Medium,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: use AppArmor or SELinux",
        "CIS Kubernetes 5.7.2",
        "MITRE ATT&CK T1611 (escape to host)",
    ],
    course: None,
    doc: r#"## What it finds
A non-privileged container whose AppArmor profile is set to `Unconfined`:
`appArmorProfile.type: Unconfined` on the container or the pod, or the legacy
annotation `container.apparmor.security.beta.kubernetes.io/<name>: unconfined`.

## Why it matters
On nodes with AppArmor (Ubuntu, Debian, COS) the runtime confines every
container with a default profile that denies writes to `/proc/sys`, mounts
and other escape steps. Unconfined turns that off. Baseline Pod Security
forbids it.

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
      appArmorProfile:
        type: Unconfined
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
      appArmorProfile:
        type: RuntimeDefault
```

## Fix
Remove the `Unconfined` setting (the runtime default applies) or set
`RuntimeDefault`; use a `Localhost` profile for a process that needs more.

## References
- Restrict a container's access with AppArmor: <https://kubernetes.io/docs/tutorials/security/apparmor/>
"#,
};

impl Check for ApparmorUnconfined {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(e) = cx.effective(view, c) else { return };
        if e.windows || e.privileged || e.apparmor != Some(Profile::Unconfined) {
            return;
        }
        let sc = |n: &mamori_model::Node| {
            n.get("securityContext")
                .and_then(|s| s.get("appArmorProfile"))
                .is_some()
        };
        let obj = &cx.inventory.objects[view.object];
        let field = if sc(c.node) {
            c.path.key("securityContext").key("appArmorProfile").key("type")
        } else if view.spec(obj).is_some_and(sc) {
            view.spec_path.key("securityContext").key("appArmorProfile").key("type")
        } else {
            view.meta_path
                .key("annotations")
                .key(format!("container.apparmor.security.beta.kubernetes.io/{}", c.name))
        };
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &field,
            format!("container {:?} runs without AppArmor confinement (Unconfined)", c.name),
            Some("remove the Unconfined setting or set `appArmorProfile.type: RuntimeDefault`".into()),
        ));
    }
}
