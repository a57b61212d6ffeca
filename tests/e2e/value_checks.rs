//! Value checks the domain owns, end to end: a refused value answers `BAD_INPUT` and writes
//! nothing, on every path that carries it.

use anyhow::Result;

use crate::common::{assert_refused, data, spawn_app, string_at};
use serde_json::{Value, json};

const EVENT: &str = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams) {
  createEconomicEvent(event: $e, newInventoriedResource: $r) { economicResource { id revisionId } } }";

const UPDATE_RESOURCE: &str = "mutation($r: EconomicResourceUpdateParams!) {
  updateEconomicResource(resource: $r) { economicResource { valuePerUnitOfUse { hasNumericalValue } } } }";

#[tokio::test]
async fn a_negative_value_per_unit_of_use_is_bad_input_on_create_and_on_update() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, token) = app.person_with_token("Alice").await?;
    let spec = app
        .graphql_as(
            &token,
            "mutation { createResourceSpecification(resourceSpecification: { name: \"drill\" }) { resourceSpecification { id } } }",
            Value::Null,
        )
        .await?;
    let spec = string_at(&spec, "/data/createResourceSpecification/resourceSpecification/id")?;
    let raise = json!({ "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": spec,
                        "resourceQuantity": { "hasNumericalValue": "1" } });

    let refused = app
        .graphql_as(
            &token,
            EVENT,
            json!({ "e": raise, "r": { "name": "drill", "valuePerUnitOfUse": { "hasNumericalValue": "-2" } } }),
        )
        .await?;
    assert_refused(&refused, "createEconomicEvent", "BAD_INPUT")?;
    assert_eq!(app.total("economicEvents").await?, 0, "a refused event was written");

    let created = app
        .graphql_as(
            &token,
            EVENT,
            json!({ "e": raise, "r": { "name": "drill", "valuePerUnitOfUse": { "hasNumericalValue": "2" } } }),
        )
        .await?;
    let revision = string_at(&created, "/data/createEconomicEvent/economicResource/revisionId")?;
    let refused = app
        .graphql_as(
            &token,
            UPDATE_RESOURCE,
            json!({ "r": { "revisionId": revision, "valuePerUnitOfUse": { "hasNumericalValue": "-0.5" } } }),
        )
        .await?;
    assert_refused(&refused, "updateEconomicResource", "BAD_INPUT")?;
    let updated = app
        .graphql_as(
            &token,
            UPDATE_RESOURCE,
            json!({ "r": { "revisionId": revision, "valuePerUnitOfUse": { "hasNumericalValue": "0" } } }),
        )
        .await?;
    assert_eq!(
        data(&updated)?["updateEconomicResource"]["economicResource"]["valuePerUnitOfUse"]["hasNumericalValue"],
        "0",
        "zero is a valid value of a use"
    );
    Ok(())
}
