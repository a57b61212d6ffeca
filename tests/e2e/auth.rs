//! Bearer tokens over HTTP. Tokens are minted by hand here (not with ovn's `mint`), so every
//! way a token can be wrong is tried against the real server: expired, not yet valid, wrong
//! audience or issuer, `alg: none`, HS256 keyed with the public key, unknown `kid`, another
//! key under the right `kid`, missing claims, garbage. Each must be `UNAUTHENTICATED` and write
//! nothing; the correctly minted control token must work.

use crate::common::{TestApp, assert_refused, data, dev_key_file, spawn_app, string_at};
use anyhow::{Context as _, Result, ensure};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

const CREATE_UNIT: &str = "mutation($u: UnitCreateParams!) { createUnit(unit: $u) { unit { id } } }";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Claims as ovn expects them, for `agent`, valid for an hour.
fn claims(agent: &str) -> Value {
    let now = now();
    json!({ "sub": agent, "iss": "ovn", "aud": "ovn", "exp": now + 3600, "nbf": now - 10, "iat": now - 10, "jti": uuid::Uuid::new_v4().to_string() })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

fn without(mut claims: Value, key: &str) -> Value {
    if let Some(object) = claims.as_object_mut() {
        object.remove(key);
    }
    claims
}

/// Unpadded base64url, as JWTs use.
fn base64url(bytes: &[u8]) -> String {
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

/// The test server's signing key, read from the development key file it generated.
fn server_key(app: &TestApp) -> Result<SigningKey> {
    let pem = std::fs::read_to_string(dev_key_file(&app.db)).context("reading the dev key")?;
    SigningKey::from_pkcs8_pem(&pem).map_err(|e| anyhow::anyhow!("dev key: {e}"))
}

fn sign_eddsa(key: &SigningKey, kid: Option<&str>, claims: &Value) -> Result<String> {
    let pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = kid.map(str::to_owned);
    Ok(jsonwebtoken::encode(&header, claims, &EncodingKey::from_ed_pem(pem.as_bytes())?)?)
}

/// Asserts that `token` cannot write (and that nothing was written) nor read `myAgent`.
async fn assert_rejected(app: &TestApp, case: &str, token: &str) -> Result<()> {
    let before = app.total("units").await?;
    let response = app.graphql_as(token, CREATE_UNIT, json!({ "u": { "label": case, "symbol": case } })).await?;
    assert_refused(&response, "createUnit", "UNAUTHENTICATED").with_context(|| format!("case {case}"))?;
    let me = app.graphql_as(token, "{ myAgent { id } }", Value::Null).await?;
    assert_refused(&me, "myAgent", "UNAUTHENTICATED").with_context(|| format!("case {case}"))?;
    ensure!(app.total("units").await? == before, "case {case}: a refused token wrote a unit");
    Ok(())
}

#[tokio::test]
async fn a_hand_minted_token_is_accepted() -> Result<()> {
    // The control: proves that the refusals below are about the one thing each case changes.
    let app = spawn_app().await?;
    let (alice, _) = app.person_with_token("Alice").await?;
    let token = sign_eddsa(&server_key(&app)?, Some("ovn-1"), &claims(&alice))?;
    let response = app.graphql_as(&token, CREATE_UNIT, json!({ "u": { "label": "hour", "symbol": "h" } })).await?;
    string_at(&response, "/data/createUnit/unit/id")?;
    let me = app.graphql_as(&token, "{ myAgent { id } }", Value::Null).await?;
    assert_eq!(data(&me)?["myAgent"]["id"], alice);
    // Within the one-minute leeway, a just-expired token still works.
    let token = sign_eddsa(&server_key(&app)?, Some("ovn-1"), &with(claims(&alice), "exp", json!(now() - 5)))?;
    let me = app.graphql_as(&token, "{ myAgent { id } }", Value::Null).await?;
    assert_eq!(data(&me)?["myAgent"]["id"], alice);
    Ok(())
}

#[tokio::test]
async fn bad_claims_are_unauthenticated() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, _) = app.person_with_token("Alice").await?;
    let key = server_key(&app)?;
    let good = claims(&alice);
    let cases = [
        ("expired", with(with(good.clone(), "exp", json!(now() - 3600)), "nbf", json!(now() - 7200))),
        ("not yet valid", with(good.clone(), "nbf", json!(now() + 3600))),
        ("wrong audience", with(good.clone(), "aud", json!("someone-else"))),
        ("wrong issuer", with(good.clone(), "iss", json!("evil"))),
        ("no exp", without(good.clone(), "exp")),
        ("no nbf", without(good.clone(), "nbf")),
        ("no aud", without(good.clone(), "aud")),
        ("no sub", without(good.clone(), "sub")),
        ("sub not an agent id", with(good.clone(), "sub", json!("alice"))),
    ];
    for (case, claims) in cases {
        assert_rejected(&app, case, &sign_eddsa(&key, Some("ovn-1"), &claims)?).await?;
    }
    Ok(())
}

#[tokio::test]
async fn forged_and_malformed_tokens_are_unauthenticated() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, _) = app.person_with_token("Alice").await?;
    let key = server_key(&app)?;
    let good = claims(&alice);
    let payload = base64url(serde_json::to_string(&good)?.as_bytes());

    // alg: none, with and without a trailing signature part.
    let none_header = base64url(br#"{"alg":"none","typ":"JWT","kid":"ovn-1"}"#);
    assert_rejected(&app, "alg none", &format!("{none_header}.{payload}.")).await?;
    let none_header_lower = base64url(br#"{"alg":"None","typ":"JWT","kid":"ovn-1"}"#);
    assert_rejected(&app, "alg None", &format!("{none_header_lower}.{payload}.")).await?;

    // HS256 keyed with the public key's PEM (the classic algorithm-confusion forgery).
    let public_pem = key.verifying_key().to_public_key_pem(LineEnding::LF).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut hs_header = Header::new(Algorithm::HS256);
    hs_header.kid = Some("ovn-1".to_owned());
    let confused = jsonwebtoken::encode(&hs_header, &good, &EncodingKey::from_secret(public_pem.as_bytes()))?;
    assert_rejected(&app, "HS256 with the public key", &confused).await?;

    // The right key under an unknown kid, no kid at all, and another key under the right kid.
    assert_rejected(&app, "unknown kid", &sign_eddsa(&key, Some("ovn-2"), &good)?).await?;
    assert_rejected(&app, "no kid", &sign_eddsa(&key, None, &good)?).await?;
    let stranger = SigningKey::generate(&mut rand::rngs::OsRng);
    assert_rejected(&app, "another key", &sign_eddsa(&stranger, Some("ovn-1"), &good)?).await?;

    // A good token with its payload swapped for another agent's: the signature no longer fits.
    let real = sign_eddsa(&key, Some("ovn-1"), &good)?;
    let (bob, _) = app.person_with_token("Bob").await?;
    let mut parts: Vec<&str> = real.split('.').collect();
    let swapped_payload = base64url(serde_json::to_string(&claims(&bob))?.as_bytes());
    parts[1] = &swapped_payload;
    assert_rejected(&app, "tampered payload", &parts.join(".")).await?;

    for (case, garbage) in [
        ("garbage", "garbage"),
        ("three dots", "a.b.c"),
        ("empty", ""),
        ("huge", &"A".repeat(10_000)),
        ("non-json header", &format!("{}.{payload}.c2ln", base64url(b"not json"))),
    ] {
        assert_rejected(&app, case, garbage).await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_token_whose_subject_names_no_agent_is_unauthenticated() -> Result<()> {
    let app = spawn_app().await?;
    // Signed with the server's own key, well formed in every claim: only the subject is wrong.
    let nobody = uuid::Uuid::now_v7().to_string();
    let token = app.token_for(&nobody)?;
    assert_rejected(&app, "subject names no agent", &token).await?;
    let events = app.total("economicEvents").await?;
    let event = app
        .graphql_as(
            &token,
            "mutation($e: EconomicEventCreateParams!) { createEconomicEvent(event: $e) { economicEvent { id } } }",
            json!({ "e": { "action": "work", "provider": nobody, "receiver": nobody,
                           "effortQuantity": { "hasNumericalValue": "1" } } }),
        )
        .await?;
    assert_refused(&event, "createEconomicEvent", "UNAUTHENTICATED")?;
    assert_eq!(app.total("economicEvents").await?, events, "a token for nobody recorded an event");
    Ok(())
}

#[tokio::test]
async fn a_deleted_agents_token_is_unauthenticated_from_the_next_request_on() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, token) = app.person_with_token("Alice").await?;
    // The token works while Alice exists...
    let me = app.graphql_as(&token, "{ myAgent { id } }", Value::Null).await?;
    assert_eq!(data(&me)?["myAgent"]["id"], alice);
    let deleted = app
        .graphql_as(&token, "mutation($r: ID!) { deletePerson(revisionId: $r) }", json!({ "r": format!("{alice}:1") }))
        .await?;
    assert_eq!(data(&deleted)?["deletePerson"], true);
    // ...and not one request after she is deleted, though it has not expired.
    assert_rejected(&app, "deleted agent", &token).await?;
    let again = app
        .graphql_as(
            &token,
            "mutation($p: AgentCreateParams!) { createPerson(person: $p) { agent { id } } }",
            json!({ "p": { "name": "Mallory" } }),
        )
        .await?;
    assert_refused(&again, "createPerson", "UNAUTHENTICATED")?;
    assert_eq!(app.total("people").await?, 0, "the deleted agent's token created a person");
    Ok(())
}

#[tokio::test]
async fn two_authorization_headers_are_unauthenticated() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (_, bob_token) = app.person_with_token("Bob").await?;
    let body = crate::common::request_body(CREATE_UNIT, json!({ "u": { "label": "hour", "symbol": "h" } }));
    // Two good tokens, a good one before a bad one and after it, the same one twice: a proxy
    // and ovn could each read a different header, so none is honoured.
    let cases = [
        ("Alice then Bob", alice_token.clone(), bob_token.clone()),
        ("good then garbage", alice_token.clone(), "garbage".to_owned()),
        ("garbage then good", "garbage".to_owned(), alice_token.clone()),
        ("the same token twice", alice_token.clone(), alice_token.clone()),
    ];
    for (case, first, second) in cases {
        let response = app
            .client
            .post(app.graphql_url())
            .header(reqwest::header::AUTHORIZATION, format!("Bearer {first}"))
            .header(reqwest::header::AUTHORIZATION, format!("Bearer {second}"))
            .json(&body)
            .send()
            .await?;
        let response: Value = response.json().await?;
        assert_refused(&response, "createUnit", "UNAUTHENTICATED").with_context(|| format!("case {case}"))?;
    }
    assert_eq!(app.total("units").await?, 0, "a request with two Authorization headers wrote a unit");
    // The control: one header with the same token writes.
    let response = app.graphql_as(&alice_token, "{ myAgent { id } }", Value::Null).await?;
    assert_eq!(data(&response)?["myAgent"]["id"], alice);
    Ok(())
}
