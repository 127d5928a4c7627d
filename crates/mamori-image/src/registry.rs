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
//!
//! Transport, as go-containerregistry's ping (cosign's registry layer) with
//! one safety difference: HTTPS always comes first, verified against the
//! system roots (`SSL_CERT_FILE`/`SSL_CERT_DIR` replace them, as OpenSSL's
//! do) plus any `--registry-cacert`. For a loopback host, or any host with
//! `--allow-insecure-registry`, a server that answers the TLS handshake with
//! something that is not TLS is then spoken to in plain HTTP. Unlike
//! go-containerregistry, a certificate that does not verify never falls back
//! (a MITM that breaks TLS must not get plain text instead) and TLS
//! verification is never switched off.

use crate::digest::Digest;
use crate::docker_config::{self, Credentials};
use crate::reference::Reference;
use crate::store::{check_manifest, Fetched, Store, StoreOptions};
use crate::{media, Error, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
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
    /// Plain HTTP may replace HTTPS if the server does not speak TLS.
    may_fall_back: bool,
    /// The scheme is known (a first answer came back, or it fell back).
    settled: bool,
}

/// Why an exchange brought no answer.
enum Failure {
    Transport(Box<ureq::Transport>),
    Read(Error),
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
        Ok(Client {
            agent: agent(options.ca_cert.as_deref())?,
            base: format!("https://{}", reference.registry),
            may_fall_back: options.allow_insecure || reference.is_loopback(),
            settled: false,
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

    fn send_once(
        &mut self,
        method: &str,
        url: &str,
        accept: Option<&str>,
        body: Option<(&[u8], &str)>,
    ) -> Result<Answer> {
        // A URL built before the fall back to plain HTTP (the retry after
        // authenticating) goes where the registry now is.
        let https = format!("https://{}", self.reference.registry);
        let url = match url.strip_prefix(https.as_str()) {
            Some(rest) if self.base != https => format!("{}{rest}", self.base),
            _ => url.to_string(),
        };
        let url = url.as_str();
        match self.exchange(method, url, accept, body) {
            Ok(a) => {
                self.settled = true;
                Ok(a)
            }
            Err(Failure::Read(e)) => Err(e),
            Err(Failure::Transport(t)) => {
                let tls = tls_failure(&t);
                if !self.settled && matches!(tls, Some(TlsFailure::NotTls)) {
                    if !self.may_fall_back {
                        return Err(Error::Registry(format!(
                            "{} answered the TLS handshake with something else (plain HTTP?): refused, mamori speaks plain HTTP only to loopback registries or with --allow-insecure-registry\nhint: pass --allow-insecure-registry only if this registry is meant to be plain HTTP and the network to it is trusted",
                            self.base
                        )));
                    }
                    self.base = format!("http://{}", self.reference.registry);
                    self.settled = true;
                    return self.send_once(method, url, accept, body);
                }
                Err(transport_error(&format!("the registry at {}", self.base), &t, tls))
            }
        }
    }

    /// One request; any status is an answer, only transport failures are errors.
    fn exchange(
        &self,
        method: &str,
        url: &str,
        accept: Option<&str>,
        body: Option<(&[u8], &str)>,
    ) -> std::result::Result<Answer, Failure> {
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
            Err(ureq::Error::Transport(t)) => return Err(Failure::Transport(Box::new(t))),
        };
        let status = resp.status();
        let content_type = resp.header("Content-Type").unwrap_or("").to_string();
        let location = resp.header("Location").map(str::to_string);
        let challenge = resp.header("WWW-Authenticate").map(str::to_string);
        let body = if method == "HEAD" {
            Vec::new()
        } else {
            read_limited(resp.into_reader(), url).map_err(Failure::Read)?
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
                        let tls = tls_failure(&t);
                        return Err(transport_error(&format!("the token service {realm}"), &t, tls));
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

/// What went wrong in a TLS handshake, when that is what failed.
enum TlsFailure {
    /// The server answered with bytes that are not TLS (a plain HTTP server).
    NotTls,
    /// The server's certificate does not verify (rustls's reason).
    Certificate(String),
    Other(String),
}

/// rustls's error behind a ureq transport error: ureq keeps the
/// `io::Error` rustls returned, whose payload is the `rustls::Error`
/// (`io::Error::source` skips the payload itself, hence `get_ref`).
fn tls_failure(t: &ureq::Transport) -> Option<TlsFailure> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(t);
    while let Some(e) = next {
        let found = e.downcast_ref::<rustls::Error>().or_else(|| {
            e.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(r) = found {
            return Some(match r {
                rustls::Error::InvalidMessage(_) => TlsFailure::NotTls,
                rustls::Error::InvalidCertificate(_) => TlsFailure::Certificate(r.to_string()),
                _ => TlsFailure::Other(r.to_string()),
            });
        }
        next = e.source();
    }
    None
}

fn transport_error(what: &str, t: &ureq::Transport, tls: Option<TlsFailure>) -> Error {
    match tls {
        Some(TlsFailure::Certificate(why)) => Error::Registry(format!(
            "the TLS certificate of {what} is not trusted ({why})\nhint: when a private CA signed it, pass --registry-cacert CA.pem (added to the system roots), or set SSL_CERT_FILE / SSL_CERT_DIR (which replace them)"
        )),
        Some(TlsFailure::NotTls) => Error::Registry(format!(
            "{what} answered the TLS handshake with something that is not TLS (plain HTTP?)"
        )),
        Some(TlsFailure::Other(why)) => Error::Registry(format!("TLS with {what} failed: {why}")),
        None => Error::Registry(format!(
            "cannot reach {what}: {t}\nhint: is it running and reachable? mamori speaks HTTPS, and plain HTTP only to loopback hosts or with --allow-insecure-registry"
        )),
    }
}

/// One agent per set of roots and process: building one parses the system
/// roots (a bundle of about 150 certificates), and a shared one reuses
/// connections across clients.
fn agent(ca_cert: Option<&Path>) -> Result<ureq::Agent> {
    type Agents = std::sync::Mutex<std::collections::HashMap<Option<PathBuf>, ureq::Agent>>;
    static AGENTS: std::sync::OnceLock<Agents> = std::sync::OnceLock::new();
    let agents = AGENTS.get_or_init(Default::default);
    let key = ca_cert.map(Path::to_path_buf);
    if let Some(a) = agents.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(a);
    }
    let a = build_agent(ca_cert)?;
    if let Ok(mut m) = agents.lock() {
        m.insert(key, a.clone());
    }
    Ok(a)
}

fn build_agent(ca_cert: Option<&Path>) -> Result<ureq::Agent> {
    static SYSTEM: std::sync::OnceLock<std::result::Result<Vec<rustls::pki_types::CertificateDer<'static>>, String>> =
        std::sync::OnceLock::new();
    let system = SYSTEM.get_or_init(|| {
        let explicit = std::env::var_os("SSL_CERT_FILE").is_some() || std::env::var_os("SSL_CERT_DIR").is_some();
        // rustls-native-certs ignores a broken SSL_CERT_FILE when
        // SSL_CERT_DIR gave certificates; a name the user set must work.
        if let Some(file) = std::env::var_os("SSL_CERT_FILE") {
            if let Err(e) = std::fs::File::open(&file) {
                return Err(format!(
                    "cannot load the CA certificates named by SSL_CERT_FILE ({}): {e}",
                    Path::new(&file).display()
                ));
            }
        }
        match rustls_native_certs::load_native_certs() {
            Ok(certs) => Ok(certs),
            // The user named these files: not finding them is an error.
            Err(e) if explicit => Err(format!(
                "cannot load the CA certificates named by SSL_CERT_FILE / SSL_CERT_DIR: {e}"
            )),
            // No system bundle: only --registry-cacert can be trusted, and
            // an untrusted certificate is reported as such.
            Err(_) => Ok(Vec::new()),
        }
    });
    let mut roots = rustls::RootCertStore::empty();
    match system {
        Ok(certs) => {
            roots.add_parsable_certificates(certs.iter().cloned());
        }
        Err(e) => return Err(Error::Registry(e.clone())),
    }
    if let Some(path) = ca_cert {
        add_ca_file(&mut roots, path)?;
    }
    // Same provider and versions as ureq's own default configuration.
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS12, &rustls::version::TLS13])
        .map_err(|e| Error::Registry(format!("TLS setup: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(ureq::AgentBuilder::new()
        .tls_config(Arc::new(tls))
        .timeout_connect(Duration::from_secs(10))
        .timeout_read(Duration::from_secs(60))
        .timeout_write(Duration::from_secs(60))
        .user_agent(concat!("mamori/", env!("CARGO_PKG_VERSION")))
        .build())
}

/// Add every `CERTIFICATE` of a PEM file to `roots`.
fn add_ca_file(roots: &mut rustls::RootCertStore, path: &Path) -> Result<()> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| Error::Registry(format!("--registry-cacert {shown}: {e}")))?;
    let mut added = 0;
    for (i, cert) in rustls_pemfile::certs(&mut bytes.as_slice()).enumerate() {
        let cert = cert.map_err(|e| {
            Error::Registry(format!(
                "--registry-cacert {shown}: certificate {} is not valid PEM: {e}",
                i + 1
            ))
        })?;
        roots.add(cert).map_err(|e| {
            Error::Registry(format!(
                "--registry-cacert {shown}: certificate {} cannot be a trust anchor: {e}",
                i + 1
            ))
        })?;
        added += 1;
    }
    if added == 0 {
        return Err(Error::Registry(format!(
            "--registry-cacert {shown}: no PEM CERTIFICATE block in the file\nhint: give the CA certificate in PEM (-----BEGIN CERTIFICATE-----)"
        )));
    }
    Ok(())
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
    fn ca_files_without_a_usable_certificate_are_named() {
        let dir = crate::testkit::TempDir::new("mamori-cacert");
        let mut roots = rustls::RootCertStore::empty();
        let none = dir.path().join("none.pem");
        std::fs::write(&none, "not a certificate\n").unwrap();
        let e = add_ca_file(&mut roots, &none).unwrap_err().to_string();
        assert!(e.contains("none.pem: no PEM CERTIFICATE block in the file"), "{e}");
        let bad = dir.path().join("bad.pem");
        std::fs::write(&bad, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").unwrap();
        let e = add_ca_file(&mut roots, &bad).unwrap_err().to_string();
        assert!(e.contains("bad.pem: certificate 1 cannot be a trust anchor"), "{e}");
        let e = add_ca_file(&mut roots, &dir.path().join("missing.pem"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing.pem: No such file"), "{e}");
        assert!(roots.is_empty());
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
