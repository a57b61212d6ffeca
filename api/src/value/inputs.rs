//! The value module's inputs, each converted into the store's command in one `TryFrom`. A
//! refused part of a bucket names its path (`buckets[1].rules[0].formula: at position 12:
//! unknown variable ...`), in the order the client sent the buckets and rules.

use async_graphql::{ID, InputObject, MaybeUndefined};
use ovn_domain::text::{Name, parse_note};
use ovn_domain::value::equation::{Bucket, EquationDraft, Rule};
use ovn_domain::value::formula::Formula;
use ovn_domain::{
    Action, AgentId, DomainError, ProcessSpecificationId, ResourceSpecificationId, ValueEquationBucketId,
    ValueEquationId, ValueEquationRuleId,
};
use ovn_persistence::value::EquationPatch;

use super::objects::{BucketKind, ClaimType, PercentageBehavior, Valuation};
use crate::convert::{Update, note, patch, revision};
use crate::scalars::{DateTime, Decimal, Uri};

/// OVN: a new version of a scope's value equation (a `DRAFT`).
#[derive(InputObject)]
pub struct ValueEquationCreateParams {
    /// (`Agent`) The project or network the equation belongs to.
    pub scope: ID,
    /// Name.
    pub name: String,
    /// How bucket percentages apply.
    pub percentage_behavior: PercentageBehavior,
    /// How the version values contributions recorded before its adoption.
    #[graphql(default_with = "Some(Valuation::Restate)")]
    pub valuation: Option<Valuation>,
    /// A textual description or comment.
    pub note: Option<String>,
    /// The buckets (they run in the order of their `sequence`).
    pub buckets: Vec<ValueEquationBucketParams>,
}

/// OVN: changes to a draft version. Buckets, when given, replace all of its buckets.
#[derive(InputObject)]
pub struct ValueEquationUpdateParams {
    /// The version (optional: `revisionId` names it; when given, it must be the same).
    pub id: Option<ID>,
    /// The revision the change is made against.
    pub revision_id: ID,
    /// Name.
    pub name: Option<String>,
    /// How bucket percentages apply.
    pub percentage_behavior: Option<PercentageBehavior>,
    /// How the version values contributions recorded before its adoption.
    pub valuation: Option<Valuation>,
    /// A textual description or comment.
    pub note: MaybeUndefined<String>,
    /// Every bucket of the new draft.
    pub buckets: Option<Vec<ValueEquationBucketParams>>,
}

/// OVN: a bucket of a value equation.
#[derive(InputObject)]
pub struct ValueEquationBucketParams {
    /// Order among the buckets.
    pub sequence: i32,
    /// Name.
    pub name: String,
    /// What the bucket pays.
    pub kind: BucketKind,
    /// Its percentage, more than 0 and at most 100.
    pub percentage: Decimal,
    /// (`Agent`) The recipient of an `AGENT` bucket.
    pub recipient: Option<ID>,
    /// A `PERIOD` bucket's first instant (inclusive).
    pub period_start: Option<DateTime>,
    /// A `PERIOD` bucket's last instant (exclusive).
    pub period_end: Option<DateTime>,
    /// The rules of a contribution bucket, in order.
    pub rules: Option<Vec<ValueEquationRuleParams>>,
}

/// OVN: a rule of a contribution bucket.
#[derive(InputObject)]
pub struct ValueEquationRuleParams {
    /// (`Action`) The events' action.
    pub action: ID,
    /// (`ResourceSpecification`) Matches only events whose resource conforms to it.
    pub resource_conforms_to: Option<ID>,
    /// Matches only events whose resource is classified as one of these.
    pub resource_classified_as: Option<Vec<Uri>>,
    /// (`ProcessSpecification`) Matches only events of processes based on it.
    pub process_conforms_to: Option<ID>,
    /// Matches only events of processes classified as one of these.
    pub process_classified_as: Option<Vec<Uri>>,
    /// The value of a matching contribution (`quantity * rate * 1.5`).
    pub formula: String,
    /// How the value shares in distributions.
    pub claim_type: ClaimType,
}

/// Parses an optional id of a bucket's or rule's field; a bad one names the field's path.
fn path_id<T>(
    path: &str,
    id: &Option<ID>,
    parse: impl Fn(&str) -> Result<T, DomainError>,
) -> Result<Option<T>, DomainError> {
    id.as_ref().map(|id| parse(id.as_str()).map_err(|e| DomainError::invalid(path, e.to_string()))).transpose()
}

fn rule(path: &str, r: &ValueEquationRuleParams) -> Result<Rule, DomainError> {
    let field = |name: &str| format!("{path}.{name}");
    let action = Action::parse(r.action.as_str()).map_err(|e| DomainError::invalid(field("action"), e.to_string()))?;
    Ok(Rule {
        id: ValueEquationRuleId::new(),
        action,
        resource_conforms_to: path_id(
            &field("resourceConformsTo"),
            &r.resource_conforms_to,
            ResourceSpecificationId::parse,
        )?,
        resource_classified_as: Uri::list(
            &field("resourceClassifiedAs"),
            r.resource_classified_as.as_deref().unwrap_or_default(),
        )?,
        process_conforms_to: path_id(
            &field("processConformsTo"),
            &r.process_conforms_to,
            ProcessSpecificationId::parse,
        )?,
        process_classified_as: Uri::list(
            &field("processClassifiedAs"),
            r.process_classified_as.as_deref().unwrap_or_default(),
        )?,
        formula: Formula::parse(&r.formula).map_err(|e| DomainError::invalid(field("formula"), e.to_string()))?,
        claim_type: r.claim_type.into(),
    })
}

fn bucket(i: usize, b: &ValueEquationBucketParams) -> Result<Bucket, DomainError> {
    let path = format!("buckets[{i}]");
    let rules = b
        .rules
        .iter()
        .flatten()
        .enumerate()
        .map(|(j, r)| rule(&format!("{path}.rules[{j}]"), r))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Bucket {
        id: ValueEquationBucketId::new(),
        sequence: b.sequence,
        name: Name::parse(&format!("{path}.name"), &b.name)?.as_str().to_owned(),
        kind: b.kind.into(),
        percentage: b.percentage.0,
        recipient: path_id(&format!("{path}.recipient"), &b.recipient, AgentId::parse)?,
        period_start: b.period_start,
        period_end: b.period_end,
        rules,
    })
}

fn buckets(list: &[ValueEquationBucketParams]) -> Result<Vec<Bucket>, DomainError> {
    list.iter().enumerate().map(|(i, b)| bucket(i, b)).collect()
}

impl TryFrom<ValueEquationCreateParams> for EquationDraft {
    type Error = DomainError;

    fn try_from(e: ValueEquationCreateParams) -> Result<Self, DomainError> {
        Ok(Self {
            scope: AgentId::parse(e.scope.as_str())?,
            name: Name::parse("name", &e.name)?.as_str().to_owned(),
            percentage_behavior: e.percentage_behavior.into(),
            valuation: e.valuation.unwrap_or(Valuation::Restate).into(),
            note: note(&e.note)?,
            buckets: buckets(&e.buckets)?,
        })
    }
}

impl TryFrom<ValueEquationUpdateParams> for Update<ValueEquationId, EquationPatch> {
    type Error = DomainError;

    fn try_from(e: ValueEquationUpdateParams) -> Result<Self, DomainError> {
        let revision = revision(&e.revision_id, ValueEquationId::parse)?;
        if let Some(id) = &e.id
            && ValueEquationId::parse(id.as_str())? != revision.id
        {
            return Err(DomainError::invalid("id", "names another value equation than revisionId"));
        }
        Ok(Self {
            revision,
            changes: EquationPatch {
                name: e.name.as_deref().map(|n| Name::parse("name", n).map(|n| n.as_str().to_owned())).transpose()?,
                percentage_behavior: e.percentage_behavior.map(Into::into),
                valuation: e.valuation.map(Into::into),
                note: patch(&e.note).try_map(|n| parse_note("note", &n))?,
                buckets: e.buckets.as_deref().map(buckets).transpose()?,
            },
        })
    }
}
