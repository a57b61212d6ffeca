//! What a bench run is compared with: the figures of the README's Performance table (kept
//! beside this file as `baseline.json`, or any file a run wrote with `--json`), so that a
//! change that makes a figure more than [`REGRESSION`] worse is called out in the run's own
//! output instead of being noticed, or not, by whoever reads the numbers.
//!
//! Figures are matched by their `work` label without its parenthesised details (the details
//! carry the run's phase timings); only figures with a reference are compared. A figure in
//! milliseconds is better when lower; one per second is better when higher.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

/// How much worse than its reference a figure may get before it is called a regression.
pub const REGRESSION: f64 = 0.20;

/// The README's figures, built into the binary.
const README: &str = include_str!("baseline.json");

/// One figure as stored: what was measured and the measurement as the bench prints it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stored {
    /// The work label.
    pub work: String,
    /// The figure, e.g. `2.10 ms` or `1019 events/s`.
    pub measured: String,
}

/// The reference figures, by key.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    source: String,
    figures: HashMap<String, String>,
}

/// A figure beside its reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Compared {
    /// The reference, as stored.
    pub reference: String,
    /// How much better (positive) or worse (negative) than the reference, as a fraction.
    pub gain: f64,
}

impl Compared {
    /// Whether the figure is more than [`REGRESSION`] worse than its reference.
    pub fn is_regression(&self) -> bool {
        self.gain < -REGRESSION
    }
}

impl Baseline {
    /// The figures of `path`, else the README's.
    pub fn load(path: Option<&Path>) -> Result<Self> {
        let (source, text) = match path {
            Some(path) => (
                path.display().to_string(),
                std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?,
            ),
            None => ("the README".to_owned(), README.to_owned()),
        };
        let stored: Vec<Stored> = serde_json::from_str(&text).with_context(|| format!("reading {source}"))?;
        Ok(Self { source, figures: stored.into_iter().map(|s| (key(&s.work), s.measured)).collect() })
    }

    /// Where the figures come from, for the report.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// `measured` for `work` beside its reference, when there is one and both are numbers.
    pub fn compare(&self, work: &str, measured: &str) -> Option<Compared> {
        let reference = self.figures.get(&key(work))?;
        let (now, higher_is_better) = magnitude(measured)?;
        let (then, _) = magnitude(reference)?;
        if then <= 0.0 || now <= 0.0 {
            return None;
        }
        let gain = if higher_is_better { now / then - 1.0 } else { then / now - 1.0 };
        Some(Compared { reference: reference.clone(), gain })
    }
}

/// The label without its parenthesised details and extra spaces.
fn key(work: &str) -> String {
    let mut out = String::with_capacity(work.len());
    let mut depth = 0usize;
    for c in work.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The number of a printed figure, and whether higher is better (`…/s`) or lower (`ms`, `s`).
fn magnitude(measured: &str) -> Option<(f64, bool)> {
    let mut parts = measured.split_whitespace();
    let number: f64 = parts.next()?.replace(',', "").parse().ok()?;
    let unit = parts.next()?;
    if unit.ends_with("/s") {
        Some((number, true))
    } else {
        match unit {
            "ms" => Some((number, false)),
            "s" => Some((number * 1_000.0, false)),
            _ => None,
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests unwrap: a failure should panic with the value")]
mod tests {
    use super::*;

    fn baseline(figures: &[(&str, &str)]) -> Baseline {
        Baseline { source: "test".into(), figures: figures.iter().map(|(w, m)| (key(w), (*m).to_owned())).collect() }
    }

    #[test]
    fn keys_drop_details() {
        assert_eq!(
            key("bulk import of 200000 events, 144 MB (read 1.00 s, check 2.00 s) [SQLite]"),
            "bulk import of 200000 events, 144 MB [SQLite]"
        );
    }

    #[test]
    fn rates_and_latencies_compare_the_right_way() {
        let b = baseline(&[("rate [SQLite]", "1,000 events/s"), ("latency [SQLite]", "2.00 ms")]);
        // 700/s against 1,000/s is 30% worse: a regression.
        let slower = b.compare("rate [SQLite]", "700 events/s").unwrap();
        assert!((slower.gain + 0.3).abs() < 1e-9);
        assert!(slower.is_regression());
        // 850/s is 15% worse: within the tolerance.
        assert!(!b.compare("rate [SQLite]", "850 events/s").unwrap().is_regression());
        // 2.5 ms against 2 ms: the reference does 1.25x the work per unit of time, 20% worse.
        let later = b.compare("latency [SQLite]", "2.50 ms").unwrap();
        assert!((later.gain + 0.2).abs() < 1e-9);
        assert!(!later.is_regression());
        assert!(b.compare("latency [SQLite]", "2.60 ms").unwrap().is_regression());
        // Faster is a gain.
        assert!((b.compare("latency [SQLite]", "1.00 ms").unwrap().gain - 1.0).abs() < 1e-9);
        // No reference, or not a number: nothing to say.
        assert_eq!(b.compare("other [SQLite]", "1 ms"), None);
        assert_eq!(b.compare("rate [SQLite]", "n/a"), None);
    }

    #[test]
    fn the_readme_baseline_parses() {
        let b = Baseline::load(None).unwrap();
        assert!(!b.figures.is_empty());
        assert!(b.figures.values().all(|m| magnitude(m).is_some()), "{:?}", b.figures);
    }
}
