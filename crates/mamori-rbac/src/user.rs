//! Who is asking: the authenticated user as the authorizer sees it.

use serde::Serialize;

use crate::model::is_dns_subdomain;

/// Group every authenticated user carries.
pub const ALL_AUTHENTICATED: &str = "system:authenticated";
/// Group of unauthenticated requests.
pub const ALL_UNAUTHENTICATED: &str = "system:unauthenticated";
/// User name of unauthenticated requests.
pub const ANONYMOUS: &str = "system:anonymous";
/// Group that the API server authorizes for everything before RBAC runs.
pub const SYSTEM_MASTERS: &str = "system:masters";
/// Group of all service accounts.
pub const ALL_SERVICE_ACCOUNTS: &str = "system:serviceaccounts";
const SA_PREFIX: &str = "system:serviceaccount:";

/// A user name and its groups, exactly as given to the authorizer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserInfo {
    pub name: String,
    pub groups: Vec<String>,
}

impl UserInfo {
    /// Exactly these groups: nothing implicit is added.
    pub fn new(name: impl Into<String>, groups: impl IntoIterator<Item = impl Into<String>>) -> Self {
        UserInfo {
            name: name.into(),
            groups: groups.into_iter().map(Into::into).collect(),
        }
    }

    /// A service account as its token authenticates: user
    /// `system:serviceaccount:NS:NAME` with groups `system:serviceaccounts`,
    /// `system:serviceaccounts:NS` and `system:authenticated`.
    pub fn service_account(namespace: &str, name: &str) -> Self {
        UserInfo {
            name: format!("{SA_PREFIX}{namespace}:{name}"),
            groups: vec![
                ALL_SERVICE_ACCOUNTS.to_string(),
                format!("{ALL_SERVICE_ACCOUNTS}:{namespace}"),
                ALL_AUTHENTICATED.to_string(),
            ],
        }
    }

    /// An unauthenticated request.
    pub fn anonymous() -> Self {
        UserInfo::new(ANONYMOUS, [ALL_UNAUTHENTICATED])
    }

    /// The user the API server's impersonation filter builds for
    /// `kubectl --as USER [--as-group G]...`: a service-account user name
    /// without explicit groups gets the account's groups; every user other
    /// than `system:anonymous` gets `system:authenticated` unless
    /// `system:authenticated` or `system:unauthenticated` was given;
    /// `system:anonymous` gets `system:unauthenticated`.
    pub fn impersonate(name: &str, groups: &[&str]) -> Self {
        let mut out: Vec<String> = groups.iter().map(|g| (*g).to_string()).collect();
        if groups.is_empty() {
            if let Some((ns, _)) = split_service_account(name) {
                out = vec![ALL_SERVICE_ACCOUNTS.to_string(), format!("{ALL_SERVICE_ACCOUNTS}:{ns}")];
            }
        }
        if name == ANONYMOUS {
            if !out.iter().any(|g| g == ALL_UNAUTHENTICATED) {
                out.push(ALL_UNAUTHENTICATED.to_string());
            }
        } else if !out.iter().any(|g| g == ALL_AUTHENTICATED || g == ALL_UNAUTHENTICATED) {
            out.push(ALL_AUTHENTICATED.to_string());
        }
        UserInfo {
            name: name.to_string(),
            groups: out,
        }
    }

    /// `(namespace, name)` if the user name is a valid service-account name.
    pub fn service_account_parts(&self) -> Option<(&str, &str)> {
        split_service_account(&self.name)
    }

    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }
}

/// `serviceaccount.SplitUsername`: `system:serviceaccount:NS:NAME` with a
/// valid namespace and name.
pub fn split_service_account(user: &str) -> Option<(&str, &str)> {
    let rest = user.strip_prefix(SA_PREFIX)?;
    let mut parts = rest.split(':');
    let (ns, name) = (parts.next()?, parts.next()?);
    if parts.next().is_some() || !is_dns_label(ns) || !is_dns_subdomain(name) {
        return None;
    }
    Some((ns, name))
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty() && s.len() <= 63 && !s.contains('.') && is_dns_subdomain(s)
}

/// The user name a ServiceAccount authenticates as.
pub fn service_account_username(namespace: &str, name: &str) -> String {
    format!("{SA_PREFIX}{namespace}:{name}")
}
