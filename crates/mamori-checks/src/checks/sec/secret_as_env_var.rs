use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, Node, PodSpecView};

pub struct SecretAsEnvVar;
pub static CHECK: SecretAsEnvVar = SecretAsEnvVar;

static META: CheckMeta = CheckMeta {
    code: "SEC004",
    name: "secret-as-env-var",
    title: "Secret passed as an environment variable",
    severity: Severity::Low,
    selects: Selects::Containers,
    mappings: &[
        "CIS Kubernetes 5.4.1 (prefer using Secrets as files over Secrets as environment variables)",
        "MITRE ATT&CK T1552.007 (Unsecured Credentials: Container API)",
    ],
    course: Some("ex4-1 (Secrets: API key as env var and as file)"),
    doc: r#"## What it finds
A container that takes a Secret through its environment:
`env[].valueFrom.secretKeyRef` (one key) or `envFrom[].secretRef` (every
key of the Secret).

## Why it matters
The process environment travels further than a file:
- every child process inherits it, including shells, helpers and tools the
  application starts, which have no need for the secret;
- it stays readable in `/proc/<pid>/environ` to processes of the same user
  (and root) in the container for the life of the process, and `kubectl
  exec ... env` prints it;
- frameworks and crash reporters often dump the environment into logs and
  error reports, and a command like `env` or `printenv` at start-up writes
  it to the container log (see SEC005);
- it is fixed when the container starts: a rotated Secret reaches the
  process only after a restart, while a mounted Secret file is updated in
  place (unless mounted with `subPath`).

A Secret volume is a tmpfs file readable only by the container, with
permissions you choose (`defaultMode`), and read only when needed.

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
    - name: API_KEY
      valueFrom:
        secretKeyRef:
          name: api-key
          key: API_KEY
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
    - name: api-key
      mountPath: /etc/api-key
      readOnly: true
  volumes:
  - name: api-key
    secret:
      secretName: api-key
      defaultMode: 0400
```

## Fix
Mount the Secret as a volume and have the application read the file
(many accept `*_FILE` variables pointing at it). Not applied automatically:
the application must be changed to read a file.

## References
- Good practices for Kubernetes Secrets: <https://kubernetes.io/docs/concepts/security/secrets-good-practices/>
- Using Secrets as files from a Pod: <https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod>
"#,
};

impl Check for SecretAsEnvVar {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        for (i, e) in c
            .node
            .field("env")
            .and_then(Node::as_seq)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let Some(r) = e.get("valueFrom").and_then(|v| v.field("secretKeyRef")) else {
                continue;
            };
            let var = e.str_field("name").unwrap_or("?");
            let secret = r.str_field("name").unwrap_or("?");
            let key = r.str_field("key").unwrap_or("?");
            out.push(cx.container_finding(
                &META,
                view,
                c,
                &c.path.key("env").index(i).key("valueFrom").key("secretKeyRef"),
                format!(
                    "container {:?} gets key {key:?} of Secret {secret:?} as env var {var}: child processes inherit it and logs and crash dumps can show it",
                    c.name
                ),
                Some(format!(
                    "mount Secret {secret:?} as a volume (`volumes: [{{name: {secret}, secret: {{secretName: {secret}}}}}]` and a `volumeMounts` entry) and read the file {key}"
                )),
            ));
        }
        for (i, e) in c
            .node
            .field("envFrom")
            .and_then(Node::as_seq)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let Some(r) = e.field("secretRef") else { continue };
            let secret = r.str_field("name").unwrap_or("?");
            let prefix = e
                .str_field("prefix")
                .map(|p| format!(" (prefixed {p})"))
                .unwrap_or_default();
            out.push(cx.container_finding(
                &META,
                view,
                c,
                &c.path.key("envFrom").index(i).key("secretRef"),
                format!(
                    "container {:?} gets every key of Secret {secret:?} as env vars{prefix}: child processes inherit them and logs and crash dumps can show them",
                    c.name
                ),
                Some(format!(
                    "mount Secret {secret:?} as a volume (`volumes: [{{name: {secret}, secret: {{secretName: {secret}}}}}]` and a `volumeMounts` entry) and read its files"
                )),
            ));
        }
    }
}
