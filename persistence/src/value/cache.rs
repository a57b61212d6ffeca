//! The fluid-equity cache: a scope's valued contributions over a million events take about a
//! second to load and value, and the answer changes only when the books do.
//!
//! An answer is kept for (scope, equation version, its revision and status) and served again
//! while all of these hold:
//! - this store has committed no write since (any write: a rate, an affiliation, a resource's
//!   value per use, an equation);
//! - no event in the scope was recorded since: the event log's high-water mark (`seq`, one
//!   index lookup) is unchanged, or the events past it are all outside the scope;
//! - it is younger than [`MAX_AGE`], which bounds how long another server's writes other than
//!   events (it shares the database, not this process's count) can go unseen.
//!
//! A new adopted version changes which version a scope's query resolves to, so it is a new key.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ovn_domain::value::equation::ValueEquation;
use ovn_domain::value::equity::FluidEquity;
use ovn_domain::{AgentId, ValueEquationId};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::error::Result;
use crate::store::Store;

/// How long an answer is trusted without a write seen by this store.
pub const MAX_AGE: Duration = Duration::from_secs(5);

/// What identifies an answer.
type Key = (AgentId, ValueEquationId, i64, &'static str);

/// A kept answer.
struct Kept {
    generation: u64,
    watermark: i64,
    at: Instant,
    answer: Arc<(ValueEquation, FluidEquity)>,
}

/// The value engine's cache, one per store (cloned stores share it).
#[derive(Default)]
pub struct ValueCache {
    generation: AtomicU64,
    equity: Mutex<HashMap<Key, Kept>>,
}

impl ValueCache {
    /// A write committed: everything kept may be stale.
    pub(crate) fn written(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }
}

fn key(scope: AgentId, equation: &ValueEquation) -> Key {
    (scope, equation.id, equation.revision, equation.status.as_str())
}

impl Store {
    fn seq_column(&self) -> &'static str {
        match self.backend() {
            DbBackend::Postgres => "seq",
            _ => "rowid",
        }
    }

    /// The event log's high-water mark.
    async fn event_watermark(&self) -> Result<i64> {
        let sql = format!("SELECT COALESCE(MAX({}), 0) AS w FROM economic_event", self.seq_column());
        let row = self.connection().query_one_raw(Statement::from_string(self.backend(), sql)).await?;
        Ok(row.map(|r| r.try_get::<i64>("", "w")).transpose()?.unwrap_or_default())
    }

    /// Whether an event in `scope` was recorded past `watermark`.
    async fn scope_grew(&self, scope: AgentId, watermark: i64) -> Result<bool> {
        let (seq, backend) = (self.seq_column(), self.backend());
        let placeholder = |n: usize| if backend == DbBackend::Postgres { format!("${n}") } else { "?".to_owned() };
        let sql = format!(
            "SELECT 1 AS found FROM economic_event e JOIN economic_event_scope s ON s.event_id = e.id \
             WHERE e.{seq} > {} AND s.scope_id = {} LIMIT 1",
            placeholder(1),
            placeholder(2)
        );
        let statement = Statement::from_sql_and_values(backend, sql, [watermark.into(), scope.to_string().into()]);
        Ok(self.connection().query_one_raw(statement).await?.is_some())
    }

    /// The answer kept for `scope` and `equation`, if it still holds; else `compute`'s,
    /// kept.
    pub(crate) async fn equity_cached<F>(
        &self,
        scope: AgentId,
        equation: &ValueEquation,
        compute: F,
    ) -> Result<Arc<(ValueEquation, FluidEquity)>>
    where
        F: std::future::Future<Output = Result<(ValueEquation, FluidEquity)>>,
    {
        let cache = &self.value_cache;
        let key = key(scope, equation);
        let generation = cache.generation();
        let watermark = self.event_watermark().await?;
        let kept = {
            let map =
                cache.equity.lock().map_err(|_| crate::PersistenceError::Corrupt("value cache poisoned".into()))?;
            map.get(&key)
                .filter(|k| k.generation == generation && k.at.elapsed() < MAX_AGE)
                .map(|k| (k.watermark, Arc::clone(&k.answer)))
        };
        if let Some((seen, answer)) = kept
            && (seen == watermark || !self.scope_grew(scope, seen).await?)
        {
            return Ok(answer);
        }
        let answer = Arc::new(compute.await?);
        let mut map =
            cache.equity.lock().map_err(|_| crate::PersistenceError::Corrupt("value cache poisoned".into()))?;
        map.insert(key, Kept { generation, watermark, at: Instant::now(), answer: Arc::clone(&answer) });
        Ok(answer)
    }
}
