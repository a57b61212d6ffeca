//! What an error tells a client: an internal failure is `INTERNAL` with a generic message
//! and nothing of the database behind it; in production a misspelt field gets no "Did you
//! mean" (which would hand out the schema that introspection is turned off to hide).

use anyhow::{Result, ensure};
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};

use crate::common::{error_codes, generate_private_key_pem, spawn_app, spawn_app_with};

#[tokio::test]
async fn an_internal_failure_says_internal_error_and_nothing_else() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    app.create_unit(&token, "hour", "h").await?;
    // Sabotage: the table every unit query reads is gone.
    let drop = if app.db.is_postgres() { "DROP TABLE unit CASCADE" } else { "DROP TABLE unit" };
    app.store.connection().execute_unprepared(drop).await?;

    let read = app.graphql("{ units { edges { node { id label } } } }", Value::Null).await?;
    let write = app
        .graphql_as(
            &token,
            "mutation { createUnit(unit: { label: \"minute\", symbol: \"min\" }) { unit { id } } }",
            Value::Null,
        )
        .await?;
    for response in [read, write] {
        assert_eq!(error_codes(&response), ["INTERNAL"], "{response}");
        let error = &response["errors"][0];
        assert_eq!(error["message"], "internal error", "{response}");
        // The extensions hold the code and nothing more (no SQL, no table, no cause).
        assert_eq!(error["extensions"], json!({ "code": "INTERNAL" }), "{response}");
        let text = response.to_string().to_lowercase();
        for leak in ["table", "relation", "sql", "no such", "does not exist", "database"] {
            ensure!(!text.contains(leak), "the answer mentions `{leak}`: {response}");
        }
    }
    Ok(())
}

const MISSPELT: &str = "{ actons { id } }";

#[tokio::test]
async fn production_suggests_no_field_names() -> Result<()> {
    // The control: outside production the suggestion is there, so the check below can fail.
    let development = spawn_app().await?;
    let response = development.graphql(MISSPELT, Value::Null).await?;
    assert_eq!(error_codes(&response), ["BAD_INPUT"]);
    ensure!(response.to_string().contains("Did you mean"), "no suggestion outside production: {response}");

    let pem = generate_private_key_pem()?;
    let production = spawn_app_with(move |config| {
        config.production = true;
        config.keys.production = true;
        config.keys.private_key_pem = Some(pem);
        config.api.production = true;
    })
    .await?;
    let response = production.graphql(MISSPELT, Value::Null).await?;
    assert_eq!(error_codes(&response), ["BAD_INPUT"], "{response}");
    let text = response.to_string();
    ensure!(
        !text.contains("Did you mean") && !text.contains("\\\"actions\\\""),
        "a suggestion in production: {response}"
    );
    Ok(())
}
