//! `mamori pss`: Pod Security admission, offline.

use crate::cli::{PssArgs, PssFormat};
use anyhow::{bail, Context as _};
use mamori_model::{Inventory, Object};
use mamori_pss::{
    assess, AssessOptions, Assessment, ConfigError, EvalOptions, Level, Mode, NamespaceAssessment, ObjectAssessment,
    PodSecurityConfiguration,
};
use mamori_source::load::{load_paths, LoadOptions, LoadResult, ProblemKind};
use mamori_source::schema::{IssueKind, Placement};
use mamori_source::yaml::{parse_documents, Limits};
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub fn run(args: PssArgs) -> anyhow::Result<u8> {
    let k8s_version = super::scan::normalize_version(&args.k8s_version)?;
    let config = match &args.admission_config {
        Some(p) => load_admission_config(p)?,
        None => PodSecurityConfiguration::default(),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        bail!("`-` (stdin) can be given only once");
    }
    let opts = LoadOptions {
        k8s_version: k8s_version.clone(),
        default_namespace: args.namespace.clone(),
        ..LoadOptions::default()
    };
    let mut load = load_paths(&paths, &opts);
    let input_errors = report_problems(&load);
    let inventory = Inventory::new(std::mem::take(&mut load.objects));
    let assess_opts = AssessOptions {
        level: args.level,
        version: args.version,
        config,
        eval: EvalOptions {
            // An API server knows no check newer than itself: `latest` is its own minor.
            emulation_minor: k8s_version.split_once('.').and_then(|(_, m)| m.parse().ok()),
            ..EvalOptions::default()
        },
    };
    let a = assess(&inventory, &assess_opts);
    let dropped = dropped_fields(&inventory, &load);
    let text = match args.format {
        PssFormat::Text => render_text(
            &inventory,
            &a,
            &dropped,
            args.level
                .map(|l| format!("{l}:{}", args.version.unwrap_or(mamori_pss::Version::Latest))),
        ),
        PssFormat::Json => render_json(&inventory, &a, &dropped),
    };
    match &args.output {
        Some(p) => super::write_atomic(p, &text)?,
        None => super::print(&text)?,
    }
    Ok(if input_errors {
        2
    } else if a.objects.iter().any(ObjectAssessment::rejected) {
        1
    } else {
        0
    })
}

fn load_admission_config(path: &Path) -> anyhow::Result<PodSecurityConfiguration> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read admission config {shown}"))?;
    let node = match parse_documents(&text, Limits::default()).into_iter().next() {
        Some(Ok(d)) => d.node,
        Some(Err(e)) => bail!("{shown}:{}:{}: invalid YAML: {}", e.line, e.col, e.message),
        None => None,
    };
    let Some(node) = node else {
        bail!("{shown} is empty\nhint: give an AdmissionConfiguration or a PodSecurityConfiguration");
    };
    match PodSecurityConfiguration::from_value(&node.to_json()) {
        Ok(c) => Ok(c),
        Err(ConfigError::ExternalFile { path: rel }) => {
            // The API server resolves the plugin's file beside the admission configuration.
            let target = path.parent().unwrap_or(Path::new(".")).join(&rel);
            load_admission_config(&target)
                .with_context(|| format!("{shown}: the PodSecurity plugin's configuration is in {rel}"))
        }
        Err(e) => bail!(
            "{shown}: not a usable PodSecurity configuration: {e}\nhint: give an AdmissionConfiguration \
             (apiserver.config.k8s.io) with a PodSecurity plugin, or a PodSecurityConfiguration \
             (pod-security.admission.config.k8s.io/v1)"
        ),
    }
}

/// Input problems go to stderr; the ones that leave the answer incomplete
/// make the exit code 2.
fn report_problems(load: &LoadResult) -> bool {
    let mut errors = false;
    for p in &load.problems {
        let fatal = matches!(
            p.kind,
            ProblemKind::Unreadable
                | ProblemKind::Binary
                | ProblemKind::TooLarge
                | ProblemKind::Syntax
                | ProblemKind::NotAnObject
        );
        errors |= fatal;
        let at = if p.pos.line > 0 {
            format!("{}:{}", p.path, p.pos.line)
        } else {
            p.path.clone()
        };
        eprintln!("{}: {at}: {}", if fatal { "error" } else { "note" }, p.message);
        if let Some(h) = &p.hint {
            // The loader's hints name `scan`; the same input works here.
            eprintln!("hint: {}", h.replace("mamori scan", "mamori pss"));
        }
    }
    errors
}

/// Per object: the fields the API server would drop, which the verdicts
/// ignore (a misplaced `capabilities` changes the answer).
fn dropped_fields(inv: &Inventory, load: &LoadResult) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (oi, issue) in &load.issues {
        let IssueKind::UnknownField { field, placement } = &issue.kind else {
            continue;
        };
        if inv.objects[*oi].kind == "Namespace" {
            continue;
        }
        let hint = match placement {
            Some(Placement::UnderSibling { sibling, path }) => format!(" (it belongs under `{sibling}`: {path})"),
            Some(Placement::InEnclosing { path, beside }) => format!(" (it belongs beside `{beside}`: {path})"),
            Some(Placement::Typo { field: f }) => format!(" (did you mean `{f}`?)"),
            None => String::new(),
        };
        out.push((
            *oi,
            format!(
                "line {}: unknown field `{field}` at {}{hint} is dropped by the API server; judged without it",
                issue.pos.line, issue.path
            ),
        ));
    }
    out
}

/// Helm and Kustomize set the namespace at deploy time; the verdict depends on it.
fn assumed_namespace(o: &Object) -> Option<String> {
    let ns = o.effective_namespace.as_deref().filter(|_| o.namespace_assumed)?;
    Some(format!(
        "no namespace in the manifest: judged as namespace {ns:?} (set at deploy time, or pass -n)"
    ))
}

fn non_root_warnings(o: &ObjectAssessment) -> Vec<String> {
    o.non_root_without_user
        .iter()
        .map(|c| {
            let image = c.image.as_deref().unwrap_or("");
            format!(
                "container {:?} sets runAsNonRoot: true without runAsUser: unless image {image:?} declares a \
                 numeric non-root USER, the kubelet refuses to start it (\"container has runAsNonRoot and image \
                 will run as root\", or cannot verify a non-numeric user); set runAsUser",
                c.container
            )
        })
        .collect()
}

fn title(o: &Object) -> String {
    match &o.effective_namespace {
        Some(ns) => format!("{} {ns}/{}", o.kind, o.name),
        None => format!("{} {}", o.kind, o.name),
    }
}

fn verdict_word(o: &ObjectAssessment, mode: Mode, allowed: bool, is_pod: bool) -> &'static str {
    if o.exempt.is_some() {
        "exempt"
    } else if allowed {
        "allowed"
    } else if mode == Mode::Enforce {
        if is_pod {
            "forbidden"
        } else {
            "its pods would be forbidden"
        }
    } else {
        "violated"
    }
}

fn render_text(inv: &Inventory, a: &Assessment, dropped: &[(usize, String)], fixed: Option<String>) -> String {
    let mut s = String::new();
    if let Some(lv) = fixed {
        let _ = writeln!(s, "Judged at {lv} (--level), not by namespace labels.\n");
    }
    for o in &a.objects {
        let obj = &inv.objects[o.object];
        let _ = writeln!(s, "{}  ({}:{})", title(obj), obj.origin.path, obj.origin.line);
        if let Some(e) = o.exempt {
            let _ = writeln!(s, "  exempt ({e}): not evaluated by admission");
        }
        if let Some(n) = assumed_namespace(obj) {
            let _ = writeln!(s, "  note: {n}");
        }
        for (_, d) in dropped.iter().filter(|(i, _)| *i == o.object) {
            let _ = writeln!(s, "  note: {d}");
        }
        let is_pod = obj.kind == "Pod";
        for v in &o.verdicts {
            let word = verdict_word(o, v.mode, v.allowed, is_pod);
            // Upstream sends no warning with a rejection.
            let unsent = if v.mode == Mode::Warn && !v.allowed && is_pod && o.rejected() {
                " (no warning is sent with a rejection)"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "  {:<8} {:<18} {word}{unsent}",
                v.mode.as_str(),
                v.policy.to_string()
            );
            if let Some(m) = &v.message {
                let _ = writeln!(s, "    {m}");
            }
        }
        let _ = writeln!(s, "  strictest level satisfied: {} (at {})", o.strictest, o.version);
        for w in non_root_warnings(o) {
            let _ = writeln!(s, "  warning: {w}");
        }
        s.push('\n');
    }
    for sk in &a.skipped {
        let obj = &inv.objects[sk.object];
        let _ = writeln!(
            s,
            "{}  ({}:{})\n  skipped: {}\n",
            title(obj),
            obj.origin.path,
            obj.origin.line,
            sk.reason
        );
    }
    if !a.namespaces.is_empty() {
        s.push_str("Namespaces\n");
    }
    for ns in &a.namespaces {
        render_namespace(&mut s, inv, a, ns);
    }
    let rejected = a.objects.iter().filter(|o| o.rejected()).count();
    let _ = writeln!(
        s,
        "{} pod-bearing object(s): {rejected} rejected at enforce, {} more violating audit or warn; {} namespace(s)",
        a.objects.len(),
        audit_or_warn_only(a),
        a.namespaces.len()
    );
    s
}

/// Objects that enforce admits but audit or warn flags.
fn audit_or_warn_only(a: &Assessment) -> usize {
    a.objects
        .iter()
        .filter(|o| !o.rejected() && o.verdicts.iter().any(|v| v.mode != Mode::Enforce && !v.allowed))
        .count()
}

fn render_namespace(s: &mut String, inv: &Inventory, a: &Assessment, ns: &NamespaceAssessment) {
    let place = match ns.declared {
        Some(i) => format!("{}:{}", inv.objects[i].origin.path, inv.objects[i].origin.line),
        None => "not in the input: no labels known".to_string(),
    };
    let p = &ns.policy;
    let _ = writeln!(
        s,
        "  {} ({place}): enforce={} audit={} warn={}",
        ns.name, p.enforce, p.audit, p.warn
    );
    if ns.exempt {
        let _ = writeln!(
            s,
            "    exempt by the admission configuration: nothing in it is evaluated"
        );
    }
    if let Some(m) = mamori_pss::namespace_invalid_message(&ns.name, &ns.errors) {
        let _ = writeln!(
            s,
            "    the API server refuses to create it: {m}\n    (where it exists anyway: an invalid enforce level counts as restricted, audit or warn as privileged, a version as latest)"
        );
    }
    let n = ns.objects.len();
    if n == 0 {
        let _ = writeln!(
            s,
            "    no pod-bearing objects in the input: it can carry enforce=restricted"
        );
        return;
    }
    let _ = writeln!(
        s,
        "    all {n} pod-bearing object(s) satisfy {} (at {}): it can carry pod-security.kubernetes.io/enforce={} today",
        ns.strictest, ns.version, ns.strictest
    );
    if let Some((level, failing)) = &ns.next {
        let _ = writeln!(s, "    at {level}, {} of {n} would be rejected:", failing.len());
        for (i, e) in failing {
            let obj = &inv.objects[a.objects[*i].object];
            let _ = writeln!(s, "      {}: {}", title(obj), e.forbidden_reasons());
        }
    }
}

fn render_json(inv: &Inventory, a: &Assessment, dropped: &[(usize, String)]) -> String {
    let location = |o: &Object| json!({"path": o.origin.path, "line": o.origin.line});
    let mut results = Vec::new();
    for o in &a.objects {
        let obj = &inv.objects[o.object];
        for v in &o.verdicts {
            results.push(json!({
                "object": obj.reference(),
                "location": location(obj),
                "level": v.policy.level,
                "version": v.policy.version,
                "mode": v.mode,
                "allowed": v.allowed,
                "exempt": o.exempt.map(|e| e.as_str()),
                "message": v.message,
                "violations": v.evaluation.violations.iter().map(|x| json!({
                    "check": x.check_id, "reason": x.reason, "detail": x.detail
                })).collect::<Vec<_>>(),
                "strictestLevel": o.strictest,
            }));
        }
    }
    // What the API server returns per object, as upstream would send it.
    let admission: Vec<Value> = a
        .objects
        .iter()
        .filter_map(|o| {
            let adm = o.admission.as_ref()?;
            let obj = &inv.objects[o.object];
            Some(json!({
                "object": obj.reference(),
                "location": location(obj),
                "allowed": adm.allowed,
                "message": adm.message,
                "warnings": adm.warnings,
                "auditAnnotations": adm.audit_annotations,
            }))
        })
        .collect();
    let mut notes = Vec::new();
    for o in &a.objects {
        let obj = &inv.objects[o.object];
        if let Some(n) = assumed_namespace(obj) {
            notes.push(
                json!({"object": obj.reference(), "location": location(obj), "kind": "namespaceAssumed", "message": n}),
            );
        }
        for (_, d) in dropped.iter().filter(|(i, _)| *i == o.object) {
            notes.push(
                json!({"object": obj.reference(), "location": location(obj), "kind": "droppedField", "message": d}),
            );
        }
        for w in non_root_warnings(o) {
            notes.push(json!({"object": obj.reference(), "location": location(obj), "kind": "runAsNonRootWithoutRunAsUser", "message": w}));
        }
    }
    let skipped: Vec<Value> = a
        .skipped
        .iter()
        .map(|sk| {
            let obj = &inv.objects[sk.object];
            json!({"object": obj.reference(), "location": location(obj), "reason": sk.reason})
        })
        .collect();
    let namespaces: Vec<Value> = a
        .namespaces
        .iter()
        .map(|ns| {
            let next = ns.next.as_ref().map(|(level, failing)| {
                json!({
                    "level": level,
                    "rejected": failing.iter().map(|(i, e)| {
                        let obj = &inv.objects[a.objects[*i].object];
                        json!({
                            "object": obj.reference(),
                            "location": location(obj),
                            "violations": e.violations.iter().map(|x| json!({
                                "check": x.check_id, "reason": x.reason, "detail": x.detail
                            })).collect::<Vec<_>>(),
                        })
                    }).collect::<Vec<_>>(),
                })
            });
            json!({
                "name": ns.name,
                "location": ns.declared.map(|i| location(&inv.objects[i])),
                "labels": ns.pss_labels,
                "policy": {
                    "enforce": ns.policy.enforce.to_string(),
                    "audit": ns.policy.audit.to_string(),
                    "warn": ns.policy.warn.to_string(),
                },
                "labelErrors": ns.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
                "exempt": ns.exempt,
                "objects": ns.objects.len(),
                "version": ns.version,
                "strictestLevel": ns.strictest,
                "suggestedLabel": format!("{}={}", Mode::Enforce.level_label(), ns.strictest),
                "nextLevel": next,
            })
        })
        .collect();
    let summary = json!({
        "objects": a.objects.len(),
        "rejectedAtEnforce": a.objects.iter().filter(|o| o.rejected()).count(),
        "violatingAuditOrWarnOnly": audit_or_warn_only(a),
        "namespaces": a.namespaces.len(),
        "strictestLevels": Level::ALL
            .iter()
            .map(|l| (l.as_str().to_string(), json!(a.objects.iter().filter(|o| o.strictest == *l).count())))
            .collect::<serde_json::Map<_, _>>(),
    });
    let v = json!({
        "schemaVersion": "1",
        "results": results,
        "admission": admission,
        "notes": notes,
        "skipped": skipped,
        "namespaces": namespaces,
        "summary": summary,
    });
    format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
}
