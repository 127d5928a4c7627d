//! The `mamori` binary: argument parsing, printing and exit codes. The work
//! happens in the library crates.

mod cli;
mod commands;

use clap::Parser;

// The loader allocates a node per YAML value; mimalloc cuts the time spent in
// the system allocator (about a quarter of a corpus scan) substantially.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
