//! `SCH`: the input as the API server would read it.
pub mod api_not_served;
pub mod document_not_a_mapping;
pub mod duplicate_field;
pub mod duplicate_object;
pub mod invalid_base64_data;
pub mod invalid_yaml;
pub mod missing_required_field;
pub mod not_a_kubernetes_object;
pub mod unknown_field;
pub mod unreadable_input;
pub mod unsupported_value;
pub mod wrong_field_type;

use crate::context::Context;
use mamori_source::load::{Problem, ProblemKind};
use mamori_source::schema::{IssueKind, SchemaIssue};

/// Problems of the given kinds.
pub(crate) fn problems<'a>(cx: &'a Context, kinds: &'a [ProblemKind]) -> impl Iterator<Item = &'a Problem> + 'a {
    cx.problems.iter().filter(move |p| kinds.contains(&p.kind))
}

/// Schema issues matching `pred`, with their object index.
pub(crate) fn issues<'a>(
    cx: &'a Context,
    pred: fn(&IssueKind) -> bool,
) -> impl Iterator<Item = (usize, &'a SchemaIssue)> + 'a {
    cx.issues
        .iter()
        .filter(move |(_, i)| pred(&i.kind))
        .map(|(o, i)| (*o, i))
}
