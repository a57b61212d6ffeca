//! Test books for the value engine: a few lines per event, and the sensor kit of DESIGN 4.6.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;

use super::equation::*;
use super::formula::Formula;
use super::rates::{AgentRate, Rates};
use super::snapshot::{Entry, SnapEvent, SnapProcess, SnapResource, Snapshot};
use crate::observation::{EconomicResource, PropertyRegime, ResourceDetails, ResourceState};
use crate::sharing::access::{AccessRule, AccessTarget, AccessTerms};
use crate::*;

pub fn d(text: &str) -> Decimal {
    text.parse().must()
}

pub fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().must() + Duration::days(n)
}

/// Access terms that price a unit of use at `per_use` (none: the resource's own value) and
/// send `share` of each use to `recipient` (none: the custodian, else the owner).
pub fn use_terms(per_use: Option<&str>, share: &str, recipient: Option<AgentId>) -> AccessTerms {
    AccessTerms {
        scope: AgentId::new(),
        any_affiliate: true,
        roles: vec![],
        agents: vec![],
        minimum_reputation: None,
        requires_approval: false,
        longest_booking: None,
        value_per_unit_of_use: per_use.map(|v| Measure::new(d(v), None)),
        maintenance_share: d(share),
        maintenance_recipient: recipient,
        note: None,
    }
}

pub fn rule(action: Action, formula: &str) -> Rule {
    Rule {
        id: ValueEquationRuleId::new(),
        action,
        resource_conforms_to: None,
        resource_classified_as: vec![],
        process_conforms_to: None,
        process_classified_as: vec![],
        formula: Formula::parse(formula).must(),
        claim_type: ClaimType::Equity,
    }
}

pub fn equation(scope: AgentId, version: i32, buckets: Vec<Bucket>) -> ValueEquation {
    ValueEquation {
        id: ValueEquationId::new(),
        revision: 1,
        scope,
        version,
        name: format!("v{version}"),
        status: EquationStatus::Adopted,
        percentage_behavior: PercentageBehavior::Straight,
        valuation: Valuation::Restate,
        note: None,
        buckets,
        created: day(0),
        adopted_at: Some(day(0)),
        retired_at: None,
    }
}

/// An adopted `RESTATE` version with one `DELIVERABLE` bucket (100%) holding `rules`.
pub fn deliverable_equation(scope: AgentId, version: i32, rules: Vec<Rule>) -> ValueEquation {
    equation(scope, version, vec![bucket(1, BucketKind::Deliverable, "100", None, rules)])
}

pub fn bucket(
    sequence: i32,
    kind: BucketKind,
    percentage: &str,
    recipient: Option<AgentId>,
    rules: Vec<Rule>,
) -> Bucket {
    Bucket {
        id: ValueEquationBucketId::new(),
        sequence,
        name: kind.as_str().to_lowercase(),
        kind,
        percentage: d(percentage),
        recipient,
        period_start: None,
        period_end: None,
        rules,
    }
}

/// Books under construction.
#[derive(Default)]
pub struct Books {
    pub events: Vec<Entry>,
    pub resources: Vec<SnapResource>,
    pub processes: Vec<SnapProcess>,
    pub equations: Vec<ValueEquation>,
    pub rates: Vec<AgentRate>,
    pub defaults: Vec<(ResourceSpecificationId, Decimal)>,
    clock: i64,
}

impl Books {
    pub fn resource(
        &mut self,
        owner: Option<AgentId>,
        regime: PropertyRegime,
        per_use: Option<&str>,
    ) -> EconomicResourceId {
        let id = EconomicResourceId::new();
        self.resources.push(SnapResource {
            id,
            conforms_to: None,
            classified_as: vec![],
            property_regime: regime,
            value_per_unit_of_use: per_use.map(d),
            primary_accountable: owner,
            custodian: owner,
            access_rule: None,
        });
        id
    }

    /// Puts `resource` under an access rule with `terms`, as persistence would load it.
    pub fn govern(&mut self, resource: EconomicResourceId, terms: AccessTerms) {
        let at = self.resources.iter().position(|r| r.id == resource).must();
        let was = self.resources[at].clone();
        let recorded = EconomicResource {
            id: resource,
            revision: 1,
            state: ResourceState {
                primary_accountable: was.primary_accountable,
                custodian: was.custodian,
                ..ResourceState::default()
            },
            details: ResourceDetails {
                property_regime: was.property_regime,
                value_per_unit_of_use: was.value_per_unit_of_use.map(|v| Measure::new(v, None)),
                ..ResourceDetails::default()
            },
            conforms_to: ResourceSpecificationId::new(),
        };
        let rule = AccessRule {
            id: AccessRuleId::new(),
            target: AccessTarget::Resource(resource),
            version: 1,
            terms,
            set_by: was.primary_accountable.unwrap_or_default(),
            set_at: day(0),
            proposal: None,
        };
        self.resources[at] = SnapResource { conforms_to: was.conforms_to, ..SnapResource::of(&recorded, Some(rule)) };
    }

    pub fn process(&mut self, scope: AgentId, based_on: Option<ProcessSpecificationId>) -> ProcessId {
        let id = ProcessId::new();
        self.processes.push(SnapProcess { id, based_on, classified_as: vec![], in_scope_of: vec![scope] });
        id
    }

    /// An event; the caller sets the fields that matter. Recorded one minute after the last.
    pub fn event(&mut self, action: Action, provider: AgentId, receiver: AgentId) -> &mut Entry {
        self.clock += 1;
        let at = day(1) + Duration::minutes(self.clock);
        let event = SnapEvent {
            id: EconomicEventId::new(),
            action,
            provider,
            receiver,
            resource_inventoried_as: None,
            to_resource_inventoried_as: None,
            input_of: None,
            output_of: None,
            resource_quantity: None,
            effort_quantity: None,
            resource_conforms_to: None,
            resource_classified_as: vec![],
            declared_value: None,
            realization_of: None,
            point_in_time: at,
            recorded: at,
            in_scope_of: vec![receiver],
        };
        self.events.push(Entry::new(event, true));
        self.events.last_mut().must()
    }

    pub fn rate(&mut self, agent: AgentId, skill: ResourceSpecificationId, rate: &str) {
        self.rates.push(AgentRate {
            id: AgentRateId::new(),
            agent,
            skill,
            rate: d(rate),
            unit: None,
            valid_from: day(0),
            created: day(0),
        });
    }

    pub fn snapshot(&self) -> std::sync::Arc<Snapshot> {
        std::sync::Arc::new(Snapshot::new(
            self.events.clone(),
            self.resources.clone(),
            self.processes.clone(),
            self.equations.clone(),
            Rates::new(self.rates.clone(), self.defaults.clone()),
        ))
    }
}

/// Chained setters for the fields of a test event that matter:
/// `b.event(Action::Work, ann, p).input(make).effort("3").skill(skill)`.
pub trait EventFields {
    fn input(&mut self, process: ProcessId) -> &mut Self;
    fn output(&mut self, process: ProcessId) -> &mut Self;
    /// `resourceInventoriedAs`.
    fn on(&mut self, resource: EconomicResourceId) -> &mut Self;
    /// `toResourceInventoriedAs`.
    fn to(&mut self, resource: EconomicResourceId) -> &mut Self;
    fn quantity(&mut self, quantity: &str) -> &mut Self;
    fn effort(&mut self, effort: &str) -> &mut Self;
    /// `resourceConformsTo` (the skill of work, the currency of cash).
    fn conforms(&mut self, spec: ResourceSpecificationId) -> &mut Self;
    fn declared(&mut self, value: &str) -> &mut Self;
    fn realizing(&mut self, agreement: AgreementId) -> &mut Self;
    /// Not a contribution (the project moving its own things, a supplier's delivery).
    fn not_contribution(&mut self) -> &mut Self;
    /// Happened and recorded at `at`.
    fn at(&mut self, at: DateTime<Utc>) -> &mut Self;
}

impl EventFields for Entry {
    fn input(&mut self, process: ProcessId) -> &mut Self {
        self.input_of = Some(process);
        self
    }
    fn output(&mut self, process: ProcessId) -> &mut Self {
        self.output_of = Some(process);
        self
    }
    fn on(&mut self, resource: EconomicResourceId) -> &mut Self {
        self.resource_inventoried_as = Some(resource);
        self
    }
    fn to(&mut self, resource: EconomicResourceId) -> &mut Self {
        self.to_resource_inventoried_as = Some(resource);
        self
    }
    fn quantity(&mut self, quantity: &str) -> &mut Self {
        self.resource_quantity = Some(d(quantity));
        self
    }
    fn effort(&mut self, effort: &str) -> &mut Self {
        self.effort_quantity = Some(d(effort));
        self
    }
    fn conforms(&mut self, spec: ResourceSpecificationId) -> &mut Self {
        self.resource_conforms_to = Some(spec);
        self
    }
    fn declared(&mut self, value: &str) -> &mut Self {
        self.declared_value = Some(d(value));
        self
    }
    fn realizing(&mut self, agreement: AgreementId) -> &mut Self {
        self.realization_of = Some(agreement);
        self
    }
    fn not_contribution(&mut self) -> &mut Self {
        self.is_contribution = false;
        self
    }
    fn at(&mut self, at: DateTime<Utc>) -> &mut Self {
        (self.point_in_time, self.recorded) = (at, at);
        self
    }
}

/// The sensor kit of DESIGN 4.6, recorded as events.
pub struct SensorKit {
    pub books: Books,
    pub project: AgentId,
    pub fund_agent: AgentId,
    pub alice: AgentId,
    pub bob: AgentId,
    pub carol: AgentId,
    pub dan: AgentId,
    /// Dan's printer, in the pool of shareables.
    pub printer: EconomicResourceId,
    /// The assembly process.
    pub assembly: ProcessId,
    pub kits: EconomicResourceId,
    pub equation: ValueEquation,
}

pub fn sensor_kit() -> SensorKit {
    let mut b = Books::default();
    let (project, supplier, fund_agent) = (AgentId::new(), AgentId::new(), AgentId::new());
    let (alice, bob, carol, dan) = (AgentId::new(), AgentId::new(), AgentId::new(), AgentId::new());
    let (design_skill, assembly_skill, usd) =
        (ResourceSpecificationId::new(), ResourceSpecificationId::new(), ResourceSpecificationId::new());
    b.rate(alice, design_skill, "30");
    b.rate(bob, assembly_skill, "20");

    let mut design_rule = rule(Action::Work, "quantity * rate * 1.5");
    design_rule.resource_conforms_to = Some(design_skill);
    let mut cash = rule(Action::Transfer, "quantity");
    cash.resource_conforms_to = Some(usd);
    let rules = vec![
        design_rule,
        rule(Action::Work, "quantity * rate"),
        cash,
        rule(Action::Use, "quantity * valuePerUnitOfUse"),
        rule(Action::Cite, "resourceValue"),
    ];
    let equation = equation(
        project,
        1,
        vec![
            bucket(1, BucketKind::Agent, "5", Some(fund_agent), vec![]),
            bucket(2, BucketKind::Deliverable, "95", None, rules),
        ],
    );
    b.equations.push(equation.clone());

    // Alice designs the kit.
    let design_process = b.process(project, None);
    let design = b.resource(Some(project), PropertyRegime::Commons, None);
    let e = b.event(Action::Work, alice, project);
    (e.input_of, e.effort_quantity, e.resource_conforms_to) = (Some(design_process), Some(d("10")), Some(design_skill));
    let e = b.event(Action::Produce, alice, project);
    (e.output_of, e.resource_inventoried_as, e.resource_quantity) = (Some(design_process), Some(design), Some(d("1")));

    // Carol deposits 300 into the project's fund; the fund buys 10 sensors for 300.
    let fund = b.resource(Some(project), PropertyRegime::Private, None);
    let carol_wallet = b.resource(Some(carol), PropertyRegime::Private, None);
    let e = b.event(Action::Transfer, carol, project);
    (e.resource_inventoried_as, e.to_resource_inventoried_as, e.resource_quantity, e.resource_conforms_to) =
        (Some(carol_wallet), Some(fund), Some(d("300")), Some(usd));
    let purchase = AgreementId::new();
    let sensors = b.resource(Some(project), PropertyRegime::Private, None);
    let supplier_stock = b.resource(Some(supplier), PropertyRegime::Private, None);
    let e = b.event(Action::Transfer, supplier, project);
    (e.resource_inventoried_as, e.to_resource_inventoried_as, e.resource_quantity, e.realization_of) =
        (Some(supplier_stock), Some(sensors), Some(d("10")), Some(purchase));
    e.is_contribution = false;
    let supplier_till = b.resource(Some(supplier), PropertyRegime::Private, None);
    let e = b.event(Action::Transfer, project, supplier);
    (
        e.resource_inventoried_as,
        e.to_resource_inventoried_as,
        e.resource_quantity,
        e.realization_of,
        e.resource_conforms_to,
    ) = (Some(fund), Some(supplier_till), Some(d("300")), Some(purchase), Some(usd));
    e.is_contribution = false;

    // Dan's printer, in the pool of shareables at 5 an hour.
    let printer = b.resource(Some(dan), PropertyRegime::PoolOfShareables, Some("5"));

    // The assembly.
    let assembly = b.process(project, None);
    let kits = b.resource(Some(project), PropertyRegime::Private, None);
    let e = b.event(Action::Cite, alice, project);
    (e.input_of, e.resource_inventoried_as, e.resource_quantity) = (Some(assembly), Some(design), Some(d("1")));
    let e = b.event(Action::Consume, project, project);
    (e.input_of, e.resource_inventoried_as, e.resource_quantity) = (Some(assembly), Some(sensors), Some(d("10")));
    e.is_contribution = false;
    let e = b.event(Action::Use, dan, project);
    (e.input_of, e.resource_inventoried_as, e.effort_quantity) = (Some(assembly), Some(printer), Some(d("6")));
    let e = b.event(Action::Work, bob, project);
    (e.input_of, e.effort_quantity, e.resource_conforms_to) = (Some(assembly), Some(d("4")), Some(assembly_skill));
    let e = b.event(Action::Produce, bob, project);
    (e.output_of, e.resource_inventoried_as, e.resource_quantity) = (Some(assembly), Some(kits), Some(d("10")));

    SensorKit { books: b, project, fund_agent, alice, bob, carol, dan, printer, assembly, kits, equation }
}

/// Unwraps in tests, saying what was missing (the workspace denies `unwrap`).
pub trait Must<T> {
    /// The value, or a panic naming the error.
    fn must(self) -> T;
}

impl<T, E: std::fmt::Debug> Must<T> for Result<T, E> {
    fn must(self) -> T {
        match self {
            Ok(v) => v,
            Err(e) => panic!("unexpected error: {e:?}"),
        }
    }
}

impl<T> Must<T> for Option<T> {
    fn must(self) -> T {
        match self {
            Some(v) => v,
            None => panic!("expected a value, found none"),
        }
    }
}
