use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// mamori (守り): diagnose and harden Kubernetes environments.
///
/// mamori reads manifests the way the API server would, and explains what is
/// wrong, where, and what it means.
#[derive(Parser, Debug)]
#[command(name = "mamori", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan manifests: schema problems and security findings.
    ///
    /// Reads YAML and JSON files and folders (recursively: .yaml, .yml,
    /// .json), multi-document files, `kind: List` output of `kubectl get -o
    /// yaml`, and Helm-rendered output; `-` reads stdin.
    ///
    /// Examples:
    ///   mamori scan examples/k8s-defense
    ///   helm template ./chart | mamori scan -
    ///   mamori scan manifests/ --format sarif -o mamori.sarif
    ///   mamori scan manifests/ --baseline previous.json --fail-on medium
    #[command(verbatim_doc_comment)]
    Scan(ScanArgs),
    /// List the checks in the catalog.
    Checks {
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Show the documentation of a check (`mamori explain SCH003`).
    Explain {
        /// Check code or name.
        code: String,
    },
    /// Write, or verify, the generated check documentation (docs/checks).
    Docs {
        /// Output folder.
        #[arg(long, default_value = "docs/checks")]
        dir: PathBuf,
        /// Verify that the folder is up to date instead of writing it (exit 1 if stale).
        #[arg(long)]
        check: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// Files or folders to scan; `-` for stdin. Default: the current folder.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: Format,
    /// Write the report to FILE instead of stdout (written whole or not at all).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value = "high")]
    pub fail_on: FailOn,
    /// Namespace assumed for namespaced objects that name none (Helm and
    /// Kustomize set it at deploy time).
    #[arg(long, short = 'n', default_value = "default")]
    pub namespace: String,
    /// Kubernetes version whose API to validate against (1.25 to 1.37).
    #[arg(long, default_value = mamori_source::schema::NEWEST)]
    pub k8s_version: String,
    /// Configuration file (suppressions, severity overrides). Default:
    /// `.mamori.yaml` in the current folder, if present.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Report only findings that are not in this earlier JSON report.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Only run these checks (codes or code prefixes, comma-separated: `SCH,IMG001`).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// No progress bar and no summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Junit,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    /// Never fail because of findings.
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
