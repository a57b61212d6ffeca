//! Tests of the formula language: hand-worked values, every refusal with its position, and
//! property tests that hold the parser and evaluator to an independent evaluator over trees.

use super::*;
use proptest::prelude::*;
use serde::de::IntoDeserializer;
use serde::de::value::{Error as ValueError, StrDeserializer};

fn none() -> Variables {
    Variables::default()
}

/// Parses and evaluates `text`; a refusal fails the test with its message.
fn value_of(text: &str, variables: &Variables) -> Result<Decimal, EvalError> {
    match Formula::parse(text) {
        Ok(formula) => formula.eval(variables),
        Err(error) => panic!("`{text}` should parse, got {error}"),
    }
}

/// The refusal of `text` as (position, message); a formula that parses fails the test.
fn refusal(text: &str) -> (usize, String) {
    match Formula::parse(text) {
        Ok(formula) => panic!("`{text}` should be refused, parsed as {formula:?}"),
        Err(error) => (error.position, error.message),
    }
}

fn decimal(text: &str) -> Decimal {
    match Decimal::from_str_exact(text) {
        Ok(value) => value,
        Err(error) => panic!("`{text}` is not a decimal: {error}"),
    }
}

#[test]
fn multiplication_binds_tighter_than_addition() {
    assert_eq!(value_of("2 + 3 * 4", &none()), Ok(Decimal::from(14)));
    assert_eq!(value_of("2 * 3 + 4", &none()), Ok(Decimal::from(10)));
    assert_eq!(value_of("(2 + 3) * 4", &none()), Ok(Decimal::from(20)));
    assert_eq!(value_of("20 - 6 / 3", &none()), Ok(Decimal::from(18)));
}

#[test]
fn operators_of_one_precedence_associate_to_the_left() {
    assert_eq!(value_of("10 - 4 - 3", &none()), Ok(Decimal::from(3)));
    assert_eq!(value_of("24 / 4 / 2", &none()), Ok(Decimal::from(3)));
    assert_eq!(value_of("10 - (4 - 3)", &none()), Ok(Decimal::from(9)));
    assert_eq!(value_of("24 / (4 / 2)", &none()), Ok(Decimal::from(12)));
    let q = Variables { quantity: Some(Decimal::from(10)), ..none() };
    assert_eq!(value_of("quantity - 4 - 3", &q), Ok(Decimal::from(3)));
    assert_eq!(value_of("quantity * 6 / 4 / 5", &q), Ok(Decimal::from(3)));
}

#[test]
fn unary_minus_negates_and_nests() {
    assert_eq!(value_of("--2", &none()), Ok(Decimal::from(2)));
    assert_eq!(value_of("---2", &none()), Ok(Decimal::from(-2)));
    assert_eq!(value_of("-(1+2)*3", &none()), Ok(Decimal::from(-9)));
    assert_eq!(value_of("4 - -2", &none()), Ok(Decimal::from(6)));
    assert_eq!(value_of("2 * -3", &none()), Ok(Decimal::from(-6)));
    let q = Variables { quantity: Some(Decimal::from(7)), ..none() };
    assert_eq!(value_of("-quantity", &q), Ok(Decimal::from(-7)));
    assert_eq!(value_of("-(quantity) + max(0, quantity * 2)", &q), Ok(Decimal::from(7)));
}

#[test]
fn min_and_max_take_two_or_more_arguments() {
    assert_eq!(value_of("min(3, 5)", &none()), Ok(Decimal::from(3)));
    assert_eq!(value_of("max(3, 5)", &none()), Ok(Decimal::from(5)));
    assert_eq!(value_of("min(4, -1, 2)", &none()), Ok(Decimal::from(-1)));
    assert_eq!(value_of("max(4, -1, 2)", &none()), Ok(Decimal::from(4)));
    let vars = Variables { declared_value: Some(Decimal::from(800)), effort: Some(Decimal::from(2)), ..none() };
    let vars = Variables { rate: Some(Decimal::from(25)), ..vars };
    // min(800, 500) + 2 * 25 = 550
    assert_eq!(value_of("min(declaredValue, 500) + effort * rate", &vars), Ok(Decimal::from(550)));
    // max(2 * 25, 800 / 10, 60) = max(50, 80, 60) = 80
    assert_eq!(value_of("max(effort * rate, declaredValue / 10, 60)", &vars), Ok(Decimal::from(80)));
}

#[test]
fn variables_are_read_and_missing_ones_count_as_zero() {
    let vars = Variables { quantity: Some(Decimal::from(4)), rate: Some(Decimal::from(20)), ..none() };
    assert_eq!(value_of("quantity * rate", &vars), Ok(Decimal::from(80)));
    // effort has no value: 4 * 20 + 0 * 100 = 80
    assert_eq!(value_of("quantity * rate + effort * 100", &vars), Ok(Decimal::from(80)));
    assert_eq!(value_of("resourceValue", &vars), Ok(Decimal::ZERO));
    // reputation missing: 4 * 20 * (0.5 + 0.5 * 0) = 40
    assert_eq!(value_of("quantity * rate * (0.5 + 0.5 * reputation)", &vars), Ok(Decimal::from(40)));
    let vars = Variables { reputation: Some(decimal("0.8")), ..vars };
    // 4 * 20 * (0.5 + 0.4) = 72
    assert_eq!(value_of("quantity * rate * (0.5 + 0.5 * reputation)", &vars), Ok(Decimal::from(72)));
}

#[test]
fn every_variable_is_read_by_its_own_name() {
    for (index, variable) in Variable::ALL.into_iter().enumerate() {
        let value = Decimal::from(index + 1);
        let vars = Variables {
            quantity: Some(Decimal::from(1)),
            effort: Some(Decimal::from(2)),
            declared_value: Some(Decimal::from(3)),
            rate: Some(Decimal::from(4)),
            value_per_unit_of_use: Some(Decimal::from(5)),
            resource_value: Some(Decimal::from(6)),
            reputation: Some(Decimal::from(7)),
        };
        assert_eq!(vars.get(variable), Some(value));
        assert_eq!(value_of(variable.name(), &vars), Ok(value), "{variable}");
        assert_eq!(Variable::from_name(variable.name()), Some(variable));
    }
    assert_eq!(Variable::from_name("Quantity"), None);
}

#[test]
fn the_variables_a_formula_reads_are_listed_once_each() -> Result<(), FormulaError> {
    let formula = Formula::parse("quantity * rate * (0.5 + 0.5 * reputation) + min(quantity, 2)")?;
    assert_eq!(formula.variables(), [Variable::Quantity, Variable::Rate, Variable::Reputation]);
    assert!(Formula::parse("1 + 2")?.variables().is_empty());
    Ok(())
}

#[test]
fn decimals_are_exact() {
    assert_eq!(value_of("0.1 + 0.2", &none()), Ok(decimal("0.3")));
    assert_eq!(value_of("0.1 + 0.2", &none()).map(|value| value.to_string()), Ok("0.3".to_owned()));
    // Division keeps 28 digits and does not round back up: a third times three is not one.
    assert_eq!(value_of("1 / 3 * 3", &none()), Ok(decimal("0.9999999999999999999999999999")));
    assert_eq!(value_of("1 * 3 / 3", &none()), Ok(Decimal::ONE));
    assert_eq!(value_of("0.000000000000000000000000001 * 1000", &none()), Ok(decimal("0.000000000000000000000001")));
}

#[test]
fn the_design_examples_value_as_worked_by_hand() {
    let alice = Variables { quantity: Some(Decimal::from(10)), rate: Some(Decimal::from(30)), ..none() };
    assert_eq!(value_of("quantity * rate * 1.5", &alice), Ok(Decimal::from(450)));
    let printer =
        Variables { quantity: Some(Decimal::from(6)), value_per_unit_of_use: Some(Decimal::from(5)), ..none() };
    assert_eq!(value_of("quantity * valuePerUnitOfUse", &printer), Ok(Decimal::from(30)));
    let bob = Variables { quantity: Some(Decimal::from(4)), rate: Some(Decimal::from(20)), ..none() };
    assert_eq!(value_of("quantity * rate", &bob), Ok(Decimal::from(80)));
    let design = Variables { resource_value: Some(Decimal::from(450)), ..none() };
    assert_eq!(value_of("resourceValue", &design), Ok(Decimal::from(450)));
}

#[test]
fn whitespace_may_stand_between_any_tokens_and_the_text_is_kept_trimmed() -> Result<(), FormulaError> {
    let formula = Formula::parse(" \t min ( quantity ,\n2 ) * -  ( 3 ) ")?;
    assert_eq!(formula.text(), "min ( quantity ,\n2 ) * -  ( 3 )");
    let vars = Variables { quantity: Some(Decimal::from(5)), ..none() };
    assert_eq!(formula.eval(&vars), Ok(Decimal::from(-6)));
    assert_eq!(Formula::parse("quantity*2")?.eval(&vars), Ok(Decimal::from(10)));
    assert_eq!("quantity*2".parse::<Formula>()?.to_string(), "quantity*2");
    Ok(())
}

#[test]
fn overflow_at_run_time_is_an_error_not_a_panic() {
    let huge = Variables { quantity: Some(Decimal::MAX), ..none() };
    assert_eq!(value_of("quantity * 2", &huge), Err(EvalError::Overflow));
    assert_eq!(value_of("quantity + 1", &huge), Err(EvalError::Overflow));
    assert_eq!(value_of("-quantity - 1", &huge), Err(EvalError::Overflow));
    assert_eq!(value_of("quantity / 0.5", &huge), Err(EvalError::Overflow));
    let max = Variables { quantity: Some(decimal("79228162514264337593543950335")), ..none() };
    assert_eq!(value_of("quantity * 2", &max), Err(EvalError::Overflow));
    // The largest decimal itself is fine.
    assert_eq!(value_of("quantity * 1", &max), Ok(Decimal::MAX));
}

#[test]
fn a_divisor_that_is_zero_at_run_time_is_an_error() {
    let vars = Variables { quantity: Some(Decimal::from(3)), effort: Some(Decimal::ZERO), ..none() };
    assert_eq!(value_of("quantity / effort", &vars), Err(EvalError::DivisionByZero));
    // A missing divisor counts as zero too.
    assert_eq!(value_of("quantity / rate", &vars), Err(EvalError::DivisionByZero));
    assert_eq!(value_of("1 / (quantity - 3)", &vars), Err(EvalError::DivisionByZero));
    let vars = Variables { effort: Some(Decimal::from(2)), ..vars };
    assert_eq!(value_of("quantity / effort", &vars), Ok(decimal("1.5")));
}

#[test]
fn refusals_name_the_position_of_the_offending_token() {
    let known = "known: quantity, effort, declaredValue, rate, valuePerUnitOfUse, resourceValue, reputation";
    let cases: Vec<(&str, usize, String)> = vec![
        ("quantity * hours", 12, format!("unknown variable `hours`; {known}")),
        ("Quantity", 1, format!("unknown variable `Quantity`; {known}")),
        ("", 1, "the formula is empty".to_owned()),
        ("   ", 1, "the formula is empty".to_owned()),
        ("1 + * 2", 5, format!("{EXPECTED_OPERAND}, found `*`")),
        ("1 +", 4, format!("{EXPECTED_OPERAND}, found the end of the formula")),
        ("(1 + 2", 1, "unclosed parenthesis: the `(` at position 1 is never closed".to_owned()),
        ("2 * (1 + (2)", 5, "unclosed parenthesis: the `(` at position 5 is never closed".to_owned()),
        ("min(1, 2", 4, "unclosed parenthesis: the `(` at position 4 is never closed".to_owned()),
        ("(1 2)", 4, "expected an operator or `)`, found `2`".to_owned()),
        ("min(1 2)", 7, "expected an operator, `,` or `)`, found `2`".to_owned()),
        ("1 2", 3, "expected an operator or the end of the formula, found `2`".to_owned()),
        ("2quantity", 2, "expected an operator or the end of the formula, found `quantity`".to_owned()),
        ("1 + 2)", 6, "`)` closes a parenthesis that was never opened".to_owned()),
        ("min(1)", 1, "`min` needs at least two arguments, found 1".to_owned()),
        ("2 + max()", 5, "`max` needs at least two arguments, found 0".to_owned()),
        ("min(1,)", 7, format!("{EXPECTED_OPERAND}, found `)`")),
        ("sqrt(4)", 1, "unknown function `sqrt`; the functions are min and max".to_owned()),
        ("1 + rate(4)", 5, "`rate` is a variable, not a function; the functions are min and max".to_owned()),
        ("min + 1", 1, "`min` is a function: write `min(a, b, ...)`".to_owned()),
        (
            "1 + 79228162514264337593543950336",
            5,
            "the number `79228162514264337593543950336` does not fit in an exact decimal (28 significant digits)"
                .to_owned(),
        ),
        (
            "0.00000000000000000000000000001",
            1,
            "the number `0.00000000000000000000000000001` does not fit in an exact decimal (28 significant digits)"
                .to_owned(),
        ),
        ("quantity / 0", 12, "division by zero: this divisor is always 0".to_owned()),
        ("quantity / 0.00", 12, "division by zero: this divisor is always 0".to_owned()),
        ("quantity / (0)", 12, "division by zero: this divisor is always 0".to_owned()),
        ("quantity / -0", 12, "division by zero: this divisor is always 0".to_owned()),
        ("quantity / (2 - 2 * 1)", 12, "division by zero: this divisor is always 0".to_owned()),
        ("quantity / min(0, 5)", 12, "division by zero: this divisor is always 0".to_owned()),
        ("1 / 0", 5, "division by zero: this divisor is always 0".to_owned()),
        (
            "quantity + 79228162514264337593543950335 * 2",
            42,
            "this constant part cannot be computed: the result is too large for an exact decimal (28 significant digits)"
                .to_owned(),
        ),
        ("1.5.2", 4, "a number must start with a digit: write `0.5`, not `.5`".to_owned()),
        (".5", 1, "a number must start with a digit: write `0.5`, not `.5`".to_owned()),
        ("5. + 1", 1, "`5.` is not a number: write a digit after the decimal point".to_owned()),
        ("1e3", 2, "expected an operator or the end of the formula, found `e3`".to_owned()),
        ("quantity % 2", 10, "unexpected character `%`".to_owned()),
        ("+2", 1, format!("{EXPECTED_OPERAND}, found `+`")),
        // Errors come in the order of the text: the missing operand before the bad character.
        ("1 + * 2 %", 5, format!("{EXPECTED_OPERAND}, found `*`")),
        // Positions count characters, not bytes.
        ("«» + x", 1, "unexpected character `«`".to_owned()),
        ("ÿ + hours", 1, format!("unknown variable `ÿ`; {known}")),
        ("1 + é", 5, format!("unknown variable `é`; {known}")),
    ];
    for (text, position, message) in cases {
        assert_eq!(refusal(text), (position, message), "refusal of `{text}`");
    }
}

#[test]
fn the_error_display_and_domain_error_carry_position_and_message() {
    let error = FormulaError::new(12, "unknown variable `hours`");
    assert_eq!(error.to_string(), "at position 12: unknown variable `hours`");
    assert_eq!(
        DomainError::from(error),
        DomainError::Invalid {
            field: "formula".to_owned(),
            message: "at position 12: unknown variable `hours`".to_owned()
        }
    );
    assert_eq!(
        DomainError::from(EvalError::DivisionByZero),
        DomainError::Invalid {
            field: "formula".to_owned(),
            message: "cannot be evaluated: division by zero".to_owned()
        }
    );
}

#[test]
fn a_formula_of_exactly_the_length_limit_parses_and_one_more_character_is_refused() {
    // "1+1+...+1" of 999 characters, then a space: 1000 characters.
    let sum = vec!["1"; 500].join("+");
    assert_eq!(sum.chars().count(), 999);
    assert_eq!(value_of(&format!("{sum} "), &none()), Ok(Decimal::from(500)));
    assert_eq!(refusal(&format!("{sum}  ")), (1001, "the formula is longer than 1000 characters".to_owned()));
    // The limit counts characters, not bytes.
    let wide = format!("{}1", "\u{a0}".repeat(999));
    assert_eq!(value_of(&wide, &none()), Ok(Decimal::ONE));
}

#[test]
fn nesting_is_limited_to_sixty_four_levels_of_any_kind() {
    let nested = |opening: &str, depth: usize| format!("{}1{}", opening.repeat(depth), ")".repeat(depth));
    assert_eq!(value_of(&nested("(", 64), &none()), Ok(Decimal::ONE));
    let refused = "the formula nests parentheses, minus signs and calls more than 64 deep".to_owned();
    assert_eq!(refusal(&nested("(", 65)), (65, refused.clone()));
    assert_eq!(value_of(&format!("{}1", "-".repeat(64)), &none()), Ok(Decimal::ONE));
    assert_eq!(refusal(&format!("{}1", "-".repeat(65))), (65, refused.clone()));
    // `max(0,` is six characters; 64 calls fit, the 65th starts at 64 * 6 + 1.
    let calls = format!("{}1{}", "max(0,".repeat(64), ")".repeat(64));
    assert_eq!(value_of(&calls, &none()), Ok(Decimal::ONE));
    let calls = format!("{}1{}", "max(0,".repeat(65), ")".repeat(65));
    assert_eq!(refusal(&calls), (64 * 6 + 1, refused.clone()));
    // Mixed: 32 parentheses and 32 minus signs are 64 levels; one more of either is refused.
    let mixed = format!("{}1{}", "(-".repeat(32), ")".repeat(32));
    assert_eq!(value_of(&mixed, &none()), Ok(Decimal::ONE));
    let mixed = format!("-{}1{}", "(-".repeat(32), ")".repeat(32));
    assert_eq!(refusal(&mixed), (65, refused));
    // Depth is nesting, not length: a long flat run of operators is fine.
    let flat = vec!["quantity"; 100].join("*");
    let vars = Variables { quantity: Some(Decimal::ONE), ..none() };
    assert_eq!(value_of(&flat, &vars), Ok(Decimal::ONE));
}

#[test]
fn a_formula_serializes_as_its_text_and_deserializing_parses_it() -> Result<(), ValueError> {
    let deserializer: StrDeserializer<'_, ValueError> = " quantity * 2 ".into_deserializer();
    let formula = Formula::deserialize(deserializer)?;
    assert_eq!(formula.text(), "quantity * 2");
    let deserializer: StrDeserializer<'_, ValueError> = "quantity * hours".into_deserializer();
    let refused = Formula::deserialize(deserializer).map_err(|error| error.to_string());
    assert_eq!(
        refused.map(|formula| formula.text().to_owned()),
        Err("at position 12: unknown variable `hours`; known: quantity, effort, declaredValue, rate, \
             valuePerUnitOfUse, resourceValue, reputation"
            .to_owned())
    );
    for variable in Variable::ALL {
        let deserializer: StrDeserializer<'_, ValueError> = variable.name().into_deserializer();
        assert_eq!(Variable::deserialize(deserializer)?, variable);
    }
    Ok(())
}

#[test]
fn constant_parts_are_folded_without_changing_the_value() -> Result<(), FormulaError> {
    // Folding follows the left-leaning tree: only the prefix before the first variable folds.
    // The folded prefix 0 + 1 is kept when a variable follows it (a bug the properties found).
    assert_eq!(value_of("0 + 1 + quantity", &none()), Ok(Decimal::ONE));
    assert_eq!(
        value_of("2 * 3 * quantity / 4", &Variables { quantity: Some(Decimal::TWO), ..none() }),
        Ok(Decimal::from(3))
    );
    let vars = Variables { quantity: Some(Decimal::MAX), ..none() };
    assert_eq!(value_of("quantity - 1 + 1", &vars), Ok(Decimal::MAX));
    assert_eq!(value_of("quantity + 1 - 1", &vars), Err(EvalError::Overflow));
    assert_eq!(Formula::parse("2 * 3 + quantity")?.0.expression, Formula::parse("6 + quantity")?.0.expression);
    Ok(())
}

// ---- properties ----

/// An expression tree, independent of the parser's own representation.
#[derive(Debug, Clone)]
enum Tree {
    Number(Decimal),
    Variable(Variable),
    Negate(Box<Tree>),
    Binary(Box<Tree>, Operator, Box<Tree>),
    Call(Function, Vec<Tree>),
}

fn precedence(operator: Operator) -> u8 {
    match operator {
        Operator::Add | Operator::Subtract => 1,
        Operator::Multiply | Operator::Divide => 2,
    }
}

fn symbol(operator: Operator) -> &'static str {
    match operator {
        Operator::Add => "+",
        Operator::Subtract => "-",
        Operator::Multiply => "*",
        Operator::Divide => "/",
    }
}

/// Writes the tree with as few parentheses as keep its shape under the usual precedence and
/// left associativity.
fn render(tree: &Tree) -> String {
    match tree {
        Tree::Number(value) if value.is_sign_negative() => format!("-{}", -*value),
        Tree::Number(value) => value.to_string(),
        Tree::Variable(variable) => variable.name().to_owned(),
        Tree::Negate(operand) => match **operand {
            Tree::Binary(..) => format!("-({})", render(operand)),
            _ => format!("-{}", render(operand)),
        },
        Tree::Binary(left, operator, right) => {
            let left_text = match **left {
                Tree::Binary(_, inner, _) if precedence(inner) < precedence(*operator) => format!("({})", render(left)),
                _ => render(left),
            };
            let right_text = match **right {
                Tree::Binary(_, inner, _) if precedence(inner) <= precedence(*operator) => {
                    format!("({})", render(right))
                }
                _ => render(right),
            };
            format!("{left_text} {} {right_text}", symbol(*operator))
        }
        Tree::Call(function, arguments) => {
            let arguments: Vec<String> = arguments.iter().map(render).collect();
            format!("{}({})", function.name(), arguments.join(", "))
        }
    }
}

/// The reference evaluator: checked operations, missing variables as zero, operands left to
/// right, written over the tree without looking at the parser.
fn reference(tree: &Tree, variables: &Variables) -> Result<Decimal, EvalError> {
    match tree {
        Tree::Number(value) => Ok(*value),
        Tree::Variable(variable) => Ok(variables.get(*variable).unwrap_or(Decimal::ZERO)),
        Tree::Negate(operand) => Ok(-reference(operand, variables)?),
        Tree::Binary(left, operator, right) => {
            let left = reference(left, variables)?;
            let right = reference(right, variables)?;
            match operator {
                Operator::Add => left.checked_add(right).ok_or(EvalError::Overflow),
                Operator::Subtract => left.checked_sub(right).ok_or(EvalError::Overflow),
                Operator::Multiply => left.checked_mul(right).ok_or(EvalError::Overflow),
                Operator::Divide if right.is_zero() => Err(EvalError::DivisionByZero),
                Operator::Divide => left.checked_div(right).ok_or(EvalError::Overflow),
            }
        }
        Tree::Call(function, arguments) => {
            let mut best: Option<Decimal> = None;
            for argument in arguments {
                let value = reference(argument, variables)?;
                // The first of equal values is kept, as documented.
                best = Some(match (best, function) {
                    (Some(best), Function::Min) if value < best => value,
                    (Some(best), Function::Max) if value > best => value,
                    (Some(best), _) => best,
                    (None, _) => value,
                });
            }
            Ok(best.unwrap_or(Decimal::ZERO))
        }
    }
}

fn is_constant(tree: &Tree) -> bool {
    match tree {
        Tree::Number(_) => true,
        Tree::Variable(_) => false,
        Tree::Negate(operand) => is_constant(operand),
        Tree::Binary(left, _, right) => is_constant(left) && is_constant(right),
        Tree::Call(_, arguments) => arguments.iter().all(is_constant),
    }
}

/// Whether the parser must refuse the tree: some part without variables cannot be computed,
/// or a divisor without variables is zero.
fn always_fails(tree: &Tree) -> bool {
    if is_constant(tree) && reference(tree, &Variables::default()).is_err() {
        return true;
    }
    match tree {
        Tree::Number(_) | Tree::Variable(_) => false,
        Tree::Negate(operand) => always_fails(operand),
        Tree::Binary(left, operator, right) => {
            let zero_divisor = *operator == Operator::Divide
                && is_constant(right)
                && reference(right, &Variables::default()).is_ok_and(|value| value.is_zero());
            zero_divisor || always_fails(left) || always_fails(right)
        }
        Tree::Call(_, arguments) => arguments.iter().any(always_fails),
    }
}

fn small_decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        4 => (-1000i64..1000, 0u32..4).prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale)),
        1 => (any::<i64>(), 0u32..=28).prop_map(|(mantissa, scale)| Decimal::new(mantissa, scale)),
        1 => Just(Decimal::ZERO),
        1 => Just(Decimal::MAX),
    ]
}

fn variable() -> impl Strategy<Value = Variable> {
    prop::sample::select(Variable::ALL.to_vec())
}

fn operator() -> impl Strategy<Value = Operator> {
    prop::sample::select(vec![Operator::Add, Operator::Subtract, Operator::Multiply, Operator::Divide])
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![small_decimal().prop_map(Tree::Number), variable().prop_map(Tree::Variable)];
    leaf.prop_recursive(8, 48, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(|operand| Tree::Negate(Box::new(operand))),
            (inner.clone(), operator(), inner.clone()).prop_map(|(left, operator, right)| Tree::Binary(
                Box::new(left),
                operator,
                Box::new(right)
            )),
            (prop::sample::select(vec![Function::Min, Function::Max]), prop::collection::vec(inner, 2..4))
                .prop_map(|(function, arguments)| Tree::Call(function, arguments)),
        ]
    })
}

fn variables() -> impl Strategy<Value = Variables> {
    let value = || prop::option::of(small_decimal());
    (value(), value(), value(), value(), value(), value(), value()).prop_map(
        |(quantity, effort, declared_value, rate, value_per_unit_of_use, resource_value, reputation)| Variables {
            quantity,
            effort,
            declared_value,
            rate,
            value_per_unit_of_use,
            resource_value,
            reputation,
        },
    )
}

/// Text built from pieces of the language, so random input gets past the first token and
/// reaches deep nesting, long runs and the limits.
fn token_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("-".to_owned()),
        Just("+".to_owned()),
        Just("*".to_owned()),
        Just("/".to_owned()),
        Just(",".to_owned()),
        Just(" ".to_owned()),
        Just("min(".to_owned()),
        Just("max(".to_owned()),
        Just("((((((((".to_owned()),
        Just("--------".to_owned()),
        Just("0".to_owned()),
        Just(".".to_owned()),
        Just("79228162514264337593543950335".to_owned()),
        "[0-9]{1,30}(\\.[0-9]{0,30})?",
        variable().prop_map(|variable| variable.name().to_owned()),
        "[a-zA-Z_]{1,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..300).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn arbitrary_text_never_makes_parse_panic(text in any::<String>()) {
        let _ = Formula::parse(&text);
    }

    #[test]
    fn text_from_the_token_alphabet_never_panics_and_round_trips(text in token_soup(), vars in variables()) {
        match Formula::parse(&text) {
            Ok(formula) => {
                let _ = formula.eval(&vars);
                prop_assert_eq!(Formula::parse(formula.text()), Ok(formula.clone()));
            }
            Err(error) => {
                prop_assert!(error.position >= 1);
                prop_assert!(error.position <= text.chars().count() + 1);
            }
        }
    }

    #[test]
    fn rendered_trees_parse_and_evaluate_like_the_reference(tree in tree(), vars in variables()) {
        let text = render(&tree);
        prop_assume!(text.chars().count() <= MAX_LENGTH);
        let parsed = Formula::parse(&text);
        if always_fails(&tree) {
            prop_assert!(parsed.is_err(), "`{}` should be refused", text);
        } else {
            match parsed {
                Ok(formula) => prop_assert_eq!(formula.eval(&vars), reference(&tree, &vars), "`{}`", text),
                Err(error) => prop_assert!(false, "`{}` refused: {}", text, error),
            }
        }
    }
}
