//! NGX008: `Origin`/`Referer` checks whose regex an attacker's site can satisfy.
//!
//! Instead of reasoning about the regex, preflight asks it: the domain the regex means to
//! allow is read from the pattern, attacker-controlled origins are derived from it
//! (`https://trusted.com.evil.com/`, `https://evil.com/?https://trusted.com/`, `https://trustedxcom/`
//! for an unescaped dot) and matched with the real regex engine. A wildcard such as `.*`
//! inside the host part is reported too.

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

use crate::formats::nginx::NginxConfig;
use crate::message::Message;
use crate::msg;
use crate::rules::nginx::each_directive;
use crate::rules::Context;

static DOMAIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?:[a-z0-9-]+\.)+[a-z]{2,}").expect("valid regex"));

/// The regex with `\.` and `\/` unescaped, so domains can be read from it.
fn domains(pattern: &str) -> Vec<String> {
    let plain = pattern.replace("\\.", ".").replace("\\/", "/");
    let mut found: Vec<String> = DOMAIN
        .find_iter(&plain)
        .map(|m| m.as_str().to_ascii_lowercase())
        .collect();
    found.dedup();
    found
}

/// Whether the host part of the pattern (after `://`, up to the next `/` outside a
/// character class) contains an unescaped `.` followed by `*` or `+`: any host matches.
fn host_has_wildcard(pattern: &str) -> bool {
    let Some(start) = pattern
        .find("://")
        .map(|i| i + 3)
        .or_else(|| pattern.find(":\\/\\/").map(|i| i + 5))
    else {
        return false;
    };
    let bytes = pattern.as_bytes();
    let (mut i, mut in_class) = (start, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if bytes.get(i + 1) == Some(&b'/') && !in_class => return false,
            b'\\' => i += 1,
            b'[' => in_class = true,
            b']' => in_class = false,
            b'/' if !in_class => return false,
            b'.' if !in_class && matches!(bytes.get(i + 1), Some(b'*' | b'+')) => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// An origin the regex accepts although it is not the trusted domain, if there is one.
fn bypass(regex: &Regex, domain: &str) -> Option<String> {
    let trusted = [
        format!("https://{domain}/"),
        format!("https://{domain}"),
        format!("http://{domain}/"),
    ];
    let accepted = trusted.iter().find(|t| regex.is_match(t))?;
    let mut attacks = vec![
        format!("https://{domain}.evil.com/"),
        format!("https://evil.com/?{accepted}"),
    ];
    for (i, _) in domain.match_indices('.') {
        attacks.push(format!("https://{}x{}/", &domain[..i], &domain[i + 1..]));
    }
    attacks.into_iter().find(|a| regex.is_match(a))
}

/// NGX008: checks `if ($http_origin ~ …)` and `if ($http_referer ~ …)` conditions.
pub fn check(cx: &mut Context<'_, NginxConfig>) {
    each_directive(cx.content, "if", |blocks, directive| {
        let values: Vec<&str> = directive.values().collect();
        let [variable, operator, pattern, ..] = values.as_slice() else {
            return;
        };
        let variable = variable.trim_start_matches('(');
        if !matches!(variable, "$http_origin" | "$http_referer") || !operator.contains('~') {
            return;
        }
        let Ok(regex) = RegexBuilder::new(pattern)
            .case_insensitive(operator.ends_with('*'))
            .build()
        else {
            return;
        };
        let header = if variable == "$http_origin" {
            "Origin"
        } else {
            "Referer"
        };
        let example = domains(pattern).iter().find_map(|d| bypass(&regex, d));
        let message: Message = match example {
            Some(origin) => {
                // The origin is built from the domain the pattern names.
                let origin = cx.quote(directive, directive.args[2].span, &origin);
                msg!(
                    "this {} check also accepts `{}`; anchor it and escape every dot: `^https://trusted\\.example(:[0-9]+)?/` (or `$` for Origin)",
                    header,
                    origin
                )
            }
            None if host_has_wildcard(pattern) => msg!(
                "this {} check lets a wildcard (`.*`/`.+`) match any host; spell out the allowed hosts, anchored, with escaped dots",
                header
            ),
            None => return,
        };
        cx.report_at(blocks, directive, 2, message);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_bypasses_and_accepts_strict_patterns() {
        let bypassed = |p: &str| {
            let regex = Regex::new(p).unwrap();
            domains(p).iter().find_map(|d| bypass(&regex, d))
        };
        assert_eq!(
            bypassed(r"^https?:\/\/yandex.ru\/").as_deref(),
            Some("https://yandexxru/")
        );
        assert_eq!(
            bypassed(r"^https://example\.com").as_deref(),
            Some("https://example.com.evil.com/")
        );
        assert_eq!(
            bypassed(r"https://example\.com/").as_deref(),
            Some("https://evil.com/?https://example.com/")
        );
        assert_eq!(bypassed(r"^https?:\/\/yandex\.ru\/"), None);
        assert_eq!(bypassed(r"^https?://([^/]+\.)?yandex\.com/"), None);
        assert!(host_has_wildcard(
            r"^https?://([^/]+metrika.*yandex\.(ru|ua))/"
        ));
        assert!(!host_has_wildcard(r"^https?://([^/]+\.)?webvisor\.com/"));
    }
}
