//! Rows of the knowledge layer: units, resource specifications, process specifications.

use ovn_domain::knowledge::{ProcessSpecification, ResourceSpecification, Unit, ValuePerUnit};
use ovn_domain::{Name, ProcessSpecificationId, ResourceSpecificationId, UnitId, Uri};
use sea_orm::ActiveValue::Set;

use super::{Record, Stamps, id, opt, text, uris_from_json, uris_to_json};
use crate::decimal::DbDecimal;
use crate::entity::{process_specification, resource_specification, unit};
use crate::error::Result;

impl Record for Unit {
    type Entity = unit::Entity;
    type Row = unit::ActiveModel;
    type Id = UnitId;
    const KIND: &'static str = "unit";

    fn id(&self) -> UnitId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &unit::Model) -> i64 {
        row.revision
    }

    fn from_row(row: unit::Model) -> Result<Self> {
        Ok(Unit {
            id: id(&row.id, UnitId::parse)?,
            revision: row.revision,
            label: id(&row.label, |t| Name::parse("label", t))?,
            symbol: id(&row.symbol, |t| Name::parse("symbol", t))?,
            om_unit_identifier: row.om_unit_identifier,
        })
    }

    fn to_row(&self, stamps: Stamps) -> unit::ActiveModel {
        unit::ActiveModel {
            id: Set(self.id.to_string()),
            label: Set(self.label.as_str().to_owned()),
            symbol: Set(self.symbol.as_str().to_owned()),
            om_unit_identifier: Set(self.om_unit_identifier.clone()),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}

impl Record for ProcessSpecification {
    type Entity = process_specification::Entity;
    type Row = process_specification::ActiveModel;
    type Id = ProcessSpecificationId;
    const KIND: &'static str = "process specification";

    fn id(&self) -> ProcessSpecificationId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &process_specification::Model) -> i64 {
        row.revision
    }

    fn from_row(row: process_specification::Model) -> Result<Self> {
        Ok(ProcessSpecification {
            id: id(&row.id, ProcessSpecificationId::parse)?,
            revision: row.revision,
            name: id(&row.name, |t| Name::parse("name", t))?,
            note: row.note,
        })
    }

    fn to_row(&self, stamps: Stamps) -> process_specification::ActiveModel {
        process_specification::ActiveModel {
            id: Set(self.id.to_string()),
            name: Set(self.name.as_str().to_owned()),
            note: Set(self.note.clone()),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}

impl Record for ResourceSpecification {
    type Entity = resource_specification::Entity;
    type Row = resource_specification::ActiveModel;
    type Id = ResourceSpecificationId;
    const KIND: &'static str = "resource specification";

    fn id(&self) -> ResourceSpecificationId {
        self.id
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &resource_specification::Model) -> i64 {
        row.revision
    }

    fn from_row(row: resource_specification::Model) -> Result<Self> {
        Ok(ResourceSpecification {
            id: id(&row.id, ResourceSpecificationId::parse)?,
            revision: row.revision,
            name: id(&row.name, |t| Name::parse("name", t))?,
            image: opt(row.image.as_deref(), |t| Uri::parse("image", t))?,
            image_list: uris_from_json("imageList", row.image_list.as_deref())?,
            resource_classified_as: uris_from_json("resourceClassifiedAs", row.resource_classified_as.as_deref())?,
            note: row.note,
            default_unit_of_resource: opt(row.default_unit_of_resource.as_deref(), UnitId::parse)?,
            default_unit_of_effort: opt(row.default_unit_of_effort.as_deref(), UnitId::parse)?,
            substitutable: row.substitutable,
            default_value_per_unit: match row.default_value_per_unit {
                Some(value) => Some(ValuePerUnit {
                    value: value.0,
                    unit: opt(row.default_value_per_unit_unit.as_deref(), UnitId::parse)?,
                }),
                None => None,
            },
            medium_of_exchange: row.medium_of_exchange,
        })
    }

    fn to_row(&self, stamps: Stamps) -> resource_specification::ActiveModel {
        resource_specification::ActiveModel {
            id: Set(self.id.to_string()),
            name: Set(self.name.as_str().to_owned()),
            image: Set(self.image.as_ref().map(|i| i.as_str().to_owned())),
            image_list: Set(uris_to_json(&self.image_list)),
            resource_classified_as: Set(uris_to_json(&self.resource_classified_as)),
            note: Set(self.note.clone()),
            default_unit_of_resource: Set(text(self.default_unit_of_resource)),
            default_unit_of_effort: Set(text(self.default_unit_of_effort)),
            substitutable: Set(self.substitutable),
            default_value_per_unit: Set(self.default_value_per_unit.map(|v| DbDecimal(v.value))),
            default_value_per_unit_unit: Set(text(self.default_value_per_unit.and_then(|v| v.unit))),
            medium_of_exchange: Set(self.medium_of_exchange),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}
