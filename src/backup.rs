//! What a backup job looks like, in one place: cron lines, the `ExecStart=` of a systemd
//! service started by a timer, and later Kubernetes `CronJob` commands all hand their
//! command line here.
//!
//! A command line is split the way a shell splits it (quotes, `|`, `&&`, `;`), and each
//! simple command is looked at for a dump (`pg_dump`, `mysqldump`, `mongodump`,
//! `redis-cli SAVE`, copying `dump.rdb`), an encrypting backup tool (`restic backup`,
//! `borg create`), an archive of an uploads or data folder (`tar`), a copy into a backup
//! folder (`rsync`), or a script whose name says it backs something up. Retention
//! (`find … -mtime +N -delete`, `restic forget --keep-*`, `borg prune`) and encryption
//! (`gpg`, `age`, `openssl enc`, restic, borg) anywhere on the same line count for the job.
//!
//! This is a recogniser, not a shell: variables are not expanded and scripts are not read,
//! so a script's retention and encryption are unknown, never assumed missing.

use std::ops::Range;

use crate::formats::dbconf::DatabaseEngine;
use crate::formats::shell::{simple_commands, ShellWord as Word};

/// What a backup job saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupKind {
    /// A database dump by the database's own tool (`pg_dump`, `mysqldump`, …).
    Dump(DatabaseEngine),
    /// A backup tool that encrypts by design (restic, borg).
    Repository,
    /// An archive or copy of files (`tar` of uploads, `rsync` into a backup folder).
    Files,
    /// A script named after backups: what it does is not visible from here.
    Script,
}

/// A recognised backup job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupCommand {
    /// What it saves.
    pub kind: BackupKind,
    /// The tool or script as people call it (`pg_dump`, `restic backup`, `/opt/backup.sh`).
    pub tool: Tool,
    /// Where the tool's name is in the command line.
    pub at: Range<usize>,
    /// Where old backups are deleted on the same line, if they are.
    pub retention: Option<Range<usize>>,
    /// Whether the output is encrypted on the same line (or by the tool itself).
    pub encrypted: bool,
}

/// What runs a backup job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tool {
    /// A tool this module knows, by the name it goes by (`pg_dump`, `restic backup`,
    /// `cp dump.rdb`).
    Known(&'static str),
    /// A script, by the name written on the command line (`/opt/backup.sh`).
    Script(String),
}

impl Tool {
    /// The name, for fingerprints.
    pub fn name(&self) -> &str {
        match self {
            Self::Known(name) => name,
            Self::Script(name) => name,
        }
    }
}

impl BackupCommand {
    /// Whether the command line says enough to judge retention and encryption (a script's
    /// body is not read, so it does not).
    pub fn is_visible(&self) -> bool {
        self.kind != BackupKind::Script
    }
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Words that run the command after them (with their own options first).
const WRAPPERS: &[&str] = &[
    "sudo",
    "nice",
    "ionice",
    "timeout",
    "flock",
    "env",
    "exec",
    "time",
    "nohup",
    "chronic",
    "run-one",
    "setlock",
    "cronic",
    "systemd-cat",
    "runuser",
];

/// Options of wrappers that take a separate value (`sudo -u postgres`, `flock -w 10`);
/// numbers after a wrapper's options (`nice -n 10`) are skipped as well.
const WRAPPER_OPTIONS_WITH_VALUE: &[&str] = &["-u", "-g", "-c", "-w", "-s", "-k"];

/// The index of the word that is run: after assignments, wrappers and their options.
fn command_word(words: &[Word]) -> Option<usize> {
    let mut i = 0;
    let mut positional = 0;
    while i < words.len() {
        let text = words[i].text.as_str();
        let is_assignment = text
            .split_once('=')
            .is_some_and(|(name, _)| is_variable_name(name));
        if is_assignment || text.starts_with(['>', '<']) || text.starts_with("2>") {
            i += 1;
        } else if WRAPPERS.contains(&basename(text)) {
            // `timeout 1h cmd`, `flock /tmp/lock cmd`: one positional argument first.
            positional = usize::from(matches!(basename(text), "timeout" | "flock" | "setlock"));
            i += 1;
            while i < words.len()
                && (words[i].text.starts_with('-')
                    || words[i].text.chars().all(|c| c.is_ascii_digit()))
            {
                let takes_value = WRAPPER_OPTIONS_WITH_VALUE.contains(&words[i].text.as_str());
                i += 1 + usize::from(takes_value);
            }
        } else if positional > 0 {
            positional -= 1;
            i += 1;
        } else {
            return Some(i);
        }
    }
    None
}

fn is_variable_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Database dump tools and what they dump.
const DUMP_TOOLS: &[(&str, DatabaseEngine)] = &[
    ("pg_dump", DatabaseEngine::Postgres),
    ("pg_dumpall", DatabaseEngine::Postgres),
    ("pg_basebackup", DatabaseEngine::Postgres),
    ("pgbackrest", DatabaseEngine::Postgres),
    ("wal-g", DatabaseEngine::Postgres),
    ("wal-e", DatabaseEngine::Postgres),
    ("mysqldump", DatabaseEngine::Mysql),
    ("mariadb-dump", DatabaseEngine::Mysql),
    ("mysqlpump", DatabaseEngine::Mysql),
    ("mariabackup", DatabaseEngine::Mysql),
    ("xtrabackup", DatabaseEngine::Mysql),
    ("mongodump", DatabaseEngine::Mongo),
];

/// Folder names whose archive is a backup of user data.
const DATA_DIRS: &[&str] = &[
    "upload",
    "media",
    "data",
    "storage",
    "files",
    "attachments",
    "volumes",
    "www",
];

/// Tools whose output is encrypted.
fn encrypts(words: &[Word]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        let name = basename(&w.text);
        matches!(
            name,
            "gpg" | "gpg2" | "age" | "rage" | "ccrypt" | "restic" | "borg" | "duplicity"
        ) || (name == "openssl"
            && words
                .get(i + 1)
                .is_some_and(|n| matches!(n.text.as_str(), "enc" | "smime" | "cms")))
            || w.text == "--encrypt"
    })
}

/// The retention step in one simple command, if it is one.
fn retention_in(words: &[Word], next: Option<&[Word]>) -> Option<Range<usize>> {
    let start = command_word(words)?;
    let name = basename(&words[start].text);
    let span = |from: usize, to: usize| words[from].range.start..words[to].range.end;
    let has = |w: &str| words.iter().any(|x| x.text == w);
    match name {
        "find" => {
            let age = words.iter().position(|w| {
                matches!(
                    w.text.as_str(),
                    "-mtime" | "-mmin" | "-ctime" | "-atime" | "-newermt"
                )
            })?;
            let deletes = has("-delete")
                || words
                    .iter()
                    .any(|w| w.text == "-exec" || w.text == "-execdir")
                    && words.iter().any(|w| basename(&w.text) == "rm")
                || next.is_some_and(|n| n.iter().any(|w| basename(&w.text) == "rm"));
            deletes.then(|| span(start, age.max(start) + usize::from(age + 1 < words.len())))
        }
        "restic" if has("forget") => Some(span(start, words.len() - 1)),
        "borg" | "borgmatic" if has("prune") => Some(span(start, words.len() - 1)),
        "tmpreaper" | "tmpwatch" => Some(span(start, words.len() - 1)),
        "wal-g" if has("delete") => Some(span(start, words.len() - 1)),
        "pgbackrest" if has("expire") => Some(span(start, words.len() - 1)),
        _ if words.iter().any(|w| w.text.starts_with("--keep-")) => {
            Some(span(start, words.len() - 1))
        }
        _ => None,
    }
}

/// Programs that copy Redis's `dump.rdb`, and what such a job is called.
const RDB_COPIERS: &[(&str, &str)] = &[
    ("cp", "cp dump.rdb"),
    ("rsync", "rsync dump.rdb"),
    ("install", "install dump.rdb"),
    ("scp", "scp dump.rdb"),
    ("aws", "aws dump.rdb"),
    ("rclone", "rclone dump.rdb"),
];

/// The backup a simple command makes, if it makes one: kind, tool, where.
fn backup_in(words: &[Word]) -> Option<(BackupKind, Tool, Range<usize>)> {
    // Dump tools anywhere in the command, so wrappers (`sudo -u postgres`, `nice`) and
    // containers (`docker exec db pg_dump …`) need no special reading.
    let dump = words.iter().find_map(|w| {
        let name = basename(&w.text);
        DUMP_TOOLS
            .iter()
            .find(|(t, _)| *t == name)
            .map(|(tool, engine)| {
                (
                    BackupKind::Dump(*engine),
                    Tool::Known(tool),
                    w.range.clone(),
                )
            })
    });
    if dump.is_some() {
        return dump;
    }
    let has_word = |w: &str| words.iter().any(|a| a.text.eq_ignore_ascii_case(w));
    if let Some(redis) = words.iter().find(|w| basename(&w.text) == "redis-cli") {
        if has_word("save") || has_word("bgsave") || has_word("--rdb") {
            return Some((
                BackupKind::Dump(DatabaseEngine::Redis),
                Tool::Known("redis-cli SAVE"),
                redis.range.clone(),
            ));
        }
    }
    let start = command_word(words)?;
    let command = &words[start];
    let name = basename(&command.text);
    let args = &words[start + 1..];
    let has_arg = |w: &str| args.iter().any(|a| a.text.eq_ignore_ascii_case(w));
    let copies_rdb = args.iter().any(|a| basename(&a.text).ends_with(".rdb"));
    if let Some((_, tool)) = RDB_COPIERS.iter().find(|(n, _)| copies_rdb && *n == name) {
        return Some((
            BackupKind::Dump(DatabaseEngine::Redis),
            Tool::Known(tool),
            command.range.clone(),
        ));
    }
    let repository = |tool| {
        Some((
            BackupKind::Repository,
            Tool::Known(tool),
            command.range.clone(),
        ))
    };
    match name {
        "restic" if has_arg("backup") => repository("restic backup"),
        "borg" if has_arg("create") => repository("borg create"),
        "borgmatic" => repository("borgmatic"),
        "duplicity" => repository("duplicity"),
        "tar" | "gtar" | "bsdtar" => {
            let creates = args.iter().any(|a| {
                a.text == "--create"
                    || (!a.text.starts_with("--")
                        && a.text
                            .trim_start_matches('-')
                            .starts_with(|c: char| c.is_ascii_alphabetic())
                        && a.text.len() < 10
                        && a.text.trim_start_matches('-').contains('c'))
            });
            let of_data = args.iter().any(|a| {
                let lower = a.text.to_ascii_lowercase();
                DATA_DIRS.iter().any(|d| lower.contains(d)) || lower.contains("backup")
            });
            (creates && of_data)
                .then(|| (BackupKind::Files, Tool::Known("tar"), command.range.clone()))
        }
        "rsync" => {
            let destination = args.iter().rev().find(|a| !a.text.starts_with('-'))?;
            destination
                .text
                .to_ascii_lowercase()
                .contains("backup")
                .then(|| {
                    (
                        BackupKind::Files,
                        Tool::Known("rsync"),
                        command.range.clone(),
                    )
                })
        }
        _ => {
            // A script named after backups, run directly or through an interpreter.
            let script = if matches!(
                name,
                "sh" | "bash" | "dash" | "zsh" | "python" | "python3" | "perl" | "run-parts"
            ) {
                args.iter().find(|a| !a.text.starts_with('-'))?
            } else {
                command
            };
            basename(&script.text)
                .to_ascii_lowercase()
                .contains("backup")
                .then(|| {
                    (
                        BackupKind::Script,
                        Tool::Script(script.text.clone()),
                        script.range.clone(),
                    )
                })
        }
    }
}

/// Where a command line deletes old backups, if it does (`find … -mtime +N -delete`,
/// `restic forget --keep-*`, `borg prune`). Inside an `sh -c "…"` string the whole string
/// stands for it.
pub fn retention(line: &str) -> Option<Range<usize>> {
    retention_nested(&simple_commands(line), 0)
}

/// How deep `sh -c "bash -c '…'"` strings are looked into.
const MAX_NESTING: usize = 3;

/// [`retention`] in a command line already split into `commands`.
fn retention_nested(commands: &[Vec<Word>], depth: usize) -> Option<Range<usize>> {
    let found = commands
        .iter()
        .enumerate()
        .find_map(|(i, words)| retention_in(words, commands.get(i + 1).map(Vec::as_slice)));
    found.or_else(|| {
        commands
            .iter()
            .flatten()
            .filter(|w| depth < MAX_NESTING && w.text.contains(' '))
            .find_map(|w| {
                retention_nested(&simple_commands(&w.text), depth + 1).map(|_| w.range.clone())
            })
    })
}

/// The backup job a command line runs, if it runs one.
pub fn recognise(line: &str) -> Option<BackupCommand> {
    recognise_nested(line, 0)
}

fn recognise_nested(line: &str, depth: usize) -> Option<BackupCommand> {
    let commands = simple_commands(line);
    let Some((kind, tool, at)) = commands.iter().find_map(|w| backup_in(w)) else {
        // `sh -c "pg_dump … | gzip > …"`: the string is a command line of its own. Its
        // positions inside the quotes are not mapped back; the whole word stands for it.
        return commands.iter().flatten().find_map(|w| {
            if depth >= MAX_NESTING || !w.text.contains(' ') {
                return None;
            }
            recognise_nested(&w.text, depth + 1).map(|inner| BackupCommand {
                at: w.range.clone(),
                retention: inner
                    .retention
                    .map(|_| w.range.clone())
                    .or_else(|| retention_nested(&commands, 0)),
                ..inner
            })
        });
    };
    let encrypted = kind == BackupKind::Repository || commands.iter().any(|w| encrypts(w));
    Some(BackupCommand {
        kind,
        tool,
        at,
        retention: retention_nested(&commands, 0),
        encrypted,
    })
}

/// The options each dump tool names its output with, as `(tool, option, names a folder)`:
/// `pg_dump -f FILE`, `mysqldump --result-file=FILE`, `mongodump --out=DIR`, ….
const OUTPUT_OPTIONS: &[(&str, &str, bool)] = &[
    ("pg_dump", "-f", false),
    ("pg_dump", "--file", false),
    ("pg_dumpall", "-f", false),
    ("pg_dumpall", "--file", false),
    ("pg_basebackup", "-D", true),
    ("pg_basebackup", "--pgdata", true),
    ("mysqldump", "-r", false),
    ("mysqldump", "--result-file", false),
    ("mariadb-dump", "-r", false),
    ("mariadb-dump", "--result-file", false),
    ("mongodump", "--archive", false),
    ("mongodump", "-o", true),
    ("mongodump", "--out", true),
];

/// The folder a database dump on `line` writes into, when the line names it: the dump
/// tool's output option, else the first standard-output redirection from the dump on
/// (`pg_dump shop | gzip > /var/backups/shop-$(date +%F).gz`). Only the part of the path
/// before anything the shell would expand counts (`$`, backquotes, globs, cron's `%`), and
/// only absolute folders outside the kernel's pseudo-filesystems: this names where to look
/// for the job's newest file, so a guess is worse than nothing.
pub fn output_folder(line: &str) -> Option<String> {
    let commands = simple_commands(line);
    let (dump, tool) =
        commands
            .iter()
            .enumerate()
            .find_map(|(i, words)| match backup_in(words) {
                Some((BackupKind::Dump(_), Tool::Known(tool), _)) => Some((i, tool)),
                _ => None,
            })?;
    let own = &commands[dump];
    let options = OUTPUT_OPTIONS.iter().filter(|(t, _, _)| *t == tool);
    for (option, is_folder) in options.map(|(_, o, f)| (o, f)) {
        for (i, word) in own.iter().enumerate() {
            let value = match word.text.strip_prefix(option) {
                Some("") if *option != "--archive" => own.get(i + 1).map(|w| w.text.as_str()),
                Some(rest) if option.starts_with("--") => rest.strip_prefix('='),
                Some(rest) => Some(rest),
                None => None,
            };
            if let Some(path) = value {
                return literal_folder(path, *is_folder);
            }
        }
    }
    commands[dump..].iter().find_map(|words| {
        words.iter().enumerate().find_map(|(i, word)| {
            let target = word
                .text
                .strip_prefix("1>")
                .or_else(|| word.text.strip_prefix('>'))?;
            let target = target.strip_prefix('>').unwrap_or(target);
            if target.starts_with('&') {
                return None;
            }
            let path = match target {
                "" => words.get(i + 1)?.text.as_str(),
                path => path,
            };
            Some(literal_folder(path, false))
        })
    })?
}

/// The folder of `path` up to the first character the shell expands: the whole path when it
/// names a folder and is all literal, else the literal components before the file name (or
/// before the first expanded component).
fn literal_folder(path: &str, is_folder: bool) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let expanded = path.find(['$', '`', '*', '?', '[', '{', '~', '%', '\\']);
    let folder = match expanded {
        None if is_folder => path.trim_end_matches('/'),
        _ => {
            let literal = &path[..expanded.unwrap_or(path.len())];
            &literal[..literal.rfind('/')?]
        }
    };
    let pseudo = ["/dev", "/proc", "/sys", "/run"];
    let inside = |root: &str| folder == root || folder.starts_with(&format!("{root}/"));
    (!folder.is_empty() && !pseudo.iter().any(|root| inside(root))).then(|| folder.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(line: &str) -> BackupCommand {
        recognise(line).unwrap_or_else(|| panic!("not recognised: {line}"))
    }

    #[test]
    fn a_dump_names_the_folder_it_writes_into() {
        for (line, folder) in [
            (
                "pg_dump -h localhost shop | gzip > /var/backups/shop/shop-$(date +%F).sql.gz",
                Some("/var/backups/shop"),
            ),
            (
                "pg_dump shop >/srv/dumps/shop.sql && find /srv/dumps -mtime +7 -delete",
                Some("/srv/dumps"),
            ),
            (
                "sudo -u postgres pg_dump -Fc -f /b/db/$(date +%F)/shop.dump shop",
                Some("/b/db"),
            ),
            ("pg_dump --file=/b/shop.dump shop", Some("/b")),
            (
                "mysqldump --result-file=/var/backups/mysql/all.sql --all-databases",
                Some("/var/backups/mysql"),
            ),
            (
                "mongodump --out=/var/backups/mongo",
                Some("/var/backups/mongo"),
            ),
            (
                "mongodump -o /var/backups/mongo/$(date +%F)",
                Some("/var/backups/mongo"),
            ),
            (
                "pg_dump shop 2>/var/log/dump.err >> /b/shop.sql",
                Some("/b"),
            ),
            // What cannot be known, or is no folder of backups, names nothing.
            ("pg_dump shop > $BACKUP_DIR/shop.sql", None),
            ("pg_dump shop > shop.sql", None),
            ("pg_dump shop > /shop.sql", None),
            ("pg_dump shop > /dev/null 2>&1", None),
            ("pg_dump shop 2>&1 | logger", None),
            ("pg_dumpall -r > /b/roles.sql", Some("/b")),
            (
                "pg_basebackup -D /var/backups/base -Ft -z",
                Some("/var/backups/base"),
            ),
            ("tar czf /b/uploads.tgz /srv/uploads", None),
            (
                "echo start > /tmp/log; pg_dump shop | aws s3 cp - s3://b/shop.sql",
                None,
            ),
        ] {
            assert_eq!(output_folder(line).as_deref(), folder, "{line}");
        }
    }

    #[test]
    fn dumps_are_recognised_with_retention_and_encryption() {
        let line = "pg_dump -h localhost -U app $DB | gzip > /b/db_$(date +%F).sql.gz && find /b -name 'db_*' -mtime +30 -delete";
        let found = job(line);
        assert_eq!(found.kind, BackupKind::Dump(DatabaseEngine::Postgres));
        assert_eq!(&line[found.at.clone()], "pg_dump");
        assert_eq!(
            &line[found.retention.clone().unwrap()],
            "find /b -name 'db_*' -mtime +30"
        );
        assert!(!found.encrypted);

        let encrypted = job("mysqldump app | gpg -e -r ops@example.org > /b/app.sql.gpg");
        assert!(encrypted.encrypted);
        assert!(encrypted.retention.is_none());
    }

    #[test]
    fn wrappers_containers_and_shells_are_looked_through() {
        for line in [
            "sudo -u postgres pg_dumpall > /b/all.sql",
            "cd /srv && flock -n /tmp/l nice -n 10 pg_dump app > x",
            "docker exec -t db pg_dump -U app app > /b/x.sql",
            "PGPASSWORD=x pg_dump app > y",
            "su - postgres -c \"pg_dump app | gzip > /b/app.gz\"",
            "/usr/bin/redis-cli -a x BGSAVE",
            "cp /data/dump.rdb /backups/redis_$(date +%s).rdb",
            "restic -r /srv/repo backup /var/www/uploads",
            "borg create /b::'{now}' /srv",
            "tar -czf /var/backups/uploads_$(date +%F).tar.gz -C /var/www/app/uploads .",
            "rsync -a /srv/app/ /mnt/backup/app/",
            "/opt/backup-db.sh",
            "bash /usr/local/bin/keyforge-backup.sh >> /var/log/b.log 2>&1",
        ] {
            job(line);
        }
    }

    #[test]
    fn other_jobs_are_not_backups() {
        for line in [
            "/usr/bin/certbot renew --quiet && systemctl reload nginx",
            "/opt/health-check.sh",
            "find /var/backups -mtime +14 -delete",
            "tar -xzf /var/backups/uploads.tar.gz -C /var/www/uploads",
            "echo done > /var/log/backup.log",
            "rsync -a /srv/app/ deploy@web2:/srv/app/",
            "",
            "\"unterminated 'quotes",
        ] {
            assert!(recognise(line).is_none(), "{line}");
        }
    }

    #[test]
    fn retention_forms() {
        for line in [
            "find /b -type f -mtime +14 -delete",
            "find /b -mtime +7 -exec rm {} \\;",
            "find /b -mtime +7 | xargs rm -f",
            "restic forget --keep-daily 7 --prune",
            "borg prune --keep-daily=7 /b",
        ] {
            assert!(retention(line).is_some(), "{line}");
        }
        assert!(retention("find /b -name '*.gz'").is_none());
    }

    #[test]
    fn deep_nesting_and_long_lines_are_cheap() {
        let deep = format!("sh -c {}", "\"sh -c \\".repeat(2_000));
        let _ = recognise(&deep);
        let long = "a ".repeat(500_000);
        assert!(recognise(&long).is_none());
    }

    #[test]
    fn script_jobs_are_not_judged_on_what_they_hide() {
        let found = job("/opt/backup-files.sh");
        assert!(!found.is_visible());
    }
}
