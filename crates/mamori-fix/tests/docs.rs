//! Each check's `## Fix` section says whether `mamori fix` applies it, and
//! how: exactly the checks in `FIXABLE`.

use mamori_checks::context::section;
use mamori_fix::FIXABLE;

#[test]
fn fix_sections_match_the_fixable_checks() {
    for check in mamori_checks::all() {
        let meta = check.meta();
        let fix = section(meta.doc, "Fix").unwrap_or_else(|| panic!("{}: no ## Fix", meta.code));
        let says = fix.contains("`mamori fix` applies this");
        let only_unsafe = fix.contains("applies this only with --unsafe-fixes");
        match FIXABLE.iter().find(|f| f.code == meta.code) {
            Some(f) => {
                assert!(says, "{}: ## Fix must say \"`mamori fix` applies this\"", meta.code);
                assert_eq!(
                    only_unsafe, !f.safe,
                    "{}: unsafe fixes say \"only with --unsafe-fixes\"",
                    meta.code
                );
            }
            None => assert!(
                !says,
                "{}: ## Fix says mamori fix applies it, but it is not in FIXABLE",
                meta.code
            ),
        }
    }
    for f in FIXABLE {
        assert!(mamori_checks::by_code(f.code).is_some(), "{} is not a check", f.code);
    }
}
