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

use crate::config::FailOn;
use crate::config::{self, DEFAULT_MAX_FILE_SIZE};
use crate::discover::{exclude_set, WalkOptions};
use crate::engine;
use crate::finding::Finding;
use crate::init;
use crate::policy::{Catalog, Severity};
use crate::report::escape::terminal;
use crate::report::{self, Format, Report, Style};

#[cfg(feature = "live")]
pub mod audit;
mod manual;
mod progress;

/// The version with the commit and its date when built from a git checkout (build.rs).
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), env!("PREFLIGHT_VERSION_DETAILS"));

/// A compliance auditor and pre-flight linter for production deployments.
#[derive(Debug, Parser)]
#[command(
    name = "preflight",
    version = VERSION,
    about,
    propagate_version = true,
    after_help = manual::exit_status_help()
)]
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
    #[command(after_help = manual::exit_status_help())]
    Check(Box<CheckArgs>),
    /// List every rule, one line each.
    Rules,
    /// List the compliance frameworks rules give evidence for, with how many of each
    /// framework's controls a rule covers.
    Frameworks,
    /// Compare two JSON reports (`--format json`): findings new, fixed, waived and unchanged
    /// (by fingerprint), and controls and rule results whose status changed.
    #[command(after_help = manual::exit_status_help())]
    Diff(DiffArgs),
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
    /// Print a manual page (roff) generated from these definitions: preflight's, or a
    /// subcommand's (`preflight man audit host`); `--dir` writes every page.
    Man {
        /// The subcommand whose page to print (none: the main page).
        command: Vec<String>,
        /// Write every page (`preflight.1`, `preflight-check.1`, …) into this folder
        /// (`--dir /usr/local/share/man/man1`).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Audit a running host: its effective configuration and live state.
    #[cfg(feature = "live")]
    #[command(after_help = manual::exit_status_help())]
    Audit {
        /// Which host.
        #[command(subcommand)]
        target: Box<audit::AuditTarget>,
    },
    /// Stands in for `audit` in a build without the `live` feature: hidden from help, it
    /// says why instead of clap's bare "unrecognized subcommand".
    #[cfg(not(feature = "live"))]
    #[command(hide = true, disable_help_flag = true)]
    Audit {
        /// Whatever followed `audit`, ignored.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        ignored: Vec<std::ffi::OsString>,
    },
}

/// What `check` and every `audit` share: the report's format and destination, the gate,
/// the rules and the configuration file.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format [default: from the `-o` file's extension (`.sarif`, `.json`, `.xml`, `.md`, `.html`),
    /// else human].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
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
    #[arg(long, conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Use no configuration file: built-in defaults, whatever preflight.toml the checked
    /// folders hold (a pull request cannot relax its own gate).
    #[arg(long)]
    pub no_config: bool,
    /// Print only the summary line (human format) and no per-file notes.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also record every enabled rule's result on every file (or host) it could judge —
    /// pass, fail, not_applicable, not_evaluated with the reason — in the JSON report's
    /// `results` and the human summary.
    #[arg(long, value_enum, default_value = "none")]
    pub results: ResultsMode,
    /// Add a per-control rollup of these frameworks (`preflight frameworks` lists them):
    /// controls covered, passed, failed, not applicable and not evaluated, per file or host
    /// and in total — evidence for the controls, not a certification. Comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub framework: Vec<String>,
}

/// Options of `preflight diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier report (`preflight check … --format json -o old.json`).
    pub old: PathBuf,
    /// The later report.
    pub new: PathBuf,
    /// Output format [default: json when `-o` names a `.json` file, else human].
    #[arg(long, value_enum)]
    pub format: Option<DiffFormat>,
    /// Write the comparison to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Exit with 1 when a new finding is at least this severe.
    #[arg(long, value_enum, default_value = "high")]
    pub fail_on: FailOn,
}

/// The formats `preflight diff` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// A line per change, then the counts.
    Human,
    /// One JSON document: the counts, the findings by change, the changed statuses.
    Json,
}

/// Whether a report carries evaluation results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ResultsMode {
    /// Findings only.
    None,
    /// Every (rule, file) result.
    All,
}

impl ReportArgs {
    /// The configuration: `--config`, none with `--no-config`, else the nearest
    /// `preflight.toml` from the first of `paths`.
    pub(crate) fn load_config(&self, paths: &[PathBuf]) -> Result<config::LoadedConfig, String> {
        if self.no_config {
            return Ok(config::LoadedConfig {
                base: PathBuf::from("."),
                ..config::LoadedConfig::default()
            });
        }
        config::load(self.config.as_deref(), paths).map_err(|e| e.0)
    }

    /// Whether the run records evaluation results.
    pub(crate) fn wants_results(&self) -> bool {
        self.results == ResultsMode::All
            || !self.framework.is_empty()
            || self.format() == Format::Junit
    }

    /// The report's format: `--format`, else the `-o` file's extension, else human.
    fn format(&self) -> Format {
        self.format
            .unwrap_or_else(|| Format::for_output(self.output.as_deref()))
    }

    /// Refuses a `--framework` no policy defines, before anything is scanned.
    pub(crate) fn check_frameworks(&self, catalog: &Catalog) -> Result<(), String> {
        match self
            .framework
            .iter()
            .find(|id| catalog.framework(id).is_none())
        {
            Some(id) => Err(unknown_framework(id)),
            None => Ok(()),
        }
    }

    /// The printing and gating part, for [`emit`].
    fn settings(&self, color_allowed: bool) -> ReportSettings<'_> {
        ReportSettings {
            results: self.results == ResultsMode::All,
            frameworks: &self.framework,
            format: self.format(),
            output: self.output.as_deref(),
            quiet: self.quiet,
            fail_on: self.fail_on,
            color_allowed,
            local_host: None,
        }
    }
}

/// Options of `preflight check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check (default: the current directory, unless only
    /// `--snapshot` is given).
    pub paths: Vec<PathBuf>,
    /// A host snapshot saved by `audit … --save-snapshot DIR`, judged as the host it came
    /// from, or a folder of them (a fleet's: one subfolder per host), each judged as its
    /// host. Only a folder named here is a snapshot: a manifest found in a scanned tree is
    /// just a file, so a pull request cannot turn a scan into a snapshot check.
    #[arg(long = "snapshot", value_name = "DIR")]
    pub snapshots: Vec<PathBuf>,
    /// How to report, which rules, which configuration.
    #[command(flatten)]
    pub report: ReportArgs,
    /// Skip files that .gitignore ignores (off by default: .env files are git-ignored, yet
    /// they are what a pre-flight must check).
    #[arg(long)]
    pub respect_gitignore: bool,
    /// Render Helm charts with this `helm` (Helm 3). By default the first `helm` in an
    /// absolute folder of PATH is used; nothing in the scanned tree can choose one.
    #[arg(long, value_name = "PATH", conflicts_with = "no_helm")]
    pub helm: Option<PathBuf>,
    /// Never render Helm charts: their templates are reported as not checked.
    #[arg(long)]
    pub no_helm: bool,
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
    /// Exit 2 when no file of a kind preflight reads was found (a gate pointed at the
    /// wrong folder should not pass).
    #[arg(long)]
    pub require_files: bool,
    /// Judge every file as production: development, test, CI and example files (told
    /// apart by their paths and names, or `[roles]` in preflight.toml) otherwise get at
    /// most `info` from rules written for production.
    #[arg(long)]
    pub role_all: bool,
}

/// Runs the CLI with the process's arguments.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return argument_error(&err),
    };
    let color_allowed = !cli.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let result = match cli.command {
        Command::Check(args) => check(*args, color_allowed),
        Command::Rules => with_catalog(list_rules),
        Command::Frameworks => with_catalog(list_frameworks),
        Command::Diff(args) => diff(&args),
        Command::Explain { rule } => with_catalog(|catalog| explain(catalog, &rule)),
        Command::Init { force } => init::run(Path::new("."), force),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "preflight", &mut io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { command, dir } => {
            manual::run(&command, dir.as_deref()).map(|()| ExitCode::SUCCESS)
        }
        #[cfg(feature = "live")]
        Command::Audit { target } => audit::run(*target, color_allowed),
        #[cfg(not(feature = "live"))]
        Command::Audit { .. } => Err("`preflight audit` is not in this build: it was built \
            without the `live` feature (SSH and host commands). `check` works, on a saved \
            snapshot too; for `audit`, build with the default features \
            (`cargo install --locked --path .`)"
            .to_owned()),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {}", terminal(&message));
            ExitCode::from(2)
        }
    }
}

/// Prints what clap refused as one line, `error: … (try 'preflight check --help')`, exit 2;
/// help and version requests print as clap writes them.
fn argument_error(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let plain = matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if plain {
        let _ = err.print();
        return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    eprintln!(
        "{}",
        one_line_error(&err.render().to_string(), &subcommand_path(&args))
    );
    ExitCode::from(2)
}

/// The subcommands named on the command line (`preflight audit host`), for the help to read.
fn subcommand_path(args: &[String]) -> String {
    let mut command = Cli::command();
    let mut path = vec!["preflight".to_owned()];
    for arg in args.iter().filter(|a| !a.starts_with('-')) {
        let Some(sub) = command.find_subcommand(arg).cloned() else {
            break;
        };
        path.push(sub.get_name().to_owned());
        command = sub;
    }
    path.join(" ")
}

/// clap's several-line error as one line: the error, then its details (possible values, a
/// suggestion) after `;`, then the help to read.
fn one_line_error(rendered: &str, command: &str) -> String {
    let parts: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more"))
        .map(|l| l.trim_start_matches("tip: "))
        .map(|l| {
            l.strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
                .unwrap_or(l)
        })
        .collect();
    let text = parts.join("; ");
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    format!("error: {} (try '{command} --help')", terminal(text))
}

fn unknown_framework(id: &str) -> String {
    format!("unknown framework `{id}` (see `preflight frameworks` for the list)")
}

fn with_catalog(f: impl FnOnce(&Catalog) -> Result<ExitCode, String>) -> Result<ExitCode, String> {
    let loaded = config::load(None, &[PathBuf::from(".")]).map_err(|e| e.0)?;
    let (catalog, _) = build_catalog(&loaded, &[], &[])?;
    f(&catalog)
}

/// The catalog the run uses, and what the configuration file changed in it.
fn build_catalog(
    loaded: &config::LoadedConfig,
    select: &[String],
    ignore: &[String],
) -> Result<(Catalog, config::ConfigInEffect), String> {
    let mut catalog = Catalog::builtin().map_err(|e| e.0)?;
    for file in &loaded.config.policy_files {
        catalog
            .add_policy_file(&loaded.base.join(file))
            .map_err(|e| e.0)?;
    }
    // A user's policy file may name a check that does not exist, or a control no framework
    // lists: refuse it now, naming the file and the rule, rather than when the scan binds
    // the rules.
    crate::rules::bind(&catalog).map_err(|e| e.0)?;
    catalog.check_controls().map_err(|e| e.0)?;
    let before = catalog.settings();
    catalog
        .apply_overrides(&loaded.config.rules)
        .map_err(|e| e.0)?;
    let (disabled, lowered) = catalog.relaxed_since(&before);
    let settings = &loaded.config;
    let in_effect = config::ConfigInEffect {
        file: loaded.path.as_deref().map(crate::discover::display_path),
        disabled,
        lowered,
        fail_on: settings.fail_on,
        exclude: settings.exclude.clone(),
        max_file_size: settings.max_file_size,
        policy_files: settings
            .policy_files
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
    };
    catalog.select(select, ignore).map_err(|e| e.0)?;
    Ok((catalog, in_effect))
}

fn check(args: CheckArgs, color_allowed: bool) -> Result<ExitCode, String> {
    // A saved host snapshot (`--save-snapshot`) is re-checked as the host it came from,
    // when the user says it is one.
    let snapshots = &args.snapshots;
    let paths = if args.paths.is_empty() && snapshots.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    for path in paths.iter().chain(snapshots) {
        if std::fs::symlink_metadata(path).is_err() {
            return Err(format!("path `{}` does not exist", path.display()));
        }
    }
    // Snapshots alone: the configuration (and its inventory, where SARIF places a host's
    // findings) is the working directory's, as for `audit`; never one inside a snapshot.
    let loaded = if paths.is_empty() {
        args.report.load_config(&[PathBuf::from(".")])?
    } else {
        args.report.load_config(&paths)?
    };
    let (catalog, in_effect) = build_catalog(&loaded, &args.report.select, &args.report.ignore)?;
    args.report.check_frameworks(&catalog)?;
    let options = WalkOptions {
        exclude: loaded.config.exclude.clone(),
        exclude_base: loaded.base.clone(),
        respect_gitignore: args.respect_gitignore
            || loaded.config.respect_gitignore.unwrap_or(false),
        max_file_size: loaded.config.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
        helm: if args.no_helm {
            None
        } else {
            crate::formats::helm::Helm::locate(args.helm.as_deref())?
        },
    };
    let excludes = exclude_set(&options.exclude)
        .map_err(|e| format!("bad `exclude` pattern in config: {e}"))?;
    let progress = progress::Progress::start("checking files", args.report.quiet);
    let mut outcome = if paths.is_empty() {
        engine::ScanOutcome::default()
    } else {
        engine::scan_with(
            &paths,
            &options,
            &excludes,
            &catalog,
            args.report.wants_results(),
        )
    };
    progress.finish();
    // A folder named as a path that holds a snapshot was checked as plain files; say how to
    // judge it as its host instead.
    for path in paths.iter().filter(|p| crate::live::save::is_snapshot(p)) {
        eprintln!(
            "note: {} holds a saved host snapshot, checked as plain files; to judge it as the host it came from, name it with `--snapshot`",
            crate::discover::display_path(path).escape_debug()
        );
    }
    for named in snapshots {
        let found = crate::live::save::snapshots_in(named);
        if found.is_empty() {
            return Err(format!(
                "{} is no saved host snapshot and holds none (a snapshot is a folder written by `preflight audit … --save-snapshot`, with its manifest.json)",
                crate::discover::display_path(named).escape_debug()
            ));
        }
        for dir in &found {
            let (snapshot, prefix) = crate::live::save::load(dir, options.max_file_size)?;
            absorb(
                &mut outcome,
                crate::live::audit::audit_with_results(
                    &snapshot,
                    &catalog,
                    &prefix,
                    args.report.wants_results(),
                ),
            );
        }
    }
    let roles = crate::role::Roles::new(&loaded.config.roles, &loaded.base, args.role_all)?;
    judge_roles(&mut outcome.findings, &catalog, &roles);
    judge_result_roles(outcome.results.as_deref_mut(), &catalog, &roles);
    for diagnostic in &mut outcome.diagnostics {
        diagnostic.role = Some(roles.of(&diagnostic.path));
    }
    if outcome.files_checked == 0 {
        // Nothing of ours was found: say what preflight reads rather than a bare "clean";
        // or nothing found could be read (too large, binary, a link out of the tree).
        let what = if outcome.diagnostics.is_empty() {
            "no file preflight reads was found here; it reads .env files, nginx, \
            sshd_config, systemd units, crontabs, firewall rules, PostgreSQL/Redis/fail2ban/\
            logrotate configuration, Docker Compose files, Dockerfiles, Kubernetes manifests, \
            Django settings and Node.js deployments (`preflight rules` lists every check)"
        } else {
            "none of the files found here could be checked (the notes say why)"
        };
        if args.require_files {
            return Err(format!("{what}; --require-files was given"));
        }
        if !args.report.quiet {
            eprintln!("note: {what}");
        }
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
            terminal(&path.display().to_string())
        );
        return Ok(ExitCode::SUCCESS);
    }
    let baseline = match &args.baseline {
        Some(path) => Some(BaselineFile::read(path)?.apply(&mut outcome.findings)),
        None => None,
    };
    let settings = args.report.settings(color_allowed);
    let code = emit(
        &outcome,
        baseline,
        (&catalog, &in_effect),
        &loaded,
        &root,
        &settings,
    );
    // The process ends next: its findings (45,000 for 10,000 files) are left for the system
    // to take back at once rather than freed one by one.
    std::mem::forget(outcome);
    code
}

/// How to print a report and gate on it: the options `check` and `audit` share.
struct ReportSettings<'a> {
    results: bool,
    frameworks: &'a [String],
    format: Format,
    output: Option<&'a Path>,
    quiet: bool,
    fail_on: Option<FailOn>,
    color_allowed: bool,
    /// The machine `audit local` audited (see [`Report::local_host`]).
    local_host: Option<String>,
}

/// Writes the report of `outcome` and returns the exit code the gate gives.
fn emit(
    outcome: &engine::ScanOutcome,
    baseline: Option<crate::baseline::BaselineSummary>,
    (catalog, in_effect): (&Catalog, &config::ConfigInEffect),
    loaded: &config::LoadedConfig,
    root: &Path,
    args: &ReportSettings,
) -> Result<ExitCode, String> {
    let mut rollups = Vec::new();
    for id in args.frameworks {
        let framework = catalog.framework(id).ok_or_else(|| unknown_framework(id))?;
        rollups.push(crate::compliance::rollup(
            framework,
            catalog,
            outcome.results.as_deref().unwrap_or_default(),
        ));
    }
    let anchors = loaded.host_anchors();
    let report = Report {
        compliance: &rollups,
        hosts: &anchors,
        local_host: args.local_host.as_deref(),
        findings: &outcome.findings,
        diagnostics: &outcome.diagnostics,
        catalog,
        files_checked: outcome.files_checked,
        root,
        baseline,
        configuration: Some(in_effect),
        // JUnit without a framework is made of the results.
        results: outcome
            .results
            .as_deref()
            .filter(|_| args.results || args.format == Format::Junit),
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
            // Buffered: standard output is line-buffered, and a report of 45,000 findings
            // was a million `write` calls.
            let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
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
        eprintln!("warning: {}", terminal(&warning));
    }
    if args.format != Format::Human && !args.quiet {
        for d in &outcome.diagnostics {
            if d.kind == crate::finding::DiagnosticKind::UnableToCheck {
                eprintln!(
                    "note: unable to check {}: {}",
                    terminal(&d.path),
                    terminal(&d.message)
                );
            } else {
                // Files and hosts alike: `warning: PATH-OR-HOST: why`.
                eprintln!("warning: {}: {}", terminal(&d.path), terminal(&d.message));
            }
        }
    }
    let gate = args
        .fail_on
        .or(loaded.config.fail_on)
        .unwrap_or(FailOn::High);
    let failing = gate.threshold().is_some_and(|t| {
        outcome
            .findings
            .iter()
            .any(|f| f.is_active() && f.severity >= t)
    });
    Ok(ExitCode::from(u8::from(failing)))
}

/// `preflight diff OLD NEW`.
fn diff(args: &DiffArgs) -> Result<ExitCode, String> {
    let old = crate::diff::load(&args.old)?;
    let new = crate::diff::load(&args.new)?;
    let compared = crate::diff::diff(&old, &new);
    let format = args.format.unwrap_or_else(|| {
        if Format::for_output(args.output.as_deref()) == Format::Json {
            DiffFormat::Json
        } else {
            DiffFormat::Human
        }
    });
    let write = |out: &mut dyn Write| match format {
        DiffFormat::Human => crate::diff::write_human(&compared, out),
        DiffFormat::Json => crate::diff::write_json(&compared, out),
    };
    match &args.output {
        Some(path) => {
            let file =
                File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            let mut out = BufWriter::new(file);
            write(&mut out)
                .and_then(|()| out.flush())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        None => {
            let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
            match write(&mut out).and_then(|()| out.flush()) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(format!("cannot write the comparison: {e}")),
            }
        }
    }
    let failing = crate::diff::fails(&compared, args.fail_on.threshold());
    Ok(ExitCode::from(u8::from(failing)))
}

fn list_rules(catalog: &Catalog) -> Result<ExitCode, String> {
    let mut out = io::stdout().lock();
    let _ = out.write_all(rules_table(catalog).as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// One line per rule, in columns: id, severity, name, title. Widths are counted in
/// characters of the cells' text (a `Display` that ignores width, as `Severity`'s, would
/// shift the columns after it).
fn rules_table(catalog: &Catalog) -> String {
    let rows: Vec<[String; 4]> = catalog
        .all()
        .iter()
        .map(|r| {
            [
                r.id.clone(),
                r.severity.to_string(),
                r.name.clone(),
                r.title.clone(),
            ]
        })
        .collect();
    let width = |column: usize| {
        rows.iter()
            .map(|r| r[column].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (id, severity, name) = (width(0), width(1), width(2));
    rows.iter()
        .map(|[a, b, c, d]| format!("{a:<id$}  {b:<severity$}  {c:<name$}  {d}\n"))
        .collect()
}

fn explain(catalog: &Catalog, id: &str) -> Result<ExitCode, String> {
    let rule = catalog
        .get(id)
        .ok_or_else(|| format!("unknown rule `{id}` (see `preflight rules` for the list)"))?;
    let mut out = io::stdout().lock();
    let _ = out.write_all(
        rule.explain_with(|reference| catalog.control_title(reference))
            .as_bytes(),
    );
    Ok(ExitCode::SUCCESS)
}

fn list_frameworks(catalog: &Catalog) -> Result<ExitCode, String> {
    let mut out = io::stdout().lock();
    let _ = out.write_all(frameworks_table(catalog).as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// One line per framework: id, controls covered of the total, title, version, licence and
/// where it is published; then the statement every rollup carries.
fn frameworks_table(catalog: &Catalog) -> String {
    let rows: Vec<[String; 3]> = catalog
        .frameworks()
        .iter()
        .map(|f| {
            [
                f.id.clone(),
                match crate::compliance::partial_coverage(f, catalog) {
                    0 => format!(
                        "{}/{} controls covered",
                        crate::compliance::coverage(f, catalog),
                        f.controls.len()
                    ),
                    partly => format!(
                        "{}/{} controls covered (+{partly} in part)",
                        crate::compliance::coverage(f, catalog),
                        f.controls.len()
                    ),
                },
                format!("{} {} ({}, {})", f.title, f.version, f.licence, f.url),
            ]
        })
        .collect();
    let width = |column: usize| {
        rows.iter()
            .map(|r| r[column].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (id, covered) = (width(0), width(1));
    let mut text: String = rows
        .iter()
        .map(|[a, b, c]| format!("{a:<id$}  {b:<covered$}  {c}\n"))
        .collect();
    text.push_str(&format!(
        "\n`preflight check --framework ID` adds a per-control rollup. {}\n",
        crate::compliance::STATEMENT
    ));
    text
}

/// Adds one host's (or one snapshot's) outcome to a report's.
/// Gives each finding its file's role and caps at `info` what a rule finds in a file of a
/// role the rule does not judge (`roles` in its policy; production only by default).
fn judge_roles(findings: &mut [Finding], catalog: &Catalog, roles: &crate::role::Roles) {
    // Findings come grouped by file: judge each path once, not once per finding.
    let mut last: Option<(crate::finding::SharedText, crate::role::Role)> = None;
    for finding in findings {
        finding.role = match &last {
            Some((path, role)) if *path == finding.location.path => *role,
            _ => {
                let role = roles.of(&finding.location.path);
                last = Some((finding.location.path.clone(), role));
                role
            }
        };
        let judged = catalog
            .get(&finding.rule_id)
            .is_none_or(|rule| rule.roles.contains(&finding.role));
        if !judged && finding.severity > Severity::Info {
            finding.severity = Severity::Info;
        }
    }
}

/// Gives each result its file's role; a rule's result on a file of a role it does not
/// judge is `not_applicable`, saying so (its findings there, at most `info`, stay counted).
fn judge_result_roles(
    results: Option<&mut [crate::results::RuleResult]>,
    catalog: &Catalog,
    roles: &crate::role::Roles,
) {
    use crate::results::Status;
    for result in results.into_iter().flatten() {
        let Some(path) = &result.path else { continue };
        let role = roles.of(path);
        result.role = Some(role);
        let judged = catalog
            .get(&result.rule_id)
            .is_none_or(|rule| rule.roles.contains(&role));
        if !judged && matches!(result.status, Status::Pass | Status::Fail) {
            result.status = Status::NotApplicable;
            result.reasons = vec![format!(
                "a {role} file: the rule judges {} files at its severity",
                catalog
                    .get(&result.rule_id)
                    .map(|r| r
                        .roles
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", "))
                    .unwrap_or_default()
            )];
        }
    }
}

fn absorb(outcome: &mut engine::ScanOutcome, judged: engine::ScanOutcome) {
    outcome.findings.extend(judged.findings);
    if let Some(results) = judged.results {
        outcome.results.get_or_insert_with(Vec::new).extend(results);
    }
    outcome.diagnostics.extend(judged.diagnostics);
    outcome.files_checked += judged.files_checked;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_line_up_in_columns() {
        let catalog = Catalog::builtin().expect("catalog");
        let table = rules_table(&catalog);
        let starts: std::collections::BTreeSet<usize> = table
            .lines()
            .map(|line| {
                let rule = catalog
                    .get(line.split(' ').next().expect("id"))
                    .expect("rule");
                line.find(&format!(" {} ", rule.name)).expect("name") + 1
            })
            .collect();
        assert_eq!(starts.len(), 1, "names start at {starts:?}:\n{table}");
    }

    #[test]
    fn argument_errors_fold_to_one_line_naming_the_help() {
        let args = ["check", "--format", "xml"].map(String::from);
        let err = Cli::try_parse_from(
            ["preflight"]
                .iter()
                .chain(&args.each_ref().map(String::as_str)),
        )
        .unwrap_err();
        let line = one_line_error(&err.render().to_string(), &subcommand_path(&args));
        assert!(!line.contains('\n'), "{line}");
        assert!(line.starts_with("error: invalid value 'xml'"), "{line}");
        assert!(line.contains("; possible values: human, json"), "{line}");
        assert!(line.ends_with("(try 'preflight check --help')"), "{line}");
        let err = Cli::try_parse_from(["preflight", "chek"]).unwrap_err();
        let line = one_line_error(&err.render().to_string(), "preflight");
        assert!(line.contains("'check'"), "a suggestion: {line}");
        assert!(line.ends_with("(try 'preflight --help')"), "{line}");
        #[cfg(feature = "live")]
        assert_eq!(
            subcommand_path(&["audit", "--quiet", "host", "web1"].map(String::from)),
            "preflight audit host"
        );
    }

    #[test]
    fn help_lists_the_exit_codes() {
        for path in [&["preflight"][..], &["preflight", "check"]] {
            let mut command = Cli::command();
            let mut sub = &mut command;
            for name in &path[1..] {
                sub = sub.find_subcommand_mut(name).expect("subcommand");
            }
            let help = sub.render_help().to_string();
            assert!(help.contains("Exit status:"), "{path:?}: {help}");
            assert!(
                help.contains("  2  A usage or configuration error"),
                "{help}"
            );
        }
    }

    #[test]
    fn audit_is_in_the_help_exactly_when_built_with_live() {
        let help = Cli::command().render_help().to_string();
        let listed = help.lines().any(|l| l.trim_start().starts_with("audit "));
        assert_eq!(listed, cfg!(feature = "live"), "{help}");
    }

    /// Without `live`, any `audit …` line reaches `main`, which says why it cannot run.
    #[cfg(not(feature = "live"))]
    #[test]
    fn audit_without_live_accepts_any_arguments() {
        let cli = Cli::try_parse_from(["preflight", "audit", "host", "--help", "-j", "4", "prod"])
            .expect("parses");
        assert!(matches!(cli.command, Command::Audit { .. }));
    }
}
