use crate::checks::sch::issues;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_source::schema::IssueKind;

pub struct UnsupportedValue;
pub static CHECK: UnsupportedValue = UnsupportedValue;

static META: CheckMeta = CheckMeta {
    code: "SCH006",
    name: "unsupported-value",
    title: "Value outside the field's allowed set",
    severity: Severity::High,
    selects: Selects::Input,
    mappings: &[],
    course: None,
    doc: r#"## What it finds
An enumerated field with a value the API does not accept (`imagePullPolicy:
always`, protocol `tcp`).

## Why it matters
The API server refuses the object with `Unsupported value`: the deploy fails.
Values are case-sensitive.

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
    imagePullPolicy: always
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
    imagePullPolicy: Always
```

## Fix
Use one of the supported values the message lists. Not applied automatically.

## References
- Kubernetes API reference: <https://kubernetes.io/docs/reference/kubernetes-api/>
"#,
};

impl Check for UnsupportedValue {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn input(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (oi, issue) in issues(cx, |k| matches!(k, IssueKind::InvalidEnum { .. })) {
            let IssueKind::InvalidEnum { value, allowed } = &issue.kind else {
                continue;
            };
            let obj = &cx.inventory.objects[oi];
            let supported = allowed.iter().map(|a| format!("{a:?}")).collect::<Vec<_>>().join(", ");
            let message = format!(
                "{}: Unsupported value: {value:?}: supported values: {supported}. The API server refuses {} {:?}",
                issue.path, obj.kind, obj.name
            );
            let hint = allowed
                .iter()
                .find(|a| a.eq_ignore_ascii_case(value))
                .map(|a| format!("values are case-sensitive: write {a:?}"))
                .or_else(|| {
                    (value.is_empty() && allowed.len() == 1).then(|| format!("set `{}: {}`", issue.path, allowed[0]))
                });
            out.push(cx.finding(&META, oi, &issue.path, message, hint));
        }
    }
}
