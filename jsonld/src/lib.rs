//! ovn-jsonld: the ValueFlows JSON-LD that `ovn export` writes and `ovn import` reads, as a
//! library, so that the command line and the server (federation) share one codec.
//!
//! It reads a document into typed nodes, checks them into a whole-books [`Ledger`] (every
//! reference resolved, every rule of the domain applied, every event applied in order to its
//! resources), and writes a ledger back out, deterministically, so that export, import, export
//! gives byte-identical files. A large document is read and checked as a stream
//! ([`stream_reader`], [`StreamCheck`]): memory holds every record but the events, and a few
//! dozen bytes per event.
//!
//! It must not depend on the store, the API or any I/O beyond the [`std::io::Write`] it is
//! handed: only on `ovn-domain` among ovn's crates. Loading the books from a database and
//! storing a checked ledger are the caller's business.
//!
//! The document is compacted JSON-LD: one `@context` ([`CONTEXT`]) and a `@graph` with one node
//! per line. Every node's `@id` is its IRI, `{base}/{type}/{uuid}` ([`iri`]); references are
//! IRI strings, which the context types as `@id`. Terms come from the ValueFlows vocabulary
//! (`vf:`), OM2 for measures (`om2:`) and the OVN namespace (`ovn:`, [`OVN_NAMESPACE`]) for
//! what ValueFlows does not define: `ovn:created` (system time), `ovn:custodian`,
//! `ovn:declaredValue`, `ovn:propertyRegime`, `ovn:valuePerUnitOfUse`,
//! `ovn:defaultValuePerUnit`, `ovn:omUnitIdentifier`, and `ovn:newInventoriedResource` (on the
//! event that brought a resource into being, the IRI of that resource). This is not a general
//! JSON-LD processor: a document must use these prefixes (full IRIs are accepted for `@type`
//! and `vf:action`); arbitrary contexts are not expanded.
//!
//! ```
//! use ovn_domain::ledger_books::Ledger;
//!
//! // Write a ledger (here an empty one) with IRIs under a base…
//! let mut bytes = Vec::new();
//! let summary = ovn_jsonld::write(&Ledger::default(), "https://ovn.example", &mut bytes)?;
//! assert_eq!(summary.total(), 0);
//! // …and read it back: parsed, checked, and ready to store.
//! let ledger = ovn_jsonld::read(&bytes, chrono::Utc::now())?;
//! assert_eq!(ledger, Ledger::default());
//! # Ok::<(), ovn_jsonld::Error>(())
//! ```

mod check;
mod error;
mod node;
mod reader;
mod vocabulary;
mod writer;

use chrono::{DateTime, Utc};
use ovn_domain::ledger_books::Ledger;

pub use check::{Checked, Sink, StreamCheck, check};
pub use error::{Error, MAX_PROBLEMS, Problem, ProblemList};
pub use node::Node;
pub use reader::{Document, Streamed, read_document, stream_reader, stream_slice};
pub use vocabulary::{CONTEXT, OM2_NAMESPACE, OVN_NAMESPACE, VF_NAMESPACE, iri, node_type, segment, time_text};
pub use writer::{ExportSummary, write};

/// Reads and checks a document held in memory: [`read_document`], then [`check`]. `now` stands
/// in for the system time of records that do not state `ovn:created`.
pub fn read(bytes: &[u8], now: DateTime<Utc>) -> Result<Ledger, Error> {
    check(&read_document(bytes)?, now)
}
