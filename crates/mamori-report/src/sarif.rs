//! SARIF 2.1.0, with rule metadata from the check docs and GitHub's
//! `security-severity`.

use mamori_checks::{all, docs, CheckMeta};
use mamori_diagnostics::{Finding, Severity};
use serde_json::{json, Value};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn rule(meta: &CheckMeta) -> Value {
    let what = mamori_checks::context::section(meta.doc, "What it finds").unwrap_or_default();
    json!({
        "id": meta.code,
        "name": meta.name,
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": what.split_whitespace().collect::<Vec<_>>().join(" ")},
        "help": {"text": docs::page(meta), "markdown": docs::page(meta)},
        "defaultConfiguration": {"level": level(meta.severity)},
        "properties": {
            "security-severity": meta.severity.security_severity(),
            "tags": ["security", "kubernetes", meta.code.trim_end_matches(char::is_numeric).to_lowercase()],
        }
    })
}

pub fn render(findings: &[Finding]) -> String {
    let checks = all();
    let rules: Vec<Value> = checks.iter().map(|c| rule(c.meta())).collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = checks.iter().position(|c| c.meta().code == f.code);
            let mut physical = json!({"artifactLocation": {"uri": uri(&f.location.path)}});
            if f.location.line > 0 {
                physical["region"] = json!({"startLine": f.location.line, "startColumn": f.location.column.max(1)});
            }
            let mut location = json!({"physicalLocation": physical});
            if let Some(o) = &f.object {
                let fq = if f.location.field.is_empty() {
                    o.to_string()
                } else {
                    format!("{o}:{}", f.location.field)
                };
                location["logicalLocations"] = json!([{"fullyQualifiedName": fq, "kind": "object"}]);
            }
            let mut text = f.message.clone();
            if let Some(h) = &f.hint {
                text.push_str(&format!(" Hint: {h}"));
            }
            let mut r = json!({
                "ruleId": f.code,
                "level": level(f.severity),
                "message": {"text": text},
                "locations": [location],
                "partialFingerprints": {"mamori/v1": f.fingerprint()},
                "properties": {"severity": f.severity.as_str()},
            });
            if let Some(i) = index {
                r["ruleIndex"] = json!(i);
            }
            r
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mamori",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/mamori-dev/mamori",
                "rules": rules,
            }},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("sarif serializes");
    s.push('\n');
    s
}

/// A relative URI reference for a path (`-` is stdin).
fn uri(path: &str) -> String {
    let p = if path == "-" { "stdin" } else { path };
    let mut out = String::new();
    for ch in p.chars() {
        match ch {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' | '/' => out.push(ch),
            '\\' => out.push('/'),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}
