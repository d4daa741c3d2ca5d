//! preflight: a compliance auditor and pre-flight linter for production deployments.
//!
//! The pipeline, one module per stage: [`discover`] finds and reads files, [`formats`]
//! parses them into span-carrying documents ([`document`]), [`rules`] evaluates the
//! [`policy`] catalog on them, [`engine`] wires the stages and adds the guarantees every
//! finding needs (locations, redaction, suppressions, fingerprints), and [`report`] prints.

pub mod backup;
pub mod baseline;
pub mod changed;
pub mod cli;
pub mod config;
pub mod discover;
pub mod document;
pub mod engine;
pub mod finding;
pub mod formats;
pub mod init;
pub mod live;
pub mod policy;
pub mod redact;
pub mod report;
pub mod rules;
pub mod secrets;
pub mod source;
pub mod suppress;
