//! `SEC`: secrets in manifests: credentials written where they do not
//! belong, Secrets handed over in ways that leak, long-lived tokens.
pub mod detect;
pub mod shell;

pub mod long_lived_service_account_token;
pub mod secret_as_env_var;
pub mod secret_in_annotation;
pub mod secret_in_configmap;
pub mod secret_in_env_value;
pub mod secret_manifest_committed;
pub mod secret_printed_to_logs;
