//! `mamori fix`: harden workloads by editing their YAML at exact positions.
//!
//! The loop for one file:
//! 1. Refuse templates (`{{`) and files that do not parse: there is no tree
//!    to edit safely.
//! 2. Move misplaced fields whose place is certain (SCH003 with an
//!    "under sibling" hint where the sibling is a block mapping that lacks
//!    the field), one move at a time.
//! 3. Scan with the catalog; for every finding of a fixable code (selected,
//!    and safe unless `unsafe_fixes`), plan operations ("make this path
//!    equal to this value", "make this list contain this item") from the
//!    object *as stored*. Apply them one by one, re-parsing between
//!    operations ([`text`]), so an operation never works on stale positions
//!    and several fixes merge into one `securityContext`.
//! 4. Verify: the result must parse into the same objects, which differ from
//!    the original (as stored and as written) only at the paths the
//!    operations reported changing; the values set must be there; and
//!    planning again must find nothing to do (idempotence). Any failure
//!    refuses the whole file with the reason; the original is untouched.

pub mod text;

use mamori_checks::registry;
use mamori_diagnostics::{Config, Finding};
use mamori_model::effective::{Source, User};
use mamori_model::{Effective, FieldPath, Inventory, Node, Object};
use mamori_source::load::{load_texts, LoadOptions, LoadResult, Problem, ProblemKind};
use mamori_source::schema::{IssueKind, Placement};
use std::collections::BTreeSet;
pub use text::{Op, Style, Val};

/// A fixable check: its code, whether the fix is safe, and what it does.
#[derive(Clone, Copy, Debug)]
pub struct Fixable {
    pub code: &'static str,
    pub safe: bool,
    pub what: &'static str,
}

/// Every check `mamori fix` can fix. Each check's doc says so in `## Fix`.
pub const FIXABLE: &[Fixable] = &[
    Fixable {
        code: "POD002",
        safe: true,
        what: "set allowPrivilegeEscalation: false",
    },
    Fixable {
        code: "POD004",
        safe: true,
        what: "set runAsNonRoot: true (and runAsUser: 10001 where no user is set)",
    },
    Fixable {
        code: "POD005",
        safe: true,
        what: "drop ALL capabilities",
    },
    Fixable {
        code: "POD007",
        safe: true,
        what: "set seccompProfile type RuntimeDefault",
    },
    Fixable {
        code: "POD010",
        safe: false,
        what: "set readOnlyRootFilesystem: true and mount an emptyDir at /tmp",
    },
    Fixable {
        code: "POD011",
        safe: false,
        what: "set hostPID: false",
    },
    Fixable {
        code: "POD012",
        safe: false,
        what: "set hostIPC: false",
    },
    Fixable {
        code: "POD013",
        safe: false,
        what: "set hostNetwork: false",
    },
    Fixable {
        code: "POD023",
        safe: true,
        what: "set automountServiceAccountToken: false",
    },
    Fixable {
        code: "POD033",
        safe: false,
        what: "set a CronJob's concurrencyPolicy: Forbid",
    },
    Fixable {
        code: "SCH003",
        safe: true,
        what: "move a misplaced field under the sibling it belongs to",
    },
];

/// The non-root uid written when no user is set: above the ranges distros
/// give system and first human users, so it owns nothing in the image.
pub const NON_ROOT_UID: i64 = 10001;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Codes or code prefixes (`POD`, `POD002`); empty: every fixable code.
    pub select: Vec<String>,
    pub unsafe_fixes: bool,
    pub load: LoadOptions,
}

impl Options {
    pub fn enabled(&self, code: &str) -> bool {
        let Some(f) = FIXABLE.iter().find(|f| f.code == code) else {
            return false;
        };
        (f.safe || self.unsafe_fixes)
            && (self.select.is_empty() || self.select.iter().any(|s| code.starts_with(s.as_str())))
    }
}

/// One fix applied to an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    pub code: &'static str,
    pub object: String,
    pub line: u32,
    pub path: String,
    pub description: String,
}

#[derive(Clone, Debug, Default)]
pub struct FileFix {
    pub path: String,
    pub original: String,
    /// The fixed text (equal to `original` when nothing changed or refused).
    pub fixed: String,
    pub applied: Vec<Applied>,
    /// Why the file was left alone.
    pub refused: Option<String>,
    /// Findings of fixable codes left alone on purpose, with the reason.
    pub skipped: Vec<String>,
}

impl FileFix {
    pub fn changed(&self) -> bool {
        self.fixed != self.original
    }

    /// A unified diff of the change, with the file's path in the headers.
    pub fn diff(&self) -> String {
        if !self.changed() {
            return String::new();
        }
        // git's a/ b/ prefixes suit relative paths (`git apply`, `patch -p1`);
        // an absolute path is shown as it is, like `diff -u` does.
        let (old, new) = if self.path.starts_with('/') {
            (self.path.clone(), self.path.clone())
        } else {
            (format!("a/{}", self.path), format!("b/{}", self.path))
        };
        similar::TextDiff::from_lines(&self.original, &self.fixed)
            .unified_diff()
            .context_radius(3)
            .header(&old, &new)
            .to_string()
    }
}

/// A planned operation with what it is for.
#[derive(Clone, Debug)]
struct Planned {
    object: usize,
    code: &'static str,
    op: Op,
    description: String,
}

fn code_static(code: &str) -> &'static str {
    FIXABLE.iter().find(|f| f.code == code).map(|f| f.code).unwrap_or("")
}

fn load(path: &str, text: &str, opts: &Options) -> LoadResult {
    load_texts(&[(path, text)], &opts.load)
}

/// Where an object sits in its file: document and path from the document's
/// root (`items[i]` inside a `List`).
fn base_of(o: &Object) -> (usize, FieldPath) {
    match o.origin.list_item {
        Some(i) => (o.origin.doc, FieldPath::root().key("items").index(i)),
        None => (o.origin.doc, FieldPath::root()),
    }
}

/// Fix one file's text. Never panics on bad input; a file that cannot be
/// fixed safely comes back unchanged with `refused` set.
pub fn fix_text(path: &str, original: &str, opts: &Options) -> FileFix {
    let mut out = FileFix {
        path: path.to_string(),
        original: original.to_string(),
        fixed: original.to_string(),
        ..FileFix::default()
    };
    if let Some(line) = original.lines().position(|l| l.contains("{{")) {
        out.refused = Some(format!(
            "{path}:{}: looks like a template (`{{{{`): render it first (`helm template`) and fix the chart's templates or values instead",
            line + 1
        ));
        return out;
    }
    let (bom, body) = match original.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", original),
    };
    match fix_body(path, body, opts, &mut out) {
        Ok(text) => out.fixed = format!("{bom}{text}"),
        Err(e) => {
            out.refused = Some(format!("{path}: {e}; the file was left unchanged"));
            out.applied.clear();
            out.fixed = original.to_string();
        }
    }
    out
}

fn fix_body(path: &str, body: &str, opts: &Options, out: &mut FileFix) -> Result<String, String> {
    let before = load(path, body, opts);
    if let Some(p) = broken(&before) {
        return Err(format!("line {}: {} (fix the YAML first)", p.pos.line, p.message));
    }
    let style = Style::detect(body);
    let mut text = body.to_string();
    let mut changed: Vec<(usize, FieldPath)> = Vec::new();
    let mut expect: Vec<(usize, FieldPath, serde_json::Value)> = Vec::new();

    // Moves first: they change what the runtime checks see.
    let moves = if opts.enabled("SCH003") {
        plan_moves(&before)
    } else {
        Vec::new()
    };
    for p in moves {
        apply_planned(&mut text, &before.objects, &p, style, &mut changed, &mut expect, out)?;
    }

    let analysis = analyze(path, &text, opts);
    let (plan, skipped) = plan_runtime(&analysis, opts);
    out.skipped.extend(skipped);
    for p in plan {
        apply_planned(
            &mut text,
            &analysis.inventory.objects,
            &p,
            style,
            &mut changed,
            &mut expect,
            out,
        )?;
    }
    if text == body {
        return Ok(text);
    }
    verify(path, body, &text, &before, &changed, &expect, opts)?;
    Ok(text)
}

/// A problem that leaves no tree to edit.
fn broken(l: &LoadResult) -> Option<&Problem> {
    l.problems.iter().find(|p| {
        matches!(
            p.kind,
            ProblemKind::Syntax | ProblemKind::Binary | ProblemKind::TooLarge | ProblemKind::Unreadable
        )
    })
}

fn analyze(path: &str, text: &str, opts: &Options) -> registry::Analysis {
    let load = load(path, text, opts);
    registry::analyze(load, &Config::default(), &registry::all())
}

fn apply_planned(
    text: &mut String,
    objects: &[Object],
    p: &Planned,
    style: Style,
    changed: &mut Vec<(usize, FieldPath)>,
    expect: &mut Vec<(usize, FieldPath, serde_json::Value)>,
    out: &mut FileFix,
) -> Result<(), String> {
    let o = &objects[p.object];
    let (doc, base) = base_of(o);
    let what = format!("{} {:?} (line {})", o.kind, o.name, o.origin.line);
    match text::apply(text, doc, &base, &p.op, style) {
        Ok(Some(edit)) => {
            *text = edit.text;
            for c in &edit.changed {
                changed.push((p.object, c.clone()));
            }
            if let Op::Set { at, keys, value } = &p.op {
                let mut full = at.clone();
                keys.iter().for_each(|k| full.push_key(k.clone()));
                expect.push((p.object, full, value.to_json()));
            }
            out.applied.push(Applied {
                code: p.code,
                object: format!("{} {:?}", o.kind, o.name),
                line: o.origin.line,
                path: edit.changed.first().map(|c| c.to_string()).unwrap_or_default(),
                description: p.description.clone(),
            });
            Ok(())
        }
        Ok(None) => Ok(()),
        // The text is unchanged: leave this one fix, keep the others.
        Err(e) => {
            out.skipped.push(format!(
                "{}:{}: {} left alone for {what}: cannot {}: {e}",
                out.path, o.origin.line, p.code, p.description
            ));
            Ok(())
        }
    }
}

/// Compare the objects before and after, minus the changed paths.
fn verify(
    path: &str,
    body: &str,
    text: &str,
    before: &LoadResult,
    changed: &[(usize, FieldPath)],
    expect: &[(usize, FieldPath, serde_json::Value)],
    opts: &Options,
) -> Result<(), String> {
    let after = load(path, text, opts);
    if let Some(p) = broken(&after) {
        return Err(format!(
            "internal error: the fixed text does not parse (line {}: {})",
            p.pos.line, p.message
        ));
    }
    if after.objects.len() != before.objects.len() {
        return Err(format!(
            "internal error: the fixed text has {} objects instead of {}",
            after.objects.len(),
            before.objects.len()
        ));
    }
    for (i, (a, b)) in before.objects.iter().zip(&after.objects).enumerate() {
        let paths: Vec<&FieldPath> = changed.iter().filter(|(o, _)| *o == i).map(|(_, p)| p).collect();
        for (what, x, y) in [("as stored", &a.stored, &b.stored), ("as written", &a.node, &b.node)] {
            let (mut x, mut y) = (x.clone(), y.clone());
            for p in &paths {
                x.remove(p);
                y.remove(p);
            }
            if x.to_json() != y.to_json() {
                return Err(format!(
                    "internal error: {} {:?} (line {}) changed {what} beyond the fixed fields",
                    a.kind, a.name, a.origin.line
                ));
            }
        }
    }
    for (i, p, v) in expect {
        let got = after.objects.get(*i).and_then(|o| o.node.at(p)).map(Node::to_json);
        if got.as_ref() != Some(v) {
            return Err(format!("internal error: {p} did not take the value {v}"));
        }
    }
    // Idempotence: planning on the result must find nothing left to do.
    let again = load(path, text, opts);
    if opts.enabled("SCH003") && !plan_moves(&again).is_empty() {
        return Err("internal error: a misplaced field is still misplaced after moving it".into());
    }
    let analysis = analyze(path, text, opts);
    let (plan, _) = plan_runtime(&analysis, opts);
    let mut probe = text.to_string();
    for p in &plan {
        let o = &analysis.inventory.objects[p.object];
        let (doc, base) = base_of(o);
        if let Ok(Some(e)) = text::apply(&probe, doc, &base, &p.op, Style::detect(body)) {
            return Err(format!(
                "internal error: fixing again would change {} in {} {:?}",
                e.changed.first().map(|c| c.to_string()).unwrap_or_default(),
                o.kind,
                o.name
            ));
        }
        probe = text.to_string();
    }
    Ok(())
}

/// SCH003 findings whose place is certain: an unknown field whose sibling
/// mapping (written, in block style, as one object) has a field of that
/// name and does not set it yet.
fn plan_moves(load: &LoadResult) -> Vec<Planned> {
    let mut out = Vec::new();
    for (obj, issue) in &load.issues {
        let IssueKind::UnknownField {
            field,
            placement: Some(Placement::UnderSibling { sibling, path }),
        } = &issue.kind
        else {
            continue;
        };
        let Some(parent) = issue.path.parent() else { continue };
        let target = parent.key(sibling.clone());
        // Only a sibling that is a mapping, not a list (which item?).
        if path != &target.key(field.clone()) {
            continue;
        }
        let Some(o) = load.objects.get(*obj) else { continue };
        let Some(t) = o.node.at(&target) else { continue };
        if t.as_map().is_none_or(|m| m.is_empty()) || t.get(field).is_some() {
            continue;
        }
        out.push(Planned {
            object: *obj,
            code: "SCH003",
            op: Op::Move {
                from: issue.path.clone(),
                to: target.clone(),
            },
            description: format!("move {field} under {target}"),
        });
    }
    out
}

fn keys(ks: &[&str]) -> Vec<String> {
    ks.iter().map(|k| k.to_string()).collect()
}

/// Whether the input binds service account `sa` of `ns` to any role: then
/// the workload presumably calls the API.
fn bound(inv: &Inventory, ns: &str, sa: &str) -> bool {
    inv.objects
        .iter()
        .filter(|o| o.kind == "RoleBinding" || o.kind == "ClusterRoleBinding")
        .flat_map(|o| o.stored.get("subjects").and_then(Node::as_seq).unwrap_or_default())
        .any(|s| {
            s.str_field("kind") == Some("ServiceAccount")
                && s.str_field("name") == Some(sa)
                && s.str_field("namespace").unwrap_or(ns) == ns
        })
}

/// Plan the runtime fixes for the findings, and say which were left alone.
fn plan_runtime(a: &registry::Analysis, opts: &Options) -> (Vec<Planned>, Vec<String>) {
    let inv = &a.inventory;
    let mut plan = Vec::new();
    let mut skipped = BTreeSet::new();
    let flagged: Vec<&Finding> = a
        .findings
        .iter()
        .filter(|f| FIXABLE.iter().any(|x| x.code == f.code) && f.code != "SCH003")
        .collect();
    for f in &flagged {
        if !opts.enabled(&f.code) {
            if FIXABLE.iter().any(|x| x.code == f.code && !x.safe) && !opts.unsafe_fixes {
                skipped.insert(format!(
                    "{}:{}: {} needs --unsafe-fixes: {}",
                    f.location.path, f.location.line, f.code, f.message
                ));
            }
            continue;
        }
    }
    for view in &inv.pod_specs {
        let o = &inv.objects[view.object];
        let Some(spec) = view.spec(o) else { continue };
        let r = o.reference();
        let mine: Vec<&&Finding> = flagged
            .iter()
            .filter(|f| f.object.as_ref() == Some(&r) && opts.enabled(&f.code))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let has = |code: &str, c: Option<&str>| {
            mine.iter()
                .any(|f| f.code == code && (c.is_none() || f.container.as_deref() == c))
        };
        let sp = &view.spec_path;
        let mut push = |code: &str, op: Op, description: String| {
            let p = Planned {
                object: view.object,
                code: code_static(code),
                op,
                description,
            };
            if !plan.iter().any(|x: &Planned| x.object == p.object && x.op == p.op) {
                plan.push(p);
            }
        };
        let containers = view.containers(o);
        let any_root = containers.iter().any(|c| {
            c.node
                .get("securityContext")
                .and_then(|s| s.get("runAsUser"))
                .and_then(Node::as_i64)
                == Some(0)
        }) || spec
            .get("securityContext")
            .and_then(|s| s.get("runAsUser"))
            .and_then(Node::as_i64)
            == Some(0);
        for c in &containers {
            let e = Effective::of(spec, view.metadata(o), c.node);
            let cp = c.path.clone();
            let name = c.name;
            if has("POD007", Some(name)) {
                match e.seccomp_source {
                    Source::Container => push(
                        "POD007",
                        Op::Set {
                            at: cp.clone(),
                            keys: keys(&["securityContext", "seccompProfile", "type"]),
                            value: Val::str("RuntimeDefault"),
                        },
                        format!("set container {name:?}'s seccompProfile to RuntimeDefault"),
                    ),
                    _ => push(
                        "POD007",
                        Op::Set {
                            at: sp.clone(),
                            keys: keys(&["securityContext", "seccompProfile", "type"]),
                            value: Val::str("RuntimeDefault"),
                        },
                        "set the pod's seccompProfile to RuntimeDefault".into(),
                    ),
                }
            }
            if has("POD002", Some(name)) {
                if e.privileged || e.capabilities.contains("SYS_ADMIN") {
                    skipped.insert(format!(
                        "{}:{}: POD002 left alone for container {name:?}: the API server refuses allowPrivilegeEscalation: false on a privileged container or one with SYS_ADMIN",
                        o.origin.path, o.origin.line
                    ));
                } else {
                    push(
                        "POD002",
                        Op::Set {
                            at: cp.clone(),
                            keys: keys(&["securityContext", "allowPrivilegeEscalation"]),
                            value: Val::Bool(false),
                        },
                        format!("set allowPrivilegeEscalation: false on container {name:?}"),
                    );
                }
            }
            if has("POD005", Some(name)) {
                push(
                    "POD005",
                    Op::Append {
                        at: cp.clone(),
                        keys: keys(&["securityContext", "capabilities", "drop"]),
                        item: Val::str("ALL"),
                    },
                    format!("drop ALL capabilities in container {name:?}"),
                );
            }
            if has("POD004", Some(name)) {
                let container_says_root_ok = c
                    .node
                    .get("securityContext")
                    .and_then(|s| s.get("runAsNonRoot"))
                    .and_then(Node::as_bool)
                    == Some(false);
                let at = if any_root || container_says_root_ok { &cp } else { sp };
                push(
                    "POD004",
                    Op::Set {
                        at: at.clone(),
                        keys: keys(&["securityContext", "runAsNonRoot"]),
                        value: Val::Bool(true),
                    },
                    if at == sp {
                        "set the pod's runAsNonRoot: true".into()
                    } else {
                        format!("set runAsNonRoot: true on container {name:?}")
                    },
                );
                if e.user == User::Image {
                    push(
                        "POD004",
                        Op::Set {
                            at: at.clone(),
                            keys: keys(&["securityContext", "runAsUser"]),
                            value: Val::Int(NON_ROOT_UID),
                        },
                        format!("set runAsUser: {NON_ROOT_UID} (no user was set; the image must run as any uid)"),
                    );
                }
            }
            if has("POD010", Some(name)) {
                push(
                    "POD010",
                    Op::Set {
                        at: cp.clone(),
                        keys: keys(&["securityContext", "readOnlyRootFilesystem"]),
                        value: Val::Bool(true),
                    },
                    format!("make container {name:?}'s root filesystem read-only"),
                );
                let mounts_tmp = c
                    .node
                    .get("volumeMounts")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .any(|m| m.str_field("mountPath").map(|p| p.trim_end_matches('/')) == Some("/tmp"));
                if !mounts_tmp {
                    let vols = spec.get("volumes").and_then(Node::as_seq).unwrap_or_default();
                    let vol_name = ["tmp", "mamori-tmp", "mamori-tmp-1", "mamori-tmp-2"]
                        .into_iter()
                        .find(|n| {
                            vols.iter()
                                .find(|v| v.str_field("name") == Some(n))
                                .is_none_or(|v| v.get("emptyDir").is_some() && v.as_map().is_some_and(|m| m.len() == 2))
                        })
                        .unwrap_or("mamori-tmp");
                    push(
                        "POD010",
                        Op::Append {
                            at: sp.clone(),
                            keys: keys(&["volumes"]),
                            item: Val::Map(vec![
                                ("name".into(), Val::str(vol_name)),
                                ("emptyDir".into(), Val::Map(vec![])),
                            ]),
                        },
                        format!("add an emptyDir volume {vol_name:?}"),
                    );
                    push(
                        "POD010",
                        Op::Append {
                            at: cp.clone(),
                            keys: keys(&["volumeMounts"]),
                            item: Val::Map(vec![
                                ("name".into(), Val::str(vol_name)),
                                ("mountPath".into(), Val::str("/tmp")),
                            ]),
                        },
                        format!("mount {vol_name:?} at /tmp in container {name:?}"),
                    );
                }
            }
        }
        for (code, field) in [("POD011", "hostPID"), ("POD012", "hostIPC"), ("POD013", "hostNetwork")] {
            if has(code, None) {
                push(
                    code,
                    Op::Set {
                        at: sp.clone(),
                        keys: keys(&[field]),
                        value: Val::Bool(false),
                    },
                    format!("set {field}: false"),
                );
            }
        }
        if has("POD023", None) {
            let explicit = spec.get("automountServiceAccountToken").and_then(Node::as_bool) == Some(true);
            let sa = spec
                .str_field("serviceAccountName")
                .or_else(|| spec.str_field("serviceAccount"))
                .filter(|s| !s.is_empty())
                .unwrap_or("default");
            let ns = o.effective_namespace.as_deref().unwrap_or("default");
            let why = if explicit {
                Some("it sets automountServiceAccountToken: true on purpose".to_string())
            } else if sa != "default" {
                Some(format!(
                    "it runs as service account {sa:?}, which suggests it calls the API"
                ))
            } else if bound(inv, ns, sa) {
                Some(format!("service account {sa:?} is bound to a role in the input"))
            } else {
                None
            };
            match why {
                Some(why) => {
                    skipped.insert(format!(
                        "{}:{}: POD023 left alone for {} {:?}: {why}",
                        o.origin.path, o.origin.line, o.kind, o.name
                    ));
                }
                None => push(
                    "POD023",
                    Op::Set {
                        at: sp.clone(),
                        keys: keys(&["automountServiceAccountToken"]),
                        value: Val::Bool(false),
                    },
                    "set automountServiceAccountToken: false".into(),
                ),
            }
        }
        if has("POD033", None) {
            // The CronJob's own spec, above its pod template.
            push(
                "POD033",
                Op::Set {
                    at: FieldPath::root(),
                    keys: keys(&["spec", "concurrencyPolicy"]),
                    value: Val::str("Forbid"),
                },
                "set concurrencyPolicy: Forbid".into(),
            );
        }
    }
    (plan, skipped.into_iter().collect())
}
