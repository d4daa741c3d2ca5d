//! The account databases: `/etc/passwd` (`name:password:UID:GID:GECOS:home:shell`,
//! passwd(5)) and `/etc/shadow` (`name:password:lastchg:min:max:warn:inactive:expire:`,
//! shadow(5)), in a repository (an image's `etc/`) or collected from a host. The password
//! field holds a hash, `x` (the hash is in shadow), a lock (`!`, `*` and what follows) or
//! nothing (no password at all); hashes are secrets even when salted, since they can be
//! cracked offline.
//!
//! A file is confirmed as an account database only when its first entry has the right
//! number of fields: a `passwd` of another program (an nginx basic-auth file has two) is
//! not read as one.

use std::sync::Arc;

use crate::formats::sensitive::unreadable_lines;
use crate::formats::{
    lines_with_offsets, Classification, FileName, Format, ParseContext, ParseError, Sensitive,
    Target,
};
use crate::source::{SourceFile, Span};

/// Which database a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Database {
    /// `/etc/passwd`: 7 fields.
    #[default]
    Passwd,
    /// `/etc/shadow`: 9 fields.
    Shadow,
}

impl Database {
    fn fields(self) -> usize {
        match self {
            Self::Passwd => 7,
            Self::Shadow => 9,
        }
    }
}

/// One line of either database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The login name (no secret).
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// The password field as written (a hash, `x`, a lock, or empty).
    pub password: String,
    /// Where the password field is written (empty span for an empty field).
    pub password_span: Span,
    /// The numeric user id (passwd only), with where it is written.
    pub uid: Option<(u32, Span)>,
    /// The whole line.
    pub line: Span,
}

impl Account {
    /// The password field says there is no password at all: anyone may log in as this
    /// account where the login service accepts an empty password.
    pub fn has_empty_password(&self) -> bool {
        self.password.is_empty()
    }

    /// The password field holds a hash (in passwd: not the `x` that points to shadow, not
    /// a lock).
    pub fn holds_hash(&self) -> bool {
        !self.password.is_empty() && self.password != "x" && !self.password.starts_with(['!', '*'])
    }
}

/// An account database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accounts {
    /// Which database.
    pub database: Database,
    /// Every entry, in file order.
    pub accounts: Vec<Account>,
    /// Lines with another number of fields.
    pub errors: Vec<ParseError>,
    /// The first entry has the database's number of fields.
    confirmed: bool,
}

impl Accounts {
    /// Reads `text` as `database`. Lines starting with `#` and blank lines are skipped
    /// (glibc skips neither, but NIS-era files and images carry comments).
    pub fn parse(text: &str, database: Database) -> Self {
        let mut accounts = Self {
            database,
            ..Self::default()
        };
        let mut first = true;
        for (start, content) in lines_with_offsets(text) {
            if content.trim().is_empty() || content.starts_with('#') {
                continue;
            }
            let line = Span::new(start, start + content.len());
            let mut fields: Vec<(usize, &str)> = Vec::with_capacity(database.fields());
            let mut at = start;
            for field in content.split(':') {
                fields.push((at, field));
                at += field.len() + 1;
            }
            let well_formed = fields.len() == database.fields() && !fields[0].1.is_empty();
            if first {
                accounts.confirmed = well_formed;
                first = false;
            }
            if !well_formed {
                accounts.errors.push(ParseError {
                    span: line,
                    message: match database {
                        Database::Passwd => "an /etc/passwd line has 7 `:`-separated fields (name:password:UID:GID:comment:home:shell); login tools skip this one".into(),
                        Database::Shadow => "an /etc/shadow line has 9 `:`-separated fields (name:password:lastchg:min:max:warn:inactive:expire:reserved); login tools skip this one".into(),
                    },
                });
                continue;
            }
            let (name_at, name) = fields[0];
            let (password_at, password) = fields[1];
            let uid = (database == Database::Passwd).then(|| {
                let (uid_at, uid) = fields[2];
                uid.parse::<u32>()
                    .ok()
                    .map(|n| (n, Span::new(uid_at, uid_at + uid.len())))
            });
            accounts.accounts.push(Account {
                name: name.to_owned(),
                name_span: Span::new(name_at, name_at + name.len()),
                password: password.to_owned(),
                password_span: Span::new(password_at, password_at + password.len()),
                uid: uid.flatten(),
                line,
            });
        }
        accounts
    }
}

impl Format for Accounts {
    /// `passwd` and `shadow`, confirmed by their fields.
    fn classify(name: &FileName) -> Option<Classification> {
        match name.name.as_str() {
            "passwd" => Classification::probable(Target::Passwd),
            "shadow" => Classification::probable(Target::Shadow),
            _ => None,
        }
    }

    fn may_confirm(text: &str) -> bool {
        text.contains(':')
    }

    fn parse(source: &Arc<SourceFile>, context: &ParseContext) -> Self {
        let database = match context.target {
            Target::Shadow => Database::Shadow,
            _ => Database::Passwd,
        };
        Self::parse(&source.text, database)
    }

    fn confirms_kind(&self) -> bool {
        self.confirmed
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    /// Every password field that is not `x` or empty (hashes, and what follows a lock), and
    /// lines that could not be read, which may hold one anywhere.
    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        let mut found: Vec<Sensitive> = self
            .accounts
            .iter()
            .filter(|a| !a.password.is_empty() && a.password != "x")
            .map(|a| Sensitive {
                span: a.password_span,
            })
            .collect();
        unreadable_lines(&self.errors, &source.text, &mut found);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_lines_are_read_with_their_fields_and_places() {
        let text = "root:x:0:0:root:/root:/bin/bash\n# comment\ntoor:$6$salt$hash:0:0::/root:/bin/sh\nguest::1001:1001::/home/guest:/bin/sh\nbroken:x:1\n";
        let accounts = Accounts::parse(text, Database::Passwd);
        assert!(accounts.confirmed);
        let shown: Vec<(&str, &str, Option<u32>)> = accounts
            .accounts
            .iter()
            .map(|a| {
                (
                    &text[a.name_span.range()],
                    &text[a.password_span.range()],
                    a.uid.map(|(n, _)| n),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("root", "x", Some(0)),
                ("toor", "$6$salt$hash", Some(0)),
                ("guest", "", Some(1001)),
            ]
        );
        assert_eq!(accounts.errors.len(), 1);
        assert_eq!(&text[accounts.errors[0].span.range()], "broken:x:1");
        assert!(accounts.accounts[1].holds_hash());
        assert!(accounts.accounts[2].has_empty_password());
        assert!(!accounts.accounts[0].holds_hash());
    }

    #[test]
    fn shadow_locks_hashes_and_empty_fields_are_told_apart() {
        let text = "root:$y$j9T$abc:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nnopass::19000:0:99999:7:::\nlocked:!$6$x$y:19000::::::\n";
        let accounts = Accounts::parse(text, Database::Shadow);
        assert!(accounts.confirmed && accounts.errors.is_empty());
        let empty: Vec<&str> = accounts
            .accounts
            .iter()
            .filter(|a| a.has_empty_password())
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(empty, ["nopass"]);
        let sensitive: Vec<&str> = accounts
            .sensitive(&SourceFile::from_bytes(
                "shadow".into(),
                "shadow".into(),
                text.into(),
            ))
            .iter()
            .map(|s| &text[s.span.range()])
            .collect();
        assert_eq!(sensitive, ["$y$j9T$abc", "*", "!$6$x$y"]);
    }

    #[test]
    fn another_programs_passwd_is_not_an_account_database() {
        // An nginx basic-auth file: name:hash.
        let accounts = Accounts::parse("admin:$apr1$abc$def\n", Database::Passwd);
        assert!(!accounts.confirmed);
    }
}
