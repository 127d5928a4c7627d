//! mamori's sources: the only code that reads input.
pub mod load;
pub mod schema;
pub mod yaml;
