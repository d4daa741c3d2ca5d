//! A parsed file: its source, its kind, and the format-specific tree the rules read.

use std::sync::Arc;

use crate::formats::dotenv::EnvFile;
use crate::formats::nginx::NginxConfig;
use crate::formats::ParseError;
use crate::policy::Target;
use crate::redact::Sensitive;
use crate::source::SourceFile;

/// The parsed content, one variant per supported format.
#[derive(Debug)]
pub enum Content {
    /// A `.env` file.
    Env(EnvFile),
    /// An nginx configuration file or fragment.
    Nginx(NginxConfig),
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
            Target::Nginx => Content::Nginx(NginxConfig::parse(&source.text)),
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
            Content::Nginx(_) => None,
        }
    }

    /// Whether the content confirms the kind the file's name suggested (see
    /// [`crate::discover::Classification::confirm_by_content`]).
    pub fn confirms_kind(&self) -> bool {
        match &self.content {
            Content::Env(_) => true,
            Content::Nginx(config) => config.looks_like_nginx(),
        }
    }

    /// The nginx tree, for nginx rules.
    pub fn as_nginx(&self) -> Option<&NginxConfig> {
        match &self.content {
            Content::Nginx(config) => Some(config),
            Content::Env(_) => None,
        }
    }

    /// Lines the parser could not read.
    pub fn parse_errors(&self) -> &[ParseError] {
        match &self.content {
            Content::Env(env) => &env.errors,
            Content::Nginx(config) => &config.errors,
        }
    }

    /// The secrets in the document, to be masked and scrubbed from every report.
    pub fn sensitive(&self) -> Vec<Sensitive> {
        match &self.content {
            Content::Env(env) => crate::redact::env_sensitive(env, &self.source.text),
            Content::Nginx(config) => crate::redact::nginx_sensitive(config),
        }
    }
}
