use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, PodSpecView};

pub struct DangerousCapabilityAdded;
pub static CHECK: DangerousCapabilityAdded = DangerousCapabilityAdded;

/// Capabilities that hand out host-level power, with what each allows.
pub const DANGEROUS: &[(&str, &str)] = &[
    ("ALL", "every capability"),
    (
        "SYS_ADMIN",
        "mount filesystems, create namespaces and most container escapes",
    ),
    ("SYS_MODULE", "load kernel modules: code in the host kernel"),
    ("SYS_PTRACE", "trace and inject into other processes"),
    ("SYS_RAWIO", "raw I/O to devices and memory"),
    ("SYS_BOOT", "reboot the node"),
    ("SYS_TIME", "set the node's clock"),
    ("NET_ADMIN", "reconfigure interfaces, routes and iptables"),
    ("NET_RAW", "forge packets and spoof ARP/DNS on the pod network"),
    ("DAC_READ_SEARCH", "read any file by handle (the shocker escape)"),
    ("DAC_OVERRIDE", "bypass file permission checks"),
    ("BPF", "load eBPF programs"),
    ("PERFMON", "read kernel performance data"),
    ("MAC_ADMIN", "change the AppArmor/SELinux policy"),
    ("MAC_OVERRIDE", "bypass the AppArmor/SELinux policy"),
    ("SYSLOG", "read kernel addresses from the kernel log"),
];

static META: CheckMeta = CheckMeta {
    code: "POD006",
    name: "dangerous-capability-added",
    title: "Dangerous capability added",
    severity: Severity::High,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: drop unneeded Linux capabilities",
        "CIS Kubernetes 5.2.8, 5.2.9",
        "MITRE ATT&CK T1611 (escape to host)",
    ],
    course: Some("ex2-4"),
    doc: r#"## What it finds
A container whose `securityContext.capabilities.add` lists a capability that
gives power over the node or its network: ALL, SYS_ADMIN, SYS_MODULE,
SYS_PTRACE, SYS_RAWIO, SYS_BOOT, SYS_TIME, NET_ADMIN, NET_RAW,
DAC_READ_SEARCH, DAC_OVERRIDE, BPF, PERFMON, MAC_ADMIN, MAC_OVERRIDE, SYSLOG
(`CAP_` prefixes and lower case are the same capability).

## Why it matters
Each of these is a known step to a container escape or to attacking other
pods: SYS_ADMIN mounts the host's cgroup filesystem (the release_agent
escape), SYS_MODULE loads kernel code, SYS_PTRACE injects into processes,
NET_ADMIN rewrites iptables, NET_RAW spoofs traffic. Pod Security Standards'
baseline level refuses all but NET_RAW's runtime default; restricted allows
only NET_BIND_SERVICE.

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
      capabilities:
        add: ["SYS_ADMIN"]
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
Remove the capability. If a tool truly needs it (a network plugin, a
debugger), run it in a dedicated namespace with its own Pod Security level
and RBAC, never in an application pod.

## References
- capabilities(7): <https://man7.org/linux/man-pages/man7/capabilities.7.html>
- Pod Security Standards: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
"#,
};

impl Check for DangerousCapabilityAdded {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let add_path = c.path.key("securityContext").key("capabilities").key("add");
        for (i, raw, cap) in super::added_caps(c) {
            if let Some((_, what)) = DANGEROUS.iter().find(|(d, _)| *d == cap) {
                out.push(cx.container_finding(
                    &META,
                    view,
                    c,
                    &add_path.index(i),
                    format!("container {:?} adds capability {cap}: {what}", c.name),
                    Some(format!("remove {raw:?} from `capabilities.add`")),
                ));
            }
        }
    }
}
