use crate::cli::{ColorChoice, FailOn, Format, ScanArgs};
use anyhow::{bail, Context as _};
use mamori_checks::{all, analyze, Analysis, Check};
use mamori_diagnostics::{Baseline, Config, Finding, Severity, Suppressor};
use mamori_report::{table, Summary};
use mamori_source::load::{load_paths_with_progress, LoadOptions};
use mamori_source::schema::VERSIONS;
use mamori_source::yaml::{parse_documents, Limits};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let version = normalize_version(&args.k8s_version)?;
    let mut config = load_config(args.config.as_deref())?;
    // The RBAC checks judge bindings against this version's default roles.
    config.k8s_minor = version.split_once('.').and_then(|(_, m)| m.parse().ok());
    let baseline = match &args.baseline {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("cannot read baseline {}", p.display()))?;
            let json: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("baseline {} is not JSON (make it with --format json)", p.display()))?;
            Some(Baseline::from_report(&p.display().to_string(), &json).map_err(anyhow::Error::msg)?)
        }
        None => None,
    };
    let checks = select(&args.select)?;
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        bail!("`-` (stdin) can be given only once");
    }

    let opts = LoadOptions {
        k8s_version: version.clone(),
        default_namespace: args.namespace.clone(),
        ..LoadOptions::default()
    };
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let started = Instant::now();
    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut progress = |done: usize, total: usize| {
        if !show_progress {
            return;
        }
        // Only long runs get a bar.
        if bar.is_none() && started.elapsed() > Duration::from_secs(1) && done < total {
            let b = indicatif::ProgressBar::new(total as u64);
            b.set_style(
                indicatif::ProgressStyle::with_template("{spinner} reading {pos}/{len} files {wide_bar} {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar = Some(b);
        }
        if let Some(b) = &bar {
            b.set_position(done as u64);
        }
    };
    let load = load_paths_with_progress(&paths, &opts, &mut progress);
    if let Some(b) = bar.take() {
        b.finish_and_clear();
    }
    let Analysis {
        inventory,
        load,
        findings,
    } = analyze(load, &config, &checks);
    let suppressor = Suppressor::new(&config, baseline.as_ref());
    // Findings name their object by path and identity; index once so a
    // large input does not cost findings x objects comparisons.
    let by_ref: std::collections::HashMap<(&str, mamori_model::ObjectRef), usize> = inventory
        .objects
        .iter()
        .enumerate()
        .rev() // the first of duplicates wins, as a linear search would
        .map(|(i, o)| ((o.origin.path.as_str(), o.reference()), i))
        .collect();
    let object_of = |f: &Finding| -> Option<&mamori_model::Object> {
        let r = f.object.as_ref()?;
        let i = by_ref.get(&(f.location.path.as_str(), r.clone()))?;
        inventory.objects.get(*i)
    };
    let (findings, sup) = suppressor.apply(findings, &object_of);

    let fail_on = match args.fail_on {
        FailOn::Critical => Some(Severity::Critical),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let mut summary = Summary {
        k8s_version: version,
        files: load.files,
        documents: load.documents,
        objects: inventory.objects.len(),
        unvalidated: load.unvalidated,
        ..Summary::default()
    };
    summary.fill(&findings, &sup, fail_on.unwrap_or(Severity::Critical));
    if fail_on.is_none() {
        summary.failed = false;
        summary.fail_on = "never".into();
    }

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let text = match args.format {
        Format::Table => table::render(&findings, &summary, &table::Style { color }),
        Format::Json => mamori_report::json(&findings, &summary),
        Format::Sarif => mamori_report::sarif::render(&findings),
        Format::Junit => mamori_report::junit::render(&findings),
    };
    match &args.output {
        Some(p) => super::write_atomic(p, &text)?,
        None => super::print(&text)?,
    }
    // Suppressions must never hide silently.
    for (line, codes) in &sup.unused {
        eprintln!(
            "warning: {}:{line}: ignore rule for {} matched no finding; remove it",
            config.path,
            codes.join(",")
        );
    }
    for (line, codes, date) in &sup.expired {
        eprintln!(
            "warning: {}:{line}: ignore rule for {} expired on {date}; its findings are reported again",
            config.path,
            codes.join(",")
        );
    }
    if sup.forbidden_annotations > 0 {
        eprintln!(
            "warning: {} object(s) carry a mamori.dev/ignore annotation, which {} forbids (allowAnnotations: false)",
            sup.forbidden_annotations, config.path
        );
    }
    if !args.quiet && args.output.is_some() {
        eprintln!(
            "wrote {} findings to {}",
            findings.len(),
            args.output
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        );
    }
    // The process ends here: freeing every node of a large inventory one by
    // one is work nobody waits for.
    drop(by_ref);
    std::mem::forget(inventory);
    std::mem::forget(load);
    Ok(if summary.failed { 1 } else { 0 })
}

/// `1.30`, `v1.30`, `1.30.4` -> `1.30`, checked against the embedded data.
pub(super) fn normalize_version(v: &str) -> anyhow::Result<String> {
    let t = v.trim().trim_start_matches('v');
    let mut parts = t.split('.');
    let minor = match (parts.next(), parts.next()) {
        (Some(a), Some(b)) => format!("{a}.{b}"),
        _ => String::new(),
    };
    // A known version; its schema is built later, while the files are parsed.
    if !VERSIONS.contains(&minor.as_str()) {
        bail!(
            "Kubernetes version {v:?} is not supported\nhint: use one of {} (default {})",
            VERSIONS.join(", "),
            mamori_source::schema::NEWEST
        );
    }
    Ok(minor)
}

fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    let (path, explicit) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (PathBuf::from(".mamori.yaml"), false),
    };
    if !path.exists() {
        if explicit {
            bail!("config file {} does not exist", path.display());
        }
        return Ok(Config::empty());
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read config {}", path.display()))?;
    let shown = path.display().to_string();
    let doc = parse_documents(&text, Limits::default()).into_iter().next();
    let node = match doc {
        Some(Ok(d)) => d.node,
        Some(Err(e)) => bail!("{shown}:{}:{}: invalid YAML: {}", e.line, e.col, e.message),
        None => None,
    };
    Config::from_node(&shown, node.as_ref()).map_err(|e| anyhow::anyhow!("{e}\nhint: see `docs/configuration.md`"))
}

fn select(codes: &[String]) -> anyhow::Result<Vec<&'static dyn Check>> {
    let catalog = all();
    if codes.is_empty() {
        return Ok(catalog);
    }
    let mut out = Vec::new();
    for code in codes {
        let code = code.trim().to_uppercase();
        let matched: Vec<_> = catalog.iter().filter(|c| c.meta().code.starts_with(&code)).collect();
        if matched.is_empty() {
            bail!("--select {code}: no check has this code or prefix\nhint: `mamori checks` lists them");
        }
        for c in matched {
            if !out.iter().any(|x: &&dyn Check| x.meta().code == c.meta().code) {
                out.push(*c);
            }
        }
    }
    Ok(out)
}
