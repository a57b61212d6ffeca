use super::*;

/// The VF 1.0 table, typed in again from `all_vf.TTL` independently of `def()`: VF id,
/// then the twelve columns as VF strings.
#[rustfmt::skip]
const TABLE: [(&str, [&str; 12]); 19] = [
    ("accept", ["input", "modify", "notApplicable", "resource", "notApplicable", "decrement", "update", "notApplicable", "notApplicable", "notApplicable", "update", "stable"]),
    ("combine", ["input", "notApplicable", "notApplicable", "resource", "notApplicable", "decrement", "notApplicable", "update", "notApplicable", "notApplicable", "update", "unstable"]),
    ("consume", ["input", "notApplicable", "notApplicable", "resource", "decrement", "decrement", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "update", "stable"]),
    ("cite", ["input", "notApplicable", "notApplicable", "resource", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "update", "stable"]),
    ("copy", ["notApplicable", "notApplicable", "optionalTo", "resource", "incrementTo", "incrementTo", "new", "notApplicable", "new", "notApplicable", "updateTo", "unstable"]),
    ("deliverService", ["outputInput", "notApplicable", "notApplicable", "resource", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "stable"]),
    ("dropoff", ["output", "pickup", "notApplicable", "resource", "notApplicable", "increment", "update", "notApplicable", "notApplicable", "update", "update", "stable"]),
    ("lower", ["notApplicable", "notApplicable", "optional", "resource", "decrement", "decrement", "notApplicable", "notApplicable", "new", "notApplicable", "update", "stable"]),
    ("modify", ["output", "accept", "notApplicable", "resource", "notApplicable", "increment", "update", "notApplicable", "notApplicable", "update", "update", "stable"]),
    ("move", ["notApplicable", "notApplicable", "optionalTo", "resource", "decrementIncrement", "decrementIncrement", "updateTo", "notApplicable", "notApplicable", "notApplicable", "updateTo", "testing"]),
    ("pickup", ["input", "dropoff", "notApplicable", "resource", "notApplicable", "decrement", "update", "notApplicable", "notApplicable", "notApplicable", "update", "stable"]),
    ("produce", ["output", "notApplicable", "optional", "resource", "increment", "increment", "new", "notApplicable", "new", "update", "update", "stable"]),
    ("raise", ["notApplicable", "notApplicable", "optional", "resource", "increment", "increment", "notApplicable", "notApplicable", "new", "notApplicable", "update", "stable"]),
    ("separate", ["output", "notApplicable", "notApplicable", "resource", "notApplicable", "increment", "notApplicable", "remove", "notApplicable", "update", "update", "testing"]),
    ("transferAllRights", ["notApplicable", "notApplicable", "optionalTo", "resource", "decrementIncrement", "notApplicable", "notApplicable", "notApplicable", "updateTo", "notApplicable", "updateTo", "testing"]),
    ("transfer", ["notApplicable", "notApplicable", "optionalTo", "resource", "decrementIncrement", "decrementIncrement", "updateTo", "notApplicable", "updateTo", "notApplicable", "updateTo", "stable"]),
    ("transferCustody", ["notApplicable", "notApplicable", "optionalTo", "resource", "notApplicable", "decrementIncrement", "updateTo", "notApplicable", "notApplicable", "notApplicable", "updateTo", "testing"]),
    ("use", ["input", "notApplicable", "notApplicable", "both", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "update", "stable"]),
    ("work", ["input", "notApplicable", "notApplicable", "effort", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "notApplicable", "stable"]),
];

fn row(a: Action) -> [&'static str; 12] {
    let d = a.def();
    [
        d.input_output.as_str(),
        d.pairs_with.map_or("notApplicable", Action::vf_id),
        d.create_resource.as_str(),
        d.event_quantity.as_str(),
        d.accounting_effect.as_str(),
        d.onhand_effect.as_str(),
        d.location_effect.as_str(),
        d.contained_effect.as_str(),
        d.accountable_effect.as_str(),
        d.stage_effect.as_str(),
        d.state_effect.as_str(),
        d.term_status.as_str(),
    ]
}

#[test]
fn every_row_matches_the_vf_1_0_table() -> Result<(), DomainError> {
    for (vf_id, expected) in TABLE {
        let action = Action::parse(vf_id)?;
        assert_eq!(action.vf_id(), vf_id);
        assert_eq!(row(action), expected, "row of {vf_id}");
    }
    let mut seen: Vec<_> = TABLE.iter().map(|(id, _)| Action::parse(id)).collect::<Result<_, _>>()?;
    seen.sort();
    assert_eq!(seen, Action::ALL.to_vec(), "the table covers all 19 actions once");
    Ok(())
}

#[test]
fn all_is_sorted_by_wire_id_and_complete() {
    let ids: Vec<_> = Action::ALL.iter().map(|a| a.id()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
    sorted.dedup();
    assert_eq!(sorted.len(), 19);
}

#[test]
fn both_spellings_and_bonfire_aliases_parse() -> Result<(), DomainError> {
    let pairs = [
        ("transfer-custody", "transferCustody", Action::TransferCustody),
        ("transfer-all-rights", "transferAllRights", Action::TransferAllRights),
        ("deliver-service", "deliverService", Action::DeliverService),
        ("pack", "combine", Action::Combine),
        ("unpack", "separate", Action::Separate),
    ];
    for (a, b, expected) in pairs {
        assert_eq!(Action::parse(a)?, expected);
        assert_eq!(Action::parse(b)?, expected);
    }
    assert_eq!(Action::parse("transfer-custody")?.id(), "transfer-custody");
    assert_eq!(Action::TransferCustody.label(), "transfer-custody");
    Ok(())
}

#[test]
fn ids_round_trip() -> Result<(), DomainError> {
    for a in Action::ALL {
        assert_eq!(Action::parse(a.id())?, a);
        assert_eq!(Action::parse(a.vf_id())?, a);
        assert_eq!(a.to_string(), a.id());
        assert_eq!(a.label(), a.id());
    }
    Ok(())
}

#[test]
fn unknown_actions_are_refused() {
    for bad in ["", "Transfer", "pass", "fail", "transfer_custody", "produce "] {
        assert!(matches!(Action::parse(bad), Err(DomainError::UnknownAction(_))), "{bad:?}");
    }
}

#[test]
fn legacy_effect_strings_and_pairs() {
    assert_eq!(Action::Cite.def().accounting_effect.as_legacy_str(), "noEffect");
    assert_eq!(Action::Consume.def().accounting_effect.as_legacy_str(), "decrement");
    assert_eq!(Action::Pickup.pairs_with_str(), "dropoff");
    assert_eq!(Action::Work.pairs_with_str(), "notApplicable");
    assert!(Action::DeliverService.is_input() && Action::DeliverService.is_output());
    assert!(!Action::Transfer.is_input() && !Action::Transfer.is_output());
}
