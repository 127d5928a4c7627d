//! The loader on arbitrary bytes: YAML parsing, document splitting, scalar
//! resolution, List expansion and strict schema validation must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mamori_source::load::{load_texts, LoadOptions};

fuzz_target!(|data: &[u8]| {
    // Non-UTF-8 input is refused before parsing (ProblemKind::Binary); the
    // lossy text still exercises the parser on the rest.
    let text = String::from_utf8_lossy(data);
    let opts = LoadOptions::default();
    let _ = load_texts(&[("fuzz.yaml", &text)], &opts);
});
