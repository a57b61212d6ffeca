//! Bearer-token authentication for writes: EdDSA (Ed25519) JWTs only.
//!
//! Why this module exists: reads are open, but every write names an agent, and
//! the agent is whoever the bearer token says it is. So the token check is the one place where
//! a mistake hands one agent's ledger to another. The rules here are deliberately narrow:
//!
//! - the algorithm is **pinned** to `EdDSA`; the header's `alg` is read first and anything else
//!   (`none`, `HS256` keyed with the public key, RSA, …) is refused before any key is touched;
//! - the header must carry a `kid`, looked up among the configured verifying keys, so keys can
//!   be rotated (old public keys stay listed while their tokens live);
//! - `iss`, `aud`, `exp`, `nbf` and `sub` are required and checked, with a configured leeway;
//! - `sub` must be an agent id (a UUID).
//!
//! Key material comes from configuration ([`KeySettings`]). Outside production, when no private
//! key is configured, a development key is generated once into a file (mode 0600 on unix) and
//! reused, so `ovn token` and `ovn serve` started with the same settings agree. In production a
//! key must be configured. Errors ([`AuthError`]) never carry key material and their `Display`
//! is safe to return to clients.

use std::collections::HashMap;
use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Clock-skew tolerance set by [`load_keys`].
pub const DEFAULT_LEEWAY_SECONDS: u64 = 60;

/// Tokens longer than this are refused as malformed before any decoding work.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// What a token must satisfy, and the keys that sign and verify tokens.
pub struct AuthConfig {
    issuer: String,
    audience: String,
    leeway_seconds: u64,
    verifying: HashMap<String, DecodingKey>,
    signing: Option<(String, EncodingKey)>,
}

impl AuthConfig {
    /// Builds a configuration from already-parsed keys.
    ///
    /// `verifying` maps key ids to Ed25519 public keys; `signing` is the key id and private key
    /// used by [`mint`] (`None` for a verify-only server). The caller is responsible for listing
    /// the signing key's public half in `verifying`; [`load_keys`] does that itself.
    #[must_use]
    pub fn new(
        issuer: String,
        audience: String,
        leeway_seconds: u64,
        verifying: HashMap<String, DecodingKey>,
        signing: Option<(String, EncodingKey)>,
    ) -> Self {
        Self { issuer, audience, leeway_seconds, verifying, signing }
    }

    /// Returns this configuration with a different clock-skew tolerance for `exp` and `nbf`
    /// ([`load_keys`] uses 60 seconds).
    #[must_use]
    pub fn with_leeway(mut self, leeway_seconds: u64) -> Self {
        self.leeway_seconds = leeway_seconds;
        self
    }

    /// The expected `iss` claim.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The expected `aud` claim.
    #[must_use]
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Clock-skew tolerance, in seconds, for `exp` and `nbf`.
    #[must_use]
    pub fn leeway_seconds(&self) -> u64 {
        self.leeway_seconds
    }

    /// The key id tokens are signed under, if this configuration can sign.
    #[must_use]
    pub fn signing_kid(&self) -> Option<&str> {
        self.signing.as_ref().map(|(kid, _)| kid.as_str())
    }

    /// The key ids accepted in a token header, sorted.
    #[must_use]
    pub fn verifying_kids(&self) -> Vec<&str> {
        let mut kids: Vec<&str> = self.verifying.keys().map(String::as_str).collect();
        kids.sort_unstable();
        kids
    }
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print keys, only their ids.
        f.debug_struct("AuthConfig")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("leeway_seconds", &self.leeway_seconds)
            .field("verifying_kids", &self.verifying_kids())
            .field("signing_kid", &self.signing_kid())
            .finish()
    }
}

/// Where key material comes from (usually built from CLI flags / environment).
#[derive(Clone)]
pub struct KeySettings {
    /// Expected and minted `iss` claim.
    pub issuer: String,
    /// Expected and minted `aud` claim.
    pub audience: String,
    /// The signing key as a PKCS#8 PEM Ed25519 private key. Takes precedence over the file.
    pub private_key_pem: Option<String>,
    /// A file holding the signing key as a PKCS#8 PEM Ed25519 private key.
    pub private_key_file: Option<PathBuf>,
    /// Extra verifying keys, `(kid, SPKI PEM Ed25519 public key)`, e.g. retired signing keys
    /// whose tokens may still be live.
    pub public_keys: Vec<(String, String)>,
    /// The key id of the signing key (written into each minted token's header).
    pub kid: String,
    /// Where the development key lives (generated on first use when no key is configured and
    /// `production` is false).
    pub dev_key_file: PathBuf,
    /// In production a key must be configured; no development key is generated.
    pub production: bool,
}

impl fmt::Debug for KeySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let public_kids: Vec<&str> = self.public_keys.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("KeySettings")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("private_key_pem", &self.private_key_pem.as_ref().map(|_| "<redacted>"))
            .field("private_key_file", &self.private_key_file)
            .field("public_keys", &public_kids)
            .field("kid", &self.kid)
            .field("dev_key_file", &self.dev_key_file)
            .field("production", &self.production)
            .finish()
    }
}

/// Why a token was refused, or why keys could not be loaded.
///
/// The `Display` text of the token variants is meant to be returned to clients; no variant
/// carries key material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// `exp` is in the past (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("token not yet valid")]
    NotYetValid,
    /// `aud` does not name this server.
    #[error("wrong audience")]
    WrongAudience,
    /// `iss` is not the configured issuer.
    #[error("wrong issuer")]
    WrongIssuer,
    /// The header's `alg` is not `EdDSA`.
    #[error("unsupported algorithm")]
    UnsupportedAlgorithm,
    /// The header has no `kid`.
    #[error("token has no key id")]
    MissingKeyId,
    /// The header's `kid` names no configured verifying key.
    #[error("unknown key id")]
    UnknownKeyId,
    /// The token is not a well-formed JWT (shape, base64, JSON, claim types).
    #[error("malformed token")]
    Malformed,
    /// The signature does not match the key named by `kid`.
    #[error("bad signature")]
    BadSignature,
    /// A required claim (`exp`, `nbf`, `iss`, `aud` or `sub`) is absent.
    #[error("token lacks the `{claim}` claim")]
    MissingClaim {
        /// The claim's name.
        claim: String,
    },
    /// `sub` is not an agent id.
    #[error("token subject is not an agent id")]
    BadSubject,

    /// [`mint`] was called on a verify-only configuration.
    #[error("no signing key is configured")]
    NoSigningKey,
    /// [`mint`] was given a zero or negative lifetime.
    #[error("token lifetime must be positive")]
    InvalidTtl,
    /// Signing failed inside the crypto provider.
    #[error("could not sign the token")]
    Signing,
    /// Production requires configured keys.
    #[error(
        "no signing key configured: in production set a PKCS#8 PEM Ed25519 private key \
         (inline or as a file) or at least one verifying public key"
    )]
    NoKeyInProduction,
    /// The private key is not a PKCS#8 PEM Ed25519 key.
    #[error("the private key from {origin} is not a PKCS#8 PEM Ed25519 private key")]
    InvalidPrivateKey {
        /// Where it came from (a setting name or a file path), never the key itself.
        origin: String,
    },
    /// A verifying key is not an SPKI PEM Ed25519 public key.
    #[error("the public key for key id `{kid}` is not an SPKI PEM Ed25519 public key")]
    InvalidPublicKey {
        /// The key id it was listed under.
        kid: String,
    },
    /// A key id is empty or listed twice (including the signing kid among the public keys).
    #[error("key id `{kid}` is empty or listed more than once")]
    DuplicateKeyId {
        /// The offending key id.
        kid: String,
    },
    /// A key file could not be read or written.
    #[error("key file {path}: {source}")]
    KeyFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl AuthError {
    /// True for refusals of a presented token (answer 401), false for configuration and
    /// server-side signing errors.
    #[must_use]
    pub fn is_token_error(&self) -> bool {
        matches!(
            self,
            Self::Expired
                | Self::NotYetValid
                | Self::WrongAudience
                | Self::WrongIssuer
                | Self::UnsupportedAlgorithm
                | Self::MissingKeyId
                | Self::UnknownKeyId
                | Self::Malformed
                | Self::BadSignature
                | Self::MissingClaim { .. }
                | Self::BadSubject
        )
    }
}

/// The claims ovn mints.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iss: String,
    aud: String,
    exp: i64,
    nbf: i64,
    iat: i64,
    jti: String,
}

/// The only claim `verify` reads itself; the rest are checked by `jsonwebtoken`.
#[derive(Deserialize)]
struct Subject {
    sub: String,
}

/// Loads (or, in development, creates) the keys described by `settings`.
///
/// Signing key: `private_key_pem`, else `private_key_file`, else (not production) the
/// development key in `dev_key_file`, generated on first use. In production with neither a
/// private key nor any `public_keys`, this is an error; with only `public_keys` the result can
/// verify but not mint. The signing key's public half is always a verifying key under `kid`.
///
/// # Errors
/// Unreadable/invalid keys, duplicate key ids, or no key in production.
pub fn load_keys(settings: &KeySettings) -> Result<AuthConfig, AuthError> {
    let private_pem: Option<(String, String)> = if let Some(pem) = &settings.private_key_pem {
        Some((pem.clone(), "the private_key_pem setting".to_owned()))
    } else if let Some(path) = &settings.private_key_file {
        let pem = std::fs::read_to_string(path).map_err(|source| AuthError::KeyFile { path: path.clone(), source })?;
        Some((pem, path.display().to_string()))
    } else if settings.production {
        None
    } else {
        let pem = load_or_create_dev_key(&settings.dev_key_file)?;
        Some((pem, settings.dev_key_file.display().to_string()))
    };

    if settings.production && private_pem.is_none() && settings.public_keys.is_empty() {
        return Err(AuthError::NoKeyInProduction);
    }

    let mut verifying = HashMap::new();
    let mut signing = None;
    if let Some((pem, origin)) = private_pem {
        if settings.kid.is_empty() {
            return Err(AuthError::DuplicateKeyId { kid: String::new() });
        }
        let (encoding, public_pem) =
            keys_from_private_pem(&pem).ok_or_else(|| AuthError::InvalidPrivateKey { origin: origin.clone() })?;
        let decoding =
            DecodingKey::from_ed_pem(public_pem.as_bytes()).map_err(|_| AuthError::InvalidPrivateKey { origin })?;
        verifying.insert(settings.kid.clone(), decoding);
        signing = Some((settings.kid.clone(), encoding));
    }
    for (kid, pem) in &settings.public_keys {
        if kid.is_empty() || verifying.contains_key(kid) {
            return Err(AuthError::DuplicateKeyId { kid: kid.clone() });
        }
        let decoding =
            DecodingKey::from_ed_pem(pem.as_bytes()).map_err(|_| AuthError::InvalidPublicKey { kid: kid.clone() })?;
        verifying.insert(kid.clone(), decoding);
    }

    Ok(AuthConfig::new(
        settings.issuer.clone(),
        settings.audience.clone(),
        // Leeway is not a key setting; a minute covers ordinary clock skew. See `with_leeway`.
        DEFAULT_LEEWAY_SECONDS,
        verifying,
        signing,
    ))
}

/// Parses a PKCS#8 PEM Ed25519 private key into a jsonwebtoken signing key and the SPKI PEM of
/// its public half. `None` when it is not such a key (the reason is not kept: it could quote
/// the input).
fn keys_from_private_pem(pem: &str) -> Option<(EncodingKey, String)> {
    let signing = SigningKey::from_pkcs8_pem(pem).ok()?;
    let public_pem =
        signing.verifying_key().to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF).ok()?;
    let encoding = EncodingKey::from_ed_pem(pem.as_bytes()).ok()?;
    Some((encoding, public_pem))
}

/// Reads the development key, generating it first if the file does not exist.
///
/// The new key is written to a private temporary file and hard-linked into place, so two
/// processes starting at once agree on one key and nobody reads a half-written file.
fn load_or_create_dev_key(path: &Path) -> Result<String, AuthError> {
    let file_err = |source| AuthError::KeyFile { path: path.to_path_buf(), source };
    match std::fs::read_to_string(path) {
        Ok(pem) => return Ok(pem),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(file_err(e)),
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(file_err)?;
    }
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let pem = key.to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF).map_err(|_| AuthError::Signing)?;

    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(format!(".{}.tmp", Uuid::new_v4()));
    let tmp = PathBuf::from(tmp_name);
    let written = write_private_file(&tmp, pem.as_bytes());
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    // Best effort: the temporary name is never read.
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {}
        // Another process won the race; use its key.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(file_err(e)),
    }
    std::fs::read_to_string(path).map_err(file_err)
}

/// Creates `path` (which must not exist) readable and writable by the owner only, and writes
/// `bytes` durably.
fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Mints a token for `agent`, valid from now for `ttl`, signed with the configured key.
///
/// Header: `alg: EdDSA`, `kid`. Claims: `sub` (the agent id), `iss`, `aud`, `exp`, `nbf`,
/// `iat`, `jti` (a random UUID).
///
/// # Errors
/// [`AuthError::NoSigningKey`] on a verify-only configuration, [`AuthError::InvalidTtl`] for a
/// non-positive `ttl`, [`AuthError::Signing`] if signing fails.
pub fn mint(config: &AuthConfig, agent: Uuid, ttl: chrono::Duration) -> Result<String, AuthError> {
    if ttl <= chrono::Duration::zero() {
        return Err(AuthError::InvalidTtl);
    }
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: agent.to_string(),
        iss: config.issuer.clone(),
        aud: config.audience.clone(),
        exp: now.saturating_add(ttl.num_seconds().max(1)),
        nbf: now,
        iat: now,
        jti: Uuid::new_v4().to_string(),
    };
    sign(config, &claims)
}

fn sign(config: &AuthConfig, claims: &Claims) -> Result<String, AuthError> {
    let (kid, key) = config.signing.as_ref().ok_or(AuthError::NoSigningKey)?;
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.clone());
    jsonwebtoken::encode(&header, claims, key).map_err(|_| AuthError::Signing)
}

/// Verifies a bearer token and returns the agent it speaks for.
///
/// The header is read first: `alg` must be exactly `EdDSA` and `kid` must name a configured
/// verifying key. Then the signature and `iss`, `aud`, `exp`, `nbf` (all required, as is
/// `sub`) are checked with the configured leeway, and `sub` is parsed as a UUID.
///
/// # Errors
/// One [`AuthError`] token variant per reason; see the enum.
pub fn verify(config: &AuthConfig, token: &str) -> Result<Uuid, AuthError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(AuthError::Malformed);
    }
    let (alg, kid) = read_header(token)?;
    if alg != "EdDSA" {
        return Err(AuthError::UnsupportedAlgorithm);
    }
    let kid = kid.ok_or(AuthError::MissingKeyId)?;
    let key = config.verifying.get(&kid).ok_or(AuthError::UnknownKeyId)?;

    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.algorithms = vec![Algorithm::EdDSA];
    validation.leeway = config.leeway_seconds;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.validate_aud = true;
    validation.set_audience(&[config.audience.as_str()]);
    validation.set_issuer(&[config.issuer.as_str()]);
    validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);

    let data = jsonwebtoken::decode::<Subject>(token, key, &validation).map_err(map_jwt_error)?;
    Uuid::parse_str(&data.claims.sub).map_err(|_| AuthError::BadSubject)
}

fn map_jwt_error(error: jsonwebtoken::errors::Error) -> AuthError {
    match error.into_kind() {
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::InvalidAudience => AuthError::WrongAudience,
        ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
        ErrorKind::InvalidSignature => AuthError::BadSignature,
        ErrorKind::InvalidAlgorithm | ErrorKind::UnsupportedAlgorithm | ErrorKind::InvalidAlgorithmName => {
            AuthError::UnsupportedAlgorithm
        }
        ErrorKind::MissingRequiredClaim(claim) => AuthError::MissingClaim { claim },
        _ => AuthError::Malformed,
    }
}

/// Reads `alg` and `kid` from the token header without trusting anything else in it.
///
/// Done by hand rather than with `jsonwebtoken::decode_header`, whose `Algorithm` enum has no
/// `none`: an `alg: none` token would then be reported as merely malformed.
fn read_header(token: &str) -> Result<(String, Option<String>), AuthError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(AuthError::Malformed);
    };
    let bytes = base64url_decode(header).ok_or(AuthError::Malformed)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| AuthError::Malformed)?;
    let object = value.as_object().ok_or(AuthError::Malformed)?;
    let alg = match object.get("alg") {
        Some(serde_json::Value::String(alg)) => alg.clone(),
        Some(_) => return Err(AuthError::UnsupportedAlgorithm),
        None => return Err(AuthError::Malformed),
    };
    let kid = match object.get("kid") {
        Some(serde_json::Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(AuthError::Malformed),
        None => None,
    };
    Ok((alg, kid))
}

/// Decodes unpadded base64url (RFC 7515 §2), as JWT segments are encoded.
fn base64url_decode(input: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'-' => Some(62),
            b'_' => Some(63),
            _ => None,
        }
    }
    let bytes = input.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 2);
    for chunk in bytes.chunks(4) {
        let mut acc: u32 = 0;
        for &c in chunk {
            acc = (acc << 6) | value(c)?;
        }
        let be = match chunk.len() {
            4 => acc.to_be_bytes(),
            3 => (acc << 6).to_be_bytes(),
            2 => (acc << 12).to_be_bytes(),
            _ => return None,
        };
        // `acc` holds 6 bits per character: 24 bits span bytes 1..4 of the big-endian word.
        let produced = chunk.len() - 1;
        out.extend_from_slice(be.get(1..1 + produced)?);
    }
    Some(out)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests unwrap: a failure should panic with the value")]
mod tests;
