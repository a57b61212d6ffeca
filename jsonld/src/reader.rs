//! Reading: the document is parsed into typed nodes in one pass, either all at once
//! ([`read_document`]) or streamed node by node to a visitor ([`stream_slice`],
//! [`stream_reader`]), so that a ledger of millions of events is never held whole. Nothing is
//! checked here beyond the document's shape and its `@context`; a node of the wrong shape is
//! reported with its position in `@graph`.

use std::fmt;
use std::io;
use std::ops::ControlFlow;

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, SeqAccess, Visitor};

use crate::error::{Error, Problem};
use crate::node::Node;
use crate::vocabulary::{OM2_NAMESPACE, OVN_NAMESPACE, VF_NAMESPACE};

/// The document as read: its context (checked lightly) and its nodes.
pub struct Document {
    pub(crate) nodes: Vec<Node>,
}

impl Document {
    /// How many nodes `@graph` holds.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether `@graph` is empty.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// Hands each node of `@graph` to `visit` as soon as it is parsed, with its index; nothing is
/// collected. `visit` answers whether to go on.
struct GraphSeed<'v, F> {
    visit: &'v mut F,
    stopped: &'v mut bool,
}

impl<'de, F: FnMut(usize, Node) -> ControlFlow<()>> DeserializeSeed<'de> for GraphSeed<'_, F> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(usize, Node) -> ControlFlow<()>> Visitor<'de> for GraphSeed<'_, F> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of nodes")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut index = 0;
        loop {
            match seq.next_element::<Node>() {
                Ok(Some(node)) => {
                    if (self.visit)(index, node).is_break() {
                        // Stopping half-way through the array is an error to serde; the flag
                        // tells the caller it was asked for.
                        *self.stopped = true;
                        return Err(de::Error::custom("stopped"));
                    }
                    index += 1;
                }
                Ok(None) => return Ok(index),
                Err(err) => {
                    // serde_json appends the position again; keep the innermost message.
                    let text = err.to_string();
                    let message = text.rsplit_once(" at line ").map_or(text.as_str(), |(m, _)| m);
                    return Err(de::Error::custom(format!("@graph[{index}]: {message}")));
                }
            }
        }
    }
}

struct DocumentVisitor<'v, F> {
    visit: &'v mut F,
    stopped: &'v mut bool,
}

impl<'de, F: FnMut(usize, Node) -> ControlFlow<()>> Visitor<'de> for DocumentVisitor<'_, F> {
    type Value = (Option<serde_json::Value>, Option<usize>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a JSON-LD document {"@context": …, "@graph": […]}"#)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut context, mut graph) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "@context" => context = Some(map.next_value()?),
                "@graph" if graph.is_none() => {
                    graph =
                        Some(map.next_value_seed(GraphSeed { visit: &mut *self.visit, stopped: &mut *self.stopped })?);
                }
                "@graph" => return Err(de::Error::custom("the document has two @graph")),
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok((context, graph))
    }
}

/// How a streamed read ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streamed {
    /// The whole document was read; `@graph` held this many nodes.
    Complete(usize),
    /// The visitor asked to stop; the rest of the document was not read.
    Stopped,
}

fn stream<'de, R: serde_json::de::Read<'de>>(
    mut deserializer: serde_json::Deserializer<R>,
    mut visit: impl FnMut(usize, Node) -> ControlFlow<()>,
) -> Result<Streamed, Error> {
    let mut stopped = false;
    let read = deserializer.deserialize_map(DocumentVisitor { visit: &mut visit, stopped: &mut stopped });
    if stopped {
        return Ok(Streamed::Stopped);
    }
    let (context, graph) = read.map_err(|err| syntax(err.to_string()))?;
    deserializer.end().map_err(|err| syntax(err.to_string()))?;
    // The context is checked once it is known; a document whose context comes after `@graph`
    // has had its nodes visited by then, and is refused here, before anything is kept.
    check_context(context.as_ref())?;
    graph.map(Streamed::Complete).ok_or_else(|| syntax("the document has no @graph"))
}

/// Streams the nodes of a document held in memory to `visit`, one at a time, in `@graph`
/// order, without collecting them. A syntax error is reported with the index of the node it
/// is in; the `@context` is checked at the end (nodes already visited are then refused with
/// the whole document).
pub fn stream_slice(bytes: &[u8], visit: impl FnMut(usize, Node) -> ControlFlow<()>) -> Result<Streamed, Error> {
    stream(serde_json::Deserializer::from_slice(bytes), visit)
}

/// Like [`stream_slice`], from any reader (hand it a buffered one): memory stays bounded by
/// one node, however large the document.
pub fn stream_reader<R: io::Read>(
    reader: R,
    visit: impl FnMut(usize, Node) -> ControlFlow<()>,
) -> Result<Streamed, Error> {
    stream(serde_json::Deserializer::from_reader(reader), visit)
}

fn syntax(message: impl Into<String>) -> Error {
    Error::Syntax(Problem { index: None, id: None, message: message.into() })
}

fn check_context(context: Option<&serde_json::Value>) -> Result<(), Error> {
    let Some(serde_json::Value::Object(map)) = context else {
        return Err(syntax("@context is missing or not an object"));
    };
    for (prefix, namespace) in [("vf", VF_NAMESPACE), ("om2", OM2_NAMESPACE), ("ovn", OVN_NAMESPACE)] {
        match map.get(prefix) {
            Some(serde_json::Value::String(text)) if text == namespace => {}
            None => {}
            Some(other) => {
                return Err(syntax(format!("@context maps `{prefix}` to {other}, not to <{namespace}>")));
            }
        }
    }
    Ok(())
}

/// Parses a document held in memory (nothing is checked beyond its shape).
pub fn read_document(bytes: &[u8]) -> Result<Document, Error> {
    let mut nodes = Vec::new();
    stream_slice(bytes, |_, node| {
        nodes.push(node);
        ControlFlow::Continue(())
    })?;
    Ok(Document { nodes })
}
