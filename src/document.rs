//! A parsed file: its source, its kind, and the format-specific tree the rules read.
//!
//! The one place that lists every format: [`formats!`] generates the [`Content`] enum, the
//! dispatch from a [`Target`] to its parser, the classifiers in the order file names are
//! claimed, and the typed accessors rules use. Everything a format knows lives with its
//! parser, behind [`Format`].

use std::any::Any;
use std::path::Path;
use std::sync::Arc;

use crate::formats::accounts::Accounts;
use crate::formats::compose::ComposeFile;
use crate::formats::crontab::Crontab;
use crate::formats::dbconf::DatabaseConfigFile;
use crate::formats::deployed::DeployedCopy;
use crate::formats::dockerfile::Dockerfile;
use crate::formats::dotenv::EnvFile;
use crate::formats::fail2ban::JailFile;
use crate::formats::firewall::FirewallRules;
use crate::formats::host::{
    apt::PendingUpgrades, apt_periodic::AptPeriodic, backups::BackupListing,
    certificate::CertificateFile, df::DiskUsage, fail2ban::Fail2banStatus, modes::FileModes,
    nft::NftRuleset, ps::Processes, ss::Listeners,
};
use crate::formats::javascript::{JsModule, PackageJson};
use crate::formats::kubernetes::Manifests;
use crate::formats::kustomize::Origins;
use crate::formats::logrotate::LogrotateConf;
use crate::formats::nginx::NginxConfig;
use crate::formats::postgres::{PgConf, PgHba};
use crate::formats::python_settings::SettingsModule;
use crate::formats::redis::RedisConf;
use crate::formats::sshd::effective::SshdConfig;
use crate::formats::sysctl::SysctlSettings;
use crate::formats::systemd::UnitFile;
use crate::formats::yaml::YamlFile;
use crate::formats::{
    Classification, FileName, Files, FollowUp, Format, GroupedFile, Grouping, NoFiles,
    ParseContext, ParseError, Sensitive, Shown, Target,
};
use crate::source::{FileRef, SourceFile};

/// The object-safe part of [`Format`], so the pipeline can ask any document the same
/// questions without knowing its format.
trait AnyFormat {
    fn errors(&self) -> &[ParseError];
    fn sensitive_in(&self, source: &SourceFile, shown: &Shown) -> Vec<Sensitive>;
    fn confirms_kind(&self) -> bool;
    fn not_checked(&self) -> Option<&'static str>;
    fn follow_ups(&self, source: &SourceFile, target: Target) -> Vec<FollowUp>;
    fn origins(&self) -> Option<&Origins>;
    fn judged_alone(&self, source: &SourceFile) -> bool;
}

impl<T: Format> AnyFormat for T {
    fn errors(&self) -> &[ParseError] {
        Format::errors(self)
    }
    fn sensitive_in(&self, source: &SourceFile, shown: &Shown) -> Vec<Sensitive> {
        Format::sensitive_in(self, source, shown)
    }
    fn confirms_kind(&self) -> bool {
        Format::confirms_kind(self)
    }
    fn not_checked(&self) -> Option<&'static str> {
        Format::not_checked(self)
    }
    fn origins(&self) -> Option<&Origins> {
        Format::origins(self)
    }
    fn follow_ups(&self, source: &SourceFile, target: Target) -> Vec<FollowUp> {
        Format::follow_ups(self, source, target)
    }
    fn judged_alone(&self, source: &SourceFile) -> bool {
        Format::judged_alone(self, source)
    }
}

/// The part of a document rules of one kind read: `Some` for documents of that kind (and
/// the document itself, for rules about any file). Implemented for every registered format.
pub trait FromDocument {
    /// The typed content of `doc`, when it is of this kind and checked.
    fn from_document(doc: &Document) -> Option<&Self>;
}

impl FromDocument for Document {
    fn from_document(doc: &Document) -> Option<&Self> {
        Some(doc)
    }
}

/// The registry: one line per format, in the order file names are claimed (a name certain
/// of its kind beats a guess; among equals the earlier line wins: `jail.d/nginx.conf` is a
/// fail2ban jail, `postgresql.conf` is PostgreSQL's rather than a generic database file).
macro_rules! formats {
    ($( $(#[$doc:meta])* $variant:ident($ty:ty) as $accessor:ident for $($target:ident)|+; )+) => {
        /// The parsed content, one variant per supported format.
        #[derive(Debug)]
        pub enum Content {
            $( $(#[$doc])* $variant($ty), )+
        }

        impl Content {
            fn parse(source: &Arc<SourceFile>, context: &ParseContext) -> Self {
                match context.target {
                    $( $(Target::$target)|+ => Self::$variant(<$ty as Format>::parse(source, context)), )+
                }
            }

            fn parsed(&self) -> &dyn AnyFormat {
                match self {
                    $( Self::$variant(content) => content, )+
                }
            }
        }

        /// Lets each format relate its documents to each other (see [`Format::relate`]).
        pub fn relate(documents: &mut [Document], files: &dyn Files) {
            relate_by_format(documents, None, files);
        }

        /// [`relate`] on one group of documents (see [`Format::relate_within`]).
        pub fn relate_within(
            documents: &mut [Document],
            relations: &(dyn Any + Send + Sync),
            files: &dyn Files,
        ) {
            relate_by_format(documents, Some(relations), files);
        }

        /// Hands each format its documents: to [`Format::relate_within`] with `relations`,
        /// else to [`Format::relate`].
        fn relate_by_format(
            documents: &mut [Document],
            relations: Option<&(dyn Any + Send + Sync)>,
            files: &dyn Files,
        ) {
            $({
                let mut group: Vec<(&Arc<SourceFile>, &mut $ty)> = documents
                    .iter_mut()
                    .filter_map(|doc| match &mut doc.content {
                        Content::$variant(content) => Some((&doc.source, content)),
                        _ => None,
                    })
                    .collect();
                if !group.is_empty() {
                    match relations {
                        Some(relations) => <$ty as Format>::relate_within(&mut group, relations, files),
                        None => <$ty as Format>::relate(&mut group, files),
                    }
                }
            })+
        }

        /// What `doc` names of other files, for [`groups`] (see [`Format::names`]).
        pub fn names(doc: &Document) -> Vec<String> {
            match &doc.content {
                $( Content::$variant(content) => <$ty as Format>::names(content), )+
            }
        }

        /// Whether documents of `target` kept to the end are judged group by group (see
        /// [`Format::GROUPED`]).
        pub fn is_grouped(target: Target) -> bool {
            match target {
                $( $(Target::$target)|+ => <$ty as Format>::GROUPED, )+
            }
        }

        /// The groups of the files of `target` kept to the end (see [`Format::groups`]).
        pub fn groups(target: Target, files: &[GroupedFile], view: &dyn Files) -> Grouping {
            match target {
                $( $(Target::$target)|+ => <$ty as Format>::groups(files, view), )+
            }
        }

        /// The kinds whose documents [`relate`] may change in a scan of the files at `paths`
        /// (see [`Format::relates`]).
        pub fn related_kinds(paths: &[&Path]) -> Vec<Target> {
            let mut kinds = Vec::new();
            $( if <$ty as Format>::relates(paths) { kinds.extend([$(Target::$target),+]); } )+
            kinds
        }

        /// Whether some format reads `path` as an entry point (see [`Format::is_entry_point`]).
        pub fn is_entry_point(path: &Path) -> bool {
            FileName::new(path).is_some_and(|name| false $( || <$ty as Format>::is_entry_point(&name) )+)
        }

        /// The files the entry point at `path` names, for every format it names files of.
        pub fn entry_point_follow_ups(path: &Path, text: &str) -> Vec<FollowUp> {
            let mut found = Vec::new();
            $( found.extend(<$ty as Format>::entry_point_follow_ups(path, text)); )+
            found
        }

        /// Every format by the name of its variant, with the kinds it parses, in registration
        /// order: what the fuzz targets are named after, so none can be forgotten.
        pub const FORMATS: &[(&str, &[Target])] =
            &[$( (stringify!($variant), &[$(Target::$target),+]), )+];

        /// Every format's name test, in registration order.
        const CLASSIFIERS: &[fn(&FileName) -> Option<Classification>] =
            &[$( <$ty as Format>::classify, )+];

        /// Whether `text` could confirm `target` at all, asked before parsing.
        pub fn may_confirm(target: Target, text: &str) -> bool {
            match target {
                $( $(Target::$target)|+ => <$ty as Format>::may_confirm(text), )+
            }
        }

        $(
            impl FromDocument for $ty {
                fn from_document(doc: &Document) -> Option<&Self> {
                    doc.$accessor()
                }
            }
        )+

        impl Document {
            $(
                #[doc = concat!("The content as `", stringify!($ty), "`, for its rules (none for a file that is not checked).")]
                pub fn $accessor(&self) -> Option<&$ty> {
                    match &self.content {
                        Content::$variant(content) if self.not_checked().is_none() => Some(content),
                        _ => None,
                    }
                }
            )+
        }
    };
}

formats! {
    /// A `.env` file.
    Env(EnvFile) as as_env for Env | EnvDev | EnvExample | Any;
    /// Firewall rules (ufw status, ufw rule files, iptables-save).
    Firewall(FirewallRules) as as_firewall for Firewall;
    /// `postgresql.conf`.
    Postgres(PgConf) as as_postgres for Postgres;
    /// `pg_hba.conf`.
    PgHba(PgHba) as as_pg_hba for PgHba;
    /// `redis.conf`.
    Redis(RedisConf) as as_redis for Redis;
    /// A fail2ban jail file.
    Fail2ban(JailFile) as as_fail2ban for Fail2ban;
    /// A logrotate file.
    Logrotate(LogrotateConf) as as_logrotate for Logrotate;
    /// An nginx configuration file or fragment.
    Nginx(NginxConfig) as as_nginx for Nginx;
    /// An sshd configuration with its includes and effective values.
    Sshd(SshdConfig) as as_sshd for Sshd;
    /// A systemd unit file.
    Systemd(UnitFile) as as_systemd for Systemd;
    /// A crontab.
    Cron(Crontab) as as_cron for Cron;
    /// A database server's configuration file.
    DatabaseConfig(DatabaseConfigFile) as as_database_config for DatabaseConfig;
    /// A Docker Compose file: its services, and the YAML they were read from.
    Compose(ComposeFile) as as_compose_file for Compose;
    /// A Dockerfile.
    Dockerfile(Dockerfile) as as_dockerfile for Dockerfile;
    /// A Django settings module, statically read.
    Django(SettingsModule) as as_django for Django;
    /// A `package.json`.
    NodePackage(PackageJson) as as_package_json for NodePackage;
    /// A JavaScript/TypeScript module: a PM2 process file or a Node server file.
    JavaScript(JsModule) as as_javascript for Pm2 | NodeApp;
    /// Kubernetes manifests.
    Kubernetes(Manifests) as as_kubernetes for Kubernetes;
    /// `ss -tlnpH` output from a host: listening sockets.
    Listeners(Listeners) as as_listeners for Listeners;
    /// `ps` output from a host: running processes.
    Processes(Processes) as as_processes for Processes;
    /// A PEM certificate (chain) read from a host.
    Certificate(CertificateFile) as as_certificate for Certificate;
    /// A host's backup directories with their newest files' ages.
    BackupListing(BackupListing) as as_backup_listing for BackupListing;
    /// `fail2ban-client status` output from a host.
    Fail2banStatus(Fail2banStatus) as as_fail2ban_status for Fail2banStatus;
    /// `nft list ruleset` output from a host.
    Nftables(NftRuleset) as as_nftables for Nftables;
    /// `apt list --upgradable` output from a host: pending upgrades.
    SecurityUpdates(PendingUpgrades) as as_security_updates for SecurityUpdates;
    /// Kernel parameters (`sysctl.conf`, `sysctl.d/*.conf`, a host's `sysctl` output).
    Sysctl(SysctlSettings) as as_sysctl for Sysctl;
    /// The account databases `/etc/passwd` and `/etc/shadow`.
    Accounts(Accounts) as as_accounts for Passwd | Shadow;
    /// `stat` output from a host: modes and owners of the files holding secrets.
    FileModes(FileModes) as as_file_modes for FileModes;
    /// apt's automatic-updates settings from a host.
    AutomaticUpdates(AptPeriodic) as as_automatic_updates for AutomaticUpdates;
    /// `df` output from a host: how full each filesystem is.
    DiskUsage(DiskUsage) as as_disk_usage for DiskUsage;
    /// A repository file that deploys a host's file, with how the host's copy differs.
    DeployedCopy(DeployedCopy) as as_deployed_copy for DeployedCopy;
}

/// What kind of file `path` is, from its name alone; `None` for files preflight does not
/// check. The first format certain of the name wins, else the first that guesses it.
pub fn classify(path: &Path) -> Option<Classification> {
    let name = FileName::new(path)?;
    let mut guess = None;
    for classify in CLASSIFIERS {
        match classify(&name) {
            Some(kind) if !kind.confirm_by_content => return Some(kind),
            Some(kind) if guess.is_none() => guess = Some(kind),
            _ => {}
        }
    }
    guess
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
    /// Parses `source` as `target` on its own (includes cannot be followed, time-based
    /// judgements are made now). Parsing never fails: errors are kept in the document.
    pub fn parse(source: SourceFile, target: Target) -> Self {
        Self::parse_with(
            Arc::new(source),
            &ParseContext {
                target,
                judged_at: None,
                files: &NoFiles,
            },
        )
    }

    /// Parses `source` as `context` says (the kind, the files its includes are read from).
    pub fn parse_with(source: Arc<SourceFile>, context: &ParseContext) -> Self {
        let content = Content::parse(&source, context);
        Self {
            source,
            target: context.target,
            content,
        }
    }

    /// The file named without its text, for facts that outlive the document.
    pub fn file_ref(&self) -> FileRef {
        FileRef::new(&self.source, self.target)
    }

    /// Whether the content confirms the kind the file's name suggested (see
    /// [`Classification::confirm_by_content`]).
    pub fn confirms_kind(&self) -> bool {
        self.content.parsed().confirms_kind()
    }

    /// Lines the parser could not read.
    pub fn parse_errors(&self) -> &[ParseError] {
        self.content.parsed().errors()
    }

    /// The secrets in the document, to be masked and scrubbed from every report.
    pub fn sensitive(&self) -> Vec<Sensitive> {
        self.sensitive_in(&Shown::everything())
    }

    /// [`Document::sensitive`] for a report showing only `shown` of the file: every secret
    /// touching it (see [`Format::sensitive_in`]).
    pub fn sensitive_in(&self, shown: &Shown) -> Vec<Sensitive> {
        if let Content::DeployedCopy(copy) = &self.content {
            return deployed_sensitive(&self.source, &copy.host_path);
        }
        self.content.parsed().sensitive_in(&self.source, shown)
    }

    /// Other files this document shows lines of, with their secrets: the host's copy a
    /// repository file is compared with (its differing lines are shown, masked).
    pub fn companions(&self) -> Vec<(Arc<SourceFile>, Vec<Sensitive>)> {
        let Content::DeployedCopy(copy) = &self.content else {
            return Vec::new();
        };
        copy.difference
            .iter()
            .map(|d| {
                let spans = deployed_sensitive(&d.host, &copy.host_path);
                (Arc::clone(&d.host), spans)
            })
            .collect()
    }

    /// Why a file of a checked kind is deliberately not checked (a Helm template, a
    /// kustomize input): reported as a diagnostic instead of findings.
    pub fn not_checked(&self) -> Option<&'static str> {
        self.content.parsed().not_checked()
    }

    /// Where the spans of a document built from several files point (see
    /// [`Format::origins`]).
    pub fn origins(&self) -> Option<&Origins> {
        self.content.parsed().origins()
    }

    /// Whether the document may be judged on its own until another names it (see
    /// [`Format::judged_alone`]).
    pub fn judged_alone(&self) -> bool {
        self.content.parsed().judged_alone(&self.source)
    }

    /// The files this document names that belong to the deployment too (see
    /// [`Format::follow_ups`]).
    pub fn follow_ups(&self) -> Vec<FollowUp> {
        self.content.parsed().follow_ups(&self.source, self.target)
    }

    /// The Compose file's YAML, for rules that read keys the Compose model does not.
    pub fn as_compose(&self) -> Option<&YamlFile> {
        self.as_compose_file().map(|file| &file.yaml)
    }
}

/// The secrets of `source`, a file deployed to `host_path` (a repository file or the host's
/// copy): what the deployed file's own format finds, or every byte for a kind preflight
/// does not know.
fn deployed_sensitive(source: &SourceFile, host_path: &std::path::Path) -> Vec<Sensitive> {
    match classify(host_path).map(|c| c.target) {
        Some(kind) if kind != Target::DeployedCopy => {
            let text = source.text.clone().into_bytes();
            let source =
                SourceFile::from_bytes(source.path.clone(), source.display_path.clone(), text);
            Document::parse(source, kind).sensitive()
        }
        _ => vec![Sensitive {
            span: crate::source::Span::new(0, source.text.len()),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_claimed_by_its_name_in_registration_order() {
        let cases = [
            (".env", Some(Target::Env)),
            (".env.production", Some(Target::Env)),
            (".env.local", Some(Target::Env)),
            ("db.env", Some(Target::Env)),
            ("prod.env", Some(Target::Env)),
            (".env.development", Some(Target::EnvDev)),
            (".env.test", Some(Target::EnvDev)),
            (".env.example", Some(Target::EnvExample)),
            (".env.production.sample", Some(Target::EnvExample)),
            ("env.py", None),
            (".envrc", None),
            (".env.vault", None),
            ("environment.ts", None),
            (".env.d.ts", None),
            ("docker.env.production", Some(Target::Env)),
            ("secrets.env.gpg", None),
            ("docs/config.env.html", None),
            (".env.patch", None),
            (".env.production.diff", None),
            ("README.md", None),
            ("nginx.conf", Some(Target::Nginx)),
            ("site.conf", Some(Target::Nginx)),
            ("etc/nginx/proxy_params", Some(Target::Nginx)),
            ("etc/nginx/sites-available/default", Some(Target::Nginx)),
            ("app/nginx/Dockerfile", Some(Target::Dockerfile)),
            ("app/Dockerfile", Some(Target::Dockerfile)),
            ("etc/ssh/sshd_config", Some(Target::Sshd)),
            (
                "etc/ssh/sshd_config.d/50-cloud-init.conf",
                Some(Target::Sshd),
            ),
            ("etc/nginx/conf.d/site.conf", Some(Target::Nginx)),
            ("hardened.sshd_config", Some(Target::Sshd)),
            ("sshd-T.txt", Some(Target::Sshd)),
            ("sshd_effective.txt", Some(Target::Sshd)),
            ("shop/settings.py", Some(Target::Django)),
            ("shop/settings/production.py", Some(Target::Django)),
            ("shop/test_settings.py", Some(Target::Django)),
            ("shop/views.py", None),
            ("ssh_config", None),
            ("etc/fail2ban/jail.local", Some(Target::Fail2ban)),
            (
                "etc/fail2ban/jail.d/defaults-debian.conf",
                Some(Target::Fail2ban),
            ),
            ("etc/fail2ban/jail.d/sshd.local", Some(Target::Fail2ban)),
            ("etc/fail2ban/jail.d/nginx.conf", Some(Target::Fail2ban)),
            ("etc/logrotate.d/nginx.conf", Some(Target::Logrotate)),
            (
                "etc/postgresql/16/main/postgresql.conf",
                Some(Target::Postgres),
            ),
            ("etc/postgresql/16/main/pg_hba.conf", Some(Target::PgHba)),
            (
                "etc/postgresql/16/main/conf.d/tuning.conf",
                Some(Target::Postgres),
            ),
            ("etc/nginx/conf.d/tuning.conf", Some(Target::Nginx)),
            ("etc/redis/redis.conf", Some(Target::Redis)),
            ("redis-6379.conf", Some(Target::Redis)),
            ("etc/logrotate.d/nginx", Some(Target::Logrotate)),
            ("etc/logrotate.d/app.conf", Some(Target::Logrotate)),
            ("etc/logrotate.conf", Some(Target::Logrotate)),
            ("debian/app.logrotate", Some(Target::Logrotate)),
            ("etc/ufw/user.rules", Some(Target::Firewall)),
            ("etc/ufw/user6.rules", Some(Target::Firewall)),
            ("ufw-status-verbose.txt", Some(Target::Firewall)),
            ("etc/iptables/rules.v4", Some(Target::Firewall)),
            ("iptables-save.txt", Some(Target::Firewall)),
            ("host1-ufw.txt", Some(Target::Firewall)),
            ("notes.txt", None),
            ("deploy/app.service", Some(Target::Systemd)),
            ("deploy/backup.timer", Some(Target::Systemd)),
            (
                "etc/systemd/system/app.service.d/override.conf",
                Some(Target::Systemd),
            ),
            ("etc/crontab", Some(Target::Cron)),
            ("etc/cron.d/pg-backup", Some(Target::Cron)),
            ("etc/cron.d/README.md", None),
            ("deploy/app.crontab", Some(Target::Cron)),
            ("docker-compose.yml", Some(Target::Compose)),
            ("compose.prod.yaml", Some(Target::Compose)),
            ("etc/mysql/my.cnf", Some(Target::DatabaseConfig)),
            ("etc/mongod.conf", Some(Target::DatabaseConfig)),
            // Other YAML is a Kubernetes manifest only if its content says so.
            ("config.yml", Some(Target::Kubernetes)),
            ("composer.yml", Some(Target::Kubernetes)),
            ("docker-compose.override.yml", Some(Target::Compose)),
            ("Dockerfile", Some(Target::Dockerfile)),
            ("deploy/Dockerfile.prod", Some(Target::Dockerfile)),
            ("api.Dockerfile", Some(Target::Dockerfile)),
            ("web.dockerfile", Some(Target::Dockerfile)),
            ("Containerfile", Some(Target::Dockerfile)),
            ("Dockerfile.dockerignore", None),
            ("docs/Dockerfile.md", None),
            ("Dockerfile.j2", None),
            ("Containerfile.dev", Some(Target::Dockerfile)),
            ("backend/package.json", Some(Target::NodePackage)),
            ("ecosystem.config.js", Some(Target::Pm2)),
            ("ecosystem.production.config.cjs", Some(Target::Pm2)),
            ("backend/src/server.js", Some(Target::NodeApp)),
            ("main.ts", Some(Target::NodeApp)),
            ("src/config/session.ts", Some(Target::NodeApp)),
            ("src/app.spec.ts", None),
            ("src/types.d.ts", None),
            ("scripts/build.js", None),
            ("public/bundle.min.js", None),
        ];
        for (name, want) in cases {
            assert_eq!(classify(Path::new(name)).map(|c| c.target), want, "{name}");
        }
    }
}
