//! Signing and verification in OCI layouts on disk: the offline path, and
//! every verification outcome.

use mamori_image::layout::Layout;
use mamori_image::testkit::{build_tiny_image, TempDir};
use mamori_image::{keys, media, Digest, PrivateKey, PublicKey, Rejection, ScryptCost, Store, StoreOptions, Target};
use std::collections::BTreeMap;

fn key_pair() -> (PrivateKey, PublicKey) {
    let (private, public) = keys::generate(b"pw", ScryptCost::Legacy).unwrap();
    (
        PrivateKey::from_encrypted_pem(&private, "k", b"pw").unwrap(),
        PublicKey::from_pem(&public, "p").unwrap(),
    )
}

fn target(dir: &TempDir, tag: &str) -> Target {
    Target::parse(&format!("oci:{}:{tag}", dir.path().display())).unwrap()
}

fn open(t: &Target) -> Box<dyn Store> {
    mamori_image::open(t, &StoreOptions::default()).unwrap()
}

fn none() -> BTreeMap<String, String> {
    BTreeMap::new()
}

#[test]
fn sign_then_verify_offline() {
    let dir = TempDir::new("mamori-layout");
    let digest = build_tiny_image(dir.path(), "v1", "one");
    let (sk, pk) = key_pair();
    let t = target(&dir, "v1");
    let out = mamori_image::sign(open(&t).as_mut(), &t, &sk, &none()).unwrap();
    assert_eq!(out.image, digest);
    assert_eq!(out.signature_tag, format!("sha256-{}.sig", digest.hex()));
    assert!(out.added);
    let v = mamori_image::verify(open(&t).as_mut(), &pk, &none()).unwrap().unwrap();
    assert_eq!(v.image, digest);
    assert_eq!(v.payloads.len(), 1);
    assert_eq!(v.payloads[0].critical.image.docker_manifest_digest, digest.as_str());
    // The signature manifest has cosign's shape.
    let m = open(&t).manifest(&out.signature_tag).unwrap().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&m.bytes).unwrap();
    assert_eq!(json["mediaType"], media::OCI_MANIFEST);
    assert_eq!(json["config"]["mediaType"], media::OCI_CONFIG);
    assert_eq!(json["layers"][0]["mediaType"], media::SIMPLE_SIGNING);
    assert!(json["layers"][0]["annotations"][media::SIGNATURE_ANNOTATION].is_string());
}

#[test]
fn unsigned_image_and_wrong_key() {
    let dir = TempDir::new("mamori-layout");
    let digest = build_tiny_image(dir.path(), "v1", "one");
    let t = target(&dir, "v1");
    let (sk, pk) = key_pair();
    let r = mamori_image::verify(open(&t).as_mut(), &pk, &none())
        .unwrap()
        .unwrap_err();
    assert_eq!(
        r,
        Rejection::NoSignatures {
            image: digest.clone(),
            tag: digest.signature_tag(),
            referrers: false
        }
    );
    assert!(r.to_string().starts_with("no signatures found"));
    mamori_image::sign(open(&t).as_mut(), &t, &sk, &none()).unwrap();
    let (_, other) = key_pair();
    let r = mamori_image::verify(open(&t).as_mut(), &other, &none())
        .unwrap()
        .unwrap_err();
    assert_eq!(r, Rejection::KeyMismatch { checked: 1 });
    assert!(r.to_string().starts_with("signature does not match the key"));
}

#[test]
fn two_signatures_append_and_the_same_one_is_not_added_twice() {
    let dir = TempDir::new("mamori-layout");
    build_tiny_image(dir.path(), "v1", "one");
    let t = target(&dir, "v1");
    let (a, pa) = key_pair();
    let (b, pb) = key_pair();
    assert_eq!(
        mamori_image::sign(open(&t).as_mut(), &t, &a, &none())
            .unwrap()
            .signatures,
        1
    );
    let second = mamori_image::sign(open(&t).as_mut(), &t, &b, &none()).unwrap();
    assert_eq!((second.added, second.signatures), (true, 2));
    let again = mamori_image::sign(open(&t).as_mut(), &t, &a, &none()).unwrap();
    assert_eq!((again.added, again.signatures), (false, 2));
    for pk in [&pa, &pb] {
        let v = mamori_image::verify(open(&t).as_mut(), pk, &none()).unwrap().unwrap();
        assert_eq!(v.payloads.len(), 1);
    }
}

#[test]
fn annotations_are_signed_and_checked() {
    let dir = TempDir::new("mamori-layout");
    build_tiny_image(dir.path(), "v1", "one");
    let t = target(&dir, "v1");
    let (sk, pk) = key_pair();
    let ann = BTreeMap::from([("env".to_string(), "prod".to_string())]);
    mamori_image::sign(open(&t).as_mut(), &t, &sk, &ann).unwrap();
    let v = mamori_image::verify(open(&t).as_mut(), &pk, &ann).unwrap().unwrap();
    assert_eq!(v.payloads[0].optional.as_ref().unwrap()["env"], "prod");
    let other = BTreeMap::from([("env".to_string(), "dev".to_string())]);
    let r = mamori_image::verify(open(&t).as_mut(), &pk, &other)
        .unwrap()
        .unwrap_err();
    assert_eq!(
        r,
        Rejection::Annotations {
            missing: vec!["env=dev".into()]
        }
    );
}

#[test]
fn a_signature_copied_from_another_image_is_rejected() {
    let dir = TempDir::new("mamori-layout");
    let a = build_tiny_image(dir.path(), "a", "first");
    let b = build_tiny_image(dir.path(), "b", "second");
    let (sk, pk) = key_pair();
    let ta = target(&dir, "a");
    mamori_image::sign(open(&ta).as_mut(), &ta, &sk, &none()).unwrap();
    // Point b's signature tag at a's signature manifest.
    let sig = open(&ta).manifest(&a.signature_tag()).unwrap().unwrap();
    let layout = Layout::open(dir.path(), None).unwrap();
    layout
        .set_tag(&b.signature_tag(), &sig.digest, sig.bytes.len(), media::OCI_MANIFEST)
        .unwrap();
    let tb = target(&dir, "b");
    let r = mamori_image::verify(open(&tb).as_mut(), &pk, &none())
        .unwrap()
        .unwrap_err();
    assert_eq!(
        r,
        Rejection::DigestMismatch {
            image: b.clone(),
            signed: vec![a.to_string()]
        }
    );
    assert!(r.to_string().starts_with("payload digest is not this image's digest"));
}

#[test]
fn tampered_and_malformed_signature_manifests() {
    let dir = TempDir::new("mamori-layout");
    let digest = build_tiny_image(dir.path(), "v1", "one");
    let t = target(&dir, "v1");
    let (sk, pk) = key_pair();
    mamori_image::sign(open(&t).as_mut(), &t, &sk, &none()).unwrap();
    let sig = open(&t).manifest(&digest.signature_tag()).unwrap().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&sig.bytes).unwrap();
    let payload = Digest::parse(json["layers"][0]["digest"].as_str().unwrap()).unwrap();
    let blob = dir.path().join("blobs/sha256").join(payload.hex());
    let original = std::fs::read(&blob).unwrap();
    // A payload blob that is not what the manifest claims.
    std::fs::write(&blob, b"{}").unwrap();
    let r = mamori_image::verify(open(&t).as_mut(), &pk, &none())
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&r, Rejection::Malformed { why, .. } if why.contains("does not have the digest")),
        "{r}"
    );
    std::fs::write(&blob, original).unwrap();
    // A signature manifest that is not a manifest: verification says so, and
    // signing refuses to replace it and leaves the layout as it was.
    let layout = Layout::open(dir.path(), None).unwrap();
    let junk = layout.put_blob(b"[1,2,3]").unwrap();
    layout
        .set_tag(&digest.signature_tag(), &junk, 7, media::OCI_MANIFEST)
        .unwrap();
    let r = mamori_image::verify(open(&t).as_mut(), &pk, &none())
        .unwrap()
        .unwrap_err();
    assert!(matches!(&r, Rejection::Malformed { .. }), "{r}");
    assert!(r.to_string().starts_with("malformed signature manifest"), "{r}");
    let index_before = std::fs::read(dir.path().join("index.json")).unwrap();
    let e = mamori_image::sign(open(&t).as_mut(), &t, &sk, &none()).unwrap_err();
    assert!(e.to_string().contains("refusing to replace it"), "{e}");
    assert_eq!(std::fs::read(dir.path().join("index.json")).unwrap(), index_before);
}

#[test]
fn layouts_that_are_not_layouts() {
    let dir = TempDir::new("mamori-layout");
    let t = target(&dir, "v1");
    let e = mamori_image::open(&t, &StoreOptions::default()).err().unwrap();
    assert!(e.to_string().contains("not an OCI image layout"), "{e}");
    build_tiny_image(dir.path(), "v1", "one");
    build_tiny_image(dir.path(), "v2", "two");
    let untagged = Target::parse(&format!("oci:{}", dir.path().display())).unwrap();
    let e = open(&untagged).resolve().unwrap_err();
    assert!(e.to_string().contains("holds 2 images"), "{e}");
    let e = open(&target(&dir, "v3")).resolve().unwrap_err();
    assert!(e.to_string().contains("no image tagged \"v3\""), "{e}");
}

#[test]
fn sigstore_bundles_in_referrers_are_pointed_out() {
    let dir = TempDir::new("mamori-layout");
    let digest = build_tiny_image(dir.path(), "v1", "one");
    // What cosign v3 leaves under the referrers fallback tag: an OCI index.
    let layout = Layout::open(dir.path(), None).unwrap();
    let index = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
    let d = layout.put_blob(index).unwrap();
    layout
        .set_tag(&format!("sha256-{}", digest.hex()), &d, index.len(), media::OCI_INDEX)
        .unwrap();
    let t = target(&dir, "v1");
    let (_, pk) = key_pair();
    let r = mamori_image::verify(open(&t).as_mut(), &pk, &none())
        .unwrap()
        .unwrap_err();
    assert!(matches!(r, Rejection::NoSignatures { referrers: true, .. }), "{r:?}");
    assert!(r
        .to_string()
        .contains("Sigstore bundles, cosign v3's default, which mamori does not read yet"));
}
