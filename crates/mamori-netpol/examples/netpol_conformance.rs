//! np-guard connlist conformance: runs every `list` case of
//! `../shared/conformance/netpol/cases.json` in txt format (without
//! exposure or explain) through mamori's loader and engine and compares the
//! lines with the expected file. Prints the pass count, the unsupported
//! cases with the reason, and the failures.
//!
//! `cargo run -p mamori-netpol --example netpol_conformance [-- -v] [-- DIR_FILTER]`

#[path = "../tests/support/conformance.rs"]
mod conformance;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let filter = args.iter().find(|a| !a.starts_with('-')).cloned();
    let Some(root) = conformance::find_root() else {
        println!("netpol conformance: ../shared/conformance/netpol not found; skipped");
        return;
    };
    let report = conformance::run(&root, filter.as_deref());
    for f in &report.failures {
        println!("FAIL {}: {}", f.case, f.reason);
        if verbose {
            for d in &f.diff {
                println!("    {d}");
            }
        }
    }
    if verbose {
        for (dir, errors) in &report.bad_errors {
            println!(
                "BAD-INPUT OK {dir}: {}",
                errors.first().map(String::as_str).unwrap_or("")
            );
        }
    }
    for (case, why) in &report.unsupported {
        println!("UNSUPPORTED {case}: {why}");
    }
    for f in &report.exposure_failures {
        println!("EXPOSURE-DIFF {}: {}", f.case, f.reason);
        if verbose {
            for d in &f.diff {
                println!("    {d}");
            }
        }
    }
    let diff_unsupported = report
        .unsupported
        .iter()
        .filter(|(c, _)| c.contains("diff_between"))
        .count();
    let bad_unsupported = report
        .unsupported
        .iter()
        .filter(|(c, _)| c.starts_with("tests/"))
        .count();
    let exposure_unsupported = report
        .unsupported
        .iter()
        .filter(|(c, _)| c.contains("exposure_output"))
        .count();
    println!(
        "netpol conformance (np-guard list --exposure, txt): {} of {} passed ({} unsupported)",
        report.exposure_passed, report.exposure_total, exposure_unsupported
    );
    println!(
        "netpol conformance (np-guard diff, txt): {} of {} passed ({} unsupported)",
        report.diff_passed, report.diff_total, diff_unsupported
    );
    println!(
        "netpol conformance (np-guard connlist, txt): {} of {} passed ({} unsupported); bad input: {} of {} scenarios refused with errors",
        report.passed, report.total, report.unsupported.len() - diff_unsupported - bad_unsupported - exposure_unsupported, report.bad_ok, report.bad_total
    );
}
