use crate::checks::sch::problems;
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_source::load::ProblemKind;

pub struct NotAKubernetesObject;
pub static CHECK: NotAKubernetesObject = NotAKubernetesObject;

static META: CheckMeta = CheckMeta {
    code: "SCH010",
    name: "not-a-kubernetes-object",
    title: "YAML that is not a Kubernetes object (skipped)",
    severity: Severity::Info,
    selects: Selects::Input,
    mappings: &[],
    course: None,
    doc: r#"## What it finds
A YAML mapping without `apiVersion` or `kind` (a values file, a CI config),
a `kustomization.yaml`, or an unrendered Helm template (`{{ ... }}`): these
must be rendered before they can be checked.

## Why it matters
mamori skips it and says so, so that a scan never looks cleaner than it is:
a kustomization's resources are only checked once rendered.

## Example
```yaml
replicaCount: 2
image:
  repository: registry.example/web
```

## Use instead
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-values
data:
  replicaCount: "2"
```

## Fix
Nothing to fix in the file. Render templated input first:
`kustomize build DIR | mamori scan -` or `helm template CHART | mamori scan -`.

## References
- Kustomize: <https://kubectl.docs.kubernetes.io/references/kustomize/>
"#,
};

impl Check for NotAKubernetesObject {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn input(&self, cx: &Context, out: &mut Vec<Finding>) {
        for p in problems(
            cx,
            &[
                ProblemKind::NotKubernetes,
                ProblemKind::Kustomization,
                ProblemKind::Template,
            ],
        ) {
            out.push(cx.bare(&META, &p.path, p.pos.line, p.pos.col, p.message.clone(), p.hint.clone()));
        }
    }
}
