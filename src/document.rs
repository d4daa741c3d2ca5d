//! A parsed file: its source, its kind, and the format-specific tree the rules read.

use std::sync::Arc;

use crate::formats::dotenv::EnvFile;
use crate::formats::fail2ban::JailFile;
use crate::formats::firewall::FirewallRules;
use crate::formats::logrotate::LogrotateConf;
use crate::formats::nginx::NginxConfig;
use crate::formats::postgres::{PgConf, PgHba};
use crate::formats::redis::RedisConf;
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
    /// Firewall rules (ufw status, ufw rule files, iptables-save).
    Firewall(FirewallRules),
    /// `postgresql.conf`.
    Postgres(PgConf),
    /// `pg_hba.conf`.
    PgHba(PgHba),
    /// `redis.conf`.
    Redis(RedisConf),
    /// A fail2ban jail file.
    Fail2ban(JailFile),
    /// A logrotate file.
    Logrotate(LogrotateConf),
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
            Target::Firewall => Content::Firewall(FirewallRules::parse(&source.text)),
            Target::Postgres => Content::Postgres(PgConf::parse(&source.text)),
            Target::PgHba => Content::PgHba(PgHba::parse(&source.text)),
            Target::Redis => Content::Redis(RedisConf::parse(&source.text)),
            Target::Fail2ban => Content::Fail2ban(JailFile::parse(&source.text)),
            Target::Logrotate => Content::Logrotate(LogrotateConf::parse(&source.text)),
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
            _ => None,
        }
    }

    /// Whether the content confirms the kind the file's name suggested (see
    /// [`crate::discover::Classification::confirm_by_content`]).
    pub fn confirms_kind(&self) -> bool {
        match &self.content {
            Content::Env(_) => true,
            Content::Nginx(config) => config.looks_like_nginx(),
            Content::Firewall(rules) => rules.looks_like_firewall(),
            _ => true,
        }
    }

    /// The nginx tree, for nginx rules.
    pub fn as_nginx(&self) -> Option<&NginxConfig> {
        match &self.content {
            Content::Nginx(config) => Some(config),
            _ => None,
        }
    }

    /// The sshd configuration, for sshd rules.
    pub fn as_sshd(&self) -> Option<&SshdConfig> {
        match &self.content {
            Content::Sshd(config) => Some(config),
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
            Content::Firewall(rules) => &rules.errors,
            Content::Postgres(conf) => &conf.errors,
            Content::PgHba(hba) => &hba.errors,
            Content::Redis(conf) => &conf.errors,
            Content::Fail2ban(jail) => &jail.errors,
            Content::Logrotate(conf) => &conf.errors,
        }
    }

    /// The secrets in the document, to be masked and scrubbed from every report.
    pub fn sensitive(&self) -> Vec<Sensitive> {
        match &self.content {
            Content::Env(env) => crate::redact::env_sensitive(env, &self.source.text),
            Content::Nginx(config) => crate::redact::nginx_sensitive(config),
            // sshd_config names key files but holds no secret values.
            Content::Sshd(_) => Vec::new(),
            Content::Redis(conf) => crate::redact::redis_sensitive(conf),
            Content::Postgres(conf) => crate::redact::postgres_sensitive(conf, &self.source.text),
            // Firewall rules, PostgreSQL settings and pg_hba records, jails and logrotate
            // snippets hold addresses and modes, not credentials.
            _ => Vec::new(),
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

impl Document {
    /// The firewall rules, for firewall rules.
    pub fn as_firewall(&self) -> Option<&FirewallRules> {
        match &self.content {
            Content::Firewall(rules) => Some(rules),
            _ => None,
        }
    }

    /// `postgresql.conf`, for PostgreSQL rules.
    pub fn as_postgres(&self) -> Option<&PgConf> {
        match &self.content {
            Content::Postgres(conf) => Some(conf),
            _ => None,
        }
    }

    /// `pg_hba.conf`, for PostgreSQL rules.
    pub fn as_pg_hba(&self) -> Option<&PgHba> {
        match &self.content {
            Content::PgHba(hba) => Some(hba),
            _ => None,
        }
    }

    /// `redis.conf`, for Redis rules.
    pub fn as_redis(&self) -> Option<&RedisConf> {
        match &self.content {
            Content::Redis(conf) => Some(conf),
            _ => None,
        }
    }

    /// A fail2ban jail file, for fail2ban rules.
    pub fn as_fail2ban(&self) -> Option<&JailFile> {
        match &self.content {
            Content::Fail2ban(jail) => Some(jail),
            _ => None,
        }
    }

    /// A logrotate file, for logrotate rules.
    pub fn as_logrotate(&self) -> Option<&LogrotateConf> {
        match &self.content {
            Content::Logrotate(conf) => Some(conf),
            _ => None,
        }
    }
}
