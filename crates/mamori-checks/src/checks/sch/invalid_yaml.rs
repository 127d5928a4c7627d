use crate::checks::sch::problems;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_source::load::ProblemKind;

pub struct InvalidYaml;
pub static CHECK: InvalidYaml = InvalidYaml;

static META: CheckMeta = CheckMeta {
    code: "SCH001",
    name: "invalid-yaml",
    title: "YAML that cannot be parsed",
    severity: Severity::High,
    selects: Selects::Input,
    mappings: &[],
    course: None,
    doc: r#"## What it finds
A document that is not valid YAML (bad indentation, an unclosed bracket or
quote, a tab used for indentation), content on a `---` separator line, or a
document so deeply nested or so full of aliases that loading it would
exhaust memory.

## Why it matters
kubectl refuses the whole file, so nothing in it is deployed, and no tool can
check what it was meant to say. mamori reports it and still analyses the
file's other documents.

## Example
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: [strict
```

## Use instead
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: "[strict"
```

## Fix
Correct the syntax at the reported line and column. Not applied
automatically.

## References
- YAML 1.2 specification: <https://yaml.org/spec/1.2.2/>
"#,
};

impl Check for InvalidYaml {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn input(&self, cx: &Context, out: &mut Vec<Finding>) {
        for p in problems(cx, &[ProblemKind::Syntax]) {
            out.push(cx.bare(&META, &p.path, p.pos.line, p.pos.col, p.message.clone(), p.hint.clone()));
        }
    }
}
