use crate::checks::sch::issues;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_source::schema::IssueKind;

pub struct InvalidBase64Data;
pub static CHECK: InvalidBase64Data = InvalidBase64Data;

static META: CheckMeta = CheckMeta {
    code: "SCH012",
    name: "invalid-base64-data",
    title: "Binary field that is not base64",
    severity: Severity::High,
    selects: Selects::Input,
    mappings: &[],
    course: Some("ex4-1 (Secret data)"),
    doc: r#"## What it finds
A `[]byte` field (a Secret's `data`, a ConfigMap's `binaryData`, a CA
bundle) whose value is not valid base64, typically a plain value written
under `data:` instead of `stringData:`.

## Why it matters
The API server cannot decode the object (`illegal base64 data`) and refuses
it.

## Example
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: api-key
data:
  API_KEY: not-base64!
```

## Use instead
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: api-key
stringData:
  API_KEY: not-base64!
```

## Fix
Base64-encode the value, or move it to `stringData`. Not applied
automatically.

## References
- Secrets: <https://kubernetes.io/docs/concepts/configuration/secret/>
"#,
};

impl Check for InvalidBase64Data {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn input(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (oi, issue) in issues(cx, |k| matches!(k, IssueKind::InvalidBase64)) {
            let obj = &cx.inventory.objects[oi];
            let message = format!(
                "{}: illegal base64 data: the API server refuses {} {:?}",
                issue.path, obj.kind, obj.name
            );
            let hint = if obj.kind == "Secret" {
                "base64-encode the value, or put it under `stringData`"
            } else {
                "base64-encode the value"
            };
            out.push(cx.finding(&META, oi, &issue.path, message, Some(hint.into())));
        }
    }
}
