//! The program's one error type. Every fallible function returns [`Result`]; each variant
//! knows its exit code (README: 0 ok, 1 failure, 2 invalid input, 130 SIGINT, 143 SIGTERM),
//! and `main` maps an error to its code in one place.
//!
//! A leaf: imports nothing of the crate, so every stage may use it.

use std::fmt;

/// Exit code for a bad scenario or bad arguments (clap uses 2 as well).
pub const EXIT_INVALID: u8 = 2;
/// Exit code for any other failure (I/O, a run that could not finish).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code after SIGINT (Ctrl-C): 128 + 2, the shell's convention.
pub const EXIT_SIGINT: u8 = 130;
/// Exit code after SIGTERM: 128 + 15.
pub const EXIT_SIGTERM: u8 = 143;

/// Result with the program's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem placed in its scenario file: line and column are 1-based.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// Line of the problem, when it has a place in the file.
    pub line: Option<usize>,
    /// Column (in characters) of the problem, when it has a place in the file.
    pub column: Option<usize>,
    /// The key's path (e.g. `city.growth.mean`), or empty for the file as a whole.
    pub key: String,
    /// What is wrong and what would be valid.
    pub message: String,
}

/// Everything that can go wrong, by what the user should do about it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Every problem found in one scenario file (exit 2).
    #[error("{}", render_scenario(.file, .problems))]
    Scenario {
        /// The file as the user named it.
        file: String,
        /// Every problem found, in file order.
        problems: Vec<Located>,
    },
    /// Bad arguments or an input that cannot be used (exit 2).
    #[error("{0}")]
    Invalid(String),
    /// A failure of the run or of writing its results (exit 1).
    #[error("{0}")]
    Failed(String),
    /// An operating-system error, with what was being done (exit 1).
    #[error("{context}: {source}")]
    Io {
        /// What was being done, e.g. "Could not write 'output/base/summary.csv'".
        context: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Stopped by a signal (exit 130 or 143).
    #[error("interrupted by {}", if *.sigterm { "SIGTERM" } else { "SIGINT (Ctrl-C)" })]
    Interrupted {
        /// SIGTERM (true) or SIGINT (false).
        sigterm: bool,
    },
    /// Another error with what was being done when it happened; exits with the inner code.
    #[error("{context}: {source}")]
    Context {
        /// What was being done.
        context: String,
        /// The error itself.
        source: Box<Error>,
    },
    /// Several errors at once (e.g. every invalid file of an invocation), one per line.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\nerror: "))]
    Many(Vec<Error>),
}

impl Error {
    /// The process exit code this error ends the program with.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Scenario { .. } | Error::Invalid(_) => EXIT_INVALID,
            Error::Failed(_) | Error::Io { .. } => EXIT_FAILURE,
            Error::Interrupted { sigterm: true } => EXIT_SIGTERM,
            Error::Interrupted { sigterm: false } => EXIT_SIGINT,
            Error::Context { source, .. } => source.exit_code(),
            Error::Many(errors) => errors
                .iter()
                .map(Error::exit_code)
                .max()
                .unwrap_or(EXIT_FAILURE),
        }
    }

    /// The signal that stopped the program, if this error (or its cause) is one.
    pub fn interrupted(&self) -> Option<bool> {
        match self {
            Error::Interrupted { sigterm } => Some(*sigterm),
            Error::Context { source, .. } => source.interrupted(),
            _ => None,
        }
    }

    /// A problem with a scenario file as a whole (missing, unreadable, not UTF-8).
    pub fn whole_file(file: &str, message: impl Into<String>) -> Error {
        Error::Scenario {
            file: file.to_string(),
            problems: vec![Located {
                line: None,
                column: None,
                key: String::new(),
                message: message.into(),
            }],
        }
    }

    /// An I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// This error with what was being done when it happened.
    pub fn context(self, context: impl Into<String>) -> Error {
        Error::Context {
            context: context.into(),
            source: Box::new(self),
        }
    }
}

fn render_scenario(file: &str, problems: &[Located]) -> String {
    use fmt::Write;
    let n = problems.len();
    let mut out = format!(
        "{n} problem{} in scenario file {file}",
        if n == 1 { "" } else { "s" }
    );
    for p in problems {
        let _ = write!(out, "\n  {file}");
        if let (Some(l), Some(c)) = (p.line, p.column) {
            let _ = write!(out, ":{l}:{c}");
        }
        if p.key.is_empty() {
            let _ = write!(out, ": {}", p.message);
        } else {
            let _ = write!(out, ": key `{}`: {}", p.key, p.message);
        }
    }
    out
}

/// Adds what was being done to any error that converts into [`Error`].
pub trait Context<T> {
    /// Wraps the error with a fixed description.
    fn context(self, context: impl Into<String>) -> Result<T>;
    /// Wraps the error with a description made only when there is an error.
    fn with_context<S: Into<String>>(self, context: impl FnOnce() -> S) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for std::result::Result<T, E> {
    fn context(self, context: impl Into<String>) -> Result<T> {
        self.map_err(|e| e.into().context(context))
    }
    fn with_context<S: Into<String>>(self, context: impl FnOnce() -> S) -> Result<T> {
        self.map_err(|e| e.into().context(context()))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Failed(e.to_string())
    }
}

impl From<csv::Error> for Error {
    fn from(e: csv::Error) -> Error {
        Error::Failed(format!("CSV: {e}"))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Error {
        Error::Failed(format!("JSON: {e}"))
    }
}

impl From<png::EncodingError> for Error {
    fn from(e: png::EncodingError) -> Error {
        Error::Failed(format!("PNG: {e}"))
    }
}

impl From<tempfile::PersistError> for Error {
    fn from(e: tempfile::PersistError) -> Error {
        Error::Failed(e.error.to_string())
    }
}

impl<W> From<csv::IntoInnerError<W>> for Error {
    fn from(e: csv::IntoInnerError<W>) -> Error {
        Error::Failed(format!("CSV: {}", e.error()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_knows_its_exit_code_through_its_context() {
        let invalid = Error::Invalid("bad".into()).context("loading");
        assert_eq!(invalid.exit_code(), 2);
        assert_eq!(invalid.to_string(), "loading: bad");
        let term = Error::Interrupted { sigterm: true }.context("run");
        assert_eq!(term.exit_code(), 143);
        assert_eq!(term.interrupted(), Some(true));
        assert_eq!(Error::Interrupted { sigterm: false }.exit_code(), 130);
        assert_eq!(Error::Failed("x".into()).exit_code(), 1);
        let many = Error::Many(vec![Error::Failed("a".into()), Error::Invalid("b".into())]);
        assert_eq!(many.exit_code(), 2);
    }
}
