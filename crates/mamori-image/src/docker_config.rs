//! Registry credentials from the Docker config file, as the docker CLI and
//! go-containerregistry find them: `credHelpers` for the host, else an
//! `auths` entry, else `credsStore`. A helper is the program
//! `docker-credential-NAME`, run with `get` and the server URL on stdin,
//! answering `{"Username":..,"Secret":..}`; so cloud helpers (ECR's
//! `ecr-login`, `gcloud`, `acr-env`) work unchanged.

use crate::reference::DOCKER_HUB;
use crate::{Error, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use zeroize::Zeroizing;

/// A user name and secret (password or token) for Basic auth or a token request.
pub struct Credentials {
    pub username: String,
    pub secret: Zeroizing<String>,
    /// Where they came from, for messages (never the secret).
    pub from: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({} from {})", self.username, self.from)
    }
}

/// The config file to read: `explicit`, `$DOCKER_CONFIG/config.json`, or `~/.docker/config.json`.
pub fn config_path(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    if let Some(d) = std::env::var_os("DOCKER_CONFIG") {
        return Some(PathBuf::from(d).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker/config.json"))
}

/// Credentials for `registry` (host[:port]); `None` when none are configured.
pub fn lookup(registry: &str, explicit: Option<&Path>) -> Result<Option<Credentials>> {
    let Some(path) = config_path(explicit) else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => return Ok(None),
        Err(e) => return Err(Error::Registry(format!("cannot read {}: {e}", path.display()))),
    };
    let config: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::Registry(format!("{}: not valid JSON ({e})", path.display())))?;
    let shown = path.display().to_string();
    let hub = registry == DOCKER_HUB;
    let server_url = if hub {
        "https://index.docker.io/v1/".to_string()
    } else {
        registry.to_string()
    };
    let matches = |key: &str| {
        let k = key
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or("");
        k == registry || (hub && matches!(k, "docker.io" | "registry-1.docker.io" | "index.docker.io"))
    };
    if let Some(helpers) = config.get("credHelpers").and_then(|h| h.as_object()) {
        if let Some(name) = helpers.iter().find(|(k, _)| matches(k)).and_then(|(_, v)| v.as_str()) {
            return run_helper(name, &server_url);
        }
    }
    if let Some(auths) = config.get("auths").and_then(|a| a.as_object()) {
        for (key, entry) in auths.iter().filter(|(k, _)| matches(k)) {
            if let Some(c) = from_auth_entry(entry, &format!("{shown} (auths.{key})"))? {
                return Ok(Some(c));
            }
        }
    }
    if let Some(store) = config.get("credsStore").and_then(|s| s.as_str()) {
        if !store.is_empty() {
            return run_helper(store, &server_url);
        }
    }
    Ok(None)
}

fn from_auth_entry(entry: &serde_json::Value, from: &str) -> Result<Option<Credentials>> {
    if let Some(auth) = entry.get("auth").and_then(|a| a.as_str()).filter(|a| !a.is_empty()) {
        let decoded = Zeroizing::new(
            STANDARD
                .decode(auth)
                .map_err(|_| Error::Registry(format!("{from}: `auth` is not base64")))?,
        );
        let text =
            std::str::from_utf8(&decoded).map_err(|_| Error::Registry(format!("{from}: `auth` is not UTF-8")))?;
        let Some((user, secret)) = text.split_once(':') else {
            return Err(Error::Registry(format!(
                "{from}: `auth` is not base64 of user:password"
            )));
        };
        return Ok(Some(Credentials {
            username: user.to_string(),
            secret: Zeroizing::new(secret.to_string()),
            from: from.to_string(),
        }));
    }
    let user = entry.get("username").and_then(|u| u.as_str());
    let pass = entry.get("password").and_then(|p| p.as_str());
    if let (Some(u), Some(p)) = (user, pass) {
        return Ok(Some(Credentials {
            username: u.to_string(),
            secret: Zeroizing::new(p.to_string()),
            from: from.to_string(),
        }));
    }
    Ok(None)
}

fn run_helper(name: &str, server_url: &str) -> Result<Option<Credentials>> {
    let program = format!("docker-credential-{name}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            Error::Registry(format!(
                "cannot run the credential helper {program}: {e}\nhint: install it, or remove it from the Docker config"
            ))
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server_url.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| Error::Registry(format!("credential helper {program}: {e}")))?;
    let stdout = Zeroizing::new(out.stdout);
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        if msg.to_lowercase().contains("credentials not found") {
            return Ok(None);
        }
        return Err(Error::Registry(format!(
            "credential helper {program} failed for {server_url}: {}",
            msg.trim()
        )));
    }
    #[derive(serde::Deserialize)]
    struct Answer {
        #[serde(rename = "Username")]
        username: String,
        #[serde(rename = "Secret")]
        secret: String,
    }
    let a: Answer = serde_json::from_slice(&stdout).map_err(|_| {
        Error::Registry(format!(
            "credential helper {program} answered something that is not its JSON"
        ))
    })?;
    Ok(Some(Credentials {
        username: a.username,
        secret: Zeroizing::new(a.secret),
        from: program,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auths_entries_are_found_by_host_and_hub_aliases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let auth = STANDARD.encode("alice:s3cret");
        std::fs::write(
            &path,
            format!(
                r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{auth}"}},"localhost:5000":{{"username":"bob","password":"pw"}}}}}}"#
            ),
        )
        .unwrap();
        let hub = lookup(DOCKER_HUB, Some(&path)).unwrap().unwrap();
        assert_eq!((hub.username.as_str(), hub.secret.as_str()), ("alice", "s3cret"));
        let local = lookup("localhost:5000", Some(&path)).unwrap().unwrap();
        assert_eq!(local.username, "bob");
        assert!(lookup("ghcr.io", Some(&path)).unwrap().is_none());
        assert!(!format!("{hub:?}").contains("s3cret"));
    }

    #[test]
    fn missing_helpers_and_bad_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, r#"{"credHelpers":{"ghcr.io":"mamori-test-absent"}}"#).unwrap();
        let e = lookup("ghcr.io", Some(&path)).unwrap_err().to_string();
        assert!(e.contains("docker-credential-mamori-test-absent"), "{e}");
        std::fs::write(&path, "{").unwrap();
        assert!(lookup("ghcr.io", Some(&path))
            .unwrap_err()
            .to_string()
            .contains("not valid JSON"));
    }
}
