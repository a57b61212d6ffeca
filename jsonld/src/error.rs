//! What can go wrong reading, checking or writing a document, and how a refusal names the
//! records at fault.

use std::fmt;

/// Most problems listed in one refusal (the count of the rest is given).
pub const MAX_PROBLEMS: usize = 50;

/// One bad record: where it is and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Its index in `@graph` (`None` for a problem with the whole document).
    pub index: Option<usize>,
    /// Its `@id`, when it has one.
    pub id: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.index, &self.id) {
            (Some(index), Some(id)) => write!(f, "@graph[{index}] <{id}>: {}", self.message),
            (Some(index), None) => write!(f, "@graph[{index}]: {}", self.message),
            (None, _) => f.write_str(&self.message),
        }
    }
}

/// The problems that refused a ledger, for display: how many, then the first
/// [`MAX_PROBLEMS`] one a line, then how many more there were.
#[derive(Debug, Clone, Copy)]
pub struct ProblemList<'a> {
    /// The problems listed.
    pub problems: &'a [Problem],
    /// How many there were in all.
    pub total: usize,
}

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { problems, total } = *self;
        write!(f, "({total} problem{}):", if total == 1 { "" } else { "s" })?;
        for problem in problems {
            write!(f, "\n  {problem}")?;
        }
        if total > problems.len() {
            write!(f, "\n  … and {} more", total - problems.len())?;
        }
        Ok(())
    }
}

/// Why a document was not read, checked or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The writer failed.
    #[error("cannot write the document: {0}")]
    Io(#[from] std::io::Error),
    /// The document is not the JSON-LD `ovn export` writes (malformed JSON, a node of the
    /// wrong shape); the problem says where.
    #[error("the document is not an ovn JSON-LD ledger: {0}")]
    Syntax(Problem),
    /// Records broke the rules; each problem names its record.
    #[error("the ledger was refused {}", ProblemList { problems, total: *total })]
    Invalid {
        /// The first [`MAX_PROBLEMS`] problems, in document order.
        problems: Vec<Problem>,
        /// How many there were in all.
        total: usize,
    },
}

impl Error {
    /// The problems that refused the document (empty unless [`Error::Invalid`] or
    /// [`Error::Syntax`]).
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Self::Syntax(problem) => vec![problem.clone()],
            Self::Invalid { problems, .. } => problems.clone(),
            Self::Io(_) => Vec::new(),
        }
    }
}
