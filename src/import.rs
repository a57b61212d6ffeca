//! `ovn import FILE`: loads a ValueFlows JSON-LD ledger (as `ovn export` writes it) into an
//! empty database. The command-line glue only: the file, progress on stderr, the summary, and
//! the two threads below; the document is read and checked by [`ovn_jsonld`] and stored by
//! [`ovn_persistence::Store::write_ledger_stream`].
//!
//! Why it works the way it does: an import must be fast (over 100,000 events a second), must
//! never leave half a ledger behind, and must not need memory in proportion to the file (a
//! ledger of millions of events). So it never goes through the one-event-at-a-time service,
//! and it never holds the document or the events whole. It streams:
//!
//! 1. **read and check**, on a thread of their own: the file is parsed node by node
//!    ([`ovn_jsonld::stream_reader`]) and each node is checked as it comes
//!    ([`ovn_jsonld::StreamCheck`]): references, the domain's rules, and every event applied
//!    in order to its resources; a problem is reported with its position, the index in
//!    `@graph` and the `@id`;
//! 2. **write**, at the same time, on the async side: what passed goes over a bounded channel
//!    in batches and into **one** transaction ([`ovn_persistence::ledger_io::LedgerBatch`]),
//!    after checking, inside that same transaction, that the database is empty. The
//!    transaction commits only once the whole document passed (the resources compared with
//!    what their events give, links to later events set). A problem anywhere, a syntax error
//!    on the last line, or a database failure drops the channel or fails the write, and the
//!    transaction is rolled back: the database stays empty.
//!
//! Problems: every record is checked and up to [`MAX_PROBLEMS`] problems are listed, as
//! before streaming; reading stops once that many were found. The replay of events stops at
//! its first problem (it always did), and is not run past a record that broke a rule.
//!
//! What the file must do for a stream: every record but the events comes before the first
//! event, as `ovn export` writes them (a node of another kind after the events is a problem).
//! An event names only earlier events, but for `vf:triggeredBy`, which may name a later one.
//!
//! Memory: the records other than events (agents, units, specifications, processes,
//! resources with their states), about 40 bytes per event (its id, to check that ids are
//! unique and references resolve), and a few batches of events in flight; not the file, and
//! not the events. A correction's original is read back from the rows already written.

use std::fmt;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use indicatif::{ProgressBar, ProgressBarIter, ProgressDrawTarget, ProgressStyle};
use ovn_domain::EconomicEventId;
use ovn_domain::ledger_books::Ledger;
use ovn_domain::observation::{EconomicEvent, NewEvent};
use ovn_jsonld::{Node, ProblemList, Sink, StreamCheck, Streamed};
use ovn_persistence::ledger_io::{LedgerBatch, Progress};
use ovn_persistence::{PersistenceError, Store};
use tokio::sync::{mpsc, oneshot};

pub use ovn_jsonld::{MAX_PROBLEMS, Problem};

/// Why an import did not happen. In every case nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(std::io::Error),
    /// The document is not the JSON-LD `ovn export` writes (malformed JSON, a node of the
    /// wrong shape); the problem says where.
    #[error("the file is not an ovn JSON-LD ledger: {0}")]
    Syntax(Problem),
    /// Records broke the rules; each problem names its record. Nothing was written.
    #[error("the ledger was refused, nothing was imported {}", ProblemList { problems, total: *total })]
    Invalid {
        /// The first [`MAX_PROBLEMS`] problems, in document order.
        problems: Vec<Problem>,
        /// How many there were in all.
        total: usize,
    },
    /// The database already holds records.
    #[error("{0}")]
    NotEmpty(String),
    /// The database failed; the transaction was rolled back.
    #[error("the import failed and was rolled back: {0}")]
    Database(PersistenceError),
}

impl ImportError {
    /// The problems that refused the import (empty unless [`ImportError::Invalid`] or
    /// [`ImportError::Syntax`]).
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Self::Syntax(problem) => vec![problem.clone()],
            Self::Invalid { problems, .. } => problems.clone(),
            _ => Vec::new(),
        }
    }
}

impl From<ovn_jsonld::Error> for ImportError {
    fn from(err: ovn_jsonld::Error) -> Self {
        match err {
            ovn_jsonld::Error::Io(err) => Self::Io(err),
            ovn_jsonld::Error::Syntax(problem) => Self::Syntax(problem),
            ovn_jsonld::Error::Invalid { problems, total } => Self::Invalid { problems, total },
        }
    }
}

/// What an import did, and how fast. Reading, checking and writing overlap (two threads), so
/// the phases do not add up to the total.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    /// Records imported, per kind, in `@graph` order of kinds.
    pub counts: Vec<(&'static str, usize)>,
    /// Events imported.
    pub events: usize,
    /// Rows written (records and scope links).
    pub rows: u64,
    /// Parsing the document (on the reading thread).
    pub read: Duration,
    /// Checking (references, rules, replay; on the reading thread).
    pub check: Duration,
    /// How long the reading thread waited for the database to take a batch (the share of the
    /// time the write was the bottleneck).
    pub wait: Duration,
    /// From the last batch handed over to the commit (writing what was in flight, rebuilding
    /// the indexes, the commit).
    pub finish: Duration,
    /// The whole import, as a clock on the wall measures it.
    pub elapsed: Duration,
}

impl ImportSummary {
    /// The whole import.
    pub fn total(&self) -> Duration {
        self.elapsed
    }

    /// Events per second over the whole import.
    pub fn events_per_second(&self) -> f64 {
        per_second(self.events, self.total())
    }
}

/// `count` per second over `elapsed` (0 when nothing was timed).
pub fn per_second(count: usize, elapsed: Duration) -> f64 {
    let seconds = elapsed.as_secs_f64();
    #[expect(clippy::cast_precision_loss, reason = "a rate for display; counts are far below 2^52")]
    let count = count as f64;
    if seconds > 0.0 { count / seconds } else { 0.0 }
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "imported:")?;
        for (kind, count) in &self.counts {
            writeln!(f, "  {count:>10}  {kind}")?;
        }
        write!(
            f,
            "in {:.2} s: {:.0} events/s (overlapped: read {:.2} s, check {:.2} s, waiting for the database {:.2} s; \
             then {:.2} s to finish and commit)",
            self.total().as_secs_f64(),
            self.events_per_second(),
            self.read.as_secs_f64(),
            self.check.as_secs_f64(),
            self.wait.as_secs_f64(),
            self.finish.as_secs_f64(),
        )
    }
}

fn database(err: PersistenceError) -> ImportError {
    match err {
        PersistenceError::Conflict(message) => ImportError::NotEmpty(message),
        other => ImportError::Database(other),
    }
}

/// Where progress is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowProgress {
    /// A progress bar on stderr (hidden when stderr is not a terminal).
    Stderr,
    /// Nothing.
    Hidden,
}

fn bar(show: ShowProgress, length: u64, template: &str) -> ProgressBar {
    let target = match show {
        ShowProgress::Stderr => ProgressDrawTarget::stderr(),
        ShowProgress::Hidden => ProgressDrawTarget::hidden(),
    };
    let bar = ProgressBar::with_draw_target(Some(length), target);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Refuses early (before reading a large file) when the database already holds records.
pub async fn ensure_empty(store: &Store) -> Result<(), ImportError> {
    match store.first_non_empty_table().await.map_err(ImportError::Database)? {
        None => Ok(()),
        Some(table) => Err(ImportError::NotEmpty(format!(
            "the database is not empty (it already holds {table}); an import only loads into an empty database"
        ))),
    }
}

/// Writes a ledger held whole and already checked (one transaction), drawing progress on
/// `show`.
pub async fn write(store: &Store, ledger: Ledger, show: ShowProgress) -> Result<(u64, Duration), ImportError> {
    let started = Instant::now();
    let ledger = Arc::new(ledger);
    let progress_bar = bar(show, ledger.row_count(), "{msg:>10} [{bar:40}] {human_pos}/{human_len} rows ({per_sec})");
    progress_bar.set_message("writing");
    let ticker = progress_bar.clone();
    let progress: Progress = Arc::new(move |rows| ticker.inc(rows));
    let rows = store.write_ledger(ledger, progress).await.map_err(database);
    progress_bar.finish_and_clear();
    Ok((rows?, started.elapsed()))
}

/// Events per batch handed to the writer: large enough that a batch costs the database a few
/// statements, small enough that the batches in flight stay a few megabytes.
const EVENTS_PER_BATCH: usize = 4_096;

/// Batches in flight between the reading thread and the writer.
const BATCHES_IN_FLIGHT: usize = 4;

/// The reading thread's side of the channel: events gathered into batches.
struct ChannelSink {
    batches: mpsc::Sender<LedgerBatch>,
    pending: Vec<(EconomicEvent, bool)>,
    /// The writer has stopped (it failed): reading on is pointless.
    closed: bool,
    waited: Duration,
}

impl ChannelSink {
    fn send(&mut self, batch: LedgerBatch) {
        if self.closed {
            return;
        }
        let started = Instant::now();
        if self.batches.blocking_send(batch).is_err() {
            self.closed = true;
        }
        self.waited += started.elapsed();
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let events = std::mem::replace(&mut self.pending, Vec::with_capacity(EVENTS_PER_BATCH));
            self.send(LedgerBatch::Events(events));
        }
    }
}

impl Sink for ChannelSink {
    fn records(&mut self, records: Ledger) {
        self.send(LedgerBatch::Records(records));
    }

    fn event(&mut self, event: EconomicEvent, trigger_now: bool) {
        self.pending.push((event, trigger_now));
        if self.pending.len() >= EVENTS_PER_BATCH {
            self.flush();
        }
    }

    fn original(&mut self, id: EconomicEventId) -> Option<NewEvent> {
        // Everything before the correction is written first, so the original is among the rows.
        self.flush();
        let (reply, answer) = oneshot::channel();
        self.send(LedgerBatch::Original(id, reply));
        let started = Instant::now();
        let original = answer.blocking_recv().ok().and_then(Result::ok).flatten();
        self.waited += started.elapsed();
        original
    }
}

/// Where the document comes from.
enum Source {
    /// Held in memory (parsed from the slice, about twice as fast as from a reader).
    Bytes(Vec<u8>),
    /// Read as it is parsed. A concrete `BufReader`, not a `dyn Read`: serde_json reads a
    /// reader byte by byte, which the standard library serves straight from a `BufReader`'s
    /// buffer but through a virtual call per byte from a boxed reader (several times slower).
    File(BufReader<ProgressBarIter<std::fs::File>>),
}

/// What the reading thread did.
struct Checked {
    counts: Vec<(&'static str, usize)>,
    read: Duration,
    check: Duration,
    wait: Duration,
    /// It stopped because the writer had failed (the writer's error says why).
    writer_failed: bool,
    /// When it handed over its last batch.
    ended: Instant,
}

/// Reads and checks the document, handing what passed to `batches`; on the reading thread.
fn read_and_check(source: Source, batches: mpsc::Sender<LedgerBatch>) -> Result<Checked, ImportError> {
    let started = Instant::now();
    let mut checker = StreamCheck::new(Utc::now());
    let mut sink =
        ChannelSink { batches, pending: Vec::with_capacity(EVENTS_PER_BATCH), closed: false, waited: Duration::ZERO };
    let mut checking = Duration::ZERO;
    let visit = |index: usize, node: Node| {
        let (at, waited) = (Instant::now(), sink.waited);
        checker.push(index, &node, &mut sink);
        // The time the sink waited for the writer is the database's, not the check's.
        checking += at.elapsed().saturating_sub(sink.waited - waited);
        if checker.is_full() || sink.closed { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    };
    let streamed = match source {
        Source::Bytes(bytes) => ovn_jsonld::stream_slice(&bytes, visit),
        Source::File(reader) => ovn_jsonld::stream_reader(reader, visit),
    }?;
    let writer_failed = sink.closed && streamed == Streamed::Stopped;
    let (at, waited) = (Instant::now(), sink.waited);
    let checked = if writer_failed { None } else { Some(checker.finish(&mut sink)?) };
    checking += at.elapsed().saturating_sub(sink.waited - waited);
    let mut counts = Vec::new();
    if let Some(checked) = checked {
        counts = checked.counts;
        sink.flush();
        sink.send(LedgerBatch::Finish { resources: checked.resources, triggers: checked.triggers });
    }
    let read = started.elapsed().saturating_sub(checking + sink.waited);
    Ok(Checked {
        counts,
        read,
        check: checking,
        wait: sink.waited,
        writer_failed: writer_failed || sink.closed,
        ended: Instant::now(),
    })
}

/// Reads, checks and writes a document (see the module documentation).
async fn run(store: &Store, source: Source) -> Result<ImportSummary, ImportError> {
    ensure_empty(store).await?;
    let started = Instant::now();
    let (sender, receiver) = mpsc::channel(BATCHES_IN_FLIGHT);
    let reading = tokio::task::spawn_blocking(move || read_and_check(source, sender));
    let progress: Progress = Arc::new(|_| {});
    let written = store.write_ledger_stream(receiver, progress).await;
    let done_writing = Instant::now();
    let checked = reading.await.map_err(|e| ImportError::Io(std::io::Error::other(e)))?;
    // A refused document explains the failed write (it was rolled back because the checker
    // stopped); otherwise the write's own error is the story.
    let checked = checked?;
    let rows = written.map_err(database)?;
    if checked.writer_failed {
        return Err(ImportError::Database(PersistenceError::Conflict("the write stopped early".into())));
    }
    let elapsed = started.elapsed();
    let events = checked.counts.iter().find(|(kind, _)| *kind == "economic events").map_or(0, |(_, n)| *n);
    let finish = done_writing.saturating_duration_since(checked.ended);
    Ok(ImportSummary {
        counts: checked.counts,
        events,
        rows,
        read: checked.read,
        check: checked.check,
        wait: checked.wait,
        finish,
        elapsed,
    })
}

/// Imports a document already in memory (the bench uses it).
pub async fn import_bytes(store: &Store, bytes: &[u8], show: ShowProgress) -> Result<ImportSummary, ImportError> {
    import_owned(store, bytes.to_vec(), show).await
}

/// Imports a document already in memory, handed over (no copy).
pub async fn import_owned(store: &Store, bytes: Vec<u8>, show: ShowProgress) -> Result<ImportSummary, ImportError> {
    let spinner = bar(show, 0, "{spinner} {msg}");
    spinner.set_message("importing");
    spinner.enable_steady_tick(Duration::from_millis(100));
    let summary = run(store, Source::Bytes(bytes)).await;
    spinner.finish_and_clear();
    summary
}

/// Bytes read from the file at a time.
const READ_BUFFER_BYTES: usize = 1 << 20;

/// `ovn import FILE`: reads, checks and writes the ledger in `path` into the empty database of
/// `store`, as a stream, with a progress bar on stderr when `show` says so.
pub async fn import_file(store: &Store, path: &Path, show: ShowProgress) -> Result<ImportSummary, ImportError> {
    let file = std::fs::File::open(path).map_err(ImportError::Io)?;
    let length = file.metadata().map_err(ImportError::Io)?.len();
    let reading = bar(show, length, "{msg:>10} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec})");
    reading.set_message("importing");
    let reader = BufReader::with_capacity(READ_BUFFER_BYTES, reading.wrap_read(file));
    let summary = run(store, Source::File(reader)).await;
    reading.finish_and_clear();
    summary
}
