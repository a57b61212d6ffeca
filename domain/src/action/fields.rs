//! Which fields a flow of each action must, may and must not carry: the part of the action
//! table that an economic event, a commitment (and later an intent) share. A commitment is a
//! promised event, so its action rules are the event's; these functions are written once and
//! called by [`crate::observation::validate`] and [`crate::planning::Commitment::validate`].

use crate::action::{EventQuantity, InputOutput};
use crate::{Action, DomainError, Measure};

/// The fields of a flow (an event, a commitment) that its action constrains.
#[derive(Debug, Clone, Copy)]
pub struct FlowFields {
    /// What the flow is, for messages: "event", "commitment".
    pub what: &'static str,
    /// `action`.
    pub action: Action,
    /// Whether `inputOf` is set.
    pub input_of: bool,
    /// Whether `outputOf` is set.
    pub output_of: bool,
    /// `resourceQuantity`.
    pub resource_quantity: Option<Measure>,
    /// `effortQuantity`.
    pub effort_quantity: Option<Measure>,
    /// Whether `resourceInventoriedAs` is set.
    pub resource_inventoried_as: bool,
    /// Whether quantities are signed deltas (a correcting event); otherwise they must not be
    /// negative.
    pub signed: bool,
}

/// Process links (`inputOutput`): `accept`, `cite`, `combine`, `consume`, `pickup`, `use`,
/// `work` are process inputs and need `inputOf` (and no `outputOf`); `dropoff`, `modify`,
/// `produce`, `separate` are outputs and need `outputOf` (and no `inputOf`);
/// `deliverService` may have either, both, or neither; `copy`, `lower`, `move`, `raise` and
/// the three transfers happen outside processes and must have neither.
pub fn check_process_links(flow: &FlowFields) -> Result<(), DomainError> {
    process_links(flow, true)
}

/// The direction of process links alone: as [`check_process_links`], except that an input or
/// output action need not name its process. An offer or a request (an intent, a claim) comes
/// before the process it may end up in; when it names one, it must point the right way.
pub fn check_process_direction(flow: &FlowFields) -> Result<(), DomainError> {
    process_links(flow, false)
}

fn process_links(flow: &FlowFields, required: bool) -> Result<(), DomainError> {
    let (action, what) = (flow.action, flow.what);
    let (input, output) = (flow.input_of, flow.output_of);
    match action.def().input_output {
        InputOutput::Input if required && !input => {
            Err(DomainError::invalid("inputOf", format!("a {action} {what} is a process input and needs inputOf")))
        }
        InputOutput::Input if output => {
            Err(DomainError::invalid("outputOf", format!("a {action} {what} is a process input, not an output")))
        }
        InputOutput::Output if required && !output => {
            Err(DomainError::invalid("outputOf", format!("a {action} {what} is a process output and needs outputOf")))
        }
        InputOutput::Output if input => {
            Err(DomainError::invalid("inputOf", format!("a {action} {what} is a process output, not an input")))
        }
        InputOutput::NotApplicable if input || output => Err(DomainError::invalid(
            if input { "inputOf" } else { "outputOf" },
            format!("a {action} {what} happens outside processes: it can have neither inputOf nor outputOf"),
        )),
        _ => Ok(()),
    }
}

/// Quantities (`eventQuantity`): `resource` actions need `resourceQuantity`; `work` needs
/// `effortQuantity` and must have no `resourceQuantity`; `use` needs at least one of the two.
/// Quantities must not be negative unless they are signed deltas.
pub fn check_quantities(flow: &FlowFields) -> Result<(), DomainError> {
    let (action, what) = (flow.action, flow.what);
    if !flow.signed {
        if let Some(m) = flow.resource_quantity {
            m.non_negative("resourceQuantity")?;
        }
        if let Some(m) = flow.effort_quantity {
            m.non_negative("effortQuantity")?;
        }
    }
    match action.def().event_quantity {
        EventQuantity::Resource if flow.resource_quantity.is_none() => {
            Err(DomainError::invalid("resourceQuantity", format!("a {action} {what} needs resourceQuantity")))
        }
        EventQuantity::Effort if flow.effort_quantity.is_none() => {
            Err(DomainError::invalid("effortQuantity", format!("a {action} {what} needs effortQuantity")))
        }
        EventQuantity::Effort if flow.resource_quantity.is_some() => Err(DomainError::invalid(
            "resourceQuantity",
            format!("a {action} {what} records effort only: use effortQuantity"),
        )),
        EventQuantity::Both if flow.resource_quantity.is_none() && flow.effort_quantity.is_none() => {
            Err(DomainError::invalid(
                "resourceQuantity",
                format!("a {action} {what} needs resourceQuantity, effortQuantity or both"),
            ))
        }
        _ => Ok(()),
    }
}

/// An effort (`work`) acts on no resource.
pub fn check_effort_resource(flow: &FlowFields) -> Result<(), DomainError> {
    let (action, what) = (flow.action, flow.what);
    if action.def().event_quantity == EventQuantity::Effort && flow.resource_inventoried_as {
        return Err(DomainError::invalid(
            "resourceInventoriedAs",
            format!("a {action} {what} is effort and acts on no resource"),
        ));
    }
    Ok(())
}

/// Every check above, in order.
pub fn check_flow(flow: &FlowFields) -> Result<(), DomainError> {
    check_process_links(flow)?;
    check_quantities(flow)?;
    check_effort_resource(flow)
}

/// Every check above for a flow that may precede its process (an intent, a claim): the
/// direction of its process links ([`check_process_direction`]), its quantities, no resource
/// on effort.
pub fn check_planned_flow(flow: &FlowFields) -> Result<(), DomainError> {
    check_process_direction(flow)?;
    check_quantities(flow)?;
    check_effort_resource(flow)
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    fn flow(action: Action) -> FlowFields {
        FlowFields {
            what: "commitment",
            action,
            input_of: false,
            output_of: false,
            resource_quantity: None,
            effort_quantity: None,
            resource_inventoried_as: false,
            signed: false,
        }
    }

    #[test]
    fn work_is_an_input_measured_in_effort_on_no_resource() {
        let hours = Some(Measure::new(Decimal::ONE, None));
        let mut work = FlowFields { input_of: true, effort_quantity: hours, ..flow(Action::Work) };
        assert_eq!(check_flow(&work), Ok(()));
        work.resource_quantity = hours;
        assert!(matches!(check_flow(&work), Err(DomainError::Invalid { field, .. }) if field == "resourceQuantity"));
        work.resource_quantity = None;
        work.resource_inventoried_as = true;
        assert!(
            matches!(check_flow(&work), Err(DomainError::Invalid { field, .. }) if field == "resourceInventoriedAs")
        );
        work.input_of = false;
        assert!(matches!(check_flow(&work), Err(DomainError::Invalid { field, .. }) if field == "inputOf"));
    }

    #[test]
    fn a_transfer_happens_outside_processes_and_needs_a_resource_quantity() {
        let transfer = flow(Action::Transfer);
        assert!(
            matches!(check_flow(&transfer), Err(DomainError::Invalid { field, .. }) if field == "resourceQuantity")
        );
        let with_quantity = FlowFields { resource_quantity: Some(Measure::new(Decimal::TWO, None)), ..transfer };
        assert_eq!(check_flow(&with_quantity), Ok(()));
        let in_process = FlowFields { output_of: true, ..with_quantity };
        assert!(matches!(check_flow(&in_process), Err(DomainError::Invalid { field, .. }) if field == "outputOf"));
    }

    #[test]
    fn negative_quantities_are_refused_unless_signed() {
        let minus = Some(Measure::new(Decimal::NEGATIVE_ONE, None));
        let raise = FlowFields { resource_quantity: minus, ..flow(Action::Raise) };
        assert!(check_flow(&raise).is_err());
        assert_eq!(check_flow(&FlowFields { signed: true, ..raise }), Ok(()));
    }
}
