//! Agent rates (OVN): `setAgentRate` by the agent or a steward of a scope it joined, the rate
//! in force at a date (`agentRate`: the agent's own, else the skill's `defaultValuePerUnit`,
//! else null), an agent's history (`agentRates`), the refusals (a stranger, a second rate from
//! the same instant, a negative rate, an unknown skill), and the batched load the value engine
//! uses (`Store::rates_for`).

use anyhow::{Context as _, Result, ensure};
use chrono::{DateTime, TimeZone as _, Utc};
use ovn_domain::value::rates::{AgentRate, RateSource};
use ovn_domain::{AgentId, AgentRateId, ResourceSpecificationId, Revision};
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait as _;
use serde_json::{Value, json};

use crate::common::{TestApp, assert_refused, data, error_codes, spawn_app, string_at};

const AFFILIATE_OF: &str = "00000000-0000-8000-8000-000000000001";
const PART_OF: &str = "00000000-0000-8000-8000-000000000002";
const STEWARD_OF: &str = "00000000-0000-8000-8000-000000000005";

const SET: &str = "mutation($a: ID!, $s: ID!, $r: IMeasure!, $from: DateTime, $k: String) {
  setAgentRate(agent: $a, skill: $s, rate: $r, validFrom: $from, idempotencyKey: $k) {
    agentRate { id agent { id } skill { id } rate { hasNumericalValue hasUnit { id } } validFrom created } } }";

const RATE_AT: &str = "query($a: ID!, $s: ID!, $at: DateTime) {
  agentRate(agent: $a, skill: $s, at: $at) { hasNumericalValue hasUnit { id label } } }";

/// A network with a steward, a project part of it that Alice joined, Bob (in nothing) and
/// Eve (a stranger); the unit `euro`; the skills *design* (`defaultValuePerUnit` 25 euro)
/// and *soldering* (no default).
struct Setting {
    app: TestApp,
    steward: (String, String),
    alice: (String, String),
    bob: String,
    eve: String,
    euro: String,
    design: String,
    soldering: String,
}

async fn setting() -> Result<Setting> {
    let app = spawn_app().await?;
    let (steward_id, steward_token) = app.person_with_token("Steward").await?;
    let steward = steward_token.as_str();
    let alice = app.person_with_token("Alice").await?;
    let (bob, _) = app.person_with_token("Bob").await?;
    let (_, eve) = app.person_with_token("Eve").await?;
    let organization = async |name: &str| -> Result<String> {
        let response = app
            .graphql_as(
                steward,
                "mutation($o: OrganizationCreateParams!) { createOrganization(organization: $o) { agent { id } } }",
                json!({ "o": { "name": name } }),
            )
            .await?;
        string_at(&response, "/data/createOrganization/agent/id")
    };
    let network = organization("Sensorica").await?;
    let project = organization("Sensor kit").await?;
    let relate = async |token: &str, subject: &str, role: &str, object: &str| -> Result<()> {
        let response = app
            .graphql_as(
                token,
                "mutation($r: AgentRelationshipCreateParams!) { createAgentRelationship(relationship: $r) { agentRelationship { id } } }",
                json!({ "r": { "subject": subject, "relationship": role, "object": object } }),
            )
            .await?;
        data(&response).map(|_| ())
    };
    relate(steward, &steward_id, STEWARD_OF, &network).await?;
    relate(steward, &project, PART_OF, &network).await?;
    relate(&alice.1, &alice.0, AFFILIATE_OF, &project).await?;
    let euro = app.create_unit(steward, "euro", "EUR").await?;
    let spec = async |spec: Value| -> Result<String> {
        let response = app
            .graphql_as(
                steward,
                "mutation($r: ResourceSpecificationCreateParams!) { createResourceSpecification(resourceSpecification: $r) { resourceSpecification { id } } }",
                json!({ "r": spec }),
            )
            .await?;
        string_at(&response, "/data/createResourceSpecification/resourceSpecification/id")
    };
    let design =
        spec(json!({ "name": "design", "defaultValuePerUnit": { "hasNumericalValue": "25", "hasUnit": euro } }))
            .await?;
    let soldering = spec(json!({ "name": "soldering" })).await?;
    Ok(Setting { app, steward: (steward_id, steward_token), alice, bob, eve, euro, design, soldering })
}

impl Setting {
    async fn set(&self, token: &str, agent: &str, skill: &str, rate: &str, from: Option<&str>) -> Result<Value> {
        let vars =
            json!({ "a": agent, "s": skill, "r": { "hasNumericalValue": rate, "hasUnit": self.euro }, "from": from });
        self.app.graphql_as(token, SET, vars).await
    }

    /// `agentRate` at `at` (now when `None`): the number, or `None` for null.
    async fn rate_at(&self, agent: &str, skill: &str, at: Option<&str>) -> Result<Option<String>> {
        let response = self.app.graphql(RATE_AT, json!({ "a": agent, "s": skill, "at": at })).await?;
        let rate = &data(&response)?["agentRate"];
        if rate.is_null() {
            return Ok(None);
        }
        ensure!(rate["hasUnit"]["label"] == "euro", "a rate in euro: {response}");
        Ok(Some(rate["hasNumericalValue"].as_str().context("hasNumericalValue")?.to_owned()))
    }

    async fn history(&self, agent: &str, skill: Option<&str>) -> Result<Vec<(String, String, DateTime<Utc>)>> {
        let response = self
            .app
            .graphql(
                "query($a: ID!, $s: ID) { agentRates(agent: $a, skill: $s) { skill { id } rate { hasNumericalValue } validFrom } }",
                json!({ "a": agent, "s": skill }),
            )
            .await?;
        let mut rows = Vec::new();
        for rate in data(&response)?["agentRates"].as_array().context("agentRates")? {
            rows.push((
                rate["skill"]["id"].as_str().context("skill")?.to_owned(),
                rate["rate"]["hasNumericalValue"].as_str().context("rate")?.to_owned(),
                instant(&rate["validFrom"])?,
            ));
        }
        Ok(rows)
    }
}

fn instant(value: &Value) -> Result<DateTime<Utc>> {
    let text = value.as_str().with_context(|| format!("not a time: {value}"))?;
    Ok(DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc))
}

fn day(year: i32, month: u32, day: u32) -> Result<DateTime<Utc>> {
    Utc.with_ymd_and_hms(year, month, day, 0, 0, 0).single().context("a valid date")
}

#[tokio::test]
async fn the_rate_in_force_is_the_latest_own_rate_by_date_else_the_skills_default() -> Result<()> {
    let s = setting().await?;
    let (alice, alice_token) = &s.alice;
    // Alice sets 30 from 1 January 2020; the network's steward (she joined one of its
    // projects) sets 40 from 1 February.
    let first = s.set(alice_token, alice, &s.design, "30.00", Some("2020-01-01T00:00:00Z")).await?;
    let set = &data(&first)?["setAgentRate"]["agentRate"];
    assert_eq!(set["agent"]["id"], json!(alice));
    assert_eq!(set["skill"]["id"], json!(s.design));
    assert_eq!(set["rate"]["hasNumericalValue"], "30");
    assert_eq!(set["rate"]["hasUnit"]["id"], json!(s.euro));
    assert_eq!(instant(&set["validFrom"])?, day(2020, 1, 1)?);
    let second = s.set(&s.steward.1, alice, &s.design, "40", Some("2020-02-01T00:00:00Z")).await?;
    let second_id = string_at(&second, "/data/setAgentRate/agentRate/id")?;

    assert_eq!(s.rate_at(alice, &s.design, Some("2019-12-15T00:00:00Z")).await?.as_deref(), Some("25"), "default");
    assert_eq!(s.rate_at(alice, &s.design, Some("2020-01-01T00:00:00Z")).await?.as_deref(), Some("30"));
    assert_eq!(s.rate_at(alice, &s.design, Some("2020-01-31T23:59:59Z")).await?.as_deref(), Some("30"));
    assert_eq!(s.rate_at(alice, &s.design, Some("2020-02-01T00:00:00Z")).await?.as_deref(), Some("40"), "inclusive");
    assert_eq!(s.rate_at(alice, &s.design, Some("2020-06-01T00:00:00Z")).await?.as_deref(), Some("40"));
    assert_eq!(s.rate_at(alice, &s.design, None).await?.as_deref(), Some("40"), "now");
    assert_eq!(s.rate_at(&s.bob, &s.design, None).await?.as_deref(), Some("25"), "no rate of his own");
    assert_eq!(s.rate_at(alice, &s.soldering, None).await?, None, "no rate, no default");

    // Her history, by skill then by date; superseded rates stay.
    s.set(alice_token, alice, &s.soldering, "20", Some("2019-06-01T00:00:00Z")).await?;
    let mut expected = vec![
        (s.design.clone(), "30".to_owned(), day(2020, 1, 1)?),
        (s.design.clone(), "40".to_owned(), day(2020, 2, 1)?),
        (s.soldering.clone(), "20".to_owned(), day(2019, 6, 1)?),
    ];
    expected.sort_by(|a, b| (&a.0, a.2).cmp(&(&b.0, b.2)));
    assert_eq!(s.history(alice, None).await?, expected);
    assert_eq!(
        s.history(alice, Some(&s.design)).await?,
        expected.iter().filter(|r| r.0 == s.design).cloned().collect::<Vec<_>>()
    );
    assert_eq!(s.history(&s.bob, None).await?, []);

    // Each rate keeps its one revision, written by whoever set it.
    let response = s
        .app
        .graphql(
            "query($a: ID!) { agentRates(agent: $a) { id meta { retrievedRevision { id author { id } } previousRevision { id } } } }",
            json!({ "a": alice }),
        )
        .await?;
    let rates = data(&response)?["agentRates"].as_array().cloned().unwrap_or_default();
    let second_rate = rates.iter().find(|r| r["id"] == json!(second_id)).context("the steward's rate")?;
    assert_eq!(second_rate["meta"]["retrievedRevision"]["id"], json!(format!("{second_id}:1")));
    assert_eq!(second_rate["meta"]["retrievedRevision"]["author"]["id"], json!(s.steward.0));
    assert_eq!(second_rate["meta"]["previousRevision"], Value::Null);
    let at_revision = s
        .app
        .graphql(
            "query($a: ID!, $r: ID!) { agentRates(agent: $a) { id revision(revisionId: $r) { id rate { hasNumericalValue } } } }",
            json!({ "a": alice, "r": format!("{second_id}:1") }),
        )
        .await?;
    for rate in data(&at_revision)?["agentRates"].as_array().cloned().unwrap_or_default() {
        let expected = if rate["id"] == json!(second_id) {
            json!({ "id": second_id, "rate": { "hasNumericalValue": "40" } })
        } else {
            Value::Null
        };
        assert_eq!(rate["revision"], expected, "another rate has no revision of this one");
    }
    // The revision kept when it was set reads back as the rate.
    let id = AgentRateId::parse(&second_id)?;
    let kept = s.app.store.at_revision::<AgentRate>(Revision { id, number: 1 }).await?.context("revision 1 kept")?;
    assert_eq!((kept.rate, kept.valid_from), (Decimal::from(40), day(2020, 2, 1)?));
    assert_eq!(s.app.store.at_revision::<AgentRate>(Revision { id, number: 2 }).await?, None);
    Ok(())
}

#[tokio::test]
async fn a_rate_is_refused_to_a_stranger_twice_from_one_instant_negative_or_for_an_unknown_skill() -> Result<()> {
    let s = setting().await?;
    let (alice, alice_token) = &s.alice;
    s.set(alice_token, alice, &s.design, "30", Some("2020-01-01T00:00:00Z")).await?;

    let stranger = s.set(&s.eve, alice, &s.design, "90", Some("2020-03-01T00:00:00Z")).await?;
    assert_refused(&stranger, "setAgentRate", "FORBIDDEN")?;
    let not_her_project = s.set(alice_token, &s.bob, &s.design, "5", None).await?;
    assert_refused(&not_her_project, "setAgentRate", "FORBIDDEN")?;
    // The same instant, written in another offset, is the same validFrom.
    let again = s.set(&s.steward.1, alice, &s.design, "35", Some("2020-01-01T01:00:00+01:00")).await?;
    assert_refused(&again, "setAgentRate", "CONFLICT")?;
    let negative = s.set(alice_token, alice, &s.design, "-1", Some("2020-03-01T00:00:00Z")).await?;
    assert_refused(&negative, "setAgentRate", "BAD_INPUT")?;
    let unknown = ResourceSpecificationId::new().to_string();
    let no_skill = s.set(alice_token, alice, &unknown, "30", None).await?;
    assert_refused(&no_skill, "setAgentRate", "NOT_FOUND")?;
    let anonymous =
        s.app.graphql(SET, json!({ "a": alice, "s": s.design, "r": { "hasNumericalValue": "30" } })).await?;
    assert_eq!(error_codes(&anonymous), ["UNAUTHENTICATED"]);

    assert_eq!(s.history(alice, None).await?, [(s.design.clone(), "30".to_owned(), day(2020, 1, 1)?)]);
    assert_eq!(s.rate_at(alice, &s.design, Some("2020-04-01T00:00:00Z")).await?.as_deref(), Some("30"));
    // Append-only in the database too.
    let rewrite = s.app.store.connection().execute_unprepared("UPDATE agent_rate SET rate = '99'").await;
    ensure!(rewrite.is_err(), "a rate was rewritten in place");
    let removal = s.app.store.connection().execute_unprepared("DELETE FROM agent_rate").await;
    ensure!(removal.is_err(), "a rate was deleted");
    assert_eq!(s.history(alice, None).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_retried_rate_is_set_once() -> Result<()> {
    let s = setting().await?;
    let (alice, token) = &s.alice;
    let vars = |rate: &str| json!({ "a": alice, "s": s.design, "r": { "hasNumericalValue": rate }, "from": "2020-01-01T00:00:00Z", "k": "rate-1" });
    let first = s.app.graphql_as(token, SET, vars("30")).await?;
    let retry = s.app.graphql_as(token, SET, vars("30")).await?;
    assert_eq!(
        string_at(&first, "/data/setAgentRate/agentRate/id")?,
        string_at(&retry, "/data/setAgentRate/agentRate/id")?
    );
    assert_refused(&s.app.graphql_as(token, SET, vars("31")).await?, "setAgentRate", "IDEMPOTENCY_MISMATCH")?;
    assert_eq!(s.history(alice, None).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn the_value_engine_loads_the_rates_of_many_agents_and_skills_at_once() -> Result<()> {
    let s = setting().await?;
    let (alice, token) = &s.alice;
    s.set(token, alice, &s.design, "30", Some("2020-01-01T00:00:00Z")).await?;
    s.set(token, alice, &s.design, "40", Some("2020-02-01T00:00:00Z")).await?;
    s.set(token, alice, &s.soldering, "20", Some("2020-01-01T00:00:00Z")).await?;
    let (alice, bob) = (AgentId::parse(alice)?, AgentId::parse(&s.bob)?);
    let (design, soldering) =
        (ResourceSpecificationId::parse(&s.design)?, ResourceSpecificationId::parse(&s.soldering)?);

    let rates = s.app.store.rates_for(&[alice, bob], &[design, soldering]).await?;
    let at = day(2020, 1, 20)?;
    assert_eq!(rates.rate(alice, design, at), Some((Decimal::from(30), RateSource::Agent(day(2020, 1, 1)?))));
    assert_eq!(
        rates.rate(alice, design, day(2020, 3, 1)?),
        Some((Decimal::from(40), RateSource::Agent(day(2020, 2, 1)?)))
    );
    assert_eq!(rates.rate(alice, design, day(2019, 1, 1)?), Some((Decimal::from(25), RateSource::Default)));
    assert_eq!(rates.rate(alice, soldering, at), Some((Decimal::from(20), RateSource::Agent(day(2020, 1, 1)?))));
    assert_eq!(rates.rate(bob, design, at), Some((Decimal::from(25), RateSource::Default)));
    assert_eq!(rates.rate(bob, soldering, at), None);
    // Only the pairs asked for are loaded.
    let only_soldering = s.app.store.rates_for(&[alice], &[soldering]).await?;
    assert_eq!(only_soldering.rate(alice, design, at), None);
    Ok(())
}
