use crate::cli::ListFormat;
use mamori_checks::{all, by_code, docs};

pub fn list(format: ListFormat) -> anyhow::Result<u8> {
    match format {
        ListFormat::Table => {
            let mut s = String::new();
            for c in all() {
                let m = c.meta();
                s.push_str(&format!(
                    "{:<8} {:<9} {:<34} {}\n",
                    m.code,
                    m.severity.as_str(),
                    m.name,
                    m.title
                ));
            }
            super::print(&s)?;
        }
        ListFormat::Json => {
            let v: Vec<serde_json::Value> = all()
                .iter()
                .map(|c| {
                    let m = c.meta();
                    serde_json::json!({
                        "code": m.code,
                        "name": m.name,
                        "title": m.title,
                        "severity": m.severity,
                        "selects": docs::selects_text(m.selects),
                        "mappings": m.mappings,
                        "course": m.course,
                    })
                })
                .collect();
            super::print(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
        }
    }
    Ok(0)
}

pub fn explain(code: &str) -> anyhow::Result<u8> {
    match by_code(code) {
        Some(c) => {
            super::print(&docs::page(c.meta()))?;
            Ok(0)
        }
        None => {
            eprintln!("error: no check named {code:?}\nhint: `mamori checks` lists every code");
            Ok(2)
        }
    }
}
