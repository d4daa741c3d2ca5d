//! A parser for crontabs, as cron (Vixie cron, cronie, Debian's cron) reads them.
//!
//! Two flavours share one syntax: the *system* crontab (`/etc/crontab`, `/etc/cron.d/*`) has
//! a user column between the schedule and the command; a *user* crontab (`crontab -e`,
//! `/var/spool/cron/crontabs/<user>`, `crontab -l` output) does not. A line is a comment
//! (`#`), blank, a variable (`NAME=value`, blanks around `=` allowed, value optionally
//! quoted), or a job: five time fields (minute, hour, day of month, month, day of week,
//! with `*`, lists, ranges, steps and month/day names) or one `@` nickname (`@daily`,
//! `@reboot`, …), then the user (system flavour), then the command up to the first
//! unescaped `%` (what follows is the job's standard input). There are no continuation
//! lines.

use std::path::Path;

use crate::formats::sensitive::{
    assignment_sensitive, command_sensitive, unreadable_lines, Sensitive,
};
use crate::formats::ParseError;
use crate::formats::Target;
use crate::formats::{Classification, FileName, Format, ParseContext};
use crate::message::{Message, Quote};
use crate::msg;
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// Which of the two crontab layouts a file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CronFlavor {
    /// `/etc/crontab` and `/etc/cron.d/*`: a user column before the command.
    System,
    /// A user's own crontab: no user column.
    User,
}

impl CronFlavor {
    /// The flavour a path implies, `None` when only the content can tell (a file called
    /// `crontab` in a project could be either).
    pub fn from_path(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        let parent = parent_name(path).unwrap_or_default();
        if parent == "cron.d" || (name == "crontab" && parent == "etc") {
            Some(Self::System)
        } else if parent == "crontabs" || name.ends_with(".crontab") {
            Some(Self::User)
        } else {
            None
        }
    }
}

fn parent_name(path: &Path) -> Option<String> {
    Some(path.parent()?.file_name()?.to_str()?.to_ascii_lowercase())
}

/// Extensions of files whose name starts with `crontab` but are not crontabs.
const NOT_CRONTAB_EXTENSIONS: &[&str] = &[
    "py", "rs", "js", "ts", "go", "rb", "php", "java", "sh", "md", "json", "yml", "yaml", "toml",
    "html", "expected", "bak", "orig", "swp",
];

/// Whether `path` is named like a crontab: `Some(false)` when the name is certain
/// (`crontab`, `*.crontab`, anything in `crontabs/`, files in `cron.d/` without a dot —
/// cron itself skips dotted names there, which also keeps `README.md` out), `Some(true)`
/// when the content must confirm it (`crontab.txt`, `crontab-root`: `crontab -l` dumps).
pub fn crontab_name(path: &Path) -> Option<bool> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let parent = parent_name(path).unwrap_or_default();
    let plain = !name.starts_with('.') && !name.contains('.');
    if name == "crontab"
        || name.ends_with(".crontab")
        || ((parent == "crontabs" || parent == "cron.d") && plain)
    {
        return Some(false);
    }
    let extension = name.rsplit_once('.').map_or("", |(_, ext)| ext);
    ((name.starts_with("crontab.") || name.starts_with("crontab-"))
        && !NOT_CRONTAB_EXTENSIONS.contains(&extension))
    .then_some(true)
}

/// A `NAME=value` line: cron passes it to every later job's environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronVariable {
    /// The name.
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// The value, quotes removed.
    pub value: String,
    /// Where the value is written, inside its quotes.
    pub value_span: Span,
}

/// One scheduled job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronJob {
    /// The schedule as written: five fields or an `@` nickname.
    pub schedule: String,
    /// Where the schedule is written.
    pub schedule_span: Span,
    /// The user it runs as (system flavour), and where that is written.
    pub user: Option<(String, Span)>,
    /// The command, up to the first unescaped `%`, with `\%` unescaped.
    pub command: String,
    /// Where the command is written.
    pub command_span: Span,
    /// Where in [`Self::command`] each `%` written as `\%` is: a range of the command maps to
    /// the file by adding the backslashes before it.
    escaped: Vec<usize>,
    /// What follows the first unescaped `%`: the job's standard input (a password typed
    /// into a program, or a `-U user%password` that was not escaped).
    pub input: Option<Span>,
    /// The whole line.
    pub span: Span,
}

impl CronJob {
    /// Where bytes `start..end` of [`Self::command`] are written in the file.
    pub fn command_span_of(&self, start: usize, end: usize) -> Span {
        let written = |at: usize| {
            self.command_span.start + at + self.escaped.iter().filter(|&&k| k < at).count()
        };
        Span::new(written(start), written(end))
    }
}

impl CronJob {
    /// The longest time between two runs of the job, or `None` for `@reboot` and schedules
    /// cron would refuse or that run fewer than twice a year. Read as Vixie cron reads it (a
    /// restricted day of month and day of week mean either) by croner, over the runs of
    /// the year from 2025-01-01 (at most [`MAX_RUNS_LOOKED_AT`]).
    pub fn longest_interval(&self) -> Option<std::time::Duration> {
        use croner::parser::{CronParser, Seconds, Year};
        let cron = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build()
            .parse(&self.schedule)
            .ok()?;
        let start = chrono::DateTime::from_timestamp(1_735_689_600, 0)?;
        let end = start + chrono::Duration::days(366);
        let mut runs = cron
            .iter_after(start)
            .take(MAX_RUNS_LOOKED_AT)
            .take_while(|run| *run < end);
        let mut last = runs.next()?;
        let mut longest = None;
        for run in runs {
            let gap = (run - last).to_std().ok()?;
            longest = longest.max(Some(gap));
            last = run;
        }
        longest
    }
}

/// Enough runs to see a whole week of a job that runs every minute of one day
/// (`* * * * 0`), and a year of anything sparser.
const MAX_RUNS_LOOKED_AT: usize = 20_000;

/// A parsed crontab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crontab {
    /// The layout the file was read with.
    pub flavor: CronFlavor,
    /// The jobs, in file order.
    pub jobs: Vec<CronJob>,
    /// The variables, in file order.
    pub variables: Vec<CronVariable>,
    /// Every comment line.
    pub comments: Vec<Span>,
    /// What could not be read.
    pub errors: Vec<ParseError>,
}

/// cron's schedule nicknames.
const NICKNAMES: &[&str] = &[
    "@reboot",
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

/// Names a system crontab's user column usually holds; used only to tell the two layouts
/// apart when the path does not.
const COMMON_USERS: &[&str] = &[
    "root", "postgres", "www-data", "nobody", "backup", "deploy", "mysql", "redis", "nginx", "app",
    "ubuntu", "admin", "daemon", "git", "node", "web", "apache", "mongodb",
];

/// `(lowest, highest, names)` of each of the five time fields.
const FIELDS: [(u32, u32, &[&str]); 5] = [
    (0, 59, &[]),
    (0, 23, &[]),
    (1, 31, &[]),
    (
        1,
        12,
        &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    ),
    (0, 7, &["sun", "mon", "tue", "wed", "thu", "fri", "sat"]),
];

/// Blank-separated words of `text` starting at `offset`, with their absolute spans.
fn words(text: &str, offset: usize) -> impl Iterator<Item = (&str, Span)> {
    text.split([' ', '\t'])
        .scan(offset, |at, word| {
            let start = *at;
            *at += word.len() + 1;
            Some((word, Span::new(start, start + word.len())))
        })
        .filter(|(w, _)| !w.is_empty())
}

/// Whether one time field is valid cron syntax within its range.
fn valid_field(field: &str, (low, high, names): (u32, u32, &[&str])) -> bool {
    let value = |v: &str| {
        let lower = v.to_ascii_lowercase();
        match names.iter().position(|n| *n == lower) {
            Some(i) => Some(i as u32 + u32::from(low == 1)),
            None => v.parse::<u32>().ok().filter(|n| (low..=high).contains(n)),
        }
    };
    field.split(',').all(|part| {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        let step_ok = step.is_none_or(|s| s.parse::<u32>().is_ok_and(|n| n > 0));
        let range_ok = range == "*"
            || match range.split_once('-') {
                Some((a, b)) => value(a).is_some() && value(b).is_some(),
                None => value(range).is_some(),
            };
        step_ok && range_ok
    })
}

/// The command up to the first unescaped `%`, with `\%` unescaped, its written length, and
/// where in the command each unescaped `%` is.
fn command_text(written: &str) -> (String, usize, Vec<usize>) {
    let mut command = String::new();
    let mut escaped = Vec::new();
    let mut chars = written.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|(_, n)| *n == '%') => {
                chars.next();
                escaped.push(command.len());
                command.push('%');
            }
            '%' => {
                let command = command.trim_end().to_owned();
                escaped.retain(|&k| k < command.len());
                return (command, written[..i].trim_end().len(), escaped);
            }
            c => command.push(c),
        }
    }
    let command = command.trim_end().to_owned();
    escaped.retain(|&k| k < command.len());
    (command, written.trim_end().len(), escaped)
}

/// A `NAME=value` line, if `line` is one. Names are what a shell would accept.
fn variable(text: &str, line: Span) -> Option<CronVariable> {
    let written = &text[line.range()];
    let eq = written.find('=')?;
    let name = written[..eq].trim_end();
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return None;
    }
    let after = &written[eq + 1..];
    let lead = after.len() - after.trim_start().len();
    let raw = after.trim();
    let mut start = line.start + eq + 1 + lead;
    let mut value = raw;
    let quoted = ['"', '\'']
        .iter()
        .any(|q| raw.starts_with(*q) && raw.ends_with(*q));
    if raw.len() >= 2 && quoted {
        value = &raw[1..raw.len() - 1];
        start += 1;
    }
    Some(CronVariable {
        name: name.to_owned(),
        name_span: Span::new(line.start, line.start + name.len()),
        value: value.to_owned(),
        value_span: Span::new(start, start + value.len()),
    })
}

/// A job line split into schedule, the word after it and the rest, before the flavour is
/// known.
struct RawJob<'a> {
    schedule: Span,
    sixth: Option<(&'a str, Span)>,
    seventh_start: Option<usize>,
    line: Span,
}

impl Crontab {
    /// Parses `text`; `flavor` is `None` when the path does not say which layout it is.
    /// Never fails: lines cron would reject become errors.
    pub fn parse(text: &str, flavor: Option<CronFlavor>) -> Self {
        let mut file = Self {
            flavor: flavor.unwrap_or(CronFlavor::User),
            jobs: Vec::new(),
            variables: Vec::new(),
            comments: Vec::new(),
            errors: Vec::new(),
        };
        let mut raw_jobs = Vec::new();
        let mut offset = 0;
        for physical in text.split_inclusive('\n') {
            let content = physical.trim_end_matches(['\n', '\r']);
            let lead = content.len() - content.trim_start().len();
            let line = Span::new(offset + lead, offset + content.trim_end().len().max(lead));
            offset += physical.len();
            let written = &text[line.range()];
            if written.is_empty() {
                continue;
            }
            if written.starts_with('#') {
                file.comments.push(line);
                continue;
            }
            if let Some(var) = variable(text, line) {
                file.variables.push(var);
                continue;
            }
            match raw_job(text, line) {
                Ok(job) => raw_jobs.push(job),
                Err(message) => file.errors.push(ParseError {
                    span: line,
                    message,
                }),
            }
        }
        if flavor.is_none() && !raw_jobs.is_empty() && raw_jobs.iter().all(looks_like_system) {
            file.flavor = CronFlavor::System;
        }
        for raw in raw_jobs {
            match file.job(text, &raw) {
                Some(job) => file.jobs.push(job),
                None => file.errors.push(ParseError {
                    span: raw.line,
                    message: match file.flavor {
                        CronFlavor::System => {
                            "a system crontab line needs a user and a command after the schedule"
                                .into()
                        }
                        CronFlavor::User => {
                            "a crontab line needs a command after the schedule".into()
                        }
                    },
                }),
            }
        }
        file
    }

    fn job(&self, text: &str, raw: &RawJob) -> Option<CronJob> {
        let (user, command_start) = match self.flavor {
            CronFlavor::System => {
                let (name, span) = raw.sixth?;
                (Some((name.to_owned(), span)), raw.seventh_start?)
            }
            CronFlavor::User => (None, raw.sixth?.1.start),
        };
        let written = &text[command_start..raw.line.end];
        let (command, length, escaped) = command_text(written);
        if command.is_empty() {
            return None;
        }
        let command_span = Span::new(command_start, command_start + length);
        let after = &written[length..];
        let input = after
            .trim_start()
            .strip_prefix('%')
            .map(|input| Span::new(raw.line.end - input.len(), raw.line.end));
        Some(CronJob {
            schedule: text[raw.schedule.range()].to_owned(),
            schedule_span: raw.schedule,
            user,
            escaped,
            command,
            command_span,
            input,
            span: raw.line,
        })
    }

    /// Whether the file holds anything only a crontab has (to confirm an ambiguous name).
    pub fn looks_like_crontab(&self) -> bool {
        !self.jobs.is_empty() && self.errors.is_empty()
    }
}

/// The sixth word is a user name (not a command) and a command follows it.
fn looks_like_system(raw: &RawJob) -> bool {
    raw.seventh_start.is_some()
        && raw
            .sixth
            .is_some_and(|(word, _)| COMMON_USERS.contains(&word))
}

fn raw_job(text: &str, line: Span) -> Result<RawJob<'_>, Message> {
    let mut words = words(&text[line.range()], line.start);
    let (first, first_span) = words.next().unwrap_or(("", line));
    let schedule = if first.starts_with('@') {
        if !NICKNAMES.contains(&first.to_ascii_lowercase().as_str()) {
            return Err(msg!(
                "`{}` is not a cron schedule; cron knows {}",
                Quote::at(first_span),
                Message::join(NICKNAMES.iter().copied(), ", ")
            ));
        }
        first_span
    } else {
        let mut end = first_span.end;
        let mut fields = vec![first];
        for _ in 0..4 {
            let (word, span) = words.next().ok_or(Message::from(
                "not a crontab line: five time fields (or `@daily`…), then the command",
            ))?;
            fields.push(word);
            end = span.end;
        }
        let schedule = Span::new(first_span.start, end);
        for (field, spec) in fields.iter().zip(FIELDS) {
            if !valid_field(field, spec) {
                return Err(msg!(
                    "`{}` is not a valid time field (minute hour day-of-month month day-of-week); cron rejects this line",
                    Quote::derived(schedule, fields.join(" "))
                ));
            }
        }
        schedule
    };
    let sixth = words.next();
    let seventh_start = words.next().map(|(_, span)| span.start);
    Ok(RawJob {
        schedule,
        sixth,
        seventh_start,
        line,
    })
}

impl Format for Crontab {
    /// See [`crontab_name`].
    fn classify(name: &FileName) -> Option<Classification> {
        Some(Classification {
            target: Target::Cron,
            confirm_by_content: crontab_name(name.path)?,
        })
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text, CronFlavor::from_path(&source.path))
    }

    fn confirms_kind(&self) -> bool {
        self.looks_like_crontab()
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        cron_sensitive(self, &source.text)
    }
}

/// In crontabs: secret variables, secrets on job command lines, and the jobs' standard
/// input (text fed to a program, which nothing here reads: all of it is hidden).
fn cron_sensitive(crontab: &Crontab, text: &str) -> Vec<Sensitive> {
    let mut found: Vec<Sensitive> = crontab
        .variables
        .iter()
        .filter_map(|var| assignment_sensitive(&var.name, &var.value, var.value_span))
        .collect();
    for job in &crontab.jobs {
        found.extend(command_sensitive(&job.command, &|start, end| {
            job.command_span_of(start, end)
        }));
        found.extend(
            job.input
                .filter(|span| !span.is_empty())
                .map(|span| Sensitive { span }),
        );
    }
    unreadable_lines(&crontab.errors, text, &mut found);
    found
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_job_knows_the_longest_time_between_its_runs() {
        let hours = |h: u64| Some(std::time::Duration::from_secs(h * 3600));
        for (schedule, longest) in [
            ("0 3 * * *", hours(24)),
            ("@daily", hours(24)),
            ("15 */6 * * *", hours(6)),
            ("0 1,13 * * *", hours(12)),
            ("0 3 * * 0", hours(7 * 24)),
            ("0 3 * * 1-5", hours(3 * 24)),
            ("30 2 1 * *", hours(31 * 24)),
            // Vixie cron: day of month or day of week.
            ("0 0 1 * 0", hours(7 * 24)),
            ("*/5 * * * *", Some(std::time::Duration::from_secs(300))),
            ("@reboot", None),
            ("0 3 31 2 *", None),
        ] {
            let tab = Crontab::parse(
                &format!("{schedule} /usr/local/bin/job\n"),
                Some(CronFlavor::User),
            );
            let job = tab
                .jobs
                .first()
                .unwrap_or_else(|| panic!("{schedule}: {:?}", tab.errors));
            assert_eq!(job.longest_interval(), longest, "{schedule}");
        }
    }
    use super::*;

    #[test]
    fn system_crontab_has_a_user_column() {
        let text = "SHELL=/bin/sh\nMAILTO = \"ops@example.org\"\n# m h dom mon dow user command\n17 *\t* * *\troot    cd / && run-parts --report /etc/cron.hourly\n";
        let tab = Crontab::parse(text, Some(CronFlavor::System));
        assert!(tab.errors.is_empty(), "{:?}", tab.errors);
        assert_eq!(tab.variables.len(), 2);
        assert_eq!(tab.variables[1].value, "ops@example.org");
        assert_eq!(
            &text[tab.variables[1].value_span.range()],
            "ops@example.org"
        );
        let job = &tab.jobs[0];
        assert_eq!(job.user.as_ref().unwrap().0, "root");
        assert_eq!(job.command, "cd / && run-parts --report /etc/cron.hourly");
        assert_eq!(&text[job.schedule_span.range()], "17 *\t* * *");
    }

    #[test]
    fn user_crontab_and_percent_signs() {
        let text =
            "0 2 * * * /opt/backup-db.sh\n@daily pg_dump app > /b/app-$(date +\\%F).sql % stdin\n";
        let tab = Crontab::parse(text, None);
        assert_eq!(tab.flavor, CronFlavor::User);
        assert_eq!(tab.jobs[0].command, "/opt/backup-db.sh");
        assert_eq!(tab.jobs[1].command, "pg_dump app > /b/app-$(date +%F).sql");
        assert_eq!(
            &text[tab.jobs[1].command_span.range()],
            "pg_dump app > /b/app-$(date +\\%F).sql"
        );
        assert_eq!(tab.jobs[0].input, None);
        assert_eq!(&text[tab.jobs[1].input.unwrap().range()], " stdin");
    }

    #[test]
    fn secrets_are_masked_where_written_and_job_input_whole() {
        let text = "0 1 * * * curl -u ops:qzcanary-pw https://x.example/\n\
                    0 2 * * * date +\\%F; mysql -pqzcanary-my\n\
                    0 3 * * * smbclient //nas/b -U backup%qzcanary-smb -c ls\n";
        let tab = Crontab::parse(text, Some(CronFlavor::User));
        let masked: Vec<&str> = cron_sensitive(&tab, text)
            .iter()
            .map(|s| &text[s.span.range()])
            .collect();
        assert_eq!(
            masked,
            [
                "qzcanary-pw",
                // Past a `\%`, positions are the written ones.
                "qzcanary-my",
                "qzcanary-smb -c ls",
            ]
        );
    }

    #[test]
    fn flavour_is_guessed_from_the_user_column_when_the_path_is_silent() {
        let tab = Crontab::parse("30 3 * * * postgres pg_dumpall > /b/all.sql\n", None);
        assert_eq!(tab.flavor, CronFlavor::System);
        assert_eq!(tab.jobs[0].command, "pg_dumpall > /b/all.sql");
    }

    #[test]
    fn invalid_lines_are_errors() {
        let tab = Crontab::parse(
            "61 * * * * x\n* * *\n@sometimes x\n0 0 * jan-dec mon-fri ok\n*/0 * * * * x\nnot cron at all\n",
            Some(CronFlavor::User),
        );
        assert_eq!(tab.errors.len(), 5, "{:?}", tab.errors);
        assert_eq!(tab.jobs.len(), 1);
        assert!(!tab.looks_like_crontab());
    }

    #[test]
    fn crontab_names() {
        for (path, want) in [
            ("crontab", Some(false)),
            ("etc/crontab", Some(false)),
            ("deploy/app.crontab", Some(false)),
            ("etc/cron.d/backup", Some(false)),
            ("etc/cron.d/backup.expected", None),
            ("etc/cron.d/README.md", None),
            ("var/spool/cron/crontabs/root", Some(false)),
            ("crontab.txt", Some(true)),
            ("crontab-root", Some(true)),
            ("src/crontab.rs", None),
            ("cron.py", None),
        ] {
            assert_eq!(crontab_name(Path::new(path)), want, "{path}");
        }
    }
}
