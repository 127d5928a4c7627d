use crate::checks::sch::issues;
use crate::consequence;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_source::schema::{IssueKind, Placement};

pub struct UnknownField;
pub static CHECK: UnknownField = UnknownField;

static META: CheckMeta = CheckMeta {
    code: "SCH003",
    name: "unknown-field",
    title: "Field the API server does not know",
    severity: Severity::High,
    selects: Selects::Input,
    mappings: &[],
    course: Some("ex1-1 (RoleBinding apiGroup), ex1-2 (NetworkPolicy ports), ex1-3 and ex2-4 (container capabilities), ex4-3 (AuthorizationPolicy principals)"),
    doc: r#"## What it finds
A field that does not exist where it is written, usually a field at the wrong
indentation. mamori says where it belongs (a field of a sibling, of an
enclosing object, or a misspelling) and what the object means without it.

## Why it matters
With strict field validation (kubectl's default) the API server refuses the
object; where validation is off or a tool applies it leniently, the field is
silently dropped and the object means something else than what was written:
a NetworkPolicy rule that allows every port, an AuthorizationPolicy that
allows every caller, a container that keeps all its capabilities.

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
      allowPrivilegeEscalation: false
    capabilities:
      drop: ["ALL"]
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
      allowPrivilegeEscalation: false
      capabilities:
        drop: ["ALL"]
```

## Fix
Move the field to where the hint says (re-indent it). Moving a field
changes what the object does, so review the diff. `mamori fix` applies this
where the place is certain: the hint names a sibling mapping written in
block style that lacks the field (the course's `capabilities` beside
`securityContext`); other hints are left to you.

## References
- Kubernetes field validation: <https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation>
"#,
};

impl Check for UnknownField {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn input(&self, cx: &Context, out: &mut Vec<Finding>) {
        for (oi, issue) in issues(cx, |k| matches!(k, IssueKind::UnknownField { .. })) {
            let IssueKind::UnknownField { field, placement } = &issue.kind else {
                continue;
            };
            let obj = &cx.inventory.objects[oi];
            let dropped = consequence::of_unknown_field(cx, obj, &issue.path);
            let strict = consequence::of_rejection(obj);
            let message = format!(
                "unknown field {:?} in {} {:?}. With strict field validation (kubectl's default) the API server rejects it (strict decoding error: unknown field {:?}){strict}; where the field is dropped instead, {dropped}.",
                issue.path.to_string(),
                obj.kind,
                obj.name,
                issue.path.to_string()
            );
            let hint = match placement {
                Some(Placement::UnderSibling { sibling, path }) => Some(format!(
                    "`{field}` belongs under `{sibling}` ({path}): indent it as a child of `{sibling}`"
                )),
                Some(Placement::InEnclosing { path, beside }) => Some(format!(
                    "`{field}` belongs one level up, beside `{beside}` ({path}): move it out of the `{beside}` entry"
                )),
                Some(Placement::Typo { field: f }) => Some(format!("did you mean `{f}`?")),
                None => Some(format!(
                    "remove `{field}`, or check the API reference of {} {}",
                    obj.api_version, obj.kind
                )),
            };
            out.push(cx.finding(&META, oi, &issue.path, message, hint));
        }
    }
}
