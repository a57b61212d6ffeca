//! The custodian agreement as a [`Record`]: its row in `custodian_agreement`, revisioned
//! because a passed `TRANSFER_CUSTODIANSHIP` proposal changes its custodian.

use ovn_domain::sharing::custody::CustodianAgreement;
use ovn_domain::{AgentId, AgreementId};
use sea_orm::ActiveValue::Set;

use super::{Record, Stamps, id};
use crate::entity::custodian_agreement;
use crate::error::Result;

impl Record for CustodianAgreement {
    type Entity = custodian_agreement::Entity;
    type Row = custodian_agreement::ActiveModel;
    type Id = AgreementId;
    const KIND: &'static str = "custodian agreement";

    fn id(&self) -> AgreementId {
        self.agreement
    }

    fn set_revision(&mut self, revision: i64) {
        self.revision = revision;
    }

    fn row_revision(row: &custodian_agreement::Model) -> i64 {
        row.revision
    }

    fn from_row(row: custodian_agreement::Model) -> Result<Self> {
        Ok(CustodianAgreement {
            agreement: id(&row.agreement, AgreementId::parse)?,
            revision: row.revision,
            network: id(&row.network, AgentId::parse)?,
            custodian: id(&row.custodian, AgentId::parse)?,
            created: row.created,
            created_by: id(&row.created_by, AgentId::parse)?,
        })
    }

    fn to_row(&self, stamps: Stamps) -> custodian_agreement::ActiveModel {
        custodian_agreement::ActiveModel {
            agreement: Set(self.agreement.to_string()),
            network: Set(self.network.to_string()),
            custodian: Set(self.custodian.to_string()),
            created: Set(self.created),
            created_by: Set(self.created_by.to_string()),
            revision: Set(self.revision),
            created_at: stamps.created_at(),
            updated_at: stamps.updated_at(),
        }
    }
}
