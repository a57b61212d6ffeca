//! Reading: the document is parsed into typed nodes straight from its bytes, in one pass.
//! Nothing is checked here beyond the document's shape and its `@context`; a node of the wrong
//! shape is reported with its position in `@graph`.

use std::fmt;

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

struct GraphSeed;

impl<'de> DeserializeSeed<'de> for GraphSeed {
    type Value = Vec<Node>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for GraphSeed {
    type Value = Vec<Node>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of nodes")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut nodes = Vec::with_capacity(seq.size_hint().unwrap_or(1024));
        loop {
            match seq.next_element::<Node>() {
                Ok(Some(node)) => nodes.push(node),
                Ok(None) => return Ok(nodes),
                Err(err) => {
                    // serde_json appends the position again; keep the innermost message.
                    let text = err.to_string();
                    let message = text.rsplit_once(" at line ").map_or(text.as_str(), |(m, _)| m);
                    return Err(de::Error::custom(format!("@graph[{}]: {message}", nodes.len())));
                }
            }
        }
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = (Option<serde_json::Value>, Option<Vec<Node>>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a JSON-LD document {"@context": …, "@graph": […]}"#)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut context, mut graph) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "@context" => context = Some(map.next_value()?),
                "@graph" => graph = Some(map.next_value_seed(GraphSeed)?),
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok((context, graph))
    }
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
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let (context, graph) = deserializer.deserialize_map(DocumentVisitor).map_err(|err| syntax(err.to_string()))?;
    deserializer.end().map_err(|err| syntax(err.to_string()))?;
    check_context(context.as_ref())?;
    let nodes = graph.ok_or_else(|| syntax("the document has no @graph"))?;
    Ok(Document { nodes })
}
