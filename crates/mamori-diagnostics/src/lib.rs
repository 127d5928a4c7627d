//! Findings and what can hide them.

pub mod finding;
pub mod suppress;

pub use finding::{Finding, Fix, Location, Severity};
pub use suppress::{Baseline, Config, ConfigError, IgnoreRule, SuppressionReport, Suppressor};
