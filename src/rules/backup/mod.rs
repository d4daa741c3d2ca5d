//! Rules about backups: whether a project that runs a database backs it up at all
//! (BAK001, across the whole scan), and whether each backup job deletes old copies
//! (BAK002) and encrypts what it writes (BAK003). Jobs are recognised in one place,
//! [`crate::backup`]; this module finds them in crontabs, systemd services and Compose
//! files and maps their positions onto the files.

use crate::backup::{recognise, retention, BackupCommand, Tool};
use crate::document::Document;
use crate::formats::systemd::UnitFile;
use crate::message::{Message, Quote};
use crate::rules::{checks, RegisteredCheck};
use crate::source::Span;

pub mod encryption;
pub mod present;
pub mod retention;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "backup-unencrypted" => encryption::unencrypted;
    document "backup-without-retention" => retention::without_retention;
    facts "backups-missing" => present::Backups;
};

/// A backup job found in a document.
#[derive(Debug, Clone)]
pub struct FoundJob {
    /// What it does.
    pub command: BackupCommand,
    /// Where its tool is written.
    pub span: Span,
    /// Where old backups are deleted: on its own line, or elsewhere in the same file.
    pub retention: Option<Span>,
}

impl FoundJob {
    /// The job's tool for messages: the name of a tool preflight knows, or a script's name
    /// quoted from where it is written.
    pub fn tool(&self) -> Message {
        match &self.command.tool {
            Tool::Known(name) => Message::from(*name),
            Tool::Script(name) => Quote::derived(self.span, name.as_str()).into(),
        }
    }
}

/// Exec settings whose command lines belong to a service's job.
const EXEC_KEYS: &[&str] = &["ExecStartPre", "ExecStart", "ExecStartPost"];

/// A command line written at `span`: `offsets` maps a range of `line` to the file when the
/// written text is the line itself, else the whole span stands for any part of it.
struct Line<'a> {
    text: &'a str,
    locate: Box<dyn Fn(std::ops::Range<usize>) -> Span + 'a>,
}

/// The command lines of a crontab's jobs or a service's `Exec*=` settings.
fn command_lines(doc: &Document) -> Vec<Line<'_>> {
    if let Some(crontab) = doc.as_cron() {
        return crontab
            .jobs
            .iter()
            .map(|job| Line {
                text: job.command.as_str(),
                locate: Box::new(move |r| job.command_span_of(r.start, r.end)),
            })
            .collect();
    }
    let Some(unit) = doc.as_systemd() else {
        return Vec::new();
    };
    exec_entries(unit)
        .map(|entry| {
            // `-`, `@`, `+`, `!`, `:` prefixes change how systemd runs the command.
            let prefix = entry.value.len()
                - entry
                    .value
                    .trim_start_matches(['-', '@', '+', '!', ':'])
                    .len();
            Line {
                text: &entry.value[prefix..],
                locate: Box::new(move |r| entry.file_span(prefix + r.start, prefix + r.end)),
            }
        })
        .collect()
}

fn exec_entries(unit: &UnitFile) -> impl Iterator<Item = &crate::formats::systemd::UnitEntry> {
    unit.sections_named("Service")
        .flat_map(|s| s.entries.iter())
        .filter(|e| EXEC_KEYS.contains(&e.key.as_str()))
}

/// The backup jobs of a crontab or a systemd service. A line that only cleans up (a
/// separate `find … -delete` job, an `ExecStartPost=restic forget …`) counts for every job
/// in the file; a cleanup on a backup's own line counts for that backup only.
pub fn jobs(doc: &Document) -> Vec<FoundJob> {
    let lines = command_lines(doc);
    let file_retention = lines
        .iter()
        .filter(|line| recognise(line.text).is_none())
        .find_map(|line| retention(line.text).map(|r| (line.locate)(r)));
    lines
        .iter()
        .filter_map(|line| {
            let command = recognise(line.text)?;
            let own = command.retention.clone().map(|r| (line.locate)(r));
            Some(FoundJob {
                span: (line.locate)(command.at.clone()),
                retention: own.or(file_retention),
                command,
            })
        })
        .collect()
}
