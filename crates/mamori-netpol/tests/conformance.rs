//! np-guard's connlist cases through mamori's loader and engine (skipped
//! without `../shared`). Every supported case must pass; bad input must
//! be refused with errors.

#[path = "support/conformance.rs"]
mod conformance;

#[test]
fn np_guard_connlist_txt() {
    let Some(root) = conformance::find_root() else {
        eprintln!("note: ../shared/conformance/netpol not found; conformance skipped");
        return;
    };
    let r = conformance::run(&root, None);
    let fails: Vec<String> = r.failures.iter().map(|f| format!("{}: {}", f.case, f.reason)).collect();
    assert!(fails.is_empty(), "{} failures:\n{}", fails.len(), fails.join("\n"));
    assert!(r.passed >= 159, "only {} passed", r.passed);
    assert!(r.diff_passed >= 46, "diff: only {} passed", r.diff_passed);
    assert!(r.exposure_passed >= 89, "exposure: only {} passed", r.exposure_passed);
    assert!(
        r.bad_ok >= 51 && r.bad_ok == r.bad_total,
        "bad input: {} of {}",
        r.bad_ok,
        r.bad_total
    );
}
