//! cosign key pairs: ECDSA P-256, the private key sealed with scrypt and
//! NaCl secretbox (see the crate documentation for the exact format).

use crate::pem;
use crate::{Error, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The PEM type cosign writes for private keys.
pub const SIGSTORE_PRIVATE_KEY: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// The PEM type older cosign releases wrote; still read.
pub const COSIGN_PRIVATE_KEY: &str = "ENCRYPTED COSIGN PRIVATE KEY";
/// The PEM type of a public key (SubjectPublicKeyInfo).
pub const PUBLIC_KEY: &str = "PUBLIC KEY";

const SALT_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const KEY_LEN: usize = 32;

/// scrypt cost for a new key. Reading accepts all three, nothing else
/// (go-securesystemslib's accepted set; r = 8, p = 1 always).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScryptCost {
    /// N = 2^15: what cosign 1.x and sigstore-rs write.
    Legacy,
    /// N = 2^16: go-securesystemslib's default today; mamori's default.
    Standard,
    /// N = 2^17: OWASP's recommendation.
    Owasp,
}

impl ScryptCost {
    fn log_n(self) -> u8 {
        match self {
            ScryptCost::Legacy => 15,
            ScryptCost::Standard => 16,
            ScryptCost::Owasp => 17,
        }
    }

    fn from_params(n: u64, r: u64, p: u64) -> Option<ScryptCost> {
        match (n, r, p) {
            (32768, 8, 1) => Some(ScryptCost::Legacy),
            (65536, 8, 1) => Some(ScryptCost::Standard),
            (131072, 8, 1) => Some(ScryptCost::Owasp),
            _ => None,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    name: String,
    params: KdfParams,
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct KdfParams {
    #[serde(rename = "N")]
    n: u64,
    r: u64,
    p: u64,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    nonce: String,
}

/// A P-256 signing key. Its scalar is zeroized when dropped.
pub struct PrivateKey {
    key: SigningKey,
}

/// A P-256 verification key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(..)")
    }
}

/// A new key pair: the encrypted private key PEM and the public key PEM.
pub fn generate(password: &[u8], cost: ScryptCost) -> Result<(String, String)> {
    let key = PrivateKey {
        key: SigningKey::random(&mut OsRng),
    };
    Ok((key.to_encrypted_pem(password, cost)?, key.public_key().to_pem()))
}

impl PrivateKey {
    /// Read an encrypted private key. `source` names the file in messages.
    pub fn from_encrypted_pem(text: &str, source: &str, password: &[u8]) -> Result<PrivateKey> {
        let block = pem::parse(text, source).map_err(Error::Key)?;
        if block.label != SIGSTORE_PRIVATE_KEY && block.label != COSIGN_PRIVATE_KEY {
            return Err(Error::Key(unsupported_private_type(source, &block)));
        }
        let der = open_envelope(&block.body, source, password)?;
        let key = SigningKey::from_pkcs8_der(&der).map_err(|_| {
            Error::Key(format!(
                "{source}: the decrypted key is not an ECDSA P-256 key ({})\nhint: mamori signs with ECDSA P-256 keys only (cosign generate-key-pair's default)",
                describe_private_algorithm(&der)
            ))
        })?;
        Ok(PrivateKey { key })
    }

    /// The encrypted PEM (`ENCRYPTED SIGSTORE PRIVATE KEY`).
    pub fn to_encrypted_pem(&self, password: &[u8], cost: ScryptCost) -> Result<String> {
        let der = self
            .key
            .to_pkcs8_der()
            .map_err(|e| Error::Key(format!("cannot encode the private key as PKCS#8: {e}")))?;
        let mut salt = [0u8; SALT_LEN];
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut salt);
        OsRng.fill_bytes(&mut nonce);
        let box_key = derive(password, &salt, cost)?;
        let ciphertext = XSalsa20Poly1305::new(Key::from_slice(&box_key[..]))
            .encrypt(Nonce::from_slice(&nonce), der.as_bytes())
            .map_err(|_| Error::Key("cannot encrypt the private key".into()))?;
        let envelope = Envelope {
            kdf: Kdf {
                name: "scrypt".into(),
                params: KdfParams {
                    n: 1u64 << cost.log_n(),
                    r: 8,
                    p: 1,
                },
                salt: STANDARD.encode(salt),
            },
            cipher: Cipher {
                name: "nacl/secretbox".into(),
                nonce: STANDARD.encode(nonce),
            },
            ciphertext: STANDARD.encode(ciphertext),
        };
        let json = serde_json::to_vec(&envelope).map_err(|e| Error::Key(e.to_string()))?;
        Ok(pem::encode(SIGSTORE_PRIVATE_KEY, &json))
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            key: *self.key.verifying_key(),
        }
    }

    /// ECDSA P-256 over SHA-256(message), DER-encoded (deterministic, RFC 6979).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let sig: Signature = self.key.sign(message);
        sig.to_der().as_bytes().to_vec()
    }
}

impl PublicKey {
    /// Read a `PUBLIC KEY` PEM. `source` names the file in messages.
    pub fn from_pem(text: &str, source: &str) -> Result<PublicKey> {
        let block = pem::parse(text, source).map_err(Error::Key)?;
        if block.label != PUBLIC_KEY {
            let hint = if block.label.contains("PRIVATE") {
                "\nhint: verification needs the public key (cosign.pub), not the private key"
            } else {
                ""
            };
            return Err(Error::Key(format!(
                "{source}:{}: unsupported PEM type {:?}; expected \"PUBLIC KEY\"{hint}",
                block.line, block.label
            )));
        }
        let key = VerifyingKey::from_public_key_der(&block.body).map_err(|_| {
            Error::Key(format!(
                "{source}:{}: the public key is not an ECDSA P-256 key ({})",
                block.line,
                describe_public_algorithm(&block.body)
            ))
        })?;
        Ok(PublicKey { key })
    }

    /// The `PUBLIC KEY` PEM (SubjectPublicKeyInfo).
    pub fn to_pem(&self) -> String {
        let der = self
            .key
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_default();
        pem::encode(PUBLIC_KEY, &der)
    }

    /// Whether `signature` (DER) is a valid signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match Signature::from_der(signature) {
            Ok(sig) => self.key.verify(message, &sig).is_ok(),
            Err(_) => false,
        }
    }
}

fn unsupported_private_type(source: &str, block: &pem::Block) -> String {
    let hint = match block.label.as_str() {
        "PUBLIC KEY" => "signing needs the private key (cosign.key), not the public key".to_string(),
        "EC PRIVATE KEY" | "PRIVATE KEY" | "RSA PRIVATE KEY" => {
            "an unencrypted key can be converted with `cosign import-key-pair --key FILE`".to_string()
        }
        _ => format!("expected {SIGSTORE_PRIVATE_KEY:?} (or the older {COSIGN_PRIVATE_KEY:?})"),
    };
    format!(
        "{source}:{}: unsupported PEM type {:?}\nhint: {hint}",
        block.line, block.label
    )
}

/// Decrypt the secretbox envelope: the PKCS#8 DER, zeroized when dropped.
fn open_envelope(body: &[u8], source: &str, password: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let env: Envelope = serde_json::from_slice(body).map_err(|e| {
        Error::Key(format!(
            "{source}: the encrypted key body is not cosign's JSON ({e})\nhint: the file may be truncated or edited"
        ))
    })?;
    if env.kdf.name != "scrypt" {
        return Err(Error::Key(format!(
            "{source}: kdf.name is {:?}; only \"scrypt\" is supported",
            env.kdf.name
        )));
    }
    let KdfParams { n, r, p } = env.kdf.params;
    let cost = ScryptCost::from_params(n, r, p).ok_or_else(|| {
        Error::Key(format!(
            "{source}: kdf.params N={n}, r={r}, p={p} are not accepted\nhint: accepted: N = 32768, 65536 or 131072 with r = 8 and p = 1 (larger values could make reading a key exhaust memory)"
        ))
    })?;
    if env.cipher.name != "nacl/secretbox" {
        return Err(Error::Key(format!(
            "{source}: cipher.name is {:?}; only \"nacl/secretbox\" is supported",
            env.cipher.name
        )));
    }
    let field = |name: &str, value: &str| {
        STANDARD
            .decode(value)
            .map_err(|_| Error::Key(format!("{source}: {name} is not valid base64")))
    };
    let salt = field("kdf.salt", &env.kdf.salt)?;
    let nonce = field("cipher.nonce", &env.cipher.nonce)?;
    let ciphertext = field("ciphertext", &env.ciphertext)?;
    if nonce.len() != NONCE_LEN {
        return Err(Error::Key(format!(
            "{source}: cipher.nonce is {} bytes; secretbox needs {NONCE_LEN}",
            nonce.len()
        )));
    }
    let box_key = derive(password, &salt, cost)?;
    let plain = XSalsa20Poly1305::new(Key::from_slice(&box_key[..]))
        .decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice())
        .map_err(|_| {
            Error::Key(format!(
                "{source}: cannot decrypt the private key: wrong password, or the key file was altered"
            ))
        })?;
    Ok(Zeroizing::new(plain))
}

fn derive(password: &[u8], salt: &[u8], cost: ScryptCost) -> Result<Zeroizing<[u8; KEY_LEN]>> {
    let params =
        scrypt::Params::new(cost.log_n(), 8, 1, KEY_LEN).map_err(|e| Error::Key(format!("scrypt parameters: {e}")))?;
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    scrypt::scrypt(password, salt, &params, &mut out[..]).map_err(|e| Error::Key(format!("scrypt: {e}")))?;
    Ok(out)
}

fn oid_name(oid: &str) -> &str {
    match oid {
        "1.2.840.10045.2.1" => "ECDSA",
        "1.2.840.113549.1.1.1" => "RSA",
        "1.3.101.112" => "Ed25519",
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        "1.3.132.0.10" => "secp256k1",
        other => other,
    }
}

fn describe_algorithm(alg: &p256::pkcs8::AlgorithmIdentifierRef<'_>) -> String {
    let name = oid_name(&alg.oid.to_string()).to_string();
    match alg.parameters_oid() {
        Ok(curve) => format!("{name} on {}", oid_name(&curve.to_string())),
        Err(_) => name,
    }
}

fn describe_private_algorithm(der: &[u8]) -> String {
    match p256::pkcs8::PrivateKeyInfo::try_from(der) {
        Ok(info) => format!("it is {}", describe_algorithm(&info.algorithm)),
        Err(_) => "not valid PKCS#8".into(),
    }
}

fn describe_public_algorithm(der: &[u8]) -> String {
    match p256::pkcs8::spki::SubjectPublicKeyInfoRef::try_from(der) {
        Ok(info) => format!("it is {}", describe_algorithm(&info.algorithm)),
        Err(_) => "not a valid SubjectPublicKeyInfo".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope_of(pem_text: &str) -> serde_json::Value {
        serde_json::from_slice(&pem::parse(pem_text, "k").unwrap().body).unwrap()
    }

    fn reseal(value: &serde_json::Value, label: &str) -> String {
        pem::encode(label, &serde_json::to_vec(value).unwrap())
    }

    #[test]
    fn generated_key_has_cosigns_layout_and_reads_back() {
        let (private, public) = generate(b"pw", ScryptCost::Standard).unwrap();
        assert!(private.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        let env = envelope_of(&private);
        let keys: Vec<&str> = env.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, ["kdf", "cipher", "ciphertext"]);
        assert_eq!(env["kdf"]["name"], "scrypt");
        assert_eq!(env["kdf"]["params"], serde_json::json!({"N": 65536, "r": 8, "p": 1}));
        assert_eq!(env["cipher"]["name"], "nacl/secretbox");
        assert_eq!(STANDARD.decode(env["kdf"]["salt"].as_str().unwrap()).unwrap().len(), 32);
        assert_eq!(
            STANDARD.decode(env["cipher"]["nonce"].as_str().unwrap()).unwrap().len(),
            24
        );
        let key = PrivateKey::from_encrypted_pem(&private, "cosign.key", b"pw").unwrap();
        assert_eq!(key.public_key(), PublicKey::from_pem(&public, "cosign.pub").unwrap());
        let sig = key.sign(b"payload");
        assert!(key.public_key().verify(b"payload", &sig));
        assert!(!key.public_key().verify(b"payload!", &sig));
    }

    #[test]
    fn older_pem_type_and_every_accepted_cost_read() {
        for cost in [ScryptCost::Legacy, ScryptCost::Owasp] {
            let (private, _) = generate(b"", cost).unwrap();
            let old = private.replace(SIGSTORE_PRIVATE_KEY, COSIGN_PRIVATE_KEY);
            PrivateKey::from_encrypted_pem(&old, "old.key", b"").unwrap();
        }
    }

    #[test]
    fn wrong_password_is_said_without_the_password() {
        let (private, _) = generate(b"right", ScryptCost::Legacy).unwrap();
        let e = PrivateKey::from_encrypted_pem(&private, "cosign.key", b"wrong-secret").unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("cosign.key: cannot decrypt the private key: wrong password"),
            "{m}"
        );
        assert!(!m.contains("wrong-secret"));
    }

    #[test]
    fn scrypt_parameters_outside_the_accepted_set_are_refused() {
        let (private, _) = generate(b"pw", ScryptCost::Legacy).unwrap();
        for (n, r, p) in [
            (1u64 << 20, 8, 1),
            (16384, 8, 1),
            (32768, 16, 1),
            (32768, 8, 2),
            (0, 0, 0),
        ] {
            let mut env = envelope_of(&private);
            env["kdf"]["params"] = serde_json::json!({"N": n, "r": r, "p": p});
            let e = PrivateKey::from_encrypted_pem(&reseal(&env, SIGSTORE_PRIVATE_KEY), "k", b"pw").unwrap_err();
            assert!(
                e.to_string().contains(&format!("N={n}, r={r}, p={p} are not accepted")),
                "{e}"
            );
        }
    }

    #[test]
    fn tampered_truncated_and_foreign_files_are_refused() {
        let (private, public) = generate(b"pw", ScryptCost::Legacy).unwrap();
        // One flipped ciphertext byte: the secretbox tag fails.
        let mut env = envelope_of(&private);
        let mut ct = STANDARD.decode(env["ciphertext"].as_str().unwrap()).unwrap();
        ct[40] ^= 1;
        env["ciphertext"] = STANDARD.encode(ct).into();
        let e = PrivateKey::from_encrypted_pem(&reseal(&env, SIGSTORE_PRIVATE_KEY), "k", b"pw").unwrap_err();
        assert!(
            e.to_string().contains("wrong password, or the key file was altered"),
            "{e}"
        );
        // A short nonce would panic in the cipher if not checked.
        let mut env = envelope_of(&private);
        env["cipher"]["nonce"] = STANDARD.encode([0u8; 8]).into();
        let e = PrivateKey::from_encrypted_pem(&reseal(&env, SIGSTORE_PRIVATE_KEY), "k", b"pw").unwrap_err();
        assert!(e.to_string().contains("cipher.nonce is 8 bytes"), "{e}");
        let mut env = envelope_of(&private);
        env["cipher"]["name"] = "aes-gcm".into();
        assert!(
            PrivateKey::from_encrypted_pem(&reseal(&env, SIGSTORE_PRIVATE_KEY), "k", b"pw")
                .unwrap_err()
                .to_string()
                .contains("only \"nacl/secretbox\"")
        );
        let e = PrivateKey::from_encrypted_pem(&private[..private.len() / 2], "k", b"pw").unwrap_err();
        assert!(e.to_string().contains("looks truncated"), "{e}");
        let e = PrivateKey::from_encrypted_pem(&public, "cosign.pub", b"pw").unwrap_err();
        assert!(e.to_string().contains("unsupported PEM type \"PUBLIC KEY\""), "{e}");
        let e = PublicKey::from_pem(&private, "cosign.key").unwrap_err();
        assert!(e.to_string().contains("not the private key"), "{e}");
        let garbage = pem::encode(SIGSTORE_PRIVATE_KEY, b"{not json");
        assert!(PrivateKey::from_encrypted_pem(&garbage, "k", b"pw")
            .unwrap_err()
            .to_string()
            .contains("not cosign's JSON"));
    }

    #[test]
    fn a_sealed_key_of_another_algorithm_is_named() {
        // PKCS#8 of an Ed25519 key (RFC 8410 example), sealed like a cosign key.
        let ed25519 = STANDARD
            .decode("MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC")
            .unwrap();
        let salt = [7u8; 32];
        let nonce = [9u8; 24];
        let k = derive(b"pw", &salt, ScryptCost::Legacy).unwrap();
        let ct = XSalsa20Poly1305::new(Key::from_slice(&k[..]))
            .encrypt(Nonce::from_slice(&nonce), ed25519.as_slice())
            .unwrap();
        let env = serde_json::json!({
            "kdf": {"name": "scrypt", "params": {"N": 32768, "r": 8, "p": 1}, "salt": STANDARD.encode(salt)},
            "cipher": {"name": "nacl/secretbox", "nonce": STANDARD.encode(nonce)},
            "ciphertext": STANDARD.encode(ct),
        });
        let e = PrivateKey::from_encrypted_pem(&reseal(&env, SIGSTORE_PRIVATE_KEY), "ed.key", b"pw").unwrap_err();
        assert!(e.to_string().contains("not an ECDSA P-256 key (it is Ed25519)"), "{e}");
    }
}
