//! `mamori rbac generate`: least privilege from an audit log.

use crate::cli::GenerateArgs;
use anyhow::{bail, Context as _};
use mamori_rbac::audit::{generate, to_yaml, AuditLog, GenerateOptions};
use mamori_rbac::{Bootstrap, Options, Policy, UserInfo};
use std::io::Read;

pub fn run(a: GenerateArgs) -> anyhow::Result<u8> {
    let shown = a.audit_log.display().to_string();
    let mut text = String::new();
    if a.audit_log.as_os_str() == "-" {
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read stdin")?;
    } else {
        text = std::fs::read_to_string(&a.audit_log).with_context(|| format!("cannot read {shown}"))?;
    }
    let log = AuditLog::parse(&text);
    if !log.malformed.is_empty() {
        let lines: Vec<String> = log.malformed.iter().map(|m| m.line.to_string()).collect();
        eprintln!(
            "warning: {shown}: skipped {} malformed line(s): {}",
            log.malformed.len(),
            lines.join(", ")
        );
        eprintln!("  line {}: {}", log.malformed[0].line, log.malformed[0].error);
    }
    let user = match (&a.user, &a.serviceaccount) {
        (Some(u), None) => u.clone(),
        (None, Some(sa)) => match sa.split_once('/') {
            Some((ns, name)) if !ns.is_empty() && !name.is_empty() => format!("system:serviceaccount:{ns}:{name}"),
            _ => bail!("--serviceaccount takes NAMESPACE/NAME, got {sa:?}"),
        },
        _ => {
            let users: Vec<String> = log.users().iter().map(|(u, n)| format!("{u} ({n})")).collect();
            bail!(
                "whose permissions? give --user USER or --serviceaccount NS/NAME\nhint: users in {shown}: {}",
                if users.is_empty() {
                    "none".into()
                } else {
                    users.join(", ")
                }
            );
        }
    };
    let g = generate(
        &log,
        &user,
        &GenerateOptions {
            exact: a.exact,
            name: a.name.clone(),
        },
    );
    if g.requests == 0 {
        let users: Vec<String> = log.users().iter().map(|(u, n)| format!("{u} ({n})")).collect();
        bail!(
            "no request by {user:?} in {shown}\nhint: users in the log: {}",
            if users.is_empty() {
                "none".into()
            } else {
                users.join(", ")
            }
        );
    }
    // Check the output against the log: every logged request must be allowed by it alone.
    let yaml = to_yaml(&g.objects);
    let policy = Policy::from_values(
        &g.objects,
        Options {
            bootstrap: Bootstrap::Off,
            ..Options::default()
        },
    );
    let who = UserInfo::impersonate(&user, &[]);
    let denied: Vec<usize> = log
        .requests
        .iter()
        .filter(|r| r.user == user && !policy.can_i(&who, &r.request).allowed)
        .map(|r| r.line)
        .collect();
    if !denied.is_empty() {
        bail!("internal error: the generated policy denies logged requests at lines {denied:?}");
    }
    match &a.output {
        Some(p) => super::super::write_atomic(p, &yaml)?,
        None => super::super::print(&yaml)?,
    }
    eprintln!("allows all {} logged request(s) of {user}", g.requests);
    if g.beyond.is_empty() {
        eprintln!("grants nothing beyond the log");
    } else {
        eprintln!(
            "grants beyond the log ({} widened from read verbs; --exact to keep only logged verbs):",
            g.beyond.len()
        );
        for b in &g.beyond {
            eprintln!("  {b}");
        }
    }
    Ok(0)
}
