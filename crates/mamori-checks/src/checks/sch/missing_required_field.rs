use crate::checks::sch::issues;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_source::schema::IssueKind;

pub struct MissingRequiredField;
pub static CHECK: MissingRequiredField = MissingRequiredField;

static META: CheckMeta = CheckMeta {
    code: "SCH005",
    name: "missing-required-field",
    title: "Required field missing",
    severity: Severity::High,
    selects: Selects::Input,
    mappings: &[],
    course: None,
    doc: r#"## What it finds
A field the API requires is absent (or null): a container without `name`, a
Service port without `port`, an object without `metadata.name`.

## Why it matters
The API server refuses the object: the deploy fails, and anything that
depends on it (a binding's permissions, a Service's endpoints) never exists.

## Example
```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - targetPort: 8080
```

## Use instead
```yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
```

## Fix
Add the field. Not applied automatically: only you know its value.

## References
- Kubernetes API reference: <https://kubernetes.io/docs/reference/kubernetes-api/>
"#,
};

impl Check for MissingRequiredField {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn input(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (oi, issue) in issues(cx, |k| matches!(k, IssueKind::MissingRequired { .. })) {
            let obj = &cx.inventory.objects[oi];
            let message = format!(
                "{}: Required value: the API server refuses {} {:?} without it",
                issue.path, obj.kind, obj.name
            );
            out.push(cx.finding(&META, oi, &issue.path, message, Some(format!("add `{}`", issue.path))));
        }
    }
}
