//! Opening the database and running writes.

use std::time::Duration;

use futures::future::BoxFuture;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};

use crate::error::{PersistenceError, Result};
use futures::FutureExt;
use sea_orm::DbErr;

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// `sqlite://path?mode=rwc` or `postgres://user@host/db`.
    pub url: String,
    /// Pool size.
    pub max_connections: u32,
    /// PostgreSQL only: the schema to work in (tests give each run its own).
    pub postgres_schema: Option<String>,
    /// SQLite only: how long a connection waits for a lock held by another process.
    pub sqlite_busy_timeout: Duration,
}

impl DatabaseSettings {
    /// Settings for `url` with the defaults.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 16,
            postgres_schema: None,
            sqlite_busy_timeout: Duration::from_secs(10),
        }
    }
}

/// What a queued write hands back after it ran: called with the outcome of the commit.
type Completion = Box<dyn FnOnce(std::result::Result<(), String>) + Send>;
/// A write queued for SQLite's writer task. Given the group's transaction and whether it is
/// alone in its group; hands back its completion and whether its work failed.
type Job = Box<dyn for<'t> FnOnce(&'t DatabaseTransaction, bool) -> BoxFuture<'t, (Completion, bool)> + Send>;

/// Most writes one SQLite commit carries (group commit).
const GROUP_COMMIT_MAX: usize = 64;

/// The books: a connection pool, plus, on SQLite, the queue of its single writer.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    // SQLite allows one writer at a time and each durable commit costs an fsync. One writer
    // task takes the writes queued while the previous commit was running and commits them
    // together, each in its own savepoint (group commit): a write that fails rolls back alone,
    // and every write is acknowledged only after the commit that carries it is durable.
    // PostgreSQL runs writes concurrently and groups commits itself.
    writer: Option<mpsc::UnboundedSender<Job>>,
    /// What the value engine keeps between reads (fluid equity), with the count of writes
    /// this store committed, which invalidates it.
    pub(crate) value_cache: std::sync::Arc<crate::value::cache::ValueCache>,
    /// What the value engine reads of every event, tailed from the log (shared by clones).
    pub(crate) value_index: crate::value::index::ValueIndex,
}

async fn sqlite_writer(db: DatabaseConnection, mut queue: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < GROUP_COMMIT_MAX {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // If the transaction cannot begin, dropping the jobs drops their reply channels and
        // each caller gets an error.
        // IMMEDIATE: the write lock is taken at BEGIN, where SQLite's busy handler waits for
        // it. A deferred transaction that reads first (every write checks its references
        // first) and then writes would instead fail at once with SQLITE_BUSY while another
        // connection holds the lock, since SQLite refuses to wait on a read-to-write upgrade.
        let immediate = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        let txn = match db.begin_with_options(immediate).await {
            Ok(txn) => txn,
            Err(err) => {
                tracing::error!(error = %err, "could not begin a write transaction");
                continue;
            }
        };
        // A write alone in its group needs no savepoint: if it fails, the whole transaction
        // is rolled back instead (two statements fewer on the path of a single client).
        let alone = batch.len() == 1;
        let mut completions = Vec::with_capacity(batch.len());
        let mut failed = false;
        for job in batch {
            let (completion, job_failed) = job(&txn, alone).await;
            failed |= job_failed;
            completions.push(completion);
        }
        let committed = if alone && failed {
            if let Err(err) = txn.rollback().await {
                tracing::warn!(error = %err, "rollback failed");
            }
            Ok(())
        } else {
            txn.commit().await.map_err(|err| {
                tracing::error!(error = %err, "group commit failed");
                err.to_string()
            })
        };
        for completion in completions {
            completion(committed.clone());
        }
    }
}

/// Runs `work` in `txn` (a transaction or a savepoint) and commits it, or rolls it back on
/// any error.
async fn commit_or_roll_back<T, F>(txn: DatabaseTransaction, work: F) -> Result<T>
where
    F: for<'t> FnOnce(&'t DatabaseTransaction) -> BoxFuture<'t, Result<T>>,
{
    match work(&txn).await {
        Ok(value) => {
            txn.commit().await?;
            Ok(value)
        }
        Err(err) => {
            // Dropping a transaction rolls it back too; doing it explicitly surfaces a failed
            // rollback in the logs.
            if let Err(rollback) = txn.rollback().await {
                tracing::warn!(error = %rollback, "rollback failed");
            }
            Err(err)
        }
    }
}

impl Store {
    /// Opens the pool. SQLite gets WAL, `synchronous=FULL` (a commit survives power loss),
    /// foreign keys and a busy timeout; PostgreSQL gets the schema search path if one is set.
    pub async fn connect(settings: &DatabaseSettings) -> Result<Self> {
        let mut options = ConnectOptions::new(settings.url.clone());
        options
            .max_connections(settings.max_connections)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(30))
            // sqlx pings every connection it hands out by default: one more round trip per
            // query. Only a connection idle long enough to have been dropped by the server or
            // a proxy is checked first.
            .test_before_acquire_if_idle_for(Duration::from_secs(30))
            .sqlx_logging(false);
        if let Some(schema) = &settings.postgres_schema {
            options.set_schema_search_path(schema.clone());
        }
        let busy = settings.sqlite_busy_timeout;
        options.map_sqlx_sqlite_opts(move |o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(busy)
        });
        let db = Database::connect(options).await?;
        let writer = (db.get_database_backend() == DbBackend::Sqlite).then(|| {
            let (sender, queue) = mpsc::unbounded_channel();
            tokio::spawn(sqlite_writer(db.clone(), queue));
            sender
        });
        Ok(Self { db, writer, value_cache: std::sync::Arc::default(), value_index: Default::default() })
    }

    /// The pool (for migrations and health checks).
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
    }

    /// Runs `work` in one write transaction and commits it; rolls back on any error. Returns
    /// only once the commit is durable.
    pub async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t DatabaseTransaction) -> BoxFuture<'t, Result<T>> + Send + 'static,
    {
        let written = self.write_once(work).await;
        if written.is_ok() {
            self.value_cache.written();
        }
        written
    }

    async fn write_once<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t DatabaseTransaction) -> BoxFuture<'t, Result<T>> + Send + 'static,
    {
        let Some(queue) = &self.writer else {
            return commit_or_roll_back(self.db.begin().await?, work).await;
        };
        let (reply, answer) = oneshot::channel::<Result<T>>();
        // The writer task runs the work: it gets this task's author of revisions with it.
        let author = crate::history::current_author();
        let job: Job = Box::new(move |txn, alone| {
            crate::history::authored_by(author, async move {
                let outcome: Result<T> = if alone {
                    work(txn).await
                } else {
                    match txn.begin().await {
                        Ok(savepoint) => commit_or_roll_back(savepoint, work).await,
                        Err(err) => Err(err.into()),
                    }
                };
                let failed = outcome.is_err();
                let completion: Completion = Box::new(move |committed| {
                    let result = match (outcome, committed) {
                        (Ok(value), Ok(())) => Ok(value),
                        (Ok(_), Err(message)) => Err(PersistenceError::Database(DbErr::Custom(message))),
                        (Err(err), _) => Err(err),
                    };
                    // The caller may have gone (request cancelled); the write stands anyway.
                    let _ = reply.send(result);
                });
                (completion, failed)
            })
            .boxed()
        });
        let stopped = || PersistenceError::Database(DbErr::Custom("the database writer has stopped".into()));
        queue.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Whether `SELECT … FOR UPDATE` is available (PostgreSQL); SQLite's single writer makes
    /// it unnecessary there.
    pub fn locks_rows(&self) -> bool {
        self.writer.is_none()
    }
}

impl Store {
    /// The record a create answers with: the one its transaction wrote and handed back, or on
    /// a replay (a retried idempotency key) the one the first attempt wrote, read back by its
    /// id with `load`.
    pub(crate) async fn created<R, Id>(
        &self,
        outcome: crate::Outcome<R>,
        kind: &'static str,
        load: impl AsyncFnOnce(&Store, Id) -> Result<Option<R>>,
    ) -> Result<R>
    where
        Id: std::str::FromStr<Err = ovn_domain::DomainError>,
    {
        match outcome {
            crate::Outcome::Created(written) => Ok(written),
            crate::Outcome::Replayed(id) => {
                let parsed: Id = crate::rows::id(&id, str::parse)?;
                load(self, parsed).await?.ok_or_else(|| PersistenceError::not_found(kind, id))
            }
        }
    }

    /// Runs a create: checks the idempotency key, then writes the key and the record in one
    /// transaction. A retry (same key, same input) gets [`crate::Outcome::Replayed`] with the
    /// first record's id; the same key with another input is
    /// [`crate::PersistenceError::IdempotencyMismatch`].
    pub async fn create<T, F>(
        &self,
        idem: Option<&crate::Idempotency>,
        id: String,
        insert: F,
    ) -> Result<crate::Outcome<T>>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t DatabaseTransaction) -> BoxFuture<'t, Result<T>> + Send + 'static,
    {
        use crate::Outcome;
        use crate::idempotency::{lookup, record};

        if let Some(idem) = idem
            && let Some(existing) = lookup(&self.db, idem).await?
        {
            return Ok(Outcome::Replayed(existing));
        }
        let key = idem.cloned();
        let result = self
            .write(move |txn| {
                async move {
                    if let Some(key) = &key {
                        if let Some(existing) = lookup(txn, key).await? {
                            return Ok(Outcome::Replayed(existing));
                        }
                        record(txn, key, &id).await?;
                    }
                    Ok(Outcome::Created(insert(txn).await?))
                }
                .boxed()
            })
            .await;
        match (result, idem) {
            // Lost the race to a concurrent first attempt with the same key: it has committed
            // by now, so its row answers.
            (Err(err), Some(idem)) if err.is_unique_violation() => match lookup(&self.db, idem).await? {
                Some(existing) => Ok(Outcome::Replayed(existing)),
                None => Err(err),
            },
            (result, _) => result,
        }
    }
}
