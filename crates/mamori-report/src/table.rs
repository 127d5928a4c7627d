//! The human table: findings grouped by file and object.

use crate::Summary;
use mamori_diagnostics::{Finding, Severity};

pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn sev(&self, s: Severity) -> String {
        let code = match s {
            Severity::Critical => "1;35",
            Severity::High => "1;31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.paint(code, &format!("{:<8}", s.as_str().to_uppercase()))
    }
}

pub fn render(findings: &[Finding], summary: &Summary, style: &Style) -> String {
    let mut out = String::new();
    let mut last_group: Option<(String, String)> = None;
    for f in findings {
        let obj = f.object.as_ref().map(|o| o.to_string()).unwrap_or_default();
        let group = (f.location.path.clone(), obj.clone());
        if last_group.as_ref() != Some(&group) {
            if last_group.is_some() {
                out.push('\n');
            }
            let head = if obj.is_empty() {
                f.location.path.clone()
            } else {
                format!("{}  {}", f.location.path, obj)
            };
            out.push_str(&style.paint("1", &head));
            out.push('\n');
            last_group = Some(group);
        }
        let loc = if f.location.line > 0 {
            format!("{}:{}", f.location.line, f.location.column)
        } else {
            "-".into()
        };
        out.push_str(&format!(
            "  {} {} {:<7} {}\n",
            style.sev(f.severity),
            style.paint("1", &f.code),
            loc,
            f.message
        ));
        if !f.location.field.is_empty() {
            out.push_str(&format!("                  field: {}\n", f.location.field));
        }
        if let Some(h) = &f.hint {
            out.push_str(&format!("                  {} {h}\n", style.paint("32", "hint:")));
        }
        for n in &f.notes {
            out.push_str(&format!("                  {} {n}\n", style.paint("2", "note:")));
        }
    }
    if !findings.is_empty() {
        out.push('\n');
    }
    let counts: Vec<String> = Severity::ALL
        .iter()
        .map(|s| format!("{} {}", summary.by_severity.get(s.as_str()).copied().unwrap_or(0), s))
        .collect();
    out.push_str(&format!(
        "{} findings ({}) in {} objects from {} files",
        summary.total,
        counts.join(", "),
        summary.objects,
        summary.files
    ));
    if summary.suppressed.total > 0 {
        out.push_str(&format!(
            "; {} suppressed ({} by annotation, {} by config, {} by baseline)",
            summary.suppressed.total,
            summary.suppressed.annotation,
            summary.suppressed.config,
            summary.suppressed.baseline
        ));
    }
    if summary.unvalidated > 0 {
        out.push_str(&format!(
            "; {} custom resources not schema-checked (no CRD given)",
            summary.unvalidated
        ));
    }
    out.push('\n');
    out
}
