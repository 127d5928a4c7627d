use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::PodSpecView;

pub struct HostNetwork;
pub static CHECK: HostNetwork = HostNetwork;

static META: CheckMeta = CheckMeta {
    code: "POD013",
    name: "host-network",
    title: "Uses the node's network namespace",
    severity: Severity::High,
    selects: Selects::PodSpecs,
    mappings: &[
        "NSA/CISA: do not share host namespaces",
        "CIS Kubernetes 5.2.4",
        "MITRE ATT&CK T1611 (escape to host)",
    ],
    course: None,
    doc: r#"## What it finds
A pod spec with `hostNetwork: true`.

## Why it matters
The containers use the node's network stack: they bind ports on the node's addresses, reach services listening on the node's loopback (the kubelet's read-only port, cloud metadata proxies), sniff the node's traffic with NET_RAW, and are not isolated by NetworkPolicy, which matches pod IPs.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  hostNetwork: true
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
```

## Fix
Remove `hostNetwork` (it defaults to false). Node agents that need it belong in a
dedicated namespace with a privileged Pod Security level and tight RBAC, not
beside applications.

`mamori fix` applies this only with --unsafe-fixes: it sets `hostNetwork: false`.

## References
- Pod Security Standards, host namespaces: <https://kubernetes.io/docs/concepts/security/pod-security-standards/>
"#,
};

impl Check for HostNetwork {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn pod_spec(&self, cx: &Context, view: &PodSpecView, out: &mut Vec<Finding>) {
        super::host_namespace(cx, view, &META, "hostNetwork", "its containers use the node's network: they bind node ports, reach node-local services and bypass NetworkPolicy", out);
    }
}
