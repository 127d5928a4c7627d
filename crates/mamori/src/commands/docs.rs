use anyhow::Context as _;
use std::path::Path;

/// Write `docs/checks/`, or with `check`, verify it is current.
pub fn run(dir: &Path, check: bool) -> anyhow::Result<u8> {
    let files = mamori_checks::docs::files();
    if check {
        let mut stale = Vec::new();
        for (name, text) in &files {
            let p = dir.join(name);
            if std::fs::read_to_string(&p).ok().as_deref() != Some(text.as_str()) {
                stale.push(p.display().to_string());
            }
        }
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let n = e.file_name().to_string_lossy().to_string();
                if n.ends_with(".md") && !files.iter().any(|(f, _)| *f == n) {
                    stale.push(format!("{} (no such check)", e.path().display()));
                }
            }
        }
        if stale.is_empty() {
            eprintln!("docs are up to date ({} files in {})", files.len(), dir.display());
            return Ok(0);
        }
        eprintln!("error: generated docs are stale:");
        for s in &stale {
            eprintln!("  {s}");
        }
        eprintln!("hint: run `cargo run -- docs` and commit the result");
        return Ok(1);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().to_string();
            if n.ends_with(".md") && !files.iter().any(|(f, _)| *f == n) {
                std::fs::remove_file(e.path())?;
            }
        }
    }
    for (name, text) in &files {
        super::write_atomic(&dir.join(name), text)?;
    }
    eprintln!("wrote {} files to {}", files.len(), dir.display());
    Ok(0)
}
