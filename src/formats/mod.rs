//! One parser per file format. Parsers know nothing of rules: they produce trees whose
//! every node carries the [`crate::source::Span`] it was read from.

pub mod dotenv;
