//! # mamori-image: cosign-compatible image signatures, offline and on a registry
//!
//! This crate signs container images and verifies their signatures in the
//! format of [cosign](https://github.com/sigstore/cosign)'s key-based "simple
//! signing" mode, so that a signature made by either tool verifies with the
//! other, and so that admission (Kyverno's `verifyImages`, the course's
//! exercise 2-3) accepts what mamori signed. It talks to OCI registries over
//! the distribution API and reads and writes OCI image layouts on disk. No
//! transparency log (Rekor) and no certificate authority (Fulcio) is
//! involved: mamori works offline, and says so.
//!
//! ## Keys ([`keys`])
//!
//! A key pair is ECDSA on P-256. The public key is a PEM `PUBLIC KEY` block
//! holding the DER SubjectPublicKeyInfo. The private key is a PEM block
//! `ENCRYPTED SIGSTORE PRIVATE KEY` (cosign before 1.x wrote `ENCRYPTED
//! COSIGN PRIVATE KEY`; both are read) whose body is the JSON of
//! go-securesystemslib's `encrypted` package:
//! `{"kdf":{"name":"scrypt","params":{"N":..,"r":8,"p":1},"salt":B64},
//! "cipher":{"name":"nacl/secretbox","nonce":B64},"ciphertext":B64}`. The
//! 32-byte secretbox key is scrypt(password, salt, N, r, p); the cipher is
//! XSalsa20-Poly1305 (NaCl's secretbox: a 24-byte nonce, the 16-byte tag
//! before the ciphertext); the plaintext is the PKCS#8 DER of the private
//! key. Writing uses N = 2^16 (go-securesystemslib's current default);
//! reading accepts exactly the parameter sets that package accepts, N in
//! {2^15, 2^16, 2^17} with r = 8 and p = 1, and refuses any other: a key
//! file must not be able to make the reader spend unbounded memory or time.
//! sigstore-rs (0.13) reads N = 2^15 and 2^16 and writes 2^15.
//!
//! ## Signatures ([`payload`], [`signature`])
//!
//! The signed payload is the compact JSON
//! `{"critical":{"identity":{"docker-reference":REPO},"image":
//! {"docker-manifest-digest":"sha256:HEX"},"type":"cosign container image
//! signature"},"optional":ANNOTATIONS-or-null}`; the signature is ECDSA
//! P-256 over its SHA-256, DER-encoded. Signatures live in the image's own
//! repository under the tag `sha256-HEX.sig` (the image digest with `:`
//! replaced by `-`): an OCI image manifest whose config has media type
//! `application/vnd.oci.image.config.v1+json` and with one layer per
//! signature, media type `application/vnd.dev.cosign.simplesigning.v1+json`,
//! whose blob is the payload and whose annotation
//! `dev.cosignproject.cosign/signature` is the base64 signature. Signing
//! again appends a layer (an identical signature is not added twice: with
//! RFC 6979 the same key and payload give the same signature).
//!
//! Verification, as cosign's: the image reference is resolved to the digest
//! of the manifest it names (a tag is resolved by the registry; the digest
//! is computed over the manifest bytes, never taken from a header); the
//! `.sig` manifest is fetched (none: "no signatures found"); every
//! simple-signing layer's blob is fetched and checked against its digest,
//! its signature checked against the public key, its payload parsed, and its
//! `docker-manifest-digest` compared with the image's digest (a signature
//! copied from another image fails here); `-a key=value` annotations must
//! all be present in `optional` with those string values. The payloads that
//! pass are the result. `docker-reference` is not compared, as in cosign:
//! the digest is what binds a signature to an image.
//!
//! ## Where images are ([`reference`], [`registry`], [`layout`])
//!
//! References follow the Docker distribution grammar (`[HOST[:PORT]/]PATH
//! [:TAG][@sha256:HEX]`, Docker Hub for a first component without `.` or `:`
//! that is not `localhost`, `library/` for one-component Hub names, tag
//! `latest` by default). `oci:DIR[:TAG]` names an image in an OCI image
//! layout on disk, whose `index.json` entries are tagged with the
//! `org.opencontainers.image.ref.name` annotation; signatures are stored in
//! the same layout under their `sha256-HEX.sig` name, so `skopeo copy` can
//! carry them to a registry. The registry client speaks HTTPS first, always
//! verified against the system's roots plus `ca_cert` (plain HTTP only as a
//! fallback, for loopback hosts or with `allow_insecure`, when the server
//! does not speak TLS; never after a certificate error), the anonymous and Bearer token flows and Basic auth,
//! with credentials from the Docker config file (`auths`, `credHelpers`,
//! `credsStore`, so cloud credential helpers work unchanged).
//!
//! ## Whole or not at all
//!
//! A signature is published by uploading its blobs first and then writing
//! the manifest in one request (registry) or one rename of `index.json`
//! (layout): a failure leaves the previous signatures as they were.

pub mod digest;
pub mod docker_config;
pub mod keys;
pub mod layout;
pub mod payload;
pub mod pem;
pub mod reference;
pub mod registry;
pub mod signature;
pub mod store;
#[doc(hidden)]
pub mod testkit;

pub use digest::Digest;
pub use keys::{PrivateKey, PublicKey, ScryptCost};
pub use reference::{Reference, Target};
pub use signature::{sign, verify, Rejection, SignOutcome, Verified};
pub use store::{open, Store, StoreOptions};

/// What went wrong, in words that name the file, field or URL. Messages may
/// carry a second line `hint: ...`. They never contain a password or key
/// material.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A key file that cannot be used (format, password, algorithm).
    #[error("{0}")]
    Key(String),
    /// An image reference that does not parse.
    #[error("{0}")]
    Reference(String),
    /// A registry that cannot be reached, refuses, or answers garbage.
    #[error("{0}")]
    Registry(String),
    /// An OCI layout on disk that is missing or malformed.
    #[error("{0}")]
    Layout(String),
    /// The image or its signature manifest is not what it claims to be.
    #[error("{0}")]
    Content(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Media types this crate reads and writes.
pub mod media {
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
    pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    pub const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
    /// The layer annotation holding the base64 DER signature.
    pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
    /// Every manifest type an image reference may resolve to.
    pub const ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";
}
