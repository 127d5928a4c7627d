use crate::checks::sch::issues;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_source::schema::IssueKind;

pub struct DuplicateField;
pub static CHECK: DuplicateField = DuplicateField;

static META: CheckMeta = CheckMeta {
    code: "SCH009",
    name: "duplicate-field",
    title: "Same key twice in one mapping",
    severity: Severity::Medium,
    selects: Selects::Input,
    mappings: &[],
    course: None,
    doc: r#"## What it finds
A mapping that sets the same key twice, for example two `securityContext:`
blocks in one container.

## Why it matters
Strict field validation refuses the object (`duplicate field`); otherwise
the last one silently wins and the first is lost, often a security setting.

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
    securityContext:
      runAsNonRoot: true
    securityContext:
      readOnlyRootFilesystem: true
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
    securityContext:
      runAsNonRoot: true
      readOnlyRootFilesystem: true
```

## Fix
Merge the two into one key. Not applied automatically.

## References
- Kubernetes field validation: <https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation>
"#,
};

impl Check for DuplicateField {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn input(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (oi, issue) in issues(cx, |k| matches!(k, IssueKind::DuplicateKey { .. })) {
            let IssueKind::DuplicateKey { key, first } = &issue.kind else {
                continue;
            };
            let message = format!(
                "{:?} is set twice (first on line {}): strict validation refuses it (duplicate field {:?}); otherwise this later value wins and the first is lost",
                issue.path.to_string(),
                first.line,
                key
            );
            let mut f = cx.finding(
                &META,
                oi,
                &issue.path,
                message,
                Some(format!("merge the two `{key}` entries into one")),
            );
            f.location.line = issue.pos.line;
            f.location.column = issue.pos.col;
            out.push(f);
        }
    }
}
