//! Governance (DESIGN 5): proposals put to a scope's vote, the votes, the decision and what
//! passing carries out, each in one transaction. The rules are
//! [`ovn_domain::governance`] and [`ovn_domain::permission`]; this module loads what they
//! need and writes what they decide.
//!
//! - **Creating a proposal** fixes its electorate (the scope's active contributors, else its
//!   stewards, else the proposer) with each vote's weight, and the scope's rule, in the same
//!   transaction that freezes the equation to adopt (`DRAFT` → `PROPOSED`).
//! - **A vote** is taken under a lock on the proposal's row; when it completes the electorate
//!   the proposal is decided in the same transaction.
//! - **At the deadline** the sweeper ([`sweeper`]) decides every open proposal past it, each
//!   in its own transaction. A decision is written by an `UPDATE … WHERE status = 'OPEN'`
//!   ([`crate::revisioned`]'s `save_if_in`), so two servers sweeping at once decide a
//!   proposal once: the second finds nothing to update and writes nothing.
//! - **Passing** an `ADOPT_VALUE_EQUATION` proposal retires the scope's adopted version and
//!   adopts the proposed one, in the decision's transaction; **failing** returns the version
//!   to `DRAFT`, to be edited and proposed again.
//! - **Passing** an `ALLOCATE_FROM_POOL` proposal writes the transfer out of the pool in the
//!   decision's transaction, under the pool's row lock ([`crate::sharing::allocate_in`]); a
//!   pool that cannot pay leaves the proposal `FAILED` with the reason, nothing paid.
//! - **Passing** a `TRANSFER_CUSTODIANSHIP` proposal hands every resource held under the
//!   custodian agreement to the new custodian, and the agreement with them, in the decision's
//!   transaction ([`crate::sharing::transfer_custodianship_in`]); a failure half way fails the
//!   decision, so nothing moved and the proposal is still `OPEN`.
//! - **Passing** a `CHANGE_ACCESS_RULE` proposal writes the rule it states as the next version
//!   of its target's rule, in the decision's transaction, under the target's row lock
//!   ([`crate::sharing::access_change`]); failing changes nothing.

pub mod sweeper;

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::governance::{
    Carries, Elector, GovernanceProposal, GovernanceRule, NewProposal, ProposalKind, ProposalStatus, Vote,
    VoteWeighting, active_contributors, check_open_for_votes, check_proposable, electorate, everyone_voted,
    stewards_of, tally, weigh,
};
use ovn_domain::observation::PropertyRegime;
use ovn_domain::observation::event::contributor;
use ovn_domain::permission::{may_propose, may_set_governance_rule, may_vote};
use ovn_domain::sharing::custody::check_custodianship;
use ovn_domain::sharing::pool::check_allocation;
use ovn_domain::value::equation::EquationStatus;
use ovn_domain::{Action, AgentId, GovernanceProposalId, Revision, ValueEquationId};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::agent::network::ties_around;
use crate::entity::{
    economic_event, economic_event_scope, economic_resource, governance_elector, governance_proposal, governance_rule,
    governance_vote, value_equation,
};
use crate::error::{PersistenceError, Result};
use crate::idempotency::Idempotency;
use crate::references::{Ref, References};
use crate::revisioned::{IN_LIST_MAX, by_ids, insert_in, save_if_in, save_in};
use crate::rows::{Record, elector_from, elector_row, id, opt, rule_from, rule_row, vote_from, vote_row};
use crate::store::Store;
use crate::value::StoredEquation;
use crate::value::equations::{lock_equation_in, scope_in};

/// Most electors written in one `INSERT` (three bound parameters each, well under SQLite's
/// limit).
const ELECTORS_PER_INSERT: usize = 1_000;

/// The agents credited with the events in scope of `scope`, once each: their providers, and
/// for a use of a pooled asset its owner instead ([`contributor`], D191). Each provider is read
/// with the action, and for a use the regime and owner of the resource used, so the domain
/// decides.
async fn providers_in<C: ConnectionTrait>(conn: &C, scope: AgentId) -> Result<Vec<AgentId>> {
    let (event, scopes, resource) = (economic_event::Entity, economic_event_scope::Entity, economic_resource::Entity);
    let query = Query::select()
        .distinct()
        .column((event, economic_event::Column::Provider))
        .column((event, economic_event::Column::Action))
        .column((resource, economic_resource::Column::PropertyRegime))
        .column((resource, economic_resource::Column::PrimaryAccountable))
        .from(scopes)
        .inner_join(
            event,
            Expr::col((event, economic_event::Column::Id)).equals((scopes, economic_event_scope::Column::EventId)),
        )
        .left_join(
            resource,
            Expr::col((resource, economic_resource::Column::Id))
                .equals((event, economic_event::Column::ResourceInventoriedAs))
                .and(Expr::col((event, economic_event::Column::Action)).eq(Action::Use.id())),
        )
        .and_where(Expr::col((scopes, economic_event_scope::Column::ScopeId)).eq(scope.to_string()))
        .to_owned();
    let mut credited = BTreeSet::new();
    for row in conn.query_all(&query).await? {
        let provider: String = row.try_get_by_index(0)?;
        let action: String = row.try_get_by_index(1)?;
        let regime: Option<String> = row.try_get_by_index(2)?;
        let owner: Option<String> = row.try_get_by_index(3)?;
        let used = match regime {
            Some(regime) => Some((PropertyRegime::parse(&regime)?, opt(owner.as_deref(), AgentId::parse)?)),
            None => None,
        };
        credited.insert(contributor(Action::parse(&action)?, id(&provider, AgentId::parse)?, used));
    }
    Ok(credited.into_iter().collect())
}

/// The active contributors of the organization `scope`: the agents whose events in scope of it
/// are contributions ([`active_contributors`]), from one query for the providers and the
/// providers' ties.
pub async fn active_contributors_in<C: ConnectionTrait>(conn: &C, scope: AgentId) -> Result<BTreeSet<AgentId>> {
    let providers = providers_in(conn, scope).await?;
    if providers.is_empty() {
        return Ok(BTreeSet::new());
    }
    let ties = ties_around(conn, &providers, &[scope]).await?;
    Ok(active_contributors(scope, providers, &ties))
}

/// The rule of `scope`: the one it set, else the default.
pub async fn rule_in<C: ConnectionTrait>(conn: &C, scope: AgentId) -> Result<GovernanceRule> {
    match governance_rule::Entity::find_by_id(scope.to_string()).one(conn).await? {
        Some(row) => rule_from(&row),
        None => Ok(GovernanceRule::default_for(scope)),
    }
}

/// The electors of many proposals, by proposal.
async fn electors_of<C: ConnectionTrait>(
    conn: &C,
    proposals: &[GovernanceProposalId],
) -> Result<HashMap<GovernanceProposalId, Vec<Elector>>> {
    let mut found: HashMap<GovernanceProposalId, Vec<Elector>> = HashMap::new();
    for chunk in proposals.chunks(IN_LIST_MAX) {
        let rows = governance_elector::Entity::find()
            .filter(governance_elector::Column::Proposal.is_in(chunk.iter().map(ToString::to_string)))
            .order_by_asc(governance_elector::Column::Agent)
            .all(conn)
            .await?;
        for row in &rows {
            let (proposal, elector) = elector_from(row)?;
            found.entry(proposal).or_default().push(elector);
        }
    }
    Ok(found)
}

/// The votes on many proposals, by proposal, in the order they were last cast.
async fn votes_of<C: ConnectionTrait>(
    conn: &C,
    proposals: &[GovernanceProposalId],
) -> Result<HashMap<GovernanceProposalId, Vec<Vote>>> {
    let mut found: HashMap<GovernanceProposalId, Vec<Vote>> = HashMap::new();
    for chunk in proposals.chunks(IN_LIST_MAX) {
        let rows = governance_vote::Entity::find()
            .filter(governance_vote::Column::Proposal.is_in(chunk.iter().map(ToString::to_string)))
            .order_by_asc(governance_vote::Column::CastAt)
            .order_by_asc(governance_vote::Column::Voter)
            .all(conn)
            .await?;
        for row in &rows {
            let (proposal, vote) = vote_from(row)?;
            found.entry(proposal).or_default().push(vote);
        }
    }
    Ok(found)
}

/// A proposal locked in the caller's transaction (`NOT_FOUND` when missing).
async fn lock_proposal_in(txn: &DatabaseTransaction, id: GovernanceProposalId) -> Result<GovernanceProposal> {
    match governance_proposal::Entity::find_by_id(id.to_string()).lock_exclusive().one(txn).await? {
        Some(row) => GovernanceProposal::from_row(row),
        None => Err(PersistenceError::not_found(GovernanceProposal::KIND, id)),
    }
}

/// Moves a locked version to `status` (with the times that status carries).
async fn move_equation_in(
    txn: &DatabaseTransaction,
    stored: StoredEquation,
    status: EquationStatus,
    now: DateTime<Utc>,
) -> Result<StoredEquation> {
    let revision = Revision { id: stored.equation.id, number: stored.equation.revision };
    let mut next = stored;
    next.equation.status = status;
    match status {
        EquationStatus::Adopted => next.equation.adopted_at = Some(now),
        EquationStatus::Retired => next.equation.retired_at = Some(now),
        EquationStatus::Draft | EquationStatus::Proposed => {}
    }
    save_in(txn, revision, next).await
}

/// Carries out a passed adoption: the scope's adopted version (if any) is retired, then the
/// proposed one adopted (in that order: the database allows one adopted version per scope).
async fn adopt_in(
    txn: &DatabaseTransaction,
    scope: AgentId,
    equation: ValueEquationId,
    now: DateTime<Utc>,
) -> Result<()> {
    let adopted = value_equation::Entity::find()
        .filter(value_equation::Column::Scope.eq(scope.to_string()))
        .filter(value_equation::Column::Status.eq(EquationStatus::Adopted.as_str()))
        .lock_exclusive()
        .all(txn)
        .await?;
    for row in adopted {
        move_equation_in(txn, StoredEquation::from_row(row)?, EquationStatus::Retired, now).await?;
    }
    let proposed = lock_equation_in(txn, "valueEquation", equation).await?;
    move_equation_in(txn, proposed, EquationStatus::Adopted, now).await?;
    Ok(())
}

/// Decides a locked open proposal at `now` by its electors' votes, and carries out the
/// decision, in the caller's transaction. `None` when another decider wrote first.
async fn decide_in(
    txn: &DatabaseTransaction,
    proposal: GovernanceProposal,
    electors: &[Elector],
    votes: &[Vote],
    now: DateTime<Utc>,
) -> Result<Option<GovernanceProposal>> {
    let count = tally(electors, votes, proposal.quorum, proposal.threshold);
    let revision = Revision { id: proposal.id, number: proposal.revision };
    let mut decided = proposal.decided(&count, now);
    if let (ProposalKind::AllocateFromPool, ProposalStatus::Passed, Some(allocation)) =
        (decided.kind, decided.status, decided.allocation)
    {
        // Paid before the decision is written, so that the proposal row names its payout.
        match crate::sharing::allocate_in(txn, &decided, allocation, now).await? {
            Ok(payout) => decided.payout = Some(payout),
            Err(reason) => decided = decided.unpaid(reason, now),
        }
    }
    let mut handed = false;
    if let (ProposalKind::TransferCustodianship, ProposalStatus::Passed, Some(custodianship)) =
        (decided.kind, decided.status, decided.custodianship)
    {
        match crate::sharing::transfer_custodianship_in(txn, &decided, custodianship, now).await? {
            Ok(()) => handed = true,
            Err(reason) => decided = decided.unpaid(reason, now),
        }
    }
    let paid = decided.payout.is_some() || handed;
    let still_open = Condition::all().add(governance_proposal::Column::Status.eq(ProposalStatus::Open.as_str()));
    let Some(decided) = save_if_in(txn, revision, decided, still_open).await? else {
        if paid {
            // Cannot happen while the caller holds the proposal's lock; were it to, the
            // payout is rolled back with this error rather than paid twice.
            return Err(PersistenceError::Conflict(
                "the proposal was decided meanwhile; nothing was carried out".into(),
            ));
        }
        return Ok(None);
    };
    if let (ProposalKind::ChangeAccessRule, ProposalStatus::Passed, Some(change)) =
        (decided.kind, decided.status, decided.access_rule.clone())
    {
        crate::sharing::access_change::change_by_vote_in(txn, &decided, change, now).await?;
    }
    if let (ProposalKind::AdoptValueEquation, Some(equation)) = (decided.kind, decided.value_equation) {
        if decided.status == ProposalStatus::Passed {
            adopt_in(txn, decided.scope, equation, now).await?;
        } else {
            let proposed = lock_equation_in(txn, "valueEquation", equation).await?;
            move_equation_in(txn, proposed, EquationStatus::Draft, now).await?;
        }
    }
    Ok(Some(decided))
}

// ---------------------------------------------------------------- writes

/// `createGovernanceProposal` inside the caller's transaction, by `actor` at `now`: fixes the
/// electorate and the rule, and freezes the equation to adopt (or checks the allocation
/// against its pool: the pool's scope, the amount's unit, the recipient).
pub async fn create_proposal_in(
    store: &Store,
    txn: &DatabaseTransaction,
    actor: AgentId,
    id: GovernanceProposalId,
    new: NewProposal,
    now: DateTime<Utc>,
) -> Result<GovernanceProposal> {
    let scope = new.scope;
    let carries = new.check(now)?;
    scope_in(txn, scope, false).await?;
    let (equation, allocation) = match carries {
        Carries::TransferCustodianship(asked) => {
            let mut references = References::new();
            references.add("recipient", Some(Ref::Agent(asked.recipient)));
            references.check(txn).await?;
            let held = crate::sharing::custody::lock_agreement_in(txn, "agreement", asked.agreement).await?;
            check_custodianship(asked, scope, &held)?;
            (None, None)
        }
        Carries::Adopt(equation) => {
            let equation = lock_equation_in(txn, "valueEquation", equation).await?;
            check_proposable(&equation.equation, scope).map_err(PersistenceError::from_state)?;
            (Some(equation), None)
        }
        Carries::Allocate(asked) => {
            let mut references = References::new();
            references.add("recipient", Some(Ref::Agent(asked.recipient)));
            references.check(txn).await?;
            let (pool, resource) = crate::sharing::pool::allocation_pool_in(txn, asked.pool).await?;
            (None, Some(check_allocation(asked, scope, &pool, resource.state.unit)?))
        }
        Carries::ChangeAccessRule(change) => {
            crate::sharing::access_change::check_proposed_in(txn, scope, &change).await?;
            (None, None)
        }
    };
    let contributors = active_contributors_in(txn, scope).await?;
    let ties = ties_around(txn, &[actor], &[scope]).await?;
    let electorate = electorate(&contributors, &stewards_of(scope, &ties), actor);
    may_propose(actor, scope, &electorate, &ties)?;
    let rule = rule_in(txn, scope).await?;
    let equity = match rule.weighting {
        VoteWeighting::FluidEquity => crate::value::equity_weights_in(store, txn, scope, now).await?,
        VoteWeighting::OneAgentOneVote => Vec::new(),
    };
    let electors = weigh(&electorate, rule.weighting, &equity);
    let proposal = GovernanceProposal::open(id, new, allocation, actor, &rule, electorate.basis, now);
    insert_in(txn, &proposal, now).await?;
    for chunk in electors.chunks(ELECTORS_PER_INSERT) {
        governance_elector::Entity::insert_many(chunk.iter().map(|e| elector_row(id, e)))
            .exec_without_returning(txn)
            .await?;
    }
    if let Some(equation) = equation {
        move_equation_in(txn, equation, EquationStatus::Proposed, now).await?;
    }
    Ok(proposal)
}

/// `vote` inside the caller's transaction: `actor`, an elector, votes at `now` on an open
/// proposal before its deadline; a second vote replaces the first. When every elector has
/// voted, the proposal is decided at once.
pub async fn vote_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    proposal: GovernanceProposalId,
    in_favour: bool,
    now: DateTime<Utc>,
) -> Result<GovernanceProposal> {
    let current = lock_proposal_in(txn, proposal).await?;
    let electors = electors_of(txn, &[proposal]).await?.remove(&proposal).unwrap_or_default();
    may_vote(actor, &electors)?;
    check_open_for_votes(&current, now).map_err(PersistenceError::from_state)?;
    let vote = Vote { voter: actor, in_favour, cast_at: now };
    let replace = OnConflict::columns([governance_vote::Column::Proposal, governance_vote::Column::Voter])
        .update_columns([governance_vote::Column::InFavour, governance_vote::Column::CastAt])
        .to_owned();
    governance_vote::Entity::insert(vote_row(proposal, &vote)).on_conflict(replace).exec_without_returning(txn).await?;
    let votes = votes_of(txn, &[proposal]).await?.remove(&proposal).unwrap_or_default();
    if everyone_voted(&electors, &votes) {
        let decided = decide_in(txn, current.clone(), &electors, &votes, now).await?;
        return Ok(decided.unwrap_or(current));
    }
    Ok(current)
}

/// Decides `proposal` at `now` if it is open and its deadline has come, in the caller's
/// transaction; `None` when there was nothing to decide (decided already, by another server
/// or by its last vote).
pub async fn decide_due_in(
    txn: &DatabaseTransaction,
    proposal: GovernanceProposalId,
    now: DateTime<Utc>,
) -> Result<Option<GovernanceProposal>> {
    let current = lock_proposal_in(txn, proposal).await?;
    if !current.is_due(now) {
        return Ok(None);
    }
    let electors = electors_of(txn, &[proposal]).await?.remove(&proposal).unwrap_or_default();
    let votes = votes_of(txn, &[proposal]).await?.remove(&proposal).unwrap_or_default();
    decide_in(txn, current, &electors, &votes, now).await
}

/// `setGovernanceRule` inside the caller's transaction: a steward of the scope (an
/// organization) sets its rule; it applies to proposals made from then on.
pub async fn set_rule_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    rule: GovernanceRule,
    now: DateTime<Utc>,
) -> Result<GovernanceRule> {
    scope_in(txn, rule.scope, false).await?;
    let ties = ties_around(txn, &[actor], &[rule.scope]).await?;
    may_set_governance_rule(actor, rule.scope, &ties)?;
    use governance_rule::Column as C;
    let replace = OnConflict::column(C::Scope)
        .update_columns([C::Quorum, C::Threshold, C::Weighting, C::SetBy, C::UpdatedAt])
        .to_owned();
    governance_rule::Entity::insert(rule_row(&rule, actor, now))
        .on_conflict(replace)
        .exec_without_returning(txn)
        .await?;
    Ok(rule)
}

// ---------------------------------------------------------------- the store

impl Store {
    /// `createGovernanceProposal`.
    pub async fn create_governance_proposal(
        &self,
        actor: AgentId,
        new: NewProposal,
        idem: Option<&Idempotency>,
    ) -> Result<GovernanceProposal> {
        let id = GovernanceProposalId::new();
        // A vote weighted by fluid equity reads the value index inside the transaction.
        self.catch_up_values().await?;
        let outcome = self
            .create(idem, id.to_string(), {
                let store = self.clone();
                move |txn| async move { create_proposal_in(&store, txn, actor, id, new, Utc::now()).await }.boxed()
            })
            .await?;
        self.created(outcome, GovernanceProposal::KIND, async |store: &Store, id| {
            Ok(store.governance_proposals_by_id(&[id]).await?.remove(&id))
        })
        .await
    }

    /// `vote`.
    pub async fn vote(
        &self,
        actor: AgentId,
        proposal: GovernanceProposalId,
        in_favour: bool,
    ) -> Result<GovernanceProposal> {
        self.write(move |txn| vote_in(txn, actor, proposal, in_favour, Utc::now()).boxed()).await
    }

    /// Decides `proposal` if its deadline has come (the sweeper's one write).
    pub async fn decide_if_due(&self, proposal: GovernanceProposalId) -> Result<Option<GovernanceProposal>> {
        self.write(move |txn| decide_due_in(txn, proposal, Utc::now()).boxed()).await
    }

    /// The open proposals whose deadline is at or before `now`, earliest first, at most
    /// `limit`.
    pub async fn due_governance_proposals(&self, now: DateTime<Utc>, limit: u64) -> Result<Vec<GovernanceProposalId>> {
        let rows: Vec<String> = governance_proposal::Entity::find()
            .select_only()
            .column(governance_proposal::Column::Id)
            .filter(governance_proposal::Column::Status.eq(ProposalStatus::Open.as_str()))
            // On SQLite, timestamps are RFC 3339 text in UTC (`+00:00`, 0/3/6/9 fraction
            // digits), which sorts as the instants do.
            .filter(governance_proposal::Column::Deadline.lte(now))
            .order_by_asc(governance_proposal::Column::Deadline)
            .limit(limit)
            .into_tuple()
            .all(self.connection())
            .await?;
        rows.iter().map(|row| id(row, GovernanceProposalId::parse)).collect()
    }

    /// `setGovernanceRule`.
    pub async fn set_governance_rule(&self, actor: AgentId, rule: GovernanceRule) -> Result<GovernanceRule> {
        self.write(move |txn| set_rule_in(txn, actor, rule, Utc::now()).boxed()).await
    }

    /// `governanceRule`: the scope's rule, else the default.
    pub async fn governance_rule(&self, scope: AgentId) -> Result<GovernanceRule> {
        rule_in(self.connection(), scope).await
    }

    /// Many proposals in one query.
    pub async fn governance_proposals_by_id(
        &self,
        ids: &[GovernanceProposalId],
    ) -> Result<HashMap<GovernanceProposalId, GovernanceProposal>> {
        by_ids(self.connection(), governance_proposal::Column::Id, ids).await
    }

    /// The proposals of `scope`, newest first, of one status if given.
    pub async fn governance_proposals_of(
        &self,
        scope: AgentId,
        status: Option<ProposalStatus>,
    ) -> Result<Vec<GovernanceProposal>> {
        let mut select = governance_proposal::Entity::find()
            .filter(governance_proposal::Column::Scope.eq(scope.to_string()))
            .order_by_desc(governance_proposal::Column::Id);
        if let Some(status) = status {
            select = select.filter(governance_proposal::Column::Status.eq(status.as_str()));
        }
        select.all(self.connection()).await?.into_iter().map(GovernanceProposal::from_row).collect()
    }

    /// The electorates of many proposals, by proposal (DataLoader batches).
    pub async fn governance_electors_of(
        &self,
        proposals: &[GovernanceProposalId],
    ) -> Result<HashMap<GovernanceProposalId, Vec<Elector>>> {
        electors_of(self.connection(), proposals).await
    }

    /// The votes on many proposals, by proposal (DataLoader batches).
    pub async fn governance_votes_of(
        &self,
        proposals: &[GovernanceProposalId],
    ) -> Result<HashMap<GovernanceProposalId, Vec<Vote>>> {
        votes_of(self.connection(), proposals).await
    }
}
