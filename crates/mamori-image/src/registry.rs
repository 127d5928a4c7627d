//! A small client of the OCI distribution API: the requests signing and
//! verification need (manifests by tag or digest, blobs, monolithic blob
//! upload, manifest push), with the token flow of the Docker registry auth
//! spec and Basic auth.
//!
//! Authentication is reactive, as go-containerregistry's: a request is sent
//! as is (anonymously, or with the token already obtained); on `401` the
//! `WWW-Authenticate` challenge says what to do. `Bearer realm=..,service=..,
//! scope=..` means: ask `realm` for a token for that scope (with Basic
//! credentials when the Docker config has some), then retry once with
//! `Authorization: Bearer TOKEN`; `Basic` means: retry with the credentials.
//! Every body read is bounded, every answer checked (status, media type,
//! digest), and a registry that is down or answers garbage is an error
//! that names the URL.

use crate::digest::Digest;
use crate::docker_config::{self, Credentials};
use crate::reference::Reference;
use crate::store::{check_manifest, Fetched, Store, StoreOptions};
use crate::{media, Error, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

/// Manifests and the blobs we read are small; refuse anything larger.
const MAX_BODY: u64 = 16 << 20;

pub struct Client {
    agent: ureq::Agent,
    reference: Reference,
    base: String,
    docker_config: Option<PathBuf>,
    credentials: Option<Option<Credentials>>,
    authorization: Option<String>,
}

struct Answer {
    status: u16,
    content_type: String,
    location: Option<String>,
    challenge: Option<String>,
    body: Vec<u8>,
}

impl Client {
    pub fn new(reference: Reference, options: &StoreOptions) -> Result<Client> {
        let scheme = if options.allow_insecure || reference.is_loopback() {
            "http"
        } else {
            "https"
        };
        Ok(Client {
            agent: shared_agent(),
            base: format!("{scheme}://{}", reference.registry),
            reference,
            docker_config: options.docker_config.clone(),
            credentials: None,
            authorization: None,
        })
    }

    fn url(&self, tail: &str) -> String {
        format!("{}/v2/{}/{tail}", self.base, self.reference.repository)
    }

    fn credentials(&mut self) -> Result<Option<&Credentials>> {
        if self.credentials.is_none() {
            let found = docker_config::lookup(&self.reference.registry, self.docker_config.as_deref())?;
            self.credentials = Some(found);
        }
        Ok(self.credentials.as_ref().and_then(|c| c.as_ref()))
    }

    /// Send once, retrying after authenticating when challenged.
    fn send(&mut self, method: &str, url: &str, accept: Option<&str>, body: Option<(&[u8], &str)>) -> Result<Answer> {
        let first = self.send_once(method, url, accept, body)?;
        if first.status != 401 {
            return Ok(first);
        }
        let Some(challenge) = first.challenge.clone() else {
            return Ok(first);
        };
        self.authenticate(&challenge, method != "GET" && method != "HEAD")?;
        self.send_once(method, url, accept, body)
    }

    fn send_once(&self, method: &str, url: &str, accept: Option<&str>, body: Option<(&[u8], &str)>) -> Result<Answer> {
        let mut req = self.agent.request(method, url);
        if let Some(a) = accept {
            req = req.set("Accept", a);
        }
        if let Some(auth) = &self.authorization {
            req = req.set("Authorization", auth);
        }
        let result = match body {
            Some((bytes, content_type)) => req.set("Content-Type", content_type).send_bytes(bytes),
            None => req.call(),
        };
        let resp = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(ureq::Error::Transport(t)) => {
                return Err(Error::Registry(format!(
                    "cannot reach the registry at {}: {t}\nhint: is it running and reachable? mamori speaks HTTPS, and plain HTTP only to loopback hosts or with --allow-insecure-registry",
                    self.base
                )))
            }
        };
        let status = resp.status();
        let content_type = resp.header("Content-Type").unwrap_or("").to_string();
        let location = resp.header("Location").map(str::to_string);
        let challenge = resp.header("WWW-Authenticate").map(str::to_string);
        let body = if method == "HEAD" {
            Vec::new()
        } else {
            read_limited(resp.into_reader(), url)?
        };
        Ok(Answer {
            status,
            content_type,
            location,
            challenge,
            body,
        })
    }

    fn authenticate(&mut self, challenge: &str, push: bool) -> Result<()> {
        let (scheme, params) = parse_challenge(challenge);
        let registry = self.reference.registry.clone();
        match scheme.to_ascii_lowercase().as_str() {
            "basic" => {
                let Some(c) = self.credentials()? else {
                    return Err(Error::Registry(format!(
                        "{registry} asks for a user name and password, and none are configured\nhint: `docker login {registry}` (mamori reads ~/.docker/config.json and its credential helpers)"
                    )));
                };
                let pair = zeroize::Zeroizing::new(format!("{}:{}", c.username, c.secret.as_str()));
                self.authorization = Some(format!("Basic {}", STANDARD.encode(pair.as_bytes())));
                Ok(())
            }
            "bearer" => {
                let realm = params
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("realm"))
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| {
                        Error::Registry(format!("{registry}: Bearer challenge without a realm: {challenge:?}"))
                    })?;
                let mut query = Vec::new();
                for (k, v) in &params {
                    if k.eq_ignore_ascii_case("service") || k.eq_ignore_ascii_case("scope") {
                        query.push(format!("{}={}", k.to_ascii_lowercase(), urlencode(v)));
                    }
                }
                if !params.iter().any(|(k, _)| k.eq_ignore_ascii_case("scope")) {
                    let actions = if push { "pull,push" } else { "pull" };
                    let scope = format!("repository:{}:{actions}", self.reference.repository);
                    query.push(format!("scope={}", urlencode(&scope)));
                }
                let url = if query.is_empty() {
                    realm.clone()
                } else {
                    format!(
                        "{realm}{}{}",
                        if realm.contains('?') { "&" } else { "?" },
                        query.join("&")
                    )
                };
                let mut req = self.agent.get(&url);
                let has_credentials = if let Some(c) = self.credentials()? {
                    let pair = zeroize::Zeroizing::new(format!("{}:{}", c.username, c.secret.as_str()));
                    req = req.set("Authorization", &format!("Basic {}", STANDARD.encode(pair.as_bytes())));
                    true
                } else {
                    false
                };
                let resp = match req.call() {
                    Ok(r) => r,
                    Err(ureq::Error::Status(code, _)) => {
                        let hint = if has_credentials {
                            "the credentials in the Docker config were refused".to_string()
                        } else {
                            format!("no credentials are configured: `docker login {registry}`")
                        };
                        return Err(Error::Registry(format!(
                            "the token service {realm} answered {code}\nhint: {hint}"
                        )));
                    }
                    Err(ureq::Error::Transport(t)) => {
                        return Err(Error::Registry(format!("cannot reach the token service {realm}: {t}")))
                    }
                };
                let body = read_limited(resp.into_reader(), &realm)?;
                let v: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
                    Error::Registry(format!("the token service {realm} answered something that is not JSON"))
                })?;
                let token = v
                    .get("token")
                    .or_else(|| v.get("access_token"))
                    .and_then(|t| t.as_str())
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| Error::Registry(format!("the token service {realm} answered without a token")))?;
                self.authorization = Some(format!("Bearer {token}"));
                Ok(())
            }
            _ => Err(Error::Registry(format!(
                "{registry} asks for an unsupported authentication scheme: {challenge:?}"
            ))),
        }
    }

    fn failure(&self, what: &str, method: &str, url: &str, a: &Answer) -> Error {
        let detail = registry_error_text(&a.body);
        let hint = match a.status {
            401 | 403 => format!(
                "\nhint: check the credentials for {} (`docker login`, or the Docker config's credential helper)",
                self.reference.registry
            ),
            _ => String::new(),
        };
        Error::Registry(format!(
            "{what}: the registry answered {} to {method} {url}{detail}{hint}",
            a.status
        ))
    }

    fn get_manifest(&mut self, reference: &str) -> Result<Option<Fetched>> {
        let url = self.url(&format!("manifests/{reference}"));
        let a = self.send("GET", &url, Some(media::ACCEPT), None)?;
        if a.status == 404 {
            return Ok(None);
        }
        if a.status != 200 {
            return Err(self.failure("cannot read a manifest", "GET", &url, &a));
        }
        let media_type = a.content_type.split(';').next().unwrap_or("").trim().to_string();
        check_manifest(&a.body, &media_type, &format!("the manifest at {url}"))?;
        let digest = Digest::of(&a.body);
        if let Ok(wanted) = Digest::parse(reference) {
            if wanted != digest {
                return Err(Error::Content(format!(
                    "the registry returned a manifest with digest {digest} for {url}: it is not the manifest asked for"
                )));
            }
        }
        Ok(Some(Fetched {
            bytes: a.body,
            media_type,
            digest,
        }))
    }

    fn upload(&mut self, blob: &[u8]) -> Result<()> {
        let digest = Digest::of(blob);
        let url = self.url(&format!("blobs/{digest}"));
        let head = self.send("HEAD", &url, None, None)?;
        if head.status == 200 {
            return Ok(());
        }
        let start = self.url("blobs/uploads/");
        let a = self.send("POST", &start, None, Some((&[], "application/octet-stream")))?;
        if a.status != 202 {
            return Err(self.failure("cannot start a blob upload", "POST", &start, &a));
        }
        let location = a
            .location
            .ok_or_else(|| Error::Registry(format!("the registry started an upload at {start} without a Location")))?;
        let location = if location.starts_with("http://") || location.starts_with("https://") {
            location
        } else if location.starts_with('/') {
            format!("{}{location}", self.base)
        } else {
            format!("{}/{location}", self.base)
        };
        let sep = if location.contains('?') { '&' } else { '?' };
        let put = format!("{location}{sep}digest={}", urlencode(digest.as_str()));
        let a = self.send("PUT", &put, None, Some((blob, "application/octet-stream")))?;
        if a.status != 201 {
            return Err(self.failure("cannot upload a blob", "PUT", &put, &a));
        }
        Ok(())
    }
}

impl Store for Client {
    fn resolve(&mut self) -> Result<Fetched> {
        let r = self.reference.clone();
        let (by, shown) = match (&r.digest, &r.tag) {
            (Some(d), _) => (d.to_string(), r.name()),
            (None, Some(t)) => (t.clone(), r.name()),
            (None, None) => ("latest".into(), r.name()),
        };
        self.get_manifest(&by)?.ok_or_else(|| {
            Error::Content(format!(
                "{shown}: no such image (the registry has no manifest for {by:?})"
            ))
        })
    }

    fn manifest(&mut self, tag: &str) -> Result<Option<Fetched>> {
        self.get_manifest(tag)
    }

    fn blob(&mut self, digest: &Digest) -> Result<Vec<u8>> {
        let url = self.url(&format!("blobs/{digest}"));
        let a = self.send("GET", &url, None, None)?;
        if a.status != 200 {
            return Err(self.failure("cannot read a blob", "GET", &url, &a));
        }
        if Digest::of(&a.body) != *digest {
            return Err(Error::Content(format!(
                "the blob at {url} does not have the digest it is stored under"
            )));
        }
        Ok(a.body)
    }

    fn publish(&mut self, tag: &str, blobs: &[Vec<u8>], manifest: &[u8], media_type: &str) -> Result<()> {
        for b in blobs {
            self.upload(b)?;
        }
        let url = self.url(&format!("manifests/{tag}"));
        let a = self.send("PUT", &url, None, Some((manifest, media_type)))?;
        if a.status != 201 && a.status != 200 {
            return Err(self.failure("cannot push the signature manifest", "PUT", &url, &a));
        }
        Ok(())
    }

    fn location(&self) -> String {
        self.reference.repository_name()
    }
}

/// One agent per process: building one loads the system's root
/// certificates, and a shared one reuses connections across clients.
fn shared_agent() -> ureq::Agent {
    static AGENT: std::sync::OnceLock<ureq::Agent> = std::sync::OnceLock::new();
    AGENT
        .get_or_init(|| {
            ureq::AgentBuilder::new()
                .timeout_connect(Duration::from_secs(10))
                .timeout_read(Duration::from_secs(60))
                .timeout_write(Duration::from_secs(60))
                .user_agent(concat!("mamori/", env!("CARGO_PKG_VERSION")))
                .build()
        })
        .clone()
}

fn read_limited(reader: impl Read, url: &str) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    reader
        .take(MAX_BODY + 1)
        .read_to_end(&mut body)
        .map_err(|e| Error::Registry(format!("reading the answer to {url}: {e}")))?;
    if body.len() as u64 > MAX_BODY {
        return Err(Error::Registry(format!(
            "the answer to {url} is larger than {} MiB; refused",
            MAX_BODY >> 20
        )));
    }
    Ok(body)
}

/// `: CODE: message` from the registry's JSON error body, or nothing.
fn registry_error_text(body: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return String::new();
    };
    let Some(errors) = v.get("errors").and_then(|e| e.as_array()) else {
        return String::new();
    };
    let parts: Vec<String> = errors
        .iter()
        .map(|e| {
            format!(
                "{}: {}",
                e.get("code").and_then(|c| c.as_str()).unwrap_or("?"),
                e.get("message").and_then(|c| c.as_str()).unwrap_or("")
            )
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

/// `Bearer realm="..",service=".."` -> ("Bearer", [(realm, ..), (service, ..)]).
/// Quoted values may hold commas (`scope="repository:a:pull,push"`).
pub fn parse_challenge(h: &str) -> (String, Vec<(String, String)>) {
    let h = h.trim();
    let (scheme, rest) = h.split_once(' ').unwrap_or((h, ""));
    let mut params = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if chars.next().is_none() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        params.push((key.trim().to_string(), value));
    }
    (scheme.to_string(), params)
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_with_quoted_commas() {
        let (s, p) = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push""#,
        );
        assert_eq!(s, "Bearer");
        assert_eq!(
            p,
            [
                ("realm".to_string(), "https://auth.docker.io/token".to_string()),
                ("service".to_string(), "registry.docker.io".to_string()),
                ("scope".to_string(), "repository:library/nginx:pull,push".to_string()),
            ]
        );
        assert_eq!(parse_challenge(r#"Basic realm="Registry Realm""#).0, "Basic");
        assert_eq!(
            urlencode("repository:a/b:pull,push"),
            "repository%3Aa%2Fb%3Apull%2Cpush"
        );
    }

    #[test]
    fn registry_error_bodies_are_quoted() {
        assert_eq!(
            registry_error_text(br#"{"errors":[{"code":"DENIED","message":"no"}]}"#),
            " (DENIED: no)"
        );
        assert_eq!(registry_error_text(b"<html>"), "");
    }
}
