//! The whole ledger in one piece: read every record for an export, and write a checked
//! ledger into an empty database for an import, whole ([`Store::write_ledger`]) or as it
//! streams in ([`Store::write_ledger_stream`]).
//!
//! Why a module of its own: the services elsewhere in this crate record one event at a time,
//! each with its checks and queries (a few per event). An import of a few hundred thousand
//! events cannot afford that. Here the caller hands over a [`Ledger`] it has already checked
//! in memory (every reference resolved, every event applied to its resources with the domain
//! rules), and this module only writes rows: on SQLite, multi-row `INSERT`s in chunks under its
//! bound-parameter limit; on PostgreSQL, `COPY ... FROM STDIN` ([`postgres`]); all inside
//! **one** transaction, so an import is all or nothing (a failure leaves the database as empty
//! as it was; both SQLite and PostgreSQL handle a long transaction well). The read side loads each table in one query, in a stable order, so that
//! an export is deterministic.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use ovn_domain::agent::network::OvnRole;
use ovn_domain::agent::{Agent, AgentRelationship, AgentRelationshipRole};
use ovn_domain::knowledge::{ProcessSpecification, ResourceSpecification, Unit};
/// The whole-books value this module reads and writes lives in the domain, so that the JSON-LD
/// codec shares it without depending on the store.
pub use ovn_domain::ledger_books::{Ledger, Stamped};
use ovn_domain::observation::{EconomicEvent, EconomicResource, NewEvent, Process};
use ovn_domain::{AgentId, EconomicEventId};
use sea_orm::ActiveValue::Set;
use sea_orm::sqlx::postgres::PgConnection;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, QueryTrait, Statement, TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};

use crate::entity::{
    agent, agent_relationship, agent_relationship_role, economic_event, economic_event_scope, economic_resource,
    idempotency_key, process, process_scope, process_specification, resource_specification, unit,
};
use crate::error::{PersistenceError, Result};
use crate::rows::{self, Record, Stamps, corrupt, text};
use crate::store::Store;

mod postgres;

/// SQLite refuses a statement with more than 32,766 bound parameters; every chunk of a
/// multi-row insert stays under it (PostgreSQL's limit, 65,535, is higher).
pub const MAX_BOUND_PARAMETERS: usize = 32_766;

/// Told after each chunk a write has stored: how many rows it held.
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

// ---------------------------------------------------------------- reading

fn group_scopes(pairs: impl IntoIterator<Item = (String, String)>) -> Result<HashMap<String, Vec<AgentId>>> {
    let mut scopes: HashMap<String, Vec<AgentId>> = HashMap::new();
    for (owner, scope) in pairs {
        scopes.entry(owner).or_default().push(AgentId::parse(&scope).map_err(corrupt)?);
    }
    for list in scopes.values_mut() {
        list.sort();
    }
    Ok(scopes)
}

// Rows become domain values through the same mappings the live services use; an export
// only adds the system time each record was made.
fn stamped<R: Record>(row: <R::Entity as EntityTrait>::Model, created: DateTime<Utc>) -> Result<Stamped<R>> {
    Ok(Stamped { record: R::from_row(row)?, created })
}

fn process_from(row: process::Model, in_scope_of: Vec<AgentId>) -> Result<Stamped<Process>> {
    let created = row.created_at;
    Ok(Stamped { record: rows::process_from(row, in_scope_of)?, created })
}

fn event_from(row: economic_event::Model, in_scope_of: Vec<AgentId>) -> Result<EconomicEvent> {
    rows::event_from(row, in_scope_of)
}

/// Sorts stamped records by their id's text (the order an export lists them in).
fn by_id<T>(mut records: Vec<Stamped<T>>, id: impl Fn(&T) -> uuid::Uuid) -> Vec<Stamped<T>> {
    records.sort_by_key(|r| id(&r.record));
    records
}

async fn read_all<C: ConnectionTrait>(conn: &C) -> Result<Ledger> {
    let units = unit::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let created = row.created_at;
            stamped::<Unit>(row, created)
        })
        .collect::<Result<Vec<_>>>()?;
    let agents = agent::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let created = row.created_at;
            stamped::<Agent>(row, created)
        })
        .collect::<Result<Vec<_>>>()?;
    // The seeded OVN roles are in every database: a document leaves them out (D54).
    let roles = agent_relationship_role::Entity::find()
        .filter(agent_relationship_role::Column::Id.is_not_in(OvnRole::ALL.map(|r| r.id().to_string())))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let created = row.created_at;
            stamped::<AgentRelationshipRole>(row, created)
        })
        .collect::<Result<Vec<_>>>()?;
    let relationships = agent_relationship::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let created = row.created_at;
            stamped::<AgentRelationship>(row, created)
        })
        .collect::<Result<Vec<_>>>()?;
    let resource_specifications = resource_specification::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let created = row.created_at;
            stamped::<ResourceSpecification>(row, created)
        })
        .collect::<Result<Vec<_>>>()?;
    let process_specifications = process_specification::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let created = row.created_at;
            stamped::<ProcessSpecification>(row, created)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut process_scopes =
        group_scopes(process_scope::Entity::find().all(conn).await?.into_iter().map(|s| (s.process_id, s.scope_id)))?;
    let processes = process::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let scopes = process_scopes.remove(&row.id).unwrap_or_default();
            process_from(row, scopes)
        })
        .collect::<Result<Vec<_>>>()?;
    let resources = economic_resource::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let created = row.created_at;
            stamped::<EconomicResource>(row, created)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut event_scopes = group_scopes(
        economic_event_scope::Entity::find().all(conn).await?.into_iter().map(|s| (s.event_id, s.scope_id)),
    )?;
    let mut events = economic_event::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let scopes = event_scopes.remove(&row.id).unwrap_or_default();
            event_from(row, scopes)
        })
        .collect::<Result<Vec<_>>>()?;
    // Sorted here rather than by the database, so that the order never depends on how a
    // backend collates its timestamp column.
    events.sort_by_key(|e| (e.created, e.id));
    Ok(Ledger {
        units: by_id(units, |u| u.id.uuid()),
        agents: by_id(agents, |a| a.id.uuid()),
        roles: by_id(roles, |r| r.id.uuid()),
        relationships: by_id(relationships, |r| r.id.uuid()),
        resource_specifications: by_id(resource_specifications, |s| s.id.uuid()),
        process_specifications: by_id(process_specifications, |s| s.id.uuid()),
        processes: by_id(processes, |p| p.id.uuid()),
        resources: by_id(resources, |r| r.id.uuid()),
        events,
    })
}

// ---------------------------------------------------------------- writing

fn unit_row(s: &Stamped<Unit>) -> unit::ActiveModel {
    s.record.to_row(Stamps::created(s.created))
}

fn agent_row(s: &Stamped<Agent>) -> agent::ActiveModel {
    s.record.to_row(Stamps::created(s.created))
}

fn role_row(s: &Stamped<AgentRelationshipRole>) -> agent_relationship_role::ActiveModel {
    s.record.to_row(Stamps::created(s.created))
}

fn relationship_row(s: &Stamped<AgentRelationship>) -> agent_relationship::ActiveModel {
    s.record.to_row(Stamps::created(s.created))
}

fn resource_specification_row(s: &Stamped<ResourceSpecification>) -> resource_specification::ActiveModel {
    s.record.to_row(Stamps::created(s.created))
}

fn process_specification_row(s: &Stamped<ProcessSpecification>) -> process_specification::ActiveModel {
    s.record.to_row(Stamps::created(s.created))
}

fn process_row(s: &Stamped<Process>) -> process::ActiveModel {
    rows::process_row(&s.record, Stamps::created(s.created))
}

/// A resource row; `contained_in` is left out when the container is written later (see
/// [`write_all`]).
fn resource_row(s: &Stamped<EconomicResource>, with_container: bool) -> economic_resource::ActiveModel {
    let mut row = s.record.to_row(Stamps::created(s.created));
    if !with_container {
        row.contained_in = Set(None);
    }
    row
}

/// An event row; `triggered_by` is left out when it names an event not stored yet (see
/// [`LedgerBatch::Events`]).
fn event_row(item: &(EconomicEvent, bool)) -> economic_event::ActiveModel {
    let (event, with_trigger) = item;
    let mut row = rows::event_row(event, Stamps::created(event.created));
    if !with_trigger {
        row.triggered_by = Set(None);
    }
    row
}

/// The multi-row `INSERT` of one chunk.
fn chunk_statement<T, A>(chunk: &[T], row: fn(&T) -> A, backend: DbBackend) -> Statement
where
    A: ActiveModelTrait,
{
    <A::Entity as EntityTrait>::insert_many(chunk.iter().map(row)).build(backend)
}

/// Inserts one row per item with multi-row `INSERT`s, each under [`MAX_BOUND_PARAMETERS`].
/// Rows are built chunk by chunk, and the next chunk's statement is built while the database
/// executes the current one.
async fn insert_chunked<T, A>(txn: &DatabaseTransaction, items: &[T], row: fn(&T) -> A) -> Result<()>
where
    T: Sync,
    A: ActiveModelTrait + Send,
{
    let backend = txn.get_database_backend();
    // Every column of the table is bound (the row mappings set them all, or leave them to a
    // default the statement then names anyway), so the table's column count bounds a row.
    let columns = <<A::Entity as EntityTrait>::Column as sea_orm::Iterable>::iter().count();
    let per_chunk = (MAX_BOUND_PARAMETERS / columns.max(1)).max(1);
    let mut chunks = items.chunks(per_chunk);
    let Some(first) = chunks.next() else { return Ok(()) };
    let mut current = chunk_statement(first, row, backend);
    loop {
        let following = chunks.next();
        let (executed, next) = futures::join!(txn.execute_raw(current), async {
            following.map(|chunk| chunk_statement(chunk, row, backend))
        });
        executed?;
        match next {
            Some(next) => current = next,
            None => return Ok(()),
        }
    }
}

fn scope_pairs<'a>(owners: impl Iterator<Item = (String, &'a [AgentId])>) -> Vec<(String, String)> {
    owners
        .flat_map(|(owner, scopes)| {
            let unique: BTreeSet<AgentId> = scopes.iter().copied().collect();
            unique.into_iter().map(move |scope| (owner.clone(), scope.to_string()))
        })
        .collect()
}

fn process_scope_row(pair: &(String, String)) -> process_scope::ActiveModel {
    process_scope::ActiveModel { process_id: Set(pair.0.clone()), scope_id: Set(pair.1.clone()) }
}

fn event_scope_row(pair: &(String, String)) -> economic_event_scope::ActiveModel {
    economic_event_scope::ActiveModel { event_id: Set(pair.0.clone()), scope_id: Set(pair.1.clone()) }
}

fn resource_row_without_container(s: &Stamped<EconomicResource>) -> economic_resource::ActiveModel {
    resource_row(s, false)
}

fn len(rows: usize) -> u64 {
    u64::try_from(rows).unwrap_or(u64::MAX)
}

/// The first table of the books that holds a row, if any.
async fn first_non_empty<C: ConnectionTrait>(conn: &C) -> Result<Option<&'static str>> {
    macro_rules! probe {
        ($entity:ty, $name:literal) => {
            if <$entity>::find().limit(1).all(conn).await?.into_iter().next().is_some() {
                return Ok(Some($name));
            }
        };
    }
    probe!(agent::Entity, "agents");
    probe!(unit::Entity, "units");
    // The seeded OVN roles are in every database; any other role is a record.
    let seeded = OvnRole::ALL.map(|r| r.id().to_string());
    if agent_relationship_role::Entity::find()
        .filter(agent_relationship_role::Column::Id.is_not_in(seeded))
        .limit(1)
        .all(conn)
        .await?
        .into_iter()
        .next()
        .is_some()
    {
        return Ok(Some("agent relationship roles"));
    }
    probe!(agent_relationship::Entity, "agent relationships");
    probe!(resource_specification::Entity, "resource specifications");
    probe!(process_specification::Entity, "process specifications");
    probe!(process::Entity, "processes");
    probe!(economic_resource::Entity, "economic resources");
    probe!(economic_event::Entity, "economic events");
    probe!(idempotency_key::Entity, "idempotency keys");
    Ok(None)
}

/// Refused because the database already holds records.
fn not_empty(table: &str) -> PersistenceError {
    PersistenceError::Conflict(format!(
        "the database is not empty (it already holds {table}); an import only loads into an empty database"
    ))
}

/// What an import hands the store, in this order: [`LedgerBatch::Records`] once, then
/// [`LedgerBatch::Events`] in recording order (with [`LedgerBatch::Original`] questions between
/// them), then [`LedgerBatch::Finish`]. Everything goes into one transaction, committed only
/// at `Finish`: if the sender is dropped before, the transaction is rolled back and the
/// database stays empty.
///
/// Why batches on a channel: a checker that reads a large file as a stream hands rows over as
/// they pass, so neither the file nor the ledger is ever held whole, and checking (one core)
/// overlaps writing (the database, another).
#[derive(Debug)]
pub enum LedgerBatch {
    /// Every record but the events (`events` is empty). Resources are written as given;
    /// [`LedgerBatch::Finish`] corrects those the events changed.
    Records(Ledger),
    /// Events, checked, in recording order; `false` beside an event leaves its `triggered_by`
    /// out of the row, as it names an event not stored yet (it is set at `Finish`).
    Events(Vec<(EconomicEvent, bool)>),
    /// What an event stored earlier in this import says (the original of a correction), for
    /// the checker, which does not keep every event.
    Original(EconomicEventId, oneshot::Sender<Result<Option<NewEvent>>>),
    /// The end: resources as the events left them (where they differ from what `Records`
    /// said), and `(event, triggered_by)` links to set; then the commit.
    Finish {
        /// Resources to rewrite whole.
        resources: Vec<Stamped<EconomicResource>>,
        /// Links to later events.
        triggers: Vec<(EconomicEventId, EconomicEventId)>,
    },
}

/// The one transaction an import writes in.
enum Writer<'t> {
    /// sea-orm's transaction (on SQLite, the writer task's).
    Sqlite(&'t DatabaseTransaction),
    /// A sqlx transaction, for `COPY` (see [`postgres`]).
    Postgres(&'t mut PgConnection),
}

impl Writer<'_> {
    async fn execute(&mut self, statement: Statement) -> Result<()> {
        match self {
            Self::Sqlite(txn) => {
                txn.execute_raw(statement).await?;
            }
            Self::Postgres(conn) => {
                postgres::execute(conn, statement).await?;
            }
        }
        Ok(())
    }

    fn backend(&self) -> DbBackend {
        match self {
            Self::Sqlite(_) => DbBackend::Sqlite,
            Self::Postgres(_) => DbBackend::Postgres,
        }
    }

    async fn records(&mut self, ledger: &Ledger, progress: &Progress) -> Result<u64> {
        let process_scopes =
            scope_pairs(ledger.processes.iter().map(|p| (p.record.id.to_string(), p.record.in_scope_of.as_slice())));
        // The OVN roles are seeded by a migration in every database: a document that holds them
        // anyway (written by hand, or by another tool) does not add them again.
        let roles: Vec<Stamped<AgentRelationshipRole>> =
            ledger.roles.iter().filter(|r| OvnRole::of(r.record.id).is_none()).cloned().collect();
        // A container may sort after what it contains: resources go in without their container,
        // which is set once they all exist (containment is rare; one update each).
        match self {
            Self::Sqlite(txn) => {
                insert_chunked(txn, &ledger.units, unit_row).await?;
                insert_chunked(txn, &ledger.agents, agent_row).await?;
                insert_chunked(txn, &roles, role_row).await?;
                insert_chunked(txn, &ledger.relationships, relationship_row).await?;
                insert_chunked(txn, &ledger.process_specifications, process_specification_row).await?;
                insert_chunked(txn, &ledger.resource_specifications, resource_specification_row).await?;
                insert_chunked(txn, &ledger.processes, process_row).await?;
                insert_chunked(txn, &process_scopes, process_scope_row).await?;
                insert_chunked(txn, &ledger.resources, resource_row_without_container).await?;
            }
            Self::Postgres(conn) => {
                postgres::copy_rows(conn, ledger.units.iter().map(unit_row)).await?;
                postgres::copy_rows(conn, ledger.agents.iter().map(agent_row)).await?;
                postgres::copy_rows(conn, roles.iter().map(role_row)).await?;
                postgres::copy_rows(conn, ledger.relationships.iter().map(relationship_row)).await?;
                postgres::copy_rows(conn, ledger.process_specifications.iter().map(process_specification_row)).await?;
                postgres::copy_rows(conn, ledger.resource_specifications.iter().map(resource_specification_row))
                    .await?;
                postgres::copy_rows(conn, ledger.processes.iter().map(process_row)).await?;
                postgres::copy_rows(conn, process_scopes.iter().map(process_scope_row)).await?;
                postgres::copy_rows(conn, ledger.resources.iter().map(resource_row_without_container)).await?;
            }
        }
        let backend = self.backend();
        for resource in ledger.resources.iter().filter(|r| r.record.state.contained_in.is_some()) {
            let statement = economic_resource::Entity::update_many()
                .col_expr(
                    economic_resource::Column::ContainedIn,
                    sea_orm::sea_query::Expr::value(text(resource.record.state.contained_in)),
                )
                .filter(economic_resource::Column::Id.eq(resource.record.id.to_string()))
                .build(backend);
            self.execute(statement).await?;
        }
        let rows = ledger.row_count();
        progress(rows);
        Ok(rows)
    }

    async fn events(&mut self, events: &[(EconomicEvent, bool)], progress: &Progress) -> Result<u64> {
        let scopes = scope_pairs(events.iter().map(|(e, _)| (e.id.to_string(), e.details.in_scope_of.as_slice())));
        match self {
            Self::Sqlite(txn) => {
                insert_chunked(txn, events, event_row).await?;
                insert_chunked(txn, &scopes, event_scope_row).await?;
            }
            Self::Postgres(conn) => {
                postgres::copy_rows(conn, events.iter().map(event_row)).await?;
                postgres::copy_rows(conn, scopes.iter().map(event_scope_row)).await?;
            }
        }
        let rows = len(events.len() + scopes.len());
        progress(rows);
        Ok(rows)
    }

    async fn original(&mut self, id: EconomicEventId) -> Result<Option<NewEvent>> {
        match self {
            Self::Sqlite(txn) => match economic_event::Entity::find_by_id(id.to_string()).one(*txn).await? {
                Some(row) => rows::core_from(&row).map(Some),
                None => Ok(None),
            },
            Self::Postgres(conn) => postgres::original(conn, id).await,
        }
    }

    async fn finish(
        &mut self,
        resources: &[Stamped<EconomicResource>],
        triggers: &[(EconomicEventId, EconomicEventId)],
    ) -> Result<()> {
        let backend = self.backend();
        for resource in resources {
            let statement = economic_resource::Entity::update_many()
                .set(resource.record.to_row(Stamps::created(resource.created)))
                .filter(economic_resource::Column::Id.eq(resource.record.id.to_string()))
                .build(backend);
            self.execute(statement).await?;
        }
        for (event, trigger) in triggers {
            let statement = economic_event::Entity::update_many()
                .col_expr(economic_event::Column::TriggeredBy, sea_orm::sea_query::Expr::value(trigger.to_string()))
                .filter(economic_event::Column::Id.eq(event.to_string()))
                .build(backend);
            self.execute(statement).await?;
        }
        Ok(())
    }

    /// Writes the batches as they come, until [`LedgerBatch::Finish`]; how many rows.
    async fn receive(&mut self, batches: &mut mpsc::Receiver<LedgerBatch>, progress: &Progress) -> Result<u64> {
        let mut rows = 0;
        while let Some(batch) = batches.recv().await {
            match batch {
                LedgerBatch::Records(ledger) => rows += self.records(&ledger, progress).await?,
                LedgerBatch::Events(events) => rows += self.events(&events, progress).await?,
                LedgerBatch::Original(id, reply) => {
                    let original = self.original(id).await;
                    let failed = original.as_ref().err().map(ToString::to_string);
                    // The checker may have gone; the answer is then moot.
                    reply.send(original).ok();
                    if let Some(message) = failed {
                        return Err(PersistenceError::Corrupt(message));
                    }
                }
                LedgerBatch::Finish { resources, triggers } => {
                    self.finish(&resources, &triggers).await?;
                    return Ok(rows + len(resources.len() + triggers.len()));
                }
            }
        }
        Err(PersistenceError::Conflict("the import stopped before its end; nothing was written".into()))
    }
}

/// SQLite's page cache while an import writes: large enough to hold the indexes being
/// built, so that pages are not spilled to the WAL and read back (in KiB; a bound, not an
/// allocation).
const IMPORT_CACHE_KIB: u32 = 512 * 1024;

/// The SQLite import, inside the writer task's transaction.
async fn write_sqlite(
    txn: &DatabaseTransaction,
    batches: &mut mpsc::Receiver<LedgerBatch>,
    progress: &Progress,
) -> Result<u64> {
    if let Some(table) = first_non_empty(txn).await? {
        return Err(not_empty(table));
    }
    // The default cache (2 MiB) spills on a large import; the connection's setting is put
    // back afterwards, whatever happened. The secondary indexes of the event tables are
    // dropped and rebuilt after the rows are in (building an index from all its keys at once
    // is about three times faster than growing it row by row); their definitions are read
    // from the database itself, so they are rebuilt exactly as the migrations made them, and
    // all of it is inside the transaction, so a failed import rolls the indexes back too.
    let before = txn
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA cache_size"))
        .await?
        .and_then(|row| row.try_get_by_index::<i64>(0).ok())
        .unwrap_or(-2_000);
    txn.execute_unprepared(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}")).await?;
    let indexes = txn
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND tbl_name IN ('economic_event', 'economic_event_scope') ORDER BY name",
        ))
        .await?
        .into_iter()
        .map(|row| Ok((row.try_get_by_index::<String>(0)?, row.try_get_by_index::<String>(1)?)))
        .collect::<Result<Vec<(String, String)>, sea_orm::DbErr>>()?;
    for (name, _) in &indexes {
        txn.execute_unprepared(&format!("DROP INDEX \"{name}\"")).await?;
    }
    let mut written = Writer::Sqlite(txn).receive(batches, progress).await;
    if written.is_ok() {
        for (_, sql) in &indexes {
            if let Err(err) = txn.execute_unprepared(sql).await {
                written = Err(err.into());
                break;
            }
        }
    }
    let restored = txn.execute_unprepared(&format!("PRAGMA cache_size = {before}")).await;
    let rows = written?;
    restored?;
    Ok(rows)
}

/// Events per [`LedgerBatch::Events`] when a ledger held whole is written.
const EVENTS_PER_BATCH: usize = 8_192;

/// Hands a ledger held whole to a writer, as a streamed import would.
async fn send_ledger(ledger: &Ledger, batches: mpsc::Sender<LedgerBatch>) {
    let records = Ledger {
        units: ledger.units.clone(),
        agents: ledger.agents.clone(),
        roles: ledger.roles.clone(),
        relationships: ledger.relationships.clone(),
        resource_specifications: ledger.resource_specifications.clone(),
        process_specifications: ledger.process_specifications.clone(),
        processes: ledger.processes.clone(),
        resources: ledger.resources.clone(),
        events: Vec::new(),
    };
    if batches.send(LedgerBatch::Records(records)).await.is_err() {
        return;
    }
    // `triggeredBy` may point at a later event (it can be set after recording); such links are
    // written once the later event exists. `corrects` always points back (checked by the
    // caller), so it goes in with the row.
    let position: HashMap<EconomicEventId, usize> = ledger.events.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
    let mut triggers = Vec::new();
    for (start, chunk) in ledger.events.chunks(EVENTS_PER_BATCH).enumerate() {
        let events = chunk
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let at = start * EVENTS_PER_BATCH + i;
                let back = e.details.triggered_by.is_none_or(|t| position.get(&t).is_some_and(|&target| target < at));
                if let (false, Some(trigger)) = (back, e.details.triggered_by) {
                    triggers.push((e.id, trigger));
                }
                (e.clone(), back)
            })
            .collect();
        if batches.send(LedgerBatch::Events(events)).await.is_err() {
            return;
        }
    }
    batches.send(LedgerBatch::Finish { resources: Vec::new(), triggers }).await.ok();
}

impl Store {
    /// Every record of the books, read in one transaction (a consistent snapshot), in the
    /// stable order [`Ledger`] documents.
    pub async fn read_ledger(&self) -> Result<Ledger> {
        let txn = self.connection().begin().await?;
        let ledger = read_all(&txn).await?;
        txn.commit().await?;
        Ok(ledger)
    }

    /// The first kind of record the database holds (`"agents"`, `"economic events"`, …), or
    /// `None` when it is empty.
    pub async fn first_non_empty_table(&self) -> Result<Option<&'static str>> {
        first_non_empty(self.connection()).await
    }

    /// Writes a whole ledger into an **empty** database, in one transaction: either every row
    /// is stored or none is. Ids and `created` times are kept; revisions start at 1.
    ///
    /// The caller must have checked the ledger (references resolve, events are in recording
    /// order, resource states are what the events give); this only writes rows, through
    /// [`Store::write_ledger_stream`]. `progress` is told after each batch. A database that
    /// already holds records is refused with [`PersistenceError::Conflict`], checked inside
    /// the same transaction.
    pub async fn write_ledger(&self, ledger: Arc<Ledger>, progress: Progress) -> Result<u64> {
        let (sender, receiver) = mpsc::channel(2);
        let (rows, ()) = futures::join!(self.write_ledger_stream(receiver, progress), send_ledger(&ledger, sender));
        rows
    }

    /// Writes the batches an import sends (see [`LedgerBatch`]) into an **empty** database, in
    /// one transaction committed at [`LedgerBatch::Finish`]; the sender dropped before that
    /// rolls everything back. A database that already holds records is refused with
    /// [`PersistenceError::Conflict`], checked inside the transaction. How many rows.
    ///
    /// On SQLite the rows go in with multi-row `INSERT`s in the writer task's transaction; on
    /// PostgreSQL with `COPY` on a transaction of its own. On both, the event tables'
    /// secondary indexes are dropped for the load and rebuilt, as the database defines them,
    /// before the commit; on PostgreSQL their foreign keys too (added back, and so checked,
    /// over every row at once), and the tables are analyzed after it.
    pub async fn write_ledger_stream(&self, batches: mpsc::Receiver<LedgerBatch>, progress: Progress) -> Result<u64> {
        if self.backend() == DbBackend::Postgres {
            return self.write_postgres(batches, &progress).await;
        }
        let mut batches = batches;
        self.write(move |txn| async move { write_sqlite(txn, &mut batches, &progress).await }.boxed()).await
    }

    async fn write_postgres(&self, mut batches: mpsc::Receiver<LedgerBatch>, progress: &Progress) -> Result<u64> {
        let pool = self.connection().get_postgres_connection_pool();
        let mut txn = pool.begin().await.map_err(postgres::sqlx_error)?;
        let loaded = async {
            if let Some(table) = postgres::first_non_empty(&mut txn).await? {
                return Err(not_empty(table));
            }
            let set_aside = postgres::set_aside(&mut txn).await?;
            let rows = Writer::Postgres(&mut txn).receive(&mut batches, progress).await?;
            postgres::put_back(&mut txn, &set_aside).await?;
            Ok(rows)
        }
        .await;
        match loaded {
            Ok(rows) => {
                txn.commit().await.map_err(postgres::sqlx_error)?;
                let mut conn = pool.acquire().await.map_err(postgres::sqlx_error)?;
                postgres::analyze(&mut conn).await?;
                Ok(rows)
            }
            Err(err) => {
                // Rolled back now: a transaction merely dropped is rolled back only when its
                // connection is next used, and until then it holds its locks (a refused import
                // would block a `DROP SCHEMA` or a migration behind it).
                txn.rollback().await.map_err(postgres::sqlx_error)?;
                Err(err)
            }
        }
    }
}
