//! `POD`: runtime hardening of pods and containers.
pub mod privilege_escalation_allowed;
pub mod privileged_container;

use mamori_model::Node;

/// Linux-only settings do not apply to pods that declare `os.name: windows`.
pub fn is_windows(spec: &Node) -> bool {
    spec.get("os").and_then(|o| o.str_field("name")) == Some("windows")
}
