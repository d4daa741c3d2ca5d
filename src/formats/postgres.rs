//! PostgreSQL's two access files: `postgresql.conf` (settings) and `pg_hba.conf` (who may
//! connect from where, and how they authenticate).
//!
//! `postgresql.conf` follows PostgreSQL's `guc-file.l`: one `name = value` per line (the `=`
//! is optional), names case-insensitive, values bare words or single-quoted strings (`''` or
//! `\'` for a quote), `#` starts a comment outside quotes. The *last* value of a name wins.
//! `include`, `include_if_exists` and `include_dir` are kept as settings; this module reads
//! one file. `pg_hba.conf` follows `hba.c`: one record a line, fields separated by blanks,
//! double quotes group, `#` comments, a trailing `\` continues the line (PostgreSQL 16).

use crate::formats::sensitive::{assignment_sensitive, unreadable_lines, Sensitive};
use crate::formats::Target;
use crate::formats::{lines_with_offsets, ParseError};
use crate::formats::{Classification, FileName, Format, ParseContext};
use crate::message::Quote;
use crate::msg;
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// One `name = value` line of `postgresql.conf`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgSetting {
    /// The name in lower case (PostgreSQL compares names case-insensitively).
    pub name: String,
    /// The name as written.
    pub name_span: Span,
    /// The value, quotes removed and escapes applied.
    pub value: String,
    /// The value as written, quotes included.
    pub value_span: Span,
}

/// A parsed `postgresql.conf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PgConf {
    /// Every setting in file order (includes among them).
    pub settings: Vec<PgSetting>,
    /// What could not be read.
    pub errors: Vec<ParseError>,
}

impl PgConf {
    /// Parses a `postgresql.conf` (or `postgresql.auto.conf`, same syntax).
    pub fn parse(text: &str) -> Self {
        let mut out = Self::default();
        for (start, line) in lines_with_offsets(text) {
            let body = line.trim_start();
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            let name_at = start + line.len() - body.len();
            let name_len = body
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-'))
                .unwrap_or(body.len());
            if name_len == 0 {
                out.errors.push(ParseError {
                    span: Span::new(name_at, start + line.len()),
                    message: "expected `name = value`".into(),
                });
                continue;
            }
            let name = &body[..name_len];
            let name_span = Span::new(name_at, name_at + name_len);
            let rest = &body[name_len..];
            let after_blanks = rest.trim_start();
            let after_eq = after_blanks.strip_prefix('=').unwrap_or(after_blanks);
            let value_text = after_eq.trim_start();
            let value_at = name_at + name_len + (rest.len() - value_text.len());
            match read_value(value_text) {
                Ok((value, len)) => {
                    let tail = value_text[len..].trim_start();
                    if !tail.is_empty() && !tail.starts_with('#') {
                        out.errors.push(ParseError {
                            span: Span::new(value_at, start + line.len()),
                            message: msg!(
                                "`{}` has more than one value; quote values with blanks",
                                Quote::at(name_span)
                            ),
                        });
                        continue;
                    }
                    out.settings.push(PgSetting {
                        name: name.to_ascii_lowercase(),
                        name_span,
                        value,
                        value_span: Span::new(value_at, value_at + len),
                    });
                }
                Err(message) => out.errors.push(ParseError {
                    span: Span::new(value_at, start + line.len()),
                    message: message.into(),
                }),
            }
        }
        out
    }

    /// The last setting of `name` (the one PostgreSQL uses), if the file sets it.
    pub fn get(&self, name: &str) -> Option<&PgSetting> {
        self.settings.iter().rev().find(|s| s.name == name)
    }
}

/// Reads one value at the start of `text`: a quoted string or a bare word. Returns the value
/// and the bytes it took.
fn read_value(text: &str) -> Result<(String, usize), &'static str> {
    if let Some(body) = text.strip_prefix('\'') {
        let mut value = String::new();
        let mut chars = body.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\'' if chars.peek().map(|p| p.1) == Some('\'') => {
                    chars.next();
                    value.push('\'');
                }
                '\'' => return Ok((value, i + 2)),
                '\\' => {
                    if let Some((_, next)) = chars.next() {
                        value.push(next);
                    }
                }
                _ => value.push(c),
            }
        }
        return Err("unterminated quoted value");
    }
    let len = text
        .find(|c: char| c.is_whitespace() || c == '#')
        .unwrap_or(text.len());
    if len == 0 {
        return Err("missing value");
    }
    Ok((text[..len].to_owned(), len))
}

/// One field of a `pg_hba.conf` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HbaField {
    /// The text, quotes removed.
    pub value: String,
    /// As written.
    pub span: Span,
}

/// One `pg_hba.conf` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HbaRecord {
    /// `local`, `host`, `hostssl`, `hostnossl`, `hostgssenc`, `hostnogssenc` (lower case).
    pub kind: HbaField,
    /// Database list.
    pub database: HbaField,
    /// User list.
    pub user: HbaField,
    /// The client address (`host*` records); with a separate netmask, `address/mask`'s two
    /// parts are kept apart in [`Self::mask`].
    pub address: Option<HbaField>,
    /// The netmask field of the `address mask` form.
    pub mask: Option<HbaField>,
    /// The authentication method, lower case (`trust`, `scram-sha-256`, `md5`, …).
    pub method: HbaField,
    /// `name=value` options after the method.
    pub options: Vec<HbaField>,
    /// The whole record.
    pub span: Span,
}

impl HbaRecord {
    /// Whether the record is for TCP/IP connections (everything but `local`).
    pub fn is_host(&self) -> bool {
        self.kind.value.starts_with("host")
    }
}

/// A parsed `pg_hba.conf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PgHba {
    /// Records in file order (PostgreSQL uses the first that matches a connection).
    pub records: Vec<HbaRecord>,
    /// `include`, `include_if_exists`, `include_dir` lines (PostgreSQL 16), not followed.
    pub includes: Vec<HbaField>,
    /// What could not be read.
    pub errors: Vec<ParseError>,
}

impl PgHba {
    /// Parses a `pg_hba.conf`.
    pub fn parse(text: &str) -> Self {
        let mut out = Self::default();
        let mut fields: Vec<HbaField> = Vec::new();
        let mut record_start: Option<usize> = None;
        for (start, line) in lines_with_offsets(text) {
            let (mut line_fields, continued) = hba_fields(line, start);
            if record_start.is_none() {
                record_start = line_fields.first().map(|f| f.span.start);
            }
            fields.append(&mut line_fields);
            if continued {
                continue;
            }
            if let Some(first) = record_start.take() {
                let end = fields.last().map_or(first, |f| f.span.end);
                out.record(std::mem::take(&mut fields), Span::new(first, end));
            }
        }
        if let Some(first) = record_start {
            let end = fields.last().map_or(first, |f| f.span.end);
            out.record(fields, Span::new(first, end));
        }
        out
    }

    fn record(&mut self, mut fields: Vec<HbaField>, span: Span) {
        let error = |message: &'static str| ParseError {
            span,
            message: message.into(),
        };
        let Some(first) = fields.first() else { return };
        let kind = first.value.to_ascii_lowercase();
        if kind.starts_with("include") {
            if let Some(path) = fields.get(1) {
                self.includes.push(path.clone());
            }
            return;
        }
        let is_local = kind == "local";
        if !is_local && !kind.starts_with("host") {
            self.errors.push(error("a record starts with `local`, `host`, `hostssl`, `hostnossl`, `hostgssenc` or `hostnogssenc`"));
            return;
        }
        let needed = if is_local { 4 } else { 5 };
        if fields.len() < needed {
            self.errors.push(error(
                "missing fields: `TYPE DATABASE USER [ADDRESS] METHOD [OPTIONS]`",
            ));
            return;
        }
        fields[0].value = kind;
        let mut it = fields.into_iter();
        let (Some(kind), Some(database), Some(user)) = (it.next(), it.next(), it.next()) else {
            return;
        };
        let rest: Vec<HbaField> = it.collect();
        let (address, mask, method_at) = if is_local {
            (None, None, 0)
        } else {
            let address = rest[0].clone();
            // `192.168.0.0 255.255.0.0 md5`: a netmask field follows a bare IP address.
            let has_mask = !address.value.contains('/')
                && address.value.parse::<std::net::IpAddr>().is_ok()
                && rest
                    .get(1)
                    .is_some_and(|m| m.value.parse::<std::net::IpAddr>().is_ok());
            if has_mask {
                (Some(address), rest.get(1).cloned(), 2)
            } else {
                (Some(address), None, 1)
            }
        };
        let Some(method) = rest.get(method_at).cloned() else {
            self.errors.push(error("missing authentication method"));
            return;
        };
        let method = HbaField {
            value: method.value.to_ascii_lowercase(),
            span: method.span,
        };
        self.records.push(HbaRecord {
            kind,
            database,
            user,
            address,
            mask,
            method,
            options: rest[method_at + 1..].to_vec(),
            span,
        });
    }
}

/// The fields of one line, and whether it ends with a continuation `\`.
fn hba_fields(line: &str, start: usize) -> (Vec<HbaField>, bool) {
    let mut fields = Vec::new();
    let mut chars = line.char_indices().peekable();
    let mut continued = false;
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c == '#' {
            break;
        }
        let mut value = String::new();
        let mut end = i;
        let mut quoted = false;
        while let Some(&(j, c)) = chars.peek() {
            if !quoted && (c.is_whitespace() || c == '#') {
                break;
            }
            chars.next();
            end = j + c.len_utf8();
            if c == '"' {
                quoted = !quoted;
            } else {
                value.push(c);
            }
        }
        if value == "\\" && chars.peek().is_none() {
            continued = true;
            break;
        }
        fields.push(HbaField {
            value,
            span: Span::new(start + i, start + end),
        });
    }
    (fields, continued)
}

impl Format for PgConf {
    /// `postgresql.conf` (and `<label>.postgresql.conf`), `postgresql.auto.conf`, and the
    /// `*.conf` files of a `conf.d/` folder inside a PostgreSQL configuration directory
    /// (`/etc/postgresql/16/main/conf.d/`, which `include_dir` reads).
    fn classify(name: &FileName) -> Option<Classification> {
        // The extension first: the folders are split only for a `.conf` file.
        let drop_in = name.extension() == Some("conf")
            && name.parent() == Some("conf.d")
            && name.in_folder(&["postgresql", "pgsql"]);
        Classification::certain_if(
            name.is("postgresql.conf") || name.name == "postgresql.auto.conf" || drop_in,
            Target::Postgres,
        )
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        postgres_sensitive(self, source)
    }
}

impl Format for PgHba {
    /// `pg_hba.conf` (and `<label>.pg_hba.conf`). Its records hold addresses and methods,
    /// never credentials.
    fn classify(name: &FileName) -> Option<Classification> {
        Classification::certain_if(name.is("pg_hba.conf"), Target::PgHba)
    }

    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    /// Options with secret-like names (`ldapbindpasswd=…`, `radiussecrets=…`), and lines
    /// PostgreSQL would refuse.
    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        let mut found = Vec::new();
        unreadable_lines(&self.errors, &source.text, &mut found);
        for option in self.records.iter().flat_map(|r| &r.options) {
            let Some((name, value)) = option.value.split_once('=') else {
                continue;
            };
            let exact = option.span.len() == option.value.len();
            let span = if exact {
                Span::new(option.span.start + name.len() + 1, option.span.end)
            } else {
                option.span
            };
            found.extend(assignment_sensitive(name, value, span));
        }
        found
    }
}

/// PostgreSQL's settings whose names mention a password but whose values are not one.
const NOT_SECRETS: &[&str] = &["password_encryption"];

/// In `postgresql.conf`: connection strings with a password (`primary_conninfo =
/// 'host=… password=…'`, as streaming replication is set up, or a URL with one), settings
/// with secret-like names (an extension's `myext.api_key`), token-like values, and lines
/// PostgreSQL would refuse.
fn postgres_sensitive(conf: &PgConf, source: &SourceFile) -> Vec<Sensitive> {
    let mut found = Vec::new();
    unreadable_lines(&conf.errors, &source.text, &mut found);
    for setting in &conf.settings {
        if setting.name.ends_with("conninfo") && has_password(&setting.value) {
            found.push(Sensitive {
                span: setting.value_span,
            });
        } else {
            let name = if NOT_SECRETS.contains(&setting.name.as_str()) {
                ""
            } else {
                setting.name.as_str()
            };
            found.extend(assignment_sensitive(
                name,
                &setting.value,
                setting.value_span,
            ));
        }
    }
    found
}

/// Whether a libpq key/value connection string sets `password` (`password=…`, blanks
/// around `=` allowed) or is a URL with one.
fn has_password(conninfo: &str) -> bool {
    let keyword = conninfo.match_indices("password").any(|(at, word)| {
        let starts_word = conninfo[..at]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
        starts_word && conninfo[at + word.len()..].trim_start().starts_with('=')
    });
    keyword || assignment_sensitive("", conninfo, Span::default()).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_setting_wins_and_quotes_are_removed() {
        let text = "listen_addresses = 'localhost'\t# what IP address(es) to listen on;\nListen_Addresses='*'\nssl on\nsearch_path = '\"$user\", public'\nbad = 'unterminated\n";
        let conf = PgConf::parse(text);
        let listen = conf.get("listen_addresses").unwrap();
        assert_eq!(listen.value, "*");
        assert_eq!(&text[listen.value_span.range()], "'*'");
        assert_eq!(conf.get("ssl").unwrap().value, "on");
        assert_eq!(conf.get("search_path").unwrap().value, "\"$user\", public");
        assert_eq!(conf.errors.len(), 1);
    }

    #[test]
    fn hba_records_with_netmasks_comments_and_continuations() {
        let text = "# TYPE  DATABASE USER ADDRESS METHOD\nlocal   all      postgres        peer\nhost    all      all  0.0.0.0/0  md5   # everyone\nhost all all 192.168.0.0 255.255.0.0 trust\nhostssl \"my db\" all \\\n   ::/0 scram-sha-256 clientcert=verify-full\nhost all\n";
        let hba = PgHba::parse(text);
        assert_eq!(hba.records.len(), 4, "{:?}", hba.errors);
        assert_eq!(hba.records[0].method.value, "peer");
        assert_eq!(hba.records[1].address.as_ref().unwrap().value, "0.0.0.0/0");
        assert_eq!(hba.records[2].mask.as_ref().unwrap().value, "255.255.0.0");
        assert_eq!(hba.records[2].method.value, "trust");
        assert_eq!(hba.records[3].database.value, "my db");
        assert_eq!(hba.records[3].address.as_ref().unwrap().value, "::/0");
        assert_eq!(hba.records[3].options.len(), 1);
        assert_eq!(hba.errors.len(), 1);
    }
}
