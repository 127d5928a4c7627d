//! `mamori fix`: the fix engine (`mamori-fix`) over files, with a diff,
//! in-place or into a folder, then a re-scan of the result.

use super::{print, write_atomic};
use crate::cli::FixArgs;
use anyhow::{bail, Context as _};
use mamori_fix::{fix_text, FileFix, Options, FIXABLE};
use mamori_source::load::{collect_files, display, load_texts, LoadOptions};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

pub fn run(args: FixArgs) -> anyhow::Result<u8> {
    for s in &args.select {
        if !FIXABLE.iter().any(|f| f.code.starts_with(s.as_str())) {
            let codes: Vec<&str> = FIXABLE.iter().map(|f| f.code).collect();
            bail!(
                "--select {s}: no fixable check has that code or prefix\nhint: fixable codes are {}",
                codes.join(", ")
            );
        }
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        bail!("`-` (stdin) can be given only once");
    }
    let opts = Options {
        select: args.select.clone(),
        unsafe_fixes: args.unsafe_fixes,
        load: LoadOptions {
            default_namespace: args.namespace.clone(),
            ..LoadOptions::default()
        },
    };
    let (files, problems) = collect_files(&paths);
    let mut status = 0u8;
    for p in &problems {
        eprintln!("error: {}: {}", p.path, p.message);
        status = 2;
    }
    let mut results: Vec<(PathBuf, FileFix)> = Vec::new();
    for file in files {
        let text = if file.as_os_str() == "-" {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).context("cannot read stdin")?;
            s
        } else {
            match std::fs::read_to_string(&file) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {}: cannot read it: {e}", display(&file));
                    status = 2;
                    continue;
                }
            }
        };
        let fixed = fix_text(&display(&file), &text, &opts);
        results.push((file, fixed));
    }

    // Output first, so that a failure to write is reported before the summary.
    let mut diff = String::new();
    for (file, f) in &results {
        if args.in_place {
            if !f.changed() {
                continue;
            }
            if file.as_os_str() == "-" {
                print(&f.fixed)?;
            } else {
                write_atomic(file, &f.fixed)?;
            }
        } else if let Some(dir) = &args.output {
            let dest = dir.join(relative(file, &paths));
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
            }
            write_atomic(&dest, &f.fixed)?;
        } else {
            diff.push_str(&f.diff());
        }
    }
    print(&diff)?;

    let mut applied = 0;
    let mut changed = 0;
    for (_, f) in &results {
        for a in &f.applied {
            eprintln!("fix: {}:{}: {} {}: {}", f.path, a.line, a.code, a.object, a.description);
        }
        for s in &f.skipped {
            eprintln!("note: {s}");
        }
        if let Some(r) = &f.refused {
            eprintln!("error: {r}");
            status = status.max(1);
        }
        applied += f.applied.len();
        changed += usize::from(f.changed());
    }
    let refused = results.iter().filter(|(_, f)| f.refused.is_some()).count();
    let verb = if args.in_place || args.output.is_some() {
        "applied"
    } else {
        "would apply"
    };
    eprintln!(
        "{verb} {applied} fix{} in {changed} of {} file{}{}",
        if applied == 1 { "" } else { "es" },
        results.len(),
        if results.len() == 1 { "" } else { "s" },
        if refused > 0 {
            format!(", {refused} refused")
        } else {
            String::new()
        }
    );
    remaining(&results, &opts);
    Ok(status)
}

/// Re-scan the fixed texts together and say what remains.
fn remaining(results: &[(PathBuf, FileFix)], opts: &Options) {
    let texts: Vec<(&str, &str)> = results
        .iter()
        .map(|(_, f)| (f.path.as_str(), f.fixed.as_str()))
        .collect();
    let load = load_texts(&texts, &opts.load);
    let mut findings =
        mamori_checks::analyze(load, &mamori_diagnostics::Config::default(), &mamori_checks::all()).findings;
    findings.sort_by_key(|f| f.sort_key());
    if findings.is_empty() {
        eprintln!("nothing remains: a scan of the result finds nothing");
        return;
    }
    eprintln!("remaining after fixing: {} finding(s):", findings.len());
    for f in &findings {
        eprintln!(
            "  {}:{}:{}: {} {}",
            f.location.path, f.location.line, f.location.column, f.code, f.message
        );
    }
}

/// Where a file goes under `-o DIR`: its path below the folder argument it
/// was found in, or its file name for a file argument.
fn relative(file: &Path, args: &[PathBuf]) -> PathBuf {
    if file.as_os_str() == "-" {
        return PathBuf::from("stdin.yaml");
    }
    for a in args {
        if a.is_dir() {
            if let Ok(rel) = file.strip_prefix(a) {
                let clean: PathBuf = rel.components().filter(|c| matches!(c, Component::Normal(_))).collect();
                if !clean.as_os_str().is_empty() {
                    return clean;
                }
            }
        }
    }
    file.file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("input.yaml"))
}
