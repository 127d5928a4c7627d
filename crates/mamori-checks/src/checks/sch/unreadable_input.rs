use crate::checks::sch::problems;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_source::load::ProblemKind;

pub struct UnreadableInput;
pub static CHECK: UnreadableInput = UnreadableInput;

static META: CheckMeta = CheckMeta {
    code: "SCH002",
    name: "unreadable-input",
    title: "Input that is not a readable text file",
    severity: Severity::High,
    selects: Selects::Input,
    mappings: &[],
    course: None,
    doc: r#"## What it finds
A path that cannot be read, a binary file (NUL bytes or invalid UTF-8) named
like a manifest, or a file larger than mamori's limit (64 MiB).

## Why it matters
What cannot be read cannot be checked: a scan that skips it silently would
report a clean result for manifests it never saw.

## Example
```yaml
# (a file containing binary data, e.g. a compressed archive named app.yaml)
```

## Use instead
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: strict
```

## Fix
Point mamori at the rendered manifests; decompress or decode them first.
Nothing to apply automatically.

## References
- kubectl apply: <https://kubernetes.io/docs/reference/kubectl/generated/kubectl_apply/>
"#,
};

impl Check for UnreadableInput {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn input(&self, cx: &Context, out: &mut Vec<Finding>) {
        for p in problems(
            cx,
            &[ProblemKind::Unreadable, ProblemKind::Binary, ProblemKind::TooLarge],
        ) {
            out.push(cx.bare(&META, &p.path, p.pos.line, p.pos.col, p.message.clone(), p.hint.clone()));
        }
    }
}
