//! A parsed file: its source, its kind, and the format-specific tree the rules read.

use std::sync::Arc;

use crate::formats::dotenv::{EnvFile, ParseError};
use crate::policy::Target;
use crate::redact::Sensitive;
use crate::source::SourceFile;

/// The parsed content, one variant per supported format.
#[derive(Debug)]
pub enum Content {
    /// A `.env` file.
    Env(EnvFile),
}

/// One file ready for the rules.
#[derive(Debug)]
pub struct Document {
    /// The text it was parsed from (shared with findings, which outlive the document).
    pub source: Arc<SourceFile>,
    /// What kind of file it is.
    pub target: Target,
    /// The parse tree.
    pub content: Content,
}

impl Document {
    /// Parses `source` as `target`. Parsing never fails: errors are kept in the document.
    pub fn parse(source: SourceFile, target: Target) -> Self {
        let content = match target {
            Target::Env | Target::EnvDev | Target::EnvExample | Target::Any => {
                Content::Env(EnvFile::parse(&source.text))
            }
        };
        Self {
            source: Arc::new(source),
            target,
            content,
        }
    }

    /// The `.env` tree, for env rules.
    pub fn as_env(&self) -> Option<&EnvFile> {
        match &self.content {
            Content::Env(env) => Some(env),
        }
    }

    /// Lines the parser could not read.
    pub fn parse_errors(&self) -> &[ParseError] {
        match &self.content {
            Content::Env(env) => &env.errors,
        }
    }

    /// The secrets in the document, to be masked and scrubbed from every report.
    pub fn sensitive(&self) -> Vec<Sensitive> {
        match &self.content {
            Content::Env(env) => crate::redact::env_sensitive(env, &self.source.text),
        }
    }
}
