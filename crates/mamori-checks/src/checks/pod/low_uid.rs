use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::effective::{Source, User};
use mamori_model::{ContainerView, PodSpecView};

pub struct LowUid;
pub static CHECK: LowUid = LowUid;

/// Below this, uids are commonly allocated on hosts (system accounts below
/// 1000, people from 1000): kubesec's and Checkov's threshold.
pub const HIGH_UID: i64 = 10000;

static META: CheckMeta = CheckMeta {
    code: "POD030",
    name: "low-uid",
    title: "Runs as a uid below 10000",
    severity: Severity::Low,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: run containers as non-root users",
        "MITRE ATT&CK T1611 (escape to host)",
        "Checkov CKV_K8S_40; Trivy KSV020",
    ],
    course: Some("ex2-4 (id in a hardened and an unhardened pod)"),
    doc: r#"## What it finds
A Linux container whose effective `runAsUser` (the container's, else the
pod's) is between 1 and 9999, in a pod that shares the host's user
namespace (no `hostUsers: false`). uid 0 is POD003's finding; no
`runAsUser` at all is POD004's.

## Why it matters
Without a user namespace a container's uid is the host's uid. Hosts hand
out low uids to their own accounts: system services below 1000, people
from 1000. A process that escapes the container, or reaches a host file
through a volume, acts as that host account: it can read what the account
can read and signal its processes. A uid of 10000 or more, never allocated
on the host, owns nothing there.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: shop
spec:
  securityContext:
    runAsUser: 1000
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
    runAsUser: 10001
    runAsGroup: 10001
  containers:
  - name: app
    image: registry.example/app:1.0
```

## Fix
Set `runAsUser` (and `runAsGroup`) to 10000 or more, and make sure the
image's files are readable by that uid (or by its group); or run the pod in
its own user namespace with `hostUsers: false`. Not applied automatically:
files in the image owned by the old uid would become unreadable.

## References
- Configure a security context: <https://kubernetes.io/docs/tasks/configure-pod-container/security-context/>
- User namespaces: <https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/>
"#,
};

impl Check for LowUid {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(e) = cx.effective(view, c) else { return };
        // Windows ignores runAsUser; a user namespace remaps every uid.
        if e.windows || e.user_namespace {
            return;
        }
        let User::Uid(uid, source) = e.user else { return };
        if !(1..HIGH_UID).contains(&uid) {
            return;
        }
        let field = match source {
            Source::Container => c.path.key("securityContext").key("runAsUser"),
            _ => view.spec_path.key("securityContext").key("runAsUser"),
        };
        out.push(cx.container_finding(
            &META,
            view,
            c,
            &field,
            format!(
                "container {:?} runs as uid {uid}, a uid hosts give their own accounts: outside the container it is that host account",
                c.name
            ),
            Some(format!("use a uid of {HIGH_UID} or more (and make the image's files readable by it), or `hostUsers: false`")),
        ));
    }
}
