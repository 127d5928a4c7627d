//! One file per subcommand.

mod checks;
mod docs;
mod explain_pod;
mod fix;
mod image;
mod netpol;
mod pss;
mod rbac;
mod scan;

use crate::cli::{Cli, Command};
use std::io::Write;
use std::path::Path;

pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Pss(args) => pss::run(args),
        Command::Checks { format } => checks::list(format),
        Command::Explain { code } => checks::explain(&code),
        Command::Docs { dir, check } => docs::run(&dir, check),
        Command::Rbac(args) => rbac::run(args),
        Command::ExplainPod(args) => explain_pod::run(args),
        Command::Fix(args) => fix::run(args),
        Command::Netpol(args) => netpol::run(args),
        Command::Image(args) => image::run(args),
    }
}

/// Write `text` to `path` whole or not at all: a temporary file in the same
/// folder, renamed into place.
pub fn write_atomic(path: &Path, text: &str) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "report".into());
    let tmp = dir.join(format!(".{name}.mamori-tmp-{}", std::process::id()));
    let res = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res.with_context(|| format!("cannot write {}", path.display()))
}

/// Print to stdout; a closed pipe (`| head`) is not an error.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
