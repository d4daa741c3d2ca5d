//! Command-line interface: argument parsing and the wiring of config, catalog, engine and
//! reporters. Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage or
//! configuration error.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::baseline::BaselineFile;
use crate::changed::ChangedFiles;

use crate::config::{self, DEFAULT_MAX_FILE_SIZE};
use crate::discover::{exclude_set, WalkOptions};
use crate::engine;
use crate::init;
use crate::policy::{Catalog, Severity};
use crate::report::{self, Format, Report, Style};

/// A compliance auditor and pre-flight linter for production deployments.
#[derive(Debug, Parser)]
#[command(name = "preflight", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Never colour the output (the `NO_COLOR` environment variable does the same).
    #[arg(long, global = true)]
    pub no_color: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check deployment files under the given paths.
    Check(CheckArgs),
    /// List every rule, one line each.
    Rules,
    /// Explain a rule: why it matters, how to fix it, references.
    Explain {
        /// A rule id (`ENV010`) or name (`env-placeholder-secret`).
        rule: String,
    },
    /// Write a commented `preflight.toml` and a GitHub workflow that runs preflight.
    Init {
        /// Overwrite files that already exist.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script (`preflight completions bash > /etc/bash_completion.d/preflight`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from these definitions.
    Man,
    /// Audit a running host: its effective configuration and live state.
    Audit {
        /// Which host.
        #[command(subcommand)]
        target: AuditTarget,
    },
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
    after_help = "Over SSH, --timeout is each host's whole budget (connection and every command): a host that hangs costs at most that much. Exit 2 when any host could not be audited. See docs/live-audit-ssh.md."
)]
pub struct AuditHostArgs {
    /// Hosts: ssh_config aliases, inventory names, `[user@]host[:port]` or `[user@][v6]:port`.
    #[arg(value_name = "HOST")]
    pub targets: Vec<String>,
    /// Also audit every inventory host in this group (repeatable).
    #[arg(long, short = 'g', value_name = "GROUP")]
    pub group: Vec<String>,
    /// Hosts audited at the same time.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 16)]
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
    /// Also write what was collected (secrets redacted) to DIR, for `preflight check DIR`.
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

/// The gate: the least severity that fails the run, or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Fail on critical findings only.
    Critical,
    /// Fail on high or critical.
    High,
    /// Fail on medium and above.
    Medium,
    /// Fail on low and above.
    Low,
    /// Fail on any finding.
    Info,
    /// Report only, never fail.
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            Self::Critical => Some(Severity::Critical),
            Self::High => Some(Severity::High),
            Self::Medium => Some(Severity::Medium),
            Self::Low => Some(Severity::Low),
            Self::Info => Some(Severity::Info),
            Self::Never => None,
        }
    }
}

/// What `check` and every `audit` share: the report's format and destination, the gate,
/// the rules and the configuration file.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a finding is at least this severe [default: high, or `fail_on` from preflight.toml].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Only run these rules: ids, names or id prefixes (`ENV`, `ENV01`), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rules: ids, names or id prefixes, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Use this configuration file instead of looking for preflight.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print only the summary line (human format) and no per-file notes.
    #[arg(long, short)]
    pub quiet: bool,
}

impl ReportArgs {
    /// The printing and gating part, for [`emit`].
    fn settings(&self, color_allowed: bool) -> ReportSettings<'_> {
        ReportSettings {
            format: self.format,
            output: self.output.as_deref(),
            quiet: self.quiet,
            fail_on: self.fail_on,
            color_allowed,
        }
    }
}

/// Options of `preflight check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// How to report, which rules, which configuration.
    #[command(flatten)]
    pub report: ReportArgs,
    /// Skip files that .gitignore ignores (off by default: .env files are git-ignored, yet
    /// they are what a pre-flight must check).
    #[arg(long)]
    pub respect_gitignore: bool,
    /// Report only findings in files changed since this git ref (a pull request's base,
    /// e.g. `origin/main`); the whole tree is still scanned for cross-file rules.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Compare with a baseline written by `--write-baseline`: findings recorded there are
    /// shown apart and do not fail the run.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Record today's findings as the baseline in FILE, then exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

/// Runs the CLI with the process's arguments.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let color_allowed = !cli.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let result = match cli.command {
        Command::Check(args) => check(args, color_allowed),
        Command::Rules => with_catalog(list_rules),
        Command::Explain { rule } => with_catalog(|catalog| explain(catalog, &rule)),
        Command::Init { force } => init::run(Path::new("."), force),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "preflight", &mut io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => clap_mangen::Man::new(Cli::command())
            .render(&mut io::stdout())
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| format!("cannot write the manual page: {e}")),
        Command::Audit { target } => match target {
            AuditTarget::Local(args) => audit_local(&args.options, color_allowed),
            AuditTarget::Host(args) => audit_host(&args, color_allowed),
        },
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn with_catalog(f: impl FnOnce(&Catalog) -> Result<ExitCode, String>) -> Result<ExitCode, String> {
    let loaded = config::load(None, &[PathBuf::from(".")]).map_err(|e| e.0)?;
    let catalog = build_catalog(&loaded, &[], &[])?;
    f(&catalog)
}

fn build_catalog(
    loaded: &config::LoadedConfig,
    select: &[String],
    ignore: &[String],
) -> Result<Catalog, String> {
    let mut catalog = Catalog::builtin().map_err(|e| e.0)?;
    for file in &loaded.config.policy_files {
        catalog
            .add_policy_file(&loaded.base.join(file))
            .map_err(|e| e.0)?;
    }
    // A user's policy file may name a check that does not exist: refuse it now, naming the
    // file and the rule, rather than when the scan binds the rules.
    crate::rules::bind(&catalog).map_err(|e| e.0)?;
    catalog
        .apply_overrides(&loaded.config.rules)
        .map_err(|e| e.0)?;
    catalog.select(select, ignore).map_err(|e| e.0)?;
    Ok(catalog)
}

fn check(args: CheckArgs, color_allowed: bool) -> Result<ExitCode, String> {
    for path in &args.paths {
        if std::fs::symlink_metadata(path).is_err() {
            return Err(format!("path `{}` does not exist", path.display()));
        }
    }
    let loaded = config::load(args.report.config.as_deref(), &args.paths).map_err(|e| e.0)?;
    let catalog = build_catalog(&loaded, &args.report.select, &args.report.ignore)?;
    let options = WalkOptions {
        exclude: loaded.config.exclude.clone(),
        exclude_base: loaded.base.clone(),
        respect_gitignore: args.respect_gitignore
            || loaded.config.respect_gitignore.unwrap_or(false),
        max_file_size: loaded.config.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
    };
    let excludes = exclude_set(&options.exclude)
        .map_err(|e| format!("bad `exclude` pattern in config: {e}"))?;
    // A saved host snapshot (`--save-snapshot`) is re-checked as the host it came from.
    let (snapshots, paths): (Vec<PathBuf>, Vec<PathBuf>) = args
        .paths
        .iter()
        .cloned()
        .partition(|p| crate::live::save::is_snapshot(p));
    let mut outcome = if paths.is_empty() {
        engine::ScanOutcome::default()
    } else {
        engine::scan(&paths, &options, &excludes, &catalog)
    };
    for dir in &snapshots {
        let (snapshot, prefix) = crate::live::save::load(dir)?;
        absorb(
            &mut outcome,
            crate::live::audit::audit(&snapshot, &catalog, &prefix),
        );
    }

    let root =
        std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    if let Some(reference) = &args.changed_since {
        let changed = ChangedFiles::since(reference, &root)?;
        outcome.findings.retain(|f| changed.touches(f, &root));
    }
    if let Some(path) = &args.write_baseline {
        let baseline = BaselineFile::from_findings(&outcome.findings);
        baseline.write(path)?;
        eprintln!(
            "wrote {} findings to the baseline {}",
            baseline.findings.len(),
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let baseline = match &args.baseline {
        Some(path) => Some(BaselineFile::read(path)?.apply(&mut outcome.findings)),
        None => None,
    };
    let settings = args.report.settings(color_allowed);
    emit(&outcome, baseline, &catalog, &loaded, &root, &settings)
}

/// How to print a report and gate on it: the options `check` and `audit` share.
struct ReportSettings<'a> {
    format: Format,
    output: Option<&'a Path>,
    quiet: bool,
    fail_on: Option<FailOn>,
    color_allowed: bool,
}

/// Writes the report of `outcome` and returns the exit code the gate gives.
fn emit(
    outcome: &engine::ScanOutcome,
    baseline: Option<crate::baseline::BaselineSummary>,
    catalog: &Catalog,
    loaded: &config::LoadedConfig,
    root: &Path,
    args: &ReportSettings,
) -> Result<ExitCode, String> {
    let report = Report {
        findings: &outcome.findings,
        diagnostics: &outcome.diagnostics,
        catalog,
        files_checked: outcome.files_checked,
        root,
        baseline,
    };
    let color_allowed = args.color_allowed;
    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    let style = Style {
        color: color_allowed && to_terminal,
        quiet: args.quiet,
    };
    let warnings = match &args.output {
        Some(path) => {
            let file =
                File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            let mut out = BufWriter::new(file);
            let warnings = report::write(args.format, &report, style, &mut out)
                .and_then(|w| out.flush().map(|()| w));
            warnings.map_err(|e| format!("cannot write {}: {e}", path.display()))?
        }
        None => {
            let mut out = io::stdout().lock();
            match report::write(args.format, &report, style, &mut out)
                .and_then(|w| out.flush().map(|()| w))
            {
                Ok(warnings) => warnings,
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Vec::new(),
                Err(e) => return Err(format!("cannot write the report: {e}")),
            }
        }
    };
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
    if args.format != Format::Human && !args.quiet {
        for d in &outcome.diagnostics {
            if d.kind == crate::finding::DiagnosticKind::UnableToCheck {
                eprintln!("note: unable to check {}: {}", d.path, d.message);
            } else {
                eprintln!("warning: {}: {}", d.path, d.message);
            }
        }
    }
    let gate = args.fail_on.unwrap_or(match loaded.config.fail_on {
        Some(severity) => match severity {
            Severity::Critical => FailOn::Critical,
            Severity::High => FailOn::High,
            Severity::Medium => FailOn::Medium,
            Severity::Low => FailOn::Low,
            Severity::Info => FailOn::Info,
        },
        None => FailOn::High,
    });
    let failing = gate.threshold().is_some_and(|t| {
        outcome
            .findings
            .iter()
            .any(|f| f.is_active() && f.severity >= t)
    });
    Ok(ExitCode::from(u8::from(failing)))
}

fn list_rules(catalog: &Catalog) -> Result<ExitCode, String> {
    let mut out = io::stdout().lock();
    let name_width = catalog
        .all()
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(0);
    for rule in catalog.all() {
        let _ = writeln!(
            out,
            "{:<8} {:<8} {:<name_width$}  {}",
            rule.id, rule.severity, rule.name, rule.title
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(catalog: &Catalog, id: &str) -> Result<ExitCode, String> {
    let rule = catalog
        .get(id)
        .ok_or_else(|| format!("unknown rule `{id}` (see `preflight rules` for the list)"))?;
    let mut out = io::stdout().lock();
    let _ = out.write_all(rule.explain().as_bytes());
    Ok(ExitCode::SUCCESS)
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
    audit.report(&outcome, options, color_allowed)
}

/// What every `preflight audit` run shares: the configuration, the catalog and the
/// snapshot options. A fleet audits each host with [`AuditRun::host`] and reports once
/// with [`AuditRun::report`].
pub struct AuditRun {
    loaded: config::LoadedConfig,
    catalog: Catalog,
    root: PathBuf,
    collect: crate::live::snapshot::CollectOptions,
}

impl AuditRun {
    /// Loads the configuration (`--config` or `preflight.toml` from the working directory)
    /// and builds the catalog with `--select`/`--ignore`.
    pub fn new(options: &AuditOptions) -> Result<Self, String> {
        let root = std::env::current_dir()
            .map_err(|e| format!("cannot read the working directory: {e}"))?;
        let loaded = config::load(
            options.report.config.as_deref(),
            std::slice::from_ref(&root),
        )
        .map_err(|e| e.0)?;
        let catalog = build_catalog(&loaded, &options.report.select, &options.report.ignore)?;
        Ok(Self {
            loaded,
            catalog,
            root,
            collect: options.collect_options(),
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
        let judged = crate::live::audit::audit(&snapshot, &self.catalog, location_prefix);
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
        let settings = options.report.settings(color_allowed);
        emit(
            outcome,
            None,
            &self.catalog,
            &self.loaded,
            &self.root,
            &settings,
        )
    }
}

/// Adds one host's (or one snapshot's) outcome to a report's.
fn absorb(outcome: &mut engine::ScanOutcome, judged: engine::ScanOutcome) {
    outcome.findings.extend(judged.findings);
    outcome.diagnostics.extend(judged.diagnostics);
    outcome.files_checked += judged.files_checked;
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
        Ok(audit::audit(&snapshot, &run.catalog, &prefix))
    });
    let mut outcome = engine::ScanOutcome::default();
    let mut failed = false;
    for result in results {
        if let Some(why) = result.status.reason() {
            failed = true;
            outcome.diagnostics.push(crate::finding::Diagnostic {
                path: format!("ssh://{}", result.label),
                kind: crate::finding::DiagnosticKind::HostNotAudited,
                message: format!("{}: {why}", result.status.word()),
            });
        }
        absorb(&mut outcome, result.outcome);
    }
    let code = run.report(&outcome, options, color_allowed)?;
    Ok(if failed { ExitCode::from(2) } else { code })
}
