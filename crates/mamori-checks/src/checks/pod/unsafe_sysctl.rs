use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{Node, PodSpecView};

pub struct UnsafeSysctl;
pub static CHECK: UnsafeSysctl = UnsafeSysctl;

/// Sysctls the kubelet allows by default (namespaced, isolated per pod), as
/// Pod Security's baseline level lists them in its newest version.
pub const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

static META: CheckMeta = CheckMeta {
    code: "POD018",
    name: "unsafe-sysctl",
    title: "Unsafe sysctl set",
    severity: Severity::High,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: harden container runtime settings",
        "MITRE ATT&CK T1611 (escape to host)",
    ],
    course: None,
    doc: r#"## What it finds
A pod `securityContext.sysctls` entry outside the safe set:
`kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
`net.ipv4.ip_unprivileged_port_start`, `net.ipv4.tcp_syncookies`,
`net.ipv4.ping_group_range`, `net.ipv4.ip_local_reserved_ports`,
`net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
`net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`.

## Why it matters
Other sysctls are either not isolated per pod (they change the whole node)
or can starve other pods; `kernel.core_pattern`-style settings have been
container escapes. The kubelet refuses unsafe sysctls unless an
administrator allowed them, so the pod may not start at all
(`SysctlForbidden`); baseline Pod Security forbids them.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  securityContext:
    sysctls:
    - name: kernel.msgmax
      value: "65536"
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
    sysctls:
    - name: net.ipv4.ip_local_port_range
      value: "1024 65000"
  containers:
  - name: app
    image: registry.example/app:1.0
```

## Fix
Remove the sysctl, or tune it on dedicated nodes with the kubelet's
`--allowed-unsafe-sysctls` and taints that keep other workloads away.

## References
- Using sysctls in a Kubernetes cluster: <https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/>
"#,
};

impl Check for UnsafeSysctl {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        let obj = &cx.inventory.objects[view.object];
        let Some(items) = view
            .spec(obj)
            .and_then(|s| s.get("securityContext"))
            .and_then(|s| s.get("sysctls"))
            .and_then(Node::as_seq)
        else {
            return;
        };
        for (i, s) in items.iter().enumerate() {
            let name = s.str_field("name").unwrap_or("");
            // The kubelet accepts `/` as the separator too.
            if SAFE_SYSCTLS.contains(&name.replace('/', ".").as_str()) {
                continue;
            }
            out.push(
                cx.finding(
                    &META,
                    view.object,
                    &view
                        .spec_path
                        .key("securityContext")
                        .key("sysctls")
                        .index(i)
                        .key("name"),
                    format!("{} {:?} sets unsafe sysctl {name:?}", obj.kind, obj.name),
                    Some("remove it, or run the workload on dedicated nodes that allow it".into()),
                ),
            );
        }
    }
}
