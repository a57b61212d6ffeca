//! `ovn import FILE`: loads a ValueFlows JSON-LD ledger (as `ovn export` writes it) into an
//! empty database. The command-line glue only: reading the file, progress on stderr, and the
//! summary; the document is read and checked by [`ovn_jsonld`] and stored by
//! [`ovn_persistence::Store::write_ledger`].
//!
//! Why it works the way it does: an import must be fast (over 100,000 events a second) and
//! must never leave half a ledger behind. So it never goes through the one-event-at-a-time
//! service; it works in three phases:
//!
//! 1. **read**: the document is parsed into typed nodes, straight from the file (one pass,
//!    [`ovn_jsonld::read_document`]);
//! 2. **check**, in memory, before anything is written ([`ovn_jsonld::check`]): references,
//!    the domain's rules, and every event applied in order to its resources; a problem is
//!    reported with its position, the index in `@graph` and the `@id`;
//! 3. **write**: the checked ledger goes in with multi-row inserts, in chunks, inside **one**
//!    transaction ([`ovn_persistence::Store::write_ledger`]), after checking, inside that same
//!    transaction, that the database is empty. A failure anywhere rolls everything back: the
//!    database stays empty.

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ovn_domain::ledger_books::Ledger;
use ovn_jsonld::{Document, ProblemList};
use ovn_persistence::ledger_io::Progress;
use ovn_persistence::{PersistenceError, Store};

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

/// What an import did, and how fast.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    /// Records imported, per kind, in `@graph` order of kinds.
    pub counts: Vec<(&'static str, usize)>,
    /// Events imported.
    pub events: usize,
    /// Rows written (records and scope links).
    pub rows: u64,
    /// Reading and parsing the document.
    pub read: Duration,
    /// Checking (references, rules, replay).
    pub check: Duration,
    /// Writing (one transaction, committed).
    pub write: Duration,
}

impl ImportSummary {
    /// Read, check and write together.
    pub fn total(&self) -> Duration {
        self.read + self.check + self.write
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
            "in {:.2} s (read {:.2} s, check {:.2} s, write {:.2} s): {:.0} events/s",
            self.total().as_secs_f64(),
            self.read.as_secs_f64(),
            self.check.as_secs_f64(),
            self.write.as_secs_f64(),
            self.events_per_second()
        )
    }
}

fn counts(ledger: &Ledger) -> Vec<(&'static str, usize)> {
    vec![
        ("units", ledger.units.len()),
        ("agents", ledger.agents.len()),
        ("agent relationship roles", ledger.roles.len()),
        ("agent relationships", ledger.relationships.len()),
        ("resource specifications", ledger.resource_specifications.len()),
        ("process specifications", ledger.process_specifications.len()),
        ("processes", ledger.processes.len()),
        ("economic resources", ledger.resources.len()),
        ("economic events", ledger.events.len()),
    ]
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

/// Writes a checked ledger (one transaction), drawing progress on `show`.
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

/// Imports a document already in memory (the bench uses it): check, then write.
pub async fn import_bytes(store: &Store, bytes: &[u8], show: ShowProgress) -> Result<ImportSummary, ImportError> {
    ensure_empty(store).await?;
    let started = Instant::now();
    let document = ovn_jsonld::read_document(bytes)?;
    let read = started.elapsed();
    finish(store, &document, read, show).await
}

async fn finish(
    store: &Store,
    document: &Document,
    read: Duration,
    show: ShowProgress,
) -> Result<ImportSummary, ImportError> {
    let started = Instant::now();
    let checking = bar(show, 0, "{spinner} {msg}");
    checking.set_message(format!("checking {} records", document.len()));
    checking.enable_steady_tick(Duration::from_millis(100));
    let ledger = ovn_jsonld::check(document, Utc::now());
    checking.finish_and_clear();
    let ledger = ledger?;
    let check_time = started.elapsed();
    let counts = counts(&ledger);
    let events = ledger.events.len();
    let (rows, write_time) = write(store, ledger, show).await?;
    Ok(ImportSummary { counts, events, rows, read, check: check_time, write: write_time })
}

/// `ovn import FILE`: reads, checks and writes the ledger in `path` into the empty database of
/// `store`, with a progress bar on stderr when `show` says so.
pub async fn import_file(store: &Store, path: &Path, show: ShowProgress) -> Result<ImportSummary, ImportError> {
    ensure_empty(store).await?;
    let started = Instant::now();
    let file = std::fs::File::open(path).map_err(ImportError::Io)?;
    let length = file.metadata().map_err(ImportError::Io)?.len();
    let reading = bar(show, length, "{msg:>10} [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec})");
    reading.set_message("reading");
    // Parsing from memory is about twice as fast as from a reader; a ledger file fits.
    let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
    let read = reading.wrap_read(file).read_to_end(&mut bytes).map_err(ImportError::Io);
    reading.set_message("parsing");
    let document = read.and_then(|_| Ok(ovn_jsonld::read_document(&bytes)?));
    reading.finish_and_clear();
    drop(bytes);
    let document = document?;
    let read = started.elapsed();
    finish(store, &document, read, show).await
}
