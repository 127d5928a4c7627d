use crate::checks::sch::problems;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_source::load::ProblemKind;

pub struct DocumentNotAMapping;
pub static CHECK: DocumentNotAMapping = DocumentNotAMapping;

static META: CheckMeta = CheckMeta {
    code: "SCH011",
    name: "document-not-a-mapping",
    title: "Document is a list or scalar, not an object",
    severity: Severity::Medium,
    selects: Selects::Input,
    mappings: &[],
    course: None,
    doc: r#"## What it finds
A YAML document whose top level is a list or a plain value, or an item of a
`kind: List` that is not an object with `apiVersion` and `kind`.

## Why it matters
kubectl refuses such a document (`cannot unmarshal array into Go value of
type map`), so whatever it was meant to create is not created.

## Example
```yaml
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: settings
```

## Use instead
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
```

## Fix
Remove the leading `- ` so the document is a mapping, or wrap objects in a
`kind: List`. Not applied automatically.

## References
- Managing resources: <https://kubernetes.io/docs/concepts/cluster-administration/manage-deployment/>
"#,
};

impl Check for DocumentNotAMapping {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn input(&self, cx: &Context, out: &mut Vec<Finding>) {
        for p in problems(cx, &[ProblemKind::NotAnObject]) {
            out.push(cx.bare(&META, &p.path, p.pos.line, p.pos.col, p.message.clone(), p.hint.clone()));
        }
    }
}
