//! Test support shared by this crate's tests, the binary's end-to-end tests
//! and the benchmark: a real registry process on loopback, tiny images
//! built as OCI layouts, `skopeo copy`, and a server that answers garbage.
//! Not part of the API.

use crate::digest::Digest;
use crate::layout::Layout;
use crate::media;
use serde_json::json;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A folder under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let p = std::env::temp_dir().join(format!("{prefix}-{}-{n}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The registry binary (Debian's `docker-registry`), or `MAMORI_REGISTRY_BIN`.
pub fn registry_binary() -> Option<PathBuf> {
    let p = std::env::var_os("MAMORI_REGISTRY_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/docker-registry"));
    p.is_file().then_some(p)
}

/// Whether `skopeo` can be run.
pub fn skopeo_available() -> bool {
    Command::new("skopeo")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A `docker-registry serve` process on 127.0.0.1 with its own config and
/// storage; killed on drop.
pub struct LocalRegistry {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    dir: TempDir,
    /// `user:password` for skopeo when the registry wants credentials.
    creds: Option<String>,
    /// The token service, when the registry uses token auth.
    _token: Option<TokenServer>,
}

impl LocalRegistry {
    /// Start one, or print why not and return `None` (binary or skopeo absent).
    pub fn start() -> Option<LocalRegistry> {
        if !skopeo_available() {
            eprintln!("note: skopeo not installed (apt-get install skopeo); skipping the registry tests");
            return None;
        }
        LocalRegistry::start_registry_only()
    }

    /// Start one with Basic auth (htpasswd) for `user` and the password
    /// whose bcrypt hash is `bcrypt_hash`.
    pub fn start_with_basic_auth(user: &str, password: &str, bcrypt_hash: &str) -> Option<LocalRegistry> {
        if !skopeo_available() {
            eprintln!("note: skopeo not installed (apt-get install skopeo); skipping the registry tests");
            return None;
        }
        LocalRegistry::start_with(|dir| {
            let file = dir.join("htpasswd");
            std::fs::write(&file, format!("{user}:{bcrypt_hash}\n")).expect("htpasswd");
            format!(
                "auth:\n  htpasswd:\n    realm: mamori-test\n    path: {}\n",
                file.display()
            )
        })
        .map(|mut r| {
            r.creds = Some(format!("{user}:{password}"));
            r
        })
    }

    /// Start one with token auth (the Docker registry auth spec), served by
    /// a [`TokenServer`] that gives `user`/`password` pull and push, and
    /// anonymous callers pull only. `None` (with a note) without skopeo or
    /// openssl (which makes the token server's certificate).
    pub fn start_with_token_auth(user: &str, password: &str) -> Option<LocalRegistry> {
        if !skopeo_available() {
            eprintln!("note: skopeo not installed (apt-get install skopeo); skipping the registry tests");
            return None;
        }
        let token = TokenServer::start(user, password)?;
        let realm = format!("http://{}/token", token.addr);
        let cert = token.cert.clone();
        LocalRegistry::start_with(|_| {
            format!(
                "auth:\n  token:\n    realm: {realm}\n    service: {TOKEN_SERVICE}\n    issuer: {TOKEN_ISSUER}\n    rootcertbundle: {}\n",
                cert.display()
            )
        })
        .map(|mut r| {
            r.creds = Some(format!("{user}:{password}"));
            r._token = Some(token);
            r
        })
    }

    /// Start one without needing skopeo; `None` (with a note) without the binary.
    pub fn start_registry_only() -> Option<LocalRegistry> {
        LocalRegistry::start_with(|_| String::new())
    }

    /// Start one serving HTTPS only, with the server certificate of `pki`
    /// (valid for 127.0.0.1). `None` (with a note) without skopeo.
    pub fn start_tls(pki: &TestPki) -> Option<LocalRegistry> {
        if !skopeo_available() {
            eprintln!("note: skopeo not installed (apt-get install skopeo); skipping the registry tests");
            return None;
        }
        let tls = format!(
            "  tls:\n    certificate: {}\n    key: {}\n",
            pki.server_cert.display(),
            pki.server_key.display()
        );
        LocalRegistry::start_config(|_| String::new(), &tls)
    }

    /// Start one whose config ends with what `extra` returns (given the
    /// registry's own folder).
    fn start_with(extra: impl FnOnce(&Path) -> String) -> Option<LocalRegistry> {
        LocalRegistry::start_config(extra, "")
    }

    /// `http_extra` goes inside the `http:` section.
    fn start_config(extra: impl FnOnce(&Path) -> String, http_extra: &str) -> Option<LocalRegistry> {
        let Some(bin) = registry_binary() else {
            eprintln!(
                "note: docker-registry not installed (apt-get install docker-registry); skipping the registry tests"
            );
            return None;
        };
        let dir = TempDir::new("mamori-registry");
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {addr}\n{http_extra}{}",
                dir.path().join("data").display(),
                extra(dir.path())
            ),
        )
        .expect("write registry config");
        let log = std::fs::File::create(dir.path().join("registry.log")).expect("registry log");
        let child = Command::new(bin)
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        let reg = LocalRegistry {
            child,
            addr,
            dir,
            creds: None,
            _token: None,
        };
        // Bounded wait for the port to answer.
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            // 400: a TLS registry answering a plain request (it is up).
            if matches!(http_status(&reg.addr, "/v2/"), Some(200 | 401 | 400)) {
                return Some(reg);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = std::fs::read_to_string(reg.dir.path().join("registry.log")).unwrap_or_default();
        panic!("docker-registry did not start on {}: {log}", reg.addr);
    }

    /// `127.0.0.1:PORT/REPO:TAG`.
    pub fn image(&self, repo: &str, tag: &str) -> String {
        format!("{}/{repo}:{tag}", self.addr)
    }

    /// Build a tiny image and push it with skopeo as `REPO:TAG`; its digest.
    pub fn push_tiny_image(&self, repo: &str, tag: &str, content: &str) -> Digest {
        let work = TempDir::new("mamori-image-build");
        let digest = build_tiny_image(work.path(), tag, content);
        let creds = self.creds.as_ref().map(|c| format!("--dest-creds={c}"));
        skopeo_copy_with(
            &format!("oci:{}:{tag}", work.path().display()),
            &format!("docker://{}", self.image(repo, tag)),
            creds.as_slice(),
        );
        digest
    }
}

impl Drop for LocalRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A throwaway CA and a server certificate for 127.0.0.1 it signed, made by
/// `openssl` in a temp dir.
pub struct TestPki {
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    _dir: TempDir,
}

impl TestPki {
    /// `None` (with a note) when openssl is missing or fails.
    pub fn new() -> Option<TestPki> {
        let dir = TempDir::new("mamori-pki");
        let d = dir.path();
        // webpki wants a real CA (basicConstraints CA:TRUE, keyCertSign)
        // and a leaf whose subjectAltName holds the IP address.
        std::fs::write(
            d.join("ca.cnf"),
            "[req]\ndistinguished_name = dn\nx509_extensions = ca\nprompt = no\n[dn]\nCN = mamori test CA\n[ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n",
        )
        .ok()?;
        std::fs::write(
            d.join("server.cnf"),
            "basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1\n",
        )
        .ok()?;
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
        let steps: [Vec<&str>; 3] = [
            [
                &["req", "-x509"][..],
                &ec,
                &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-config", "ca.cnf"],
            ]
            .concat(),
            [
                &["req"][..],
                &ec,
                &["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"],
            ]
            .concat(),
            vec![
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "server.cnf",
                "-out",
                "server.pem",
            ],
        ];
        for args in &steps {
            let ok = Command::new("openssl")
                .args(args)
                .current_dir(d)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                eprintln!(
                    "note: openssl not installed or failed (openssl {}); skipping the HTTPS registry tests",
                    args.join(" ")
                );
                return None;
            }
        }
        Some(TestPki {
            ca_cert: d.join("ca.pem"),
            server_cert: d.join("server.pem"),
            server_key: d.join("server.key"),
            _dir: dir,
        })
    }
}

/// `skopeo copy --preserve-digests` from `src` to `dst` (plain HTTP allowed);
/// panics with skopeo's message on failure.
pub fn skopeo_copy(src: &str, dst: &str) {
    skopeo_copy_with(src, dst, &[]);
}

/// `skopeo_copy` with more options (`--dest-creds=USER:PASS`).
pub fn skopeo_copy_with(src: &str, dst: &str, extra: &[String]) {
    let out = Command::new("skopeo")
        .args([
            "--insecure-policy",
            "copy",
            "--quiet",
            "--preserve-digests",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
        ])
        .args(extra)
        .args([src, dst])
        .output()
        .expect("run skopeo");
    assert!(
        out.status.success(),
        "skopeo copy {src} {dst}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A one-file image as an OCI layout in `dir`, tagged `tag`; its manifest digest.
pub fn build_tiny_image(dir: &Path, tag: &str, content: &str) -> Digest {
    if !dir.join("oci-layout").exists() {
        Layout::create(dir).expect("create layout");
    }
    let layout = Layout::open(dir, None).expect("open layout");
    let layer = tar_one_file("hello.txt", content.as_bytes());
    let layer_digest = layout.put_blob(&layer).expect("layer");
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {"Cmd": ["/hello.txt"]},
        "rootfs": {"type": "layers", "diff_ids": [layer_digest.as_str()]},
    }))
    .unwrap_or_default();
    let config_digest = layout.put_blob(&config).expect("config");
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": media::OCI_MANIFEST,
        "config": {"mediaType": media::OCI_CONFIG, "digest": config_digest.as_str(), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest.as_str(), "size": layer.len()}],
    }))
    .unwrap_or_default();
    let digest = layout.put_blob(&manifest).expect("manifest");
    layout
        .set_tag(tag, &digest, manifest.len(), media::OCI_MANIFEST)
        .expect("tag");
    digest
}

/// A ustar archive holding one regular file.
fn tar_one_file(name: &str, data: &[u8]) -> Vec<u8> {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    let octal = |h: &mut [u8; 512], at: usize, width: usize, v: u64| {
        let s = format!("{:0w$o}\0", v, w = width - 1);
        h[at..at + width].copy_from_slice(s.as_bytes());
    };
    octal(&mut h, 100, 8, 0o644);
    octal(&mut h, 108, 8, 0);
    octal(&mut h, 116, 8, 0);
    octal(&mut h, 124, 12, data.len() as u64);
    octal(&mut h, 136, 12, 0);
    h[148..156].copy_from_slice(b"        ");
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    let sum: u64 = h.iter().map(|&b| b as u64).sum();
    let s = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(s.as_bytes());
    let mut out = h.to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out.resize(out.len() + 1024, 0);
    out
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A loopback port where nothing listens (for "registry is down").
pub fn closed_port() -> u16 {
    free_port()
}

/// The status of `GET path` on `addr`, by hand (no client under test).
fn http_status(addr: &str, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    let line = std::str::from_utf8(&buf[..n]).ok()?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A loopback HTTP server: each request's head goes to `answer`, whose
/// raw HTTP response is sent back. Bounded (at most `max` connections, then
/// it stops by itself); stops on drop.
pub struct LoopbackServer {
    pub addr: String,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl LoopbackServer {
    pub fn start(max: usize, answer: impl Fn(&str) -> String + Send + 'static) -> LoopbackServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming().take(max) {
                if flag.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(mut s) = stream else { continue };
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let request = read_head(&mut s);
                let _ = s.write_all(answer(&request).as_bytes());
            }
        });
        LoopbackServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(&self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A server answering every request with `response` (raw HTTP).
pub struct GarbageServer {
    pub addr: String,
    _server: LoopbackServer,
}

impl GarbageServer {
    pub fn start(response: &'static str) -> GarbageServer {
        let server = LoopbackServer::start(100, move |_| response.to_string());
        GarbageServer {
            addr: server.addr.clone(),
            _server: server,
        }
    }
}

const TOKEN_SERVICE: &str = "mamori-test-registry";
const TOKEN_ISSUER: &str = "mamori-test-issuer";

/// A token service for `docker-registry`'s token auth: answers
/// `GET /token?service=..&scope=repository:NAME:ACTIONS` with an ES256 JWT
/// (certificate in `x5c`) granting pull and push to the configured user
/// (Basic credentials on the token request) and pull to anyone else.
/// Stops on drop.
pub struct TokenServer {
    pub addr: String,
    cert: PathBuf,
    _dir: TempDir,
    _server: LoopbackServer,
}

impl TokenServer {
    pub fn start(user: &str, password: &str) -> Option<TokenServer> {
        use base64::Engine as _;
        use p256::pkcs8::DecodePrivateKey as _;
        let dir = TempDir::new("mamori-token");
        let made = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "key.pem",
                "-out",
                "cert.pem",
                "-days",
                "1",
                "-subj",
                "/CN=mamori-test-token",
            ])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            eprintln!("note: openssl not installed; skipping the token-auth registry test");
            return None;
        }
        let key_pem = std::fs::read_to_string(dir.path().join("key.pem")).expect("key");
        let key = p256::ecdsa::SigningKey::from_pkcs8_pem(&key_pem).expect("token key");
        let cert_text = std::fs::read_to_string(dir.path().join("cert.pem")).expect("cert");
        let cert_der = crate::pem::parse(&cert_text, "cert.pem").expect("cert pem").body;
        let x5c = base64::engine::general_purpose::STANDARD.encode(cert_der);
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        );
        let user = user.to_string();
        let server = LoopbackServer::start(200, move |request| {
            let authorized = request
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("authorization:") && l[14..].trim() == basic);
            token_answer(request, authorized, &user, &key, &x5c)
        });
        Some(TokenServer {
            addr: server.addr.clone(),
            cert: dir.path().join("cert.pem"),
            _dir: dir,
            _server: server,
        })
    }
}

fn read_head(s: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    // A TLS ClientHello (first byte 0x16) has no blank line: answer at once,
    // as a plain HTTP server does, instead of waiting for the timeout.
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16384 && buf.first() != Some(&0x16) {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn token_answer(request: &str, authorized: bool, user: &str, key: &p256::ecdsa::SigningKey, x5c: &str) -> String {
    use base64::Engine as _;
    use p256::ecdsa::signature::Signer as _;
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let target = request.split_whitespace().nth(1).unwrap_or("");
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    let mut access = Vec::new();
    for (k, v) in query.split('&').filter_map(|p| p.split_once('=')) {
        if k != "scope" {
            continue;
        }
        let scope = percent_decode(v);
        let mut parts = scope.splitn(3, ':');
        let (Some(kind), Some(name), Some(actions)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let granted: Vec<&str> = actions
            .split(',')
            .filter(|a| *a == "pull" || (authorized && *a == "push"))
            .collect();
        access.push(json!({"type": kind, "name": name, "actions": granted}));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let header = json!({"typ": "JWT", "alg": "ES256", "x5c": [x5c]});
    let claims = json!({
        "iss": TOKEN_ISSUER, "sub": if authorized { user } else { "" }, "aud": TOKEN_SERVICE,
        "exp": now + 600, "nbf": now - 60, "iat": now, "jti": format!("{now}-{}", access.len()),
        "access": access,
    });
    let input = format!(
        "{}.{}",
        url.encode(serde_json::to_vec(&header).unwrap_or_default()),
        url.encode(serde_json::to_vec(&claims).unwrap_or_default())
    );
    let sig: p256::ecdsa::Signature = key.sign(input.as_bytes());
    let token = format!("{input}.{}", url.encode(sig.to_bytes()));
    let body = serde_json::to_string(&json!({"token": token, "expires_in": 600})).unwrap_or_default();
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}
