//! Proposals (vf-graphql module `proposal`): the proposal, the intents it publishes and the
//! agents it is published to, and the `offers` and `requests` lists. Every write is an
//! `…_in(txn, …)` function with a thin [`Store`] method; only the proposal's creator changes
//! it ([`ovn_domain::permission::may_change_proposal`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::permission::may_change_proposal;
use ovn_domain::proposal::{Proposal, ProposalPurpose, ProposedIntent, ProposedTo};
use ovn_domain::{AgentId, DomainError, IntentId, Name, Patch, ProposalId, ProposedIntentId, ProposedToId, Revision};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Select};

use crate::entity::{intent, proposal, proposed_intent, proposed_to};
use crate::error::{PersistenceError, Result};
use crate::idempotency::Idempotency;
use crate::intent::in_json_list;
use crate::page::{Page, PageRequest, paginate};
use crate::references::{Ref, References};
use crate::revisioned::{IN_LIST_MAX, by_ids, delete_in, insert_in, locked_at, save_in};
use crate::rows::Record;
use crate::store::Store;

/// `createProposal` / `updateProposal`, parsed (on create, `Keep` means "not given").
#[derive(Debug, Clone, Default)]
pub struct ProposalPatch {
    /// `name`.
    pub name: Patch<Name>,
    /// `hasBeginning`.
    pub has_beginning: Patch<DateTime<Utc>>,
    /// `hasEnd`.
    pub has_end: Patch<DateTime<Utc>>,
    /// `unitBased`.
    pub unit_based: Patch<bool>,
    /// `created` (create only).
    pub created: Patch<DateTime<Utc>>,
    /// `note`.
    pub note: Patch<String>,
    /// `inScopeOf`.
    pub in_scope_of: Patch<Vec<AgentId>>,
    /// VF 1.0 `purpose`.
    pub purpose: Patch<ProposalPurpose>,
}

/// Which proposals to list.
#[derive(Debug, Clone, Copy, Default)]
pub enum ProposalFilter {
    /// Every proposal.
    #[default]
    All,
    /// Offers: every primary intent has a provider and no receiver
    /// ([`ovn_domain::proposal::purpose_of`]).
    Offers,
    /// Requests: every primary intent has a receiver and no provider.
    Requests,
    /// Created by the agent, or publishing an intent it provides or receives.
    Agent(AgentId),
    /// In scope of the agent.
    InScope(AgentId),
    /// Published to the agent.
    To(AgentId),
}

fn apply_proposal_patch(current: Proposal, patch: ProposalPatch) -> Proposal {
    Proposal {
        name: patch.name.apply(current.name),
        has_beginning: patch.has_beginning.apply(current.has_beginning),
        has_end: patch.has_end.apply(current.has_end),
        unit_based: patch.unit_based.apply(Some(current.unit_based)).unwrap_or(false),
        created: patch.created.apply(Some(current.created)).unwrap_or(current.created),
        note: patch.note.apply(current.note),
        in_scope_of: patch.in_scope_of.apply(Some(current.in_scope_of)).unwrap_or_default(),
        purpose: patch.purpose.apply(current.purpose),
        ..current
    }
}

fn proposal_references(proposal: &Proposal) -> References {
    let mut references = References::new();
    references.add_all("inScopeOf", proposal.in_scope_of.iter().copied().map(Ref::Agent));
    references
}

async fn proposal_in(txn: &DatabaseTransaction, field: &str, id: ProposalId) -> Result<Proposal> {
    match proposal::Entity::find_by_id(id.to_string()).one(txn).await? {
        Some(row) => Proposal::from_row(row),
        None => Err(DomainError::invalid(field, format!("proposal `{id}` does not exist")).into()),
    }
}

fn duplicate(err: PersistenceError, what: &str) -> PersistenceError {
    if err.is_unique_violation() { PersistenceError::Conflict(what.to_owned()) } else { err }
}

// ---------------------------------------------------------------- writes

/// `createProposal` inside the caller's transaction.
pub async fn create_proposal_in(txn: &DatabaseTransaction, proposal: &Proposal) -> Result<()> {
    proposal.validate()?;
    proposal_references(proposal).check(txn).await?;
    insert_in(txn, proposal, Utc::now()).await
}

/// `updateProposal` inside the caller's transaction, at `revision`, by its creator.
pub async fn update_proposal_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<ProposalId>,
    patch: ProposalPatch,
) -> Result<Proposal> {
    let current: Proposal = locked_at(txn, revision).await?;
    may_change_proposal(actor, &current)?;
    let next = apply_proposal_patch(current, patch);
    next.validate()?;
    proposal_references(&next).check(txn).await?;
    save_in(txn, revision, next).await
}

/// `deleteProposal` inside the caller's transaction, by its creator; refused (`CONFLICT`)
/// while it still publishes intents or is published to agents.
pub async fn delete_proposal_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<ProposalId>,
) -> Result<()> {
    delete_in(txn, revision, |proposal: &Proposal| may_change_proposal(actor, proposal).map_err(Into::into)).await
}

/// `proposeIntent` inside the caller's transaction: the proposal's creator publishes an
/// existing intent in it (once).
pub async fn propose_intent_in(txn: &DatabaseTransaction, actor: AgentId, proposed: &ProposedIntent) -> Result<()> {
    let proposal = proposal_in(txn, "publishedIn", proposed.published_in).await?;
    may_change_proposal(actor, &proposal)?;
    References::new().add("publishes", Some(Ref::Intent(proposed.publishes))).check(txn).await?;
    insert_in(txn, proposed, Utc::now())
        .await
        .map_err(|e| duplicate(e, "the intent is already published in this proposal"))
}

/// `deleteProposedIntent` inside the caller's transaction, by the proposal's creator.
pub async fn delete_proposed_intent_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<ProposedIntentId>,
) -> Result<()> {
    let current: ProposedIntent = locked_at(txn, revision).await?;
    may_change_proposal(actor, &proposal_in(txn, "publishedIn", current.published_in).await?)?;
    delete_in(txn, revision, |_: &ProposedIntent| Ok(())).await
}

/// `proposeTo` inside the caller's transaction: the proposal's creator publishes it to an
/// agent (once).
pub async fn propose_to_in(txn: &DatabaseTransaction, actor: AgentId, proposed: &ProposedTo) -> Result<()> {
    let proposal = proposal_in(txn, "proposed", proposed.proposed).await?;
    may_change_proposal(actor, &proposal)?;
    References::new().add("proposedTo", Some(Ref::Agent(proposed.proposed_to))).check(txn).await?;
    insert_in(txn, proposed, Utc::now())
        .await
        .map_err(|e| duplicate(e, "the proposal is already published to this agent"))
}

/// `deleteProposedTo` inside the caller's transaction, by the proposal's creator.
pub async fn delete_proposed_to_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<ProposedToId>,
) -> Result<()> {
    let current: ProposedTo = locked_at(txn, revision).await?;
    may_change_proposal(actor, &proposal_in(txn, "proposed", current.proposed).await?)?;
    delete_in(txn, revision, |_: &ProposedTo| Ok(())).await
}

// ---------------------------------------------------------------- reads

/// The ids of proposals with a primary intent matching `condition` on the intent.
fn proposals_with_primary(condition: Condition) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column((proposed_intent::Entity, proposed_intent::Column::PublishedIn))
        .from(proposed_intent::Entity)
        .inner_join(
            intent::Entity,
            Expr::col((intent::Entity, intent::Column::Id))
                .equals((proposed_intent::Entity, proposed_intent::Column::Publishes)),
        )
        .and_where(Expr::col((proposed_intent::Entity, proposed_intent::Column::Reciprocal)).eq(false))
        .cond_where(condition)
        .to_owned()
}

/// Primary intents that are offers: a provider and no receiver (and the negation).
fn offering(provider: bool) -> Condition {
    let (given, missing) = if provider {
        (intent::Column::Provider, intent::Column::Receiver)
    } else {
        (intent::Column::Receiver, intent::Column::Provider)
    };
    Condition::all()
        .add(Expr::col((intent::Entity, given)).is_not_null())
        .add(Expr::col((intent::Entity, missing)).is_null())
}

fn proposal_select(filter: ProposalFilter) -> Select<proposal::Entity> {
    use proposal::Column as C;
    let select = proposal::Entity::find();
    match filter {
        ProposalFilter::All => select,
        // `purpose_of`'s rule in SQL: at least one primary intent, and every one of them of
        // the purpose.
        ProposalFilter::Offers | ProposalFilter::Requests => {
            let provider = matches!(filter, ProposalFilter::Offers);
            select
                .filter(C::Id.in_subquery(proposals_with_primary(offering(provider))))
                .filter(C::Id.not_in_subquery(proposals_with_primary(offering(provider).not())))
        }
        ProposalFilter::Agent(agent) => {
            let theirs = Condition::any()
                .add(Expr::col((intent::Entity, intent::Column::Provider)).eq(agent.to_string()))
                .add(Expr::col((intent::Entity, intent::Column::Receiver)).eq(agent.to_string()));
            let publishing = Query::select()
                .column((proposed_intent::Entity, proposed_intent::Column::PublishedIn))
                .from(proposed_intent::Entity)
                .inner_join(
                    intent::Entity,
                    Expr::col((intent::Entity, intent::Column::Id))
                        .equals((proposed_intent::Entity, proposed_intent::Column::Publishes)),
                )
                .cond_where(theirs)
                .to_owned();
            select.filter(Condition::any().add(C::RecordedBy.eq(agent.to_string())).add(C::Id.in_subquery(publishing)))
        }
        ProposalFilter::InScope(scope) => select.filter(C::InScopeOf.like(in_json_list(scope))),
        ProposalFilter::To(agent) => {
            let to = Query::select()
                .column(proposed_to::Column::Proposed)
                .from(proposed_to::Entity)
                .and_where(proposed_to::Column::ProposedTo.eq(agent.to_string()))
                .to_owned();
            select.filter(C::Id.in_subquery(to))
        }
    }
}

impl Store {
    /// `createProposal`: any authenticated agent, who becomes its creator.
    pub async fn create_proposal(
        &self,
        actor: AgentId,
        patch: ProposalPatch,
        idem: Option<&Idempotency>,
    ) -> Result<Proposal> {
        let now = Utc::now();
        let blank = Proposal {
            id: ProposalId::new(),
            revision: 1,
            name: None,
            has_beginning: None,
            has_end: None,
            unit_based: false,
            created: now,
            note: None,
            in_scope_of: Vec::new(),
            purpose: None,
            recorded_by: actor,
        };
        let proposal = apply_proposal_patch(blank, patch);
        proposal.validate()?;
        let id = proposal.id;
        let outcome = self
            .create(idem, id.to_string(), move |txn| {
                async move { create_proposal_in(txn, &proposal).await.map(|()| proposal) }.boxed()
            })
            .await?;
        self.created(outcome, Proposal::KIND, async |store: &Store, id| {
            Ok(store.proposals_by_id(&[id]).await?.remove(&id))
        })
        .await
    }

    /// `updateProposal`.
    pub async fn update_proposal(
        &self,
        actor: AgentId,
        revision: Revision<ProposalId>,
        patch: ProposalPatch,
    ) -> Result<Proposal> {
        self.write(move |txn| update_proposal_in(txn, actor, revision, patch).boxed()).await
    }

    /// `deleteProposal`.
    pub async fn delete_proposal(&self, actor: AgentId, revision: Revision<ProposalId>) -> Result<()> {
        self.write(move |txn| delete_proposal_in(txn, actor, revision).boxed()).await
    }

    /// `proposeIntent`.
    pub async fn propose_intent(
        &self,
        actor: AgentId,
        published_in: ProposalId,
        publishes: IntentId,
        reciprocal: bool,
        idem: Option<&Idempotency>,
    ) -> Result<ProposedIntent> {
        let proposed = ProposedIntent { id: ProposedIntentId::new(), revision: 1, published_in, publishes, reciprocal };
        let id = proposed.id;
        let outcome = self
            .create(idem, id.to_string(), move |txn| {
                async move { propose_intent_in(txn, actor, &proposed).await.map(|()| proposed) }.boxed()
            })
            .await?;
        self.created(outcome, ProposedIntent::KIND, async |store: &Store, id| {
            Ok(store.proposed_intents_by_id(&[id]).await?.remove(&id))
        })
        .await
    }

    /// `deleteProposedIntent`.
    pub async fn delete_proposed_intent(&self, actor: AgentId, revision: Revision<ProposedIntentId>) -> Result<()> {
        self.write(move |txn| delete_proposed_intent_in(txn, actor, revision).boxed()).await
    }

    /// `proposeTo`.
    pub async fn propose_to(
        &self,
        actor: AgentId,
        proposed: ProposalId,
        proposed_to: AgentId,
        idem: Option<&Idempotency>,
    ) -> Result<ProposedTo> {
        let record = ProposedTo { id: ProposedToId::new(), revision: 1, proposed, proposed_to };
        let id = record.id;
        let outcome = self
            .create(idem, id.to_string(), move |txn| {
                async move { propose_to_in(txn, actor, &record).await.map(|()| record) }.boxed()
            })
            .await?;
        self.created(outcome, ProposedTo::KIND, async |store: &Store, id| {
            Ok(store.proposed_tos_by_id(&[id]).await?.remove(&id))
        })
        .await
    }

    /// `deleteProposedTo`.
    pub async fn delete_proposed_to(&self, actor: AgentId, revision: Revision<ProposedToId>) -> Result<()> {
        self.write(move |txn| delete_proposed_to_in(txn, actor, revision).boxed()).await
    }

    /// Many proposals in one query.
    pub async fn proposals_by_id(&self, ids: &[ProposalId]) -> Result<HashMap<ProposalId, Proposal>> {
        by_ids(self.connection(), proposal::Column::Id, ids).await
    }

    /// A page of proposals.
    pub async fn proposals(&self, filter: ProposalFilter, page: &PageRequest) -> Result<Page<Proposal>> {
        paginate(self.connection(), proposal_select(filter), proposal::Column::Id, page)
            .await?
            .try_map(Proposal::from_row)
    }

    /// Many proposed intents in one query.
    pub async fn proposed_intents_by_id(
        &self,
        ids: &[ProposedIntentId],
    ) -> Result<HashMap<ProposedIntentId, ProposedIntent>> {
        by_ids(self.connection(), proposed_intent::Column::Id, ids).await
    }

    /// Many `ProposedTo` records in one query.
    pub async fn proposed_tos_by_id(&self, ids: &[ProposedToId]) -> Result<HashMap<ProposedToId, ProposedTo>> {
        by_ids(self.connection(), proposed_to::Column::Id, ids).await
    }

    /// The intents many proposals publish (`by_proposal`), or the publications of many
    /// intents (otherwise), in one query each.
    pub async fn proposed_intents_of(
        &self,
        proposals: &[ProposalId],
        intents: &[IntentId],
    ) -> Result<Vec<ProposedIntent>> {
        let mut found = Vec::new();
        for chunk in proposals.chunks(IN_LIST_MAX) {
            let rows = proposed_intent::Entity::find()
                .filter(proposed_intent::Column::PublishedIn.is_in(chunk.iter().map(ToString::to_string)))
                .order_by_asc(proposed_intent::Column::Id)
                .all(self.connection())
                .await?;
            for row in rows {
                found.push(ProposedIntent::from_row(row)?);
            }
        }
        for chunk in intents.chunks(IN_LIST_MAX) {
            let rows = proposed_intent::Entity::find()
                .filter(proposed_intent::Column::Publishes.is_in(chunk.iter().map(ToString::to_string)))
                .order_by_asc(proposed_intent::Column::Id)
                .all(self.connection())
                .await?;
            for row in rows {
                found.push(ProposedIntent::from_row(row)?);
            }
        }
        Ok(found)
    }

    /// The agents many proposals are published to, in one query.
    pub async fn proposed_to_of(&self, proposals: &[ProposalId]) -> Result<HashMap<ProposalId, Vec<ProposedTo>>> {
        let mut grouped: HashMap<ProposalId, Vec<ProposedTo>> = HashMap::new();
        for chunk in proposals.chunks(IN_LIST_MAX) {
            let rows = proposed_to::Entity::find()
                .filter(proposed_to::Column::Proposed.is_in(chunk.iter().map(ToString::to_string)))
                .order_by_asc(proposed_to::Column::Id)
                .all(self.connection())
                .await?;
            for row in rows {
                let record = ProposedTo::from_row(row)?;
                grouped.entry(record.proposed).or_default().push(record);
            }
        }
        Ok(grouped)
    }
}
