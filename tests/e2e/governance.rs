//! Governance over HTTP: adopting a value equation by the contributors' vote. Decided at once
//! when every elector has voted; decided by the server's sweeper at the deadline, without
//! anyone calling anything (passing; failing for want of a quorum; failing the two-thirds
//! threshold with 1 for and 2 against); a second vote replacing the first; passing v2 retires
//! v1; proposed and adopted versions frozen; the electorate's bootstrap (stewards, then the
//! proposer); the scope's rule; refusals that write nothing.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::common::{TestApp, assert_refused, data, string_at};
use crate::value_equations::{AFFILIATE_OF, DELETE, Project, UPDATE, draft, organization, project, relate, sensor_kit};

const PROPOSE: &str = "mutation($p: GovernanceProposalCreateParams!) { createGovernanceProposal(proposal: $p) {
  governanceProposal { id status electorateBasis electorate { agent { id } weight } } } }";
const VOTE: &str = "mutation($p: ID!, $y: Boolean!) { vote(proposal: $p, inFavour: $y) {
  governanceProposal { id status decidedAt } } }";
const PROPOSAL: &str = "query($id: ID!) { governanceProposal(id: $id) {
  id kind status deadline created decidedAt note quorum threshold weighting electorateBasis
  scope { id } proposer { id } valueEquation { id status }
  electorate { agent { id } weight }
  votes { voter { id } inFavour weight castAt }
  tally { eligibleWeight castWeight inFavourWeight againstWeight quorumReached passed } } }";
const EQUATION: &str =
    "query($id: ID!) { valueEquation(id: $id) { id revisionId version status adoptedAt retiredAt } }";
const RULE: &str = "query($s: ID!) { governanceRule(scope: $s) { scope { id } quorum threshold weighting } }";
const SET_RULE: &str = "mutation($s: ID!, $q: Decimal!, $t: Decimal!, $w: VoteWeighting!) {
  setGovernanceRule(scope: $s, quorum: $q, threshold: $t, weighting: $w) { quorum threshold weighting } }";

/// A deadline `seconds` from now, as RFC 3339.
fn in_seconds(seconds: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(seconds)).to_rfc3339()
}

/// Records a contribution: `who` works 3 hours for the project, in its scope.
async fn contribute(app: &TestApp, p: &Project, who: &(String, String), process: &str) -> Result<()> {
    let event = json!({ "action": "work", "provider": who.0, "receiver": p.project, "inputOf": process,
                        "effortQuantity": { "hasNumericalValue": "3" }, "inScopeOf": [p.project] });
    let response = app
        .graphql_as(
            &who.1,
            "mutation($e: EconomicEventCreateParams!) { createEconomicEvent(event: $e) { economicEvent { isContribution } } }",
            json!({ "e": event }),
        )
        .await?;
    let recorded = &data(&response).context("recording a contribution")?["createEconomicEvent"]["economicEvent"];
    anyhow::ensure!(recorded["isContribution"] == true, "not a contribution: {response}");
    Ok(())
}

/// The project, with Carol and Dan as two more affiliates, and the four of them contributors.
async fn contributors() -> Result<(Project, (String, String), (String, String))> {
    let p = project().await?;
    let app = &p.app;
    let carol = app.person_with_token("Carol").await?;
    let dan = app.person_with_token("Dan").await?;
    relate(app, &carol.1, &carol.0, AFFILIATE_OF, &p.project).await?;
    relate(app, &dan.1, &dan.0, AFFILIATE_OF, &p.project).await?;
    let process = string_at(
        &app.graphql_as(
            &p.steward.1,
            "mutation { createProcess(process: { name: \"assembly\" }) { process { id } } }",
            Value::Null,
        )
        .await?,
        "/data/createProcess/process/id",
    )?;
    for who in [&p.alice, &p.bob, &carol, &dan] {
        contribute(app, &p, who, &process).await?;
    }
    Ok((p, carol, dan))
}

/// Proposes to adopt `equation` in `scope` by `deadline`; returns the response.
async fn propose(app: &TestApp, token: &str, scope: &str, equation: &Value, deadline: &str) -> Result<Value> {
    let proposal = json!({ "kind": "ADOPT_VALUE_EQUATION", "scope": scope, "valueEquation": equation["id"],
                           "deadline": deadline, "note": "adopt it" });
    app.graphql_as(token, PROPOSE, json!({ "p": proposal })).await
}

/// [`propose`], which must succeed; returns the proposal.
async fn proposed(app: &TestApp, token: &str, scope: &str, equation: &Value, deadline: &str) -> Result<Value> {
    let response = propose(app, token, scope, equation, deadline).await?;
    Ok(data(&response).context("proposing")?["createGovernanceProposal"]["governanceProposal"].clone())
}

/// Votes, which must be accepted; returns the proposal as the vote left it.
async fn vote(app: &TestApp, who: &(String, String), proposal: &Value, in_favour: bool) -> Result<Value> {
    let response = app.graphql_as(&who.1, VOTE, json!({ "p": proposal["id"], "y": in_favour })).await?;
    Ok(data(&response).with_context(|| format!("{} voting", who.0))?["vote"]["governanceProposal"].clone())
}

async fn read(app: &TestApp, query: &str, id: &Value, field: &str) -> Result<Value> {
    let response = app.graphql(query, json!({ "id": id })).await?;
    Ok(data(&response)?[field].clone())
}

fn ids(list: &Value, field: &str) -> Vec<String> {
    let mut ids: Vec<String> =
        list.as_array().into_iter().flatten().filter_map(|e| e[field]["id"].as_str().map(str::to_owned)).collect();
    ids.sort();
    ids
}

fn sorted(agents: &[&String]) -> Vec<String> {
    let mut ids: Vec<String> = agents.iter().map(|a| (*a).clone()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_proposal_passes_at_once_when_every_elector_voted_and_adopting_v2_retires_v1() -> Result<()> {
    // Arrange: four contributors; Alice drafts v1 and proposes it.
    let (p, carol, dan) = contributors().await?;
    let app = &p.app;
    let v1 = draft(app, &p.alice.1, sensor_kit(&p.project, &p.fund, "v1")).await?;
    let first = proposed(app, &p.alice.1, &p.project, &v1, &in_seconds(3600)).await?;

    // Assert: the electorate is the four contributors, one vote each; v1 is frozen.
    assert_eq!((first["status"].as_str(), first["electorateBasis"].as_str()), (Some("OPEN"), Some("CONTRIBUTORS")));
    assert_eq!(ids(&first["electorate"], "agent"), sorted(&[&p.alice.0, &p.bob.0, &carol.0, &dan.0]));
    assert!(first["electorate"].as_array().into_iter().flatten().all(|e| e["weight"] == "1"));
    let frozen = read(app, EQUATION, &v1["id"], "valueEquation").await?;
    assert_eq!(frozen["status"], "PROPOSED");
    let edit = json!({ "e": { "revisionId": frozen["revisionId"], "name": "changed" } });
    let refused = app.graphql_as(&p.alice.1, UPDATE, edit).await?;
    assert_refused(&refused, "updateValueEquation", "CONFLICT")?;
    assert_refused(
        &app.graphql_as(&p.alice.1, DELETE, json!({ "id": frozen["revisionId"] })).await?,
        "deleteValueEquation",
        "CONFLICT",
    )?;

    // Act: Eve and the steward are no electors; three vote for, Dan against.
    for outsider in [&p.eve, &p.steward] {
        let response = app.graphql_as(&outsider.1, VOTE, json!({ "p": first["id"], "y": true })).await?;
        assert_refused(&response, "vote", "FORBIDDEN")?;
    }
    for who in [&p.alice, &p.bob, &carol] {
        assert_eq!(vote(app, who, &first, true).await?["status"], "OPEN", "not everyone has voted yet");
    }
    let decided = vote(app, &dan, &first, false).await?;

    // Assert: decided by the last vote, 3 for 1 against; v1 adopted.
    assert_eq!(decided["status"], "PASSED");
    let decided = read(app, PROPOSAL, &first["id"], "governanceProposal").await?;
    assert_eq!(
        decided["tally"],
        json!({ "eligibleWeight": "4", "castWeight": "4", "inFavourWeight": "3", "againstWeight": "1",
                "quorumReached": true, "passed": true })
    );
    let adopted = read(app, EQUATION, &v1["id"], "valueEquation").await?;
    assert_eq!(adopted["status"], "ADOPTED");
    assert_eq!(adopted["adoptedAt"], decided["decidedAt"]);
    assert!(adopted["retiredAt"].is_null());
    let late = app.graphql_as(&dan.1, VOTE, json!({ "p": first["id"], "y": true })).await?;
    assert_refused(&late, "vote", "CONFLICT")?;
    let edit = json!({ "e": { "revisionId": adopted["revisionId"], "name": "changed" } });
    assert_refused(&app.graphql_as(&p.alice.1, UPDATE, edit).await?, "updateValueEquation", "CONFLICT")?;

    // Act: v2, proposed and voted for unanimously.
    let v2 = draft(app, &p.bob.1, sensor_kit(&p.project, &p.fund, "v2")).await?;
    let second = proposed(app, &p.bob.1, &p.project, &v2, &in_seconds(3600)).await?;
    for who in [&p.alice, &p.bob, &carol, &dan] {
        vote(app, who, &second, true).await?;
    }

    // Assert: v2 adopted, v1 retired at that same instant; its history shows each step.
    let v2_now = read(app, EQUATION, &v2["id"], "valueEquation").await?;
    let v1_now = read(app, EQUATION, &v1["id"], "valueEquation").await?;
    assert_eq!((v2_now["version"].as_i64(), v2_now["status"].as_str()), (Some(2), Some("ADOPTED")));
    assert_eq!(v1_now["status"], "RETIRED");
    assert_eq!(v1_now["adoptedAt"], adopted["adoptedAt"], "v1 keeps when it was adopted");
    assert_eq!(v1_now["retiredAt"], v2_now["adoptedAt"]);
    let v1_id = v1["id"].as_str().unwrap_or_default();
    let history = app
        .graphql(
            "query($id: ID!, $r1: ID!, $r2: ID!, $r3: ID!) { valueEquation(id: $id) {
               r1: revision(revisionId: $r1) { status } r2: revision(revisionId: $r2) { status }
               r3: revision(revisionId: $r3) { status } } }",
            json!({ "id": v1_id, "r1": format!("{v1_id}:1"), "r2": format!("{v1_id}:2"), "r3": format!("{v1_id}:3") }),
        )
        .await?;
    assert_eq!(
        data(&history)?["valueEquation"],
        json!({ "r1": { "status": "DRAFT" }, "r2": { "status": "PROPOSED" }, "r3": { "status": "ADOPTED" } })
    );
    let listed = app
        .graphql(
            "query($s: ID!) { all: governanceProposals(scope: $s) { id status }
                              open: governanceProposals(scope: $s, status: OPEN) { id } }",
            json!({ "s": p.project }),
        )
        .await?;
    let listed = data(&listed)?;
    assert_eq!(
        listed["all"],
        json!([{ "id": second["id"], "status": "PASSED" }, { "id": first["id"], "status": "PASSED" }])
    );
    assert_eq!(listed["open"], json!([]));
    Ok(())
}

#[tokio::test]
async fn the_sweeper_decides_at_the_deadline_passing_or_failing_by_quorum_and_threshold() -> Result<()> {
    // Arrange: three drafts, each proposed with a deadline a few seconds away.
    let (p, carol, _dan) = contributors().await?;
    let app = &p.app;
    let (v1, v2, v3) = (
        draft(app, &p.alice.1, sensor_kit(&p.project, &p.fund, "v1")).await?,
        draft(app, &p.alice.1, sensor_kit(&p.project, &p.fund, "v2")).await?,
        draft(app, &p.alice.1, sensor_kit(&p.project, &p.fund, "v3")).await?,
    );
    // Far enough ahead for the votes below to land before it on a busy machine.
    let deadline_at = chrono::Utc::now() + chrono::Duration::seconds(6);
    let deadline = deadline_at.to_rfc3339();
    let passing = proposed(app, &p.alice.1, &p.project, &v1, &deadline).await?;
    let no_quorum = proposed(app, &p.alice.1, &p.project, &v2, &deadline).await?;
    let outvoted = proposed(app, &p.alice.1, &p.project, &v3, &deadline).await?;

    // Act: 3 of 4 for v1 (Bob changes his mind from against to for; Dan abstains); only Alice
    // votes on v2; 1 for and 2 against v3 (Dan abstains, so nothing is decided before the
    // deadline).
    vote(app, &p.bob, &passing, false).await?;
    for who in [&p.alice, &p.bob, &carol] {
        vote(app, who, &passing, true).await?;
    }
    vote(app, &p.alice, &no_quorum, true).await?;
    vote(app, &p.alice, &outvoted, true).await?;
    vote(app, &p.bob, &outvoted, false).await?;
    vote(app, &carol, &outvoted, false).await?;

    // Assert: nothing decided yet; then, reading only, the three are decided.
    let still = read(app, PROPOSAL, &passing["id"], "governanceProposal").await?;
    if chrono::Utc::now() < deadline_at {
        assert_eq!(still["status"], "OPEN", "decided before its deadline: {still}");
    }
    let started = Instant::now();
    let decided = loop {
        let mut all = Vec::new();
        for proposal in [&passing, &no_quorum, &outvoted] {
            all.push(read(app, PROPOSAL, &proposal["id"], "governanceProposal").await?);
        }
        if all.iter().all(|proposal| proposal["status"] != "OPEN") {
            break all;
        }
        if started.elapsed() > Duration::from_secs(15) {
            bail!("not decided 15 s after the deadline: {all:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let [passed, short, rejected] = [&decided[0], &decided[1], &decided[2]];

    assert_eq!(passed["status"], "PASSED");
    assert_eq!(
        passed["tally"],
        json!({ "eligibleWeight": "4", "castWeight": "3", "inFavourWeight": "3", "againstWeight": "0",
                "quorumReached": true, "passed": true })
    );
    let bobs: Vec<&Value> =
        passed["votes"].as_array().into_iter().flatten().filter(|v| v["voter"]["id"] == p.bob.0.as_str()).collect();
    assert_eq!(bobs.len(), 1, "Bob's second vote replaced his first");
    assert_eq!((&bobs[0]["inFavour"], &bobs[0]["weight"]), (&json!(true), &json!("1")));
    let instant = |field: &str| chrono::DateTime::parse_from_rfc3339(passed[field].as_str().unwrap_or_default());
    assert!(instant("decidedAt")? >= instant("deadline")?, "decided at or after its deadline: {passed}");
    assert_eq!(passed["valueEquation"]["status"], "ADOPTED");

    assert_eq!(short["status"], "FAILED");
    assert_eq!(
        short["tally"],
        json!({ "eligibleWeight": "4", "castWeight": "1", "inFavourWeight": "1", "againstWeight": "0",
                "quorumReached": false, "passed": false })
    );
    assert_eq!(rejected["status"], "FAILED");
    assert_eq!(
        rejected["tally"],
        json!({ "eligibleWeight": "4", "castWeight": "3", "inFavourWeight": "1", "againstWeight": "2",
                "quorumReached": true, "passed": false })
    );
    // A failed version is a draft again, to be edited and proposed anew.
    for failed in [&v2, &v3] {
        let back = read(app, EQUATION, &failed["id"], "valueEquation").await?;
        assert_eq!((back["status"].as_str(), back["adoptedAt"].is_null()), (Some("DRAFT"), true));
        let edit = json!({ "e": { "revisionId": back["revisionId"], "name": "again" } });
        data(&app.graphql_as(&p.alice.1, UPDATE, edit).await?)?;
    }
    Ok(())
}

#[tokio::test]
async fn a_new_project_is_decided_by_its_stewards_else_by_its_first_affiliate_alone() -> Result<()> {
    // Arrange: a project with a steward and affiliates but no contribution yet.
    let p = project().await?;
    let app = &p.app;
    let v1 = draft(app, &p.alice.1, sensor_kit(&p.project, &p.fund, "v1")).await?;

    // An affiliate who contributed nothing may not propose while there are stewards.
    let response = propose(app, &p.alice.1, &p.project, &v1, &in_seconds(3600)).await?;
    assert_refused(&response, "createGovernanceProposal", "FORBIDDEN")?;

    // The steward proposes; the steward alone votes, and it passes at once.
    let by_steward = proposed(app, &p.steward.1, &p.project, &v1, &in_seconds(3600)).await?;
    assert_eq!(by_steward["electorateBasis"], "STEWARDS");
    assert_eq!(ids(&by_steward["electorate"], "agent"), sorted(&[&p.steward.0]));
    assert_refused(
        &app.graphql_as(&p.alice.1, VOTE, json!({ "p": by_steward["id"], "y": true })).await?,
        "vote",
        "FORBIDDEN",
    )?;
    assert_eq!(vote(app, &p.steward, &by_steward, true).await?["status"], "PASSED");

    // A project with neither contributors nor stewards: its affiliate proposes and decides
    // alone; a stranger may not propose there.
    let garage = organization(app, &p.steward.1, "Garage project").await?;
    relate(app, &p.bob.1, &p.bob.0, AFFILIATE_OF, &garage).await?;
    let first = draft(app, &p.bob.1, sensor_kit(&garage, &p.fund, "first")).await?;
    let response = propose(app, &p.eve.1, &garage, &first, &in_seconds(3600)).await?;
    assert_refused(&response, "createGovernanceProposal", "FORBIDDEN")?;
    let alone = proposed(app, &p.bob.1, &garage, &first, &in_seconds(3600)).await?;
    assert_eq!(alone["electorateBasis"], "PROPOSER");
    assert_eq!(ids(&alone["electorate"], "agent"), sorted(&[&p.bob.0]));
    assert_eq!(vote(app, &p.bob, &alone, true).await?["status"], "PASSED");
    assert_eq!(read(app, EQUATION, &first["id"], "valueEquation").await?["status"], "ADOPTED");
    Ok(())
}

#[tokio::test]
async fn refused_proposals_write_nothing_and_leave_the_draft_a_draft() -> Result<()> {
    let (p, _, _) = contributors().await?;
    let app = &p.app;
    let v1 = draft(app, &p.alice.1, sensor_kit(&p.project, &p.fund, "v1")).await?;
    let before = read(app, EQUATION, &v1["id"], "valueEquation").await?;

    // A custodianship without its agreement; an allocation without its pool; a deadline in
    // the past; another scope's equation; a stranger.
    let custody = json!({ "kind": "TRANSFER_CUSTODIANSHIP", "scope": p.project, "recipient": p.alice.0,
                          "deadline": in_seconds(3600) });
    let response = app.graphql_as(&p.alice.1, PROPOSE, json!({ "p": custody })).await?;
    assert_refused(&response, "createGovernanceProposal", "BAD_INPUT")?;
    let message = response["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("agreement: "), "{message}");
    let allocate = json!({ "kind": "ALLOCATE_FROM_POOL", "scope": p.project, "amount": { "hasNumericalValue": "10" },
                           "recipient": p.alice.0, "deadline": in_seconds(3600) });
    let response = app.graphql_as(&p.alice.1, PROPOSE, json!({ "p": allocate })).await?;
    assert_refused(&response, "createGovernanceProposal", "BAD_INPUT")?;
    let message = response["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("pool: "), "{message}");
    let past = propose(app, &p.alice.1, &p.project, &v1, &in_seconds(-60)).await?;
    assert_refused(&past, "createGovernanceProposal", "BAD_INPUT")?;
    assert_eq!(past["errors"][0]["message"], "deadline: must be in the future");
    let wrong_scope = propose(app, &p.alice.1, &p.fund, &v1, &in_seconds(3600)).await?;
    assert_refused(&wrong_scope, "createGovernanceProposal", "BAD_INPUT")?;
    let stranger = propose(app, &p.eve.1, &p.project, &v1, &in_seconds(3600)).await?;
    assert_refused(&stranger, "createGovernanceProposal", "FORBIDDEN")?;

    // Nothing was written: no proposal, and v1 untouched (same revision, still a draft).
    let listed =
        app.graphql("query($s: ID!) { governanceProposals(scope: $s) { id } }", json!({ "s": p.project })).await?;
    assert_eq!(data(&listed)?["governanceProposals"], json!([]));
    assert_eq!(read(app, EQUATION, &v1["id"], "valueEquation").await?, before);

    // A version already proposed is not proposed twice.
    proposed(app, &p.alice.1, &p.project, &v1, &in_seconds(3600)).await?;
    let twice = propose(app, &p.bob.1, &p.project, &v1, &in_seconds(3600)).await?;
    assert_refused(&twice, "createGovernanceProposal", "CONFLICT")?;
    let listed =
        app.graphql("query($s: ID!) { governanceProposals(scope: $s) { id } }", json!({ "s": p.project })).await?;
    assert_eq!(data(&listed)?["governanceProposals"].as_array().map(Vec::len), Some(1));
    Ok(())
}

#[tokio::test]
async fn a_scope_decides_by_the_default_rule_until_a_steward_sets_its_own() -> Result<()> {
    let (p, carol, dan) = contributors().await?;
    let app = &p.app;

    // The default: half the electorate, exactly two thirds in favour (shown rounded down).
    let rule = app.graphql(RULE, json!({ "s": p.project })).await?;
    assert_eq!(
        data(&rule)?["governanceRule"],
        json!({ "scope": { "id": p.project }, "quorum": "0.5", "threshold": "0.6666666666666666666666666666",
                "weighting": "ONE_AGENT_ONE_VOTE" })
    );

    // Only a steward sets it, within (0, 1].
    let unanimous = json!({ "s": p.project, "q": "1", "t": "0.75", "w": "ONE_AGENT_ONE_VOTE" });
    assert_refused(&app.graphql_as(&p.alice.1, SET_RULE, unanimous.clone()).await?, "setGovernanceRule", "FORBIDDEN")?;
    let zero = json!({ "s": p.project, "q": "0", "t": "0.75", "w": "ONE_AGENT_ONE_VOTE" });
    assert_refused(&app.graphql_as(&p.steward.1, SET_RULE, zero).await?, "setGovernanceRule", "BAD_INPUT")?;
    let set = app.graphql_as(&p.steward.1, SET_RULE, unanimous).await?;
    assert_eq!(
        data(&set)?["setGovernanceRule"],
        json!({ "quorum": "1", "threshold": "0.75", "weighting": "ONE_AGENT_ONE_VOTE" })
    );

    // A proposal made now is decided by it: every elector must vote (a quorum of 1), and 3 for
    // of 4 cast is exactly 0.75.
    let v1 = draft(app, &p.alice.1, sensor_kit(&p.project, &p.fund, "v1")).await?;
    let proposal = proposed(app, &p.alice.1, &p.project, &v1, &in_seconds(3600)).await?;
    for who in [&p.alice, &p.bob, &carol] {
        vote(app, who, &proposal, true).await?;
    }
    let read_back = read(app, PROPOSAL, &proposal["id"], "governanceProposal").await?;
    assert_eq!((read_back["quorum"].as_str(), read_back["threshold"].as_str()), (Some("1"), Some("0.75")));
    assert_eq!(read_back["tally"]["quorumReached"], false, "3 of 4 is short of a quorum of 1");
    assert_eq!(vote(app, &dan, &proposal, false).await?["status"], "PASSED", "3 × 1 ≥ 0.75 × 4");
    Ok(())
}
