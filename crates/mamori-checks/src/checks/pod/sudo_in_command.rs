use crate::checks::sec::shell::{base, container_argv, script_index, split};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, PodSpecView};

pub struct SudoInCommand;
pub static CHECK: SudoInCommand = SudoInCommand;

static META: CheckMeta = CheckMeta {
    code: "POD040",
    name: "sudo-in-command",
    title: "Container command runs sudo",
    severity: Severity::Medium,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: run containers as non-root users",
        "MITRE ATT&CK T1548.003 (abuse elevation control: sudo)",
        "kubescape C-0062 (sudo in container entrypoint)",
    ],
    course: Some("ex2-4 (what a non-root container can still do)"),
    doc: r#"## What it finds
A container whose `command`/`args`, or the script of its `sh -c`, runs
`sudo` (as a command of the script, not inside a quoted string).

## Why it matters
`sudo` in the start-up command means the image ships a setuid-root binary
and a sudoers rule, and that the container starts as a non-root user only
to become root again: whatever runs as that user (the application, anything
that compromises it) can do the same. `runAsNonRoot` is then only the start
of the story. With `allowPrivilegeEscalation: false` (no_new_privs) the
setuid bit is ignored and the command fails instead: a sign the image was
built for a different trust model.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: shop
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    command: ["sh", "-c", "sudo chown app /data && exec /app/server"]
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
    fsGroup: 10001
  containers:
  - name: app
    image: registry.example/app:1.0
    command: ["/app/server"]
    securityContext:
      allowPrivilegeEscalation: false
```

## Fix
Do what needed root at build time (in the image) or with Kubernetes
settings (`fsGroup` for volume ownership, `capabilities.add` for one
specific privilege), remove `sudo` from the image and set
`allowPrivilegeEscalation: false`. Not applied automatically: the command
must be rewritten.

## References
- Configure a security context (fsGroup, allowPrivilegeEscalation): <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
- MITRE ATT&CK T1548.003 Sudo and Sudo Caching: <https://attack.mitre.org/techniques/T1548/003/>
"#,
};

impl Check for SudoInCommand {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let argv = container_argv(c);
        let words: Vec<&str> = argv.iter().map(|(_, w)| *w).collect();
        let at = match script_index(&words, c.node.field("command").is_some()) {
            Some(k) => split(words[k])
                .iter()
                .any(|cmd| cmd.words.first().is_some_and(|w| base(w) == "sudo"))
                .then_some(k),
            None => words.first().is_some_and(|w| base(w) == "sudo").then_some(0),
        };
        let Some(k) = at else { return };
        let blocked = cx.effective(view, c).is_some_and(|e| !e.allow_privilege_escalation);
        let outcome = if blocked {
            "allowPrivilegeEscalation: false makes it fail, so the image expects to regain root"
        } else {
            "the image lets its non-root user become root again"
        };
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &argv[k].0,
            format!("container {:?} runs sudo at start-up: {outcome}", c.name),
            Some("do the privileged step at build time or with fsGroup/capabilities, and remove sudo".into()),
        ));
    }
}
