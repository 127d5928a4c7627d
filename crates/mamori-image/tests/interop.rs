//! Interoperability with independent implementations:
//!
//! * sigstore-rs (the `sigstore` crate, default features off: its `crypto`
//!   module; the `cosign` module needs `oci-client`, tokio and TLS stacks,
//!   too heavy for this machine, so the registry side is checked with
//!   skopeo and openssl instead, in `crates/mamori/tests/image.rs`). It
//!   reads mamori's encrypted keys and mamori reads its keys; each verifies
//!   the other's signatures over a simple-signing payload.
//! * the openssl command line, when installed: it verifies mamori's
//!   signature of a payload with mamori's `cosign.pub`.

use mamori_image::layout::Layout;
use mamori_image::payload::Payload;
use mamori_image::testkit::{build_tiny_image, TempDir};
use mamori_image::{keys, media, Digest, PrivateKey, PublicKey, ScryptCost, StoreOptions, Target};
use sigstore::crypto::signing_key::SigStoreKeyPair;
use sigstore::crypto::{CosignVerificationKey, Signature, SigningScheme};
use std::collections::BTreeMap;

const SCHEME: SigningScheme = SigningScheme::ECDSA_P256_SHA256_ASN1;

fn payload_for(digest: &Digest) -> Vec<u8> {
    Payload::new("localhost:5000/cs-app", digest, &BTreeMap::new()).to_bytes()
}

#[test]
fn sigstore_reads_mamoris_keys_and_verifies_its_signatures() {
    let payload = payload_for(&Digest::of(b"image"));
    for cost in [ScryptCost::Legacy, ScryptCost::Standard] {
        let (private, public) = keys::generate(b"pw", cost).unwrap();
        let theirs = SigStoreKeyPair::from_encrypted_pem(private.as_bytes(), b"pw")
            .unwrap_or_else(|e| panic!("sigstore-rs cannot read mamori's {cost:?} key: {e}"));
        assert_eq!(theirs.public_key_to_pem().unwrap(), public);
        let ours = PrivateKey::from_encrypted_pem(&private, "cosign.key", b"pw").unwrap();
        let sig = ours.sign(&payload);
        let verifier = CosignVerificationKey::from_pem(public.as_bytes(), &SCHEME).unwrap();
        verifier.verify_signature(Signature::Raw(&sig), &payload).unwrap();
        assert!(verifier.verify_signature(Signature::Raw(&sig), b"other").is_err());
    }
    // 2^17 is valid for cosign and mamori, and beyond sigstore-rs 0.13.
    let (private, _) = keys::generate(b"pw", ScryptCost::Owasp).unwrap();
    assert!(SigStoreKeyPair::from_encrypted_pem(private.as_bytes(), b"pw").is_err());
}

#[test]
fn mamori_reads_sigstores_keys_and_verifies_its_signatures() {
    let payload = payload_for(&Digest::of(b"image"));
    let signer = SCHEME.create_signer().unwrap();
    let pair = signer.to_sigstore_keypair().unwrap();
    let private = pair.private_key_to_encrypted_pem(b"their password").unwrap();
    let public = pair.public_key_to_pem().unwrap();
    let ours = PrivateKey::from_encrypted_pem(&private, "sigstore.key", b"their password").unwrap();
    let pk = PublicKey::from_pem(&public, "sigstore.pub").unwrap();
    assert_eq!(ours.public_key(), pk);
    let sig = signer.sign(&payload).unwrap();
    assert!(pk.verify(&payload, &sig));
    assert!(!pk.verify(b"other", &sig));
    assert!(PrivateKey::from_encrypted_pem(&private, "sigstore.key", b"wrong").is_err());
}

/// A signature made by sigstore-rs, stored by hand in cosign's layout,
/// verifies with `mamori_image::verify`; and mamori's signature in a layout
/// verifies with sigstore-rs over the stored blob.
#[test]
fn signatures_in_a_layout_cross_verify() {
    let dir = TempDir::new("mamori-interop");
    let digest = build_tiny_image(dir.path(), "v1", "interop");
    let t = Target::parse(&format!("oci:{}:v1", dir.path().display())).unwrap();
    let signer = SCHEME.create_signer().unwrap();
    let public = signer.to_sigstore_keypair().unwrap().public_key_to_pem().unwrap();
    let payload = payload_for(&digest);
    let sig = signer.sign(&payload).unwrap();
    let layout = Layout::open(dir.path(), None).unwrap();
    let p = layout.put_blob(&payload).unwrap();
    let config = layout.put_blob(b"{}").unwrap();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": media::OCI_MANIFEST,
        "config": {"mediaType": media::OCI_CONFIG, "size": 2, "digest": config.as_str()},
        "layers": [{"mediaType": media::SIMPLE_SIGNING, "size": payload.len(), "digest": p.as_str(),
            "annotations": {media::SIGNATURE_ANNOTATION: base64_encode(&sig)}}],
    }))
    .unwrap();
    let m = layout.put_blob(&manifest).unwrap();
    layout
        .set_tag(&digest.signature_tag(), &m, manifest.len(), media::OCI_MANIFEST)
        .unwrap();
    let pk = PublicKey::from_pem(&public, "sigstore.pub").unwrap();
    let mut store = mamori_image::open(&t, &StoreOptions::default()).unwrap();
    let v = mamori_image::verify(store.as_mut(), &pk, &BTreeMap::new())
        .unwrap()
        .unwrap();
    assert_eq!(v.payloads.len(), 1);

    // The other way: mamori signs (appending a layer), sigstore-rs checks
    // the new layer's stored blob and annotation.
    let (private, mamori_public) = keys::generate(b"pw", ScryptCost::Standard).unwrap();
    let sk = PrivateKey::from_encrypted_pem(&private, "k", b"pw").unwrap();
    let out = mamori_image::sign(store.as_mut(), &t, &sk, &BTreeMap::new()).unwrap();
    assert_eq!(out.signatures, 2);
    let sig_manifest = store.manifest(&digest.signature_tag()).unwrap().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&sig_manifest.bytes).unwrap();
    let layer = &json["layers"][1];
    let blob = store
        .blob(&Digest::parse(layer["digest"].as_str().unwrap()).unwrap())
        .unwrap();
    let b64 = layer["annotations"][media::SIGNATURE_ANNOTATION].as_str().unwrap();
    CosignVerificationKey::from_pem(mamori_public.as_bytes(), &SCHEME)
        .unwrap()
        .verify_signature(Signature::Base64Encoded(b64.as_bytes()), &blob)
        .unwrap();
    let stored: serde_json::Value = serde_json::from_slice(&blob).unwrap();
    assert_eq!(stored["critical"]["image"]["docker-manifest-digest"], digest.as_str());
}

#[test]
fn openssl_verifies_mamoris_signature() {
    let ok = std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: openssl not installed; skipping the openssl cross-check");
        return;
    }
    let dir = TempDir::new("mamori-openssl");
    let (private, public) = keys::generate(b"", ScryptCost::Standard).unwrap();
    let sk = PrivateKey::from_encrypted_pem(&private, "k", b"").unwrap();
    let payload = payload_for(&Digest::of(b"x"));
    std::fs::write(dir.path().join("cosign.pub"), &public).unwrap();
    std::fs::write(dir.path().join("payload"), &payload).unwrap();
    std::fs::write(dir.path().join("sig.der"), sk.sign(&payload)).unwrap();
    let out = std::process::Command::new("openssl")
        .args([
            "dgst",
            "-sha256",
            "-verify",
            "cosign.pub",
            "-signature",
            "sig.der",
            "payload",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Verified OK");
    // And openssl's own signature verifies with mamori.
    std::fs::write(dir.path().join("k.pem"), gen_openssl_key(dir.path())).unwrap();
    let sig = std::process::Command::new("openssl")
        .args(["dgst", "-sha256", "-sign", "k.pem", "payload"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(sig.status.success());
    let pubout = std::process::Command::new("openssl")
        .args(["pkey", "-in", "k.pem", "-pubout"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let pk = PublicKey::from_pem(&String::from_utf8_lossy(&pubout.stdout), "openssl.pub").unwrap();
    assert!(pk.verify(&payload, &sig.stdout));
}

fn gen_openssl_key(dir: &std::path::Path) -> Vec<u8> {
    let out = std::process::Command::new("openssl")
        .args(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// A key written by the Go cosign CLI itself (see tests/data/README.md).
#[test]
fn a_key_generated_by_cosign_reads() {
    let text = include_str!("data/cosign-generated-empty-password.key");
    let body = mamori_image::pem::parse(text, "cosign.key").unwrap().body;
    let env: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(env["kdf"]["params"], serde_json::json!({"N": 65536, "r": 8, "p": 1}));
    let key = PrivateKey::from_encrypted_pem(text, "cosign.key", b"").unwrap();
    let payload = payload_for(&Digest::of(b"image"));
    let sig = key.sign(&payload);
    // sigstore-rs agrees on the public key and the signature.
    let theirs = SigStoreKeyPair::from_encrypted_pem(text.as_bytes(), b"").unwrap();
    let public = theirs.public_key_to_pem().unwrap();
    assert_eq!(PublicKey::from_pem(&public, "cosign.pub").unwrap(), key.public_key());
    CosignVerificationKey::from_pem(public.as_bytes(), &SCHEME)
        .unwrap()
        .verify_signature(Signature::Raw(&sig), &payload)
        .unwrap();
    let e = PrivateKey::from_encrypted_pem(text, "cosign.key", b"x").unwrap_err();
    assert!(e.to_string().contains("wrong password"), "{e}");
}
