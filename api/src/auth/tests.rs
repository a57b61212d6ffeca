use super::*;

const ISS: &str = "https://ovn.test";
const AUD: &str = "ovn-api";

fn generate_pem() -> String {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    key.to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF).unwrap().to_string()
}

fn public_pem_of(private_pem: &str) -> String {
    SigningKey::from_pkcs8_pem(private_pem)
        .unwrap()
        .verifying_key()
        .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .unwrap()
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ovn-auth-test-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn settings(private_pem: Option<String>, kid: &str) -> KeySettings {
    KeySettings {
        issuer: ISS.to_owned(),
        audience: AUD.to_owned(),
        private_key_pem: private_pem,
        private_key_file: None,
        public_keys: Vec::new(),
        kid: kid.to_owned(),
        dev_key_file: std::env::temp_dir().join(format!("ovn-auth-unused-{}", Uuid::new_v4())).join("dev.pem"),
        production: true,
    }
}

fn config() -> AuthConfig {
    load_keys(&settings(Some(generate_pem()), "k1")).unwrap()
}

fn claims(agent: Uuid, nbf_offset: i64, exp_offset: i64) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: agent.to_string(),
        iss: ISS.to_owned(),
        aud: AUD.to_owned(),
        exp: now + exp_offset,
        nbf: now + nbf_offset,
        iat: now,
        jti: Uuid::new_v4().to_string(),
    }
}

fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

#[test]
fn base64url_round_trip() {
    for len in 0..40_u8 {
        let data: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37).wrapping_add(250)).collect();
        assert_eq!(base64url_decode(&b64(&data)).unwrap(), data, "len {len}");
    }
    assert!(base64url_decode("a").is_none());
    assert!(base64url_decode("ab+/").is_none());
}

#[test]
fn minted_token_verifies_and_yields_the_agent() {
    let config = config();
    let agent = Uuid::now_v7();
    let token = mint(&config, agent, chrono::Duration::hours(1)).unwrap();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::EdDSA);
    assert_eq!(header.kid.as_deref(), Some("k1"));
    let claims: serde_json::Value = jsonwebtoken::dangerous::insecure_decode_claims(&token).unwrap();
    for claim in ["sub", "iss", "aud", "exp", "nbf", "iat", "jti"] {
        assert!(claims.get(claim).is_some(), "missing {claim}");
    }
    assert_eq!(verify(&config, &token).unwrap(), agent);
}

#[test]
fn expired_token_is_refused() {
    let config = config();
    let token = sign(&config, &claims(Uuid::new_v4(), -7200, -3600)).unwrap();
    assert!(matches!(verify(&config, &token), Err(AuthError::Expired)));
    assert_eq!(AuthError::Expired.to_string(), "token expired");
}

#[test]
fn leeway_applies_to_exp_and_nbf() {
    let config = config();
    // Expired 10 s ago, within the 60 s leeway.
    let expired = sign(&config, &claims(Uuid::new_v4(), -100, -10)).unwrap();
    assert!(verify(&config, &expired).is_ok());
    // Valid from 10 s in the future, within the leeway.
    let early = sign(&config, &claims(Uuid::new_v4(), 10, 100)).unwrap();
    assert!(verify(&config, &early).is_ok());
    let strict = config.with_leeway(0);
    assert!(matches!(verify(&strict, &expired), Err(AuthError::Expired)));
    assert!(matches!(verify(&strict, &early), Err(AuthError::NotYetValid)));
}

#[test]
fn token_not_yet_valid_is_refused() {
    let config = config();
    let token = sign(&config, &claims(Uuid::new_v4(), 3600, 7200)).unwrap();
    assert!(matches!(verify(&config, &token), Err(AuthError::NotYetValid)));
}

#[test]
fn wrong_audience_is_refused() {
    let config = config();
    let mut c = claims(Uuid::new_v4(), 0, 3600);
    c.aud = "someone-else".to_owned();
    let token = sign(&config, &c).unwrap();
    assert!(matches!(verify(&config, &token), Err(AuthError::WrongAudience)));
}

#[test]
fn wrong_issuer_is_refused() {
    let config = config();
    let mut c = claims(Uuid::new_v4(), 0, 3600);
    c.iss = "https://evil.test".to_owned();
    let token = sign(&config, &c).unwrap();
    assert!(matches!(verify(&config, &token), Err(AuthError::WrongIssuer)));
}

#[test]
fn missing_nbf_is_refused() {
    let config = config();
    let now = chrono::Utc::now().timestamp();
    let body = serde_json::json!({
        "sub": Uuid::new_v4().to_string(), "iss": ISS, "aud": AUD, "exp": now + 3600,
    });
    let (kid, key) = config.signing.as_ref().unwrap();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.clone());
    let token = jsonwebtoken::encode(&header, &body, key).unwrap();
    assert!(matches!(verify(&config, &token), Err(AuthError::MissingClaim { ref claim }) if claim == "nbf"));
}

#[test]
fn non_uuid_subject_is_refused() {
    let config = config();
    let mut c = claims(Uuid::new_v4(), 0, 3600);
    c.sub = "root".to_owned();
    let token = sign(&config, &c).unwrap();
    assert!(matches!(verify(&config, &token), Err(AuthError::BadSubject)));
}

#[test]
fn alg_none_is_refused() {
    let config = config();
    let header = b64(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
    let body = b64(serde_json::to_string(&claims(Uuid::new_v4(), 0, 3600)).unwrap().as_bytes());
    let token = format!("{header}.{body}.");
    assert!(matches!(verify(&config, &token), Err(AuthError::UnsupportedAlgorithm)));
    // Sanity: the same body under a real signature would have been accepted.
    let real = sign(&config, &claims(Uuid::new_v4(), 0, 3600)).unwrap();
    assert!(verify(&config, &real).is_ok());
}

#[test]
fn hs256_keyed_with_the_public_key_is_refused() {
    let private = generate_pem();
    let public = public_pem_of(&private);
    let config = load_keys(&settings(Some(private), "k1")).unwrap();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("k1".to_owned());
    let token =
        jsonwebtoken::encode(&header, &claims(Uuid::new_v4(), 0, 3600), &EncodingKey::from_secret(public.as_bytes()))
            .unwrap();
    assert!(matches!(verify(&config, &token), Err(AuthError::UnsupportedAlgorithm)));
}

#[test]
fn unknown_or_missing_kid_is_refused() {
    let config = config();
    let (_, key) = config.signing.as_ref().unwrap();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some("k-unknown".to_owned());
    let token = jsonwebtoken::encode(&header, &claims(Uuid::new_v4(), 0, 3600), key).unwrap();
    assert!(matches!(verify(&config, &token), Err(AuthError::UnknownKeyId)));

    let header = Header::new(Algorithm::EdDSA);
    let token = jsonwebtoken::encode(&header, &claims(Uuid::new_v4(), 0, 3600), key).unwrap();
    assert!(matches!(verify(&config, &token), Err(AuthError::MissingKeyId)));
}

#[test]
fn token_signed_by_another_key_under_the_right_kid_is_refused() {
    let config = config();
    let attacker = load_keys(&settings(Some(generate_pem()), "k1")).unwrap();
    let token = mint(&attacker, Uuid::new_v4(), chrono::Duration::hours(1)).unwrap();
    assert!(matches!(verify(&config, &token), Err(AuthError::BadSignature)));
}

#[test]
fn garbage_is_malformed() {
    let config = config();
    for token in ["", "abc", "a.b", "a.b.c.d", "!!!.e30.", "e30.e30.e30"] {
        assert!(
            matches!(verify(&config, token), Err(AuthError::Malformed | AuthError::UnsupportedAlgorithm)),
            "{token}"
        );
    }
    assert!(matches!(verify(&config, &"a".repeat(MAX_TOKEN_BYTES + 1)), Err(AuthError::Malformed)));
}

#[test]
fn rotated_out_key_still_verifies_when_listed() {
    let old_private = generate_pem();
    let old = load_keys(&settings(Some(old_private.clone()), "2025")).unwrap();
    let agent = Uuid::new_v4();
    let old_token = mint(&old, agent, chrono::Duration::hours(1)).unwrap();

    let mut new_settings = settings(Some(generate_pem()), "2026");
    assert!(matches!(verify(&load_keys(&new_settings).unwrap(), &old_token), Err(AuthError::UnknownKeyId)));
    new_settings.public_keys = vec![("2025".to_owned(), public_pem_of(&old_private))];
    let new = load_keys(&new_settings).unwrap();
    assert_eq!(new.verifying_kids(), vec!["2025", "2026"]);
    assert_eq!(verify(&new, &old_token).unwrap(), agent);
    let new_token = mint(&new, agent, chrono::Duration::hours(1)).unwrap();
    assert_eq!(jsonwebtoken::decode_header(&new_token).unwrap().kid.as_deref(), Some("2026"));
    assert_eq!(verify(&new, &new_token).unwrap(), agent);
}

#[test]
fn duplicate_kid_is_a_config_error() {
    let mut s = settings(Some(generate_pem()), "k1");
    s.public_keys = vec![("k1".to_owned(), public_pem_of(&generate_pem()))];
    assert!(matches!(load_keys(&s), Err(AuthError::DuplicateKeyId { .. })));
}

#[test]
fn invalid_keys_are_config_errors_without_key_material() {
    let s = settings(Some("-----BEGIN PRIVATE KEY-----\nsecretstuff\n".to_owned()), "k1");
    let err = load_keys(&s).unwrap_err();
    assert!(matches!(err, AuthError::InvalidPrivateKey { .. }));
    assert!(!err.to_string().contains("secretstuff"));
    assert!(!format!("{s:?}").contains("secretstuff"));

    let mut s = settings(Some(generate_pem()), "k1");
    s.public_keys = vec![("old".to_owned(), "not a key".to_owned())];
    assert!(matches!(load_keys(&s), Err(AuthError::InvalidPublicKey { .. })));
}

#[test]
fn production_without_keys_is_an_error() {
    let s = settings(None, "k1");
    assert!(matches!(load_keys(&s), Err(AuthError::NoKeyInProduction)));
    assert!(!s.dev_key_file.exists());

    // Verify-only production: public keys but no private key.
    let private = generate_pem();
    let mut s = settings(None, "k1");
    s.public_keys = vec![("k0".to_owned(), public_pem_of(&private))];
    let verify_only = load_keys(&s).unwrap();
    assert!(matches!(mint(&verify_only, Uuid::new_v4(), chrono::Duration::hours(1)), Err(AuthError::NoSigningKey)));
    let signer = load_keys(&settings(Some(private), "k0")).unwrap();
    let token = mint(&signer, Uuid::new_v4(), chrono::Duration::hours(1)).unwrap();
    assert!(verify(&verify_only, &token).is_ok());
}

#[test]
fn private_key_file_is_used() {
    let dir = temp_dir();
    let path = dir.join("signing.pem");
    let private = generate_pem();
    std::fs::write(&path, &private).unwrap();
    let mut s = settings(None, "k1");
    s.private_key_file = Some(path);
    let from_file = load_keys(&s).unwrap();
    let from_inline = load_keys(&settings(Some(private), "k1")).unwrap();
    let token = mint(&from_file, Uuid::new_v4(), chrono::Duration::hours(1)).unwrap();
    assert!(verify(&from_inline, &token).is_ok());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn dev_key_is_generated_once_and_reused() {
    let dir = temp_dir();
    let mut s = settings(None, "dev");
    s.production = false;
    s.dev_key_file = dir.join("nested").join("dev-key.pem");
    assert!(!s.dev_key_file.exists());

    let first = load_keys(&s).unwrap();
    let pem_after_first = std::fs::read_to_string(&s.dev_key_file).unwrap();
    assert!(pem_after_first.starts_with("-----BEGIN PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&s.dev_key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let second = load_keys(&s).unwrap();
    assert_eq!(std::fs::read_to_string(&s.dev_key_file).unwrap(), pem_after_first);
    let agent = Uuid::new_v4();
    let token = mint(&first, agent, chrono::Duration::minutes(5)).unwrap();
    assert_eq!(verify(&second, &token).unwrap(), agent);
    // Only the key file is left behind (no temporary files).
    assert_eq!(std::fs::read_dir(dir.join("nested")).unwrap().count(), 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn non_positive_ttl_is_refused() {
    let config = config();
    assert!(matches!(mint(&config, Uuid::new_v4(), chrono::Duration::zero()), Err(AuthError::InvalidTtl)));
}
