use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{FieldPath, Node, PodSpecView};

pub struct SelinuxCustomOptions;
pub static CHECK: SelinuxCustomOptions = SelinuxCustomOptions;

/// The SELinux types Pod Security's baseline level allows.
const ALLOWED_TYPES: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

static META: CheckMeta = CheckMeta {
    code: "POD009",
    name: "selinux-custom-options",
    title: "SELinux type, user or role changed",
    severity: Severity::Medium,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: use AppArmor or SELinux",
        "MITRE ATT&CK T1611 (escape to host)",
    ],
    course: None,
    doc: r#"## What it finds
`seLinuxOptions` (on the pod or any container) that sets a `type` other than
`container_t`, `container_init_t`, `container_kvm_t` or `container_engine_t`,
or sets `user` or `role`.

## Why it matters
On SELinux nodes (RHEL, Fedora, OpenShift) the container's SELinux type is
what keeps it from the host's files and processes. A type such as
`spc_t` (super-privileged container) or `unconfined_t` removes that
boundary. Baseline Pod Security forbids these settings.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  securityContext:
    seLinuxOptions:
      type: spc_t
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
    seLinuxOptions:
      level: "s0:c123,c456"
  containers:
  - name: app
    image: registry.example/app:1.0
```

## Fix
Remove `type`, `user` and `role`; set only `level` when volumes must be
shared with a fixed MCS label.

## References
- Assign SELinux labels to a container: <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container>
"#,
};

impl Check for SelinuxCustomOptions {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        let obj = &cx.inventory.objects[view.object];
        let Some(spec) = view.spec(obj) else { return };
        let mut places: Vec<(FieldPath, &Node, String)> = Vec::new();
        if let Some(o) = spec.get("securityContext").and_then(|s| s.get("seLinuxOptions")) {
            places.push((
                view.spec_path.key("securityContext").key("seLinuxOptions"),
                o,
                "the pod".into(),
            ));
        }
        for c in view.containers(obj) {
            if let Some(o) = c.node.get("securityContext").and_then(|s| s.get("seLinuxOptions")) {
                places.push((
                    c.path.key("securityContext").key("seLinuxOptions"),
                    o,
                    format!("container {:?}", c.name),
                ));
            }
        }
        for (path, opts, whose) in places {
            if let Some(t) = opts.str_field("type").filter(|t| !ALLOWED_TYPES.contains(t)) {
                out.push(cx.finding(
                    &META,
                    view.object,
                    &path.key("type"),
                    format!("{whose} sets SELinux type {t:?}, outside the container types"),
                    Some("remove `seLinuxOptions.type` (or use container_t)".into()),
                ));
            }
            for k in ["user", "role"] {
                if let Some(v) = opts.str_field(k).filter(|v| !v.is_empty()) {
                    out.push(cx.finding(
                        &META,
                        view.object,
                        &path.key(k),
                        format!("{whose} sets SELinux {k} {v:?}"),
                        Some(format!("remove `seLinuxOptions.{k}`")),
                    ));
                }
            }
        }
    }
}
