//! `preflight audit`: a running host's snapshot, collected on this machine or over SSH and
//! judged like a static scan. Only in builds with the `live` feature (the default).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{absorb, build_catalog, emit, ReportArgs};
use crate::config;
use crate::engine;
use crate::policy::Catalog;

/// Runs `preflight audit TARGET`.
pub fn run(target: AuditTarget, color_allowed: bool) -> Result<ExitCode, String> {
    match target {
        AuditTarget::Local(args) => audit_local(&args.options, color_allowed),
        AuditTarget::Host(args) => audit_host(&args, color_allowed),
    }
}

/// The hosts `preflight audit` can look at.
#[derive(Debug, Subcommand)]
pub enum AuditTarget {
    /// This machine, without SSH (`preflight audit local --sudo`).
    Local(AuditLocalArgs),
    /// Hosts over SSH: `prod-1` (~/.ssh/config or `[hosts]` in preflight.toml),
    /// `deploy@10.0.0.5:2222`, or `--group web` from the inventory.
    Host(AuditHostArgs),
}

/// Options of `preflight audit host`.
#[derive(Debug, Args)]
#[command(
    after_help = "Over SSH, --timeout is each host's whole budget (connection and every command): a host that hangs costs at most that much. Exit 2 when any host could not be audited, or was only partly audited without --allow-partial. See docs/live-audit-ssh.md."
)]
pub struct AuditHostArgs {
    /// Hosts: ssh_config aliases, inventory names, `[user@]host[:port]` or `[user@][v6]:port`.
    #[arg(value_name = "HOST")]
    pub targets: Vec<String>,
    /// Also audit every inventory host in this group (repeatable).
    #[arg(long, short = 'g', value_name = "GROUP")]
    pub group: Vec<String>,
    /// Hosts audited at the same time.
    // A host costs this machine a thread waiting on its channel; the more run at once, the
    // fewer wait behind a host that hangs until its deadline.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 32)]
    pub jobs: usize,
    /// The OpenSSH client configuration to read [default: ~/.ssh/config].
    #[arg(long = "ssh-config", short = 'F', value_name = "FILE")]
    pub ssh_config: Option<PathBuf>,
    /// The known_hosts file host keys are checked against [default: UserKnownHostsFile, else ~/.ssh/known_hosts].
    #[arg(long, value_name = "FILE")]
    pub known_hosts: Option<PathBuf>,
    /// Trust the key of a host not yet in known_hosts, and record it there. A changed key
    /// is refused all the same.
    #[arg(long)]
    pub accept_new_host_key: bool,
    /// A private key file to offer before the configured or default ones (repeatable).
    #[arg(long, short = 'i', value_name = "FILE")]
    pub identity: Vec<PathBuf>,
    /// Do not use the ssh-agent at SSH_AUTH_SOCK.
    #[arg(long)]
    pub no_agent: bool,
    /// The longest wait for a TCP connection and SSH handshake, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub connect_timeout: u64,
    /// What every audit shares. Over SSH, `--timeout` is each host's whole budget
    /// (connection and every command): a hanging host costs at most that much.
    #[command(flatten)]
    pub options: AuditOptions,
}

/// Options of `preflight audit local`.
#[derive(Debug, Args)]
pub struct AuditLocalArgs {
    /// What every audit shares.
    #[command(flatten)]
    pub options: AuditOptions,
}

/// Options every `preflight audit` target shares: reporting like `check`, and what the
/// host snapshot collects.
#[derive(Debug, Args)]
pub struct AuditOptions {
    /// How to report, which rules, which configuration.
    #[command(flatten)]
    pub report: ReportArgs,
    /// Run the snapshot's commands through `sudo -n` (never prompts; refused commands
    /// become "unable to check" notes).
    #[arg(long)]
    pub sudo: bool,
    /// The longest one command may take, in seconds (`audit local`); over SSH, each host's
    /// whole budget (connection and every command), so a hanging host costs no more.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Also write what was collected (secrets redacted) to DIR, for `preflight check --snapshot DIR`.
    #[arg(long, value_name = "DIR")]
    pub save_snapshot: Option<PathBuf>,
    /// An application directory whose `.env` files and settings are checked (repeatable).
    #[arg(long, value_name = "DIR")]
    pub app_dir: Vec<PathBuf>,
    /// A certificate file to check besides Let's Encrypt's and nginx's (repeatable).
    #[arg(long, value_name = "FILE")]
    pub cert_path: Vec<PathBuf>,
    /// A backup directory whose newest file must be recent (repeatable).
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Vec<PathBuf>,
    /// The oldest the newest backup may be, in hours.
    #[arg(long, value_name = "HOURS", default_value_t = 26)]
    pub backup_max_age: u64,
    /// Gate on the findings even when a host was only partly audited (a collection that
    /// exists there was refused or timed out); without it, such a run exits 2.
    #[arg(long)]
    pub allow_partial: bool,
}

impl AuditOptions {
    /// Exit 2 when a host was partly audited and that was not accepted; else `code`.
    fn gate_partial(&self, outcome: &engine::ScanOutcome, code: ExitCode) -> ExitCode {
        let partly = outcome
            .diagnostics
            .iter()
            .any(|d| d.kind == crate::finding::DiagnosticKind::HostPartlyAudited);
        if partly && !self.allow_partial {
            ExitCode::from(2)
        } else {
            code
        }
    }
}

impl AuditOptions {
    /// What the snapshot collects, from these options.
    pub fn collect_options(&self) -> crate::live::snapshot::CollectOptions {
        crate::live::snapshot::CollectOptions {
            sudo: self.sudo,
            command_timeout: std::time::Duration::from_secs(self.timeout.max(1)),
            host_timeout: None,
            app_dirs: self.app_dir.clone(),
            cert_paths: self.cert_path.clone(),
            backup_dirs: self.backup_dir.clone(),
            backup_max_age: std::time::Duration::from_secs(self.backup_max_age * 3600),
        }
    }
}

/// `preflight audit local`: this machine's snapshot, judged like a host over SSH.
fn audit_local(options: &AuditOptions, color_allowed: bool) -> Result<ExitCode, String> {
    let audit = AuditRun::new(options)?;
    let transport = crate::live::transport::LocalTransport::new();
    let mut outcome = engine::ScanOutcome::default();
    audit.host(
        &transport,
        "",
        options.save_snapshot.as_deref(),
        &mut outcome,
    )?;
    let code = audit.report_local(&outcome, options, color_allowed)?;
    Ok(options.gate_partial(&outcome, code))
}

/// This machine's name, as its kernel has it (`localhost` when it cannot be read).
fn this_machine() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// What every `preflight audit` run shares: the configuration, the catalog and the
/// snapshot options. A fleet audits each host with [`AuditRun::host`] and reports once
/// with [`AuditRun::report`].
pub struct AuditRun {
    loaded: config::LoadedConfig,
    catalog: Catalog,
    in_effect: config::ConfigInEffect,
    root: PathBuf,
    collect: crate::live::snapshot::CollectOptions,
    results: bool,
}

impl AuditRun {
    /// Loads the configuration (`--config` or `preflight.toml` from the working directory)
    /// and builds the catalog with `--select`/`--ignore`.
    pub fn new(options: &AuditOptions) -> Result<Self, String> {
        let root = std::env::current_dir()
            .map_err(|e| format!("cannot read the working directory: {e}"))?;
        let loaded = options.report.load_config(std::slice::from_ref(&root))?;
        let (catalog, in_effect) =
            build_catalog(&loaded, &options.report.select, &options.report.ignore)?;
        options.report.check_frameworks(&catalog)?;
        Ok(Self {
            loaded,
            catalog,
            in_effect,
            root,
            collect: options.collect_options(),
            results: options.report.wants_results(),
        })
    }

    /// Collects the snapshot of the host behind `transport`, saves it to `save` (when
    /// given) and adds its findings and notes to `outcome`. Locations start with
    /// `location_prefix` (`ssh://prod-1`, or `""` for this machine).
    pub fn host(
        &self,
        transport: &dyn crate::live::transport::Transport,
        location_prefix: &str,
        save: Option<&Path>,
        outcome: &mut engine::ScanOutcome,
    ) -> Result<(), String> {
        let snapshot = crate::live::snapshot::collect(transport, &self.collect);
        if let Some(dir) = save {
            crate::live::save::save(&snapshot, location_prefix, dir)?;
        }
        if let Some(why) = snapshot.nothing_collected() {
            return Err(format!("not audited: nothing could be collected ({why})"));
        }
        let judged = crate::live::audit::audit_with_results(
            &snapshot,
            &self.catalog,
            location_prefix,
            self.results,
        );
        absorb(outcome, judged);
        Ok(())
    }

    /// Prints the report of every audited host and returns the gate's exit code (0 clean,
    /// 1 findings at or above `--fail-on`).
    pub fn report(
        &self,
        outcome: &engine::ScanOutcome,
        options: &AuditOptions,
        color_allowed: bool,
    ) -> Result<ExitCode, String> {
        self.emit(outcome, options.report.settings(color_allowed))
    }

    /// [`AuditRun::report`] for `audit local`: findings at this machine's absolute paths.
    fn report_local(
        &self,
        outcome: &engine::ScanOutcome,
        options: &AuditOptions,
        color_allowed: bool,
    ) -> Result<ExitCode, String> {
        let mut settings = options.report.settings(color_allowed);
        settings.local_host = Some(this_machine());
        self.emit(outcome, settings)
    }

    fn emit(
        &self,
        outcome: &engine::ScanOutcome,
        settings: super::ReportSettings,
    ) -> Result<ExitCode, String> {
        emit(
            outcome,
            None,
            (&self.catalog, &self.in_effect),
            &self.loaded,
            &self.root,
            &settings,
        )
    }
}

/// `preflight audit host`: each target over SSH, concurrently, reported together with
/// locations `ssh://LABEL/path`. Exit 2 when any host could not be audited.
fn audit_host(args: &AuditHostArgs, color_allowed: bool) -> Result<ExitCode, String> {
    use crate::live::{audit, fleet, save, snapshot, ssh, ssh_config, target};

    let options = &args.options;
    let run = AuditRun::new(options)?;
    let inventory = run.loaded.config.hosts.clone();
    let ssh_config_path = args
        .ssh_config
        .clone()
        .unwrap_or_else(|| ssh_config::home_dir().join(".ssh/config"));
    let ssh_config = ssh_config::SshConfig::load(&ssh_config_path)?;
    let mut names = args.targets.clone();
    for group in &args.group {
        names.extend(target::group_members(&inventory, group)?);
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|name| seen.insert(name.clone()));
    if names.is_empty() {
        return Err("name at least one host, or an inventory group with --group".to_owned());
    }
    let targets = names
        .iter()
        .map(|name| target::resolve(name, &inventory, &ssh_config))
        .collect::<Result<Vec<_>, _>>()?;
    let ssh_options = ssh::SshOptions {
        known_hosts: args.known_hosts.clone(),
        accept_new_host_key: args.accept_new_host_key,
        connect_timeout: std::time::Duration::from_secs(args.connect_timeout.max(1)),
        identities: args.identity.clone(),
        use_agent: !args.no_agent,
    };
    let client = ssh::SshClient::new(ssh_options, move |name| {
        target::resolve(name, &inventory, &ssh_config)
    })?;
    let several = targets.len() > 1;
    let fleet_options = fleet::FleetOptions {
        jobs: args.jobs,
        timeout: std::time::Duration::from_secs(options.timeout.max(1)),
        quiet: options.report.quiet,
    };
    // Checked before connecting anywhere: a bad inventory value is a configuration error.
    let collect = targets
        .iter()
        .map(|t| fleet::collect_options_for(&run.collect, t.inventory.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    let deployed_from = targets
        .iter()
        .map(|t| match &t.inventory {
            Some(entry) if !entry.files.is_empty() => {
                crate::live::deployed::read_sources(&t.label, &entry.files, &run.loaded.base)
            }
            _ => Ok(Vec::new()),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let results = fleet::audit_fleet(&client, &targets, fleet_options, |index, transport| {
        // Like `AuditRun::host`, with the host's inventory directories added.
        let (target, collect) = (&targets[index], &collect[index]);
        let prefix = format!("ssh://{}", target.label);
        let snapshot = snapshot::collect(transport, collect);
        if let Some(dir) = &options.save_snapshot {
            let dir = if several {
                dir.join(fleet::directory_name(&target.label))
            } else {
                dir.clone()
            };
            save::save(&snapshot, &prefix, &dir)?;
        }
        Ok(audit::audit_deployed(
            &snapshot,
            &run.catalog,
            &prefix,
            run.results,
            &deployed_from[index],
        ))
    });
    let mut outcome = engine::ScanOutcome::default();
    let mut failed = false;
    for result in results {
        if let Some(why) = result.status.reason() {
            failed = true;
            outcome.diagnostics.push(crate::finding::Diagnostic {
                role: None,
                path: format!("ssh://{}", result.label),
                kind: crate::finding::DiagnosticKind::HostNotAudited,
                message: format!("{}: {why}", result.status.word()),
            });
        }
        absorb(&mut outcome, result.outcome);
    }
    let code = run.report(&outcome, options, color_allowed)?;
    Ok(if failed {
        ExitCode::from(2)
    } else {
        options.gate_partial(&outcome, code)
    })
}
