//! One parser per file format. Parsers know nothing of rules: they produce trees whose
//! every node carries the [`crate::source::Span`] it was read from.

use crate::source::Span;

pub mod dotenv;
pub mod nginx;
pub mod python_settings;
pub mod sshd;

/// Something a parser could not read. Parsers collect these and go on, so one mistake never
/// hides the rest of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Where the problem is.
    pub span: Span,
    /// What is wrong, in words a user can act on.
    pub message: String,
}
