//! Opening the database and running writes.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, TransactionTrait};
use tokio::sync::Mutex;

use crate::error::Result;

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

/// The books: a connection pool, plus the writer lock that SQLite needs.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    // SQLite allows one writer; taking turns here is cheaper and fairer than retrying on
    // SQLITE_BUSY. PostgreSQL needs no such lock.
    writer: Option<Arc<Mutex<()>>>,
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
        let writer = (db.get_database_backend() == DbBackend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Self { db, writer })
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

    /// Runs `work` in one write transaction and commits it; rolls back on any error.
    pub async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send,
        F: for<'t> FnOnce(&'t DatabaseTransaction) -> BoxFuture<'t, Result<T>> + Send,
    {
        let _turn = match &self.writer {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        let txn = self.db.begin().await?;
        match work(&txn).await {
            Ok(value) => {
                txn.commit().await?;
                Ok(value)
            }
            Err(err) => {
                // Dropping a transaction rolls it back too; doing it explicitly surfaces
                // a failed rollback in the logs.
                if let Err(rollback) = txn.rollback().await {
                    tracing::warn!(error = %rollback, "rollback failed");
                }
                Err(err)
            }
        }
    }

    /// Whether `SELECT … FOR UPDATE` is available (PostgreSQL); SQLite's single writer makes
    /// it unnecessary there.
    pub fn locks_rows(&self) -> bool {
        self.writer.is_none()
    }
}

impl Store {
    /// Runs a create: checks the idempotency key, then writes the key and the record in one
    /// transaction. A retry (same key, same input) gets [`crate::Outcome::Replayed`] with the
    /// first record's id; the same key with another input is
    /// [`crate::PersistenceError::IdempotencyMismatch`].
    pub async fn create<F>(&self, idem: Option<&crate::Idempotency>, id: String, insert: F) -> Result<crate::Outcome>
    where
        F: for<'t> FnOnce(&'t DatabaseTransaction) -> BoxFuture<'t, Result<()>> + Send + 'static,
    {
        use crate::Outcome;
        use crate::idempotency::{lookup, record};
        use futures::FutureExt;

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
                    insert(txn).await?;
                    Ok(Outcome::Created(id))
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
