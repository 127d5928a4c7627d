use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, Node, PodSpecView};
use std::collections::HashSet;

pub struct DuplicateEnvVar;
pub static CHECK: DuplicateEnvVar = DuplicateEnvVar;

static META: CheckMeta = CheckMeta {
    code: "POD038",
    name: "duplicate-env-var",
    title: "Environment variable defined twice",
    severity: Severity::Low,
    selects: Selects::Containers,
    mappings: &["Kubernetes API server warning (pod spec env)"],
    course: Some("ex4-1 (an API key passed as an environment variable)"),
    doc: r#"## What it finds
A container whose `env` names the same variable twice, where the later
entry hides the earlier one: it uses `valueFrom`, or its `value` does not
refer to the earlier value as `$(NAME)`, or it is exactly `$(NAME)`. These
are the cases for which the API server warns "hides previous definition
of ..., which may be dropped when using apply"; `X=a` followed by
`X=$(X):b` extends the value and is not reported.

## Why it matters
The container sees only the last definition, so a reviewer reading the
first one (a safe default, a Secret reference) is misled about what runs.
Worse, `env` is merged by name in server-side and client-side apply: the
duplicate entries collapse into one, and which value survives a later
`kubectl apply` can differ from what the first create stored. A secret
from `valueFrom` may silently become the plain value, or the other way
round.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: shop
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    env:
    - name: API_URL
      value: https://api.example
    - name: API_URL
      value: http://localhost:8080
```

## Use instead
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: shop
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    env:
    - name: API_URL
      value: https://api.example
```

## Fix
Keep one entry per name (the one the container should see). Not applied
automatically: which value is meant is the author's call.

## References
- Define environment variables for a container: <https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/>
- Upstream issue on duplicate env entries and apply: <https://github.com/kubernetes/kubernetes/issues/86163>
"#,
};

impl Check for DuplicateEnvVar {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(env) = c.node.field("env").and_then(Node::as_seq) else {
            return;
        };
        let mut seen: HashSet<&str> = HashSet::new();
        for (i, item) in env.iter().enumerate() {
            let name = item.str_field("name").unwrap_or("");
            if seen.insert(name) {
                continue;
            }
            // Upstream's rule: a later entry that extends `$(NAME)` is fine.
            let reference = format!("$({name})");
            let value = item.str_field("value").unwrap_or("");
            let hides = item.field("valueFrom").is_some() || value == reference || !value.contains(&reference);
            if !hides {
                continue;
            }
            let field = c.path.key("env").index(i);
            out.push(cx.container_finding(
                &META,
                view,
                c,
                &field,
                format!("{field}: hides previous definition of {name:?}, which may be dropped when using apply"),
                Some(format!("keep one `env` entry named {name:?}")),
            ));
        }
    }
}
