//! A parsed file: its source, its kind, and the format-specific tree the rules read.

use std::sync::Arc;

use crate::formats::compose::ComposeFile;
use crate::formats::crontab::{CronFlavor, Crontab};
use crate::formats::dbconf::DatabaseConfigFile;
use crate::formats::dockerfile::Dockerfile;
use crate::formats::dotenv::EnvFile;
use crate::formats::fail2ban::JailFile;
use crate::formats::firewall::FirewallRules;
use crate::formats::javascript::{Dialect, JsModule, PackageJson};
use crate::formats::kubernetes::Manifests;
use crate::formats::logrotate::LogrotateConf;
use crate::formats::nginx::NginxConfig;
use crate::formats::postgres::{PgConf, PgHba};
use crate::formats::python_settings::SettingsModule;
use crate::formats::redis::RedisConf;
use crate::formats::sshd::effective::SshdConfig;
use crate::formats::systemd::{UnitFile, UnitKind};
use crate::formats::yaml::YamlFile;
use crate::formats::ParseError;
use crate::formats::Target;
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
    /// A systemd unit file.
    Systemd(UnitFile),
    /// A crontab.
    Cron(Crontab),
    /// A Docker Compose file: its services, and the YAML they were read from.
    Compose(ComposeFile),
    /// A database server's configuration file.
    DatabaseConfig(DatabaseConfigFile),
    /// A Django settings module, statically read.
    Django(SettingsModule),
    /// A Dockerfile.
    Dockerfile(Dockerfile),
    /// A `package.json`.
    NodePackage(PackageJson),
    /// A JavaScript/TypeScript module: a PM2 process file or a Node server file.
    JavaScript(JsModule),
    /// Kubernetes manifests.
    Kubernetes(Manifests),
    /// Host state from a live snapshot: command output, certificates, backup listings.
    Host(crate::formats::host::HostOutput),
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
            Target::Systemd => Content::Systemd(UnitFile::parse(
                &source.text,
                UnitKind::from_path(&source.path).unwrap_or(UnitKind::Other),
            )),
            Target::Cron => Content::Cron(Crontab::parse(
                &source.text,
                CronFlavor::from_path(&source.path),
            )),
            Target::Compose => Content::Compose(ComposeFile::parse(&source.text)),
            Target::DatabaseConfig => Content::DatabaseConfig(DatabaseConfigFile::parse(
                &source.text,
                DatabaseConfigFile::engine_of(&source.path)
                    .unwrap_or(crate::formats::dbconf::DatabaseEngine::Postgres),
            )),
            Target::Django => Content::Django(SettingsModule::parse(&source.text)),
            Target::Dockerfile => Content::Dockerfile(Dockerfile::parse(&source.text)),
            Target::NodePackage => Content::NodePackage(PackageJson::parse(&source.text)),
            Target::Pm2 | Target::NodeApp => {
                Content::JavaScript(JsModule::parse(&source.text, Dialect::of(&source.path)))
            }
            Target::Kubernetes => Content::Kubernetes(Manifests::parse(
                &source.text,
                &source.path,
                &mut read_sibling,
            )),
            Target::Listeners
            | Target::Processes
            | Target::Certificate
            | Target::BackupListing
            | Target::Fail2banStatus
            | Target::Nftables
            | Target::SecurityUpdates => Content::Host(
                crate::formats::host::HostOutput::parse(target, &source.text)
                    .expect("a host-state target"),
            ),
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

    /// Whether `text` could confirm `target` at all, decided before parsing: most JavaScript
    /// under `src/` is not a server file, and parsing thousands of modules to find that out
    /// would dominate a scan.
    pub fn may_confirm(target: Target, text: &str) -> bool {
        match target {
            Target::NodeApp => JsModule::could_be_node_server(text),
            Target::Kubernetes => crate::formats::kubernetes::may_be_manifest(text),
            _ => true,
        }
    }

    /// Whether the content confirms the kind the file's name suggested (see
    /// [`crate::discover::Classification::confirm_by_content`]).
    pub fn confirms_kind(&self) -> bool {
        match &self.content {
            Content::Env(_) => true,
            Content::Nginx(config) => config.looks_like_nginx(),
            Content::Django(module) => module.looks_like_django(),
            Content::Cron(crontab) => crontab.looks_like_crontab(),
            Content::Firewall(rules) => rules.looks_like_firewall(),
            Content::Dockerfile(file) => !file.stages.is_empty(),
            Content::JavaScript(module) => module.looks_like_node_server(),
            Content::Kubernetes(manifests) => manifests.is_kubernetes(),
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
            Content::Firewall(rules) => &rules.errors,
            Content::Postgres(conf) => &conf.errors,
            Content::PgHba(hba) => &hba.errors,
            Content::Redis(conf) => &conf.errors,
            Content::Fail2ban(jail) => &jail.errors,
            Content::Logrotate(conf) => &conf.errors,
            Content::Systemd(unit) => &unit.errors,
            Content::Cron(crontab) => &crontab.errors,
            Content::Compose(file) => &file.errors,
            Content::DatabaseConfig(_) => &[],
            Content::Django(module) => &module.errors,
            Content::Dockerfile(file) => &file.errors,
            Content::NodePackage(package) => &package.errors,
            Content::JavaScript(module) => &module.errors,
            Content::Kubernetes(manifests) => &manifests.errors,
            Content::Host(output) => output.errors(),
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
            Content::Systemd(unit) => crate::redact::systemd_sensitive(unit, &self.source.text),
            Content::Cron(crontab) => crate::redact::cron_sensitive(crontab, &self.source.text),
            Content::Compose(file) => crate::redact::compose_sensitive(file, &self.source.text),
            Content::Django(module) => crate::redact::django_sensitive(module),
            Content::Dockerfile(file) => crate::redact::dockerfile_sensitive(file),
            Content::JavaScript(module) => crate::redact::javascript_sensitive(module),
            Content::NodePackage(package) => {
                crate::redact::package_json_sensitive(package, &self.source.text)
            }
            Content::Kubernetes(manifests) => {
                crate::redact::kubernetes_sensitive(manifests, &self.source.text)
            }
            Content::Host(output) => crate::redact::host_output_sensitive(output, &self.source),
            // Firewall rules, PostgreSQL settings and pg_hba records, jails, logrotate snippets
            // and other database configurations hold addresses and modes, not credentials.
            _ => Vec::new(),
        }
    }

    /// The systemd unit, for systemd rules.
    pub fn as_systemd(&self) -> Option<&UnitFile> {
        match &self.content {
            Content::Systemd(unit) => Some(unit),
            _ => None,
        }
    }

    /// The crontab, for cron rules.
    pub fn as_cron(&self) -> Option<&Crontab> {
        match &self.content {
            Content::Cron(crontab) => Some(crontab),
            _ => None,
        }
    }

    /// The Compose file's YAML, for rules that read keys the Compose model does not.
    pub fn as_compose(&self) -> Option<&YamlFile> {
        match &self.content {
            Content::Compose(file) => Some(&file.yaml),
            _ => None,
        }
    }

    /// The database configuration, for rules about databases.
    pub fn as_database_config(&self) -> Option<&DatabaseConfigFile> {
        match &self.content {
            Content::DatabaseConfig(config) => Some(config),
            _ => None,
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

impl Document {
    /// The Dockerfile, for Dockerfile rules.
    pub fn as_dockerfile(&self) -> Option<&Dockerfile> {
        match &self.content {
            Content::Dockerfile(file) => Some(file),
            _ => None,
        }
    }

    /// A `package.json`, for Node script rules.
    pub fn as_package_json(&self) -> Option<&PackageJson> {
        match &self.content {
            Content::NodePackage(package) => Some(package),
            _ => None,
        }
    }

    /// A JavaScript/TypeScript module, for PM2 and Node server rules.
    pub fn as_javascript(&self) -> Option<&JsModule> {
        match &self.content {
            Content::JavaScript(module) => Some(module),
            _ => None,
        }
    }
}

impl Document {
    /// The Compose file's services, for Compose rules.
    pub fn as_compose_file(&self) -> Option<&ComposeFile> {
        match &self.content {
            Content::Compose(file) => Some(file),
            _ => None,
        }
    }

    /// Kubernetes manifests, for Kubernetes rules (none for files that are not checked).
    pub fn as_kubernetes(&self) -> Option<&Manifests> {
        match &self.content {
            Content::Kubernetes(manifests) if manifests.not_checked.is_none() => Some(manifests),
            _ => None,
        }
    }

    /// Why a file of a checked kind is deliberately not checked (a Helm template, a
    /// kustomize input): reported as a diagnostic instead of findings.
    pub fn not_checked(&self) -> Option<&'static str> {
        match &self.content {
            Content::Kubernetes(manifests) => manifests.not_checked.map(|n| n.reason()),
            _ => None,
        }
    }

    /// Host state from a live snapshot, for live rules.
    pub fn as_host(&self) -> Option<&crate::formats::host::HostOutput> {
        match &self.content {
            Content::Host(output) => Some(output),
            _ => None,
        }
    }
}

/// Reads a file next to a manifest (its `kustomization.yaml`), with discovery's limits.
fn read_sibling(path: &std::path::Path) -> Option<String> {
    if !path.is_file() {
        return None;
    }
    let candidate = crate::discover::Candidate {
        path: path.to_path_buf(),
        kind: crate::discover::Classification {
            target: Target::Kubernetes,
            confirm_by_content: false,
        },
    };
    crate::discover::read(&candidate, crate::config::DEFAULT_MAX_FILE_SIZE)
        .ok()
        .map(|source| source.text.clone())
}
