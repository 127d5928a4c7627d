//! End-to-end tests of `mamori image keygen|sign|verify` against a real
//! registry (Debian's `docker-registry`, started per test on 127.0.0.1 with
//! its own config and storage, killed when the test ends), with images
//! built as OCI layouts and pushed by `skopeo copy --preserve-digests`.
//! skopeo and openssl also serve as independent readers of what mamori
//! pushed. Without docker-registry or skopeo the registry tests print a note
//! and pass; `.ci/run` installs both.

use base64::Engine as _;
use mamori_image::testkit::{
    build_tiny_image, closed_port, skopeo_copy, GarbageServer, LocalRegistry, LoopbackServer, TempDir, TestPki,
};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn mamori_with(args: &[&str], cwd: &Path, password: Option<&str>, stdin: &str) -> Run {
    mamori_env(args, cwd, password, stdin, &[])
}

fn mamori_env(args: &[&str], cwd: &Path, password: Option<&str>, stdin: &str, env: &[(&str, String)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mamori"));
    cmd.args(args)
        .current_dir(cwd)
        .env("DOCKER_CONFIG", cwd.join("no-docker-config"))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match password {
        Some(p) => cmd.env("COSIGN_PASSWORD", p),
        None => cmd.env_remove("COSIGN_PASSWORD"),
    };
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn mamori(args: &[&str], cwd: &Path) -> Run {
    mamori_with(args, cwd, Some("pw"), "")
}

fn keygen(dir: &Path, prefix: &str) {
    let r = mamori(&["image", "keygen", "--output-key-prefix", prefix], dir);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

/// The `.sig` manifest, read by skopeo.
fn skopeo_raw(image: &str) -> serde_json::Value {
    let out = Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false", &format!("docker://{image}")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    json(&String::from_utf8_lossy(&out.stdout))
}

#[test]
fn the_course_flow_keygen_sign_by_tag_verify() {
    let Some(reg) = LocalRegistry::start() else { return };
    let work = TempDir::new("mamori-e2e");
    let dir = work.path();
    let digest = reg.push_tiny_image("cs-app", "latest", "course");
    keygen(dir, "cosign");
    let image = reg.image("cs-app", "latest");
    let sign = mamori(&["image", "sign", "--key", "cosign.key", &image], dir);
    assert_eq!(sign.code, 0, "{}", sign.stderr);
    assert!(
        sign.stderr.contains(&format!(
            "WARNING: Image reference {image} uses a tag, not a digest, to identify the image to sign.\n    This can lead you to sign a different image than the intended one."
        )),
        "{}",
        sign.stderr
    );
    assert_eq!(sign.stderr.matches("no transparency log").count(), 1);
    assert!(sign
        .stderr
        .contains(&format!("Pushing signature to: {}/cs-app", reg.addr)));

    let verify = mamori(&["image", "verify", "--key", "cosign.pub", &image], dir);
    assert_eq!(verify.code, 0, "{}", verify.stderr);
    assert!(verify.stderr.starts_with(&format!(
        "\nVerification for {image} --\nThe following checks were performed on each of these signatures:\n  - The cosign claims were validated\n  - The signatures were verified against the specified public key\n"
    )), "{}", verify.stderr);
    let payloads = json(&verify.stdout);
    assert_eq!(payloads.as_array().unwrap().len(), 1);
    assert_eq!(
        payloads[0]["critical"]["identity"]["docker-reference"],
        format!("{}/cs-app", reg.addr)
    );
    assert_eq!(
        payloads[0]["critical"]["image"]["docker-manifest-digest"],
        digest.as_str()
    );
    assert_eq!(payloads[0]["critical"]["type"], "cosign container image signature");
    assert!(payloads[0]["optional"].is_null());

    // Independent readers: skopeo sees cosign's layout under the .sig tag,
    // and openssl verifies the pushed payload with cosign.pub.
    let sig_ref = format!("{}/cs-app:{}", reg.addr, digest.signature_tag());
    let m = skopeo_raw(&sig_ref);
    assert_eq!(
        m["layers"][0]["mediaType"],
        "application/vnd.dev.cosign.simplesigning.v1+json"
    );
    let copy = dir.join("sig-layout");
    skopeo_copy(&format!("docker://{sig_ref}"), &format!("oci:{}:sig", copy.display()));
    let payload_hex = m["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .trim_start_matches("sha256:")
        .to_string();
    let b64 = m["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"]
        .as_str()
        .unwrap();
    let der = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
    std::fs::write(dir.join("sig.der"), der).unwrap();
    let payload_path = copy.join("blobs/sha256").join(&payload_hex);
    if Command::new("openssl").arg("version").output().is_ok() {
        let out = Command::new("openssl")
            .args(["dgst", "-sha256", "-verify", "cosign.pub", "-signature", "sig.der"])
            .arg(&payload_path)
            .current_dir(dir)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Verified OK");
    } else {
        eprintln!("note: openssl not installed; skipping its check");
    }

    // Signing by digest: no warning.
    let by_digest = format!("{}/cs-app@{digest}", reg.addr);
    keygen(dir, "second");
    let sign = mamori(
        &["image", "sign", "--key", "second.key", &by_digest, "-a", "env=prod"],
        dir,
    );
    assert_eq!(sign.code, 0, "{}", sign.stderr);
    assert!(!sign.stderr.contains("WARNING"), "{}", sign.stderr);
    // Two signatures on one image: two layers, each key finds its own.
    assert_eq!(skopeo_raw(&sig_ref)["layers"].as_array().unwrap().len(), 2);
    let v = mamori(
        &["image", "verify", "--key", "second.pub", &image, "-a", "env=prod"],
        dir,
    );
    assert_eq!(v.code, 0, "{}", v.stderr);
    assert!(v.stderr.contains("  - The specified annotations were verified.\n"));
    assert_eq!(json(&v.stdout)[0]["optional"], serde_json::json!({"env": "prod"}));
    let v = mamori(&["image", "verify", "--key", "cosign.pub", &image], dir);
    assert_eq!(json(&v.stdout).as_array().unwrap().len(), 1);
    let v = mamori(
        &["image", "verify", "--key", "cosign.pub", &image, "-a", "env=prod"],
        dir,
    );
    assert_eq!(v.code, 1);
    assert!(
        v.stderr.contains("none carries the annotations env=prod"),
        "{}",
        v.stderr
    );

    // The wrong key.
    keygen(dir, "stranger");
    let v = mamori(&["image", "verify", "--key", "stranger.pub", &image], dir);
    assert_eq!(v.code, 1);
    assert!(v.stderr.contains("signature does not match the key"), "{}", v.stderr);
    assert!(v.stdout.is_empty());
}

#[test]
fn unsigned_images_and_signatures_copied_from_another_image() {
    let Some(reg) = LocalRegistry::start() else { return };
    let work = TempDir::new("mamori-e2e");
    let dir = work.path();
    let a = reg.push_tiny_image("app", "signed", "a");
    let b = reg.push_tiny_image("app", "unsigned", "b");
    keygen(dir, "cosign");
    let v = mamori(
        &["image", "verify", "--key", "cosign.pub", &reg.image("app", "unsigned")],
        dir,
    );
    assert_eq!(v.code, 1);
    assert!(
        v.stderr.contains(&format!("no signatures found for {b}")),
        "{}",
        v.stderr
    );
    let s = mamori(
        &["image", "sign", "--key", "cosign.key", &reg.image("app", "signed")],
        dir,
    );
    assert_eq!(s.code, 0, "{}", s.stderr);
    // Copy a's signature manifest onto b's signature tag.
    skopeo_copy(
        &format!("docker://{}/app:{}", reg.addr, a.signature_tag()),
        &format!("docker://{}/app:{}", reg.addr, b.signature_tag()),
    );
    let v = mamori(
        &["image", "verify", "--key", "cosign.pub", &reg.image("app", "unsigned")],
        dir,
    );
    assert_eq!(v.code, 1);
    assert!(
        v.stderr.contains(&format!(
            "payload digest is not this image's digest: the signature is for {a}, this image is {b}"
        )),
        "{}",
        v.stderr
    );
    let v = mamori(
        &["image", "verify", "--key", "cosign.pub", &reg.image("app", "nope")],
        dir,
    );
    assert_eq!(v.code, 2);
    assert!(v.stderr.contains("no such image"), "{}", v.stderr);
}

#[test]
fn bad_passwords_keys_and_registries() {
    let Some(reg) = LocalRegistry::start() else { return };
    let work = TempDir::new("mamori-e2e");
    let dir = work.path();
    reg.push_tiny_image("app", "v1", "x");
    keygen(dir, "cosign");
    let image = reg.image("app", "v1");
    // Wrong password: refused, nothing pushed.
    let s = mamori_with(
        &["image", "sign", "--key", "cosign.key", &image],
        dir,
        Some("not-it"),
        "",
    );
    assert_eq!(s.code, 2);
    assert!(
        s.stderr
            .contains("error: cosign.key: cannot decrypt the private key: wrong password"),
        "{}",
        s.stderr
    );
    assert!(!s.stderr.contains("not-it"));
    let v = mamori(&["image", "verify", "--key", "cosign.pub", &image], dir);
    assert!(v.stderr.contains("no signatures found"), "{}", v.stderr);
    // A truncated key and a public key given as the private one.
    let text = std::fs::read_to_string(dir.join("cosign.key")).unwrap();
    std::fs::write(dir.join("cut.key"), &text[..text.len() / 2]).unwrap();
    let s = mamori(&["image", "sign", "--key", "cut.key", &image], dir);
    assert_eq!(s.code, 2);
    assert!(s.stderr.contains("looks truncated"), "{}", s.stderr);
    let s = mamori(&["image", "sign", "--key", "cosign.pub", &image], dir);
    assert!(s.stderr.contains("unsupported PEM type \"PUBLIC KEY\""), "{}", s.stderr);
    // A registry that is down.
    let down = format!("127.0.0.1:{}/app:v1", closed_port());
    let s = mamori(&["image", "sign", "--key", "cosign.key", &down], dir);
    assert_eq!(s.code, 2);
    assert!(
        s.stderr.contains("cannot reach the registry at https://127.0.0.1:"),
        "{}",
        s.stderr
    );
    // A server that answers garbage.
    let garbage = GarbageServer::start(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<html>garbage",
    );
    let v = mamori(
        &[
            "image",
            "verify",
            "--key",
            "cosign.pub",
            &format!("{}/app:v1", garbage.addr),
        ],
        dir,
    );
    assert_eq!(v.code, 2);
    assert!(v.stderr.contains("is not a JSON manifest"), "{}", v.stderr);
    assert!(!v.stderr.contains("panicked"));
    // A registry whose token service answers garbage.
    let tokens = LoopbackServer::start(20, |_| {
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 6\r\nConnection: close\r\n\r\n<html>".to_string()
    });
    let realm = format!("http://{}/token", tokens.addr);
    let challenger = LoopbackServer::start(20, move |_| {
        format!("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"{realm}\",service=\"x\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    });
    let v = mamori(
        &[
            "image",
            "verify",
            "--key",
            "cosign.pub",
            &format!("{}/app:v1", challenger.addr),
        ],
        dir,
    );
    assert_eq!(v.code, 2);
    assert!(v.stderr.contains("answered something that is not JSON"), "{}", v.stderr);
}

#[test]
fn keygen_files_passwords_and_overwrite() {
    let work = TempDir::new("mamori-keygen");
    let dir = work.path();
    // Password from stdin when COSIGN_PASSWORD is unset and stdin is not a terminal.
    let r = mamori_with(&["image", "keygen"], dir, None, "from-stdin\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "Private key written to cosign.key\nPublic key written to cosign.pub\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("cosign.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let before = std::fs::read(dir.join("cosign.key")).unwrap();
    let r = mamori(&["image", "keygen"], dir);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cosign.key already exists\nhint: --force"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(dir.join("cosign.key")).unwrap(), before);
    // The stdin password decrypts the key: sign a layout offline with it.
    let layout = dir.join("img");
    let digest = build_tiny_image(&layout, "v1", "k");
    let target = format!("oci:{}:v1", layout.display());
    let s = mamori_with(
        &["image", "sign", "--key", "cosign.key", &target, "--format", "json"],
        dir,
        Some("from-stdin"),
        "",
    );
    assert_eq!(s.code, 0, "{}", s.stderr);
    let out = json(&s.stdout);
    assert_eq!(out["digest"], digest.as_str());
    assert_eq!(out["signature_tag"], digest.signature_tag());
    let v = mamori(&["image", "verify", "--key", "cosign.pub", &target], dir);
    assert_eq!(v.code, 0, "{}", v.stderr);
    assert_eq!(
        json(&v.stdout)[0]["critical"]["image"]["docker-manifest-digest"],
        digest.as_str()
    );
    // An empty COSIGN_PASSWORD is a password too.
    let r = mamori_with(&["image", "keygen", "--force"], dir, Some(""), "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_ne!(std::fs::read(dir.join("cosign.key")).unwrap(), before);
    let s = mamori_with(&["image", "sign", "--key", "cosign.key", &target], dir, Some(""), "");
    assert_eq!(s.code, 0, "{}", s.stderr);
    let bad = mamori(&["image", "sign", "--key", "cosign.key", &target, "-a", "novalue"], dir);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("expected KEY=VALUE"));
}

/// bcrypt (cost 4) of "s3cret-pw", for the registry's htpasswd file.
const HTPASSWD_HASH: &str = "$2a$04$YSSrBLjtFYv2gn6SjCJroODkD8GzkLX8WXZryO1tF.yspMriwlNf.";

#[test]
fn basic_auth_from_the_docker_config_and_a_credential_helper() {
    let Some(reg) = LocalRegistry::start_with_basic_auth("alice", "s3cret-pw", HTPASSWD_HASH) else {
        return;
    };
    let work = TempDir::new("mamori-e2e");
    let dir = work.path();
    reg.push_tiny_image("private", "v1", "p");
    keygen(dir, "cosign");
    let image = reg.image("private", "v1");
    let s = mamori(&["image", "sign", "--key", "cosign.key", &image], dir);
    assert_eq!(s.code, 2);
    assert!(
        s.stderr
            .contains("asks for a user name and password, and none are configured"),
        "{}",
        s.stderr
    );

    let write_config = |text: String| {
        let d = dir.join("docker");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("config.json"), text).unwrap();
    };
    let with_config = |args: &[&str], extra: &[(&str, String)]| {
        let mut env = vec![("DOCKER_CONFIG", dir.join("docker").display().to_string())];
        env.extend(extra.iter().cloned());
        mamori_env(args, dir, Some("pw"), "", &env)
    };
    // `auths` with the wrong password: refused, and said so.
    let auth = |pair: &str| base64::engine::general_purpose::STANDARD.encode(pair);
    write_config(format!(
        r#"{{"auths":{{"{}":{{"auth":"{}"}}}}}}"#,
        reg.addr,
        auth("alice:nope")
    ));
    let s = with_config(&["image", "sign", "--key", "cosign.key", &image], &[]);
    assert_eq!(s.code, 2);
    assert!(s.stderr.contains("the registry answered 401"), "{}", s.stderr);
    assert!(!s.stderr.contains("nope"));
    // `auths` with the right one.
    write_config(format!(
        r#"{{"auths":{{"http://{}":{{"auth":"{}"}}}}}}"#,
        reg.addr,
        auth("alice:s3cret-pw")
    ));
    let s = with_config(&["image", "sign", "--key", "cosign.key", &image], &[]);
    assert_eq!(s.code, 0, "{}", s.stderr);
    // A credential helper, as cloud registries use: given the server on
    // stdin, it answers the credentials as JSON.
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-mamori-test");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nserver=$(cat)\n[ \"$server\" = \"{}\" ] || {{ echo \"credentials not found in native keychain\"; exit 1; }}\necho '{{\"ServerURL\":\"'$server'\",\"Username\":\"alice\",\"Secret\":\"s3cret-pw\"}}'\n",
            reg.addr
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    write_config(format!(r#"{{"credHelpers":{{"{}":"mamori-test"}}}}"#, reg.addr));
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let v = with_config(&["image", "verify", "--key", "cosign.pub", &image], &[("PATH", path)]);
    assert_eq!(v.code, 0, "{}", v.stderr);
    assert_eq!(json(&v.stdout).as_array().unwrap().len(), 1);
}

#[test]
fn bearer_tokens_from_a_token_service() {
    let Some(reg) = LocalRegistry::start_with_token_auth("alice", "s3cret-pw") else {
        return;
    };
    let work = TempDir::new("mamori-e2e");
    let dir = work.path();
    let digest = reg.push_tiny_image("team/app", "v1", "t");
    keygen(dir, "cosign");
    let image = reg.image("team/app", "v1");
    // Anonymous: the token service grants pull only, so the push is refused.
    let s = mamori(&["image", "sign", "--key", "cosign.key", &image], dir);
    assert_eq!(s.code, 2);
    assert!(s.stderr.contains("the registry answered 401"), "{}", s.stderr);
    // With credentials the token grants push.
    let d = dir.join("docker");
    std::fs::create_dir_all(&d).unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret-pw");
    std::fs::write(
        d.join("config.json"),
        format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, reg.addr),
    )
    .unwrap();
    let env = [("DOCKER_CONFIG", d.display().to_string())];
    let s = mamori_env(
        &["image", "sign", "--key", "cosign.key", &image],
        dir,
        Some("pw"),
        "",
        &env,
    );
    assert_eq!(s.code, 0, "{}", s.stderr);
    // Verification needs pull only: anonymous tokens do.
    let v = mamori(&["image", "verify", "--key", "cosign.pub", &image], dir);
    assert_eq!(v.code, 0, "{}", v.stderr);
    assert_eq!(
        json(&v.stdout)[0]["critical"]["image"]["docker-manifest-digest"],
        digest.as_str()
    );
}

/// Assert that the run's stderr holds `text`, showing stderr when not.
fn says(r: &Run, text: &str) {
    assert!(r.stderr.contains(text), "{}", r.stderr);
}

/// The tags of `repo`, read by skopeo.
fn skopeo_tags(addr: &str, repo: &str) -> Vec<String> {
    let out = Command::new("skopeo")
        .args(["list-tags", "--tls-verify=false", &format!("docker://{addr}/{repo}")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&String::from_utf8_lossy(&out.stdout));
    let mut tags: Vec<String> = v["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    tags.sort();
    tags
}

#[test]
fn https_registry_signed_by_a_private_ca() {
    let Some(pki) = TestPki::new() else { return };
    let Some(reg) = LocalRegistry::start_tls(&pki) else {
        return;
    };
    let work = TempDir::new("mamori-e2e");
    let dir = work.path();
    let digest = reg.push_tiny_image("app", "v1", "over tls");
    keygen(dir, "cosign");
    let image = reg.image("app", "v1");
    let ca = pki.ca_cert.to_str().unwrap();
    // Not trusting the CA: a certificate error, no fallback to plain HTTP
    // (the registry would not answer it anyway), nothing pushed.
    let s = mamori(&["image", "sign", "--key", "cosign.key", &image], dir);
    assert_eq!(s.code, 2, "{}", s.stderr);
    says(&s, &format!("error: the TLS certificate of the registry at https://{} is not trusted (invalid peer certificate: UnknownIssuer)", reg.addr));
    says(&s, "hint: when a private CA signed it, pass --registry-cacert CA.pem");
    assert!(!s.stderr.contains("panicked"), "{}", s.stderr);
    assert_eq!(skopeo_tags(&reg.addr, "app"), ["v1"]);
    // Trusting it with --registry-cacert: signed and verified over HTTPS.
    let s = mamori(
        &["image", "sign", "--key", "cosign.key", "--registry-cacert", ca, &image],
        dir,
    );
    assert_eq!(s.code, 0, "{}", s.stderr);
    let sig_tag = digest.as_str().replace(':', "-") + ".sig";
    assert_eq!(skopeo_tags(&reg.addr, "app"), [sig_tag.clone(), "v1".to_string()]);
    let sig = skopeo_raw(&format!("{}/app:{sig_tag}", reg.addr));
    assert_eq!(sig["layers"].as_array().unwrap().len(), 1);
    let v = mamori(
        &[
            "image",
            "verify",
            "--key",
            "cosign.pub",
            "--registry-cacert",
            ca,
            &image,
        ],
        dir,
    );
    assert_eq!(v.code, 0, "{}", v.stderr);
    let payloads = json(&v.stdout);
    assert_eq!(
        payloads[0]["critical"]["image"]["docker-manifest-digest"],
        digest.as_str()
    );
    // SSL_CERT_FILE (with an empty SSL_CERT_DIR: the environment may set
    // one) replaces the system roots with the CA: verifies too.
    std::fs::create_dir(dir.join("empty")).unwrap();
    let empty = dir.join("empty").display().to_string();
    let v = mamori_env(
        &["image", "verify", "--key", "cosign.pub", &image],
        dir,
        Some("pw"),
        "",
        &[("SSL_CERT_FILE", ca.to_string()), ("SSL_CERT_DIR", empty.clone())],
    );
    assert_eq!(v.code, 0, "{}", v.stderr);
    // A CA file that holds no certificate, and one that does not exist.
    std::fs::write(dir.join("not-a-ca.pem"), "hello\n").unwrap();
    let v = mamori(
        &[
            "image",
            "verify",
            "--key",
            "cosign.pub",
            "--registry-cacert",
            "not-a-ca.pem",
            &image,
        ],
        dir,
    );
    assert_eq!(v.code, 2, "{}", v.stderr);
    says(
        &v,
        "error: --registry-cacert not-a-ca.pem: no PEM CERTIFICATE block in the file",
    );
    let v = mamori_env(
        &["image", "verify", "--key", "cosign.pub", &image],
        dir,
        Some("pw"),
        "",
        &[("SSL_CERT_FILE", dir.join("missing.pem").display().to_string())],
    );
    assert_eq!(v.code, 2, "{}", v.stderr);
    says(
        &v,
        &format!(
            "error: cannot load the CA certificates named by SSL_CERT_FILE ({}): No such file",
            dir.join("missing.pem").display()
        ),
    );
}

#[test]
fn plain_http_only_to_loopback_or_when_allowed() {
    let Some(reg) = LocalRegistry::start() else { return };
    let work = TempDir::new("mamori-e2e");
    let dir = work.path();
    reg.push_tiny_image("app", "v1", "plain");
    keygen(dir, "cosign");
    // 0.0.0.0 reaches the registry on 127.0.0.1 (Linux connects the
    // unspecified address to the local host) but is not a loopback name.
    let port = reg.addr.rsplit(':').next().unwrap();
    let remote = format!("0.0.0.0:{port}/app:v1");
    let s = mamori(&["image", "sign", "--key", "cosign.key", &remote], dir);
    assert_eq!(s.code, 2, "{}", s.stderr);
    says(
        &s,
        &format!("error: https://0.0.0.0:{port} answered the TLS handshake with something else (plain HTTP?): refused"),
    );
    says(&s, "hint: pass --allow-insecure-registry only if");
    assert_eq!(skopeo_tags(&reg.addr, "app"), ["v1"]);
    let s = mamori(
        &[
            "image",
            "sign",
            "--key",
            "cosign.key",
            "--allow-insecure-registry",
            &remote,
        ],
        dir,
    );
    assert_eq!(s.code, 0, "{}", s.stderr);
    // The loopback name falls back by itself.
    let v = mamori(
        &["image", "verify", "--key", "cosign.pub", &reg.image("app", "v1")],
        dir,
    );
    assert_eq!(v.code, 0, "{}", v.stderr);
}
