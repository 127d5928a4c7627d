//! The whole pipeline on arbitrary bytes: load, build the inventory, run
//! every check and render every report format. No input may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mamori_checks::{all, analyze};
use mamori_diagnostics::Config;
use mamori_report::Summary;
use mamori_source::load::{load_texts, LoadOptions};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let load = load_texts(&[("fuzz.yaml", &text)], &LoadOptions::default());
    let findings = analyze(load, &Config::empty(), &all()).findings;
    let summary = Summary::default();
    let _ = mamori_report::json(&findings, &summary);
    let _ = mamori_report::sarif::render(&findings);
    let _ = mamori_report::junit::render(&findings);
    let _ = mamori_report::table::render(&findings, &summary, &mamori_report::table::Style { color: false });
});
