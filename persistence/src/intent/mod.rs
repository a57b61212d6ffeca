//! Intents and satisfactions (vf-graphql modules `intent` and `satisfaction`). Every write is
//! an `…_in(txn, …)` function that composes into a larger transaction, with a thin [`Store`]
//! method that runs it alone; who may write is [`ovn_domain::permission`]'s rule, asked of the
//! records as loaded inside the transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::agent::network::Ties;
use ovn_domain::intent::satisfaction::FlowQuantities;
use ovn_domain::intent::{Intent, Satisfaction, SatisfiedBy};
use ovn_domain::permission::{may_write_intent, may_write_satisfaction};
use ovn_domain::planning::Commitment;
use ovn_domain::{
    Action, AgentId, CommitmentId, DomainError, EconomicEventId, EconomicResourceId, IntentId, Measure, Name, Patch,
    ProcessId, ResourceSpecificationId, Revision, SatisfactionId, Uri,
};
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Select};
use uuid::Uuid;

use crate::agent::network::ties_around;
use crate::entity::{commitment, economic_event, intent, satisfaction};
use crate::error::Result;
use crate::idempotency::Idempotency;
use crate::page::{Page, PageRequest, paginate};
use crate::references::{Ref, References};
use crate::revisioned::{IN_LIST_MAX, by_ids, delete_in, insert_in, locked_at, save_in};
use crate::rows::{Record, core_from};
use crate::store::Store;

/// `createIntent` / `updateIntent`, parsed (on create, `Keep` means "not given").
#[derive(Debug, Clone, Default)]
pub struct IntentPatch {
    /// `action`.
    pub action: Patch<Action>,
    /// `name`.
    pub name: Patch<Name>,
    /// `provider`.
    pub provider: Patch<AgentId>,
    /// `receiver`.
    pub receiver: Patch<AgentId>,
    /// `inputOf`.
    pub input_of: Patch<ProcessId>,
    /// `outputOf`.
    pub output_of: Patch<ProcessId>,
    /// `resourceInventoriedAs`.
    pub resource_inventoried_as: Patch<EconomicResourceId>,
    /// `resourceConformsTo`.
    pub resource_conforms_to: Patch<ResourceSpecificationId>,
    /// `resourceClassifiedAs`.
    pub resource_classified_as: Patch<Vec<Uri>>,
    /// `resourceQuantity`.
    pub resource_quantity: Patch<Measure>,
    /// `effortQuantity`.
    pub effort_quantity: Patch<Measure>,
    /// `availableQuantity`.
    pub available_quantity: Patch<Measure>,
    /// `hasBeginning`.
    pub has_beginning: Patch<DateTime<Utc>>,
    /// `hasEnd`.
    pub has_end: Patch<DateTime<Utc>>,
    /// `hasPointInTime`.
    pub has_point_in_time: Patch<DateTime<Utc>>,
    /// `due`.
    pub due: Patch<DateTime<Utc>>,
    /// `finished`.
    pub finished: Patch<bool>,
    /// `image`.
    pub image: Patch<Uri>,
    /// `imageList`.
    pub image_list: Patch<Vec<Uri>>,
    /// `note`.
    pub note: Patch<String>,
    /// `agreedIn`.
    pub agreed_in: Patch<Uri>,
    /// `inScopeOf`.
    pub in_scope_of: Patch<Vec<AgentId>>,
}

/// `createSatisfaction` / `updateSatisfaction`, parsed. `satisfied_by` is the id the client
/// sent: an economic event's or a commitment's, found out when it is looked up.
#[derive(Debug, Clone, Default)]
pub struct SatisfactionPatch {
    /// `satisfies`.
    pub satisfies: Patch<IntentId>,
    /// `satisfiedBy`.
    pub satisfied_by: Patch<Uuid>,
    /// `resourceQuantity`.
    pub resource_quantity: Patch<Measure>,
    /// `effortQuantity`.
    pub effort_quantity: Patch<Measure>,
    /// `note`.
    pub note: Patch<String>,
}

/// Which intents to list.
#[derive(Debug, Clone, Default)]
pub struct IntentFilter {
    /// Provided by this agent.
    pub provider: Option<AgentId>,
    /// Received by this agent.
    pub receiver: Option<AgentId>,
    /// Provided or received by this agent.
    pub agent: Option<AgentId>,
    /// In scope of this agent.
    pub in_scope_of: Option<AgentId>,
    /// About this resource.
    pub resource_inventoried_as: Option<EconomicResourceId>,
    /// Of this kind of resource.
    pub resource_conforms_to: Option<ResourceSpecificationId>,
}

/// The OVN relationships a write by `actor` on a record naming `agents` (its parties and
/// scopes) is judged by: none when the actor is a party (the rule then looks no further),
/// else the actor's stewardships and the `partOf` chains above `agents`.
pub(crate) async fn ties_for(
    txn: &DatabaseTransaction,
    actor: AgentId,
    party: bool,
    agents: &[AgentId],
) -> Result<Ties> {
    if party { Ok(Ties::default()) } else { ties_around(txn, &[actor], agents).await }
}

async fn may_write(txn: &DatabaseTransaction, actor: AgentId, intent: &Intent) -> Result<()> {
    let ties = ties_for(txn, actor, intent.is_party(actor), &intent.agents()).await?;
    Ok(may_write_intent(actor, intent, &ties)?)
}

/// The `LIKE` pattern that finds an id in a stored JSON array of ids (ids are UUIDs, so the
/// quoted text matches nothing else).
pub(crate) fn in_json_list(id: impl std::fmt::Display) -> String {
    format!("%\"{id}\"%")
}

fn apply_intent_patch(current: Intent, patch: IntentPatch) -> Result<Intent> {
    Ok(Intent {
        action: patch.action.apply_required("action", current.action)?,
        name: patch.name.apply(current.name),
        provider: patch.provider.apply(current.provider),
        receiver: patch.receiver.apply(current.receiver),
        input_of: patch.input_of.apply(current.input_of),
        output_of: patch.output_of.apply(current.output_of),
        resource_inventoried_as: patch.resource_inventoried_as.apply(current.resource_inventoried_as),
        resource_conforms_to: patch.resource_conforms_to.apply(current.resource_conforms_to),
        resource_classified_as: patch
            .resource_classified_as
            .apply(Some(current.resource_classified_as))
            .unwrap_or_default(),
        resource_quantity: patch.resource_quantity.apply(current.resource_quantity),
        effort_quantity: patch.effort_quantity.apply(current.effort_quantity),
        available_quantity: patch.available_quantity.apply(current.available_quantity),
        has_beginning: patch.has_beginning.apply(current.has_beginning),
        has_end: patch.has_end.apply(current.has_end),
        has_point_in_time: patch.has_point_in_time.apply(current.has_point_in_time),
        due: patch.due.apply(current.due),
        finished: patch.finished.apply(Some(current.finished)).unwrap_or(false),
        image: patch.image.apply(current.image),
        image_list: patch.image_list.apply(Some(current.image_list)).unwrap_or_default(),
        note: patch.note.apply(current.note),
        agreed_in: patch.agreed_in.apply(current.agreed_in),
        in_scope_of: patch.in_scope_of.apply(Some(current.in_scope_of)).unwrap_or_default(),
        ..current
    })
}

fn intent_references(intent: &Intent) -> References {
    let mut references = References::new();
    references
        .add("provider", intent.provider.map(Ref::Agent))
        .add("receiver", intent.receiver.map(Ref::Agent))
        .add("inputOf", intent.input_of.map(Ref::Process))
        .add("outputOf", intent.output_of.map(Ref::Process))
        .add("resourceInventoriedAs", intent.resource_inventoried_as.map(Ref::Resource))
        .add("resourceConformsTo", intent.resource_conforms_to.map(Ref::ResourceSpecification))
        .add("resourceQuantity.hasUnit", intent.resource_quantity.and_then(|m| m.has_unit).map(Ref::Unit))
        .add("effortQuantity.hasUnit", intent.effort_quantity.and_then(|m| m.has_unit).map(Ref::Unit))
        .add("availableQuantity.hasUnit", intent.available_quantity.and_then(|m| m.has_unit).map(Ref::Unit))
        .add_all("inScopeOf", intent.in_scope_of.iter().copied().map(Ref::Agent));
    references
}

/// Reads an intent inside the transaction (no revision check: a satisfaction reads the
/// intent it satisfies).
async fn intent_in(txn: &DatabaseTransaction, field: &str, id: IntentId) -> Result<Intent> {
    let row = intent::Entity::find_by_id(id.to_string()).one(txn).await?;
    match row {
        Some(row) => Intent::from_row(row),
        None => Err(DomainError::invalid(field, format!("intent `{id}` does not exist")).into()),
    }
}

/// What satisfies an intent, looked up by the id the client sent: an economic event or a
/// commitment, with its quantities and parties.
async fn satisfier_in(txn: &DatabaseTransaction, id: Uuid) -> Result<(SatisfiedBy, FlowQuantities, Vec<AgentId>)> {
    let event = economic_event::Entity::find_by_id(id.to_string()).one(txn).await?;
    if let Some(row) = event {
        let core = core_from(&row)?;
        let quantities =
            FlowQuantities { resource_quantity: core.resource_quantity, effort_quantity: core.effort_quantity };
        return Ok((
            SatisfiedBy::Event(EconomicEventId::from_uuid(id)),
            quantities,
            vec![core.provider, core.receiver],
        ));
    }
    if let Some(row) = commitment::Entity::find_by_id(id.to_string()).one(txn).await? {
        let commitment = Commitment::from_row(row)?;
        let quantities = FlowQuantities {
            resource_quantity: commitment.resource_quantity,
            effort_quantity: commitment.effort_quantity,
        };
        return Ok((
            SatisfiedBy::Commitment(commitment.id),
            quantities,
            vec![commitment.provider, commitment.receiver],
        ));
    }
    Err(DomainError::invalid("satisfiedBy", format!("economic event or commitment `{id}` does not exist")).into())
}

// ---------------------------------------------------------------- writes

/// `createIntent` inside the caller's transaction: `actor` must be its provider or receiver.
pub async fn create_intent_in(txn: &DatabaseTransaction, actor: AgentId, intent: &Intent) -> Result<()> {
    intent.validate()?;
    may_write(txn, actor, intent).await?;
    intent_references(intent).check(txn).await?;
    insert_in(txn, intent, Utc::now()).await
}

/// `updateIntent` inside the caller's transaction, at `revision`: `actor` must be a party to
/// the intent before and after the change.
pub async fn update_intent_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<IntentId>,
    patch: IntentPatch,
) -> Result<Intent> {
    let current: Intent = locked_at(txn, revision).await?;
    may_write(txn, actor, &current).await?;
    let next = apply_intent_patch(current, patch)?;
    next.validate()?;
    may_write(txn, actor, &next).await?;
    intent_references(&next).check(txn).await?;
    save_in(txn, revision, next).await
}

/// `deleteIntent` inside the caller's transaction; refused (`CONFLICT`) while satisfactions
/// or proposals refer to it.
pub async fn delete_intent_in(txn: &DatabaseTransaction, actor: AgentId, revision: Revision<IntentId>) -> Result<()> {
    let current: Intent = locked_at(txn, revision).await?;
    may_write(txn, actor, &current).await?;
    delete_in(txn, revision, |_: &Intent| Ok(())).await
}

async fn may_satisfy(txn: &DatabaseTransaction, actor: AgentId, intent: &Intent, parties: &[AgentId]) -> Result<()> {
    let party = intent.is_party(actor) || parties.contains(&actor);
    let ties = ties_for(txn, actor, party, &intent.agents()).await?;
    Ok(may_write_satisfaction(actor, intent, parties, &ties)?)
}

/// `createSatisfaction` inside the caller's transaction: the intent and what satisfies it
/// must exist, `actor` must be a party to either, and the quantities (defaulted from the
/// satisfying flow) must be in the intent's units.
pub async fn create_satisfaction_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    id: SatisfactionId,
    patch: SatisfactionPatch,
) -> Result<Satisfaction> {
    let Patch::Set(intent_id) = patch.satisfies else {
        return Err(DomainError::invalid("satisfies", "is required").into());
    };
    let Patch::Set(satisfier) = patch.satisfied_by else {
        return Err(DomainError::invalid("satisfiedBy", "is required").into());
    };
    let intent = intent_in(txn, "satisfies", intent_id).await?;
    let (satisfied_by, flow, parties) = satisfier_in(txn, satisfier).await?;
    may_satisfy(txn, actor, &intent, &parties).await?;
    let satisfaction = Satisfaction {
        id,
        revision: 1,
        satisfies: intent_id,
        satisfied_by,
        resource_quantity: patch.resource_quantity.apply(None),
        effort_quantity: patch.effort_quantity.apply(None),
        note: patch.note.apply(None),
    }
    .prepare(&intent, flow)?;
    insert_in(txn, &satisfaction, Utc::now()).await?;
    Ok(satisfaction)
}

/// `updateSatisfaction` inside the caller's transaction, at `revision`: checked again as on
/// create, against the intent and satisfier it names afterwards.
pub async fn update_satisfaction_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<SatisfactionId>,
    patch: SatisfactionPatch,
) -> Result<Satisfaction> {
    let current: Satisfaction = locked_at(txn, revision).await?;
    let before = intent_in(txn, "satisfies", current.satisfies).await?;
    let (_, _, before_parties) = satisfier_in(txn, satisfier_uuid(current.satisfied_by)).await?;
    may_satisfy(txn, actor, &before, &before_parties).await?;
    let intent_id = patch.satisfies.apply_required("satisfies", current.satisfies)?;
    let satisfier = patch.satisfied_by.apply_required("satisfiedBy", satisfier_uuid(current.satisfied_by))?;
    let intent = intent_in(txn, "satisfies", intent_id).await?;
    let (satisfied_by, flow, parties) = satisfier_in(txn, satisfier).await?;
    may_satisfy(txn, actor, &intent, &parties).await?;
    let next = Satisfaction {
        satisfies: intent_id,
        satisfied_by,
        resource_quantity: patch.resource_quantity.apply(current.resource_quantity),
        effort_quantity: patch.effort_quantity.apply(current.effort_quantity),
        note: patch.note.apply(current.note),
        ..current
    }
    .prepare(&intent, flow)?;
    save_in(txn, revision, next).await
}

fn satisfier_uuid(satisfied_by: SatisfiedBy) -> Uuid {
    match satisfied_by {
        SatisfiedBy::Event(id) => id.uuid(),
        SatisfiedBy::Commitment(id) => id.uuid(),
    }
}

/// `deleteSatisfaction` inside the caller's transaction, by a party to the intent or to what
/// satisfies it.
pub async fn delete_satisfaction_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<SatisfactionId>,
) -> Result<()> {
    let current: Satisfaction = locked_at(txn, revision).await?;
    let intent = intent_in(txn, "satisfies", current.satisfies).await?;
    let (_, _, parties) = satisfier_in(txn, satisfier_uuid(current.satisfied_by)).await?;
    may_satisfy(txn, actor, &intent, &parties).await?;
    delete_in(txn, revision, |_: &Satisfaction| Ok(())).await
}

// ---------------------------------------------------------------- the store

fn intent_select(filter: &IntentFilter) -> Select<intent::Entity> {
    use intent::Column as C;
    let mut select = intent::Entity::find();
    if let Some(provider) = filter.provider {
        select = select.filter(C::Provider.eq(provider.to_string()));
    }
    if let Some(receiver) = filter.receiver {
        select = select.filter(C::Receiver.eq(receiver.to_string()));
    }
    if let Some(agent) = filter.agent {
        select = select
            .filter(Condition::any().add(C::Provider.eq(agent.to_string())).add(C::Receiver.eq(agent.to_string())));
    }
    if let Some(scope) = filter.in_scope_of {
        select = select.filter(C::InScopeOf.like(in_json_list(scope)));
    }
    if let Some(resource) = filter.resource_inventoried_as {
        select = select.filter(C::ResourceInventoriedAs.eq(resource.to_string()));
    }
    if let Some(spec) = filter.resource_conforms_to {
        select = select.filter(C::ResourceConformsTo.eq(spec.to_string()));
    }
    select
}

impl Store {
    /// `createIntent`: `action` must be set; the token's agent must be its provider or
    /// receiver.
    pub async fn create_intent(
        &self,
        actor: AgentId,
        patch: IntentPatch,
        idem: Option<&Idempotency>,
    ) -> Result<Intent> {
        let Patch::Set(action) = patch.action else {
            return Err(DomainError::invalid("action", "is required").into());
        };
        let blank = Intent {
            id: IntentId::new(),
            revision: 1,
            action,
            name: None,
            provider: None,
            receiver: None,
            input_of: None,
            output_of: None,
            resource_inventoried_as: None,
            resource_conforms_to: None,
            resource_classified_as: Vec::new(),
            resource_quantity: None,
            effort_quantity: None,
            available_quantity: None,
            has_beginning: None,
            has_end: None,
            has_point_in_time: None,
            due: None,
            finished: false,
            image: None,
            image_list: Vec::new(),
            note: None,
            agreed_in: None,
            in_scope_of: Vec::new(),
        };
        let intent = apply_intent_patch(blank, patch)?;
        intent.validate()?;
        let id = intent.id;
        let outcome = self
            .create(idem, id.to_string(), move |txn| {
                async move { create_intent_in(txn, actor, &intent).await.map(|()| intent) }.boxed()
            })
            .await?;
        self.created(outcome, Intent::KIND, async |store: &Store, id| Ok(store.intents_by_id(&[id]).await?.remove(&id)))
            .await
    }

    /// `updateIntent`.
    pub async fn update_intent(
        &self,
        actor: AgentId,
        revision: Revision<IntentId>,
        patch: IntentPatch,
    ) -> Result<Intent> {
        self.write(move |txn| update_intent_in(txn, actor, revision, patch).boxed()).await
    }

    /// `deleteIntent`.
    pub async fn delete_intent(&self, actor: AgentId, revision: Revision<IntentId>) -> Result<()> {
        self.write(move |txn| delete_intent_in(txn, actor, revision).boxed()).await
    }

    /// Many intents in one query.
    pub async fn intents_by_id(&self, ids: &[IntentId]) -> Result<HashMap<IntentId, Intent>> {
        by_ids(self.connection(), intent::Column::Id, ids).await
    }

    /// A page of intents.
    pub async fn intents(&self, filter: &IntentFilter, page: &PageRequest) -> Result<Page<Intent>> {
        paginate(self.connection(), intent_select(filter), intent::Column::Id, page).await?.try_map(Intent::from_row)
    }

    /// The intended inputs (or outputs) of many processes in one query.
    pub async fn intents_of_processes(
        &self,
        ids: &[ProcessId],
        outputs: bool,
    ) -> Result<HashMap<ProcessId, Vec<Intent>>> {
        let column = if outputs { intent::Column::OutputOf } else { intent::Column::InputOf };
        let mut grouped: HashMap<ProcessId, Vec<Intent>> = HashMap::new();
        for chunk in ids.chunks(IN_LIST_MAX) {
            let rows = intent::Entity::find()
                .filter(column.is_in(chunk.iter().map(ToString::to_string)))
                .order_by_asc(intent::Column::Id)
                .all(self.connection())
                .await?;
            for row in rows {
                let intent = Intent::from_row(row)?;
                if let Some(process) = if outputs { intent.output_of } else { intent.input_of } {
                    grouped.entry(process).or_default().push(intent);
                }
            }
        }
        Ok(grouped)
    }

    /// `createSatisfaction`.
    pub async fn create_satisfaction(
        &self,
        actor: AgentId,
        patch: SatisfactionPatch,
        idem: Option<&Idempotency>,
    ) -> Result<Satisfaction> {
        let id = SatisfactionId::new();
        let outcome =
            self.create(idem, id.to_string(), move |txn| create_satisfaction_in(txn, actor, id, patch).boxed()).await?;
        self.created(outcome, Satisfaction::KIND, async |store: &Store, id| {
            Ok(store.satisfactions_by_id(&[id]).await?.remove(&id))
        })
        .await
    }

    /// `updateSatisfaction`.
    pub async fn update_satisfaction(
        &self,
        actor: AgentId,
        revision: Revision<SatisfactionId>,
        patch: SatisfactionPatch,
    ) -> Result<Satisfaction> {
        self.write(move |txn| update_satisfaction_in(txn, actor, revision, patch).boxed()).await
    }

    /// `deleteSatisfaction`.
    pub async fn delete_satisfaction(&self, actor: AgentId, revision: Revision<SatisfactionId>) -> Result<()> {
        self.write(move |txn| delete_satisfaction_in(txn, actor, revision).boxed()).await
    }

    /// Many satisfactions in one query.
    pub async fn satisfactions_by_id(&self, ids: &[SatisfactionId]) -> Result<HashMap<SatisfactionId, Satisfaction>> {
        by_ids(self.connection(), satisfaction::Column::Id, ids).await
    }

    /// A page of satisfactions.
    pub async fn satisfactions(&self, page: &PageRequest) -> Result<Page<Satisfaction>> {
        paginate(self.connection(), satisfaction::Entity::find(), satisfaction::Column::Id, page)
            .await?
            .try_map(Satisfaction::from_row)
    }

    /// The satisfactions of many intents in one query (an intent's progress and
    /// `satisfiedBy`).
    pub async fn satisfactions_of_intents(&self, ids: &[IntentId]) -> Result<HashMap<IntentId, Vec<Satisfaction>>> {
        let mut grouped: HashMap<IntentId, Vec<Satisfaction>> = HashMap::new();
        for chunk in ids.chunks(IN_LIST_MAX) {
            let rows = satisfaction::Entity::find()
                .filter(satisfaction::Column::Satisfies.is_in(chunk.iter().map(ToString::to_string)))
                .order_by_asc(satisfaction::Column::Id)
                .all(self.connection())
                .await?;
            for row in rows {
                let satisfaction = Satisfaction::from_row(row)?;
                grouped.entry(satisfaction.satisfies).or_default().push(satisfaction);
            }
        }
        Ok(grouped)
    }

    /// The satisfactions many commitments make, in one query (`Commitment.satisfies`, once
    /// the planning module serves commitments).
    pub async fn satisfactions_by_commitments(
        &self,
        ids: &[CommitmentId],
    ) -> Result<HashMap<CommitmentId, Vec<Satisfaction>>> {
        let mut grouped: HashMap<CommitmentId, Vec<Satisfaction>> = HashMap::new();
        for chunk in ids.chunks(IN_LIST_MAX) {
            let rows = satisfaction::Entity::find()
                .filter(satisfaction::Column::SatisfiedByCommitment.is_in(chunk.iter().map(ToString::to_string)))
                .order_by_asc(satisfaction::Column::Id)
                .all(self.connection())
                .await?;
            for row in rows {
                let satisfaction = Satisfaction::from_row(row)?;
                if let SatisfiedBy::Commitment(commitment) = satisfaction.satisfied_by {
                    grouped.entry(commitment).or_default().push(satisfaction);
                }
            }
        }
        Ok(grouped)
    }

    /// The satisfactions many events make, in one query (`EconomicEvent.satisfies`).
    pub async fn satisfactions_by_events(
        &self,
        ids: &[EconomicEventId],
    ) -> Result<HashMap<EconomicEventId, Vec<Satisfaction>>> {
        let mut grouped: HashMap<EconomicEventId, Vec<Satisfaction>> = HashMap::new();
        for chunk in ids.chunks(IN_LIST_MAX) {
            let rows = satisfaction::Entity::find()
                .filter(satisfaction::Column::SatisfiedByEvent.is_in(chunk.iter().map(ToString::to_string)))
                .order_by_asc(satisfaction::Column::Id)
                .all(self.connection())
                .await?;
            for row in rows {
                let satisfaction = Satisfaction::from_row(row)?;
                if let SatisfiedBy::Event(event) = satisfaction.satisfied_by {
                    grouped.entry(event).or_default().push(satisfaction);
                }
            }
        }
        Ok(grouped)
    }
}
