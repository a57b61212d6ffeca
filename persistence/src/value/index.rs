//! The value index: what the value engine reads of every event, in memory, tailed from the
//! event log like the flow index ([`crate::log_tail`]). A rollup walks upstream in it and a
//! scope's contributions are one list in it, so neither loads events from the database: only
//! the few records around them (resources, processes, rates, equations, affiliations), which
//! change, are read at each request.
//!
//! What it keeps of an event is what the engine reads ([`SnapEvent`], before corrections are
//! folded in), with its scopes; payouts of distributions are counted and left out, as the
//! engine leaves them out (docs/revenue.md). The one thing the engine reads that may change
//! after an event is recorded, the agreement it realises (`updateEconomicEvent` sets or
//! clears `realizationOf` and `reciprocalRealizationOf`), is read from the database at each
//! request ([`Realized`]: the few events that realise agreements, by two indexes) and laid
//! over what the index holds. It answers what the committed books hold: a
//! transaction's own events are not in it until it commits (a distribution or a vote never
//! reads events it wrote itself).

use std::collections::HashMap;
use std::sync::Arc;

use ovn_domain::value::snapshot::{Entry, SnapEvent};
use ovn_domain::value::{FastMap, FastSet};
use ovn_domain::{Action, AgentId, AgreementId, EconomicEventId, EconomicResourceId, ProcessId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};

use super::snapshot::{EVENT_COLUMNS, Loaded, ValueRow};
use crate::entity::economic_event;
use crate::error::Result;
use crate::log_tail::{Ask, Log};
use crate::rows::opt;
use crate::store::Store;

/// An event as the index takes it.
pub(crate) struct Indexed {
    loaded: Loaded,
    /// Whether it pays a distribution's line.
    payout: bool,
}

/// Which events realise which agreements now (`realizationOf`, else
/// `reciprocalRealizationOf`: the engine reads them as one).
#[derive(Default)]
pub(crate) struct Realized {
    by_event: FastMap<EconomicEventId, AgreementId>,
    by_agreement: FastMap<AgreementId, Vec<EconomicEventId>>,
}

/// One event's agreements.
#[derive(Debug, FromQueryResult)]
struct RealizationRow {
    id: String,
    realization_of: Option<String>,
    reciprocal_realization_of: Option<String>,
}

/// The events that realise an agreement, as the books say now (read from the indexes of both
/// columns).
pub(crate) async fn realized_in<C: ConnectionTrait>(conn: &C) -> Result<Realized> {
    use economic_event::Column as C;
    let rows = economic_event::Entity::find()
        .select_only()
        .columns([C::Id, C::RealizationOf, C::ReciprocalRealizationOf])
        // `> ''` (every id is longer), not `IS NOT NULL`: SQLite scans the whole table for an
        // `OR` of `IS NOT NULL`, and reads the two indexes for this (a million events: 180 ms
        // against half a millisecond, measured on SQLite 3.40).
        .filter(sea_orm::Condition::any().add(C::RealizationOf.gt("")).add(C::ReciprocalRealizationOf.gt("")))
        .into_model::<RealizationRow>()
        .all(conn)
        .await?;
    let mut realized = Realized::default();
    for row in rows {
        let event = crate::rows::id(&row.id, EconomicEventId::parse)?;
        let sides = [
            opt(row.realization_of.as_deref(), AgreementId::parse)?,
            opt(row.reciprocal_realization_of.as_deref(), AgreementId::parse)?,
        ];
        if let Some(agreement) = sides[0].or(sides[1]) {
            realized.by_event.insert(event, agreement);
        }
        for agreement in sides.into_iter().flatten() {
            let list = realized.by_agreement.entry(agreement).or_default();
            if list.last() != Some(&event) {
                list.push(event);
            }
        }
    }
    Ok(realized)
}

/// Every event's value fields, and the lists a snapshot is gathered from (positions in
/// `events`, in the order the events arrived).
#[derive(Default)]
pub(crate) struct ValueLog {
    events: Vec<Loaded>,
    position: FastMap<EconomicEventId, u32>,
    /// Payouts seen (counted, not kept).
    payouts: usize,
    /// The events that bring quantity into each resource: into it (`toResourceInventoriedAs`),
    /// or on it as a process's output or a raise (as [`ovn_domain::value::snapshot::source_of`]
    /// reads them).
    sources: FastMap<EconomicResourceId, Vec<u32>>,
    /// Each process's inputs and outputs.
    processes: FastMap<ProcessId, Vec<u32>>,
    scopes: FastMap<AgentId, Vec<u32>>,
    /// The corrections of each event.
    corrections: FastMap<EconomicEventId, Vec<u32>>,
}

fn push<K: std::hash::Hash + Eq>(map: &mut FastMap<K, Vec<u32>>, key: K, at: u32) {
    let list = map.entry(key).or_default();
    // An event is listed once per key (a move within one resource names it twice).
    if list.last() != Some(&at) {
        list.push(at);
    }
}

impl Log for ValueLog {
    type Row = Indexed;
    const NAME: &'static str = "value index";

    fn append(&mut self, row: Indexed) {
        if row.payout {
            self.payouts += 1;
            return;
        }
        let Ok(at) = u32::try_from(self.events.len()) else {
            // Four billion events: past what one process holds in memory anyway.
            tracing::error!("the value index is full");
            return;
        };
        let e = &row.loaded.event;
        if let Some(to) = e.to_resource_inventoried_as {
            push(&mut self.sources, to, at);
        }
        if let Some(on) = e.resource_inventoried_as
            && (e.output_of.is_some() || e.action == Action::Raise)
        {
            push(&mut self.sources, on, at);
        }
        for p in [e.input_of, e.output_of].into_iter().flatten() {
            push(&mut self.processes, p, at);
        }
        for s in &e.in_scope_of {
            push(&mut self.scopes, *s, at);
        }
        if let Some(original) = row.loaded.corrects {
            push(&mut self.corrections, original, at);
        }
        self.position.insert(e.id, at);
        self.events.push(row.loaded);
    }

    fn len(&self) -> usize {
        self.events.len() + self.payouts
    }

    async fn fetch(store: &Store, ask: Ask<'_>) -> Result<Vec<(i64, Indexed)>> {
        let backend = store.backend();
        let seq = Ask::seq(backend);
        let mut select = economic_event::Entity::find()
            .select_only()
            .column_as(Expr::cust(seq), "seq")
            .columns(EVENT_COLUMNS)
            .column_as(
                Expr::cust("EXISTS (SELECT 1 FROM distribution_line l WHERE l.payout = economic_event.id)"),
                "payout",
            )
            .filter(ask.condition(seq))
            .order_by_asc(Expr::cust(seq));
        if let Some(limit) = ask.limit() {
            select = select.limit(limit);
        }
        let rows = select.into_model::<ValueRow>().all(store.connection()).await?;
        let (Some(first), Some(last)) = (rows.first().and_then(|r| r.seq), rows.last().and_then(|r| r.seq)) else {
            return Ok(Vec::new());
        };
        let mut scopes = scopes_between(store.connection(), backend, first, last, &ask).await?;
        rows.into_iter()
            .map(|mut value| {
                let seq = value.seq.unwrap_or_default();
                let payout = value.payout.unwrap_or_default();
                value.in_scope_of = scopes.remove(&value.id).map(|s| s.join(" "));
                let loaded = value.into_loaded()?;
                Ok((seq, Indexed { loaded, payout }))
            })
            .collect()
    }
}

/// The scopes of the events numbered `first..=last` that `ask` asked for, by event id: one
/// statement over the scope table (a correlated aggregate per event costs more than the rest
/// of a million-event build).
async fn scopes_between<C: ConnectionTrait>(
    conn: &C,
    backend: DbBackend,
    first: i64,
    last: i64,
    ask: &Ask<'_>,
) -> Result<HashMap<String, Vec<String>>> {
    let seq = format!("e.{}", Ask::seq(backend));
    // Numbers only, written into the statement.
    let within = match ask {
        Ask::Past(_) => format!("{seq} BETWEEN {first} AND {last}"),
        Ask::Holes(ranges) => {
            ranges.iter().map(|(a, b)| format!("{seq} BETWEEN {a} AND {b}")).collect::<Vec<_>>().join(" OR ")
        }
    };
    let sql = format!(
        "SELECT s.event_id AS event_id, s.scope_id AS scope_id FROM economic_event e \
         JOIN economic_event_scope s ON s.event_id = e.id WHERE {within}"
    );
    let mut scopes: HashMap<String, Vec<String>> = HashMap::new();
    for row in ScopeRow::find_by_statement(Statement::from_string(backend, sql)).all(conn).await? {
        scopes.entry(row.event_id).or_default().push(row.scope_id);
    }
    Ok(scopes)
}

/// One row of the scope table.
#[derive(Debug, FromQueryResult)]
struct ScopeRow {
    event_id: String,
    scope_id: String,
}

impl ValueLog {
    fn at(&self, positions: Option<&Vec<u32>>) -> impl Iterator<Item = &Loaded> {
        positions.into_iter().flatten().map(|&at| &self.events[at as usize])
    }

    /// The event with its corrections folded in (their signed deltas added to its
    /// quantities) and the agreement it realises now; `None` for a correction, which is
    /// folded into the event it corrects. The index's own event is shared, not copied,
    /// unless one of these changes it.
    fn folded(&self, loaded: &Loaded, realized: &Realized) -> Option<Entry> {
        if loaded.corrects.is_some() {
            return None;
        }
        let mut entry = Entry::new(Arc::clone(&loaded.event), false);
        // Both are rare: a million contributions may have none.
        if let Some(&agreement) = realized.by_event.get(&entry.id) {
            entry.realization_of = Some(agreement);
        }
        if !self.corrections.is_empty() {
            for c in self.at(self.corrections.get(&entry.id)) {
                fold(&mut entry, &c.event);
            }
        }
        Some(entry)
    }

    /// The events that bring quantity into `resource` (corrections folded in).
    pub(crate) fn sources_of(&self, resource: EconomicResourceId, realized: &Realized) -> Vec<Entry> {
        self.at(self.sources.get(&resource)).filter_map(|l| self.folded(l, realized)).collect()
    }

    /// Everything upstream of `resource`: its sources, the processes that made them with all
    /// their inputs and outputs, the agreements of purchases with their payments and
    /// expenses, the resources these came out of, and so on up; each event once.
    pub(crate) fn upstream(&self, resource: EconomicResourceId, realized: &Realized) -> Vec<Entry> {
        let mut taken = vec![false; self.events.len()];
        let mut seen_resources: FastSet<EconomicResourceId> = FastSet::from_iter([resource]);
        let mut seen_processes: FastSet<ProcessId> = FastSet::default();
        let mut seen_agreements: FastSet<AgreementId> = FastSet::default();
        let (mut resources, mut processes, mut agreements) = (vec![resource], Vec::new(), Vec::new());
        let mut out = Vec::new();
        let mut next: Vec<u32> = Vec::new();
        loop {
            next.clear();
            if let Some(r) = resources.pop() {
                next.extend(self.sources.get(&r).into_iter().flatten());
            } else if let Some(p) = processes.pop() {
                next.extend(self.processes.get(&p).into_iter().flatten());
            } else if let Some(a) = agreements.pop() {
                let events = realized.by_agreement.get(&a).into_iter().flatten();
                next.extend(events.filter_map(|e| self.position.get(e)));
            } else {
                break;
            }
            for &at in &next {
                if std::mem::replace(&mut taken[at as usize], true) {
                    continue;
                }
                let Some(e) = self.folded(&self.events[at as usize], realized) else { continue };
                // The producing process, the agreement of a purchase, the resource a transfer
                // or a payment came out of, what a process's inputs consume, use or cite.
                processes.extend(e.output_of.filter(|p| seen_processes.insert(*p)));
                agreements.extend(e.realization_of.filter(|a| seen_agreements.insert(*a)));
                resources.extend(e.resource_inventoried_as.filter(|r| seen_resources.insert(*r)));
                out.push(e);
            }
        }
        out
    }

    /// The events in `scope` (corrections folded in), with the sources of the resources they
    /// consume (which say whether a consumed resource has a recorded origin).
    pub(crate) fn scope(&self, scope: AgentId, realized: &Realized) -> Vec<Entry> {
        let mine = self.scopes.get(&scope);
        let mut out: Vec<Entry> = Vec::with_capacity(mine.map_or(0, Vec::len));
        out.extend(self.at(mine).filter_map(|l| self.folded(l, realized)));
        let mut consumed: Vec<EconomicResourceId> =
            out.iter().filter(|e| e.action == Action::Consume).filter_map(|e| e.resource_inventoried_as).collect();
        if consumed.is_empty() {
            return out;
        }
        consumed.sort_unstable();
        consumed.dedup();
        let mut taken = vec![false; self.events.len()];
        for &at in mine.into_iter().flatten() {
            taken[at as usize] = true;
        }
        for r in consumed {
            for &at in self.sources.get(&r).into_iter().flatten() {
                if !std::mem::replace(&mut taken[at as usize], true) {
                    out.extend(self.folded(&self.events[at as usize], realized));
                }
            }
        }
        out
    }
}

/// Adds a correction's signed deltas to the event it corrects.
fn fold(original: &mut SnapEvent, correction: &SnapEvent) {
    let add = |a: &mut Option<rust_decimal::Decimal>, b: Option<rust_decimal::Decimal>| {
        if let (Some(a), Some(b)) = (a.as_mut(), b) {
            *a += b;
        }
    };
    add(&mut original.resource_quantity, correction.resource_quantity);
    add(&mut original.effort_quantity, correction.effort_quantity);
}

/// The value index over `store`'s events.
pub(crate) type ValueIndex = crate::log_tail::LogIndex<ValueLog>;

impl Store {
    /// Catches the value index up with the log (builds it first if it is not yet). Every
    /// entry point that values calls it before it begins, before any transaction: the loaders
    /// inside only read the index ([`Self::read_values`]), so that concurrent distributions
    /// never wait for one more connection of the pool.
    pub(crate) async fn catch_up_values(&self) -> Result<()> {
        self.value_index.bring_up(self).await
    }

    /// Runs `read` on the value index as the last [`Self::catch_up_values`] left it.
    pub(crate) fn read_values<T>(&self, read: impl FnOnce(&ValueLog) -> T) -> Result<T> {
        self.value_index.read_held(read)
    }

    /// Starts building the value index in the background (the server does at start, so that
    /// the first rollup does not wait for it).
    pub fn spawn_value_index(&self) {
        self.value_index.spawn_build(self.clone());
    }

    /// Builds the value index now, if it is not built; returns how long it took.
    pub async fn build_value_index(&self) -> Result<std::time::Duration> {
        self.value_index.build(self).await
    }

    /// Events the value index holds (0 until built).
    pub fn value_index_len(&self) -> usize {
        self.value_index.len()
    }
}
