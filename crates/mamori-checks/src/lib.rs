//! The check catalog.
//!
//! One check is one file under `src/checks/<group>/`: its metadata
//! ([`CheckMeta`]) with the documentation (fixed sections: What it finds, Why
//! it matters, Example, Use instead, Fix, References) and the code that turns
//! the model into findings. The catalog walks the inventory once and hands
//! each object, pod spec and container to the checks that select it.
//! `docs/checks/` is generated from the metadata (`mamori docs`).

pub mod checks;
pub mod consequence;
pub mod context;
pub mod docs;
pub mod registry;

pub use context::Context;
pub use registry::{all, analyze, by_code, run, Analysis, Check, CheckMeta, Selects};
