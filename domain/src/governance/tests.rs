//! The rules of governance, worked by hand: the tally at its exact boundaries, the electorate's
//! bootstrap, the weights, the checks of a proposal and of a vote.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;

use super::*;
use crate::agent::network::Tie;
use crate::sharing::access::{AccessTarget, AccessTerms};
use crate::value::equation::{PercentageBehavior, Valuation};

fn d(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn electors(weights: &[(AgentId, &str)]) -> Vec<Elector> {
    weights.iter().map(|(agent, weight)| Elector { agent: *agent, weight: d(weight) }).collect()
}

fn vote(voter: AgentId, in_favour: bool) -> Vote {
    Vote { voter, in_favour, cast_at: Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).single().unwrap() }
}

fn agents<const N: usize>() -> [AgentId; N] {
    std::array::from_fn(|_| AgentId::new())
}

#[test]
fn two_of_three_in_favour_pass_at_exactly_two_thirds() {
    let [a, b, c] = agents();
    let all = electors(&[(a, "1"), (b, "1"), (c, "1")]);
    let result = tally(&all, &[vote(a, true), vote(b, true), vote(c, false)], Fraction::HALF, Fraction::TWO_THIRDS);
    assert_eq!(
        result,
        Tally {
            eligible_weight: d("3"),
            cast_weight: d("3"),
            in_favour_weight: d("2"),
            against_weight: d("1"),
            quorum_reached: true,
            passed: true,
        }
    );
    // A rounded 0.6667 would have failed this same vote: 2 < 0.6667 × 3 = 2.0001.
    let rounded = Fraction::from_decimal("threshold", d("0.6667")).unwrap();
    assert!(!tally(&all, &[vote(a, true), vote(b, true), vote(c, false)], Fraction::HALF, rounded).passed);
}

#[test]
fn one_for_and_two_against_fail_the_threshold_with_the_quorum_reached() {
    let [a, b, c] = agents();
    let all = electors(&[(a, "1"), (b, "1"), (c, "1")]);
    let result = tally(&all, &[vote(a, true), vote(b, false), vote(c, false)], Fraction::HALF, Fraction::TWO_THIRDS);
    assert!(result.quorum_reached);
    assert!(!result.passed);
    assert_eq!((result.in_favour_weight, result.against_weight), (d("1"), d("2")));
}

#[test]
fn the_quorum_counts_the_weight_cast_against_the_whole_electorate() {
    let [a, b, c, e] = agents();
    let all = electors(&[(a, "1"), (b, "1"), (c, "1"), (e, "1")]);
    // 1 of 4 cast: 1 < 0.5 × 4; unanimous in favour is not enough.
    let one = tally(&all, &[vote(a, true)], Fraction::HALF, Fraction::TWO_THIRDS);
    assert_eq!((one.cast_weight, one.quorum_reached, one.passed), (d("1"), false, false));
    // 2 of 4 cast: exactly half, the quorum is reached.
    let two = tally(&all, &[vote(a, true), vote(b, true)], Fraction::HALF, Fraction::TWO_THIRDS);
    assert_eq!((two.cast_weight, two.quorum_reached, two.passed), (d("2"), true, true));
}

#[test]
fn weights_count_exactly_and_strangers_count_for_nothing() {
    let [a, b, c, stranger] = agents();
    // Fluid equity of the worked example: 450, 300, 110 of 860.
    let all = electors(&[(a, "450"), (b, "300"), (c, "110")]);
    let votes = [vote(a, true), vote(b, false), vote(stranger, false)];
    let result = tally(&all, &votes, Fraction::HALF, Fraction::TWO_THIRDS);
    assert_eq!(result.eligible_weight, d("860"));
    assert_eq!(result.cast_weight, d("750"), "the stranger's vote weighs nothing");
    assert!(result.quorum_reached, "750 ≥ 430");
    assert!(!result.passed, "450 × 3 = 1350 < 2 × 750 = 1500");
    let simple = Fraction::from_decimal("threshold", d("0.6")).unwrap();
    assert!(tally(&all, &votes, Fraction::HALF, simple).passed, "450 ≥ 0.6 × 750 = 450 exactly");
}

#[test]
fn nothing_cast_in_favour_never_passes_even_with_no_weight_at_all() {
    let [a, b] = agents();
    let weightless = electors(&[(a, "0"), (b, "0")]);
    let result = tally(&weightless, &[], Fraction::HALF, Fraction::TWO_THIRDS);
    assert!(result.quorum_reached, "0 ≥ 0.5 × 0");
    assert!(!result.passed);
    // A later vote by the same elector replaces its first.
    let all = electors(&[(a, "1"), (b, "1")]);
    let changed = tally(&all, &[vote(a, false), vote(b, true), vote(a, true)], Fraction::HALF, Fraction::TWO_THIRDS);
    assert_eq!((changed.in_favour_weight, changed.against_weight, changed.passed), (d("2"), d("0"), true));
}

#[test]
fn fractions_are_exact_stored_as_text_and_shown_rounded_toward_zero() {
    assert_eq!(Fraction::TWO_THIRDS.text(), "2/3");
    assert_eq!(Fraction::HALF.text(), "0.5");
    assert_eq!(Fraction::parse("threshold", "2/3"), Ok(Fraction::TWO_THIRDS));
    assert_eq!(Fraction::parse("quorum", "0.50"), Ok(Fraction::HALF));
    assert_eq!(Fraction::TWO_THIRDS.to_decimal(), d("0.6666666666666666666666666666"));
    assert_eq!(Fraction::HALF.to_decimal(), d("0.5"));
    // The shown decimal, set back as a threshold, still lets 2 of 3 pass.
    let shown = Fraction::from_decimal("threshold", Fraction::TWO_THIRDS.to_decimal()).unwrap();
    assert!(shown.reached(d("2"), d("3")));
    for bad in ["0", "-0.5", "1.01", "3/2", "1/0"] {
        assert!(Fraction::parse("quorum", bad).is_err(), "{bad} is outside (0, 1]");
    }
    assert_eq!(Fraction::parse("quorum", "1"), Ok(Fraction { numerator: Decimal::ONE, denominator: Decimal::ONE }));
}

#[test]
fn the_electorate_is_the_contributors_else_the_stewards_else_the_proposer() {
    let [alice, bob, steward, proposer] = agents();
    let contributors = BTreeSet::from([alice, bob]);
    let stewards = BTreeSet::from([steward]);
    let none = BTreeSet::new();
    let mut members = vec![alice, bob];
    members.sort();
    assert_eq!(
        electorate(&contributors, &stewards, proposer),
        Electorate { basis: ElectorateBasis::Contributors, members }
    );
    assert_eq!(
        electorate(&none, &stewards, proposer),
        Electorate { basis: ElectorateBasis::Stewards, members: vec![steward] }
    );
    assert_eq!(
        electorate(&none, &none, proposer),
        Electorate { basis: ElectorateBasis::Proposer, members: vec![proposer] }
    );
}

#[test]
fn active_contributors_are_affiliated_providers_other_than_the_scope_and_stewards_reach_down() {
    let [network, project, alice, bob, project_steward, network_steward] = agents();
    let tie = |subject, role, object| Tie { subject, role, object };
    let ties = Ties::new([
        tie(project, OvnRole::PartOf, network),
        tie(alice, OvnRole::AffiliateOf, network),
        tie(project_steward, OvnRole::StewardOf, project),
        tie(network_steward, OvnRole::StewardOf, network),
    ]);
    // Bob is no affiliate; the project providing in its own scope contributes nothing.
    assert_eq!(active_contributors(project, [alice, bob, project], &ties), BTreeSet::from([alice]));
    assert_eq!(stewards_of(project, &ties), BTreeSet::from([project_steward, network_steward]));
    assert_eq!(stewards_of(network, &ties), BTreeSet::from([network_steward]));
}

#[test]
fn fluid_equity_weighs_contributors_only_and_a_bootstrap_electorate_weighs_one_each() {
    let [alice, bob, carol] = agents();
    let contributors = Electorate { basis: ElectorateBasis::Contributors, members: vec![alice, bob, carol] };
    let equity = [(alice, d("450")), (bob, d("300"))];
    let weighed = weigh(&contributors, VoteWeighting::FluidEquity, &equity);
    assert_eq!(weighed, electors(&[(alice, "450"), (bob, "300"), (carol, "0")]));
    let one_each = weigh(&contributors, VoteWeighting::OneAgentOneVote, &equity);
    assert_eq!(one_each, electors(&[(alice, "1"), (bob, "1"), (carol, "1")]));
    let stewards = Electorate { basis: ElectorateBasis::Stewards, members: vec![alice] };
    assert_eq!(weigh(&stewards, VoteWeighting::FluidEquity, &equity), electors(&[(alice, "1")]));
}

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, hour, 0, 0).single().unwrap()
}

fn new_proposal(kind: ProposalKind) -> NewProposal {
    NewProposal {
        kind,
        scope: AgentId::new(),
        value_equation: Some(ValueEquationId::new()),
        pool: None,
        amount: None,
        recipient: None,
        agreement: None,
        access_rule: None,
        deadline: at(14),
        note: None,
    }
}

#[test]
fn adoptions_and_allocations_are_proposed_with_their_own_fields_and_a_future_deadline() {
    let adopt = new_proposal(ProposalKind::AdoptValueEquation);
    assert_eq!(adopt.check(at(12)), Ok(Carries::Adopt(adopt.value_equation.unwrap())));
    let past = adopt.check(at(14));
    assert_eq!(past, Err(DomainError::invalid("deadline", "must be in the future")));
    let no_equation = NewProposal { value_equation: None, ..adopt.clone() };
    assert!(matches!(no_equation.check(at(12)), Err(DomainError::Invalid { field, .. }) if field == "valueEquation"));
    let with_recipient = NewProposal { recipient: Some(AgentId::new()), ..adopt };
    assert!(matches!(with_recipient.check(at(12)), Err(DomainError::Invalid { field, .. }) if field == "recipient"));

    let (pool, recipient) = (EconomicResourceId::new(), AgentId::new());
    let amount = Measure::new(d("40"), None);
    let allocate = NewProposal {
        value_equation: None,
        pool: Some(pool),
        amount: Some(amount),
        recipient: Some(recipient),
        ..new_proposal(ProposalKind::AllocateFromPool)
    };
    assert_eq!(allocate.check(at(12)), Ok(Carries::Allocate(Allocation { pool, amount, recipient })));
    let refused = |p: NewProposal, expected: &str| {
        let checked = p.check(at(12));
        assert!(matches!(&checked, Err(DomainError::Invalid { field, .. }) if field == expected), "{checked:?}");
    };
    refused(NewProposal { pool: None, ..allocate.clone() }, "pool");
    refused(NewProposal { amount: None, ..allocate.clone() }, "amount");
    refused(NewProposal { recipient: None, ..allocate.clone() }, "recipient");
    refused(NewProposal { amount: Some(Measure::new(Decimal::ZERO, None)), ..allocate.clone() }, "amount");
    refused(NewProposal { amount: Some(Measure::new(d("-1"), None)), ..allocate.clone() }, "amount");
    refused(NewProposal { value_equation: Some(ValueEquationId::new()), ..allocate.clone() }, "valueEquation");
    refused(NewProposal { deadline: at(11), ..allocate.clone() }, "deadline");

    let agreement = AgreementId::new();
    let custody = NewProposal {
        value_equation: None,
        agreement: Some(agreement),
        recipient: Some(recipient),
        ..new_proposal(ProposalKind::TransferCustodianship)
    };
    assert_eq!(custody.check(at(12)), Ok(Carries::TransferCustodianship(Custodianship { agreement, recipient })));
    refused(NewProposal { agreement: None, ..custody.clone() }, "agreement");
    refused(NewProposal { recipient: None, ..custody.clone() }, "recipient");
    refused(NewProposal { pool: Some(pool), ..custody.clone() }, "pool");
    refused(NewProposal { agreement: Some(agreement), ..allocate }, "agreement");
    let opened = GovernanceProposal::open(
        GovernanceProposalId::new(),
        custody,
        None,
        AgentId::new(),
        &GovernanceRule::default_for(AgentId::new()),
        ElectorateBasis::Stewards,
        at(12),
    );
    assert_eq!(opened.custodianship, Some(Custodianship { agreement, recipient }));
    assert_eq!(opened.allocation, None);

    // Every kind is carried out now: a CHANGE_ACCESS_RULE proposal without its rule is
    // refused for that field, not for its kind.
    let access = new_proposal(ProposalKind::ChangeAccessRule).check(at(12));
    assert!(matches!(&access, Err(DomainError::Invalid { field, .. }) if field == "accessRule"), "{access:?}");
}

#[test]
fn an_access_rule_change_names_its_target_and_a_rule_of_the_proposal_s_scope() {
    let base = new_proposal(ProposalKind::ChangeAccessRule);
    let terms = AccessTerms {
        scope: base.scope,
        any_affiliate: true,
        roles: Vec::new(),
        agents: Vec::new(),
        minimum_reputation: None,
        requires_approval: false,
        longest_booking: None,
        value_per_unit_of_use: None,
        maintenance_share: Decimal::ZERO,
        maintenance_recipient: None,
        note: None,
    };
    let change = AccessChange { target: AccessTarget::Resource(EconomicResourceId::new()), terms: terms.clone() };
    let proposal = NewProposal { value_equation: None, access_rule: Some(change.clone()), ..base };
    assert_eq!(proposal.check(at(12)), Ok(Carries::ChangeAccessRule(change.clone())));

    let refused = |p: NewProposal, expected: &str| {
        let checked = p.check(at(12));
        assert!(matches!(&checked, Err(DomainError::Invalid { field, .. }) if field == expected), "{checked:?}");
    };
    refused(NewProposal { access_rule: None, ..proposal.clone() }, "accessRule");
    refused(NewProposal { value_equation: Some(ValueEquationId::new()), ..proposal.clone() }, "valueEquation");
    refused(NewProposal { recipient: Some(AgentId::new()), ..proposal.clone() }, "recipient");
    let elsewhere = AccessChange { terms: AccessTerms { scope: AgentId::new(), ..terms }, ..change.clone() };
    refused(NewProposal { access_rule: Some(elsewhere), ..proposal.clone() }, "accessRule.scope");
    // Another kind does not carry a rule.
    refused(NewProposal { access_rule: Some(change), ..new_proposal(ProposalKind::AdoptValueEquation) }, "accessRule");
}

fn equation(scope: AgentId, status: EquationStatus) -> ValueEquation {
    ValueEquation {
        id: ValueEquationId::new(),
        revision: 1,
        scope,
        version: 2,
        name: "v2".into(),
        status,
        percentage_behavior: PercentageBehavior::Straight,
        valuation: Valuation::Restate,
        note: None,
        buckets: Vec::new(),
        created: at(9),
        adopted_at: None,
        retired_at: None,
    }
}

#[test]
fn only_a_draft_of_the_scope_is_proposed_and_votes_close_at_the_deadline() {
    let scope = AgentId::new();
    assert_eq!(check_proposable(&equation(scope, EquationStatus::Draft), scope), Ok(()));
    assert!(matches!(
        check_proposable(&equation(scope, EquationStatus::Proposed), scope),
        Err(DomainError::Conflict(message)) if message.contains("version 2 is PROPOSED")
    ));
    assert!(matches!(
        check_proposable(&equation(AgentId::new(), EquationStatus::Draft), scope),
        Err(DomainError::Invalid { field, .. }) if field == "valueEquation"
    ));

    let proposer = AgentId::new();
    let new = NewProposal { scope, ..new_proposal(ProposalKind::AdoptValueEquation) };
    let proposal = GovernanceProposal::open(
        GovernanceProposalId::new(),
        new,
        None,
        proposer,
        &GovernanceRule::default_for(scope),
        ElectorateBasis::Proposer,
        at(12),
    );
    assert_eq!(
        (proposal.status, proposal.threshold, proposal.quorum),
        (ProposalStatus::Open, Fraction::TWO_THIRDS, Fraction::HALF)
    );
    assert_eq!(check_open_for_votes(&proposal, at(13)), Ok(()));
    assert!(!proposal.is_due(at(13)));
    assert!(matches!(check_open_for_votes(&proposal, at(14)), Err(DomainError::Conflict(_))), "at the deadline");
    assert!(proposal.is_due(at(14)));
    let all = electors(&[(proposer, "1")]);
    let decided = proposal.decided(&tally(&all, &[], Fraction::HALF, Fraction::TWO_THIRDS), at(14));
    assert_eq!((decided.status, decided.decided_at), (ProposalStatus::Failed, Some(at(14))));
    assert_eq!(decided.failure_reason.as_deref(), Some("the quorum was not reached"));
    assert!(
        matches!(check_open_for_votes(&decided, at(13)), Err(DomainError::Conflict(message)) if message.contains("FAILED"))
    );
    assert!(!decided.is_due(at(15)), "a decided proposal is not decided again");
    assert!(!everyone_voted(&all, &[]));
    assert!(everyone_voted(&all, &[vote(proposer, false)]));
}

#[test]
fn a_passed_allocation_the_pool_cannot_pay_fails_with_the_reason() {
    let scope = AgentId::new();
    let proposal = GovernanceProposal::open(
        GovernanceProposalId::new(),
        NewProposal { scope, ..new_proposal(ProposalKind::AdoptValueEquation) },
        None,
        AgentId::new(),
        &GovernanceRule::default_for(scope),
        ElectorateBasis::Proposer,
        at(12),
    );
    let unpaid = proposal.unpaid("the pool held 10".into(), at(13));
    assert_eq!(
        (unpaid.status, unpaid.decided_at, unpaid.failure_reason.as_deref(), unpaid.payout),
        (ProposalStatus::Failed, Some(at(13)), Some("the pool held 10"), None)
    );
    assert!(!unpaid.is_due(at(15)));
}
