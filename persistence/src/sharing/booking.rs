//! Bookings: writing one (its `use` commitment and its `booking` row, in one transaction,
//! after the access rule and the resource's live bookings allow it), approving and cancelling
//! it, the `use` event that fulfils it, and the reads (an agent's bookings, a resource's, a
//! network's shared resources with their bookings). The rules are
//! [`ovn_domain::sharing::booking`] and [`ovn_domain::sharing::access`]; this module loads
//! what they need and writes what they decide.
//!
//! Two bookings of one slot cannot both be written: the booking locks the resource's row
//! (`SELECT … FOR UPDATE` on PostgreSQL) before it reads the live bookings, so a second
//! booking of the same resource waits for the first to commit and then sees it; on SQLite the
//! single writer runs one write at a time (a group's writes share one transaction, so each
//! sees those before it). A `use` event locks the same row, so a use and a booking of one
//! resource see each other too.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::agent::network::OvnRole;
use ovn_domain::observation::{EconomicEvent, EconomicResource, PropertyRegime};
use ovn_domain::planning::Commitment;
use ovn_domain::sharing::access::{self, Slot};
use ovn_domain::sharing::booking::{self, Booking, BookingStatus, UseOfBooking};
use ovn_domain::{AccessRuleId, Action, AgentId, CommitmentId, EconomicEventId, EconomicResourceId, Patch, Revision};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::access::effective_rules_in;
use crate::entity::{access_rule, booking as booking_row, commitment as commitment_row, economic_resource};
use crate::error::{PersistenceError, Result};
use crate::planning::CommitmentPatch;
use crate::revisioned::{IN_LIST_MAX, save_in};
use crate::rows::{Record, id, opt};
use crate::store::Store;

/// `bookResource`, parsed: the token's agent books `resource` for `[begins, ends)`.
#[derive(Debug, Clone)]
pub struct BookResource {
    /// The resource to book.
    pub resource: EconomicResourceId,
    /// `hasBeginning`.
    pub begins: DateTime<Utc>,
    /// `hasEnd`.
    pub ends: DateTime<Utc>,
    /// `inScopeOf`: the projects the use will be for.
    pub in_scope_of: Vec<AgentId>,
    /// `note`.
    pub note: Option<String>,
}

/// A network's shared resource, with its live bookings over the range asked for.
#[derive(Debug, Clone)]
pub struct SharedResource {
    /// The resource.
    pub resource: EconomicResource,
    /// Its live bookings overlapping the range, by start.
    pub bookings: Vec<Booking>,
}

fn booking_from(row: booking_row::Model) -> Result<Booking> {
    let who_when = |who: Option<String>, when: Option<DateTime<Utc>>| -> Result<Option<(AgentId, DateTime<Utc>)>> {
        Ok(opt(who.as_deref(), AgentId::parse)?.zip(when))
    };
    Ok(Booking {
        commitment: id(&row.commitment, CommitmentId::parse)?,
        resource: id(&row.resource, EconomicResourceId::parse)?,
        begins: row.begins,
        ends: row.ends,
        booker: id(&row.booker, AgentId::parse)?,
        status: BookingStatus::parse(&row.status).map_err(crate::rows::corrupt)?,
        access_rule: opt(row.access_rule.as_deref(), AccessRuleId::parse)?,
        approved: who_when(row.approved_by, row.approved)?,
        cancelled: who_when(row.cancelled_by, row.cancelled)?,
        fulfilled_by: opt(row.fulfilled_by.as_deref(), EconomicEventId::parse)?,
        created: row.created,
    })
}

fn row_of(b: &Booking, now: DateTime<Utc>) -> booking_row::ActiveModel {
    booking_row::ActiveModel {
        commitment: Set(b.commitment.to_string()),
        resource: Set(b.resource.to_string()),
        begins: Set(b.begins),
        ends: Set(b.ends),
        booker: Set(b.booker.to_string()),
        status: Set(b.status.as_str().to_owned()),
        access_rule: Set(b.access_rule.map(|r| r.to_string())),
        approved_by: Set(b.approved.map(|(who, _)| who.to_string())),
        approved: Set(b.approved.map(|(_, at)| at)),
        cancelled_by: Set(b.cancelled.map(|(who, _)| who.to_string())),
        cancelled: Set(b.cancelled.map(|(_, at)| at)),
        fulfilled_by: Set(b.fulfilled_by.map(|e| e.to_string())),
        created: Set(b.created),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

fn status_texts(statuses: &[BookingStatus]) -> Vec<&'static str> {
    statuses.iter().map(|s| s.as_str()).collect()
}

/// The bookings of `resources` in `statuses` that overlap `[from, to)` (unbounded where
/// `None`), by resource, each list by start.
async fn bookings_of_resources<C: ConnectionTrait>(
    conn: &C,
    resources: &[EconomicResourceId],
    statuses: Option<&[BookingStatus]>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<HashMap<EconomicResourceId, Vec<Booking>>> {
    let mut found: HashMap<EconomicResourceId, Vec<Booking>> = HashMap::new();
    for chunk in resources.chunks(IN_LIST_MAX) {
        let mut select = booking_row::Entity::find()
            .filter(booking_row::Column::Resource.is_in(chunk.iter().map(ToString::to_string)));
        if let Some(statuses) = statuses {
            select = select.filter(booking_row::Column::Status.is_in(status_texts(statuses)));
        }
        if let Some(from) = from {
            select = select.filter(booking_row::Column::Ends.gt(from));
        }
        if let Some(to) = to {
            select = select.filter(booking_row::Column::Begins.lt(to));
        }
        let rows = select
            .order_by_asc(booking_row::Column::Begins)
            .order_by_asc(booking_row::Column::Commitment)
            .all(conn)
            .await?;
        for row in rows {
            let b = booking_from(row)?;
            found.entry(b.resource).or_default().push(b);
        }
    }
    Ok(found)
}

/// The resource's holders, the one who lends it first: its custodian, else its owner
/// (`primaryAccountable`); both may approve and cancel its bookings.
fn holders(resource: &EconomicResource) -> Vec<AgentId> {
    let mut holders: Vec<AgentId> =
        [resource.state.custodian, resource.state.primary_accountable].into_iter().flatten().collect();
    holders.dedup();
    holders
}

/// Loads a resource locked (`FOR UPDATE` on PostgreSQL; SQLite's writer runs alone).
async fn locked_resource(txn: &DatabaseTransaction, resource: EconomicResourceId) -> Result<EconomicResource> {
    let row = economic_resource::Entity::find_by_id(resource.to_string()).lock_exclusive().one(txn).await?.ok_or_else(
        || {
            ovn_domain::DomainError::invalid(
                "resourceInventoriedAs",
                format!("economic resource `{resource}` does not exist"),
            )
        },
    )?;
    EconomicResource::from_row(row)
}

/// The booking a new commitment makes, checked, in the commitment's transaction; nothing for
/// a commitment that books nothing ([`booking::booked`]). Locks the resource, then checks the
/// parties, the access rule (the booker's standing, the longest booking) and the live
/// bookings; the booking is `PENDING` or `CONFIRMED` as the rule says. Called before the
/// commitment is written: on PostgreSQL, writing the commitment takes a key-share lock on the
/// resource's row (its foreign key), and two bookings holding that lock would each wait for
/// the other's to take the row's update lock.
pub(crate) async fn booking_for_in(txn: &DatabaseTransaction, commitment: &Commitment) -> Result<Option<Booking>> {
    let Some((resource_id, begins, ends)) = booking::booked(commitment) else { return Ok(None) };
    let resource = locked_resource(txn, resource_id).await?;
    booking::check_parties(commitment, resource.state.custodian.or(resource.state.primary_accountable))?;
    let rule = effective_rules_in(txn, &[(resource.id, Some(resource.conforms_to))]).await?.remove(&resource.id);
    // The same standing a `use` is checked with, so that who may book is who may use.
    let standing = super::access::standing_in(txn, commitment.receiver, &resource, rule.as_ref()).await?;
    access::check_user(rule.as_ref(), resource.id, &standing)?;
    access::check_span(rule.as_ref(), begins, ends)?;
    let live = bookings_of_resources(txn, &[resource.id], Some(&BookingStatus::LIVE), Some(begins), Some(ends))
        .await?
        .remove(&resource.id)
        .unwrap_or_default();
    let slots: Vec<Slot> =
        live.iter().map(|b| Slot { booking: b.commitment, begins: b.begins, ends: b.ends }).collect();
    access::check_free(resource.id, begins, ends, &slots)?;
    let booking = Booking {
        commitment: commitment.id,
        resource: resource.id,
        begins,
        ends,
        booker: commitment.receiver,
        status: booking::initial_status(access::needs_approval(rule.as_ref(), &standing)),
        access_rule: rule.map(|r| r.id),
        approved: None,
        cancelled: None,
        fulfilled_by: None,
        created: commitment.created,
    };
    Ok(Some(booking))
}

/// Writes a booking [`booking_for_in`] checked, once its commitment is written.
pub(crate) async fn insert_booking_in(txn: &DatabaseTransaction, booking: &Booking) -> Result<()> {
    booking_row::Entity::insert(row_of(booking, booking.created)).exec_without_returning(txn).await?;
    Ok(())
}

/// Refuses a change to a booking's commitment that would move it out of the checks it
/// passed (its resource, interval, provider or receiver): cancel it and book again.
pub(crate) async fn check_commitment_change_in(
    txn: &DatabaseTransaction,
    before: &Commitment,
    after: &Commitment,
) -> Result<()> {
    let moved = booking::booked(before) != booking::booked(after)
        || before.provider != after.provider
        || before.receiver != after.receiver;
    if !moved {
        return Ok(());
    }
    let booked = booking_row::Entity::find_by_id(before.id.to_string()).one(txn).await?;
    if booked.is_some() {
        return Err(PersistenceError::Conflict(format!(
            "commitment {} is a booking: its resource, interval and parties do not change; cancel it and book again",
            before.id
        )));
    }
    Ok(())
}

/// Reads a booking with its resource, both locked: the resource first, as a booking and a
/// `use` event lock it, so that an approval or a cancellation and a use of the same booking
/// take turns.
async fn locked_booking(txn: &DatabaseTransaction, commitment: CommitmentId) -> Result<(Booking, EconomicResource)> {
    let find = || booking_row::Entity::find_by_id(commitment.to_string());
    let row = find().one(txn).await?.ok_or_else(|| PersistenceError::not_found("booking", commitment))?;
    let resource = locked_resource(txn, id(&row.resource, EconomicResourceId::parse)?).await?;
    let row =
        find().lock_exclusive().one(txn).await?.ok_or_else(|| PersistenceError::not_found("booking", commitment))?;
    Ok((booking_from(row)?, resource))
}

async fn write_booking(txn: &DatabaseTransaction, booking: &Booking, now: DateTime<Utc>) -> Result<()> {
    let mut row = row_of(booking, now);
    row.created_at = sea_orm::ActiveValue::NotSet;
    booking_row::Entity::update(row).exec(txn).await?;
    Ok(())
}

/// Marks a booking's commitment `finished` (cancelled, or kept by a use).
async fn finish_commitment(txn: &DatabaseTransaction, commitment: CommitmentId) -> Result<()> {
    let row = commitment_row::Entity::find_by_id(commitment.to_string())
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| PersistenceError::Corrupt(format!("booking {commitment} has no commitment")))?;
    let current = Commitment::from_row(row)?;
    if current.finished {
        return Ok(());
    }
    let revision = Revision { id: current.id, number: current.revision };
    save_in(txn, revision, Commitment { finished: true, ..current }).await?;
    Ok(())
}

/// `approveBooking` inside the caller's transaction ([`booking::approve`]).
pub async fn approve_booking_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    commitment: CommitmentId,
    now: DateTime<Utc>,
) -> Result<Booking> {
    let (current, resource) = locked_booking(txn, commitment).await?;
    let next = booking::approve(&current, actor, &holders(&resource), now).map_err(PersistenceError::from_state)?;
    write_booking(txn, &next, now).await?;
    Ok(next)
}

/// `cancelBooking` inside the caller's transaction ([`booking::cancel`]): frees the slot and
/// marks the commitment `finished`.
pub async fn cancel_booking_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    commitment: CommitmentId,
    now: DateTime<Utc>,
) -> Result<Booking> {
    let (current, resource) = locked_booking(txn, commitment).await?;
    let next = booking::cancel(&current, actor, &holders(&resource), now).map_err(PersistenceError::from_state)?;
    write_booking(txn, &next, now).await?;
    finish_commitment(txn, commitment).await?;
    Ok(next)
}

/// What a recorded `use` event does to its resource's bookings, in the event's transaction
/// ([`booking::use_during`]): inside someone else's granted booking it is refused; inside
/// the booker's, it fulfils the booking's commitment (unless the event already names it in
/// `fulfills`) and, the first time, marks the booking `FULFILLED`. The event's time is its
/// `hasPointInTime`, else its `hasBeginning`, else when it was recorded. One indexed query
/// for any other `use`; nothing for other events.
pub(crate) async fn use_in(txn: &DatabaseTransaction, event: &EconomicEvent, fulfills: &[CommitmentId]) -> Result<()> {
    let core = &event.core;
    let Some(resource) = core.resource_inventoried_as.filter(|_| core.action == Action::Use && !core.is_correction())
    else {
        return Ok(());
    };
    let at = event.details.has_point_in_time.or(event.details.has_beginning).unwrap_or(event.created);
    let granted = [BookingStatus::Confirmed, BookingStatus::Fulfilled];
    let rows = booking_row::Entity::find()
        .filter(booking_row::Column::Resource.eq(resource.to_string()))
        .filter(booking_row::Column::Status.is_in(status_texts(&granted)))
        .filter(booking_row::Column::Begins.lte(at))
        .filter(booking_row::Column::Ends.gt(at))
        .all(txn)
        .await?;
    let bookings = rows.into_iter().map(booking_from).collect::<Result<Vec<_>>>()?;
    let UseOfBooking::Fulfils { booking: commitment, first } =
        booking::use_during(&bookings, at, [core.provider, core.receiver])?
    else {
        return Ok(());
    };
    let Some(current) = bookings.into_iter().find(|b| b.commitment == commitment) else { return Ok(()) };
    if !fulfills.contains(&commitment) {
        // Written for the booker, whose commitment it is, whoever records the use.
        let draft = crate::planning::fulfillment_draft(event.id, commitment);
        crate::planning::create_fulfillment_in(txn, current.booker, draft).await?;
    }
    if first {
        let next = Booking { status: BookingStatus::Fulfilled, fulfilled_by: Some(event.id), ..current };
        write_booking(txn, &next, event.created).await?;
        finish_commitment(txn, commitment).await?;
    }
    Ok(())
}

impl Store {
    /// `bookResource`: the token's agent books a resource: a `use` commitment from the
    /// resource's holder to the agent, written by [`Store::create_commitment`], so through
    /// the same checks as `createCommitment`. (The holder is read before the transaction; if
    /// custody moves meanwhile, the booking's own check under the lock refuses the stale
    /// provider.)
    pub async fn book_resource(&self, actor: AgentId, command: BookResource) -> Result<Commitment> {
        let resource = self.resources_by_id(&[command.resource]).await?.remove(&command.resource).ok_or_else(|| {
            ovn_domain::DomainError::invalid(
                "resource",
                format!("economic resource `{}` does not exist", command.resource),
            )
        })?;
        let holder = resource.state.custodian.or(resource.state.primary_accountable).ok_or_else(|| {
            ovn_domain::DomainError::invalid(
                "resource",
                format!("{} has neither a custodian nor an owner: nobody can lend it", resource.id),
            )
        })?;
        let patch = CommitmentPatch {
            provider: Patch::Set(holder),
            receiver: Patch::Set(actor),
            resource_inventoried_as: Patch::Set(resource.id),
            has_beginning: Patch::Set(command.begins),
            has_end: Patch::Set(command.ends),
            in_scope_of: Patch::Set(command.in_scope_of),
            note: command.note.map_or(Patch::Keep, Patch::Set),
            ..CommitmentPatch::default()
        };
        self.create_commitment(actor, Action::Use, patch, None).await
    }

    /// `approveBooking`.
    pub async fn approve_booking(&self, actor: AgentId, booking: CommitmentId) -> Result<Booking> {
        self.write(move |txn| approve_booking_in(txn, actor, booking, Utc::now()).boxed()).await
    }

    /// `cancelBooking`.
    pub async fn cancel_booking(&self, actor: AgentId, booking: CommitmentId) -> Result<Booking> {
        self.write(move |txn| cancel_booking_in(txn, actor, booking, Utc::now()).boxed()).await
    }

    /// Many bookings by their commitment's id, in one query.
    pub async fn bookings_by_id(&self, ids: &[CommitmentId]) -> Result<HashMap<CommitmentId, Booking>> {
        let mut found = HashMap::new();
        for chunk in ids.chunks(IN_LIST_MAX) {
            let rows = booking_row::Entity::find()
                .filter(booking_row::Column::Commitment.is_in(chunk.iter().map(ToString::to_string)))
                .all(self.connection())
                .await?;
            for row in rows {
                let b = booking_from(row)?;
                found.insert(b.commitment, b);
            }
        }
        Ok(found)
    }

    /// The bookings `agent` made, every status, by start.
    pub async fn bookings_of(&self, agent: AgentId) -> Result<Vec<Booking>> {
        booking_row::Entity::find()
            .filter(booking_row::Column::Booker.eq(agent.to_string()))
            .order_by_asc(booking_row::Column::Begins)
            .order_by_asc(booking_row::Column::Commitment)
            .all(self.connection())
            .await?
            .into_iter()
            .map(booking_from)
            .collect()
    }

    /// A resource's bookings, every status, by start; those overlapping `[from, to)` when
    /// given.
    pub async fn resource_bookings(
        &self,
        resource: EconomicResourceId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Vec<Booking>> {
        Ok(bookings_of_resources(self.connection(), &[resource], None, from, to)
            .await?
            .remove(&resource)
            .unwrap_or_default())
    }

    /// A network's shared resources with their live bookings over `[from, to)`, oldest
    /// resource first: its pool of shareables (`POOL_OF_SHAREABLES` resources whose effective
    /// rule's scope is the network or a project part of it, however deep) and its nondominium
    /// assets (`NONDOMINIUM` resources whose rule's scope is the network, or whose holder is
    /// `custodianOf` it), money pools left out. One query per level of parts below the network,
    /// then six, whatever the number of resources.
    pub async fn shared_resources(
        &self,
        network: AgentId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SharedResource>> {
        let conn = self.connection();
        let mut scopes: BTreeSet<AgentId> = BTreeSet::from([network]);
        let mut frontier = vec![network];
        while !frontier.is_empty() {
            let parts = self.ovn_subjects(OvnRole::PartOf, &frontier).await?;
            frontier = parts.into_values().flatten().filter(|part| scopes.insert(*part)).collect();
        }
        let custodians: Vec<String> = self
            .ovn_subjects(OvnRole::CustodianOf, &[network])
            .await?
            .remove(&network)
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect();
        // Every rule ever set in those scopes names a candidate: whether it still governs its
        // resource is decided below, on the effective rules.
        let mut resources = BTreeSet::new();
        let mut specifications = BTreeSet::new();
        for chunk in scopes.iter().map(ToString::to_string).collect::<Vec<_>>().chunks(IN_LIST_MAX) {
            let rows =
                access_rule::Entity::find().filter(access_rule::Column::Scope.is_in(chunk.to_vec())).all(conn).await?;
            for row in rows {
                resources.extend(row.resource);
                specifications.extend(row.resource_specification);
            }
        }
        let regimes = [PropertyRegime::PoolOfShareables.as_str(), PropertyRegime::Nondominium.as_str()];
        let candidates = economic_resource::Entity::find()
            .filter(economic_resource::Column::PropertyRegime.is_in(regimes))
            .filter(
                Condition::any()
                    .add(economic_resource::Column::Id.is_in(resources))
                    .add(economic_resource::Column::ConformsTo.is_in(specifications))
                    .add(economic_resource::Column::Custodian.is_in(custodians.clone()))
                    .add(economic_resource::Column::PrimaryAccountable.is_in(custodians.clone())),
            )
            .order_by_asc(economic_resource::Column::Id)
            .all(conn)
            .await?
            .into_iter()
            .map(EconomicResource::from_row)
            .collect::<Result<Vec<_>>>()?;
        let keys: Vec<_> = candidates.iter().map(|r| (r.id, Some(r.conforms_to))).collect();
        let rules = effective_rules_in(conn, &keys).await?;
        let ids: Vec<EconomicResourceId> = candidates.iter().map(|r| r.id).collect();
        let pools = super::pool::pools_in(conn, &ids).await?;
        let shared: Vec<EconomicResource> = candidates
            .into_iter()
            .filter(|r| !pools.contains_key(&r.id))
            .filter(|r| {
                let scope = rules.get(&r.id).map(|rule| rule.terms.scope);
                let holder = r.state.custodian.or(r.state.primary_accountable).map(|h| h.to_string());
                match r.details.property_regime {
                    PropertyRegime::PoolOfShareables => scope.is_some_and(|s| scopes.contains(&s)),
                    PropertyRegime::Nondominium => {
                        scope == Some(network) || holder.is_some_and(|h| custodians.contains(&h))
                    }
                    PropertyRegime::Private | PropertyRegime::Commons => false,
                }
            })
            .collect();
        let ids: Vec<EconomicResourceId> = shared.iter().map(|r| r.id).collect();
        let mut bookings = bookings_of_resources(conn, &ids, Some(&BookingStatus::LIVE), Some(from), Some(to)).await?;
        Ok(shared
            .into_iter()
            .map(|resource| SharedResource { bookings: bookings.remove(&resource.id).unwrap_or_default(), resource })
            .collect())
    }
}
