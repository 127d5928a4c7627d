//! `mamori fix` never corrupts a file: whatever the input, the result is
//! either the input unchanged (refused, or nothing to fix) or text that
//! parses, and fixing it again changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mamori_fix::{fix_text, Options};
use mamori_source::load::{load_texts, ProblemKind};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for unsafe_fixes in [false, true] {
        let opts = Options {
            unsafe_fixes,
            ..Options::default()
        };
        let f = fix_text("fuzz.yaml", text, &opts);
        if f.refused.is_some() {
            assert_eq!(f.fixed, text, "a refused file must be left unchanged");
            continue;
        }
        if !f.changed() {
            continue;
        }
        let load = load_texts(&[("fuzz.yaml", &f.fixed)], &opts.load);
        assert!(
            !load.problems.iter().any(|p| p.kind == ProblemKind::Syntax),
            "the fixed text does not parse:\n{}",
            f.fixed
        );
        let again = fix_text("fuzz.yaml", &f.fixed, &opts);
        assert_eq!(again.fixed, f.fixed, "fixing twice changed the text again");
    }
});
