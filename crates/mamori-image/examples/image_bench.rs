//! Sign-and-verify round trip against a real local registry.
//!
//! `cargo run --release -p mamori-image --example image_bench [-- ROUNDS]`
//!
//! Starts `docker-registry` on 127.0.0.1 (skips with a note when it is not
//! installed), pushes ROUNDS tiny images (default 50) with mamori's client,
//! then times, per image: sign (resolve the tag, look for a `.sig`
//! manifest, upload payload and config, push the manifest) and verify
//! (resolve, fetch the `.sig` manifest and the payload, check the
//! signature). The key is decrypted once, outside the loop (scrypt N=2^16
//! is timed on its own). The baseline, measured in the same run against
//! the same registry, is one `GET /v2/<repo>/manifests/<tag>` round trip,
//! and for signing also the registry's write path (one blob upload and one
//! manifest push): the report gives milliseconds and multiples of these.

use mamori_image::store::Store;
use mamori_image::testkit::LocalRegistry;
use mamori_image::{keys, media, PrivateKey, PublicKey, ScryptCost, StoreOptions, Target};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    // Killed when dropped, also when a round panics.
    let Some(registry) = LocalRegistry::start_registry_only() else {
        return;
    };
    run(&registry.addr, rounds);
}

fn open(image: &str) -> Box<dyn Store> {
    mamori_image::open(&Target::parse(image).expect("ref"), &StoreOptions::default()).expect("open")
}

fn run(addr: &str, rounds: usize) {
    let t = Instant::now();
    let (private, public) = keys::generate(b"bench", ScryptCost::Standard).expect("keygen");
    let keygen = t.elapsed();
    let t = Instant::now();
    let sk = PrivateKey::from_encrypted_pem(&private, "bench.key", b"bench").expect("key");
    let decrypt = t.elapsed();
    let pk = PublicKey::from_pem(&public, "bench.pub").expect("pub");

    // Push the images with mamori's own client (blobs, then the manifest).
    for i in 0..rounds {
        let image = format!("{addr}/bench:img{i}");
        let layer = format!("layer {i}").into_bytes();
        let config = serde_json::to_vec(&json!({"architecture": "amd64", "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [mamori_image::Digest::of(&layer).as_str()]}}))
        .expect("json");
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2, "mediaType": media::OCI_MANIFEST,
            "config": {"mediaType": media::OCI_CONFIG, "size": config.len(), "digest": mamori_image::Digest::of(&config).as_str()},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "size": layer.len(), "digest": mamori_image::Digest::of(&layer).as_str()}],
        }))
        .expect("json");
        open(&image)
            .publish(&format!("img{i}"), &[layer, config], &manifest, media::OCI_MANIFEST)
            .expect("push");
    }

    // Baseline: one manifest GET, same registry, same run.
    let mut base = Vec::new();
    for i in 0..rounds {
        let mut s = open(&format!("{addr}/bench:img{i}"));
        let t = Instant::now();
        s.resolve().expect("resolve");
        base.push(t.elapsed());
    }

    // Baseline 2: the registry's write path alone, one blob upload and one
    // manifest push of fresh content (sign does two uploads and one push).
    let mut write = Vec::new();
    for i in 0..rounds {
        let mut s = open(&format!("{addr}/bench-write:w{i}"));
        let blob = format!("write baseline {i}").into_bytes();
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2, "mediaType": media::OCI_MANIFEST,
            "config": {"mediaType": media::OCI_CONFIG, "size": blob.len(), "digest": mamori_image::Digest::of(&blob).as_str()},
            "layers": [],
        }))
        .expect("json");
        let t = Instant::now();
        s.publish(&format!("w{i}"), &[blob], &manifest, media::OCI_MANIFEST)
            .expect("publish");
        write.push(t.elapsed());
    }

    let mut sign_t = Vec::new();
    let mut verify_t = Vec::new();
    let mut total = Vec::new();
    for i in 0..rounds {
        let image = format!("{addr}/bench:img{i}");
        let target = Target::parse(&image).expect("ref");
        let t0 = Instant::now();
        let out = mamori_image::sign(open(&image).as_mut(), &target, &sk, &BTreeMap::new()).expect("sign");
        let t1 = Instant::now();
        let v = mamori_image::verify(open(&image).as_mut(), &pk, &BTreeMap::new())
            .expect("verify")
            .expect("verified");
        let t2 = Instant::now();
        assert!(out.added && v.payloads.len() == 1);
        sign_t.push(t1 - t0);
        verify_t.push(t2 - t1);
        total.push(t2 - t0);
    }
    // Where verification's time goes, request by request, on one image.
    let mut steps = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    for i in 0..rounds {
        let mut s = open(&format!("{addr}/bench:img{i}"));
        let t0 = Instant::now();
        let image = s.resolve().expect("resolve").digest;
        let t1 = Instant::now();
        let sig = s.manifest(&image.signature_tag()).expect("sig").expect("present");
        let t2 = Instant::now();
        let m: serde_json::Value = serde_json::from_slice(&sig.bytes).expect("json");
        let layer = mamori_image::Digest::parse(m["layers"][0]["digest"].as_str().expect("digest")).expect("digest");
        let payload = s.blob(&layer).expect("blob");
        let t3 = Instant::now();
        let b64 = m["layers"][0]["annotations"][media::SIGNATURE_ANNOTATION]
            .as_str()
            .expect("sig");
        use base64::Engine as _;
        let der = base64::engine::general_purpose::STANDARD.decode(b64).expect("b64");
        assert!(pk.verify(&payload, &der));
        let t4 = Instant::now();
        for (v, d) in steps.iter_mut().zip([t1 - t0, t2 - t1, t3 - t2, t4 - t3]) {
            v.push(d);
        }
    }
    let b = median(&mut base);
    let w = median(&mut write);
    let (s, v, r) = (median(&mut sign_t), median(&mut verify_t), median(&mut total));
    println!("rounds: {rounds} (each a different image, signed once and verified once)");
    println!(
        "key: generate {:.1} ms, decrypt {:.1} ms (scrypt N=2^16, once)",
        ms(keygen),
        ms(decrypt)
    );
    println!("baseline, one manifest GET: median {:.3} ms", ms(b));
    println!("baseline, one blob upload + one manifest push: median {:.3} ms", ms(w));
    println!(
        "sign:   median {:.3} ms ({:.1}x the GET, {:.2}x the write baseline)",
        ms(s),
        ratio(s, b),
        ratio(s, w)
    );
    println!("verify: median {:.3} ms ({:.1}x baseline)", ms(v), ratio(v, b));
    let [a, c, d, e] = &mut steps;
    println!(
        "verify steps: resolve {:.3} ms, .sig manifest {:.3} ms, payload blob {:.3} ms, ECDSA check {:.3} ms",
        ms(median(a)),
        ms(median(c)),
        ms(median(d)),
        ms(median(e))
    );
    println!("round trip: median {:.3} ms ({:.1}x baseline)", ms(r), ratio(r, b));
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}
