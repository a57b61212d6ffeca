//! A process (vf-graphql module `process`): where inputs become outputs, in a time interval.

use chrono::{DateTime, Utc};

use crate::text::{Name, Uri};
use crate::{AgentId, DomainError, PlanId, ProcessId, ProcessSpecificationId};

/// Checks a time interval (`hasBeginning`, `hasEnd`) of an event, a process or any record
/// that has one: it must not end before it begins. Either end may be open.
pub fn check_interval(has_beginning: Option<DateTime<Utc>>, has_end: Option<DateTime<Utc>>) -> Result<(), DomainError> {
    if let (Some(begin), Some(end)) = (has_beginning, has_end)
        && end < begin
    {
        return Err(DomainError::invalid("hasEnd", "is before hasBeginning"));
    }
    Ok(())
}

/// A process: where inputs become outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    /// Identity.
    pub id: ProcessId,
    /// Revision.
    pub revision: i64,
    /// `name`.
    pub name: Name,
    /// `hasBeginning`.
    pub has_beginning: Option<DateTime<Utc>>,
    /// `hasEnd`.
    pub has_end: Option<DateTime<Utc>>,
    /// `finished`.
    pub finished: bool,
    /// `classifiedAs`.
    pub classified_as: Vec<Uri>,
    /// `note`.
    pub note: Option<String>,
    /// `basedOn`.
    pub based_on: Option<ProcessSpecificationId>,
    /// `inScopeOf`.
    pub in_scope_of: Vec<AgentId>,
    /// `plannedWithin`: the plan the process is part of.
    pub planned_within: Option<PlanId>,
}

impl Process {
    /// Checks what a process's fields say together: its interval is ordered.
    pub fn validate(&self) -> Result<(), DomainError> {
        check_interval(self.has_beginning, self.has_end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interval_must_not_end_before_it_begins() {
        let now = Utc::now();
        let hour = chrono::Duration::hours(1);
        assert_eq!(
            check_interval(Some(now), Some(now - hour)),
            Err(DomainError::invalid("hasEnd", "is before hasBeginning"))
        );
        assert_eq!(check_interval(Some(now), Some(now)), Ok(()));
        assert_eq!(check_interval(None, Some(now - hour)), Ok(()));
        assert_eq!(check_interval(Some(now), None), Ok(()));
    }
}
