//! The flow module's arguments.

use async_graphql::Enum;
use ovn_domain::flow::Direction;

/// Which way a process tree grows from its resource.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum FlowDirection {
    /// Towards the origins: what went into the resource.
    Upstream,
    /// Towards the uses: where the resource went.
    Downstream,
}

impl From<FlowDirection> for Direction {
    fn from(direction: FlowDirection) -> Self {
        match direction {
            FlowDirection::Upstream => Self::Upstream,
            FlowDirection::Downstream => Self::Downstream,
        }
    }
}

/// `maxNodes` of `flowGraph`: none means the server's bound; a negative bound is refused.
pub fn parse_max_nodes(max_nodes: Option<i32>) -> Result<Option<usize>, ovn_domain::DomainError> {
    max_nodes
        .map(|m| usize::try_from(m).map_err(|_| ovn_domain::DomainError::invalid("maxNodes", "must not be negative")))
        .transpose()
}

/// `maxDepth` of `processTree`: none means the whole tree; a negative depth is refused.
pub fn parse_max_depth(max_depth: Option<i32>) -> Result<Option<u32>, ovn_domain::DomainError> {
    max_depth
        .map(|d| u32::try_from(d).map_err(|_| ovn_domain::DomainError::invalid("maxDepth", "must not be negative")))
        .transpose()
}
