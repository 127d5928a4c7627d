//! mamori's sources: the only code that reads input.
pub mod yaml;
