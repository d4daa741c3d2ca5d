//! A parsed file: its source, its kind, and the format-specific tree the rules read.

use std::sync::Arc;

use crate::formats::dotenv::EnvFile;
use crate::formats::nginx::NginxConfig;
use crate::formats::python_settings::SettingsModule;
use crate::formats::sshd::effective::SshdConfig;
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
    /// An sshd configuration with its includes and effective values.
    Sshd(SshdConfig),
    /// A Django settings module, statically read.
    Django(SettingsModule),
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
        let source = Arc::new(source);
        let content = match target {
            Target::Env | Target::EnvDev | Target::EnvExample | Target::Any => {
                Content::Env(EnvFile::parse(&source.text))
            }
            Target::Nginx => Content::Nginx(NginxConfig::parse(&source.text)),
            Target::Sshd => {
                let role = crate::discover::sshd_role(&source.path);
                Content::Sshd(SshdConfig::load(
                    Arc::clone(&source),
                    role,
                    &mut read_included,
                ))
            }
            Target::Django => Content::Django(SettingsModule::parse(&source.text)),
        };
        Self {
            source,
            target,
            content,
        }
    }

    /// The `.env` tree, for env rules.
    pub fn as_env(&self) -> Option<&EnvFile> {
        match &self.content {
            Content::Env(env) => Some(env),
            Content::Nginx(_) | Content::Sshd(_) | Content::Django(_) => None,
        }
    }

    /// Whether the content confirms the kind the file's name suggested (see
    /// [`crate::discover::Classification::confirm_by_content`]).
    pub fn confirms_kind(&self) -> bool {
        match &self.content {
            Content::Env(_) => true,
            Content::Nginx(config) => config.looks_like_nginx(),
            Content::Sshd(_) => true,
            Content::Django(module) => module.looks_like_django(),
        }
    }

    /// The nginx tree, for nginx rules.
    pub fn as_nginx(&self) -> Option<&NginxConfig> {
        match &self.content {
            Content::Nginx(config) => Some(config),
            Content::Env(_) | Content::Sshd(_) | Content::Django(_) => None,
        }
    }

    /// The sshd configuration, for sshd rules.
    pub fn as_sshd(&self) -> Option<&SshdConfig> {
        match &self.content {
            Content::Sshd(config) => Some(config),
            Content::Env(_) | Content::Nginx(_) | Content::Django(_) => None,
        }
    }

    /// The Django settings module, for Django rules.
    pub fn as_django(&self) -> Option<&SettingsModule> {
        match &self.content {
            Content::Django(module) => Some(module),
            _ => None,
        }
    }

    /// Lines the parser could not read.
    pub fn parse_errors(&self) -> &[ParseError] {
        match &self.content {
            Content::Env(env) => &env.errors,
            Content::Nginx(config) => &config.errors,
            Content::Sshd(config) => config
                .files
                .first()
                .map_or(&[], |main| main.file.errors.as_slice()),
            Content::Django(module) => &module.errors,
        }
    }

    /// The secrets in the document, to be masked and scrubbed from every report.
    pub fn sensitive(&self) -> Vec<Sensitive> {
        match &self.content {
            Content::Env(env) => crate::redact::env_sensitive(env, &self.source.text),
            Content::Nginx(config) => crate::redact::nginx_sensitive(config),
            // sshd_config names key files but holds no secret values.
            Content::Sshd(_) => Vec::new(),
            Content::Django(module) => crate::redact::django_sensitive(module),
        }
    }
}

/// Reads a file an sshd `Include` names, with discovery's limits (size, binary files).
fn read_included(path: &std::path::Path) -> Option<SourceFile> {
    let candidate = crate::discover::Candidate {
        path: path.to_path_buf(),
        kind: crate::discover::Classification {
            target: Target::Sshd,
            confirm_by_content: false,
        },
    };
    crate::discover::read(&candidate, crate::config::DEFAULT_MAX_FILE_SIZE).ok()
}
