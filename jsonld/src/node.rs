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
/// The field order is the order terms are written in.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Node {
    #[serde(rename = "@id")]
    pub id: String,
    #[serde(rename = "@type", serialize_with = "type_or_types", deserialize_with = "one_or_many")]
    pub types: Vec<String>,
    #[serde(rename = "rdfs:label", skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(rename = "om2:symbol", skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    #[serde(rename = "ovn:omUnitIdentifier", skip_serializing_if = "Option::is_none")]
    pub om_unit_identifier: Option<String>,
    #[serde(rename = "vf:name", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "vf:roleLabel", skip_serializing_if = "Option::is_none")]
    pub role_label: Option<String>,
    #[serde(rename = "vf:inverseRoleLabel", skip_serializing_if = "Option::is_none")]
    pub inverse_role_label: Option<String>,
    #[serde(rename = "vf:subject", skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(rename = "vf:relationship", skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    #[serde(rename = "vf:object", skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    #[serde(rename = "vf:action", skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(rename = "vf:provider", skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(rename = "vf:receiver", skip_serializing_if = "Option::is_none")]
    pub receiver: Option<String>,
    #[serde(rename = "vf:resourceInventoriedAs", skip_serializing_if = "Option::is_none")]
    pub resource_inventoried_as: Option<String>,
    #[serde(rename = "vf:toResourceInventoriedAs", skip_serializing_if = "Option::is_none")]
    pub to_resource_inventoried_as: Option<String>,
    #[serde(rename = "ovn:newInventoriedResource", skip_serializing_if = "Option::is_none")]
    pub new_inventoried_resource: Option<String>,
    #[serde(rename = "vf:resourceConformsTo", skip_serializing_if = "Option::is_none")]
    pub resource_conforms_to: Option<String>,
    #[serde(
        rename = "vf:resourceClassifiedAs",
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "one_or_many"
    )]
    pub resource_classified_as: Vec<String>,
    #[serde(rename = "vf:resourceQuantity", skip_serializing_if = "Option::is_none")]
    pub resource_quantity: Option<JsonMeasure>,
    #[serde(rename = "vf:effortQuantity", skip_serializing_if = "Option::is_none")]
    pub effort_quantity: Option<JsonMeasure>,
    #[serde(rename = "vf:inputOf", skip_serializing_if = "Option::is_none")]
    pub input_of: Option<String>,
    #[serde(rename = "vf:outputOf", skip_serializing_if = "Option::is_none")]
    pub output_of: Option<String>,
    #[serde(rename = "vf:hasBeginning", skip_serializing_if = "Option::is_none")]
    pub has_beginning: Option<String>,
    #[serde(rename = "vf:hasEnd", skip_serializing_if = "Option::is_none")]
    pub has_end: Option<String>,
    #[serde(rename = "vf:hasPointInTime", skip_serializing_if = "Option::is_none")]
    pub has_point_in_time: Option<String>,
    #[serde(rename = "vf:finished", skip_serializing_if = "Option::is_none")]
    pub finished: Option<bool>,
    #[serde(rename = "vf:atLocation", skip_serializing_if = "Option::is_none")]
    pub at_location: Option<String>,
    #[serde(rename = "vf:toLocation", skip_serializing_if = "Option::is_none")]
    pub to_location: Option<String>,
    #[serde(rename = "vf:corrects", skip_serializing_if = "Option::is_none")]
    pub corrects: Option<String>,
    #[serde(rename = "vf:triggeredBy", skip_serializing_if = "Option::is_none")]
    pub triggered_by: Option<String>,
    #[serde(rename = "vf:agreedIn", skip_serializing_if = "Option::is_none")]
    pub agreed_in: Option<String>,
    #[serde(rename = "ovn:declaredValue", skip_serializing_if = "Option::is_none")]
    pub declared_value: Option<JsonMeasure>,
    #[serde(rename = "vf:conformsTo", skip_serializing_if = "Option::is_none")]
    pub conforms_to: Option<String>,
    #[serde(rename = "vf:trackingIdentifier", skip_serializing_if = "Option::is_none")]
    pub tracking_identifier: Option<String>,
    #[serde(rename = "vf:accountingQuantity", skip_serializing_if = "Option::is_none")]
    pub accounting_quantity: Option<JsonMeasure>,
    #[serde(rename = "vf:onhandQuantity", skip_serializing_if = "Option::is_none")]
    pub onhand_quantity: Option<JsonMeasure>,
    #[serde(rename = "vf:primaryAccountable", skip_serializing_if = "Option::is_none")]
    pub primary_accountable: Option<String>,
    #[serde(rename = "ovn:custodian", skip_serializing_if = "Option::is_none")]
    pub custodian: Option<String>,
    #[serde(rename = "vf:currentLocation", skip_serializing_if = "Option::is_none")]
    pub current_location: Option<String>,
    #[serde(rename = "vf:containedIn", skip_serializing_if = "Option::is_none")]
    pub contained_in: Option<String>,
    #[serde(rename = "vf:stage", skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(rename = "vf:state", skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(rename = "vf:unitOfEffort", skip_serializing_if = "Option::is_none")]
    pub unit_of_effort: Option<String>,
    #[serde(rename = "ovn:propertyRegime", skip_serializing_if = "Option::is_none")]
    pub property_regime: Option<String>,
    #[serde(rename = "ovn:valuePerUnitOfUse", skip_serializing_if = "Option::is_none")]
    pub value_per_unit_of_use: Option<JsonMeasure>,
    #[serde(rename = "vf:basedOn", skip_serializing_if = "Option::is_none")]
    pub based_on: Option<String>,
    #[serde(rename = "vf:defaultUnitOfResource", skip_serializing_if = "Option::is_none")]
    pub default_unit_of_resource: Option<String>,
    #[serde(rename = "vf:defaultUnitOfEffort", skip_serializing_if = "Option::is_none")]
    pub default_unit_of_effort: Option<String>,
    #[serde(rename = "vf:substitutable", skip_serializing_if = "Option::is_none")]
    pub substitutable: Option<bool>,
    #[serde(rename = "ovn:defaultValuePerUnit", skip_serializing_if = "Option::is_none")]
    pub default_value_per_unit: Option<JsonMeasure>,
    #[serde(rename = "vf:classifiedAs", skip_serializing_if = "Vec::is_empty", deserialize_with = "one_or_many")]
    pub classified_as: Vec<String>,
    #[serde(rename = "vf:image", skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(rename = "vf:imageList", skip_serializing_if = "Vec::is_empty", deserialize_with = "one_or_many")]
    pub image_list: Vec<String>,
    #[serde(rename = "vf:inScopeOf", skip_serializing_if = "Vec::is_empty", deserialize_with = "one_or_many")]
    pub in_scope_of: Vec<String>,
    #[serde(rename = "vf:note", skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(rename = "ovn:created", skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}
