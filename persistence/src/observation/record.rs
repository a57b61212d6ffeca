//! Recording an economic event: load its context, run the domain's rules on it, write the
//! event and the resources it changed. The rules themselves (corrections, creation, effects,
//! permissions) live in `ovn_domain`; this file only loads and writes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::agent::network::Ties;
use ovn_domain::observation::consent::TransferConsent;
use ovn_domain::observation::{self, Books, EconomicEvent, EconomicResource, EventContext, NewEvent, creation};
use ovn_domain::sharing::pool::PoolFlow;
use ovn_domain::{
    AgentId, CommitmentId, EconomicEventId, EconomicResourceId, Patch, ProcessId, ProcessSpecificationId,
    ResourceSpecificationId, Revision, exchange, permission,
};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TryIntoModel};

use super::{EventPatch, RecordEvent, ResourcePatch, consent, events_with_scopes};
use crate::agent::network::{ties_around, ties_for_market};
use crate::entity::{economic_event, economic_event_scope, economic_resource, process, resource_specification};
use crate::error::{PersistenceError, Result};
use crate::history::{Historic, snapshot, snapshot_in, snapshots_in};
use crate::idempotency::Idempotency;
use crate::references::{Existing, Ref, References};
use crate::revisioned::{IN_LIST_MAX, insert_all, locked_at, locked_row, rows_by_ids, save_in};
use crate::rows::{Record, Stamps, core_from, event_row, id, opt};
use crate::sharing::custody;
use crate::store::Store;

/// A recorded event and the resource it is about (the one it created, else the one it acted
/// on, else the one it delivered to), as `createEconomicEvent` answers.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The event as written (or as it will be written, when `pending`).
    pub event: EconomicEvent,
    /// Its resource after the event.
    pub resource: Option<EconomicResource>,
    /// The event is a transfer waiting for its receiver's consent: nothing was written to
    /// the books yet.
    pub pending: bool,
}

/// Whether recording an event asks for the receiver's consent, or carries it out because it
/// was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Consent {
    /// A new event: who may record it is checked, and a transfer the receiver has not
    /// consented to (by recording it, through a steward, or by a commitment the event
    /// fulfils) waits.
    Ask,
    /// A waiting transfer its receiver (or a steward of it) accepted: it was checked when it
    /// was recorded, and is written now.
    Given,
    /// An event a passed proposal carries out: the transfer of an `ALLOCATE_FROM_POOL` (the
    /// only way money leaves a pool, [`crate::sharing::pool`]), a hand-over of a
    /// `TRANSFER_CUSTODIANSHIP` ([`crate::sharing::custody`]). The vote is the consent.
    Voted,
    /// One of a sale's two events ([`crate::exchange`]): the sale checked who records it,
    /// and the agreement both events realise is the customer's consent (D133).
    Agreed,
}

/// The references an event's input makes, each named by its field; the output process and the
/// resources are checked as they are loaded (they are read anyway), not here.
fn event_references(command: &RecordEvent, core: &NewEvent) -> References {
    let (details, new) = (&command.details, command.new_resource.as_ref());
    let unit = |m: Option<ovn_domain::Measure>| m.and_then(|m| m.has_unit).map(Ref::Unit);
    let mut references = References::new();
    references
        .add("provider", Some(Ref::Agent(core.provider)))
        .add("receiver", Some(Ref::Agent(core.receiver)))
        .add_all("inScopeOf", details.in_scope_of.iter().copied().map(Ref::Agent))
        .add("resourceQuantity.hasUnit", unit(core.resource_quantity))
        .add("effortQuantity.hasUnit", unit(core.effort_quantity))
        .add("declaredValue.hasUnit", unit(details.declared_value))
        .add("resourceConformsTo", details.resource_conforms_to.map(Ref::ResourceSpecification))
        .add("triggeredBy", details.triggered_by.map(Ref::Event))
        .add("realizationOf", details.realization_of.map(Ref::Agreement))
        .add("reciprocalRealizationOf", details.reciprocal_realization_of.map(Ref::Agreement))
        .add("inputOf", core.input_of.map(Ref::Process))
        .add("newInventoriedResource.conformsTo", new.and_then(|r| r.conforms_to).map(Ref::ResourceSpecification))
        .add("newInventoriedResource.containedIn", command.new_resource_container.map(Ref::Resource))
        .add("newInventoriedResource.valuePerUnitOfUse.hasUnit", unit(new.and_then(|r| r.value_per_unit_of_use)));
    references
}

/// One event of a batch [`record_all`] records: its id, what to record, and the commitments
/// it fulfils (whose fulfilments the caller writes once the event is in the books; a waiting
/// transfer keeps them for its acceptance).
pub(crate) struct Recording<'a> {
    /// The id the event gets.
    pub(crate) id: EconomicEventId,
    /// What to record.
    pub(crate) command: RecordEvent,
    /// The commitments it fulfils.
    pub(crate) fulfills: &'a [CommitmentId],
}

/// Records one event inside the caller's transaction: loads what the rules need (the
/// original of a correction, the output process's `basedOn`, the resources), runs them
/// ([`observation::prepare`], [`permission::may_record`], the market-exchange rule
/// [`exchange::check_market_exchange`], the custodian agreement's no-revenue rule
/// [`ovn_domain::sharing::custody::check_held_event`], the access rule of a used resource
/// ([`crate::sharing::access::check_use_in`]), [`creation`], [`Books::record`]),
/// and writes the event, its scopes and every resource it changed. `actor` is the agent
/// recording it. A transfer that needs its receiver's consent ([`permission::needs_consent`])
/// is checked the same way and then set aside, changing nothing, until the receiver accepts.
pub async fn record_in(
    txn: &DatabaseTransaction,
    locks_rows: bool,
    actor: AgentId,
    event_id: EconomicEventId,
    command: RecordEvent,
    now: DateTime<Utc>,
) -> Result<Recorded> {
    record_with(txn, locks_rows, actor, event_id, command, &[], now, Consent::Ask).await
}

/// [`record_in`], with the consent already given or still to ask, for an event that fulfils
/// `fulfills` ([`Recording`]).
#[expect(clippy::too_many_arguments, reason = "one recording, its facts named one by one")]
pub(crate) async fn record_with(
    txn: &DatabaseTransaction,
    locks_rows: bool,
    actor: AgentId,
    event_id: EconomicEventId,
    command: RecordEvent,
    fulfills: &[CommitmentId],
    now: DateTime<Utc>,
    consent: Consent,
) -> Result<Recorded> {
    let recording = Recording { id: event_id, command, fulfills };
    record_all(txn, locks_rows, actor, vec![recording], now, consent)
        .await?
        .pop()
        .ok_or_else(|| PersistenceError::Corrupt(format!("event {event_id} went missing while it was recorded")))
}

/// A resource a batch of events reads: as it stands after the events recorded so far, and
/// the revisions they gave it.
struct InBatch {
    /// The resource now.
    resource: EconomicResource,
    /// When its row was first written.
    created_at: DateTime<Utc>,
    /// Created by an event of the batch: its first revision is inserted, not updated.
    created: bool,
    /// One state per event that changed it, in order: each is a revision.
    revisions: Vec<EconomicResource>,
}

/// Records `recordings`, in order, inside the caller's transaction, each exactly as
/// [`record_with`] records one, and all of them by `actor` with the same `consent`. What the
/// rules read is loaded for the whole batch before the first event is checked, and what they
/// write goes out in one statement per table, so a batch costs about the round trips of one
/// event (a distribution's hundred payouts from one till: on PostgreSQL, a thousand round
/// trips became a dozen). Each event sees the books as the events before it left them, and a
/// resource the batch changes several times keeps one revision per event. References are
/// checked against the database before the first event: an event cannot name another event of
/// its own batch (as `triggeredBy`, say); a resource one of them creates, it can.
pub(crate) async fn record_all(
    txn: &DatabaseTransaction,
    locks_rows: bool,
    actor: AgentId,
    recordings: Vec<Recording<'_>>,
    now: DateTime<Utc>,
    consent: Consent,
) -> Result<Vec<Recorded>> {
    let started = std::time::Instant::now();
    let count = recordings.len();
    let corrected: Vec<EconomicEventId> = recordings.iter().filter_map(|r| r.command.core.corrects).collect();
    let originals = originals_in(txn, &corrected).await?;
    let mut prepared = Vec::with_capacity(recordings.len());
    for recording in recordings {
        let mut context = EventContext::default();
        if let Some(original_id) = recording.command.core.corrects {
            let original = originals.get(&original_id).ok_or_else(|| {
                ovn_domain::DomainError::invalid("corrects", format!("economic event `{original_id}` does not exist"))
            })?;
            context.original = Some(original.clone());
        }
        let core = observation::prepare(recording.command.core.clone(), &recording.command.details, &context)?;
        prepared.push((recording, context, core));
    }

    // Everything the rules read, for the whole batch; a lookup that finds nothing is not an
    // error yet: each event is refused in its turn, as if it were recorded alone.
    let named: Vec<EconomicResourceId> = prepared
        .iter()
        .flat_map(|(_, _, core)| [core.resource_inventoried_as, core.to_resource_inventoried_as])
        .flatten()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let pools = if named.is_empty() { HashMap::new() } else { crate::sharing::pools_in(txn, &named).await? };
    let handed: Vec<EconomicResourceId> =
        prepared.iter().filter_map(|(_, _, core)| custody::handed_over(core)).collect();
    let holdings = if handed.is_empty() { HashMap::new() } else { custody::holdings_in(txn, &handed).await? };
    let references: Vec<References> = prepared.iter().map(|(r, _, core)| event_references(&r.command, core)).collect();
    let existing = Existing::load(txn, &references).await?;
    let outputs: Vec<ProcessId> = prepared.iter().filter_map(|(_, _, core)| core.output_of).collect();
    let based_on = processes_based_on(txn, &outputs).await?;
    let mut resources = resources_in(txn, &named, locks_rows).await?;
    let (mut receivers, mut market_scopes) = (BTreeSet::new(), BTreeSet::new());
    for (recording, _, core) in &prepared {
        if is_market(core, &recording.command.details.in_scope_of) {
            receivers.insert(core.receiver);
            market_scopes.extend(recording.command.details.in_scope_of.iter().copied());
        }
    }
    let mut market_ties: Option<Ties> = None;
    let mut mediums: HashMap<Option<ResourceSpecificationId>, bool> = HashMap::new();

    tracing::debug!(elapsed = ?started.elapsed(), count, "record: loaded");
    let mut books = Books::new();
    for held in resources.values() {
        books.insert(held.resource.id, held.resource.state.clone());
    }
    let mut recorded = Vec::with_capacity(prepared.len());
    let mut events = Vec::with_capacity(prepared.len());
    for ((recording, mut context, mut core), references) in prepared.into_iter().zip(&references) {
        let Recording { id: event_id, command, fulfills } = recording;
        let scopes = &command.details.in_scope_of;
        let pooled = crate::sharing::check_event_among(&core, scopes, &pools, consent == Consent::Voted)?;
        if let Some(agreement) = custody::handed_over(&core).and_then(|r| holdings.get(&r)) {
            custody::check_held_in(txn, actor, &core, agreement).await?;
        }
        // Only a transfer of rights in scope can take a product to the market: every other
        // event skips the rule without a query.
        let market = is_market(&core, scopes);
        let (pending, asked_ties) = match consent {
            Consent::Given | Consent::Voted | Consent::Agreed => (false, None),
            Consent::Ask => {
                let (asks, ties) = asks_consent(txn, actor, &core, scopes, fulfills, market).await?;
                // A deposit into a pool is consented by the pool: its custodian opened it to take them.
                (asks && pooled != PoolFlow::Deposit, ties)
            }
        };
        references.verify(&existing)?;
        if let Some(process_id) = core.output_of {
            let process = based_on.get(&process_id).ok_or_else(|| {
                ovn_domain::DomainError::invalid("outputOf", format!("process `{process_id}` does not exist"))
            })?;
            context.output_process_based_on = *process;
        }
        let from = match core.resource_inventoried_as {
            Some(id) => Some(in_batch(&resources, "resourceInventoriedAs", id)?),
            None => None,
        };
        if let Some(resource) = &from {
            crate::sharing::access::check_use_in(txn, &core, resource).await?;
        }
        let to = match core.to_resource_inventoried_as {
            Some(id) if Some(id) != core.resource_inventoried_as => {
                Some(in_batch(&resources, "toResourceInventoriedAs", id)?)
            }
            _ => None,
        };
        let created = if core.creates_from() || core.creates_to() {
            let id = command.new_resource_id.unwrap_or_default();
            creation::assign(&mut core, id);
            let stated = command.new_resource.clone().unwrap_or_default();
            Some(creation::new_resource(id, &core, &command.details, stated, from.as_ref())?)
        } else if command.new_resource_container.is_some() {
            return Err(ovn_domain::DomainError::invalid(
                "newInventoriedResource.containedIn",
                "only applies when the event creates a resource",
            )
            .into());
        } else {
            None
        };
        if market {
            let ties = match asked_ties.as_ref() {
                Some(ties) => ties,
                None => match market_ties {
                    Some(ref ties) => ties,
                    None => {
                        let receivers: Vec<AgentId> = receivers.iter().copied().collect();
                        let scopes: Vec<AgentId> = market_scopes.iter().copied().collect();
                        &*market_ties.insert(ties_for_market(txn, actor, &receivers, &scopes).await?)
                    }
                },
            };
            if exchange::leaves_network(&core, scopes, ties).is_some() {
                let spec = from.as_ref().map(|r| r.conforms_to).or(command.details.resource_conforms_to);
                let medium = match mediums.get(&spec) {
                    Some(medium) => *medium,
                    None => *mediums.entry(spec).or_insert(medium_of_exchange(txn, spec).await?),
                };
                exchange::check_market_exchange(&core, scopes, ties, medium)?;
            }
        }
        if pending {
            // Checked against the books as they stand, which it leaves as they are.
            books.clone().record(&core, &context)?;
            let event =
                EconomicEvent { id: event_id, revision: 1, core, details: command.details.clone(), created: now };
            let command = RecordEvent { new_resource_id: created.as_ref().map(|r| r.id), ..command };
            consent::set_aside(txn, actor, command, fulfills, &event).await?;
            recorded.push(Recorded { event, resource: None, pending: true });
            continue;
        }
        books.record(&core, &context)?;
        let mut created = created.map(|resource| after(&books, resource)).transpose()?;
        // A resource an event changes is a new revision of it: its earlier quantities stay
        // readable through `revision(revisionId)`, and an update made against the revision
        // before the event is a `CONFLICT` (it would otherwise be made on stale quantities).
        let mut touched = Vec::with_capacity(2);
        for resource in [from, to].into_iter().flatten() {
            let mut resource = after(&books, resource)?;
            resource.revision += 1;
            if let Some(held) = resources.get_mut(&resource.id) {
                held.resource = resource.clone();
                held.revisions.push(resource.clone());
            }
            touched.push(resource);
        }
        if let Some(new) = &mut created {
            new.state.contained_in = command.new_resource_container.or(new.state.contained_in);
            books.insert(new.id, new.state.clone());
            let held = InBatch { resource: new.clone(), created_at: now, created: true, revisions: vec![new.clone()] };
            resources.insert(new.id, held);
        }
        let event = EconomicEvent { id: event_id, revision: 1, core, details: command.details, created: now };
        let resource = created.or_else(|| {
            let main = event.core.resource_inventoried_as.or(event.core.to_resource_inventoried_as);
            touched.into_iter().find(|r| Some(r.id) == main)
        });
        events.push((event.clone(), fulfills));
        recorded.push(Recorded { event, resource, pending: false });
    }

    tracing::debug!(elapsed = ?started.elapsed(), count, "record: checked");
    write_batch(txn, resources, &events, now).await?;
    tracing::debug!(elapsed = ?started.elapsed(), count, "record: written");
    Ok(recorded)
}

/// Writes what a batch recorded: the resources it created, the others at their last state,
/// a revision per state of each, the events and their scopes; then the uses of booked
/// resources ([`crate::sharing::booking::use_in`]).
async fn write_batch(
    txn: &DatabaseTransaction,
    resources: HashMap<EconomicResourceId, InBatch>,
    events: &[(EconomicEvent, &[CommitmentId])],
    now: DateTime<Utc>,
) -> Result<()> {
    let (mut inserted, mut revisions) = (Vec::new(), Vec::new());
    let changed: BTreeMap<EconomicResourceId, InBatch> =
        resources.into_iter().filter(|(_, held)| !held.revisions.is_empty()).collect();
    for held in changed.values() {
        for (n, state) in held.revisions.iter().enumerate() {
            let row = if held.created && n == 0 {
                let row = state.to_row(Stamps::created(now));
                inserted.push(row.clone());
                row
            } else {
                let mut row = state.to_row(Stamps::updated(now));
                row.created_at = Set(held.created_at);
                row
            };
            let written = row.try_into_model()?;
            let kind = <EconomicResource as Record>::KIND;
            revisions.push(snapshot(kind, &written.id, written.revision, &written, &[], now)?);
        }
    }
    insert_all(txn, inserted).await?;
    for held in changed.values() {
        if held.revisions.len() > usize::from(held.created) {
            economic_resource::Entity::update(held.resource.to_row(Stamps::updated(now))).exec(txn).await?;
        }
    }
    let mut rows = Vec::with_capacity(events.len());
    let mut scopes = Vec::new();
    for (event, _) in events {
        let row = event_row(event, Stamps::created(now));
        let written = row.clone().try_into_model()?;
        revisions.push(snapshot(EconomicEvent::KIND, &written.id, 1, &written, &event.details.in_scope_of, now)?);
        rows.push(row);
        let unique: BTreeSet<AgentId> = event.details.in_scope_of.iter().copied().collect();
        scopes.extend(unique.into_iter().map(|scope| economic_event_scope::ActiveModel {
            event_id: Set(event.id.to_string()),
            scope_id: Set(scope.to_string()),
        }));
    }
    insert_all(txn, rows).await?;
    snapshots_in(txn, revisions).await?;
    for (event, fulfills) in events {
        crate::sharing::booking::use_in(txn, event, fulfills).await?;
    }
    insert_all(txn, scopes).await
}

/// `resource` with the state `books` give it.
fn after(books: &Books, resource: EconomicResource) -> Result<EconomicResource> {
    let state = books
        .get(resource.id)
        .cloned()
        .ok_or_else(|| PersistenceError::Corrupt(format!("resource {} left the book while recording", resource.id)))?;
    Ok(EconomicResource { state, ..resource })
}

/// Whether `core`, in `scopes`, is a transfer of rights the market-exchange rule looks at.
fn is_market(core: &NewEvent, scopes: &[AgentId]) -> bool {
    exchange::hands_over_rights(core.action) && !core.is_correction() && !scopes.is_empty()
}

/// A resource of the batch by id, as the events before left it; a missing one is refused
/// naming `field`.
fn in_batch(
    resources: &HashMap<EconomicResourceId, InBatch>,
    field: &str,
    id: EconomicResourceId,
) -> Result<EconomicResource> {
    resources.get(&id).map(|held| held.resource.clone()).ok_or_else(|| {
        ovn_domain::DomainError::invalid(field, format!("economic resource `{id}` does not exist")).into()
    })
}

/// The events corrected by a batch, as recorded.
async fn originals_in(
    txn: &DatabaseTransaction,
    ids: &[EconomicEventId],
) -> Result<HashMap<EconomicEventId, NewEvent>> {
    rows_by_ids::<economic_event::Entity, _, _>(txn, economic_event::Column::Id, ids)
        .await?
        .iter()
        .map(|row| Ok((id(&row.id, EconomicEventId::parse)?, core_from(row)?)))
        .collect()
}

/// `basedOn` of the processes a batch's events are outputs of, by process.
async fn processes_based_on(
    txn: &DatabaseTransaction,
    ids: &[ProcessId],
) -> Result<HashMap<ProcessId, Option<ProcessSpecificationId>>> {
    rows_by_ids::<process::Entity, _, _>(txn, process::Column::Id, ids)
        .await?
        .iter()
        .map(|row| Ok((id(&row.id, ProcessId::parse)?, opt(row.based_on.as_deref(), ProcessSpecificationId::parse)?)))
        .collect()
}

/// The resources a batch names, locked when `lock` (PostgreSQL; in id order, so two batches
/// never wait on each other crosswise).
async fn resources_in(
    txn: &DatabaseTransaction,
    ids: &[EconomicResourceId],
    lock: bool,
) -> Result<HashMap<EconomicResourceId, InBatch>> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(IN_LIST_MAX) {
        let mut select = economic_resource::Entity::find()
            .filter(economic_resource::Column::Id.is_in(chunk.iter().map(ToString::to_string)))
            .order_by_asc(economic_resource::Column::Id);
        if lock {
            select = select.lock_exclusive();
        }
        for row in select.all(txn).await? {
            let created_at = row.created_at;
            let resource = EconomicResource::from_row(row)?;
            found.insert(resource.id, InBatch { resource, created_at, created: false, revisions: Vec::new() });
        }
    }
    Ok(found)
}

/// Writes the fulfilments of `commitments` by a recorded event.
pub(crate) async fn fulfil_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    event_id: EconomicEventId,
    commitments: &[CommitmentId],
) -> Result<()> {
    for commitment in commitments {
        let draft = crate::planning::fulfillment_draft(event_id, *commitment);
        crate::planning::create_fulfillment_in(txn, actor, draft).await?;
    }
    Ok(())
}

/// Whether the resource specification `spec` is a medium of exchange (money): asked only of
/// a transfer the market-exchange rule would otherwise refuse.
async fn medium_of_exchange(txn: &DatabaseTransaction, spec: Option<ResourceSpecificationId>) -> Result<bool> {
    let Some(spec) = spec else { return Ok(false) };
    let row = resource_specification::Entity::find_by_id(spec.to_string()).one(txn).await?;
    Ok(row.and_then(|r| r.medium_of_exchange).unwrap_or(false))
}

/// Checks who may record `core` ([`permission::may_record`]) and answers whether it must wait
/// for its receiver's consent, with the OVN relationships it loaded. They are loaded only when
/// the answer depends on them: when the actor is not a party, or records a transfer to someone
/// else; for a transfer of rights in scope (`market`), with what the market-exchange rule
/// needs too, so that the rule costs no query of its own then.
async fn asks_consent(
    txn: &DatabaseTransaction,
    actor: AgentId,
    core: &NewEvent,
    scopes: &[AgentId],
    fulfills: &[CommitmentId],
    market: bool,
) -> Result<(bool, Option<Ties>)> {
    let party = actor == core.provider || actor == core.receiver;
    let may_ask = permission::needs_consent(actor, core, &Ties::default(), false);
    if party && !may_ask {
        return Ok((false, None));
    }
    let ties = if market {
        ties_for_market(txn, actor, &[core.receiver], scopes).await?
    } else {
        let mut around: Vec<AgentId> = scopes.to_vec();
        around.push(core.receiver);
        ties_around(txn, &[actor], &around).await?
    };
    permission::may_record(actor, core, scopes, &ties)?;
    let committed = may_ask && consent::receiver_committed(txn, core, fulfills).await?;
    Ok((permission::needs_consent(actor, core, &ties, committed), Some(ties)))
}

/// `updateEconomicEvent` inside the caller's transaction: notes and links only, by a party
/// to the event ([`permission::may_annotate`]).
pub async fn update_event_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<EconomicEventId>,
    patch: EventPatch,
) -> Result<EconomicEvent> {
    let row = locked_row::<economic_event::Entity, _>(txn, "economic event", revision, |row| row.revision).await?;
    let mut event = events_with_scopes(txn, vec![row])
        .await?
        .pop()
        .ok_or_else(|| PersistenceError::not_found("economic event", revision.id))?;
    permission::may_annotate(actor, &event.core)?;
    let mut references = References::new();
    if let Patch::Set(trigger) = patch.triggered_by {
        references.add("triggeredBy", Some(Ref::Event(trigger)));
    }
    if let Patch::Set(agreement) = patch.realization_of {
        references.add("realizationOf", Some(Ref::Agreement(agreement)));
    }
    if let Patch::Set(agreement) = patch.reciprocal_realization_of {
        references.add("reciprocalRealizationOf", Some(Ref::Agreement(agreement)));
    }
    references.check(txn).await?;
    event.details.note = patch.note.apply(event.details.note);
    event.details.realization_of = patch.realization_of.apply(event.details.realization_of);
    event.details.reciprocal_realization_of =
        patch.reciprocal_realization_of.apply(event.details.reciprocal_realization_of);
    event.details.agreed_in = patch.agreed_in.apply(event.details.agreed_in);
    event.details.triggered_by = patch.triggered_by.apply(event.details.triggered_by);
    event.revision = revision.number + 1;
    // Only these columns: the database refuses any change to an event's economic fields.
    let now = Utc::now();
    let written = economic_event::Entity::update(economic_event::ActiveModel {
        id: Set(event.id.to_string()),
        note: Set(event.details.note.clone()),
        agreed_in: Set(event.details.agreed_in.as_ref().map(|u| u.as_str().to_owned())),
        triggered_by: Set(event.details.triggered_by.map(|e| e.to_string())),
        realization_of: Set(event.details.realization_of.map(|a| a.to_string())),
        reciprocal_realization_of: Set(event.details.reciprocal_realization_of.map(|a| a.to_string())),
        revision: Set(event.revision),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    snapshot_in(txn, EconomicEvent::KIND, &written.id, written.revision, &written, &event.details.in_scope_of, now)
        .await?;
    Ok(event)
}

/// `updateEconomicResource` inside the caller's transaction: the non-economic fields, by its
/// accountable agent or custodian ([`permission::may_update_resource`]).
pub async fn update_resource_in(
    txn: &DatabaseTransaction,
    actor: AgentId,
    revision: Revision<EconomicResourceId>,
    patch: ResourcePatch,
) -> Result<EconomicResource> {
    // Locked (SQLite gets no lock clause): the row is written back whole, quantities included,
    // so an unlocked read would undo a concurrent event's effect.
    let mut resource = locked_at::<EconomicResource>(txn, revision).await?;
    permission::may_update_resource(actor, &resource.state)?;
    if let Patch::Set(container) = &patch.contained_in
        && *container == resource.id
    {
        return Err(ovn_domain::DomainError::invalid("containedIn", "a resource cannot contain itself").into());
    }
    let mut references = References::new();
    if let Patch::Set(container) = patch.contained_in {
        references.add("containedIn", Some(Ref::Resource(container)));
    }
    if let Patch::Set(unit) = patch.unit_of_effort {
        references.add("unitOfEffort", Some(Ref::Unit(unit)));
    }
    if let Patch::Set(value) = patch.value_per_unit_of_use {
        references.add("valuePerUnitOfUse.hasUnit", value.has_unit.map(Ref::Unit));
    }
    references.check(txn).await?;
    let d = &mut resource.details;
    d.name = patch.name.apply(d.name.take());
    d.classified_as = patch.classified_as.apply(Some(std::mem::take(&mut d.classified_as))).unwrap_or_default();
    d.image = patch.image.apply(d.image.take());
    d.image_list = patch.image_list.apply(Some(std::mem::take(&mut d.image_list))).unwrap_or_default();
    d.unit_of_effort = patch.unit_of_effort.apply(d.unit_of_effort);
    d.note = patch.note.apply(d.note.take());
    d.property_regime = patch.property_regime.apply(Some(d.property_regime)).unwrap_or_default();
    d.value_per_unit_of_use = patch.value_per_unit_of_use.apply(d.value_per_unit_of_use);
    d.validate()?;
    resource.state.contained_in = patch.contained_in.apply(resource.state.contained_in);
    save_in(txn, revision, resource).await
}

impl Store {
    /// `createEconomicEvent`: records the event and applies it to its resources, creating
    /// `newInventoriedResource` when given, in one transaction. A retry with the same
    /// idempotency key answers with what the first attempt recorded.
    pub async fn record_event(
        &self,
        actor: AgentId,
        command: RecordEvent,
        idem: Option<&Idempotency>,
    ) -> Result<Recorded> {
        self.record_event_fulfilling(actor, command, Vec::new(), idem).await
    }

    /// [`Store::record_event`], and in the same transaction one fulfilment of each commitment
    /// in `fulfills` by the event, with the event's quantities (the OVN input
    /// `EconomicEventCreateParams.fulfills`). A refused fulfilment refuses the event: nothing
    /// is written.
    pub async fn record_event_fulfilling(
        &self,
        actor: AgentId,
        command: RecordEvent,
        fulfills: Vec<CommitmentId>,
        idem: Option<&Idempotency>,
    ) -> Result<Recorded> {
        let event_id = EconomicEventId::new();
        let locks_rows = self.locks_rows();
        let creates_to = command.core.creates_to();
        let outcome = self
            .create(idem, event_id.to_string(), move |txn| {
                async move {
                    let fulfills: Vec<CommitmentId> =
                        fulfills.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
                    let recorded =
                        record_with(txn, locks_rows, actor, event_id, command, &fulfills, Utc::now(), Consent::Ask)
                            .await?;
                    if !recorded.pending {
                        fulfil_in(txn, actor, event_id, &fulfills).await?;
                    }
                    Ok(recorded)
                }
                .boxed()
            })
            .await?;
        self.created(outcome, "economic event", async |store: &Store, id| {
            let Some(event) = store.events_by_id(&[id]).await?.remove(&id) else {
                // Still waiting for consent (a decided one is recorded, or rejected: gone).
                let waiting = store.transfers_by_id(&[id]).await?.remove(&id);
                return Ok(waiting.filter(|w| w.consent == TransferConsent::Pending).map(|w| Recorded {
                    event: w.event,
                    resource: None,
                    pending: true,
                }));
            };
            let main = if creates_to {
                event.core.to_resource_inventoried_as
            } else {
                event.core.resource_inventoried_as.or(event.core.to_resource_inventoried_as)
            };
            let resource = match main {
                Some(resource) => store.resources_by_id(&[resource]).await?.remove(&resource),
                None => None,
            };
            Ok(Some(Recorded { event, resource, pending: false }))
        })
        .await
    }

    /// `updateEconomicEvent`: notes and links only.
    pub async fn update_event(
        &self,
        actor: AgentId,
        revision: Revision<EconomicEventId>,
        patch: EventPatch,
    ) -> Result<EconomicEvent> {
        self.write(move |txn| update_event_in(txn, actor, revision, patch).boxed()).await
    }

    /// `updateEconomicResource`: the non-economic fields, by its accountable agent or custodian.
    pub async fn update_resource(
        &self,
        actor: AgentId,
        revision: Revision<EconomicResourceId>,
        patch: ResourcePatch,
    ) -> Result<EconomicResource> {
        self.write(move |txn| update_resource_in(txn, actor, revision, patch).boxed()).await
    }
}
