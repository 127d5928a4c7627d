//! Label selectors, shared by every engine.
//!
//! Semantics of `metav1.LabelSelector` (apimachinery `LabelSelectorAsSelector`):
//! `matchLabels` and `matchExpressions` are ANDed; an empty selector (`{}`)
//! matches everything; `In` and `NotIn` need a non-empty `values`, `Exists`
//! and `DoesNotExist` an empty one; `NotIn` and `DoesNotExist` match objects
//! that lack the key. A *missing* selector is not the same as an empty one:
//! callers decide (a NetworkPolicy peer without `podSelector` is not "all
//! pods"), so this type only models a selector that is present. Service
//! selectors are plain maps: [`LabelSelector::from_map`]; a Service with no
//! selector selects nothing, which the caller handles.

use crate::node::Node;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectorOp {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub op: SelectorOp,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectorError {
    /// Path relative to the selector, e.g. `matchExpressions[0].operator`.
    pub field: String,
    pub message: String,
}

impl LabelSelector {
    pub fn everything() -> LabelSelector {
        LabelSelector::default()
    }

    pub fn is_everything(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn from_map<'a>(labels: impl IntoIterator<Item = (&'a str, &'a str)>) -> LabelSelector {
        LabelSelector {
            requirements: labels
                .into_iter()
                .map(|(k, v)| Requirement {
                    key: k.to_string(),
                    op: SelectorOp::In,
                    values: vec![v.to_string()],
                })
                .collect(),
        }
    }

    /// Parse a `metav1.LabelSelector` node. Invalid operators and value lists
    /// are errors, as the API server's validation would reject them.
    pub fn from_node(node: &Node) -> Result<LabelSelector, SelectorError> {
        let mut requirements = Vec::new();
        if node.is_null() {
            return Ok(LabelSelector::everything());
        }
        if node.as_map().is_none() {
            return Err(SelectorError {
                field: String::new(),
                message: format!("a label selector must be an object, not {}", node.type_name()),
            });
        }
        if let Some(ml) = node.field("matchLabels") {
            for (k, v) in ml.string_map() {
                requirements.push(Requirement {
                    key: k,
                    op: SelectorOp::In,
                    values: vec![v],
                });
            }
        }
        if let Some(exprs) = node.field("matchExpressions").and_then(Node::as_seq) {
            for (i, e) in exprs.iter().enumerate() {
                let key = e.str_field("key").unwrap_or_default().to_string();
                let op_text = e.str_field("operator").unwrap_or_default();
                let op = match op_text {
                    "In" => SelectorOp::In,
                    "NotIn" => SelectorOp::NotIn,
                    "Exists" => SelectorOp::Exists,
                    "DoesNotExist" => SelectorOp::DoesNotExist,
                    other => {
                        return Err(SelectorError {
                            field: format!("matchExpressions[{i}].operator"),
                            message: format!("{other:?} is not a valid label selector operator"),
                        })
                    }
                };
                let values: Vec<String> = e
                    .field("values")
                    .and_then(Node::as_seq)
                    .map(|s| s.iter().filter_map(|v| v.as_str().map(String::from)).collect())
                    .unwrap_or_default();
                let needs_values = matches!(op, SelectorOp::In | SelectorOp::NotIn);
                if needs_values && values.is_empty() {
                    return Err(SelectorError {
                        field: format!("matchExpressions[{i}].values"),
                        message: "must be specified when `operator` is 'In' or 'NotIn'".into(),
                    });
                }
                if !needs_values && !values.is_empty() {
                    return Err(SelectorError {
                        field: format!("matchExpressions[{i}].values"),
                        message: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'".into(),
                    });
                }
                requirements.push(Requirement { key, op, values });
            }
        }
        Ok(LabelSelector { requirements })
    }

    pub fn matches(&self, labels: &[(String, String)]) -> bool {
        let get = |k: &str| labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str());
        self.requirements.iter().all(|r| {
            let v = get(&r.key);
            match r.op {
                SelectorOp::In => v.is_some_and(|v| r.values.iter().any(|x| x == v)),
                SelectorOp::NotIn => v.is_none_or(|v| !r.values.iter().any(|x| x == v)),
                SelectorOp::Exists => v.is_some(),
                SelectorOp::DoesNotExist => v.is_none(),
            }
        })
    }
}

impl std::fmt::Display for LabelSelector {
    /// The string form upstream prints (`app=web,tier in (a,b),!debug`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.requirements.is_empty() {
            return f.write_str("<all>");
        }
        let parts: Vec<String> = self
            .requirements
            .iter()
            .map(|r| match r.op {
                SelectorOp::In if r.values.len() == 1 => format!("{}={}", r.key, r.values[0]),
                SelectorOp::In => format!("{} in ({})", r.key, r.values.join(",")),
                SelectorOp::NotIn => format!("{} notin ({})", r.key, r.values.join(",")),
                SelectorOp::Exists => r.key.clone(),
                SelectorOp::DoesNotExist => format!("!{}", r.key),
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn semantics() {
        let sel = LabelSelector::from_node(&Node::from_json(&serde_json::json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "NotIn", "values": ["db"]},
                {"key": "debug", "operator": "DoesNotExist"}
            ]
        })))
        .unwrap();
        assert!(sel.matches(&labels(&[("app", "web")])));
        assert!(sel.matches(&labels(&[("app", "web"), ("tier", "front")])));
        assert!(!sel.matches(&labels(&[("app", "web"), ("tier", "db")])));
        assert!(!sel.matches(&labels(&[("app", "web"), ("debug", "")])));
        assert!(!sel.matches(&labels(&[("app", "api")])));
        assert_eq!(sel.to_string(), "app=web,tier notin (db),!debug");
        let all = LabelSelector::from_node(&Node::from_json(&serde_json::json!({}))).unwrap();
        assert!(all.is_everything() && all.matches(&[]));
    }

    #[test]
    fn invalid_operators_and_values() {
        let bad = |j| LabelSelector::from_node(&Node::from_json(&j)).unwrap_err().field;
        assert_eq!(
            bad(serde_json::json!({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["x"]}]})),
            "matchExpressions[0].operator"
        );
        assert_eq!(
            bad(serde_json::json!({"matchExpressions": [{"key": "a", "operator": "In"}]})),
            "matchExpressions[0].values"
        );
        assert_eq!(
            bad(serde_json::json!({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]})),
            "matchExpressions[0].values"
        );
    }
}
