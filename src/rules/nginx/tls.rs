//! NGX003, NGX013–NGX014: TLS protocol versions and cipher lists.

use crate::formats::nginx::{NginxArg, NginxConfig, NginxDirective};
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::nginx::each_directive;
use crate::rules::Context;
use crate::source::Span;

/// Protocols RFC 8996 and the SSL RFCs retired: SSLv2, SSLv3, TLS 1.0, TLS 1.1.
const WEAK: &[&str] = &["SSLv2", "SSLv3", "TLSv1", "TLSv1.1"];

/// NGX003: each weak protocol listed in `ssl_protocols`.
pub fn weak_protocols(cx: &mut Context<'_, NginxConfig>) {
    each_directive(cx.content, "ssl_protocols", |blocks, directive| {
        for (i, arg) in directive.args.iter().enumerate() {
            if let Some(weak) = WEAK.iter().find(|w| **w == arg.value) {
                cx.report_at(
                    blocks,
                    directive,
                    i,
                    msg!("`{}` is deprecated and attackable (RFC 8996); write `ssl_protocols TLSv1.2 TLSv1.3;`", *weak),
                );
            }
        }
    });
}

/// Cipher suite names OpenSSL 3 knows (generated list, see the file's header).
static CIPHER_NAMES: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        include_str!("openssl_ciphers.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    });

/// OpenSSL's cipher-string keywords (openssl-ciphers(1)), current ones confirmed with
/// `openssl ciphers KEYWORD`.
const CIPHER_ALIASES: &[&str] = &[
    "DEFAULT",
    "COMPLEMENTOFDEFAULT",
    "ALL",
    "COMPLEMENTOFALL",
    "HIGH",
    "MEDIUM",
    "eNULL",
    "NULL",
    "aNULL",
    "kRSA",
    "aRSA",
    "RSA",
    "kDHE",
    "kEDH",
    "DH",
    "DHE",
    "EDH",
    "ADH",
    "kEECDH",
    "kECDHE",
    "ECDH",
    "ECDHE",
    "EECDH",
    "AECDH",
    "aDSS",
    "DSS",
    "aECDSA",
    "ECDSA",
    "TLSv1.2",
    "TLSv1.0",
    "TLSv1",
    "SSLv3",
    "AES128",
    "AES256",
    "AES",
    "AESGCM",
    "AESCCM",
    "AESCCM8",
    "ARIA128",
    "ARIA256",
    "ARIA",
    "CAMELLIA128",
    "CAMELLIA256",
    "CAMELLIA",
    "CHACHA20",
    "SHA1",
    "SHA",
    "SHA256",
    "SHA384",
    "PSK",
    "kPSK",
    "kECDHEPSK",
    "kDHEPSK",
    "kRSAPSK",
    "aPSK",
    "SUITEB128",
    "SUITEB128ONLY",
    "SUITEB192",
    "CBC",
    "kSRP",
    "aSRP",
    "SRP",
    "3DES",
    "DES",
    "RC4",
    "RC2",
    "IDEA",
    "SEED",
    "MD5",
    "LOW",
    "EXP",
    "EXPORT",
    "EXPORT40",
    "EXPORT56",
];

/// Keywords and name parts that select broken ciphers: no encryption, no authentication,
/// 40/56-bit export ciphers, RC4, DES/3DES, MD5 MACs.
const WEAK_CIPHER_PARTS: &[&str] = &[
    "NULL", "eNULL", "aNULL", "ADH", "AECDH", "EXP", "EXPORT", "EXPORT40", "EXPORT56", "LOW",
    "RC4", "RC2", "DES", "3DES", "MD5",
];

fn is_weak(part: &str) -> bool {
    WEAK_CIPHER_PARTS.contains(&part)
        || part.split('-').any(|piece| {
            matches!(
                piece,
                "NULL" | "RC4" | "DES" | "CBC3" | "MD5" | "EXP" | "ADH" | "AECDH" | "EXP1024"
            )
        })
}

/// How each element of an `ssl_ciphers` string reads.
enum Verdict<'a> {
    /// A name or keyword OpenSSL does not know: silently ignored.
    Unknown(&'a str),
    /// An enabled element that selects broken ciphers.
    Weak(&'a str),
}

fn judge(ciphers: &str) -> Vec<Verdict<'_>> {
    let mut verdicts = Vec::new();
    for element in ciphers.split([':', ',', ' ']).filter(|e| !e.is_empty()) {
        if element.starts_with('@') {
            continue;
        }
        let enabled = !element.starts_with(['!', '-']);
        let body = element.trim_start_matches(['!', '-', '+']);
        for part in body.split('+').filter(|p| !p.is_empty()) {
            if !CIPHER_NAMES.contains(part) && !CIPHER_ALIASES.contains(&part) && !is_weak(part) {
                verdicts.push(Verdict::Unknown(part));
            } else if enabled && is_weak(part) {
                verdicts.push(Verdict::Weak(part));
            }
        }
    }
    verdicts
}

impl<'a> Context<'a, NginxConfig> {
    /// `part`, a piece of `arg`'s value, quoted from where it is written: exactly, when the
    /// argument is written as nginx reads it (no escapes), else from the whole argument.
    fn piece_of(&self, directive: &'a NginxDirective, arg: &NginxArg, part: &str) -> Quote {
        let offset = part.as_ptr() as usize - arg.value.as_ptr() as usize;
        let inner = usize::from(arg.quote.is_some());
        let written = self
            .source_of(directive)
            .text
            .get(arg.span.start + inner..arg.span.end - inner);
        if written == Some(arg.value.as_str()) {
            let start = arg.span.start + inner + offset;
            Quote::in_file(
                self.source_of(directive),
                Span::new(start, start + part.len()),
            )
        } else {
            self.quote(directive, arg.span, part)
        }
    }
}

/// Reports, once per `ssl_ciphers`, the elements `pick` selects (each in backticks,
/// separated by commas), phrased by `message` (which is told how many there are).
fn report_ciphers(
    cx: &mut Context<'_, NginxConfig>,
    pick: for<'v> fn(&Verdict<'v>) -> Option<&'v str>,
    message: fn(Message, usize) -> Message,
) {
    each_directive(cx.content, "ssl_ciphers", |blocks, directive| {
        let Some(arg) = directive.args.first() else {
            return;
        };
        let picked: Vec<&str> = judge(&arg.value).iter().filter_map(pick).collect();
        if !picked.is_empty() {
            let names = picked
                .iter()
                .map(|part| msg!("`{}`", cx.piece_of(directive, arg, part)));
            let names = Message::join(names, ", ");
            cx.report_at(blocks, directive, 0, message(names, picked.len()));
        }
    });
}

/// NGX013: names in `ssl_ciphers` that OpenSSL does not know and silently skips.
pub fn unknown_ciphers(cx: &mut Context<'_, NginxConfig>) {
    report_ciphers(
        cx,
        |v| match v {
            Verdict::Unknown(name) => Some(name),
            Verdict::Weak(_) => None,
        },
        |names, count| {
            let verb = if count == 1 {
                "is not a cipher OpenSSL knows"
            } else {
                "are not ciphers OpenSSL knows"
            };
            msg!(
                "{} {}; OpenSSL silently ignores unknown names, so the list does not say what you think — use Mozilla's intermediate list (`ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:…`)",
                names,
                verb
            )
        },
    );
}

/// NGX014: enabled elements of `ssl_ciphers` that select broken ciphers.
pub fn weak_ciphers(cx: &mut Context<'_, NginxConfig>) {
    report_ciphers(
        cx,
        |v| match v {
            Verdict::Weak(name) => Some(name),
            Verdict::Unknown(_) => None,
        },
        |names, _| {
            msg!(
                "`ssl_ciphers` enables {} (no encryption, no authentication, export-grade, RC4, DES or MD5); exclude them with `!` or use Mozilla's intermediate list",
                names
            )
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(s: &str) -> Vec<&str> {
        judge(s)
            .into_iter()
            .filter_map(|v| {
                if let Verdict::Unknown(n) = v {
                    Some(n)
                } else {
                    None
                }
            })
            .collect()
    }

    fn weak(s: &str) -> Vec<&str> {
        judge(s)
            .into_iter()
            .filter_map(|v| {
                if let Verdict::Weak(n) = v {
                    Some(n)
                } else {
                    None
                }
            })
            .collect()
    }

    #[test]
    fn reads_cipher_strings_like_openssl() {
        let s0 = "ECDHE-RSA-AES256-GCM-SHA512:DHE-RSA-AES256-GCM-SHA512:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES256-GCM-SHA384";
        assert_eq!(
            unknown(s0),
            ["ECDHE-RSA-AES256-GCM-SHA512", "DHE-RSA-AES256-GCM-SHA512"]
        );
        assert!(weak(s0).is_empty());
        assert!(unknown("HIGH:!aNULL:!MD5").is_empty());
        assert!(weak("HIGH:!aNULL:!MD5").is_empty());
        assert!(unknown("EECDH+AESGCM:EDH+AESGCM:@STRENGTH").is_empty());
        assert_eq!(weak("ALL:RC4-SHA:!aNULL"), ["RC4-SHA"]);
        assert_eq!(weak("DEFAULT:aNULL"), ["aNULL"]);
        assert_eq!(
            unknown("ECDHE-RSA-AES128-GCM-SHA256 EECDH+CHACHA20,AES256-GCM-SHA384"),
            Vec::<&str>::new()
        );
    }
}
