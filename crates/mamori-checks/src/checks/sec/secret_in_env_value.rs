use super::detect::{describe, scan_named};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, Node, PodSpecView};

pub struct SecretInEnvValue;
pub static CHECK: SecretInEnvValue = SecretInEnvValue;

static META: CheckMeta = CheckMeta {
    code: "SEC001",
    name: "secret-in-env-value",
    title: "Secret written as a plain environment variable value",
    severity: Severity::High,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: protect secrets (use Kubernetes Secrets, encrypted at rest)",
        "CIS Kubernetes 5.4.1 (prefer secrets as files over environment variables)",
        "MITRE ATT&CK T1552.001 (Unsecured Credentials: Credentials In Files)",
        "MITRE ATT&CK T1552.007 (Unsecured Credentials: Container API)",
    ],
    course: Some("ex4-1 (Secrets)"),
    doc: r#"## What it finds
A container `env[].value` that holds a credential: a well-known format
(AWS access key id, GitHub, Slack, Google API and Stripe live keys, a PEM
private key, a JSON Web Token, a password inside a URL), or any real-looking
value of a variable whose name says it is a credential (`DB_PASSWORD`,
`API_KEY`, `clientSecret`, `GITHUB_TOKEN`). Names that describe a
credential instead of holding one (`TOKEN_FILE`, `SECRET_NAME`,
`PASSWORD_MIN_LENGTH`, `AWS_ACCESS_KEY_ID`) and placeholders (`changeme`,
`<token>`, `${TOKEN}`, `$(TOKEN)`, `xxxx`, `{{ .Values.x }}`, values
containing `example`) are not reported. Findings show only the first four
characters and the length of what was found.

## Why it matters
A literal value is part of the manifest: it sits in git history forever,
in CI logs, in Helm release records, and in the stored object, where anyone
who may read the workload (`get` on Deployments or Pods, far more people
than may read Secrets) sees it. RBAC on Secrets, encryption at rest and
secret rotation do not apply to it. Once committed it must be treated as
leaked.

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
    - name: DB_PASSWORD
      value: "T7r#qP2v!mZ9"
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
    volumeMounts:
    - name: db
      mountPath: /etc/db
      readOnly: true
  volumes:
  - name: db
    secret:
      secretName: db-credentials
```

## Fix
Rotate the credential first: it is already exposed. Then create a Secret
outside the repository (or with Sealed Secrets, External Secrets, SOPS) and
mount it as a file, or at least reference it with
`valueFrom.secretKeyRef`. Not applied automatically.

## References
- Good practices for Kubernetes Secrets: <https://kubernetes.io/docs/concepts/security/secrets-good-practices/>
- MITRE ATT&CK T1552 Unsecured Credentials: <https://attack.mitre.org/techniques/T1552/>
"#,
};

impl Check for SecretInEnvValue {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let Some(env) = c.node.field("env").and_then(Node::as_seq) else {
            return;
        };
        for (i, e) in env.iter().enumerate() {
            let (Some(name), Some(value)) = (e.str_field("name"), e.str_field("value")) else {
                continue;
            };
            let found = scan_named(name, value, false);
            if found.is_empty() {
                continue;
            }
            out.push(cx.container_finding(
                &META,
                view,
                c,
                &c.path.key("env").index(i).key("value"),
                format!(
                    "container {:?} writes {} in plain text in env var {name}",
                    c.name,
                    describe(&found)
                ),
                Some(format!(
                    "rotate it, store it in a Secret and mount it as a file, or replace `value:` with `valueFrom: {{secretKeyRef: {{name: <secret>, key: {name}}}}}`"
                )),
            ));
        }
    }
}
