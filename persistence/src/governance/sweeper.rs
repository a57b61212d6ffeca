//! The governance sweeper: decides every open proposal whose deadline has come, without anyone
//! calling anything. `ovn serve` (and the server the end-to-end tests start) runs one; several
//! servers may run theirs against one database, because each decision is conditional on the
//! proposal still being open ([`super::decide_due_in`]).

use std::time::Duration;

use chrono::Utc;
use tokio::task::JoinHandle;

use crate::error::Result;
use crate::store::Store;

/// Most proposals one sweep decides; the rest wait for the next sweep, a period later.
const PER_SWEEP: u64 = 100;

/// Decides the proposals due now, each in its own transaction; returns how many it decided.
/// A proposal that fails to be decided is logged and left for the next sweep.
pub async fn sweep(store: &Store) -> Result<usize> {
    let due = store.due_governance_proposals(Utc::now(), PER_SWEEP).await?;
    let mut decided = 0;
    for proposal in due {
        match store.decide_if_due(proposal).await {
            Ok(Some(outcome)) => {
                decided += 1;
                tracing::info!(%proposal, status = outcome.status.as_str(), "governance proposal decided at its deadline");
            }
            Ok(None) => {}
            Err(err) => tracing::error!(%proposal, error = %err, "could not decide a governance proposal"),
        }
    }
    Ok(decided)
}

/// Starts sweeping every `period` (the first sweep at once) on the current runtime, until the
/// returned task is aborted.
pub fn spawn(store: Store, period: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        // A sweep that took longer than the period is not followed by a burst of sweeps.
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(err) = sweep(&store).await {
                tracing::error!(error = %err, "governance sweep failed");
            }
        }
    })
}
