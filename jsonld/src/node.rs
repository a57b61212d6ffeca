//! One node of the `@graph`, as serde reads and writes it: every term ovn knows, each
//! optional, in the order they are written.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An `om2:Measure`: the number as an exact decimal string, and the unit's IRI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct JsonMeasure {
    #[serde(rename = "om2:hasNumericalValue")]
    pub value: String,
    #[serde(rename = "om2:hasUnit", default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(deserializer)? {
        None => Vec::new(),
        Some(OneOrMany::One(one)) => vec![one],
        Some(OneOrMany::Many(many)) => many,
    })
}

fn type_or_types<S: Serializer>(types: &[String], serializer: S) -> Result<S::Ok, S::Error> {
    match types {
        [one] => serializer.serialize_str(one),
        many => many.serialize(serializer),
    }
}

/// One node of the `@graph`, whatever its type: every term ovn reads or writes, each optional.
/// The field order is the order terms are written in. Opaque outside this crate: a streamed
/// node goes from [`crate::stream_reader`] straight to [`crate::StreamCheck::push`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Node {
    #[serde(rename = "@id")]
    pub(crate) id: String,
    #[serde(rename = "@type", serialize_with = "type_or_types", deserialize_with = "one_or_many")]
    pub(crate) types: Vec<String>,
    #[serde(rename = "rdfs:label", skip_serializing_if = "Option::is_none")]
    pub(crate) label: Option<String>,
    #[serde(rename = "om2:symbol", skip_serializing_if = "Option::is_none")]
    pub(crate) symbol: Option<String>,
    #[serde(rename = "ovn:omUnitIdentifier", skip_serializing_if = "Option::is_none")]
    pub(crate) om_unit_identifier: Option<String>,
    #[serde(rename = "vf:name", skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(rename = "vf:roleLabel", skip_serializing_if = "Option::is_none")]
    pub(crate) role_label: Option<String>,
    #[serde(rename = "vf:inverseRoleLabel", skip_serializing_if = "Option::is_none")]
    pub(crate) inverse_role_label: Option<String>,
    #[serde(rename = "vf:subject", skip_serializing_if = "Option::is_none")]
    pub(crate) subject: Option<String>,
    #[serde(rename = "vf:relationship", skip_serializing_if = "Option::is_none")]
    pub(crate) relationship: Option<String>,
    #[serde(rename = "vf:object", skip_serializing_if = "Option::is_none")]
    pub(crate) object: Option<String>,
    #[serde(rename = "vf:action", skip_serializing_if = "Option::is_none")]
    pub(crate) action: Option<String>,
    #[serde(rename = "vf:provider", skip_serializing_if = "Option::is_none")]
    pub(crate) provider: Option<String>,
    #[serde(rename = "vf:receiver", skip_serializing_if = "Option::is_none")]
    pub(crate) receiver: Option<String>,
    #[serde(rename = "vf:resourceInventoriedAs", skip_serializing_if = "Option::is_none")]
    pub(crate) resource_inventoried_as: Option<String>,
    #[serde(rename = "vf:toResourceInventoriedAs", skip_serializing_if = "Option::is_none")]
    pub(crate) to_resource_inventoried_as: Option<String>,
    #[serde(rename = "ovn:newInventoriedResource", skip_serializing_if = "Option::is_none")]
    pub(crate) new_inventoried_resource: Option<String>,
    #[serde(rename = "vf:resourceConformsTo", skip_serializing_if = "Option::is_none")]
    pub(crate) resource_conforms_to: Option<String>,
    #[serde(
        rename = "vf:resourceClassifiedAs",
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub(crate) resource_classified_as: Vec<String>,
    #[serde(rename = "vf:resourceQuantity", skip_serializing_if = "Option::is_none")]
    pub(crate) resource_quantity: Option<JsonMeasure>,
    #[serde(rename = "vf:effortQuantity", skip_serializing_if = "Option::is_none")]
    pub(crate) effort_quantity: Option<JsonMeasure>,
    #[serde(rename = "vf:inputOf", skip_serializing_if = "Option::is_none")]
    pub(crate) input_of: Option<String>,
    #[serde(rename = "vf:outputOf", skip_serializing_if = "Option::is_none")]
    pub(crate) output_of: Option<String>,
    #[serde(rename = "vf:hasBeginning", skip_serializing_if = "Option::is_none")]
    pub(crate) has_beginning: Option<String>,
    #[serde(rename = "vf:hasEnd", skip_serializing_if = "Option::is_none")]
    pub(crate) has_end: Option<String>,
    #[serde(rename = "vf:hasPointInTime", skip_serializing_if = "Option::is_none")]
    pub(crate) has_point_in_time: Option<String>,
    #[serde(rename = "vf:finished", skip_serializing_if = "Option::is_none")]
    pub(crate) finished: Option<bool>,
    #[serde(rename = "vf:atLocation", skip_serializing_if = "Option::is_none")]
    pub(crate) at_location: Option<String>,
    #[serde(rename = "vf:toLocation", skip_serializing_if = "Option::is_none")]
    pub(crate) to_location: Option<String>,
    #[serde(rename = "vf:corrects", skip_serializing_if = "Option::is_none")]
    pub(crate) corrects: Option<String>,
    #[serde(rename = "vf:triggeredBy", skip_serializing_if = "Option::is_none")]
    pub(crate) triggered_by: Option<String>,
    #[serde(rename = "vf:agreedIn", skip_serializing_if = "Option::is_none")]
    pub(crate) agreed_in: Option<String>,
    #[serde(rename = "ovn:declaredValue", skip_serializing_if = "Option::is_none")]
    pub(crate) declared_value: Option<JsonMeasure>,
    #[serde(rename = "vf:conformsTo", skip_serializing_if = "Option::is_none")]
    pub(crate) conforms_to: Option<String>,
    #[serde(rename = "vf:trackingIdentifier", skip_serializing_if = "Option::is_none")]
    pub(crate) tracking_identifier: Option<String>,
    #[serde(rename = "vf:accountingQuantity", skip_serializing_if = "Option::is_none")]
    pub(crate) accounting_quantity: Option<JsonMeasure>,
    #[serde(rename = "vf:onhandQuantity", skip_serializing_if = "Option::is_none")]
    pub(crate) onhand_quantity: Option<JsonMeasure>,
    #[serde(rename = "vf:primaryAccountable", skip_serializing_if = "Option::is_none")]
    pub(crate) primary_accountable: Option<String>,
    #[serde(rename = "ovn:custodian", skip_serializing_if = "Option::is_none")]
    pub(crate) custodian: Option<String>,
    #[serde(rename = "vf:currentLocation", skip_serializing_if = "Option::is_none")]
    pub(crate) current_location: Option<String>,
    #[serde(rename = "vf:containedIn", skip_serializing_if = "Option::is_none")]
    pub(crate) contained_in: Option<String>,
    #[serde(rename = "vf:stage", skip_serializing_if = "Option::is_none")]
    pub(crate) stage: Option<String>,
    #[serde(rename = "vf:state", skip_serializing_if = "Option::is_none")]
    pub(crate) state: Option<String>,
    #[serde(rename = "vf:unitOfEffort", skip_serializing_if = "Option::is_none")]
    pub(crate) unit_of_effort: Option<String>,
    #[serde(rename = "ovn:propertyRegime", skip_serializing_if = "Option::is_none")]
    pub(crate) property_regime: Option<String>,
    #[serde(rename = "ovn:valuePerUnitOfUse", skip_serializing_if = "Option::is_none")]
    pub(crate) value_per_unit_of_use: Option<JsonMeasure>,
    #[serde(rename = "vf:basedOn", skip_serializing_if = "Option::is_none")]
    pub(crate) based_on: Option<String>,
    #[serde(rename = "vf:defaultUnitOfResource", skip_serializing_if = "Option::is_none")]
    pub(crate) default_unit_of_resource: Option<String>,
    #[serde(rename = "vf:defaultUnitOfEffort", skip_serializing_if = "Option::is_none")]
    pub(crate) default_unit_of_effort: Option<String>,
    #[serde(rename = "vf:substitutable", skip_serializing_if = "Option::is_none")]
    pub(crate) substitutable: Option<bool>,
    #[serde(rename = "vf:mediumOfExchange", skip_serializing_if = "Option::is_none")]
    pub(crate) medium_of_exchange: Option<bool>,
    #[serde(rename = "ovn:defaultValuePerUnit", skip_serializing_if = "Option::is_none")]
    pub(crate) default_value_per_unit: Option<JsonMeasure>,
    #[serde(rename = "vf:classifiedAs", skip_serializing_if = "Vec::is_empty", deserialize_with = "one_or_many")]
    pub(crate) classified_as: Vec<String>,
    #[serde(rename = "vf:image", skip_serializing_if = "Option::is_none")]
    pub(crate) image: Option<String>,
    #[serde(rename = "vf:imageList", skip_serializing_if = "Vec::is_empty", deserialize_with = "one_or_many")]
    pub(crate) image_list: Vec<String>,
    #[serde(rename = "vf:inScopeOf", skip_serializing_if = "Vec::is_empty", deserialize_with = "one_or_many")]
    pub(crate) in_scope_of: Vec<String>,
    #[serde(rename = "vf:note", skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
    #[serde(rename = "ovn:created", skip_serializing_if = "Option::is_none")]
    pub(crate) created: Option<String>,
}
