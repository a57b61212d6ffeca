//! Bookings over HTTP: a pooled printer under its owner's access rule (named agents and a
//! role, two hours at most) is booked by those the rule names and refused to a stranger and
//! past two hours; overlapping bookings are refused and back-to-back ones accepted; a rule
//! that asks approval leaves a booking PENDING until the owner (and nobody else) approves it;
//! a cancellation frees the slot; 16 bookings of one slot racing: exactly one wins; a `use` in
//! the booking fulfils it, and someone else's is refused; a network's shared resources show
//! their booked and free intervals.
//!
//! The rules are set through `ovn_persistence::sharing::access::set_rule_in` on the test's
//! own connection until the `setAccessRule` mutation lands.

use anyhow::{Context, Result, ensure};
use chrono::TimeDelta;
use futures::FutureExt;
use ovn_domain::sharing::access::{AccessTarget, AccessTerms};
use ovn_domain::{AgentId, AgentRelationshipRoleId, EconomicResourceId};
use ovn_persistence::sharing::access::set_rule_in;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::common::{TestApp, assert_refused, data, error_codes, spawn_app};
use crate::sensor_kit::{AFFILIATE_OF, PART_OF, Person, create, organization, person, process, record, relate, spec};

const CUSTODIAN_OF: &str = "00000000-0000-8000-8000-000000000004";

const BOOK: &str = "mutation($r: ID!, $b: DateTime!, $e: DateTime!) {
  bookResource(resource: $r, hasBeginning: $b, hasEnd: $e) {
    commitment { id action { id } provider { id } receiver { id } hasBeginning hasEnd finished
                 resourceInventoriedAs { id } } } }";
const BOOKING: &str = "query($id: ID!) { booking(id: $id) {
  id status booker { id } approvedBy { id } cancelledBy { id } fulfilledBy { id }
  commitment { finished fulfilledBy { fulfilledBy { id } } } } }";
const APPROVE: &str = "mutation($b: ID!) { approveBooking(booking: $b) { booking { id status approvedBy { id } } } }";
const CANCEL: &str = "mutation($b: ID!) { cancelBooking(booking: $b) { booking { id status cancelledBy { id } } } }";

/// A network with a project part of it, its custodian, a steward, the printer's owner Dan
/// (an affiliate), Alice (named by the rule), Bob (holds the rule's role), Carol (an affiliate
/// the rule does not name), a stranger, and Dan's printer in the pool of shareables.
struct Shared {
    app: TestApp,
    network: String,
    project: String,
    custodian: Person,
    dan: Person,
    alice: Person,
    bob: Person,
    carol: Person,
    stranger: Person,
    printer_spec: String,
    printer: String,
    operator: String,
}

/// `2027-01-04T{hh}:{mm}:00Z`.
fn t(hh: u32, mm: u32) -> String {
    format!("2027-01-04T{hh:02}:{mm:02}:00Z")
}

async fn shared() -> Result<Shared> {
    let app = spawn_app().await?;
    let steward = person(&app, "Steward").await?;
    let [dan, alice, bob, carol, stranger] = [
        person(&app, "Dan").await?,
        person(&app, "Alice").await?,
        person(&app, "Bob").await?,
        person(&app, "Carol").await?,
        person(&app, "Stranger").await?,
    ];
    let network = organization(&app, &steward.token, "Sensorica", "https://ovn.example/network").await?;
    let project = organization(&app, &steward.token, "Sensor kit", "https://ovn.example/project").await?;
    let trust = organization(&app, &steward.token, "Commons trust", "https://ovn.example/trust").await?;
    relate(&app, &steward.token, &steward.id, crate::sensor_kit::STEWARD_OF, &network).await?;
    relate(&app, &steward.token, &project, PART_OF, &network).await?;
    relate(&app, &steward.token, &trust, CUSTODIAN_OF, &network).await?;
    for who in [&dan, &alice, &bob, &carol] {
        relate(&app, &who.token, &who.id, AFFILIATE_OF, &network).await?;
    }
    let operator = create(
        &app,
        &steward.token,
        "mutation { createAgentRelationshipRole(agentRelationshipRole: { roleLabel: \"printer operator\" }) {
           agentRelationshipRole { id } } }",
        Value::Null,
        "/data/createAgentRelationshipRole/agentRelationshipRole/id",
    )
    .await?;
    relate(&app, &steward.token, &bob.id, &operator, &network).await?;
    let printer_spec = spec(&app, &dan.token, json!({ "name": "3D printer" })).await?;
    let printer = owned(&app, &dan, &printer_spec, "printer", "POOL_OF_SHAREABLES").await?;
    let custodian = Person { token: app.token_for(&trust)?, id: trust };
    Ok(Shared { app, network, project, custodian, dan, alice, bob, carol, stranger, printer_spec, printer, operator })
}

/// A resource `who` raises into being, of `regime`; returns its id.
async fn owned(app: &TestApp, who: &Person, spec: &str, name: &str, regime: &str) -> Result<String> {
    let (_, resource) = record(
        app,
        &who.token,
        json!({ "action": "raise", "provider": who.id, "receiver": who.id, "resourceConformsTo": spec,
                "resourceQuantity": { "hasNumericalValue": "1" } }),
        json!({ "name": name, "propertyRegime": regime }),
    )
    .await?;
    resource.context("raise returns the new resource")
}

async fn book(s: &Shared, who: &Person, resource: &str, from: &str, to: &str) -> Result<Value> {
    s.app.graphql_as(&who.token, BOOK, json!({ "r": resource, "b": from, "e": to })).await
}

/// [`book`], which must succeed; returns the booking's (its commitment's) id and status.
async fn booked(s: &Shared, who: &Person, resource: &str, from: &str, to: &str) -> Result<(String, String)> {
    let response = book(s, who, resource, from, to).await?;
    let commitment =
        &data(&response).with_context(|| format!("{} booking {from}-{to}", who.id))?["bookResource"]["commitment"];
    ensure!(
        commitment["action"]["id"] == "use"
            && commitment["receiver"]["id"] == json!(who.id)
            && commitment["resourceInventoriedAs"]["id"] == json!(resource)
            && commitment["finished"] == false,
        "{commitment}"
    );
    let id = commitment["id"].as_str().context("commitment id")?.to_owned();
    let status = read_booking(s, &id).await?["status"].as_str().context("status")?.to_owned();
    Ok((id, status))
}

async fn read_booking(s: &Shared, booking: &str) -> Result<Value> {
    Ok(data(&s.app.graphql(BOOKING, json!({ "id": booking })).await?)?["booking"].clone())
}

/// The message of the one error of a response, which must be an access-rule violation.
fn violation(response: &Value, field: &str) -> Result<String> {
    assert_refused(response, field, "ACCESS_RULE_VIOLATION")?;
    Ok(response["errors"][0]["message"].as_str().unwrap_or_default().to_owned())
}

/// What a test's access rule says (turned into the foundation's terms by [`set_rule`]).
#[derive(Default)]
struct Rule<'a> {
    scope: &'a str,
    any_affiliate: bool,
    agents: Vec<&'a str>,
    roles: Vec<&'a str>,
    requires_approval: bool,
    longest_minutes: Option<i64>,
}

/// Sets `rule` as the access rule of `resource`, by its owner Dan, straight into the store
/// (until the `setAccessRule` mutation lands).
async fn set_rule(s: &Shared, resource: &str, rule: &Rule<'_>) -> Result<()> {
    let terms = AccessTerms {
        scope: AgentId::parse(rule.scope)?,
        any_affiliate: rule.any_affiliate,
        roles: rule.roles.iter().map(|r| AgentRelationshipRoleId::parse(r)).collect::<Result<_, _>>()?,
        agents: rule.agents.iter().map(|a| AgentId::parse(a)).collect::<Result<_, _>>()?,
        minimum_reputation: None,
        requires_approval: rule.requires_approval,
        longest_booking: rule.longest_minutes.map(TimeDelta::minutes),
        value_per_unit_of_use: None,
        maintenance_share: Decimal::ZERO,
        maintenance_recipient: None,
        note: None,
    }
    .check()?;
    let target = AccessTarget::Resource(EconomicResourceId::parse(resource)?);
    let owner = AgentId::parse(&s.dan.id)?;
    s.app
        .store
        .write(move |txn| {
            async move { set_rule_in(txn, target, terms, owner, None, chrono::Utc::now()).await.map(|_| ()) }.boxed()
        })
        .await?;
    Ok(())
}

#[tokio::test]
async fn the_rule_names_who_books_for_how_long_and_slots_never_overlap() -> Result<()> {
    // Arrange: Dan's printer, usable by Alice (named) and printer operators (Bob), 2 h at most.
    let s = shared().await?;
    let rule = Rule {
        scope: &s.network,
        agents: vec![&s.alice.id],
        roles: vec![&s.operator],
        longest_minutes: Some(120),
        ..Rule::default()
    };
    set_rule(&s, &s.printer, &rule).await?;

    // A stranger and an affiliate the rule does not name are refused, the message naming the
    // rule; nothing is booked.
    for who in [&s.stranger, &s.carol] {
        let message = violation(&book(&s, who, &s.printer, &t(9, 0), &t(10, 0)).await?, "bookResource")?;
        ensure!(message.contains("access rule"), "{message}");
    }
    // Alice (named) books 10:00-12:00, exactly the longest booking: confirmed at once (no
    // approval asked), provided by Dan, the printer's owner.
    let response = book(&s, &s.alice, &s.printer, &t(10, 0), &t(12, 0)).await?;
    let commitment = &data(&response)?["bookResource"]["commitment"];
    ensure!(commitment["provider"]["id"] == json!(s.dan.id), "{commitment}");
    let alices = commitment["id"].as_str().context("id")?.to_owned();
    ensure!(read_booking(&s, &alices).await?["status"] == "CONFIRMED");
    // Bob (a printer operator) is refused 2 h 1 min, the longest booking being 2 h.
    let message = violation(&book(&s, &s.bob, &s.printer, &t(12, 0), &t(14, 1)).await?, "bookResource")?;
    ensure!(message.contains("120"), "{message}");
    // Overlaps with Alice's 10:00-12:00 are refused, whichever end overlaps, naming her booking.
    for (from, to) in [(t(11, 59), t(13, 0)), (t(9, 0), t(10, 1)), (t(10, 30), t(11, 0))] {
        let message = violation(&book(&s, &s.bob, &s.printer, &from, &to).await?, "bookResource")?;
        ensure!(message.contains(&alices), "{message}");
    }
    // Back to back on both sides is accepted: the intervals are half-open.
    let (_, after) = booked(&s, &s.bob, &s.printer, &t(12, 0), &t(14, 0)).await?;
    let (_, before) = booked(&s, &s.alice, &s.printer, &t(8, 0), &t(10, 0)).await?;
    ensure!(after == "CONFIRMED" && before == "CONFIRMED");
    // The owner, whom the rule does not name, books its own printer (a holder always may),
    // for no longer than anyone else.
    booked(&s, &s.dan, &s.printer, &t(14, 0), &t(16, 0)).await?;
    violation(&book(&s, &s.dan, &s.printer, &t(16, 0), &t(18, 1)).await?, "bookResource")?;

    // createCommitment with the same fields books through the same checks: provided by
    // someone other than the holder it is BAD_INPUT, overlapping it is refused, else booked.
    let commit = |provider: &str, from: String, to: String| {
        json!({ "action": "use", "provider": provider, "receiver": s.bob.id, "resourceInventoriedAs": s.printer,
                "hasBeginning": from, "hasEnd": to })
    };
    const COMMIT: &str =
        "mutation($c: CommitmentCreateParams!) { createCommitment(commitment: $c) { commitment { id revisionId } } }";
    let by_alice =
        s.app.graphql_as(&s.bob.token, COMMIT, json!({ "c": commit(&s.alice.id, t(18, 0), t(19, 0)) })).await?;
    assert_refused(&by_alice, "createCommitment", "BAD_INPUT")?;
    let overlapping =
        s.app.graphql_as(&s.bob.token, COMMIT, json!({ "c": commit(&s.dan.id, t(15, 0), t(17, 0)) })).await?;
    violation(&overlapping, "createCommitment")?;
    let created = s.app.graphql_as(&s.bob.token, COMMIT, json!({ "c": commit(&s.dan.id, t(18, 0), t(19, 0)) })).await?;
    let created = &data(&created)?["createCommitment"]["commitment"];
    let bobs = created["id"].as_str().context("id")?;
    ensure!(read_booking(&s, bobs).await?["status"] == "CONFIRMED");
    // Its interval does not change under the booking's checks, and it is not deleted: it is
    // cancelled.
    let moved = s
        .app
        .graphql_as(
            &s.bob.token,
            "mutation($c: CommitmentUpdateParams!) { updateCommitment(commitment: $c) { commitment { id } } }",
            json!({ "c": { "revisionId": created["revisionId"], "hasEnd": t(21, 0) } }),
        )
        .await?;
    assert_refused(&moved, "updateCommitment", "CONFLICT")?;
    let deleted = s
        .app
        .graphql_as(
            &s.bob.token,
            "mutation($r: ID!) { deleteCommitment(revisionId: $r) }",
            json!({ "r": created["revisionId"] }),
        )
        .await?;
    assert_refused(&deleted, "deleteCommitment", "CONFLICT")?;

    // Three bookings, in order; Alice's two are hers.
    let listed = s
        .app
        .graphql(
            "query($r: ID!, $f: DateTime, $t: DateTime) { resourceBookings(resource: $r, from: $f, to: $t) {
               booker { id } hasBeginning hasEnd status } }",
            json!({ "r": s.printer, "f": t(9, 0), "t": t(14, 0) }),
        )
        .await?;
    let listed = data(&listed)?["resourceBookings"].as_array().context("list")?.clone();
    let spans: Vec<(&str, &str)> = listed
        .iter()
        .map(|b| (b["booker"]["id"].as_str().unwrap_or_default(), b["hasBeginning"].as_str().unwrap_or_default()))
        .collect();
    ensure!(
        spans
            == [
                (s.alice.id.as_str(), "2027-01-04T08:00:00+00:00"),
                (&s.alice.id, "2027-01-04T10:00:00+00:00"),
                (&s.bob.id, "2027-01-04T12:00:00+00:00")
            ],
        "{spans:?}"
    );
    let mine = data(
        &s.app.graphql("query($a: ID!) { bookings(agent: $a) { id } }", json!({ "a": s.alice.id })).await?,
    )?["bookings"]
        .as_array()
        .map(Vec::len);
    ensure!(mine == Some(2), "{mine:?}");
    Ok(())
}

#[tokio::test]
async fn approval_is_the_owners_and_a_cancellation_frees_the_slot() -> Result<()> {
    // Arrange: the printer open to any affiliate, each booking approved by its owner.
    let s = shared().await?;
    let rule = Rule { scope: &s.network, any_affiliate: true, requires_approval: true, ..Rule::default() };
    set_rule(&s, &s.printer, &rule).await?;

    // Alice's booking waits; it already holds its slot.
    let (alices, status) = booked(&s, &s.alice, &s.printer, &t(10, 0), &t(12, 0)).await?;
    ensure!(status == "PENDING", "{status}");
    violation(&book(&s, &s.bob, &s.printer, &t(11, 0), &t(13, 0)).await?, "bookResource")?;
    // Neither a stranger nor Alice herself approves it; Dan does, once.
    for who in [&s.stranger, &s.alice, &s.custodian] {
        let response = s.app.graphql_as(&who.token, APPROVE, json!({ "b": alices })).await?;
        assert_refused(&response, "approveBooking", "FORBIDDEN")?;
    }
    let approved = s.app.graphql_as(&s.dan.token, APPROVE, json!({ "b": alices })).await?;
    let approved = &data(&approved)?["approveBooking"]["booking"];
    ensure!(approved["status"] == "CONFIRMED" && approved["approvedBy"]["id"] == json!(s.dan.id), "{approved}");
    let again = s.app.graphql_as(&s.dan.token, APPROVE, json!({ "b": alices })).await?;
    assert_refused(&again, "approveBooking", "CONFLICT")?;

    // A stranger cannot cancel it; Alice can: her slot is free, her commitment finished.
    let response = s.app.graphql_as(&s.stranger.token, CANCEL, json!({ "b": alices })).await?;
    assert_refused(&response, "cancelBooking", "FORBIDDEN")?;
    let cancelled = s.app.graphql_as(&s.alice.token, CANCEL, json!({ "b": alices })).await?;
    let cancelled = &data(&cancelled)?["cancelBooking"]["booking"];
    ensure!(cancelled["status"] == "CANCELLED" && cancelled["cancelledBy"]["id"] == json!(s.alice.id), "{cancelled}");
    ensure!(read_booking(&s, &alices).await?["commitment"]["finished"] == true);
    let twice = s.app.graphql_as(&s.alice.token, CANCEL, json!({ "b": alices })).await?;
    assert_refused(&twice, "cancelBooking", "CONFLICT")?;
    let late = s.app.graphql_as(&s.dan.token, APPROVE, json!({ "b": alices })).await?;
    assert_refused(&late, "approveBooking", "CONFLICT")?;

    // Bob books the freed slot; the owner cancels it (a holder may).
    let (bobs, status) = booked(&s, &s.bob, &s.printer, &t(11, 0), &t(13, 0)).await?;
    ensure!(status == "PENDING");
    let response = s.app.graphql_as(&s.dan.token, CANCEL, json!({ "b": bobs })).await?;
    ensure!(data(&response)?["cancelBooking"]["booking"]["cancelledBy"]["id"] == json!(s.dan.id), "{response}");
    // An unknown booking is NOT_FOUND.
    let unknown = s.app.graphql_as(&s.dan.token, CANCEL, json!({ "b": s.printer })).await?;
    assert_refused(&unknown, "cancelBooking", "NOT_FOUND")?;
    Ok(())
}

#[tokio::test]
async fn sixteen_bookings_racing_for_one_slot_make_exactly_one() -> Result<()> {
    let s = shared().await?;
    let rule = Rule { scope: &s.network, any_affiliate: true, ..Rule::default() };
    set_rule(&s, &s.printer, &rule).await?;

    // 16 bookings at once, each overlapping every other (10:00+i min to 11:00+i min).
    let people = [&s.alice, &s.bob, &s.carol, &s.dan];
    let slots: Vec<(String, String)> = (0..16u32).map(|i| (t(10, i), t(11, i))).collect();
    let all = slots.iter().enumerate().map(|(i, (from, to))| book(&s, people[i % 4], &s.printer, from, to));
    let responses = futures::future::join_all(all).await;
    let mut won = 0;
    for response in responses {
        let response = response?;
        match error_codes(&response).as_slice() {
            [] => won += 1,
            [code] if code == "ACCESS_RULE_VIOLATION" => {}
            other => anyhow::bail!("unexpected {other:?}: {response}"),
        }
    }
    ensure!(won == 1, "{won} bookings won");
    let listed =
        s.app.graphql("query($r: ID!) { resourceBookings(resource: $r) { id } }", json!({ "r": s.printer })).await?;
    ensure!(data(&listed)?["resourceBookings"].as_array().map(Vec::len) == Some(1), "{listed}");
    Ok(())
}

#[tokio::test]
async fn the_bookers_use_fulfils_the_booking_and_anyone_elses_is_refused() -> Result<()> {
    let s = shared().await?;
    let rule = Rule { scope: &s.network, any_affiliate: true, ..Rule::default() };
    set_rule(&s, &s.printer, &rule).await?;
    let (alices, _) = booked(&s, &s.alice, &s.printer, &t(10, 0), &t(12, 0)).await?;
    let assembly = process(&s.app, &s.dan.token, "assembly", &s.project).await?;
    let hour = s.app.create_unit(&s.dan.token, "hour", "h").await?;
    let use_at = |who: &Person, at: String| {
        json!({ "action": "use", "provider": who.id, "receiver": s.project, "inputOf": assembly,
                "resourceInventoriedAs": s.printer, "effortQuantity": { "hasNumericalValue": "1", "hasUnit": hour },
                "hasPointInTime": at, "inScopeOf": [s.project] })
    };

    // Bob's use, and Dan's own, at 11:00 in Alice's booking: refused, naming her booking.
    for who in [&s.bob, &s.dan] {
        let response =
            s.app.graphql_as(&who.token, crate::sensor_kit::EVENT, json!({ "e": use_at(who, t(11, 0)) })).await?;
        let message = violation(&response, "createEconomicEvent")?;
        ensure!(message.contains(&alices), "{message}");
    }
    // At 12:00 the booking is over: Bob's use passes and fulfils nothing.
    record(&s.app, &s.bob.token, use_at(&s.bob, t(12, 0)), Value::Null).await?;
    ensure!(read_booking(&s, &alices).await?["status"] == "CONFIRMED");

    // Alice's use at 10:30 fulfils her booking, in the event's transaction.
    let (event, _) = record(&s.app, &s.alice.token, use_at(&s.alice, t(10, 30)), Value::Null).await?;
    let booking = read_booking(&s, &alices).await?;
    ensure!(
        booking["status"] == "FULFILLED"
            && booking["fulfilledBy"]["id"] == json!(event)
            && booking["commitment"]["finished"] == true
            && booking["commitment"]["fulfilledBy"] == json!([{ "fulfilledBy": { "id": event } }]),
        "{booking}"
    );
    // A second use by Alice in her booking is one more fulfilment; a fulfilled booking is
    // not cancelled.
    let (second, _) = record(&s.app, &s.alice.token, use_at(&s.alice, t(11, 30)), Value::Null).await?;
    let booking = read_booking(&s, &alices).await?;
    ensure!(
        booking["fulfilledBy"]["id"] == json!(event)
            && booking["commitment"]["fulfilledBy"]
                == json!([{ "fulfilledBy": { "id": event } }, { "fulfilledBy": { "id": second } }]),
        "{booking}"
    );
    let response = s.app.graphql_as(&s.alice.token, CANCEL, json!({ "b": alices })).await?;
    assert_refused(&response, "cancelBooking", "CONFLICT")?;
    Ok(())
}

#[tokio::test]
async fn a_networks_shared_resources_show_their_booked_and_free_intervals() -> Result<()> {
    // Arrange: the printer (pooled, the network's rule), a workbench held by the custodian
    // (nondominium, no rule), Dan's private drill and a pooled saw under another network's
    // rule (neither listed).
    let s = shared().await?;
    let rule = Rule { scope: &s.network, any_affiliate: true, ..Rule::default() };
    set_rule(&s, &s.printer, &rule).await?;
    let bench = owned(&s.app, &s.custodian, &s.printer_spec, "workbench", "NONDOMINIUM").await?;
    owned(&s.app, &s.dan, &s.printer_spec, "drill", "PRIVATE").await?;
    let saw = owned(&s.app, &s.dan, &s.printer_spec, "saw", "POOL_OF_SHAREABLES").await?;
    let elsewhere = organization(&s.app, &s.dan.token, "Elsewhere", "https://ovn.example/network").await?;
    set_rule(&s, &saw, &Rule { scope: &elsewhere, any_affiliate: true, ..Rule::default() }).await?;

    // Printer bookings: Alice 10:00-11:00 confirmed, Bob 11:00-12:00 confirmed, Carol
    // 12:00-13:00 cancelled, Dan 14:00-15:30 confirmed, and Alice 7:00-8:00, outside the range.
    booked(&s, &s.alice, &s.printer, &t(10, 0), &t(11, 0)).await?;
    booked(&s, &s.bob, &s.printer, &t(11, 0), &t(12, 0)).await?;
    let (carols, _) = booked(&s, &s.carol, &s.printer, &t(12, 0), &t(13, 0)).await?;
    data(&s.app.graphql_as(&s.carol.token, CANCEL, json!({ "b": carols })).await?)?;
    booked(&s, &s.dan, &s.printer, &t(14, 0), &t(15, 30)).await?;
    booked(&s, &s.alice, &s.printer, &t(7, 0), &t(8, 0)).await?;
    // The bench: Carol 9:00-9:30 (the custodian holds it and always may; Carol as an
    // affiliate needs a rule: none, so only the custodian books it here).
    booked(&s, &s.custodian, &bench, &t(8, 30), &t(9, 30)).await?;

    let response = s
        .app
        .graphql(
            "query($n: ID!, $f: DateTime!, $t: DateTime!) { sharedResources(network: $n, from: $f, to: $t) {
               resource { id } bookings { booker { id } status hasBeginning hasEnd } free { hasBeginning hasEnd } } }",
            json!({ "n": s.network, "f": t(9, 0), "t": t(17, 0) }),
        )
        .await?;
    let listed = data(&response)?["sharedResources"].as_array().context("list")?.clone();
    let ids: Vec<&str> = listed.iter().filter_map(|r| r["resource"]["id"].as_str()).collect();
    let mut expected = vec![s.printer.as_str(), bench.as_str()];
    expected.sort_unstable();
    let mut found = ids.clone();
    found.sort_unstable();
    ensure!(found == expected, "{ids:?}");
    let of = |id: &str| listed.iter().find(|r| r["resource"]["id"] == id).cloned().unwrap_or_default();
    let interval = |from: String, to: String| json!({ "hasBeginning": from.replace('Z', "+00:00"), "hasEnd": to.replace('Z', "+00:00") });

    // Printer, range 9:00-17:00: booked 10-11, 11-12, 14-15:30 (Carol's cancelled 12-13 is
    // free again; 7-8 is outside): free 9-10, 12-14, 15:30-17.
    let printer = of(&s.printer);
    let booked_spans: Vec<(&str, &str)> = printer["bookings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| (b["hasBeginning"].as_str().unwrap_or_default(), b["hasEnd"].as_str().unwrap_or_default()))
        .collect();
    ensure!(
        booked_spans
            == [
                ("2027-01-04T10:00:00+00:00", "2027-01-04T11:00:00+00:00"),
                ("2027-01-04T11:00:00+00:00", "2027-01-04T12:00:00+00:00"),
                ("2027-01-04T14:00:00+00:00", "2027-01-04T15:30:00+00:00"),
            ],
        "{printer}"
    );
    ensure!(
        printer["free"]
            == json!([interval(t(9, 0), t(10, 0)), interval(t(12, 0), t(14, 0)), interval(t(15, 30), t(17, 0))]),
        "{printer}"
    );
    // Bench: 8:30-9:30 overlaps the range's start: free from 9:30 to 17:00.
    let bench = of(&bench);
    ensure!(bench["free"] == json!([interval(t(9, 30), t(17, 0))]), "{bench}");
    ensure!(bench["bookings"].as_array().map(Vec::len) == Some(1), "{bench}");
    Ok(())
}
