//! Track and trace over the flow graph: where a resource came from, where it went, and the
//! process tree that shows how value amalgamates into a product.
//!
//! Why: tracing a deliverable back to every contribution is what the value engine and the
//! analysts of an OVN need, and the graph can have 100,000+ nodes. So the walks here are
//! pure functions over an in-memory slice of the graph ([`FlowGraph`]) that persistence loads
//! level by level in a few batched queries ([`SliceLoader`]); they are iterative (an explicit
//! stack, never recursion on the Rust stack) and keep a visited set, so cycles never hang.
//!
//! The rules follow VF 1.0 (`algorithms/track.md`):
//! - one step ([`FlowGraph::previous`] / [`FlowGraph::next`]): a resource's previous are the
//!   process outputs into it, the transfers/moves/copies into it (`toResourceInventoriedAs`)
//!   and raise/lower events on it; an event's previous is its output process, else its
//!   resource; a process's previous are its inputs. `next` mirrors this: a resource's next are
//!   the events that take from it (not the outputs into it, nor raises, which are its past);
//!   an event's next is its input process, else (output or raise) its resource, else its
//!   to-resource (VF's pseudocode forgets the raise, which would leave it a dead end);
//!   a process's next are its outputs.
//! - pairing: a trace follows a `pickup` only when it came through the matching `dropoff` of
//!   the same resource in the same process, an `accept` only through the matching `modify`
//!   (same resource, same process), and a `combine` only when the resource was seen
//!   `separate`d (same resource, any process: packing and unpacking are different processes).
//!   Track mirrors it. So a trace does not fan out into everything else a truck carried, a
//!   repair shop fixed or a box held.
//! - breadcrumbs: when a walk reaches a resource through an event, it only follows that
//!   resource's events recorded *before* that event (trace) or *after* it (track). This is
//!   VF's `previousEvent` breadcrumb, derived from recording order (`created`, then the
//!   time-ordered id) instead of stored, and it is what makes a resource that passes through
//!   the same kind of process again and again trace correctly.

mod graph;
mod slice;
mod tree;
mod walk;

pub use graph::{Direction, FlowEvent, FlowGraph, FlowNode, OrderKey};
pub use slice::{LoadRequest, SliceLoader};
pub use tree::{ProcessTree, TreeEdge, TreeNode};
pub use walk::FlowStep;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod append_tests;
