//! What kind of file a document is: the key that joins discovery, parsers and rules.

use serde::{Deserialize, Serialize};

/// The kind of file a rule applies to; discovery assigns one to every file it keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// Every kind of file (parse errors, suppression comments).
    Any,
    /// An environment file that is deployed: `.env`, `.env.production`, `app.env`, ….
    Env,
    /// An environment file for development or tests: `.env.development`, `.env.test`.
    EnvDev,
    /// A committed template: `.env.example`, `.env.sample`, `.env.template`, `.env.dist`.
    EnvExample,
    /// An nginx configuration file or fragment.
    Nginx,
    /// An OpenSSH server configuration: `sshd_config`, a drop-in from `sshd_config.d/`, or
    /// `sshd -T` output.
    Sshd,
    /// Firewall rules: `ufw status verbose` output, ufw's `user.rules`, `iptables-save`.
    Firewall,
    /// PostgreSQL's `postgresql.conf`.
    Postgres,
    /// PostgreSQL's `pg_hba.conf`.
    PgHba,
    /// `redis.conf`.
    Redis,
    /// fail2ban jail files: `jail.conf`, `jail.local`, `jail.d/*`.
    Fail2ban,
    /// logrotate's `logrotate.conf` and `logrotate.d/*` snippets.
    Logrotate,
    /// A systemd unit file: `*.service`, `*.timer`, `*.socket`, or a drop-in.
    Systemd,
    /// A crontab: `/etc/crontab`, `/etc/cron.d/*`, a user's crontab or `crontab -l` output.
    Cron,
    /// A Docker Compose file (`docker-compose.yml`, `compose.yaml`, …).
    Compose,
    /// A database server's configuration (`postgresql.conf`, `redis.conf`, `my.cnf`, …).
    DatabaseConfig,
    /// A Django settings module (`settings.py`, `settings/*.py`, `*settings*.py`).
    Django,
    /// A Dockerfile or Containerfile (`Dockerfile`, `Dockerfile.*`, `*.Dockerfile`).
    Dockerfile,
    /// A Node.js `package.json` (its `scripts`).
    NodePackage,
    /// A PM2 process file: `ecosystem.config.js`, `.cjs` or `.json`.
    Pm2,
    /// A JavaScript/TypeScript server or bootstrap file that imports Express, Nest, cors,
    /// helmet, express-session, cookie-parser or a JWT library.
    NodeApp,
    /// A Kubernetes manifest: a `*.yaml`/`*.yml` file whose documents have `apiVersion` and
    /// `kind`.
    Kubernetes,
    /// `ss -tlnpH` output from a live host: the listening TCP sockets.
    Listeners,
    /// `ps` output from a live host: the running processes and their users.
    Processes,
    /// A PEM certificate (chain) read from a live host.
    Certificate,
    /// A live host's backup directories with their newest files' modification times.
    BackupListing,
    /// `fail2ban-client status` output from a live host.
    Fail2banStatus,
    /// `nft list ruleset` output from a live host.
    Nftables,
    /// `apt list --upgradable` output from a live host: pending upgrades and their suites.
    SecurityUpdates,
    /// Kernel parameters: `sysctl.conf`, `sysctl.d/*.conf`, a live host's `sysctl` output.
    Sysctl,
    /// The account database `/etc/passwd` (passwd(5)).
    Passwd,
    /// The shadow password database `/etc/shadow` (shadow(5)); a live host's copy has its
    /// hashes replaced on the host before it is sent.
    Shadow,
    /// `stat` output from a live host: the modes and owners of the files holding secrets.
    FileModes,
    /// A live host's automatic-updates setup: apt's `APT::Periodic` settings and whether
    /// `unattended-upgrades` is installed.
    AutomaticUpdates,
    /// `df -P -k` output from a live host: each filesystem's size, use and mount point.
    DiskUsage,
    /// A repository file that deploys a live host's file (the inventory's `files`),
    /// compared with the host's copy.
    DeployedCopy,
}

impl Target {
    /// The name used in policy files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::Env => "env",
            Self::EnvDev => "env-dev",
            Self::EnvExample => "env-example",
            Self::Nginx => "nginx",
            Self::Sshd => "sshd",
            Self::Firewall => "firewall",
            Self::Postgres => "postgres",
            Self::PgHba => "pg-hba",
            Self::Redis => "redis",
            Self::Fail2ban => "fail2ban",
            Self::Logrotate => "logrotate",
            Self::Systemd => "systemd",
            Self::Cron => "cron",
            Self::Compose => "compose",
            Self::DatabaseConfig => "database-config",
            Self::Django => "django",
            Self::Dockerfile => "dockerfile",
            Self::NodePackage => "node-package",
            Self::Pm2 => "pm2",
            Self::NodeApp => "node-app",
            Self::Kubernetes => "kubernetes",
            Self::Listeners => "listeners",
            Self::Processes => "processes",
            Self::Certificate => "certificate",
            Self::BackupListing => "backup-listing",
            Self::Fail2banStatus => "fail2ban-status",
            Self::Nftables => "nftables",
            Self::SecurityUpdates => "security-updates",
            Self::Sysctl => "sysctl",
            Self::Passwd => "passwd",
            Self::Shadow => "shadow",
            Self::FileModes => "file-modes",
            Self::AutomaticUpdates => "automatic-updates",
            Self::DiskUsage => "disk-usage",
            Self::DeployedCopy => "deployed-copy",
        }
    }

    /// Whether only a live host's snapshot produces this kind (command output, certificates,
    /// backup listings): no file of a repository is read as it.
    pub fn is_host_state(self) -> bool {
        matches!(
            self,
            Self::Listeners
                | Self::Processes
                | Self::Certificate
                | Self::BackupListing
                | Self::Fail2banStatus
                | Self::Nftables
                | Self::SecurityUpdates
                | Self::FileModes
                | Self::AutomaticUpdates
                | Self::DiskUsage
                | Self::DeployedCopy
        )
    }

    /// A file name discovery gives this kind, for examples and tests that write a text as a
    /// file of this kind (`nginx.conf`, `docker-compose.yml`).
    pub fn example_file_name(self) -> &'static str {
        match self {
            Self::Sshd => "sshd_config",
            Self::Nginx => "nginx.conf",
            Self::Firewall => "rules.v4",
            Self::Postgres | Self::DatabaseConfig => "postgresql.conf",
            Self::PgHba => "pg_hba.conf",
            Self::Redis => "redis.conf",
            Self::Fail2ban => "jail.local",
            Self::Logrotate => "logrotate.d/app",
            Self::Systemd => "app.service",
            Self::Cron => "crontab",
            Self::Compose => "docker-compose.yml",
            Self::Django => "settings.py",
            Self::Dockerfile => "Dockerfile",
            Self::NodePackage => "package.json",
            Self::Pm2 => "ecosystem.config.js",
            Self::NodeApp => "server.js",
            Self::Kubernetes => "manifest.yaml",
            Self::EnvDev => ".env.development",
            Self::EnvExample => ".env.example",
            Self::Listeners => ".preflight/ss-tlnpH.txt",
            Self::Processes => ".preflight/ps.txt",
            Self::Certificate => "fullchain.pem",
            Self::BackupListing => ".preflight/backups.txt",
            Self::Fail2banStatus => ".preflight/fail2ban-status.txt",
            Self::Nftables => ".preflight/nft-ruleset.txt",
            Self::SecurityUpdates => ".preflight/apt-upgradable.txt",
            Self::Sysctl => "sysctl.conf",
            Self::Passwd => "etc/passwd",
            Self::Shadow => "etc/shadow",
            Self::FileModes => ".preflight/file-modes.txt",
            Self::AutomaticUpdates => ".preflight/apt-periodic.txt",
            Self::DiskUsage => ".preflight/df.txt",
            Self::DeployedCopy => ".repository/srv/app/.env",
            Self::Env | Self::Any => ".env",
        }
    }
}
