//! Claims and settlements (vf-graphql module `claim`). Every write is an `…_in(txn, …)`
//! function with a thin [`Store`] method; a claim is written by a party to it, a settlement by
//! a party to the claim it settles ([`ovn_domain::permission`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::claim::{Claim, Settlement};
use ovn_domain::observation::NewEvent;
use ovn_domain::permission::{may_write_claim, may_write_settlement};
use ovn_domain::{
    Action, AgentId, ClaimId, DomainError, EconomicEventId, Measure, Patch, ResourceSpecificationId, Revision,
    SettlementId, Uri,
};
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Select};

use crate::entity::{claim, economic_event, settlement};
use crate::error::Result;
use crate::idempotency::Idempotency;
use crate::intent::{in_json_list, ties_for};
use crate::page::{Page, PageRequest, paginate};
use crate::references::{Ref, References};
use crate::revisioned::{IN_LIST_MAX, by_ids, delete_in, insert_in, locked_at, save_in};
use crate::rows::{Record, core_from};
use crate::store::Store;

/// `createClaim` / `updateClaim`, parsed (on create, `Keep` means "not given").
#[derive(Debug, Clone, Default)]
pub struct ClaimPatch {
    /// `action`.
    pub action: Patch<Action>,
    /// `provider`.
    pub provider: Patch<AgentId>,
    /// `receiver`.
    pub receiver: Patch<AgentId>,
    /// `resourceConformsTo`.
    pub resource_conforms_to: Patch<ResourceSpecificationId>,
    /// `resourceClassifiedAs`.
    pub resource_classified_as: Patch<Vec<Uri>>,
    /// `resourceQuantity`.
    pub resource_quantity: Patch<Measure>,
    /// `effortQuantity`.
    pub effort_quantity: Patch<Measure>,
    /// `triggeredBy`.
    pub triggered_by: Patch<EconomicEventId>,
    /// `due`.
    pub due: Patch<DateTime<Utc>>,
    /// `created`.
    pub created: Patch<DateTime<Utc>>,
    /// `finished`.
    pub finished: Patch<bool>,
    /// `note`.
    pub note: Patch<String>,
    /// `agreedIn`.
    pub agreed_in: Patch<Uri>,
    /// `inScopeOf`.
    pub in_scope_of: Patch<Vec<AgentId>>,
}

/// `createSettlement` / `updateSettlement`, parsed.
#[derive(Debug, Clone, Default)]
pub struct SettlementPatch {
    /// `settles`.
    pub settles: Patch<ClaimId>,
    /// `settledBy`.
    pub settled_by: Patch<EconomicEventId>,
    /// `resourceQuantity`.
    pub resource_quantity: Patch<Measure>,
    /// `effortQuantity`.
    pub effort_quantity: Patch<Measure>,
    /// `note`.
    pub note: Patch<String>,
}

/// Which claims to list.
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    /// Expected from this agent.
    pub provider: Option<AgentId>,
    /// For this agent.
    pub receiver: Option<AgentId>,
    /// Either.
    pub agent: Option<AgentId>,
    /// In scope of this agent.
    pub in_scope_of: Option<AgentId>,
    /// Of this kind of resource.
    pub resource_conforms_to: Option<ResourceSpecificationId>,
}

fn apply_claim_patch(current: Claim, patch: ClaimPatch) -> Result<Claim> {
    Ok(Claim {
        action: patch.action.apply_required("action", current.action)?,
        provider: patch.provider.apply(current.provider),
        receiver: patch.receiver.apply(current.receiver),
        resource_conforms_to: patch.resource_conforms_to.apply(current.resource_conforms_to),
        resource_classified_as: patch
            .resource_classified_as
            .apply(Some(current.resource_classified_as))
            .unwrap_or_default(),
        resource_quantity: patch.resource_quantity.apply(current.resource_quantity),
        effort_quantity: patch.effort_quantity.apply(current.effort_quantity),
        triggered_by: patch.triggered_by.apply_required("triggeredBy", current.triggered_by)?,
        due: patch.due.apply(current.due),
        created: patch.created.apply(Some(current.created)).unwrap_or(current.created),
        finished: patch.finished.apply(Some(current.finished)).unwrap_or(false),
        note: patch.note.apply(current.note),
        agreed_in: patch.agreed_in.apply(current.agreed_in),
        in_scope_of: patch.in_scope_of.apply(Some(current.in_scope_of)).unwrap_or_default(),
        ..current
    })
}

fn claim_references(claim: &Claim) -> References {
    let mut references = References::new();
    references
        .add("provider", claim.provider.map(Ref::Agent))
        .add("receiver", claim.receiver.map(Ref::Agent))
        .add("resourceConformsTo", claim.resource_conforms_to.map(Ref::ResourceSpecification))
        .add("resourceQuantity.hasUnit", claim.resource_quantity.and_then(|m| m.has_unit).map(Ref::Unit))
        .add("effortQuantity.hasUnit", claim.effort_quantity.and_then(|m| m.has_unit).map(Ref::Unit))
        .add_all("inScopeOf", claim.in_scope_of.iter().copied().map(Ref::Agent));
    references
}

/// An event inside the transaction, as its economic core; missing is `BAD_INPUT` on `field`.
async fn event_in(txn: &DatabaseTransaction, field: &str, id: EconomicEventId) -> Result<NewEvent> {
    match economic_event::Entity::find_by_id(id.to_string()).one(txn).await? {
        Some(row) => core_from(&row),
        None => Err(DomainError::invalid(field, format!("economic event `{id}` does not exist")).into()),
    }
}

async fn may_write(txn: &DatabaseTransaction, actor: AgentId, claim: &Claim) -> Result<()> {
    let ties = ties_for(txn, actor, claim.is_party(actor), &claim.agents()).await?;
    Ok(may_write_claim(actor, claim, &ties)?)
}

async fn may_settle(txn: &DatabaseTransaction, actor: AgentId, claim: &Claim) -> Result<()> {
    let ties = ties_for(txn, actor, claim.is_party(actor), &claim.agents()).await?;
    Ok(may_write_settlement(actor, claim, &ties)?)
}

async fn claim_in(txn: &DatabaseTransaction, field: &str, id: ClaimId) -> Result<Claim> {
    match claim::Entity::find_by_id(id.to_string()).one(txn).await? {
        Some(row) => Claim::from_row(row),
        None => Err(DomainError::invalid(field, format!("claim `{id}` does not exist")).into()),
    }
}

// ---------------------------------------------------------------- writes

/// `createClaim` inside the caller's transaction: the triggering event must exist (its
/// receiver owes and its provider is owed when the claim names neither party), and `actor`
/// must be a party to the claim.
pub async fn create_claim_in(txn: &DatabaseTransaction, actor: AgentId, claim: Claim) -> Result<Claim> {
    let trigger = event_in(txn, "triggeredBy", claim.triggered_by).await?;
    let claim = claim.with_default_parties(trigger.provider, trigger.receiver);
    claim.validate()?;
    may_write(txn, actor, &claim).await?;
    claim_references(&claim).check(txn).await?;
    insert_in(txn, &claim, Utc::now()).await?;
    Ok(claim)
}

/// `updateClaim` inside the caller's transaction, at `revision`, by a party before and after.
pub async fn update_claim_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<ClaimId>,
    patch: ClaimPatch,
) -> Result<Claim> {
    let current: Claim = locked_at(txn, revision).await?;
    may_write(txn, actor, &current).await?;
    let next = apply_claim_patch(current, patch)?;
    event_in(txn, "triggeredBy", next.triggered_by).await?;
    next.validate()?;
    may_write(txn, actor, &next).await?;
    claim_references(&next).check(txn).await?;
    save_in(txn, revision, next).await
}

/// `deleteClaim` inside the caller's transaction, by a party; refused (`CONFLICT`) while
/// settlements refer to it.
pub async fn delete_claim_in(txn: &DatabaseTransaction, actor: AgentId, revision: Revision<ClaimId>) -> Result<()> {
    let current: Claim = locked_at(txn, revision).await?;
    may_write(txn, actor, &current).await?;
    delete_in(txn, revision, |_: &Claim| Ok(())).await
}

/// `createSettlement` inside the caller's transaction: the claim and the event must exist,
/// `actor` must be a party to the claim, and the quantities (defaulted from the event) must be
/// in the claim's units.
pub async fn create_settlement_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    id: SettlementId,
    patch: SettlementPatch,
) -> Result<Settlement> {
    let Patch::Set(claim_id) = patch.settles else {
        return Err(DomainError::invalid("settles", "is required").into());
    };
    let Patch::Set(event_id) = patch.settled_by else {
        return Err(DomainError::invalid("settledBy", "is required").into());
    };
    let claim = claim_in(txn, "settles", claim_id).await?;
    may_settle(txn, actor, &claim).await?;
    let event = event_in(txn, "settledBy", event_id).await?;
    let settlement = Settlement {
        id,
        revision: 1,
        settles: claim_id,
        settled_by: event_id,
        resource_quantity: patch.resource_quantity.apply(None),
        effort_quantity: patch.effort_quantity.apply(None),
        note: patch.note.apply(None),
    }
    .prepare(&claim, event.resource_quantity, event.effort_quantity)?;
    insert_in(txn, &settlement, Utc::now()).await?;
    Ok(settlement)
}

/// `updateSettlement` inside the caller's transaction, at `revision`, by a party to the claim
/// before and after.
pub async fn update_settlement_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<SettlementId>,
    patch: SettlementPatch,
) -> Result<Settlement> {
    let current: Settlement = locked_at(txn, revision).await?;
    may_settle(txn, actor, &claim_in(txn, "settles", current.settles).await?).await?;
    let claim_id = patch.settles.apply_required("settles", current.settles)?;
    let event_id = patch.settled_by.apply_required("settledBy", current.settled_by)?;
    let claim = claim_in(txn, "settles", claim_id).await?;
    may_settle(txn, actor, &claim).await?;
    let event = event_in(txn, "settledBy", event_id).await?;
    let next = Settlement {
        settles: claim_id,
        settled_by: event_id,
        resource_quantity: patch.resource_quantity.apply(current.resource_quantity),
        effort_quantity: patch.effort_quantity.apply(current.effort_quantity),
        note: patch.note.apply(current.note),
        ..current
    }
    .prepare(&claim, event.resource_quantity, event.effort_quantity)?;
    save_in(txn, revision, next).await
}

/// `deleteSettlement` inside the caller's transaction, by a party to the claim.
pub async fn delete_settlement_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<SettlementId>,
) -> Result<()> {
    let current: Settlement = locked_at(txn, revision).await?;
    may_settle(txn, actor, &claim_in(txn, "settles", current.settles).await?).await?;
    delete_in(txn, revision, |_: &Settlement| Ok(())).await
}

// ---------------------------------------------------------------- the store

fn claim_select(filter: &ClaimFilter) -> Select<claim::Entity> {
    use claim::Column as C;
    let mut select = claim::Entity::find();
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
    if let Some(spec) = filter.resource_conforms_to {
        select = select.filter(C::ResourceConformsTo.eq(spec.to_string()));
    }
    select
}

impl Store {
    /// `createClaim`: `action` and `triggeredBy` must be set.
    pub async fn create_claim(&self, actor: AgentId, patch: ClaimPatch, idem: Option<&Idempotency>) -> Result<Claim> {
        let Patch::Set(action) = patch.action else {
            return Err(DomainError::invalid("action", "is required").into());
        };
        let Patch::Set(triggered_by) = patch.triggered_by else {
            return Err(DomainError::invalid("triggeredBy", "is required").into());
        };
        let blank = Claim {
            id: ClaimId::new(),
            revision: 1,
            action,
            provider: None,
            receiver: None,
            resource_conforms_to: None,
            resource_classified_as: Vec::new(),
            resource_quantity: None,
            effort_quantity: None,
            triggered_by,
            due: None,
            created: Utc::now(),
            finished: false,
            note: None,
            agreed_in: None,
            in_scope_of: Vec::new(),
        };
        let claim = apply_claim_patch(blank, patch)?;
        let id = claim.id;
        let outcome = self.create(idem, id.to_string(), move |txn| create_claim_in(txn, actor, claim).boxed()).await?;
        self.created(outcome, Claim::KIND, async |store: &Store, id| Ok(store.claims_by_id(&[id]).await?.remove(&id)))
            .await
    }

    /// `updateClaim`.
    pub async fn update_claim(&self, actor: AgentId, revision: Revision<ClaimId>, patch: ClaimPatch) -> Result<Claim> {
        self.write(move |txn| update_claim_in(txn, actor, revision, patch).boxed()).await
    }

    /// `deleteClaim`.
    pub async fn delete_claim(&self, actor: AgentId, revision: Revision<ClaimId>) -> Result<()> {
        self.write(move |txn| delete_claim_in(txn, actor, revision).boxed()).await
    }

    /// Many claims in one query.
    pub async fn claims_by_id(&self, ids: &[ClaimId]) -> Result<HashMap<ClaimId, Claim>> {
        by_ids(self.connection(), claim::Column::Id, ids).await
    }

    /// A page of claims.
    pub async fn claims(&self, filter: &ClaimFilter, page: &PageRequest) -> Result<Page<Claim>> {
        paginate(self.connection(), claim_select(filter), claim::Column::Id, page).await?.try_map(Claim::from_row)
    }

    /// `createSettlement`.
    pub async fn create_settlement(
        &self,
        actor: AgentId,
        patch: SettlementPatch,
        idem: Option<&Idempotency>,
    ) -> Result<Settlement> {
        let id = SettlementId::new();
        let outcome =
            self.create(idem, id.to_string(), move |txn| create_settlement_in(txn, actor, id, patch).boxed()).await?;
        self.created(outcome, Settlement::KIND, async |store: &Store, id| {
            Ok(store.settlements_by_id(&[id]).await?.remove(&id))
        })
        .await
    }

    /// `updateSettlement`.
    pub async fn update_settlement(
        &self,
        actor: AgentId,
        revision: Revision<SettlementId>,
        patch: SettlementPatch,
    ) -> Result<Settlement> {
        self.write(move |txn| update_settlement_in(txn, actor, revision, patch).boxed()).await
    }

    /// `deleteSettlement`.
    pub async fn delete_settlement(&self, actor: AgentId, revision: Revision<SettlementId>) -> Result<()> {
        self.write(move |txn| delete_settlement_in(txn, actor, revision).boxed()).await
    }

    /// Many settlements in one query.
    pub async fn settlements_by_id(&self, ids: &[SettlementId]) -> Result<HashMap<SettlementId, Settlement>> {
        by_ids(self.connection(), settlement::Column::Id, ids).await
    }

    /// A page of settlements.
    pub async fn settlements(&self, page: &PageRequest) -> Result<Page<Settlement>> {
        paginate(self.connection(), settlement::Entity::find(), settlement::Column::Id, page)
            .await?
            .try_map(Settlement::from_row)
    }

    /// The settlements of many claims (`by_claim`) or by many events, in one query.
    pub async fn settlements_of(&self, claims: &[ClaimId], events: &[EconomicEventId]) -> Result<Vec<Settlement>> {
        let mut found = Vec::new();
        for chunk in claims.chunks(IN_LIST_MAX) {
            let rows = settlement::Entity::find()
                .filter(settlement::Column::Settles.is_in(chunk.iter().map(ToString::to_string)))
                .order_by_asc(settlement::Column::Id)
                .all(self.connection())
                .await?;
            for row in rows {
                found.push(Settlement::from_row(row)?);
            }
        }
        for chunk in events.chunks(IN_LIST_MAX) {
            let rows = settlement::Entity::find()
                .filter(settlement::Column::SettledBy.is_in(chunk.iter().map(ToString::to_string)))
                .order_by_asc(settlement::Column::Id)
                .all(self.connection())
                .await?;
            for row in rows {
                found.push(Settlement::from_row(row)?);
            }
        }
        Ok(found)
    }
}
