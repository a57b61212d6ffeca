//! `ovn export --format jsonld`: the whole ledger as ValueFlows JSON-LD. The command-line glue
//! only: the books are read by [`ovn_persistence::Store::read_ledger`] and written by
//! [`ovn_jsonld::write`], which documents the format.

use std::io::Write;

use ovn_persistence::Store;

pub use ovn_jsonld::ExportSummary;

/// Reads the whole ledger from `store` and writes it to `out` as JSON-LD with IRIs under
/// `base` (`OVN_PUBLIC_URL`).
pub async fn export<W: Write>(store: &Store, base: &str, out: W) -> anyhow::Result<ExportSummary> {
    let ledger = store.read_ledger().await?;
    Ok(ovn_jsonld::write(&ledger, base, out)?)
}
