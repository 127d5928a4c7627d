use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::FieldPath;

pub struct DuplicateObject;
pub static CHECK: DuplicateObject = DuplicateObject;

static META: CheckMeta = CheckMeta {
    code: "SCH008",
    name: "duplicate-object",
    title: "Same object defined twice",
    severity: Severity::Medium,
    selects: Selects::Input,
    mappings: &[],
    course: None,
    doc: r#"## What it finds
Two manifests that define the same kind, namespace and name.

## Why it matters
Applied together, the later one silently replaces the earlier: which
definition runs depends on file order, and a reviewer may read the wrong one.

## Example
```yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: shop
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: shop
automountServiceAccountToken: false
```

## Use instead
```yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: shop
automountServiceAccountToken: false
```

## Fix
Keep one definition. Not applied automatically.

## References
- Object names and IDs: <https://kubernetes.io/docs/concepts/overview/working-with-objects/names/>
"#,
};

impl Check for DuplicateObject {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn input(&self, cx: &Context, out: &mut Vec<Finding>) {
        for group in cx.inventory.duplicates() {
            let first = &cx.inventory.objects[group[0]];
            for &i in &group[1..] {
                let o = &cx.inventory.objects[i];
                let message = format!(
                    "{} is also defined at {}:{}; applied together, the later definition replaces the earlier one",
                    o.reference(),
                    first.origin.path,
                    first.origin.line
                );
                out.push(cx.finding(
                    &META,
                    i,
                    &FieldPath::parse("metadata.name").expect("static"),
                    message,
                    Some("keep one definition".into()),
                ));
            }
        }
    }
}
