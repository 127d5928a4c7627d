//! `mamori image keygen|sign|verify`: cosign-compatible signing
//! (`mamori-image`), with cosign's messages where cosign has one.

use super::print;
use crate::cli::{ImageArgs, ImageCommand, KeygenArgs, RegistryArgs, SignArgs, TextOrJson, VerifyArgs};
use anyhow::{bail, Context as _};
use mamori_image::{keys, PrivateKey, PublicKey, ScryptCost, StoreOptions, Target};
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Said once per command that would, with cosign, have used Rekor.
const NO_TLOG: &str = "note: no transparency log: mamori works offline, so nothing is uploaded to or checked against Rekor (as cosign with --tlog-upload=false / --insecure-ignore-tlog)";

pub fn run(args: ImageArgs) -> anyhow::Result<u8> {
    match args.command {
        ImageCommand::Keygen(a) => keygen(a),
        ImageCommand::Sign(a) => sign(a),
        ImageCommand::Verify(a) => verify(a),
    }
}

/// The password: COSIGN_PASSWORD if set (even empty), else the terminal
/// (asked twice when `confirm`), else the first line of stdin.
fn password(confirm: bool) -> anyhow::Result<Zeroizing<String>> {
    if let Some(p) = std::env::var_os("COSIGN_PASSWORD") {
        return match p.into_string() {
            Ok(s) => Ok(Zeroizing::new(s)),
            Err(_) => bail!("COSIGN_PASSWORD is not valid UTF-8"),
        };
    }
    if std::io::stdin().is_terminal() {
        let first = Zeroizing::new(
            rpassword::prompt_password("Enter password for private key: ").context("cannot read the password")?,
        );
        if confirm {
            let again = Zeroizing::new(
                rpassword::prompt_password("Enter password for private key again: ")
                    .context("cannot read the password")?,
            );
            if *again != *first {
                bail!("the passwords do not match");
            }
        }
        return Ok(first);
    }
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    let trimmed = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(trimmed);
    Ok(line)
}

fn keygen(args: KeygenArgs) -> anyhow::Result<u8> {
    let key_path = PathBuf::from(format!("{}.key", args.output_key_prefix));
    let pub_path = PathBuf::from(format!("{}.pub", args.output_key_prefix));
    if !args.force {
        for p in [&key_path, &pub_path] {
            if p.exists() {
                bail!(
                    "{} already exists\nhint: --force to overwrite it, or --output-key-prefix for another name",
                    p.display()
                );
            }
        }
    }
    let pw = password(true)?;
    let (private, public) = keys::generate(pw.as_bytes(), ScryptCost::Standard)?;
    drop(pw);
    // Both files are written to temporary names first, then renamed: a
    // failure leaves neither half of a new pair behind.
    let tmp_key = temp_name(&key_path);
    let tmp_pub = temp_name(&pub_path);
    let written = write_new(&tmp_key, private.as_bytes(), 0o600)
        .and_then(|_| write_new(&tmp_pub, public.as_bytes(), 0o644))
        .and_then(|_| std::fs::rename(&tmp_key, &key_path))
        .and_then(|_| std::fs::rename(&tmp_pub, &pub_path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp_key);
        let _ = std::fs::remove_file(&tmp_pub);
        bail!("cannot write the key pair: {e}");
    }
    eprintln!("Private key written to {}", key_path.display());
    eprintln!("Public key written to {}", pub_path.display());
    Ok(0)
}

fn temp_name(p: &Path) -> PathBuf {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    p.with_file_name(format!(".{name}.mamori-tmp-{}", std::process::id()))
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

fn annotations(list: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    let mut m = BTreeMap::new();
    for a in list {
        match a.split_once('=') {
            Some((k, v)) if !k.is_empty() => {
                m.insert(k.to_string(), v.to_string());
            }
            _ => bail!("-a {a:?}: expected KEY=VALUE"),
        }
    }
    Ok(m)
}

fn store_options(r: &RegistryArgs) -> StoreOptions {
    StoreOptions {
        allow_insecure: r.allow_insecure_registry,
        ca_cert: r.registry_cacert.clone(),
        docker_config: r.docker_config.clone(),
    }
}

fn read_key_file(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read the key {}: {e}", path.display()))
}

fn sign(args: SignArgs) -> anyhow::Result<u8> {
    let target = Target::parse(&args.image)?;
    let annotations = annotations(&args.annotations)?;
    let text = read_key_file(&args.key)?;
    if let Target::Registry(r) = &target {
        if r.digest.is_none() {
            eprintln!(
                "WARNING: Image reference {} uses a tag, not a digest, to identify the image to sign.\n    This can lead you to sign a different image than the intended one. Please use a\n    digest (example.com/ubuntu@sha256:abc123...) rather than tag\n    (example.com/ubuntu:latest) for the input to cosign. The ability to refer to\n    images by tag will be removed in a future release.\n",
                args.image
            );
        }
    }
    let key = {
        let pw = password(false)?;
        PrivateKey::from_encrypted_pem(&text, &args.key.display().to_string(), pw.as_bytes())?
    };
    let mut store = mamori_image::open(&target, &store_options(&args.registry))?;
    let outcome = mamori_image::sign(store.as_mut(), &target, &key, &annotations)?;
    eprintln!("{NO_TLOG}");
    if outcome.added {
        eprintln!("Pushing signature to: {}", outcome.location);
    } else {
        eprintln!(
            "note: {} already carries this signature (same key, same payload); nothing pushed",
            outcome.location
        );
    }
    if args.format == TextOrJson::Json {
        let v = serde_json::json!({
            "image": target.name(),
            "digest": outcome.image.as_str(),
            "docker-reference": outcome.identity,
            "signature_tag": outcome.signature_tag,
            "location": outcome.location,
            "added": outcome.added,
            "signatures": outcome.signatures,
        });
        print(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
    }
    Ok(0)
}

fn verify(args: VerifyArgs) -> anyhow::Result<u8> {
    let target = Target::parse(&args.image)?;
    let wanted = annotations(&args.annotations)?;
    let key = PublicKey::from_pem(&read_key_file(&args.key)?, &args.key.display().to_string())?;
    let mut store = mamori_image::open(&target, &store_options(&args.registry))?;
    match mamori_image::verify(store.as_mut(), &key, &wanted)? {
        Ok(verified) => {
            let mut err = String::new();
            err.push_str(&format!("\nVerification for {} --\n", target.name()));
            err.push_str("The following checks were performed on each of these signatures:\n");
            if !wanted.is_empty() {
                err.push_str("  - The specified annotations were verified.\n");
            }
            err.push_str("  - The cosign claims were validated\n");
            err.push_str("  - The signatures were verified against the specified public key\n");
            eprint!("{err}");
            eprintln!("{NO_TLOG}");
            let out: Vec<serde_json::Value> = verified.payloads.iter().map(|p| p.to_output_value()).collect();
            print(&format!("{}\n", serde_json::to_string(&out)?))?;
            Ok(0)
        }
        Err(rejection) => {
            eprintln!("error: {}: {rejection}", target.name());
            Ok(1)
        }
    }
}
