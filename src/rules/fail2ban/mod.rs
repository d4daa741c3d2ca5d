//! Rules for fail2ban. A jail's settings come from several files read in a fixed order —
//! `jail.conf`, `jail.d/*.conf` (sorted), `jail.local`, `jail.d/*.local` (sorted) — each
//! overriding the one before, and a jail falls back to `[DEFAULT]`. Debian enables the sshd
//! jail in `jail.d/defaults-debian.conf`, so a `jail.local` alone says little; the rules
//! judge the merged view of every jail file scanned from one fail2ban directory.

use crate::rules::{checks, Parsed, RegisteredCheck};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::formats::fail2ban::{IniEntry, JailFile};
use crate::message::Quote;
use crate::source::SourceFile;

pub mod jails;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    project "fail2ban-high-maxretry" => jails::high_maxretry;
    project "fail2ban-no-sshd-jail" => jails::no_sshd_jail;
    project "fail2ban-short-bantime" => jails::short_bantime;
};

/// Jail names that protect sshd (`ssh` in Debian before 8, `sshd` since). The first is
/// defined in every `jail.conf` fail2ban ships, so it exists even when the scanned files do
/// not name it; the others only exist where a file defines them.
const SSHD_JAILS: &[&str] = &["sshd", "ssh"];

/// A value with the file it comes from.
pub struct Effective<'a> {
    /// The entry that sets it.
    pub entry: &'a IniEntry,
    /// The file it is written in.
    pub source: &'a Arc<SourceFile>,
}

impl Effective<'_> {
    /// The value, quoted from where it is written, for messages.
    pub fn value(&self) -> Quote {
        Quote::derived_in(
            self.source,
            self.entry.value_span,
            self.entry.value.as_str(),
        )
    }
}

/// The jail files of one fail2ban directory, in the order fail2ban reads them.
pub struct JailSet<'a> {
    /// Jail files, lowest precedence first.
    pub docs: Vec<Parsed<'a, JailFile>>,
}

impl<'a> JailSet<'a> {
    /// The value of `key` for `jail`: the jail's own setting in the last file that has
    /// one, else `[DEFAULT]`'s.
    pub fn get(&self, jail: &str, key: &str) -> Option<Effective<'a>> {
        let find = |section: &str| {
            self.docs.iter().rev().find_map(|file| {
                Some(Effective {
                    entry: file.content.get(section, key)?,
                    source: file.source(),
                })
            })
        };
        find(jail).or_else(|| find("DEFAULT"))
    }

    /// Whether any file of the set has a `[jail]` section.
    pub fn has_section(&self, jail: &str) -> bool {
        self.docs
            .iter()
            .any(|file| file.content.sections.iter().any(|s| s.name == jail))
    }

    /// The file findings about the set as a whole go to: `jail.local` if scanned, else the
    /// file read last.
    pub fn anchor(&self) -> Option<&'a Arc<SourceFile>> {
        let file = self
            .docs
            .iter()
            .rev()
            .find(|file| file_name(file.source()) == "jail.local")
            .or(self.docs.last())?;
        Some(file.source())
    }
}

fn file_name(source: &SourceFile) -> String {
    source
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Where a file sits in fail2ban's reading order, and the directory it belongs to. Files
/// named otherwise (`prod.jail.local`) are a set of their own.
fn position(source: &SourceFile) -> (PathBuf, u8, String) {
    let name = file_name(source);
    let path = &source.path;
    let parent = path.parent().unwrap_or(Path::new(""));
    let in_jail_d = parent.file_name().is_some_and(|n| n == "jail.d");
    let local = name.ends_with(".local");
    if in_jail_d {
        let root = parent.parent().unwrap_or(Path::new("")).to_path_buf();
        (root, if local { 3 } else { 1 }, name)
    } else if name == "jail.conf" || name == "jail.local" {
        (parent.to_path_buf(), if local { 2 } else { 0 }, name)
    } else {
        (path.clone(), if local { 2 } else { 0 }, name)
    }
}

/// Groups the scanned jail files by fail2ban directory, each in reading order.
pub fn jail_sets<'a>(docs: &[Parsed<'a, JailFile>]) -> Vec<JailSet<'a>> {
    let mut keyed: Vec<((PathBuf, u8, String), Parsed<'a, JailFile>)> = docs
        .iter()
        .map(|file| (position(file.source()), *file))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut sets: Vec<(PathBuf, JailSet<'a>)> = Vec::new();
    for ((root, _, _), doc) in keyed {
        match sets.last_mut() {
            Some((r, set)) if *r == root => set.docs.push(doc),
            _ => sets.push((root, JailSet { docs: vec![doc] })),
        }
    }
    sets.into_iter().map(|(_, set)| set).collect()
}

/// fail2ban's booleans (Python's `configparser` spellings).
fn is_true(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "true" | "yes" | "1" | "on"
    )
}

/// A fail2ban time (`3600`, `10m`, `1h30m`, `1d`, `-1`) in seconds; `None` if unreadable.
fn seconds(value: &str) -> Option<i64> {
    let value = value.trim().to_ascii_lowercase();
    if let Ok(n) = value.parse::<i64>() {
        return Some(n);
    }
    let mut total = 0i64;
    let mut number = String::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        let mut unit = String::from(c);
        while let Some(&n) = chars.peek() {
            if n.is_ascii_alphabetic() {
                unit.push(n);
                chars.next();
            } else {
                break;
            }
        }
        let n: f64 = number.parse().ok()?;
        number.clear();
        let factor = match unit.as_str() {
            "s" | "sec" | "second" | "seconds" => 1.0,
            "m" | "min" | "minute" | "minutes" => 60.0,
            "h" | "hour" | "hours" => 3600.0,
            "d" | "day" | "days" => 86400.0,
            "w" | "week" | "weeks" => 604_800.0,
            "mo" | "month" | "months" => 2_592_000.0,
            "y" | "year" | "years" => 31_536_000.0,
            _ => return None,
        };
        total += (n * factor) as i64;
    }
    if !number.is_empty() {
        total += number.parse::<f64>().ok()? as i64;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail2ban_times_read_like_fail2ban() {
        assert_eq!(seconds("3600"), Some(3600));
        assert_eq!(seconds("10m"), Some(600));
        assert_eq!(seconds("1h30m"), Some(5400));
        assert_eq!(seconds("-1"), Some(-1));
        assert_eq!(seconds("%(bantime)s"), None);
    }
}
