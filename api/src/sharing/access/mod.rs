//! Access rules of shared resources (OVN, DESIGN 6): `setAccessRule` writes the next version of
//! the rule of a resource (by its owner) or of a resource specification (by a steward of the
//! rule's scope); `accessRuleHistory` reads every version; `EconomicResource.accessRules` is the
//! rule in force. A nondominium resource's rule changes only through a passed
//! `CHANGE_ACCESS_RULE` governance proposal (`api/src/governance`).

pub mod inputs;
pub mod mutation;
pub mod objects;
pub mod query;

pub use mutation::AccessRuleMutation;
pub use query::AccessRuleQuery;
