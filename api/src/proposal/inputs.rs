//! The proposal module's inputs, each converted into the store's command in one `TryFrom`.

use async_graphql::{ID, InputObject, MaybeUndefined};
use ovn_domain::text::{Name, parse_note};
use ovn_domain::{AgentId, DomainError, Patch, ProposalId};
use ovn_persistence::proposal::ProposalPatch;

use super::objects::ProposalPurpose;
use crate::convert::{Update, given, id_list, note, patch, revision};
use crate::scalars::DateTime;

/// A new proposal.
#[derive(InputObject)]
pub struct ProposalCreateParams {
    /// An informal or formal textual identifier for a proposal. Does not imply uniqueness.
    pub name: Option<String>,
    /// The beginning time of proposal publication.
    pub has_beginning: Option<DateTime>,
    /// The end time of proposal publication.
    pub has_end: Option<DateTime>,
    /// This proposal contains unit based quantities, which can be multipied to create
    /// commitments; commonly seen in a price list or e-commerce.
    pub unit_based: Option<bool>,
    /// A textual description or comment.
    pub note: Option<String>,
    /// The date and time the proposal was created (when it was recorded, if omitted).
    pub created: Option<DateTime>,
    /// (`AccountingScope`) Grouping around something to create a boundary or context.
    pub in_scope_of: Option<Vec<ID>>,
    /// VF 1.0: the type of proposal, an offer or a request.
    pub purpose: Option<ProposalPurpose>,
}

/// Changes to a proposal.
#[derive(InputObject)]
pub struct ProposalUpdateParams {
    /// The revision the change is made against.
    pub revision_id: ID,
    /// An informal or formal textual identifier for a proposal.
    pub name: MaybeUndefined<String>,
    /// The beginning date/time of proposal publication.
    pub has_beginning: MaybeUndefined<DateTime>,
    /// The end time of proposal publication.
    pub has_end: MaybeUndefined<DateTime>,
    /// This proposal contains unit based quantities.
    pub unit_based: MaybeUndefined<bool>,
    /// A textual description or comment.
    pub note: MaybeUndefined<String>,
    /// (`AccountingScope`) Grouping around something to create a boundary or context.
    pub in_scope_of: MaybeUndefined<Vec<ID>>,
    /// VF 1.0: the type of proposal, an offer or a request.
    pub purpose: MaybeUndefined<ProposalPurpose>,
}

impl TryFrom<ProposalCreateParams> for ProposalPatch {
    type Error = DomainError;

    fn try_from(p: ProposalCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            name: given(&p.name).try_map(|n| Name::parse("name", &n))?,
            has_beginning: given(&p.has_beginning),
            has_end: given(&p.has_end),
            unit_based: given(&p.unit_based),
            created: given(&p.created),
            note: given(&note(&p.note)?),
            in_scope_of: Patch::Set(id_list(&p.in_scope_of, AgentId::parse)?),
            purpose: given(&p.purpose.map(Into::into)),
        })
    }
}

impl TryFrom<ProposalUpdateParams> for Update<ProposalId, ProposalPatch> {
    type Error = DomainError;

    fn try_from(p: ProposalUpdateParams) -> Result<Self, DomainError> {
        Ok(Self {
            revision: revision(&p.revision_id, ProposalId::parse)?,
            changes: ProposalPatch {
                name: patch(&p.name).try_map(|n| Name::parse("name", &n))?,
                has_beginning: patch(&p.has_beginning),
                has_end: patch(&p.has_end),
                unit_based: patch(&p.unit_based),
                created: Patch::Keep,
                note: patch(&p.note).try_map(|n| parse_note("note", &n))?,
                in_scope_of: patch(&p.in_scope_of).try_map(|l| id_list(&Some(l), AgentId::parse))?,
                purpose: patch(&p.purpose).try_map(|purpose| Ok(purpose.into()))?,
            },
        })
    }
}
