use super::shell::{arguments, base, container_argv, script_index, split, stdout_redirected_away, Simple};
use crate::context::Context;
use crate::registry::{Check, CheckMeta, Selects};
use mamori_diagnostics::{Finding, Severity};
use mamori_model::{ContainerView, FieldPath, Node, PodSpecView};

pub struct SecretPrintedToLogs;
pub static CHECK: SecretPrintedToLogs = SecretPrintedToLogs;

static META: CheckMeta = CheckMeta {
    code: "SEC005",
    name: "secret-printed-to-logs",
    title: "Container command prints a secret to its log",
    severity: Severity::High,
    selects: Selects::Containers,
    mappings: &[
        "NSA/CISA: protect secrets; audit logging",
        "CIS Kubernetes 5.4.1",
        "MITRE ATT&CK T1552 (Unsecured Credentials)",
    ],
    course: Some("ex4-1 (secret-test-pod prints API_KEY)"),
    doc: r#"## What it finds
A container `command` or `args`, including the script of `sh -c` (also
`bash`, `ash`, `dash`, `zsh`), that writes a Secret to standard output,
which is the container log:
- `echo`/`printf` of an environment variable that comes from a Secret
  (`env[].valueFrom.secretKeyRef`, or `envFrom[].secretRef` when the Secret
  is in the input so its keys are known), written `$NAME`, `${NAME}` or
  `$(NAME)` (the kubelet itself expands `$(NAME)` in `command` and `args`,
  with or without a shell), or of a shell variable assigned from one;
- `env`, `printenv`, `set`, `export -p` or `declare -x`, which print the
  whole environment, when the container has Secret env vars (also through
  `| grep`);
- `cat`, `head`, `tail`, `base64`, `xxd`, `od`, `strings` and similar of a
  file under a Secret volume's `mountPath`, or `echo $(cat FILE)`.

Output redirected to a file or `/dev/null`, or piped into `grep -q`, `wc` or
a hash (`sha256sum`), does not reach the log and is not reported. Single
quotes stop expansion, as in the shell.

## Why it matters
Container logs are kept by the node and usually shipped to a log platform,
where far more people and systems can read them than the Secret: anyone
with `pods/log` in the namespace (`kubectl logs`), the logging stack's
users, its backups. The secret lives on there after it is rotated in the
cluster. Printing a secret "to check it is there" is a common debugging
leftover.

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
    command: ["sh", "-c", "echo using key $API_KEY && exec /app"]
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
    command: ["sh", "-c", "test -n \"$API_KEY\" && echo API key present && exec /app"]
    env:
    - name: API_KEY
      valueFrom:
        secretKeyRef:
          name: api-key
          key: API_KEY
```

## Fix
Remove the command that prints the secret; to check that it is set, test
it without printing (`test -n "$API_KEY"`, `test -s /mnt/secrets/API_KEY`).
Rotate the secret if the logs were collected. Not applied automatically.

## References
- Good practices for Kubernetes Secrets: <https://kubernetes.io/docs/concepts/security/secrets-good-practices/>
- Define a command and arguments (`$(VAR)` expansion): <https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#use-environment-variables-to-define-arguments>
- MITRE ATT&CK T1552 Unsecured Credentials: <https://attack.mitre.org/techniques/T1552/>
"#,
};

/// Where a container gets Secrets from.
#[derive(Default)]
struct Sources {
    /// Env var name, Secret name.
    vars: Vec<(String, String)>,
    /// `envFrom` Secrets whose keys are unknown (not in the input).
    unknown_env_from: Vec<String>,
    /// Mount path, Secret name, mounted with `subPath` (the path is a file).
    mounts: Vec<(String, String, bool)>,
}

impl Sources {
    fn of(cx: &Context, view: &PodSpecView, c: &ContainerView) -> Sources {
        let mut s = Sources::default();
        for e in c.node.field("env").and_then(Node::as_seq).into_iter().flatten() {
            let secret = e
                .get("valueFrom")
                .and_then(|v| v.field("secretKeyRef"))
                .and_then(|r| r.str_field("name"));
            if let (Some(name), Some(secret)) = (e.str_field("name"), secret) {
                s.vars.push((name.to_string(), secret.to_string()));
            }
        }
        let obj = &cx.inventory.objects[view.object];
        let ns = obj.effective_namespace.as_deref().unwrap_or("default");
        for e in c.node.field("envFrom").and_then(Node::as_seq).into_iter().flatten() {
            let Some(secret) = e.get("secretRef").and_then(|r| r.str_field("name")) else {
                continue;
            };
            let prefix = e.str_field("prefix").unwrap_or("");
            match cx.inventory.get("Secret", ns, secret) {
                Some(o) => {
                    for field in ["data", "stringData"] {
                        for entry in o.stored.field(field).and_then(Node::as_map).into_iter().flatten() {
                            s.vars.push((format!("{prefix}{}", entry.key), secret.to_string()));
                        }
                    }
                }
                None => s.unknown_env_from.push(secret.to_string()),
            }
        }
        let spec = view.spec(obj);
        let secret_of_volume = |vol: &str| -> Option<String> {
            let v = spec?
                .field("volumes")?
                .as_seq()?
                .iter()
                .find(|v| v.str_field("name") == Some(vol))?;
            if let Some(name) = v.get("secret").and_then(|s| s.str_field("secretName")) {
                return Some(name.to_string());
            }
            let names: Vec<&str> = v
                .get("projected")?
                .field("sources")?
                .as_seq()?
                .iter()
                .filter_map(|src| src.get("secret").and_then(|s| s.str_field("name")))
                .collect();
            (!names.is_empty()).then(|| names.join(", "))
        };
        for m in c
            .node
            .field("volumeMounts")
            .and_then(Node::as_seq)
            .into_iter()
            .flatten()
        {
            let (Some(vol), Some(path)) = (m.str_field("name"), m.str_field("mountPath")) else {
                continue;
            };
            if let Some(secret) = secret_of_volume(vol) {
                let sub = m.str_field("subPath").is_some_and(|p| !p.is_empty());
                s.mounts.push((path.trim_end_matches('/').to_string(), secret, sub));
            }
        }
        s
    }

    fn any_env(&self) -> bool {
        !self.vars.is_empty() || !self.unknown_env_from.is_empty()
    }

    /// The Secret file a word names, if any.
    fn file(&self, word: &str) -> Option<(&str, &str)> {
        self.mounts.iter().find_map(|(path, secret, sub)| {
            let hit = word == path || (!sub && word.starts_with(&format!("{path}/")) && word.len() > path.len() + 1);
            hit.then_some((path.as_str(), secret.as_str()))
        })
    }

    /// A file of a Secret mount anywhere in the text (inside `$(cat ...)`).
    fn file_in(&self, text: &str) -> Option<(&str, &str)> {
        text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '`' | '"' | '\'' | ';'))
            .find_map(|w| self.file(w))
    }
}

/// `$NAME`, `${NAME}`, `${NAME:-x}` (shell) or `$(NAME)` (kubelet) in `text`,
/// for any name in `names`.
fn referenced<'n>(text: &str, names: &'n [(String, String)], shell: bool) -> Option<&'n (String, String)> {
    names.iter().find(|(name, _)| {
        let kubelet = format!("$({name})");
        let escaped = format!("$$({name})");
        if text.contains(&kubelet) && !text.contains(&escaped) {
            return true;
        }
        if !shell {
            return false;
        }
        let mut rest = text;
        while let Some(at) = rest.find('$') {
            let after = &rest[at + 1..];
            let after = after.strip_prefix('{').unwrap_or(after);
            if let Some(tail) = after.strip_prefix(name.as_str()) {
                if !tail.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                    return true;
                }
            }
            rest = &rest[at + 1..];
        }
        false
    })
}

const PRINT: &[&str] = &["echo", "printf", "print"];
const READ_FILE: &[&str] = &[
    "cat", "head", "tail", "more", "less", "base64", "xxd", "od", "hexdump", "strings", "nl", "tac", "jq", "yq",
];
const DUMP_ENV: &[&str] = &["env", "printenv", "set", "export", "declare", "typeset"];
/// Consumers whose output does not reveal their input.
const SINKS: &[&str] = &["wc", "sha256sum", "sha1sum", "md5sum", "sha512sum", "true"];

/// Why a simple command prints a secret, if it does. `vars` holds the
/// Secret env vars plus shell variables assigned from them.
fn prints(cmd: &Simple, src: &Sources, vars: &[(String, String)], shell: bool) -> Option<String> {
    let args = arguments(&cmd.words);
    let mut args = args.as_slice();
    while let Some((first, rest)) = args.split_first() {
        if matches!(
            *first,
            "exec" | "command" | "sudo" | "nohup" | "{" | "(" | "then" | "do" | "else"
        ) {
            args = rest;
        } else {
            break;
        }
    }
    let (&name, rest) = args.split_first()?;
    let name = base(name);
    if PRINT.contains(&name) {
        let text = rest.join(" ");
        if let Some((var, secret)) = referenced(&text, vars, shell) {
            return Some(format!("`{name}` prints env var {var} (from Secret {secret:?})"));
        }
        if text.contains("$(") || text.contains('`') {
            if let Some((path, secret)) = src.file_in(&text) {
                return Some(format!(
                    "`{name}` prints a file of Secret {secret:?} (mounted at {path})"
                ));
            }
        }
    }
    if READ_FILE.contains(&name) {
        for a in rest.iter().filter(|a| !a.starts_with('-')) {
            if let Some((path, secret)) = src.file(a.trim_end_matches('*').trim_end_matches('/')).or_else(|| {
                // `cat /mnt/secrets/*`
                a.strip_suffix("/*").and_then(|d| src.file(d))
            }) {
                return Some(format!(
                    "`{name} {a}` prints a file of Secret {secret:?} (mounted at {path})"
                ));
            }
        }
    }
    if DUMP_ENV.contains(&name) && src.any_env() {
        let dumps = match name {
            "env" => rest.iter().all(|a| a.starts_with('-') && !matches!(*a, "-u" | "-i")),
            "printenv" => rest.is_empty() || rest.iter().any(|a| vars.iter().any(|(v, _)| v == a)),
            "set" => rest.is_empty(),
            "export" => rest.is_empty() || rest == ["-p"],
            _ => rest.iter().any(|a| *a == "-x" || *a == "-p") && rest.len() == 1,
        };
        if name == "printenv" && !rest.is_empty() && dumps {
            let named: Vec<String> = vars
                .iter()
                .filter(|(v, _)| rest.contains(&v.as_str()))
                .map(|(v, s)| format!("{v} (from Secret {s:?})"))
                .collect();
            return Some(format!("`{}` prints env var {}", args.join(" "), named.join(", ")));
        }
        if dumps {
            let mut which: Vec<String> = src
                .vars
                .iter()
                .map(|(v, s)| format!("{v} (from Secret {s:?})"))
                .collect();
            which.extend(
                src.unknown_env_from
                    .iter()
                    .map(|s| format!("every key of Secret {s:?}")),
            );
            return Some(format!(
                "`{}` prints the environment, including {}",
                args.join(" "),
                which.join(", ")
            ));
        }
    }
    None
}

/// Findings' reasons for a script (shell) or an argv (no shell).
fn script_reasons(cmds: &[Simple], src: &Sources, shell: bool) -> Vec<String> {
    let mut vars = src.vars.clone();
    let mut reasons = Vec::new();
    let mut i = 0;
    while i < cmds.len() {
        // One pipeline: cmds[i..=end].
        let mut end = i;
        while cmds[end].piped && end + 1 < cmds.len() {
            end += 1;
        }
        for j in i..=end {
            let cmd = &cmds[j];
            // `TOKEN=$(cat /mnt/secrets/token)` or `KEY=$API_KEY`: the
            // shell variable carries the secret.
            let assigns: Vec<(&str, &str)> = cmd
                .words
                .iter()
                .map_while(|w| w.split_once('=').filter(|(n, _)| is_name(n)))
                .collect();
            if shell && assigns.len() == cmd.words.len() {
                for (n, v) in assigns {
                    let from = referenced(v, &vars, true)
                        .map(|(_, s)| s.clone())
                        .or_else(|| src.file_in(v).map(|(_, s)| s.to_string()));
                    if let Some(secret) = from {
                        vars.push((n.to_string(), secret));
                    }
                }
                continue;
            }
            let Some(reason) = prints(cmd, src, &vars, shell) else {
                continue;
            };
            // Its output must reach the log: not redirected away, and no
            // later stage swallows it.
            let swallowed = cmds[j..=end].iter().enumerate().any(|(k, c)| {
                let w = arguments(&c.words);
                stdout_redirected_away(&c.words)
                    || (k > 0
                        && w.first().is_some_and(|n| {
                            SINKS.contains(&base(n))
                                || (base(n) == "grep" && w.iter().any(|a| *a == "-q" || *a == "--quiet"))
                        }))
            });
            if !swallowed {
                reasons.push(reason);
            }
        }
        i = end + 1;
    }
    reasons
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

impl Check for SecretPrintedToLogs {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn container(&self, cx: &Context, view: &PodSpecView, c: &ContainerView, out: &mut Vec<Finding>) {
        let src = Sources::of(cx, view, c);
        if !src.any_env() && src.mounts.is_empty() {
            return;
        }
        let argv = container_argv(c);
        if argv.is_empty() {
            return;
        }
        let mut found: Vec<(FieldPath, Vec<String>)> = Vec::new();
        // `sh -c SCRIPT`: the script is shell; with no `command`, `args`
        // starting with `-c` go to the image's shell entrypoint.
        let words: Vec<&str> = argv.iter().map(|(_, w)| *w).collect();
        let script = script_index(&words, c.node.field("command").is_some());
        match script {
            Some(k) => {
                let reasons = script_reasons(&split(argv[k].1), &src, true);
                if !reasons.is_empty() {
                    found.push((argv[k].0.clone(), reasons));
                }
            }
            None => {
                // No shell: the kubelet expands `$(NAME)`; nothing else does.
                let cmd = Simple {
                    words: argv.iter().map(|(_, w)| w.to_string()).collect(),
                    piped: false,
                };
                let reasons = script_reasons(std::slice::from_ref(&cmd), &src, false);
                if !reasons.is_empty() {
                    found.push((argv[0].0.clone(), reasons));
                }
            }
        }
        for (path, reasons) in found {
            out.push(cx.container_finding(
                &META,
                view,
                c,
                &path,
                format!(
                    "container {:?} writes a secret to its log: {}",
                    c.name,
                    reasons.join("; ")
                ),
                Some(
                    "remove the commands that print it; to check a secret is present use `test -n \"$NAME\"` or `test -s FILE`, and rotate it if logs were collected"
                        .into(),
                ),
            ));
        }
    }
}
