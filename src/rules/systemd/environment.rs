//! SYS002, SYS006: secrets written into a unit file.

use crate::formats::sensitive::command_sensitive;
use crate::formats::systemd::UnitFile;
use crate::message::Quote;
use crate::msg;
use crate::rules::Context;
use crate::secrets::{is_indirection, parse_url, secret_kind};

/// SYS002: an `Environment=` variable whose name says it is a secret (the env secret
/// classifier: `*PASSWORD*`, `*SECRET*`, tokens, keys) or whose value is a URL with a
/// password. Unit files are world-readable and `systemctl show` prints `Environment=` to
/// every local user.
pub fn secret_in_environment(cx: &mut Context<'_, UnitFile>) {
    let unit = cx.content;
    for var in unit.environment() {
        if var.value.is_empty() || var.value.starts_with('$') || is_indirection(&var.value) {
            continue;
        }
        let what = if secret_kind(&var.name).is_some() {
            "is a secret"
        } else if parse_url(&var.value).is_some_and(|u| u.password.is_some()) {
            "holds a password in its URL"
        } else {
            continue;
        };
        cx.report(var.word, var.name.clone(), msg!(
            "`{}` {} written into the unit file with `Environment=`: unit files are world-readable and `systemctl show` prints it to any local user; move it to `EnvironmentFile=/etc/app/secrets.env` (owned by root, mode 0600) or pass it with `LoadCredential=`",
            Quote::derived(var.name_span, var.name.as_str()), what));
    }
}

/// SYS006: a secret on an `Exec*=` command line (`--password=…`, `-p…` for mysql,
/// `redis-cli -a …`, `PGPASSWORD=…` through `env`, a URL with a password): the unit file is
/// world-readable, and the running process's arguments are visible to every local user.
pub fn secret_on_command_line(cx: &mut Context<'_, UnitFile>) {
    let unit = cx.content;
    for section in &unit.sections {
        for entry in section.entries.iter().filter(|e| e.key.starts_with("Exec")) {
            let found = command_sensitive(&entry.value, &|start, end| entry.file_span(start, end));
            if let Some(first) = found.first() {
                cx.report(first.span, entry.key.clone(), msg!(
                    "a secret is written on this `{}=` command line: the unit file is world-readable and every local user sees the running process's arguments in `ps`; have the program read it from `$CREDENTIALS_DIRECTORY` (`LoadCredential=`) or an `EnvironmentFile=` with mode 0600",
                    Quote::at(entry.key_span)));
            }
        }
    }
}
