//! The in-memory index of the whole flow graph ([`FlowIndex`]): built once from the event log
//! in the background, then kept exact by tailing the log before each walk.
//!
//! Why it can be exact and cheap: the books are append-only (database triggers refuse to
//! rewrite an event's flow fields or delete it), so the graph only ever grows, and every event
//! carries a monotone sequence (`seq` on PostgreSQL, `rowid` on SQLite; see the migration
//! `m20261202_000001_add_event_seq`). Before a walk, the index asks for the events past its
//! high-water mark (one indexed query) and appends them ([`FlowGraph::append`] keeps recording
//! order whatever order they arrive in). Several servers over one database each tail the log
//! and each stay exact.
//!
//! Holes. On PostgreSQL a sequence value is taken at insert and becomes visible at commit, so
//! a transaction holding 101 may commit after one holding 102: the index then sees 102 and not
//! 101. Every number below the high-water mark that has not been seen is kept as a hole and
//! asked for again on every catch-up, until a catch-up that began [`HOLE_HORIZON`] after the
//! hole was first seen has asked for it. The assumption, stated here and in `docs/decisions.md`
//! (D40): **no write transaction lives longer than [`HOLE_HORIZON`]** (the API's time budget is
//! seconds; a bulk import of a million events commits in tens of seconds). Numbers of
//! rolled-back transactions and of sequence jumps after a crash never appear and expire.
//! SQLite commits writes one at a time, in rowid order, so it never has holes.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use ovn_domain::flow::{FlowEvent, FlowGraph};
use ovn_domain::{Action, EconomicEventId, EconomicResourceId, ProcessId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{Condition, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::Mutex;

use crate::decimal::DbDecimal;
use crate::entity::economic_event;
use crate::error::{PersistenceError, Result};
use crate::rows::{id, measure, opt};
use crate::store::Store;

/// How long a hole in the sequence is asked for before it is taken for a rolled-back
/// transaction: longer than any write transaction lives.
pub const HOLE_HORIZON: Duration = Duration::from_secs(60 * 60);

/// Rows read per query while building (bounds the memory of one page).
const PAGE_ROWS: u64 = 100_000;

/// Hole ranges asked for per query (bounds the statement).
const HOLES_PER_QUERY: usize = 200;

/// The shared, cheaply cloned handle of a server's flow index.
#[derive(Clone)]
pub struct FlowIndex {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    /// `None` until the background build is done; walks use the slice loader meanwhile.
    tail: RwLock<Option<Tail>>,
    /// One catch-up at a time; holds when the last one began, so that a walk that waited for
    /// a catch-up begun after it arrived does not run another.
    catching_up: Mutex<Option<Instant>>,
}

/// The index and where it stands in the log.
struct Tail {
    graph: FlowGraph,
    /// The highest sequence number seen.
    watermark: i64,
    /// Unseen numbers below the watermark: first number → (last number, when first seen
    /// missing).
    holes: BTreeMap<i64, (i64, Instant)>,
}

/// The event fields a walk needs, as the catch-up query reads them: no full row.
#[derive(Debug, FromQueryResult)]
struct SlimRow {
    seq: i64,
    id: String,
    action: String,
    resource_inventoried_as: Option<String>,
    to_resource_inventoried_as: Option<String>,
    input_of: Option<String>,
    output_of: Option<String>,
    resource_quantity: Option<DbDecimal>,
    resource_quantity_unit: Option<String>,
    effort_quantity: Option<DbDecimal>,
    effort_quantity_unit: Option<String>,
    has_point_in_time: Option<DateTime<Utc>>,
    has_end: Option<DateTime<Utc>>,
    has_beginning: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    corrects: Option<String>,
}

impl SlimRow {
    fn flow_event(self) -> Result<FlowEvent> {
        Ok(FlowEvent {
            id: id(&self.id, EconomicEventId::parse)?,
            action: id(&self.action, Action::parse)?,
            resource_inventoried_as: opt(self.resource_inventoried_as.as_deref(), EconomicResourceId::parse)?,
            to_resource_inventoried_as: opt(self.to_resource_inventoried_as.as_deref(), EconomicResourceId::parse)?,
            input_of: opt(self.input_of.as_deref(), ProcessId::parse)?,
            output_of: opt(self.output_of.as_deref(), ProcessId::parse)?,
            resource_quantity: measure(self.resource_quantity, self.resource_quantity_unit.as_deref())?,
            effort_quantity: measure(self.effort_quantity, self.effort_quantity_unit.as_deref())?,
            // As `flow_event_from` reads a full row.
            has_point_in_time: self
                .has_point_in_time
                .or(self.has_end)
                .or(self.has_beginning)
                .unwrap_or(self.created_at),
            created: self.created_at,
            corrects: opt(self.corrects.as_deref(), EconomicEventId::parse)?,
        })
    }
}

/// What one catch-up found.
struct Gathered {
    /// When it began asking for the holes.
    asked: Instant,
    /// Events of the holes.
    filled: Vec<(i64, FlowEvent)>,
    /// Events past the watermark, ascending.
    past: Vec<(i64, FlowEvent)>,
}

/// What a catch-up asks for.
enum Ask<'a> {
    /// Events past the watermark, in sequence order, at most [`PAGE_ROWS`].
    Past(i64),
    /// Events in these hole ranges (inclusive).
    Holes(&'a [(i64, i64)]),
}

impl Tail {
    fn empty() -> Self {
        Self { graph: FlowGraph::default(), watermark: 0, holes: BTreeMap::new() }
    }

    /// The watermark and the hole ranges a catch-up asks for.
    fn plan(&self) -> (i64, Vec<(i64, i64)>) {
        (self.watermark, self.holes.iter().map(|(&start, &(end, _))| (start, end)).collect())
    }

    /// Takes what a catch-up found.
    fn apply(&mut self, gathered: Gathered) {
        for (seq, event) in gathered.filled {
            self.fill(seq, event);
        }
        self.expire(gathered.asked);
        self.absorb_past(gathered.past, Instant::now());
    }

    /// Takes events past the watermark (ascending): numbers skipped become holes.
    fn absorb_past(&mut self, rows: Vec<(i64, FlowEvent)>, now: Instant) {
        for (seq, event) in rows {
            if seq > self.watermark + 1 {
                self.holes.insert(self.watermark + 1, (seq - 1, now));
            }
            self.watermark = std::cmp::max(self.watermark, seq);
            self.graph.append(event);
        }
    }

    /// Takes an event that filled a hole.
    fn fill(&mut self, seq: i64, event: FlowEvent) {
        if let Some((&start, &(end, since))) = self.holes.range(..=seq).next_back()
            && end >= seq
        {
            self.holes.remove(&start);
            if start < seq {
                self.holes.insert(start, (seq - 1, since));
            }
            if seq < end {
                self.holes.insert(seq + 1, (end, since));
            }
        }
        self.graph.append(event);
    }

    /// Forgets the holes that a catch-up begun at `asked` asked for past their horizon.
    fn expire(&mut self, asked: Instant) {
        self.holes.retain(|_, (_, since)| asked.saturating_duration_since(*since) < HOLE_HORIZON);
    }
}

impl FlowIndex {
    /// An index over `store`'s events, not built yet.
    pub fn new(store: Store) -> Self {
        Self { inner: Arc::new(Inner { store, tail: RwLock::new(None), catching_up: Mutex::new(None) }) }
    }

    /// The store the index reads.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Starts building the index in the background on the current tokio runtime (without
    /// one, the index stays unbuilt and walks use the slice loader).
    pub fn spawn_build(&self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let index = self.clone();
        runtime.spawn(async move {
            match index.build().await {
                Ok(took) => tracing::info!(
                    events = index.len(),
                    took_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
                    "flow index built"
                ),
                Err(err) => tracing::error!(%err, "building the flow index failed; walks load slices instead"),
            }
        });
    }

    /// Builds the index from the whole event log (the slim columns only, a page at a time),
    /// then publishes it. Returns how long it took.
    pub async fn build(&self) -> Result<Duration> {
        let started = Instant::now();
        let mut tail = Tail::empty();
        loop {
            let rows = self.fetch(Ask::Past(tail.watermark)).await?;
            let full = rows.len() as u64 >= PAGE_ROWS;
            tail.absorb_past(rows, Instant::now());
            if !full {
                break;
            }
        }
        // The last catch-up and the publication under the catch-up lock, so that no walk
        // catches up a half-published index.
        let mut last = self.inner.catching_up.lock().await;
        *last = Some(Instant::now());
        self.catch_up_into(&mut tail).await?;
        *self.write_tail()? = Some(tail);
        Ok(started.elapsed())
    }

    /// Whether the index is built (walks use it from then on).
    pub fn is_ready(&self) -> bool {
        self.inner.tail.read().is_ok_and(|t| t.is_some())
    }

    /// Events indexed (0 until built).
    pub fn len(&self) -> usize {
        self.inner.tail.read().map_or(0, |t| t.as_ref().map_or(0, |t| t.graph.len()))
    }

    /// Whether no event is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Catches the index up with the log, then runs `walk` on the whole graph; `None` while
    /// the index is not built.
    pub async fn read<T>(&self, walk: impl FnOnce(&FlowGraph) -> T) -> Result<Option<T>> {
        if !self.is_ready() {
            return Ok(None);
        }
        self.catch_up().await?;
        let tail = self.inner.tail.read().map_err(|_| poisoned())?;
        Ok(tail.as_ref().map(|t| walk(&t.graph)))
    }

    /// Appends the events recorded since the last catch-up, and those of the holes that
    /// have committed meanwhile.
    pub async fn catch_up(&self) -> Result<()> {
        let arrived = Instant::now();
        let mut last = self.inner.catching_up.lock().await;
        // Someone caught up after this walk arrived: everything it may see is in.
        if last.is_some_and(|began| began >= arrived) {
            return Ok(());
        }
        *last = Some(Instant::now());
        // The queries run without the tail's lock (walks go on meanwhile); `catching_up`
        // keeps the watermark and the holes from moving until the result is applied.
        let plan = {
            let tail = self.inner.tail.read().map_err(|_| poisoned())?;
            let Some(tail) = tail.as_ref() else { return Ok(()) };
            tail.plan()
        };
        let gathered = self.gather(plan).await?;
        if let Some(tail) = self.write_tail()?.as_mut() {
            tail.apply(gathered);
        }
        Ok(())
    }

    async fn catch_up_into(&self, tail: &mut Tail) -> Result<()> {
        let gathered = self.gather(tail.plan()).await?;
        tail.apply(gathered);
        Ok(())
    }

    /// Asks for the holes, then for everything past the watermark.
    async fn gather(&self, (watermark, holes): (i64, Vec<(i64, i64)>)) -> Result<Gathered> {
        let asked = Instant::now();
        let mut filled = Vec::new();
        for chunk in holes.chunks(HOLES_PER_QUERY) {
            filled.extend(self.fetch(Ask::Holes(chunk)).await?);
        }
        let mut past = Vec::new();
        let mut watermark = watermark;
        loop {
            let rows = self.fetch(Ask::Past(watermark)).await?;
            let full = rows.len() as u64 >= PAGE_ROWS;
            watermark = rows.last().map_or(watermark, |(seq, _)| *seq);
            past.extend(rows);
            if !full {
                return Ok(Gathered { asked, filled, past });
            }
        }
    }

    /// One query of the log, slim columns only.
    async fn fetch(&self, ask: Ask<'_>) -> Result<Vec<(i64, FlowEvent)>> {
        use economic_event::Column as C;
        let seq = match self.inner.store.backend() {
            DbBackend::Postgres => "seq",
            _ => "rowid",
        };
        let condition = match ask {
            Ask::Past(watermark) => Condition::all().add(Expr::cust(seq).gt(watermark)),
            Ask::Holes(ranges) => {
                ranges.iter().fold(Condition::any(), |any, &(start, end)| any.add(Expr::cust(seq).between(start, end)))
            }
        };
        let mut select = economic_event::Entity::find()
            .select_only()
            .column_as(Expr::cust(seq), "seq")
            .columns([
                C::Id,
                C::Action,
                C::ResourceInventoriedAs,
                C::ToResourceInventoriedAs,
                C::InputOf,
                C::OutputOf,
                C::ResourceQuantity,
                C::ResourceQuantityUnit,
                C::EffortQuantity,
                C::EffortQuantityUnit,
                C::HasPointInTime,
                C::HasEnd,
                C::HasBeginning,
                C::CreatedAt,
                C::Corrects,
            ])
            .filter(condition)
            .order_by_asc(Expr::cust(seq));
        if matches!(ask, Ask::Past(_)) {
            select = select.limit(PAGE_ROWS);
        }
        let rows = select.into_model::<SlimRow>().all(self.inner.store.connection()).await?;
        rows.into_iter().map(|row| Ok((row.seq, row.flow_event()?))).collect()
    }

    fn write_tail(&self) -> Result<std::sync::RwLockWriteGuard<'_, Option<Tail>>> {
        self.inner.tail.write().map_err(|_| poisoned())
    }
}

/// A walk panicked while holding the index: a bug, reported as internal.
fn poisoned() -> PersistenceError {
    PersistenceError::Corrupt("the flow index lock is poisoned (a walk panicked)".to_owned())
}

#[cfg(test)]
mod tests {
    //! The hole bookkeeping, without a database: numbers worked out by hand.

    use super::*;

    fn event() -> FlowEvent {
        let at = Utc::now();
        FlowEvent {
            id: EconomicEventId::new(),
            action: Action::Raise,
            resource_inventoried_as: Some(EconomicResourceId::new()),
            to_resource_inventoried_as: None,
            input_of: None,
            output_of: None,
            resource_quantity: None,
            effort_quantity: None,
            has_point_in_time: at,
            created: at,
            corrects: None,
        }
    }

    fn holes(tail: &Tail) -> Vec<(i64, i64)> {
        tail.plan().1
    }

    #[test]
    fn skipped_numbers_become_holes_and_are_filled_one_by_one() {
        let mut tail = Tail::empty();
        let now = Instant::now();
        // 1 and 2 seen, then 5 and 9: 3..=4 and 6..=8 are missing.
        tail.absorb_past(vec![(1, event()), (2, event()), (5, event()), (9, event())], now);
        assert_eq!(tail.watermark, 9);
        assert_eq!(holes(&tail), vec![(3, 4), (6, 8)]);
        // 7 commits: 6..=8 splits around it; 3 commits: 4 is left.
        tail.fill(7, event());
        tail.fill(3, event());
        assert_eq!(holes(&tail), vec![(4, 4), (6, 6), (8, 8)]);
        tail.fill(4, event());
        tail.fill(6, event());
        tail.fill(8, event());
        assert!(holes(&tail).is_empty());
        assert_eq!(tail.graph.len(), 9);
    }

    #[test]
    fn a_hole_is_forgotten_only_by_a_catch_up_begun_past_its_horizon() {
        let mut tail = Tail::empty();
        let seen = Instant::now();
        tail.absorb_past(vec![(1, event()), (4, event())], seen);
        assert_eq!(holes(&tail), vec![(2, 3)]);
        // A catch-up begun just before the horizon keeps it; one begun at it forgets it.
        if let Some(before) = seen.checked_add(HOLE_HORIZON - Duration::from_secs(1)) {
            tail.expire(before);
            assert_eq!(holes(&tail), vec![(2, 3)]);
        }
        if let Some(at) = seen.checked_add(HOLE_HORIZON) {
            tail.expire(at);
            assert!(holes(&tail).is_empty());
        }
    }
}
