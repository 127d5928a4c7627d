use super::service_type;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;

pub struct ServiceExternalName;
pub static CHECK: ServiceExternalName = ServiceExternalName;

static META: CheckMeta = CheckMeta {
    code: "EXP006",
    name: "service-external-name",
    title: "Service of type ExternalName",
    severity: Severity::Low,
    selects: Selects::Objects(&["Service"]),
    mappings: &["MITRE ATT&CK T1557 (Adversary-in-the-Middle)", "CVE-2021-25740"],
    course: None,
    doc: r#"## What it finds
A Service with `type: ExternalName`.

## Why it matters
An ExternalName Service is a DNS alias (CNAME): in-cluster clients that
call `name.namespace.svc` are sent to whatever `externalName` says,
outside the cluster or to another namespace's service. Whoever can create
or edit Services in a namespace can redirect its clients anywhere, and
NetworkPolicies written for in-cluster names no longer describe the
traffic. CVE-2021-25740 showed that an ExternalName Service pointing at
another namespace's backends lets an ingress controller forward traffic
across namespace boundaries; the fix was documentation, not code, so the
risk remains by design.

## Example
```yaml
apiVersion: v1
kind: Service
metadata:
  name: payments
spec:
  type: ExternalName
  externalName: payments.example.com
```

## Use instead
```yaml
apiVersion: v1
kind: Service
metadata:
  name: payments
spec:
  selector:
    app: payments
  ports:
  - port: 443
```

## Fix
Prefer a selector-based Service, or have clients use the external name
directly; restrict who may create Services (and ExternalName in particular,
with an admission policy). Not applied automatically.

## References
- Service type ExternalName: <https://kubernetes.io/docs/concepts/services-networking/service/#externalname>
- CVE-2021-25740: <https://github.com/kubernetes/kubernetes/issues/103675>
"#,
};

impl Check for ServiceExternalName {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn object(&self, cx: &Context, obj: usize, out: &mut Vec<Finding>) {
        let o = &cx.inventory.objects[obj];
        if o.rejected.is_some() || service_type(o) != "ExternalName" {
            return;
        }
        let target = o
            .stored
            .get("spec")
            .and_then(|s| s.str_field("externalName"))
            .unwrap_or("(no externalName)");
        out.push(cx.finding(
            &META,
            obj,
            &FieldPath::root().key("spec").key("type"),
            format!(
                "Service {:?} is of type ExternalName: in-cluster clients of it are sent to {target:?} by DNS alias",
                o.name
            ),
            Some("use a Service with a `selector`, or let clients call the external name directly".into()),
        ));
    }
}
