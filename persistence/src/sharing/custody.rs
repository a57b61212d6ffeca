//! Custodian agreements: making one (its vf `Agreement` and its `custodian_agreement` row, in
//! one transaction), placing a NONDOMINIUM resource under one, the check every event write
//! makes against the agreement its resource is held under, the hand-over a passed
//! `TRANSFER_CUSTODIANSHIP` proposal carries out, and the batched reads behind
//! `custodianAgreement` and `custodyHistory`. The rules are [`ovn_domain::sharing::custody`].
//!
//! Why the hand-over is all or nothing: every event it writes goes through the same
//! [`record_with`] as any other write, inside the transaction that decides the proposal, after
//! `SELECT … FOR UPDATE` on the agreement's row (PostgreSQL; SQLite writers take turns). Any
//! failure (a resource the books refuse, the database) fails the decision: nothing moved,
//! the proposal still `OPEN`, to be decided again.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::agent::AgentRelationship;
use ovn_domain::agent::network::OvnRole;
use ovn_domain::governance::GovernanceProposal;
use ovn_domain::observation::{EconomicEvent, EconomicResource, EventDetails, NewEvent};
use ovn_domain::planning::Agreement;
use ovn_domain::sharing::custody::{
    CustodianAgreement, Custodianship, CustodyChange, NewCustodianAgreement, check_held_event, check_placement,
    custody_change, handover, hands_over, is_custodian_of, may_create,
};
use ovn_domain::{AgentId, AgentRelationshipId, AgreementId, DomainError, EconomicEventId, EconomicResourceId};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::agent::network::{ties_around, ties_for_market};
use crate::entity::{custodian_agreement, custodian_holding, economic_resource};
use crate::error::{PersistenceError, Result};
use crate::idempotency::Idempotency;
use crate::observation::RecordEvent;
use crate::observation::record::{Consent, record_with};
use crate::references::{Ref, References};
use crate::revisioned::{IN_LIST_MAX, insert_in, rows_by_ids};
use crate::rows::{Record, id};
use crate::store::Store;
use crate::value::equations::scope_in;

/// One change of a resource's custodian, with the event that made it.
#[derive(Debug, Clone)]
pub struct CustodyEntry {
    /// The event.
    pub event: EconomicEvent,
    /// From whom to whom.
    pub change: CustodyChange,
}

fn agreement_from(row: custodian_agreement::Model) -> Result<CustodianAgreement> {
    Ok(CustodianAgreement {
        agreement: id(&row.agreement, AgreementId::parse)?,
        network: id(&row.network, AgentId::parse)?,
        custodian: id(&row.custodian, AgentId::parse)?,
        created: row.created,
        created_by: id(&row.created_by, AgentId::parse)?,
    })
}

/// A custodian agreement, locked in the caller's transaction; `field` names the input in the
/// `BAD_INPUT` when it is none.
pub(crate) async fn lock_agreement_in(
    txn: &DatabaseTransaction,
    field: &str,
    agreement: AgreementId,
) -> Result<CustodianAgreement> {
    let row = custodian_agreement::Entity::find_by_id(agreement.to_string())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| DomainError::invalid(field, format!("`{agreement}` is not a custodian agreement")))?;
    agreement_from(row)
}

/// The resources held under each of `agreements`, by agreement, in the order they were placed.
async fn holdings_of<C: ConnectionTrait>(
    conn: &C,
    agreements: &[AgreementId],
) -> Result<HashMap<AgreementId, Vec<EconomicResourceId>>> {
    let mut found: HashMap<AgreementId, Vec<EconomicResourceId>> = HashMap::new();
    for chunk in agreements.chunks(IN_LIST_MAX) {
        let rows = custodian_holding::Entity::find()
            .filter(custodian_holding::Column::Agreement.is_in(chunk.iter().map(ToString::to_string)))
            .order_by_asc(custodian_holding::Column::PlacedAt)
            .order_by_asc(custodian_holding::Column::Resource)
            .all(conn)
            .await?;
        for row in rows {
            let agreement = id(&row.agreement, AgreementId::parse)?;
            found.entry(agreement).or_default().push(id(&row.resource, EconomicResourceId::parse)?);
        }
    }
    Ok(found)
}

/// The resource `event` hands over, when it is one the custody rule watches (a hand-over that
/// corrects nothing).
pub(crate) fn handed_over(event: &NewEvent) -> Option<EconomicResourceId> {
    event.resource_inventoried_as.filter(|_| hands_over(event.action) && !event.is_correction())
}

/// The agreements the resources among `resources` are held under, by resource: one indexed
/// lookup for a batch of events ([`handed_over`]).
pub(crate) async fn holdings_in(
    txn: &DatabaseTransaction,
    resources: &[EconomicResourceId],
) -> Result<HashMap<EconomicResourceId, String>> {
    rows_by_ids::<custodian_holding::Entity, _, _>(txn, custodian_holding::Column::Resource, resources)
        .await?
        .into_iter()
        .map(|row| Ok((id(&row.resource, EconomicResourceId::parse)?, row.agreement)))
        .collect()
}

/// Checks `event`, about to be recorded by `actor`, against the agreement `agreement` its
/// resource is held under ([`check_held_event`]), with the network's ties.
pub(crate) async fn check_held_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    event: &NewEvent,
    agreement: &str,
) -> Result<()> {
    let agreement = custodian_agreement::Entity::find_by_id(agreement).one(txn).await?.ok_or_else(|| {
        PersistenceError::Corrupt(format!("a resource is held under the missing agreement {agreement}"))
    })?;
    let agreement = agreement_from(agreement)?;
    let ties = ties_for_market(txn, actor, &[event.receiver], &[agreement.network]).await?;
    Ok(check_held_event(event, &agreement, &ties)?)
}

/// `createCustodianAgreement` inside the caller's transaction: `actor`, a steward of the
/// network, makes at `now` the vf agreement `id` and its custodian agreement.
pub async fn create_agreement_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    id: AgreementId,
    new: NewCustodianAgreement,
    now: DateTime<Utc>,
) -> Result<(CustodianAgreement, Agreement)> {
    scope_in(txn, new.network, false).await.map_err(|err| match err {
        PersistenceError::Domain(DomainError::Invalid { message, .. }) => {
            DomainError::invalid("network", message).into()
        }
        other => other,
    })?;
    let mut references = References::new();
    references.add("custodian", Some(Ref::Agent(new.custodian)));
    references.check(txn).await?;
    let ties = ties_around(txn, &[actor], &[new.network]).await?;
    may_create(actor, &new, &ties)?;
    let agreement =
        Agreement { id, revision: 1, name: new.name, created: Some(now), note: new.note, recorded_by: actor };
    crate::planning::create_agreement_in(txn, &agreement).await?;
    let custodian = CustodianAgreement {
        agreement: id,
        network: new.network,
        custodian: new.custodian,
        created: now,
        created_by: actor,
    };
    custodian_agreement::Entity::insert(custodian_agreement::ActiveModel {
        agreement: Set(id.to_string()),
        network: Set(custodian.network.to_string()),
        custodian: Set(custodian.custodian.to_string()),
        created: Set(now),
        created_by: Set(actor.to_string()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(txn)
    .await?;
    Ok((custodian, agreement))
}

/// `placeUnderCustodianAgreement` inside the caller's transaction: the custodian places
/// `resource` under `agreement` at `now` ([`check_placement`]). A money pool is refused: money
/// leaves it only by an allocation, and a hand-over would be one its pool does not know.
pub async fn place_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    agreement: AgreementId,
    resource: EconomicResourceId,
    now: DateTime<Utc>,
) -> Result<CustodianAgreement> {
    let held = lock_agreement_in(txn, "agreement", agreement).await?;
    let row =
        economic_resource::Entity::find_by_id(resource.to_string()).lock_exclusive().one(txn).await?.ok_or_else(
            || DomainError::invalid("resource", format!("economic resource `{resource}` does not exist")),
        )?;
    let found = EconomicResource::from_row(row)?;
    let under = match custodian_holding::Entity::find_by_id(resource.to_string()).one(txn).await? {
        Some(row) => Some(id(&row.agreement, AgreementId::parse)?),
        None => None,
    };
    check_placement(&held, actor, &found, under).map_err(PersistenceError::from_state)?;
    if !crate::sharing::pool::pools_in(txn, &[resource]).await?.is_empty() {
        return Err(DomainError::invalid(
            "resource",
            format!("resource {resource} is a money pool: it stays with its pool, under the pool's rules"),
        )
        .into());
    }
    custodian_holding::Entity::insert(custodian_holding::ActiveModel {
        resource: Set(resource.to_string()),
        agreement: Set(agreement.to_string()),
        placed_at: Set(now),
        placed_by: Set(actor.to_string()),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(held)
}

/// Makes `recipient` `custodianOf` `network` unless it is already: the vote that made it the
/// agreement's custodian is the steward's act [`ovn_domain::agent::network::may_tie`] would
/// otherwise ask for. The old custodian's tie stays (it may hold money pools or other
/// agreements of the network; ending it is a steward's decision).
async fn tie_custodian_in(
    txn: &DatabaseTransaction,
    proposal: &GovernanceProposal,
    recipient: AgentId,
    network: AgentId,
    now: DateTime<Utc>,
) -> Result<()> {
    let ties = ties_around(txn, &[], &[network]).await?;
    if is_custodian_of(recipient, network, &ties) {
        return Ok(());
    }
    let relationship = AgentRelationship {
        id: AgentRelationshipId::new(),
        revision: 1,
        subject: recipient,
        object: network,
        relationship: OvnRole::CustodianOf.id(),
        in_scope_of: Vec::new(),
        note: Some(format!("custodian by governance proposal {}", proposal.id)),
    };
    insert_in(txn, &relationship, now).await
}

/// Carries out the passed `TRANSFER_CUSTODIANSHIP` of `proposal` at `now`, in the deciding
/// transaction: the recipient becomes `custodianOf` the network, every resource held under
/// the agreement goes to it by one event ([`handover`]), and the agreement names it. Returns
/// why nothing was done when there is nothing to do (the recipient already holds it).
/// Commitments on the resources (bookings) are left as they are.
pub async fn transfer_custodianship_in(
    txn: &DatabaseTransaction,
    proposal: &GovernanceProposal,
    custodianship: Custodianship,
    now: DateTime<Utc>,
) -> Result<std::result::Result<(), String>> {
    let held = lock_agreement_in(txn, "agreement", custodianship.agreement).await?;
    let (old, new) = (held.custodian, custodianship.recipient);
    if old == new {
        return Ok(Err(format!("{new} was the agreement's custodian already when the proposal passed; nothing moved")));
    }
    tie_custodian_in(txn, proposal, new, held.network, now).await?;
    let locks_rows = txn.get_database_backend() == DbBackend::Postgres;
    let resources = holdings_of(txn, &[held.agreement]).await?.remove(&held.agreement).unwrap_or_default();
    for resource in resources {
        let row = economic_resource::Entity::find_by_id(resource.to_string())
            .one(txn)
            .await?
            .ok_or_else(|| PersistenceError::Corrupt(format!("held resource {resource} is missing")))?;
        let details = EventDetails {
            has_point_in_time: Some(now),
            note: Some(format!(
                "custodian agreement {} handed to a new custodian by governance proposal {}",
                held.agreement, proposal.id
            )),
            ..EventDetails::default()
        };
        let command = RecordEvent {
            core: handover(&EconomicResource::from_row(row)?, old, new),
            details,
            new_resource: None,
            new_resource_id: None,
            new_resource_container: None,
        };
        record_with(txn, locks_rows, old, EconomicEventId::new(), command, &[], now, Consent::Voted).await?;
    }
    custodian_agreement::Entity::update(custodian_agreement::ActiveModel {
        agreement: Set(held.agreement.to_string()),
        custodian: Set(new.to_string()),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    Ok(Ok(()))
}

/// The custody changes of many resources, by resource, oldest first: every event on each
/// that changed its custodian ([`custody_change`]). Two queries per chunk of resources.
async fn custody_history_of<C: ConnectionTrait>(
    conn: &C,
    resources: &[EconomicResourceId],
) -> Result<HashMap<EconomicResourceId, Vec<CustodyEntry>>> {
    let mut found: HashMap<EconomicResourceId, Vec<CustodyEntry>> = HashMap::new();
    for chunk in resources.chunks(IN_LIST_MAX / 2) {
        let mut seen: HashSet<EconomicResourceId> = HashSet::new();
        for event in super::pool::events_on_in(conn, chunk).await? {
            for resource in chunk {
                let named = [event.core.resource_inventoried_as, event.core.to_resource_inventoried_as]
                    .contains(&Some(*resource));
                if !named {
                    continue;
                }
                let first = seen.insert(*resource);
                if let Some(change) = custody_change(&event.core, *resource, first) {
                    found.entry(*resource).or_default().push(CustodyEntry { event: event.clone(), change });
                }
            }
        }
    }
    Ok(found)
}

impl Store {
    /// `createCustodianAgreement`: the vf agreement and its custodian agreement, in one
    /// transaction.
    pub async fn create_custodian_agreement(
        &self,
        actor: AgentId,
        new: NewCustodianAgreement,
        idem: Option<&Idempotency>,
    ) -> Result<CustodianAgreement> {
        let id = AgreementId::new();
        let outcome = self
            .create(idem, id.to_string(), move |txn| {
                async move { create_agreement_in(txn, actor, id, new, Utc::now()).await.map(|(held, _)| held) }.boxed()
            })
            .await?;
        self.created(outcome, "custodian agreement", async |store: &Store, id| {
            Ok(store.custodian_agreements_by_id(&[id]).await?.remove(&id))
        })
        .await
    }

    /// `placeUnderCustodianAgreement`.
    pub async fn place_under_custodian_agreement(
        &self,
        actor: AgentId,
        agreement: AgreementId,
        resource: EconomicResourceId,
    ) -> Result<CustodianAgreement> {
        self.write(move |txn| place_in(txn, actor, agreement, resource, Utc::now()).boxed()).await
    }

    /// Many custodian agreements by their agreement's id, in one query.
    pub async fn custodian_agreements_by_id(
        &self,
        ids: &[AgreementId],
    ) -> Result<HashMap<AgreementId, CustodianAgreement>> {
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(IN_LIST_MAX) {
            let rows = custodian_agreement::Entity::find()
                .filter(custodian_agreement::Column::Agreement.is_in(chunk.iter().map(ToString::to_string)))
                .all(self.connection())
                .await?;
            for row in rows {
                let agreement = agreement_from(row)?;
                found.insert(agreement.agreement, agreement);
            }
        }
        Ok(found)
    }

    /// The resources held under many agreements, by agreement, in the order they were placed
    /// (DataLoader batches).
    pub async fn custodian_holdings(
        &self,
        agreements: &[AgreementId],
    ) -> Result<HashMap<AgreementId, Vec<EconomicResourceId>>> {
        holdings_of(self.connection(), agreements).await
    }

    /// The custody histories of many resources, by resource (DataLoader batches).
    pub async fn custody_history(
        &self,
        resources: &[EconomicResourceId],
    ) -> Result<HashMap<EconomicResourceId, Vec<CustodyEntry>>> {
        custody_history_of(self.connection(), resources).await
    }
}
