//! In-memory indexes of the event log ([`LogIndex`]), built once from the log, then kept exact
//! by tailing it before each read. The flow index ([`crate::flow::FlowIndex`]) and the value
//! index ([`crate::value::index`]) are two of them: they differ in what they keep of an event,
//! not in how they follow the log, which is written here once.
//!
//! Why an index can be exact and cheap: the books are append-only (database triggers refuse
//! to rewrite an event's flow fields or delete it), so an index only ever grows, and every
//! event carries a monotone sequence (`seq` on PostgreSQL, `rowid` on SQLite; see the
//! migration `m20261202_000001_add_event_seq`). Before a read, the index asks for the events
//! past its high-water mark (one indexed query) and appends them. Several servers over one
//! database each tail the log and each stay exact.
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
//!
//! What an index sees is what was committed when its catch-up ran: a transaction's own
//! uncommitted events are not in it.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{Condition, DbBackend};
use tokio::sync::Mutex;

use crate::error::{PersistenceError, Result};
use crate::store::Store;

/// How long a hole in the sequence is asked for before it is taken for a rolled-back
/// transaction: longer than any write transaction lives.
pub const HOLE_HORIZON: Duration = Duration::from_secs(60 * 60);

/// Rows read per query while building (bounds the memory of one page).
pub(crate) const PAGE_ROWS: u64 = 100_000;

/// Hole ranges asked for per query (bounds the statement).
const HOLES_PER_QUERY: usize = 200;

/// What an index keeps of the log, and how it reads it.
pub(crate) trait Log: Default + Send + Sync + 'static {
    /// What it keeps of one event.
    type Row: Send + 'static;
    /// Its name, in the server's log.
    const NAME: &'static str;
    /// Takes one event (in any order: holes fill in late).
    fn append(&mut self, row: Self::Row);
    /// Events taken.
    fn len(&self) -> usize;
    /// One query of the log, in sequence order.
    fn fetch(store: &Store, ask: Ask<'_>) -> impl Future<Output = Result<Vec<(i64, Self::Row)>>> + Send;
}

/// What a catch-up asks for.
pub(crate) enum Ask<'a> {
    /// Events past the watermark, in sequence order, at most [`PAGE_ROWS`].
    Past(i64),
    /// Events in these hole ranges (inclusive).
    Holes(&'a [(i64, i64)]),
}

impl Ask<'_> {
    /// The sequence column of `backend`.
    pub(crate) fn seq(backend: DbBackend) -> &'static str {
        match backend {
            DbBackend::Postgres => "seq",
            _ => "rowid",
        }
    }

    /// The events asked for, on the sequence column `seq` (qualified as the query needs).
    pub(crate) fn condition(&self, seq: &'static str) -> Condition {
        match self {
            Ask::Past(watermark) => Condition::all().add(Expr::cust(seq).gt(*watermark)),
            Ask::Holes(ranges) => {
                ranges.iter().fold(Condition::any(), |any, &(start, end)| any.add(Expr::cust(seq).between(start, end)))
            }
        }
    }

    /// The most rows one query returns.
    pub(crate) fn limit(&self) -> Option<u64> {
        matches!(self, Ask::Past(_)).then_some(PAGE_ROWS)
    }
}

/// The index and where it stands in the log.
struct Tail<L> {
    log: L,
    /// The highest sequence number seen.
    watermark: i64,
    /// Unseen numbers below the watermark: first number → (last number, when first seen
    /// missing).
    holes: BTreeMap<i64, (i64, Instant)>,
}

/// What one catch-up found.
struct Gathered<R> {
    /// When it began asking for the holes.
    asked: Instant,
    /// Events of the holes.
    filled: Vec<(i64, R)>,
    /// Events past the watermark, ascending.
    past: Vec<(i64, R)>,
}

impl<L: Log> Tail<L> {
    fn empty() -> Self {
        Self { log: L::default(), watermark: 0, holes: BTreeMap::new() }
    }

    /// The watermark and the hole ranges a catch-up asks for.
    fn plan(&self) -> (i64, Vec<(i64, i64)>) {
        (self.watermark, self.holes.iter().map(|(&start, &(end, _))| (start, end)).collect())
    }

    /// Takes what a catch-up found.
    fn apply(&mut self, gathered: Gathered<L::Row>) {
        for (seq, row) in gathered.filled {
            self.fill(seq, row);
        }
        self.expire(gathered.asked);
        self.absorb_past(gathered.past, Instant::now());
    }

    /// Takes events past the watermark (ascending): numbers skipped become holes.
    fn absorb_past(&mut self, rows: Vec<(i64, L::Row)>, now: Instant) {
        for (seq, row) in rows {
            if seq > self.watermark + 1 {
                self.holes.insert(self.watermark + 1, (seq - 1, now));
            }
            self.watermark = std::cmp::max(self.watermark, seq);
            self.log.append(row);
        }
    }

    /// Takes an event that filled a hole.
    fn fill(&mut self, seq: i64, row: L::Row) {
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
        self.log.append(row);
    }

    /// Forgets the holes that a catch-up begun at `asked` asked for past their horizon.
    fn expire(&mut self, asked: Instant) {
        self.holes.retain(|_, (_, since)| asked.saturating_duration_since(*since) < HOLE_HORIZON);
    }
}

/// The shared, cheaply cloned handle of an index of the log.
pub(crate) struct LogIndex<L> {
    inner: Arc<Inner<L>>,
}

impl<L> Clone for LogIndex<L> {
    fn clone(&self) -> Self {
        Self { inner: Arc::clone(&self.inner) }
    }
}

struct Inner<L> {
    /// `None` until built.
    tail: RwLock<Option<Tail<L>>>,
    /// One catch-up at a time; holds when the last one began, so that a read that waited for
    /// a catch-up begun after it arrived does not run another.
    catching_up: Mutex<Option<Instant>>,
    /// One build at a time.
    building: Mutex<()>,
}

impl<L: Log> Default for LogIndex<L> {
    fn default() -> Self {
        Self {
            inner: Arc::new(Inner { tail: RwLock::new(None), catching_up: Mutex::new(None), building: Mutex::new(()) }),
        }
    }
}

impl<L: Log> LogIndex<L> {
    /// Starts building the index in the background on the current tokio runtime (without
    /// one, it is built by the first read that needs it).
    pub(crate) fn spawn_build(&self, store: Store) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let index = self.clone();
        runtime.spawn(async move {
            match index.build(&store).await {
                Ok(took) => tracing::info!(
                    index = L::NAME,
                    events = index.len(),
                    took_ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
                    "index built"
                ),
                Err(err) => tracing::error!(index = L::NAME, %err, "building the index failed"),
            }
        });
    }

    /// Builds the index from the whole log (a page at a time), then publishes it, unless it
    /// is built already. Returns how long it took.
    pub(crate) async fn build(&self, store: &Store) -> Result<Duration> {
        let started = Instant::now();
        let _one = self.inner.building.lock().await;
        if self.is_ready() {
            return Ok(started.elapsed());
        }
        let mut tail = Tail::<L>::empty();
        loop {
            let rows = L::fetch(store, Ask::Past(tail.watermark)).await?;
            let full = rows.len() as u64 >= PAGE_ROWS;
            tail.absorb_past(rows, Instant::now());
            if !full {
                break;
            }
        }
        // The last catch-up and the publication under the catch-up lock, so that no read
        // catches up a half-published index.
        let mut last = self.inner.catching_up.lock().await;
        *last = Some(Instant::now());
        let gathered = gather::<L>(store, tail.plan()).await?;
        tail.apply(gathered);
        *self.write_tail()? = Some(tail);
        Ok(started.elapsed())
    }

    /// Whether the index is built.
    pub(crate) fn is_ready(&self) -> bool {
        self.inner.tail.read().is_ok_and(|t| t.is_some())
    }

    /// Events indexed (0 until built).
    pub(crate) fn len(&self) -> usize {
        self.inner.tail.read().map_or(0, |t| t.as_ref().map_or(0, |t| t.log.len()))
    }

    /// Catches the index up with the log, then runs `read` on it; `None` while it is not
    /// built.
    pub(crate) async fn read<T>(&self, store: &Store, read: impl FnOnce(&L) -> T) -> Result<Option<T>> {
        if !self.is_ready() {
            return Ok(None);
        }
        self.catch_up(store).await?;
        let tail = self.inner.tail.read().map_err(|_| poisoned(L::NAME))?;
        Ok(tail.as_ref().map(|t| read(&t.log)))
    }

    /// Builds the index when it is not built yet, else catches it up.
    pub(crate) async fn bring_up(&self, store: &Store) -> Result<()> {
        if self.is_ready() { self.catch_up(store).await } else { self.build(store).await.map(|_| ()) }
    }

    /// Runs `read` on the index as it stands, without asking the log: for a reader inside a
    /// transaction, which must not wait for another connection of the pool (the caller
    /// brought the index up before it began, [`Self::bring_up`]).
    pub(crate) fn read_held<T>(&self, read: impl FnOnce(&L) -> T) -> Result<T> {
        let tail = self.inner.tail.read().map_err(|_| poisoned(L::NAME))?;
        tail.as_ref()
            .map(|t| read(&t.log))
            .ok_or_else(|| PersistenceError::Corrupt(format!("the {} is not built", L::NAME)))
    }

    /// Appends the events recorded since the last catch-up, and those of the holes that
    /// have committed meanwhile.
    pub(crate) async fn catch_up(&self, store: &Store) -> Result<()> {
        let arrived = Instant::now();
        let mut last = self.inner.catching_up.lock().await;
        // Someone caught up after this read arrived: everything it may see is in.
        if last.is_some_and(|began| began >= arrived) {
            return Ok(());
        }
        *last = Some(Instant::now());
        // The queries run without the tail's lock (reads go on meanwhile); `catching_up`
        // keeps the watermark and the holes from moving until the result is applied.
        let plan = {
            let tail = self.inner.tail.read().map_err(|_| poisoned(L::NAME))?;
            let Some(tail) = tail.as_ref() else { return Ok(()) };
            tail.plan()
        };
        let gathered = gather::<L>(store, plan).await?;
        if let Some(tail) = self.write_tail()?.as_mut() {
            tail.apply(gathered);
        }
        Ok(())
    }

    fn write_tail(&self) -> Result<std::sync::RwLockWriteGuard<'_, Option<Tail<L>>>> {
        self.inner.tail.write().map_err(|_| poisoned(L::NAME))
    }
}

/// Asks for the holes, then for everything past the watermark.
async fn gather<L: Log>(store: &Store, (watermark, holes): (i64, Vec<(i64, i64)>)) -> Result<Gathered<L::Row>> {
    let asked = Instant::now();
    let mut filled = Vec::new();
    for chunk in holes.chunks(HOLES_PER_QUERY) {
        filled.extend(L::fetch(store, Ask::Holes(chunk)).await?);
    }
    let mut past = Vec::new();
    let mut watermark = watermark;
    loop {
        let rows = L::fetch(store, Ask::Past(watermark)).await?;
        let full = rows.len() as u64 >= PAGE_ROWS;
        watermark = rows.last().map_or(watermark, |(seq, _)| *seq);
        past.extend(rows);
        if !full {
            return Ok(Gathered { asked, filled, past });
        }
    }
}

/// A read panicked while holding the index: a bug, reported as internal.
fn poisoned(name: &str) -> PersistenceError {
    PersistenceError::Corrupt(format!("the {name} lock is poisoned (a read panicked)"))
}

#[cfg(test)]
mod tests {
    //! The hole bookkeeping, without a database: numbers worked out by hand.

    use super::*;

    /// A log that keeps the numbers of the rows it took.
    #[derive(Default)]
    struct Numbers(Vec<i64>);

    impl Log for Numbers {
        type Row = i64;
        const NAME: &'static str = "test index";
        fn append(&mut self, row: i64) {
            self.0.push(row);
        }
        fn len(&self) -> usize {
            self.0.len()
        }
        async fn fetch(_: &Store, _: Ask<'_>) -> Result<Vec<(i64, i64)>> {
            Ok(Vec::new())
        }
    }

    fn rows(seqs: &[i64]) -> Vec<(i64, i64)> {
        seqs.iter().map(|&s| (s, s)).collect()
    }

    fn holes(tail: &Tail<Numbers>) -> Vec<(i64, i64)> {
        tail.plan().1
    }

    #[test]
    fn skipped_numbers_become_holes_and_are_filled_one_by_one() {
        let mut tail = Tail::<Numbers>::empty();
        let now = Instant::now();
        // 1 and 2 seen, then 5 and 9: 3..=4 and 6..=8 are missing.
        tail.absorb_past(rows(&[1, 2, 5, 9]), now);
        assert_eq!(tail.watermark, 9);
        assert_eq!(holes(&tail), vec![(3, 4), (6, 8)]);
        // 7 commits: 6..=8 splits around it; 3 commits: 4 is left.
        tail.fill(7, 7);
        tail.fill(3, 3);
        assert_eq!(holes(&tail), vec![(4, 4), (6, 6), (8, 8)]);
        for seq in [4, 6, 8] {
            tail.fill(seq, seq);
        }
        assert!(holes(&tail).is_empty());
        assert_eq!(tail.log.0, vec![1, 2, 5, 9, 7, 3, 4, 6, 8]);
    }

    #[test]
    fn a_hole_is_forgotten_only_by_a_catch_up_begun_past_its_horizon() {
        let mut tail = Tail::<Numbers>::empty();
        let seen = Instant::now();
        tail.absorb_past(rows(&[1, 4]), seen);
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
