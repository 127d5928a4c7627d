//! `cargo bench -p mamori --bench scan [-- DIR]`: time a whole scan of a
//! folder against a baseline measured in the same run.
//!
//! The baseline is the least any YAML tool must do with the same input:
//! read every file and run the YAML event parser over it. The ratios say
//! what mamori's own work (node tree with positions, kubectl document
//! splitting, strict schema validation, inventory, every check, a report)
//! costs on top of that, independent of how fast this machine is today.
//!
//! Default input: `../shared/corpus` when present, else `examples/`.
//! A custom harness (not criterion) because the unit of work is a whole
//! scan taking milliseconds, where medians of a few dozen runs are stable.

use mamori_checks::{all, analyze};
use mamori_diagnostics::Config;
use mamori_source::load::{load_paths_with_progress, LoadOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn yaml_files(root: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")))
        .collect();
    v.sort();
    v
}

/// Read and tokenise: the floor for any YAML-reading tool.
fn baseline(files: &[PathBuf]) -> usize {
    let mut events = 0;
    for f in files {
        let Ok(text) = std::fs::read_to_string(f) else { continue };
        for ev in saphyr_parser::Parser::new_from_str(&text) {
            if ev.is_err() {
                break;
            }
            events += 1;
        }
    }
    events
}

fn load_only(root: &Path) -> usize {
    let r = load_paths_with_progress(&[root.to_path_buf()], &LoadOptions::default(), &mut |_, _| {});
    r.objects.len()
}

fn scan(root: &Path) -> usize {
    let load = load_paths_with_progress(&[root.to_path_buf()], &LoadOptions::default(), &mut |_, _| {});
    let findings = analyze(load, &Config::empty(), &all()).findings;
    let report = mamori_report::sarif::render(&findings);
    findings.len() + report.len()
}

fn median(mut f: impl FnMut() -> usize, runs: usize) -> Duration {
    std::hint::black_box(f()); // warm the page cache and allocator
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; the first other argument is the folder.
    let arg = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = match arg {
        Some(a) => PathBuf::from(a),
        None => {
            let corpus = manifest.join("../../../shared/corpus");
            if corpus.is_dir() {
                corpus
            } else {
                manifest.join("../../examples")
            }
        }
    };
    let files = yaml_files(&root);
    let runs = 30;
    let base = median(|| baseline(&files), runs);
    let load = median(|| load_only(&root), runs);
    let full = median(|| scan(&root), runs);
    let objects = load_only(&root);
    println!("input: {} ({} files, {} objects)", root.display(), files.len(), objects);
    println!("median of {runs} runs:");
    println!(
        "  baseline (read + YAML events)     {:>9.2} ms",
        base.as_secs_f64() * 1e3
    );
    println!(
        "  load + strict schema              {:>9.2} ms   {:.2}x baseline",
        load.as_secs_f64() * 1e3,
        load.as_secs_f64() / base.as_secs_f64()
    );
    println!(
        "  full scan (checks + SARIF)        {:>9.2} ms   {:.2}x baseline",
        full.as_secs_f64() * 1e3,
        full.as_secs_f64() / base.as_secs_f64()
    );
}
