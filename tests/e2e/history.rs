//! vf-graphql's `history` module over HTTP: `revision(revisionId)` answers a record as it was
//! at an earlier revision, `meta` counts and names its revisions, and each revision names the
//! agent whose token wrote it. Every number below is worked out by hand in the comments.

use crate::common::{TestApp, assert_refused, data, error_codes, spawn_app, string_at};
use anyhow::{Context as _, Result};
use serde_json::{Value, json};

const META: &str = "meta {
  previousRevisionsCount futureRevisionsCount
  previousRevision { id author { id } }
  latestRevision { id author { id } }
  retrievedRevision { id time author { id } } }";

const UPDATE_UNIT: &str = "mutation($u: UnitUpdateParams!) { updateUnit(unit: $u) { unit { revisionId } } }";

const EVENT: &str = "mutation($e: EconomicEventCreateParams!, $r: EconomicResourceCreateParams) {
  createEconomicEvent(event: $e, newInventoriedResource: $r) { economicEvent { id revisionId } economicResource { id revisionId } } }";

fn qty(value: &str) -> Value {
    json!({ "hasNumericalValue": value })
}

/// Updates a unit with `token`; returns the new revisionId.
async fn update_unit(app: &TestApp, token: &str, revision: &str, label: &str) -> Result<String> {
    let response =
        app.graphql_as(token, UPDATE_UNIT, json!({ "u": { "revisionId": revision, "label": label } })).await?;
    string_at(&response, "/data/updateUnit/unit/revisionId")
}

async fn spec(app: &TestApp, token: &str) -> Result<String> {
    let response = app
        .graphql_as(
            token,
            "mutation { createResourceSpecification(resourceSpecification: { name: \"flour\" }) { resourceSpecification { id } } }",
            Value::Null,
        )
        .await?;
    string_at(&response, "/data/createResourceSpecification/resourceSpecification/id")
}

#[tokio::test]
async fn a_unit_updated_twice_reads_back_each_revision_with_its_author() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, alice_token) = app.person_with_token("Alice").await?;
    let (bob, bob_token) = app.person_with_token("Bob").await?;
    // Revision 1 by Alice, 2 by Bob, 3 by Alice.
    let unit = app.create_unit(&alice_token, "kilogramme", "kg").await?;
    let second = update_unit(&app, &bob_token, &format!("{unit}:1"), "kilogram").await?;
    assert_eq!(second, format!("{unit}:2"));
    let third = update_unit(&app, &alice_token, &second, "kilo").await?;
    assert_eq!(third, format!("{unit}:3"));

    let query = format!(
        "query($id: ID!, $first: ID!, $second: ID!) {{ unit(id: $id) {{
           revisionId label symbol {META}
           first: revision(revisionId: $first) {{ revisionId label symbol {META} }}
           second: revision(revisionId: $second) {{ label {META} }} }} }}"
    );
    let response =
        app.graphql(&query, json!({ "id": unit, "first": format!("{unit}:1"), "second": format!("{unit}:2") })).await?;
    let latest = &data(&response)?["unit"];
    assert_eq!((&latest["revisionId"], &latest["label"]), (&json!(third), &json!("kilo")));

    // The latest: two revisions before it, none after; the previous one is revision 2, Bob's.
    let meta = &latest["meta"];
    assert_eq!((&meta["previousRevisionsCount"], &meta["futureRevisionsCount"]), (&json!(2), &json!(0)));
    assert_eq!(meta["previousRevision"], json!({ "id": second, "author": { "id": bob } }));
    assert_eq!(meta["latestRevision"], json!({ "id": third, "author": { "id": alice } }));
    assert_eq!(meta["retrievedRevision"]["id"], json!(third));
    assert_eq!(meta["retrievedRevision"]["author"]["id"], json!(alice));
    assert!(meta["retrievedRevision"]["time"].is_string(), "a kept revision has its time: {meta}");

    // The first: exactly the fields it was created with; none before it, two after.
    let first = &latest["first"];
    assert_eq!(
        (&first["revisionId"], &first["label"], &first["symbol"]),
        (&json!(format!("{unit}:1")), &json!("kilogramme"), &json!("kg"))
    );
    let meta = &first["meta"];
    assert_eq!((&meta["previousRevisionsCount"], &meta["futureRevisionsCount"]), (&json!(0), &json!(2)));
    assert_eq!(meta["previousRevision"], Value::Null);
    assert_eq!(meta["latestRevision"]["id"], json!(third));
    assert_eq!(meta["retrievedRevision"]["id"], json!(format!("{unit}:1")));
    assert_eq!(meta["retrievedRevision"]["author"]["id"], json!(alice));

    // The middle one: Bob's label, one before and one after.
    let middle = &latest["second"];
    assert_eq!(middle["label"], "kilogram");
    assert_eq!(middle["meta"]["retrievedRevision"]["author"]["id"], json!(bob));
    assert_eq!(
        (&middle["meta"]["previousRevisionsCount"], &middle["meta"]["futureRevisionsCount"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(middle["meta"]["previousRevision"]["id"], json!(format!("{unit}:1")));
    Ok(())
}

#[tokio::test]
async fn a_resource_specification_and_a_person_read_back_through_their_revisions() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, token) = app.person_with_token("Alice").await?;
    let spec = spec(&app, &token).await?;
    let response = app
        .graphql_as(
            &token,
            "mutation($s: ResourceSpecificationUpdateParams!) { updateResourceSpecification(resourceSpecification: $s) { resourceSpecification { revisionId } } }",
            json!({ "s": { "revisionId": format!("{spec}:1"), "name": "rye flour", "note": "stone ground" } }),
        )
        .await?;
    data(&response)?;
    let response = app
        .graphql_as(
            &token,
            "mutation($p: AgentUpdateParams!) { updatePerson(person: $p) { agent { revisionId } } }",
            json!({ "p": { "revisionId": format!("{alice}:1"), "name": "Alice B." } }),
        )
        .await?;
    data(&response)?;

    let response = app
        .graphql(
            "query($s: ID!, $s1: ID!, $a: ID!, $a1: ID!) {
               resourceSpecification(id: $s) { name revision(revisionId: $s1) { name note meta { futureRevisionsCount } } }
               agent(id: $a) { name meta { previousRevisionsCount retrievedRevision { author { id } } }
                 revision(revisionId: $a1) { __typename name meta { futureRevisionsCount } } } }",
            json!({ "s": spec, "s1": format!("{spec}:1"), "a": alice, "a1": format!("{alice}:1") }),
        )
        .await?;
    let data = data(&response)?;
    let spec = &data["resourceSpecification"];
    assert_eq!(spec["name"], "rye flour");
    assert_eq!(spec["revision"], json!({ "name": "flour", "note": null, "meta": { "futureRevisionsCount": 1 } }));
    // Through the `Agent` interface: the earlier revision is still a Person. Alice was created
    // in the store directly (as the command line does): her first revision has no author;
    // her update was made with her token.
    let agent = &data["agent"];
    assert_eq!(agent["name"], "Alice B.");
    assert_eq!(agent["meta"]["previousRevisionsCount"], 1);
    assert_eq!(agent["meta"]["retrievedRevision"]["author"]["id"], json!(alice));
    assert_eq!(
        agent["revision"],
        json!({ "__typename": "Person", "name": "Alice", "meta": { "futureRevisionsCount": 1 } })
    );
    Ok(())
}

#[tokio::test]
async fn an_annotated_event_and_an_updated_process_read_back_their_old_notes() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, token) = app.person_with_token("Alice").await?;
    let response = app
        .graphql_as(
            &token,
            "mutation($p: ProcessCreateParams!) { createProcess(process: $p) { process { id } } }",
            json!({ "p": { "name": "milling", "note": "by hand", "inScopeOf": [alice] } }),
        )
        .await?;
    let process = string_at(&response, "/data/createProcess/process/id")?;
    let response = app
        .graphql_as(
            &token,
            "mutation($p: ProcessUpdateParams!) { updateProcess(process: $p) { process { revisionId } } }",
            json!({ "p": { "revisionId": format!("{process}:1"), "note": "by mill", "inScopeOf": [] } }),
        )
        .await?;
    assert_eq!(string_at(&response, "/data/updateProcess/process/revisionId")?, format!("{process}:2"));

    let spec = spec(&app, &token).await?;
    let response = app
        .graphql_as(
            &token,
            EVENT,
            json!({ "e": { "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": spec,
                           "resourceQuantity": qty("5"), "note": "first count" },
                    "r": { "name": "flour" } }),
        )
        .await?;
    let event = string_at(&response, "/data/createEconomicEvent/economicEvent/id")?;
    let response = app
        .graphql_as(
            &token,
            "mutation($e: EconomicEventUpdateParams!) { updateEconomicEvent(event: $e) { economicEvent { revisionId note } } }",
            json!({ "e": { "revisionId": format!("{event}:1"), "note": "recounted: still 5" } }),
        )
        .await?;
    assert_eq!(string_at(&response, "/data/updateEconomicEvent/economicEvent/revisionId")?, format!("{event}:2"));

    let response = app
        .graphql(
            "query($p: ID!, $p1: ID!, $e: ID!, $e1: ID!) {
               process(id: $p) { note inScopeOf { ... on Person { id } }
                 revision(revisionId: $p1) { revisionId note inScopeOf { ... on Person { id } } } }
               economicEvent(id: $e) { note meta { previousRevisionsCount }
                 revision(revisionId: $e1) { revisionId note resourceQuantity { hasNumericalValue }
                   meta { retrievedRevision { author { id } } futureRevisionsCount } } } }",
            json!({ "p": process, "p1": format!("{process}:1"), "e": event, "e1": format!("{event}:1") }),
        )
        .await?;
    let data = data(&response)?;
    // The process's scope rows are kept with it: revision 1 was in Alice's scope, 2 in none.
    assert_eq!(data["process"]["note"], "by mill");
    assert_eq!(data["process"]["inScopeOf"], Value::Null);
    assert_eq!(
        data["process"]["revision"],
        json!({ "revisionId": format!("{process}:1"), "note": "by hand", "inScopeOf": [{ "id": alice }] })
    );
    assert_eq!(data["economicEvent"]["note"], "recounted: still 5");
    assert_eq!(data["economicEvent"]["meta"]["previousRevisionsCount"], 1);
    assert_eq!(
        data["economicEvent"]["revision"],
        json!({ "revisionId": format!("{event}:1"), "note": "first count", "resourceQuantity": { "hasNumericalValue": "5" },
                "meta": { "retrievedRevision": { "author": { "id": alice } }, "futureRevisionsCount": 1 } })
    );
    Ok(())
}

#[tokio::test]
async fn a_resource_changed_by_events_shows_its_earlier_quantities() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, token) = app.person_with_token("Alice").await?;
    let spec = spec(&app, &token).await?;
    // raise 10 (revision 1: 10), raise 5 (revision 2: 15), lower 3 (revision 3: 12).
    let response = app
        .graphql_as(
            &token,
            EVENT,
            json!({ "e": { "action": "raise", "provider": alice, "receiver": alice, "resourceConformsTo": spec,
                           "resourceQuantity": qty("10") },
                    "r": { "name": "flour" } }),
        )
        .await?;
    let resource = string_at(&response, "/data/createEconomicEvent/economicResource/id")?;
    assert_eq!(string_at(&response, "/data/createEconomicEvent/economicResource/revisionId")?, format!("{resource}:1"));
    for (action, quantity, revision) in [("raise", "5", 2), ("lower", "3", 3)] {
        let response = app
            .graphql_as(
                &token,
                EVENT,
                json!({ "e": { "action": action, "provider": alice, "receiver": alice, "resourceInventoriedAs": resource,
                               "resourceQuantity": qty(quantity) } }),
            )
            .await?;
        assert_eq!(
            string_at(&response, "/data/createEconomicEvent/economicResource/revisionId")?,
            format!("{resource}:{revision}")
        );
    }

    let response = app
        .graphql(
            "query($id: ID!, $r1: ID!, $r2: ID!) { economicResource(id: $id) {
               revisionId accountingQuantity { hasNumericalValue }
               meta { previousRevisionsCount futureRevisionsCount }
               r1: revision(revisionId: $r1) { accountingQuantity { hasNumericalValue } onhandQuantity { hasNumericalValue } }
               r2: revision(revisionId: $r2) { accountingQuantity { hasNumericalValue } meta { futureRevisionsCount } } } }",
            json!({ "id": resource, "r1": format!("{resource}:1"), "r2": format!("{resource}:2") }),
        )
        .await?;
    let read = &data(&response)?["economicResource"];
    assert_eq!(read["revisionId"], format!("{resource}:3"));
    assert_eq!(read["accountingQuantity"]["hasNumericalValue"], "12");
    assert_eq!(read["meta"], json!({ "previousRevisionsCount": 2, "futureRevisionsCount": 0 }));
    assert_eq!(
        read["r1"],
        json!({ "accountingQuantity": { "hasNumericalValue": "10" }, "onhandQuantity": { "hasNumericalValue": "10" } })
    );
    assert_eq!(
        read["r2"],
        json!({ "accountingQuantity": { "hasNumericalValue": "15" }, "meta": { "futureRevisionsCount": 1 } })
    );

    // An update against the revision read before the lower is stale: CONFLICT.
    let response = app
        .graphql_as(
            &token,
            "mutation($r: EconomicResourceUpdateParams!) { updateEconomicResource(resource: $r) { economicResource { revisionId } } }",
            json!({ "r": { "revisionId": format!("{resource}:2"), "note": "sifted" } }),
        )
        .await?;
    assert_refused(&response, "updateEconomicResource", "CONFLICT")?;
    Ok(())
}

#[tokio::test]
async fn a_stale_update_is_a_conflict_and_keeps_no_revision() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let unit = app.create_unit(&token, "litre", "l").await?;
    update_unit(&app, &token, &format!("{unit}:1"), "liter").await?;

    let response = app
        .graphql_as(&token, UPDATE_UNIT, json!({ "u": { "revisionId": format!("{unit}:1"), "label": "stale" } }))
        .await?;
    assert_refused(&response, "updateUnit", "CONFLICT")?;

    // Still two revisions: the refused write kept nothing, and no revision 3 exists.
    let response = app
        .graphql(
            &format!("query($id: ID!, $r3: ID!) {{ unit(id: $id) {{ label revisionId {META} revision(revisionId: $r3) {{ label }} }} }}"),
            json!({ "id": unit, "r3": format!("{unit}:3") }),
        )
        .await?;
    let read = &data(&response)?["unit"];
    assert_eq!((&read["label"], &read["revisionId"]), (&json!("liter"), &json!(format!("{unit}:2"))));
    assert_eq!(
        (&read["meta"]["previousRevisionsCount"], &read["meta"]["futureRevisionsCount"]),
        (&json!(1), &json!(0))
    );
    assert_eq!(read["meta"]["latestRevision"]["id"], json!(format!("{unit}:2")));
    assert_eq!(read["revision"], Value::Null);
    Ok(())
}

#[tokio::test]
async fn a_revision_of_another_record_is_null_and_garbage_is_bad_input() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let litre = app.create_unit(&token, "litre", "l").await?;
    let metre = app.create_unit(&token, "metre", "m").await?;
    let query = "query($id: ID!, $r: ID!) { unit(id: $id) { label revision(revisionId: $r) { label } } }";

    // A well-formed revisionId of another unit: this unit has no such revision.
    let response = app.graphql(query, json!({ "id": litre, "r": format!("{metre}:1") })).await?;
    assert_eq!(data(&response)?["unit"], json!({ "label": "litre", "revision": null }));
    // A revision number this unit never reached.
    let response = app.graphql(query, json!({ "id": litre, "r": format!("{litre}:9") })).await?;
    assert_eq!(data(&response)?["unit"]["revision"], Value::Null);
    // Not a revisionId at all: BAD_INPUT, and the rest of the unit still answers.
    for garbage in ["yesterday", &format!("{litre}:0"), "not-a-uuid:1"] {
        let response = app.graphql(query, json!({ "id": litre, "r": garbage })).await?;
        assert_eq!(error_codes(&response), ["BAD_INPUT"], "{garbage}: {response}");
        assert_eq!(response["data"]["unit"]["label"], "litre", "{response}");
    }
    Ok(())
}

#[tokio::test]
async fn the_meta_of_a_list_of_records_answers_for_each() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    // 12 units, every third updated once: (12 / 3) = 4 with one previous revision.
    for i in 0..12 {
        let unit = app.create_unit(&token, &format!("unit {i}"), &format!("u{i}")).await?;
        if i % 3 == 0 {
            update_unit(&app, &token, &format!("{unit}:1"), &format!("unit {i} (renamed)")).await?;
        }
    }
    let response = app
        .graphql(
            "{ units(first: 50) { edges { node { label meta { previousRevisionsCount latestRevision { id } } revisionId } } } }",
            Value::Null,
        )
        .await?;
    let edges = data(&response)?["units"]["edges"].as_array().context("edges")?.clone();
    assert_eq!(edges.len(), 12);
    let mut renamed = 0;
    for edge in &edges {
        let node = &edge["node"];
        assert_eq!(node["meta"]["latestRevision"]["id"], node["revisionId"], "{node}");
        let expected = if node["label"].as_str().is_some_and(|l| l.ends_with("(renamed)")) {
            renamed += 1;
            1
        } else {
            0
        };
        assert_eq!(node["meta"]["previousRevisionsCount"], expected, "{node}");
    }
    assert_eq!(renamed, 4);
    Ok(())
}

#[tokio::test]
async fn a_record_written_before_revisions_were_kept_answers_from_its_row() -> Result<()> {
    use sea_orm::ConnectionTrait;

    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    // A unit at revision 3 whose revisions were never kept, as a database migrated from
    // before `record_revision` has them (or a row written by hand).
    let unit = "01930000-0000-7000-8000-000000000003";
    app.store
        .connection()
        .execute_unprepared(&format!(
            "INSERT INTO unit (id, label, symbol, om_unit_identifier, revision, created_at, updated_at)
             VALUES ('{unit}', 'bushel', 'bu', NULL, 3, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
        ))
        .await?;
    let query = format!(
        "query($id: ID!, $r: ID!) {{ unit(id: $id) {{ label revisionId {META} revision(revisionId: $r) {{ label }} }} }}"
    );

    // Its row is its latest revision; the two before it are unknown: no previous revision, and
    // a count that says "not known" rather than 0.
    let response = app.graphql(&query, json!({ "id": unit, "r": format!("{unit}:2") })).await?;
    let read = &data(&response)?["unit"];
    assert_eq!((&read["label"], &read["revisionId"]), (&json!("bushel"), &json!(format!("{unit}:3"))));
    let meta = &read["meta"];
    assert_eq!((&meta["previousRevisionsCount"], &meta["futureRevisionsCount"]), (&Value::Null, &json!(0)));
    assert_eq!(meta["previousRevision"], Value::Null);
    assert_eq!(meta["latestRevision"], json!({ "id": format!("{unit}:3"), "author": null }));
    assert_eq!(meta["retrievedRevision"], json!({ "id": format!("{unit}:3"), "time": null, "author": null }));
    assert_eq!(read["revision"], Value::Null);

    // Written again: revision 4 is kept from now on; 3 was never kept, so it stays unknown.
    update_unit(&app, &token, &format!("{unit}:3"), "bushels").await?;
    let response = app.graphql(&query, json!({ "id": unit, "r": format!("{unit}:3") })).await?;
    let read = &data(&response)?["unit"];
    assert_eq!((&read["label"], &read["revisionId"]), (&json!("bushels"), &json!(format!("{unit}:4"))));
    assert_eq!(
        (&read["meta"]["previousRevisionsCount"], &read["meta"]["previousRevision"]),
        (&Value::Null, &Value::Null)
    );
    assert!(read["meta"]["retrievedRevision"]["time"].is_string(), "{read}");
    assert_eq!(read["revision"], Value::Null);
    Ok(())
}

#[tokio::test]
async fn planning_records_read_back_their_revisions_and_refuse_a_stale_update() -> Result<()> {
    let app = spawn_app().await?;
    let (alice, token) = app.person_with_token("Alice").await?;
    let (bob, _) = app.person_with_token("Bob").await?;
    let hour = app.create_unit(&token, "hour", "h").await?;
    let process = string_at(
        &app.graphql_as(
            &token,
            "mutation { createProcess(process: { name: \"design\" }) { process { id } } }",
            Value::Null,
        )
        .await?,
        "/data/createProcess/process/id",
    )?;
    let created = app
        .graphql_as(
            &token,
            "mutation($c: CommitmentCreateParams!) { createCommitment(commitment: $c) { commitment { id revisionId } } }",
            json!({ "c": { "action": "work", "provider": alice, "receiver": bob, "inputOf": process, "note": "first",
                           "effortQuantity": { "hasNumericalValue": "3", "hasUnit": hour } } }),
        )
        .await?;
    let id = string_at(&created, "/data/createCommitment/commitment/id")?;
    let first = string_at(&created, "/data/createCommitment/commitment/revisionId")?;
    let update =
        "mutation($c: CommitmentUpdateParams!) { updateCommitment(commitment: $c) { commitment { revisionId } } }";
    let second = string_at(
        &app.graphql_as(&token, update, json!({ "c": { "revisionId": first, "note": "second",
                                                       "effortQuantity": { "hasNumericalValue": "4", "hasUnit": hour } } }))
            .await?,
        "/data/updateCommitment/commitment/revisionId",
    )?;
    // An update keyed by the first revision is stale now.
    let stale = app.graphql_as(&token, update, json!({ "c": { "revisionId": first, "note": "lost" } })).await?;
    assert_refused(&stale, "updateCommitment", "CONFLICT")?;
    let read = app
        .graphql(
            &format!(
                "query($id: ID!, $r: ID!) {{ commitment(id: $id) {{ note effortQuantity {{ hasNumericalValue }} {META}
                   revision(revisionId: $r) {{ note effortQuantity {{ hasNumericalValue }} revisionId }} }} }}"
            ),
            json!({ "id": id, "r": first }),
        )
        .await?;
    let commitment = &data(&read)?["commitment"];
    assert_eq!(
        (&commitment["note"], &commitment["effortQuantity"]["hasNumericalValue"]),
        (&json!("second"), &json!("4"))
    );
    let old = &commitment["revision"];
    assert_eq!(
        (&old["note"], &old["effortQuantity"]["hasNumericalValue"], &old["revisionId"]),
        (&json!("first"), &json!("3"), &json!(first))
    );
    let meta = &commitment["meta"];
    assert_eq!((&meta["previousRevisionsCount"], &meta["futureRevisionsCount"]), (&json!(1), &json!(0)));
    assert_eq!(meta["latestRevision"]["id"], second.as_str());
    assert_eq!(meta["previousRevision"]["id"], first.as_str());
    assert_eq!(meta["latestRevision"]["author"]["id"], alice.as_str());
    Ok(())
}
