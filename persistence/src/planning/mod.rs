//! The planning layer (vf-graphql modules `plan`, `agreement`, `commitment`,
//! `fulfillment`): writes of plans, agreements, commitments and fulfilments, each an
//! `…_in(txn, …)` function with a thin [`crate::Store`] method, and the batched reads the
//! API's loaders use. The rules (action rules of a commitment, what a fulfilment may link,
//! who may change what) are the domain's ([`ovn_domain::planning`],
//! [`ovn_domain::permission`]); this module loads the facts and writes.

mod agreement;
mod commitment;
mod fulfillment;
mod plan;
mod read;

use chrono::{DateTime, Utc};
use ovn_domain::{
    AgentId, AgreementId, CommitmentId, EconomicEventId, EconomicResourceId, Measure, Name, Patch, PlanId, ProcessId,
    ProcessSpecificationId, ResourceSpecificationId, Uri,
};

pub use agreement::{create_agreement_in, delete_agreement_in, update_agreement_in};
pub use commitment::{create_commitment_in, delete_commitment_in, update_commitment_in};
pub(crate) use fulfillment::draft as fulfillment_draft_with;
pub use fulfillment::{create_fulfillment_in, delete_fulfillment_in, update_fulfillment_in};
pub use plan::{create_plan_in, delete_plan_in, update_plan_in};
pub use read::CommitmentLink;

/// `createPlan` / `updatePlan`, parsed (on create, `Keep` means "not given").
#[derive(Debug, Clone, Default)]
pub struct PlanPatch {
    /// `name`.
    pub name: Patch<Name>,
    /// `created`.
    pub created: Patch<DateTime<Utc>>,
    /// `due`.
    pub due: Patch<DateTime<Utc>>,
    /// `note`.
    pub note: Patch<String>,
    /// OVN `inScopeOf`.
    pub in_scope_of: Patch<Vec<AgentId>>,
}

/// `createAgreement` / `updateAgreement`, parsed.
#[derive(Debug, Clone, Default)]
pub struct AgreementPatch {
    /// `name`.
    pub name: Patch<String>,
    /// `created`.
    pub created: Patch<DateTime<Utc>>,
    /// `note`.
    pub note: Patch<String>,
}

/// `createCommitment` / `updateCommitment`, parsed (the action is given on create only).
#[derive(Debug, Clone, Default)]
pub struct CommitmentPatch {
    /// `provider`.
    pub provider: Patch<AgentId>,
    /// `receiver`.
    pub receiver: Patch<AgentId>,
    /// `resourceClassifiedAs`.
    pub resource_classified_as: Patch<Vec<Uri>>,
    /// `resourceConformsTo`.
    pub resource_conforms_to: Patch<ResourceSpecificationId>,
    /// `resourceInventoriedAs`.
    pub resource_inventoried_as: Patch<EconomicResourceId>,
    /// `resourceQuantity`.
    pub resource_quantity: Patch<Measure>,
    /// `effortQuantity`.
    pub effort_quantity: Patch<Measure>,
    /// `hasBeginning`.
    pub has_beginning: Patch<DateTime<Utc>>,
    /// `hasEnd`.
    pub has_end: Patch<DateTime<Utc>>,
    /// `hasPointInTime`.
    pub has_point_in_time: Patch<DateTime<Utc>>,
    /// `due`.
    pub due: Patch<DateTime<Utc>>,
    /// `finished`.
    pub finished: Patch<bool>,
    /// `note`.
    pub note: Patch<String>,
    /// `agreedIn`.
    pub agreed_in: Patch<Uri>,
    /// `inScopeOf`.
    pub in_scope_of: Patch<Vec<AgentId>>,
    /// `clauseOf`.
    pub clause_of: Patch<AgreementId>,
    /// VF 1.0 `reciprocalClauseOf`.
    pub reciprocal_clause_of: Patch<AgreementId>,
    /// `independentDemandOf`.
    pub independent_demand_of: Patch<PlanId>,
    /// `plannedWithin`.
    pub planned_within: Patch<PlanId>,
    /// `inputOf`.
    pub input_of: Patch<ProcessId>,
    /// `outputOf`.
    pub output_of: Patch<ProcessId>,
    /// OVN `stage`.
    pub stage: Patch<ProcessSpecificationId>,
}

/// `createFulfillment` / `updateFulfillment`, parsed.
#[derive(Debug, Clone, Default)]
pub struct FulfillmentPatch {
    /// `fulfilledBy`.
    pub fulfilled_by: Patch<EconomicEventId>,
    /// `fulfills`.
    pub fulfills: Patch<CommitmentId>,
    /// `resourceQuantity` (defaults to the event's).
    pub resource_quantity: Patch<Measure>,
    /// `effortQuantity` (defaults to the event's).
    pub effort_quantity: Patch<Measure>,
    /// `note`.
    pub note: Patch<String>,
}

/// Which commitments to list.
#[derive(Debug, Clone, Default)]
pub struct CommitmentFilter {
    /// Provided by.
    pub provider: Option<AgentId>,
    /// Received by.
    pub receiver: Option<AgentId>,
    /// Provided or received by.
    pub agent: Option<AgentId>,
    /// In scope of.
    pub in_scope_of: Option<AgentId>,
    /// About this resource.
    pub resource_inventoried_as: Option<EconomicResourceId>,
    /// About resources of this specification.
    pub resource_conforms_to: Option<ResourceSpecificationId>,
    /// Requiring this stage.
    pub stage: Option<ProcessSpecificationId>,
}

/// Which plans to list.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    /// Plans in which this agent provides or receives a commitment.
    pub agent: Option<AgentId>,
}

/// A fulfilment of `fulfills` by `fulfilled_by` with the event's quantities (the defaults).
pub(crate) fn fulfillment_draft(
    fulfilled_by: EconomicEventId,
    fulfills: CommitmentId,
) -> ovn_domain::planning::Fulfillment {
    fulfillment_draft_with(fulfilled_by, fulfills, FulfillmentPatch::default())
}
