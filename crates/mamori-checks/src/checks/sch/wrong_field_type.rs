use crate::checks::sch::issues;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_source::schema::IssueKind;

pub struct WrongFieldType;
pub static CHECK: WrongFieldType = WrongFieldType;

static META: CheckMeta = CheckMeta {
    code: "SCH004",
    name: "wrong-field-type",
    title: "Field value of the wrong type",
    severity: Severity::High,
    selects: Selects::Input,
    mappings: &[],
    course: None,
    doc: r#"## What it finds
A value whose type is not the field's type: a string where a number is
expected, a list where an object is expected. It also catches YAML 1.1
surprises: Kubernetes reads unquoted `yes`, `no`, `on`, `off`, `y` and `n` as
booleans and `0755` as an octal number.

## Why it matters
The API server cannot decode the object and refuses it whatever the
validation mode: the deploy fails.

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
    env:
    - name: FEATURE_ENABLED
      value: yes
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
    env:
    - name: FEATURE_ENABLED
      value: "yes"
```

## Fix
Write the value in the field's type; quote strings that look like booleans or
numbers. Not applied automatically.

## References
- YAML 1.1 booleans in Kubernetes: <https://kubernetes.io/docs/reference/kubectl/generated/kubectl_apply/>
"#,
};

impl Check for WrongFieldType {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn input(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (oi, issue) in issues(cx, |k| matches!(k, IssueKind::WrongType { .. })) {
            let IssueKind::WrongType { expected, found, text } = &issue.kind else {
                continue;
            };
            let obj = &cx.inventory.objects[oi];
            let written = obj.node.at(&issue.path);
            let plain_surprise = written
                .map(|n| {
                    matches!(
                        n.value,
                        mamori_model::Value::Bool(_) | mamori_model::Value::Int(_) | mamori_model::Value::Float(_)
                    )
                })
                .unwrap_or(false)
                && expected == "string";
            let message = format!(
                "{}: expected {expected}, got {found}{}: the API server cannot decode {} {:?} and refuses it",
                issue.path,
                text.as_ref().map(|t| format!(" ({t})")).unwrap_or_default(),
                obj.kind,
                obj.name
            );
            let hint = if plain_surprise {
                Some("Kubernetes reads this unquoted value as YAML 1.1 (yes/no/on/off are booleans, 0755 is octal): quote it".to_string())
            } else {
                let article = if expected.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    "an"
                } else {
                    "a"
                };
                Some(format!("write {article} {expected} here"))
            };
            out.push(cx.finding(&META, oi, &issue.path, message, hint));
        }
    }
}
