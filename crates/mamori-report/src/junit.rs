//! JUnit XML: one test case per check, failing with its findings.

use mamori_checks::all;
use mamori_diagnostics::Finding;

fn esc(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn render(findings: &[Finding]) -> String {
    let checks = all();
    let failures = checks
        .iter()
        .filter(|c| findings.iter().any(|f| f.code == c.meta().code))
        .count();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(&format!(
        "<testsuites name=\"mamori\" tests=\"{}\" failures=\"{failures}\">\n",
        checks.len()
    ));
    s.push_str(&format!(
        "  <testsuite name=\"mamori\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">\n",
        checks.len()
    ));
    for c in &checks {
        let m = c.meta();
        let mine: Vec<&Finding> = findings.iter().filter(|f| f.code == m.code).collect();
        s.push_str(&format!(
            "    <testcase classname=\"mamori.{}\" name=\"{} {}\"",
            m.code,
            m.code,
            esc(m.name)
        ));
        if mine.is_empty() {
            s.push_str("/>\n");
            continue;
        }
        s.push_str(">\n");
        let body: Vec<String> = mine
            .iter()
            .map(|f| {
                format!(
                    "{}:{}:{}: [{}] {}",
                    f.location.path, f.location.line, f.location.column, f.severity, f.message
                )
            })
            .collect();
        s.push_str(&format!(
            "      <failure message=\"{} finding(s)\" type=\"{}\">{}</failure>\n",
            mine.len(),
            m.severity,
            esc(&body.join("\n"))
        ));
        s.push_str("    </testcase>\n");
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    s
}
