use crate::checks::sch::problems;
use crate::context::{object_notes, Context};
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_source::load::ProblemKind;

pub struct ApiNotServed;
pub static CHECK: ApiNotServed = ApiNotServed;

static META: CheckMeta = CheckMeta {
    code: "SCH007",
    name: "api-not-served",
    title: "apiVersion/kind not served by this Kubernetes version",
    severity: Severity::High,
    selects: Selects::Input,
    mappings: &[],
    course: None,
    doc: r#"## What it finds
An object whose `apiVersion` and `kind` the selected Kubernetes version
(`--k8s-version`, default the newest supported) does not serve: removed beta
APIs such as `extensions/v1beta1` Deployments or `policy/v1beta1`
PodSecurityPolicies, or a typo in the group or version.

## Why it matters
The API server answers `no matches for kind` and nothing is created. After a
cluster upgrade this breaks deploys that used to work.

## Example
```yaml
apiVersion: extensions/v1beta1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: registry.example/web:1.0
```

## Use instead
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: registry.example/web:1.0
```

## Fix
Move to the served apiVersion the hint names; newer versions may require
fields (a Deployment's `selector`). Not applied automatically.

## References
- Deprecated API migration guide: <https://kubernetes.io/docs/reference/using-api/deprecation-guide/>
"#,
};

impl Check for ApiNotServed {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn input(&self, cx: &Context, out: &mut Vec<Finding>) {
        for p in problems(cx, &[ProblemKind::UnknownApi]) {
            let mut f = cx.bare(&META, &p.path, p.pos.line, p.pos.col, p.message.clone(), p.hint.clone());
            if let Some(o) = p.object.and_then(|i| cx.inventory.objects.get(i)) {
                f.object = Some(o.reference());
                f.notes = object_notes(o);
                f.location.field = "apiVersion".into();
            }
            out.push(f);
        }
    }
}
