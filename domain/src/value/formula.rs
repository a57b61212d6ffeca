//! The formula language of value equations: the small expression a rule uses to value one
//! contribution, such as `quantity * rate * 1.5` or `min(declaredValue, 500) + effort * rate`.
//!
//! A formula is parsed and checked once, when its equation is saved, and refused with the
//! position of the error; evaluating a parsed formula can then only fail on overflow or on a
//! divisor that turns out to be zero at run time, and never panics.
//!
//! # Grammar
//!
//! ```text
//! formula  = sum ;
//! sum      = product , { ( "+" | "-" ) , product } ;        (* left associative *)
//! product  = unary , { ( "*" | "/" ) , unary } ;           (* left associative *)
//! unary    = "-" , unary | primary ;
//! primary  = number | variable | call | "(" , sum , ")" ;
//! call     = ( "min" | "max" ) , "(" , sum , "," , sum , { "," , sum } , ")" ;
//! number   = digit , { digit } , [ "." , digit , { digit } ] ;
//! variable = "quantity" | "effort" | "declaredValue" | "rate"
//!          | "valuePerUnitOfUse" | "resourceValue" | "reputation" ;
//! ```
//!
//! Whitespace may stand between any two tokens. Names are case-sensitive. A number has digits
//! on both sides of its point (`0.5`, not `.5` or `5.`), so that what is written reads one way
//! only; there are no exponents, no unary plus and no other functions.
//!
//! # Exact arithmetic
//!
//! Every number is a `rust_decimal::Decimal` (28 significant digits); there are no floats
//! anywhere. `0.1 + 0.2` is exactly `0.3`. Division keeps as many digits as a decimal holds,
//! so `1 / 3 * 3` is `0.9999999999999999999999999999`, not 1: write `quantity * 2 / 3` rather
//! than `quantity * (2 / 3)` when it matters. A result too large for a decimal is
//! [`EvalError::Overflow`]; a divisor that is zero at run time is [`EvalError::DivisionByZero`].
//!
//! # Checked when parsed
//!
//! Every part of a formula that reads no variable is computed when it is parsed. A constant
//! divisor that is zero (`x / 0`, `x / (1 - 1)`, `x / -0.00`) or a constant part that
//! overflows is refused then, because every evaluation of that formula would fail.
//!
//! # Missing variables
//!
//! A variable with no value for a contribution (no rate for that agent and skill, no declared
//! value) counts as 0; the caller explains that in the valuation it reports.
//!
//! # Limits
//!
//! A formula has at most [`MAX_LENGTH`] characters and nests parentheses, unary minus and
//! function calls at most [`MAX_DEPTH`] deep; beyond that it is refused with the position where
//! the limit was crossed. That bounds the recursion of the parser and of the evaluator, so no
//! input can overflow the stack.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::DomainError;

/// The most characters a formula may have.
pub const MAX_LENGTH: usize = 1_000;

/// The deepest a formula may nest parentheses, unary minus and `min`/`max` calls.
pub const MAX_DEPTH: usize = 64;

/// A variable a formula may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Variable {
    /// The event's resource quantity, or its effort quantity when it has none (work).
    Quantity,
    /// The event's effort quantity.
    Effort,
    /// The value the contributor declared for the contribution.
    DeclaredValue,
    /// The agent's rate for the skill, else the specification's.
    Rate,
    /// The value of one unit of use of the resource used.
    ValuePerUnitOfUse,
    /// The rolled-up value of the resource the event acts on.
    ResourceValue,
    /// The contributor's reputation, from 0 to 1.
    Reputation,
}

impl Variable {
    /// Every variable, in the order the documentation lists them.
    pub const ALL: [Variable; 7] = [
        Variable::Quantity,
        Variable::Effort,
        Variable::DeclaredValue,
        Variable::Rate,
        Variable::ValuePerUnitOfUse,
        Variable::ResourceValue,
        Variable::Reputation,
    ];

    /// How the variable is spelled in a formula, e.g. `valuePerUnitOfUse`.
    pub fn name(self) -> &'static str {
        match self {
            Variable::Quantity => "quantity",
            Variable::Effort => "effort",
            Variable::DeclaredValue => "declaredValue",
            Variable::Rate => "rate",
            Variable::ValuePerUnitOfUse => "valuePerUnitOfUse",
            Variable::ResourceValue => "resourceValue",
            Variable::Reputation => "reputation",
        }
    }

    /// The variable spelled `name` in a formula (case-sensitive), if there is one.
    pub fn from_name(name: &str) -> Option<Variable> {
        Variable::ALL.into_iter().find(|variable| variable.name() == name)
    }
}

impl fmt::Display for Variable {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// The values of the variables for one contribution; `None` = no value (counts as 0; the
/// caller explains it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Variables {
    /// `quantity`.
    pub quantity: Option<Decimal>,
    /// `effort`.
    pub effort: Option<Decimal>,
    /// `declaredValue`.
    pub declared_value: Option<Decimal>,
    /// `rate`.
    pub rate: Option<Decimal>,
    /// `valuePerUnitOfUse`.
    pub value_per_unit_of_use: Option<Decimal>,
    /// `resourceValue`.
    pub resource_value: Option<Decimal>,
    /// `reputation`.
    pub reputation: Option<Decimal>,
}

impl Variables {
    /// The value of `variable`, `None` when it has none.
    pub fn get(&self, variable: Variable) -> Option<Decimal> {
        match variable {
            Variable::Quantity => self.quantity,
            Variable::Effort => self.effort,
            Variable::DeclaredValue => self.declared_value,
            Variable::Rate => self.rate,
            Variable::ValuePerUnitOfUse => self.value_per_unit_of_use,
            Variable::ResourceValue => self.resource_value,
            Variable::Reputation => self.reputation,
        }
    }
}

/// A refused formula: where (1-based character position in the text) and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("at position {position}: {message}")]
pub struct FormulaError {
    /// The 1-based position, in characters, of the token at fault in the text as given; one past
    /// the last character when the formula ends too early.
    pub position: usize,
    /// What is wrong, in words the author of the formula can act on.
    pub message: String,
}

impl FormulaError {
    fn new(position: usize, message: impl Into<String>) -> Self {
        Self { position, message: message.into() }
    }
}

impl From<FormulaError> for DomainError {
    fn from(error: FormulaError) -> Self {
        DomainError::invalid("formula", error.to_string())
    }
}

/// Why a parsed formula could not be evaluated for one contribution.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvalError {
    /// A result has more than 28 significant digits before the point.
    #[error("the result is too large for an exact decimal (28 significant digits)")]
    Overflow,
    /// A divisor was zero for these values of the variables.
    #[error("division by zero")]
    DivisionByZero,
}

impl From<EvalError> for DomainError {
    fn from(error: EvalError) -> Self {
        DomainError::invalid("formula", format!("cannot be evaluated: {error}"))
    }
}

/// A parsed, checked formula. Serializes as its text; deserializing parses it. Cloning is a
/// reference count: every valued event keeps its formula to explain itself on demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formula(Arc<Parsed>);

#[derive(Debug, PartialEq, Eq)]
struct Parsed {
    text: String,
    expression: Expression,
    /// The variables it reads, each once, in order.
    variables: Vec<Variable>,
}

impl Formula {
    /// Parses and checks `text` (see the module documentation for the grammar and the limits).
    pub fn parse(text: &str) -> Result<Formula, FormulaError> {
        if text.chars().nth(MAX_LENGTH).is_some() {
            return Err(FormulaError::new(
                MAX_LENGTH + 1,
                format!("the formula is longer than {MAX_LENGTH} characters"),
            ));
        }
        let tokens = tokenize(text);
        if matches!(tokens.first(), Some(Spanned { token: Token::End, .. })) {
            return Err(FormulaError::new(1, "the formula is empty"));
        }
        let mut parser = Parser { tokens, index: 0, depth: 0 };
        let expression = parser.sum()?;
        let next = parser.next();
        match next.token {
            Token::End => {
                let mut found = BTreeSet::new();
                expression.collect_variables(&mut found);
                let variables = found.into_iter().collect();
                Ok(Formula(Arc::new(Parsed { text: text.trim().to_owned(), expression, variables })))
            }
            Token::Bad(error) => Err(error),
            Token::RightParenthesis => {
                Err(FormulaError::new(next.position, "`)` closes a parenthesis that was never opened"))
            }
            other => Err(FormulaError::new(
                next.position,
                format!("expected an operator or the end of the formula, found {other}"),
            )),
        }
    }

    /// The text of the formula, as given less surrounding whitespace.
    pub fn text(&self) -> &str {
        &self.0.text
    }

    /// The variables the formula reads, each once, in order.
    pub fn variables(&self) -> &[Variable] {
        &self.0.variables
    }

    /// The value of the formula for `variables`; a variable with no value counts as 0.
    pub fn eval(&self, variables: &Variables) -> Result<Decimal, EvalError> {
        self.0.expression.eval(variables)
    }
}

impl FromStr for Formula {
    type Err = FormulaError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Formula::parse(text)
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.text())
    }
}

impl Serialize for Formula {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.text())
    }
}

impl<'de> Deserialize<'de> for Formula {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Formula::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    Add,
    Subtract,
    Multiply,
    Divide,
}

impl Operator {
    fn apply(self, left: Decimal, right: Decimal) -> Result<Decimal, EvalError> {
        match self {
            Operator::Add => left.checked_add(right).ok_or(EvalError::Overflow),
            Operator::Subtract => left.checked_sub(right).ok_or(EvalError::Overflow),
            Operator::Multiply => left.checked_mul(right).ok_or(EvalError::Overflow),
            // `checked_div` answers `None` for both failures; testing zero first tells them apart.
            Operator::Divide if right.is_zero() => Err(EvalError::DivisionByZero),
            Operator::Divide => left.checked_div(right).ok_or(EvalError::Overflow),
        }
    }
}

/// `min` or `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    Min,
    Max,
}

impl Function {
    fn from_name(name: &str) -> Option<Function> {
        match name {
            "min" => Some(Function::Min),
            "max" => Some(Function::Max),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Function::Min => "min",
            Function::Max => "max",
        }
    }

    /// Keeps the first of equal values, so the result does not depend on how ties compare.
    fn pick(self, best: Decimal, candidate: Decimal) -> Decimal {
        match self {
            Function::Min if candidate < best => candidate,
            Function::Max if candidate > best => candidate,
            _ => best,
        }
    }
}

/// The parsed form of a formula. A run of operators of one precedence is one flat `Chain`
/// (evaluated left to right) rather than a nested tree, so the depth of the tree, and with it
/// the recursion of `eval`, follows the nesting of the text, which [`MAX_DEPTH`] bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expression {
    Number(Decimal),
    Variable(Variable),
    Negate(Box<Expression>),
    Call(Function, Vec<Expression>),
    Chain(Box<Expression>, Vec<(Operator, Expression)>),
}

impl Expression {
    fn eval(&self, variables: &Variables) -> Result<Decimal, EvalError> {
        match self {
            Expression::Number(value) => Ok(*value),
            Expression::Variable(variable) => Ok(variables.get(*variable).unwrap_or(Decimal::ZERO)),
            Expression::Negate(operand) => Ok(-operand.eval(variables)?),
            Expression::Call(function, arguments) => {
                let mut best: Option<Decimal> = None;
                for argument in arguments {
                    let value = argument.eval(variables)?;
                    best = Some(best.map_or(value, |best| function.pick(best, value)));
                }
                // The parser never builds a call with fewer than two arguments.
                Ok(best.unwrap_or(Decimal::ZERO))
            }
            Expression::Chain(first, rest) => {
                let mut accumulated = first.eval(variables)?;
                for (operator, operand) in rest {
                    accumulated = operator.apply(accumulated, operand.eval(variables)?)?;
                }
                Ok(accumulated)
            }
        }
    }

    fn collect_variables(&self, found: &mut BTreeSet<Variable>) {
        match self {
            Expression::Number(_) => {}
            Expression::Variable(variable) => {
                found.insert(*variable);
            }
            Expression::Negate(operand) => operand.collect_variables(found),
            Expression::Call(_, arguments) => {
                arguments.iter().for_each(|argument| argument.collect_variables(found));
            }
            Expression::Chain(first, rest) => {
                first.collect_variables(found);
                rest.iter().for_each(|(_, operand)| operand.collect_variables(found));
            }
        }
    }

    /// The value of an expression that reads no variable: the parser folds every such part
    /// into a `Number` as soon as it is complete, so looking at the node itself is enough.
    fn constant(&self) -> Option<Decimal> {
        match self {
            Expression::Number(value) => Some(*value),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Number {
        value: Decimal,
        text: String,
    },
    Name(String),
    Plus,
    Minus,
    Star,
    Slash,
    LeftParenthesis,
    RightParenthesis,
    Comma,
    End,
    /// Text that is no token; the parser reports it when it gets there, so errors come in the
    /// order of the text.
    Bad(FormulaError),
}

impl fmt::Display for Token {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Number { text, .. } => write!(formatter, "`{text}`"),
            Token::Name(name) => write!(formatter, "`{name}`"),
            Token::Plus => formatter.write_str("`+`"),
            Token::Minus => formatter.write_str("`-`"),
            Token::Star => formatter.write_str("`*`"),
            Token::Slash => formatter.write_str("`/`"),
            Token::LeftParenthesis => formatter.write_str("`(`"),
            Token::RightParenthesis => formatter.write_str("`)`"),
            Token::Comma => formatter.write_str("`,`"),
            Token::End => formatter.write_str("the end of the formula"),
            Token::Bad(error) => formatter.write_str(&error.message),
        }
    }
}

/// A token and the 1-based character position where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Spanned {
    token: Token,
    position: usize,
}

/// Splits `text` into tokens, ending with `End`, or with `Bad` at the first character that
/// starts no token.
fn tokenize(text: &str) -> Vec<Spanned> {
    let characters: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < characters.len() {
        let character = characters[index];
        let position = index + 1;
        let single = match character {
            '+' => Some(Token::Plus),
            '-' => Some(Token::Minus),
            '*' => Some(Token::Star),
            '/' => Some(Token::Slash),
            '(' => Some(Token::LeftParenthesis),
            ')' => Some(Token::RightParenthesis),
            ',' => Some(Token::Comma),
            _ => None,
        };
        if let Some(token) = single {
            tokens.push(Spanned { token, position });
            index += 1;
        } else if character.is_whitespace() {
            index += 1;
        } else if character.is_ascii_digit() {
            let start = index;
            index = skip_digits(&characters, index);
            if characters.get(index) == Some(&'.') {
                let after_point = skip_digits(&characters, index + 1);
                if after_point == index + 1 {
                    let text: String = characters[start..=index].iter().collect();
                    let message = format!("`{text}` is not a number: write a digit after the decimal point");
                    tokens.push(Spanned { token: Token::Bad(FormulaError::new(position, message)), position });
                    return tokens;
                }
                index = after_point;
            }
            let text: String = characters[start..index].iter().collect();
            match parse_number(&text) {
                Some(value) => tokens.push(Spanned { token: Token::Number { value, text }, position }),
                None => {
                    let message =
                        format!("the number `{text}` does not fit in an exact decimal (28 significant digits)");
                    tokens.push(Spanned { token: Token::Bad(FormulaError::new(position, message)), position });
                    return tokens;
                }
            }
        } else if character.is_alphabetic() || character == '_' {
            let start = index;
            while characters.get(index).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
                index += 1;
            }
            tokens.push(Spanned { token: Token::Name(characters[start..index].iter().collect()), position });
        } else {
            let message = if character == '.' {
                "a number must start with a digit: write `0.5`, not `.5`".to_owned()
            } else {
                format!("unexpected character `{character}`")
            };
            tokens.push(Spanned { token: Token::Bad(FormulaError::new(position, message)), position });
            return tokens;
        }
    }
    tokens.push(Spanned { token: Token::End, position: characters.len() + 1 });
    tokens
}

fn skip_digits(characters: &[char], mut index: usize) -> usize {
    while characters.get(index).is_some_and(char::is_ascii_digit) {
        index += 1;
    }
    index
}

/// Parses plain digits with an optional fraction, refusing any value a decimal would have to
/// round. Leading zeros and trailing fraction zeros carry no digits of the value, so a number
/// that only fails because of them is tried again without them.
fn parse_number(text: &str) -> Option<Decimal> {
    Decimal::from_str_exact(text).ok().or_else(|| {
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let whole = whole.trim_start_matches('0');
        let fraction = fraction.trim_end_matches('0');
        let whole = if whole.is_empty() { "0" } else { whole };
        let shorter = if fraction.is_empty() { whole.to_owned() } else { format!("{whole}.{fraction}") };
        Decimal::from_str_exact(&shorter).ok()
    })
}

/// A recursive-descent parser over the tokens; `depth` counts the open parentheses, unary
/// minuses and calls, so recursion stops at [`MAX_DEPTH`].
struct Parser {
    tokens: Vec<Spanned>,
    index: usize,
    depth: usize,
}

const EXPECTED_OPERAND: &str = "expected a number, a variable, `-`, `(`, `min(` or `max(`";

impl Parser {
    fn peek(&self) -> &Spanned {
        // `tokenize` always ends the list with `End` or `Bad`, and `next` never moves past it.
        &self.tokens[self.index.min(self.tokens.len() - 1)]
    }

    fn next(&mut self) -> Spanned {
        let spanned = self.peek().clone();
        if !matches!(spanned.token, Token::End | Token::Bad(_)) {
            self.index += 1;
        }
        spanned
    }

    fn enter(&mut self, position: usize) -> Result<(), FormulaError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(FormulaError::new(
                position,
                format!("the formula nests parentheses, minus signs and calls more than {MAX_DEPTH} deep"),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn sum(&mut self) -> Result<Expression, FormulaError> {
        self.chain(Parser::product, |token| match token {
            Token::Plus => Some(Operator::Add),
            Token::Minus => Some(Operator::Subtract),
            _ => None,
        })
    }

    fn product(&mut self) -> Result<Expression, FormulaError> {
        self.chain(Parser::unary, |token| match token {
            Token::Star => Some(Operator::Multiply),
            Token::Slash => Some(Operator::Divide),
            _ => None,
        })
    }

    /// One left-associative run of operators of the same precedence. While every operand so
    /// far is constant, the run is folded as it goes: that is exactly the constant subtrees of
    /// the left-leaning tree the run stands for, and nothing after the first variable.
    fn chain(
        &mut self,
        operand: fn(&mut Parser) -> Result<Expression, FormulaError>,
        operator: fn(&Token) -> Option<Operator>,
    ) -> Result<Expression, FormulaError> {
        let mut first = operand(self)?;
        let mut rest = Vec::new();
        while let Some(op) = operator(&self.peek().token) {
            let operator_position = self.next().position;
            let operand_position = self.peek().position;
            let right = operand(self)?;
            if op == Operator::Divide && right.constant().is_some_and(|value| value.is_zero()) {
                return Err(FormulaError::new(operand_position, "division by zero: this divisor is always 0"));
            }
            if rest.is_empty()
                && let (Some(left), Some(right)) = (first.constant(), right.constant())
            {
                let value = op.apply(left, right).map_err(|error| {
                    FormulaError::new(operator_position, format!("this constant part cannot be computed: {error}"))
                })?;
                first = Expression::Number(value);
            } else {
                rest.push((op, right));
            }
        }
        Ok(if rest.is_empty() { first } else { Expression::Chain(Box::new(first), rest) })
    }

    fn unary(&mut self) -> Result<Expression, FormulaError> {
        if self.peek().token != Token::Minus {
            return self.primary();
        }
        let position = self.next().position;
        self.enter(position)?;
        let operand = self.unary()?;
        self.leave();
        Ok(match operand.constant() {
            Some(value) => Expression::Number(-value),
            None => Expression::Negate(Box::new(operand)),
        })
    }

    fn primary(&mut self) -> Result<Expression, FormulaError> {
        let Spanned { token, position } = self.next();
        match token {
            Token::Number { value, .. } => Ok(Expression::Number(value)),
            Token::Name(name) if self.peek().token == Token::LeftParenthesis => self.call(&name, position),
            Token::Name(name) => Variable::from_name(&name).map(Expression::Variable).ok_or_else(|| {
                let message = match Function::from_name(&name) {
                    Some(function) => format!("`{name}` is a function: write `{}(a, b, ...)`", function.name()),
                    None => {
                        let known: Vec<&str> = Variable::ALL.iter().map(|variable| variable.name()).collect();
                        format!("unknown variable `{name}`; known: {}", known.join(", "))
                    }
                };
                FormulaError::new(position, message)
            }),
            Token::LeftParenthesis => {
                self.enter(position)?;
                let inner = self.sum()?;
                self.close(position, "an operator or `)`")?;
                self.leave();
                Ok(inner)
            }
            Token::Bad(error) => Err(error),
            other => Err(FormulaError::new(position, format!("{EXPECTED_OPERAND}, found {other}"))),
        }
    }

    /// `name(` has been seen (the parenthesis not yet taken).
    fn call(&mut self, name: &str, position: usize) -> Result<Expression, FormulaError> {
        let Some(function) = Function::from_name(name) else {
            let message = if Variable::from_name(name).is_some() {
                format!("`{name}` is a variable, not a function; the functions are min and max")
            } else {
                format!("unknown function `{name}`; the functions are min and max")
            };
            return Err(FormulaError::new(position, message));
        };
        self.enter(position)?;
        let parenthesis = self.next().position;
        let mut arguments = Vec::new();
        if self.peek().token != Token::RightParenthesis {
            loop {
                arguments.push(self.sum()?);
                if self.peek().token == Token::Comma {
                    self.next();
                } else {
                    break;
                }
            }
        }
        self.close(parenthesis, "an operator, `,` or `)`")?;
        self.leave();
        if arguments.len() < 2 {
            return Err(FormulaError::new(
                position,
                format!("`{name}` needs at least two arguments, found {}", arguments.len()),
            ));
        }
        let constants: Option<Vec<Decimal>> = arguments.iter().map(Expression::constant).collect();
        Ok(match constants {
            Some(values) => Expression::Number(
                values.into_iter().reduce(|best, value| function.pick(best, value)).unwrap_or_default(),
            ),
            None => Expression::Call(function, arguments),
        })
    }

    /// Takes the `)` that closes the parenthesis opened at `opened`.
    fn close(&mut self, opened: usize, expected: &str) -> Result<(), FormulaError> {
        let Spanned { token, position } = self.next();
        match token {
            Token::RightParenthesis => Ok(()),
            Token::End => Err(FormulaError::new(
                opened,
                format!("unclosed parenthesis: the `(` at position {opened} is never closed"),
            )),
            Token::Bad(error) => Err(error),
            other => Err(FormulaError::new(position, format!("expected {expected}, found {other}"))),
        }
    }
}

#[cfg(test)]
mod tests;
