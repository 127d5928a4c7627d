//! Renderers. Each takes the findings (already sorted and suppressed) and a
//! summary, and returns text; writing is the binary's job.

use mamori_diagnostics::{Finding, Severity, SuppressionReport};
use serde::Serialize;
use std::collections::BTreeMap;

pub mod junit;
pub mod sarif;
pub mod table;

/// Bumped when the JSON report changes incompatibly. Documented in
/// `docs/report-json.md`.
pub const JSON_SCHEMA_VERSION: &str = "1";

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub k8s_version: String,
    pub files: usize,
    pub documents: usize,
    pub objects: usize,
    /// Objects of custom resources with no known schema.
    pub unvalidated: usize,
    pub total: usize,
    pub by_severity: BTreeMap<String, usize>,
    pub suppressed: Suppressed,
    pub fail_on: String,
    pub failed: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Suppressed {
    pub annotation: usize,
    pub config: usize,
    pub baseline: usize,
    pub total: usize,
}

impl Summary {
    pub fn fill(&mut self, findings: &[Finding], sup: &SuppressionReport, fail_on: Severity) {
        self.total = findings.len();
        self.by_severity = Severity::ALL.iter().map(|s| (s.to_string(), 0)).collect();
        for f in findings {
            *self.by_severity.entry(f.severity.to_string()).or_default() += 1;
        }
        self.suppressed = Suppressed {
            annotation: sup.by_annotation,
            config: sup.by_config,
            baseline: sup.by_baseline,
            total: sup.by_annotation + sup.by_config + sup.by_baseline,
        };
        self.fail_on = fail_on.to_string();
        self.failed = findings.iter().any(|f| f.severity >= fail_on);
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport<'a> {
    schema_version: &'static str,
    tool: Tool,
    findings: &'a [Finding],
    summary: &'a Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

pub fn json(findings: &[Finding], summary: &Summary) -> String {
    let r = JsonReport {
        schema_version: JSON_SCHEMA_VERSION,
        tool: Tool {
            name: "mamori",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings,
        summary,
    };
    let mut s = serde_json::to_string_pretty(&r).expect("report serializes");
    s.push('\n');
    s
}
