//! `ovn export`: the whole ledger as ValueFlows JSON-LD (`--format jsonld`, the default), or
//! the distribution lines as CSV (`--format csv`). The command-line glue only: the books are
//! read by [`ovn_persistence::Store::read_ledger`] and written by [`ovn_jsonld::write`], which
//! documents the format; the CSV is [`export_distributions_csv`] (docs/revenue.md, "CSV export").

use std::collections::{BTreeSet, HashMap};
use std::io::Write;

use anyhow::Context as _;
use ovn_domain::{DistributionId, EconomicEventId};
use ovn_persistence::Store;

pub use ovn_jsonld::ExportSummary;

/// Reads the whole ledger from `store` and writes it to `out` as JSON-LD with IRIs under
/// `base` (`OVN_PUBLIC_URL`).
pub async fn export<W: Write>(store: &Store, base: &str, out: W) -> anyhow::Result<ExportSummary> {
    let ledger = store.read_ledger().await?;
    Ok(ovn_jsonld::write(&ledger, base, out)?)
}

/// The CSV's columns, in order (the header row).
pub const CSV_COLUMNS: [&str; 11] = [
    "distribution",
    "revenue_event",
    "scope",
    "equation",
    "equation_version",
    "bucket",
    "agent",
    "amount",
    "unit",
    "payout_event",
    "distributed_at",
];

/// Distributions read per page: each page is three queries (distributions, their roots, their
/// lines), whatever the number of lines.
const PAGE: u64 = 500;

/// Writes one row per distribution line (cascaded lines too, with the revenue event of the sale
/// they came from) to `out` as RFC 4180 CSV with a header row; answers how many lines.
/// Distributions are read a page at a time, in id order, each page's lines in one batch.
pub async fn export_distributions_csv<W: Write>(store: &Store, mut out: W) -> anyhow::Result<u64> {
    write_row(&mut out, CSV_COLUMNS.iter().map(|c| (*c).to_owned()))?;
    let mut after: Option<DistributionId> = None;
    let mut lines_written = 0;
    loop {
        let page = store.distributions_page(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        // A cascade names no revenue event of its own: its root's is the sale it splits.
        let roots: Vec<DistributionId> = page
            .iter()
            .filter(|d| d.revenue_event.is_none())
            .map(|d| d.root)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let revenue_of_root: HashMap<DistributionId, Option<EconomicEventId>> =
            store.distributions_by_id(&roots).await?.into_iter().map(|(id, d)| (id, d.revenue_event)).collect();
        let ids: Vec<DistributionId> = page.iter().map(|d| d.id).collect();
        let mut lines = store.distribution_lines(&ids).await?;
        for d in &page {
            let revenue = d.revenue_event.or_else(|| revenue_of_root.get(&d.root).copied().flatten());
            for line in lines.remove(&d.id).unwrap_or_default() {
                write_row(
                    &mut out,
                    [
                        d.id.to_string(),
                        revenue.map(|r| r.to_string()).unwrap_or_default(),
                        d.scope.to_string(),
                        d.equation.to_string(),
                        d.equation_version.to_string(),
                        line.bucket_name,
                        line.agent.to_string(),
                        line.amount.normalize().to_string(),
                        d.unit.map(|u| u.to_string()).unwrap_or_default(),
                        line.payout.map(|p| p.to_string()).unwrap_or_default(),
                        d.created.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    ],
                )?;
                lines_written += 1;
            }
        }
    }
    out.flush().context("writing the CSV")?;
    Ok(lines_written)
}

/// One CSV record, CRLF-terminated (RFC 4180).
fn write_row<W: Write>(out: &mut W, fields: impl IntoIterator<Item = String>) -> anyhow::Result<()> {
    let row: Vec<String> = fields.into_iter().map(|f| quote(&f)).collect();
    write!(out, "{}\r\n", row.join(",")).context("writing the CSV")?;
    Ok(())
}

/// A field as RFC 4180 writes it: quoted (inner quotes doubled) when it holds a comma, a
/// quote or a line break, as is otherwise.
pub fn quote(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn fields_are_quoted_only_when_rfc_4180_requires_it() {
        assert_eq!(quote("kit"), "kit");
        assert_eq!(quote("198.84"), "198.84");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("the \"kit\""), "\"the \"\"kit\"\"\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
        assert_eq!(quote(""), "");
    }
}
