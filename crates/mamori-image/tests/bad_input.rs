//! Bad input never panics: deterministic mutations of a key file, of a
//! signature manifest in a layout, and of image references each end in a
//! result, and every error names what it is about.

use mamori_image::layout::Layout;
use mamori_image::testkit::{build_tiny_image, TempDir};
use mamori_image::{keys, media, PrivateKey, PublicKey, Reference, ScryptCost, StoreOptions, Target};
use std::collections::BTreeMap;

/// xorshift64*: the same mutations on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    const BYTES: &[u8] = b"{}[]\":,=-A\n\x00";
    let mut v = input.to_vec();
    if v.is_empty() {
        v.push(BYTES[rng.below(BYTES.len())]);
        return v;
    }
    match rng.below(4) {
        0 => {
            let i = rng.below(v.len());
            v[i] ^= 1 << rng.below(8);
        }
        1 => v.truncate(rng.below(v.len())),
        2 => {
            let i = rng.below(v.len());
            v.insert(i, BYTES[rng.below(BYTES.len())]);
        }
        _ => {
            let i = rng.below(v.len());
            v.remove(i);
        }
    }
    v
}

#[test]
fn mutated_key_files_are_refused_or_read() {
    let (private, public) = keys::generate(b"pw", ScryptCost::Legacy).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Each mutation that still parses costs an scrypt run: keep the count small.
    for _ in 0..40 {
        let m = mutate(&mut rng, private.as_bytes());
        let text = String::from_utf8_lossy(&m);
        if let Err(e) = PrivateKey::from_encrypted_pem(&text, "mutated.key", b"pw") {
            assert!(e.to_string().starts_with("mutated.key"), "{e}");
        }
    }
    for _ in 0..300 {
        let m = mutate(&mut rng, public.as_bytes());
        if let Err(e) = PublicKey::from_pem(&String::from_utf8_lossy(&m), "mutated.pub") {
            assert!(e.to_string().starts_with("mutated.pub"), "{e}");
        }
    }
}

#[test]
fn mutated_signature_manifests_never_panic_verification() {
    let dir = TempDir::new("mamori-bad-input");
    let digest = build_tiny_image(dir.path(), "v1", "x");
    let t = Target::parse(&format!("oci:{}:v1", dir.path().display())).unwrap();
    let (private, public) = keys::generate(b"pw", ScryptCost::Legacy).unwrap();
    let sk = PrivateKey::from_encrypted_pem(&private, "k", b"pw").unwrap();
    let pk = PublicKey::from_pem(&public, "p").unwrap();
    let mut store = mamori_image::open(&t, &StoreOptions::default()).unwrap();
    mamori_image::sign(store.as_mut(), &t, &sk, &BTreeMap::new()).unwrap();
    let original = store.manifest(&digest.signature_tag()).unwrap().unwrap().bytes;
    let layout = Layout::open(dir.path(), None).unwrap();
    let mut rng = Rng(42);
    let mut outcomes = [0usize; 3];
    for _ in 0..300 {
        let m = mutate(&mut rng, &original);
        let d = layout.put_blob(&m).unwrap();
        layout
            .set_tag(&digest.signature_tag(), &d, m.len(), media::OCI_MANIFEST)
            .unwrap();
        let mut store = mamori_image::open(&t, &StoreOptions::default()).unwrap();
        match mamori_image::verify(store.as_mut(), &pk, &BTreeMap::new()) {
            Ok(Ok(v)) => {
                assert_eq!(v.image, digest);
                outcomes[0] += 1;
            }
            Ok(Err(rejection)) => {
                assert!(!rejection.to_string().is_empty());
                outcomes[1] += 1;
            }
            Err(e) => {
                assert!(!e.to_string().is_empty());
                outcomes[2] += 1;
            }
        }
    }
    // Most mutations break the manifest, some (whitespace-like) do not.
    assert!(outcomes[1] + outcomes[2] > 200, "{outcomes:?}");
}

#[test]
fn mutated_references_never_panic() {
    let mut rng = Rng(7);
    let seeds = [
        "localhost:5000/team/cs-app:v1@sha256:3150f6b3d07324ffa86b42334ef961da842732ebe4477652bf3e94b3a1122522",
        "oci:./dir:tag",
        "[::1]:5000/a/b:c",
    ];
    for seed in seeds {
        for _ in 0..500 {
            let m = mutate(&mut rng, seed.as_bytes());
            let s = String::from_utf8_lossy(&m);
            let _ = Target::parse(&s);
            if let Ok(r) = Reference::parse(&s) {
                // A parsed reference prints back to one that parses the same.
                assert_eq!(Reference::parse(&r.name()).unwrap(), r, "{s}");
            }
        }
    }
}
