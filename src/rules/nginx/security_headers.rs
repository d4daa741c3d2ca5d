//! NGX011–NGX012: security headers written so that they do less than they seem to.

use crate::document::Document;
use crate::rules::nginx::{each_directive, report_at};
use crate::rules::Emitter;

/// Headers that must also be on error responses (a 404 or 500 page can be framed or sniffed
/// just as well, and HSTS on a redirect is what protects the first visit).
const ALWAYS_HEADERS: &[&str] = &[
    "content-security-policy",
    "referrer-policy",
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
];

/// One year, the least HSTS max-age browsers' preload lists and the guides accept.
const MIN_HSTS_MAX_AGE: u64 = 31_536_000;

/// NGX011: a security header without `always`, so nginx drops it from 4xx/5xx responses.
pub fn without_always(doc: &Document, out: &mut Emitter) {
    each_directive(doc, "add_header", |blocks, directive| {
        let Some(name) = directive.args.first() else {
            return;
        };
        let lower = name.value.to_ascii_lowercase();
        let has_always = directive.args.get(2).is_some_and(|a| a.value == "always");
        if ALWAYS_HEADERS.contains(&lower.as_str()) && !has_always && directive.args.len() >= 2 {
            report_at(
                doc,
                out,
                blocks,
                directive,
                0,
                format!(
                    "`{}` is only added to 200/201/204/206/301/302/303/304/307/308 responses; error pages go out without it — append `always`",
                    name.value
                ),
            );
        }
    });
}

/// NGX012: HSTS with a max-age under a year, or without `includeSubDomains`.
pub fn weak_hsts(doc: &Document, out: &mut Emitter) {
    each_directive(doc, "add_header", |blocks, directive| {
        let (Some(name), Some(value)) = (directive.args.first(), directive.args.get(1)) else {
            return;
        };
        if !name.value.eq_ignore_ascii_case("strict-transport-security") {
            return;
        }
        let lower = value.value.to_ascii_lowercase();
        let max_age = lower.split(';').find_map(|part| {
            let (key, number) = part.trim().split_once('=')?;
            (key.trim() == "max-age")
                .then(|| number.trim().trim_matches('"').parse::<u64>().ok())?
        });
        let problem = match max_age {
            None => Some("has no valid `max-age`, so browsers ignore it".to_owned()),
            Some(age) if age < MIN_HSTS_MAX_AGE => Some(format!(
                "has `max-age={age}` ({} days); browsers forget the policy that soon — use at least `max-age=31536000`",
                age / 86_400
            )),
            Some(_) if !lower.contains("includesubdomains") => Some(
                "has no `includeSubDomains`, so a cookie set for the parent domain can still be read over plain HTTP on a subdomain".to_owned(),
            ),
            Some(_) => None,
        };
        if let Some(problem) = problem {
            report_at(
                doc,
                out,
                blocks,
                directive,
                1,
                format!("this `Strict-Transport-Security` header {problem}"),
            );
        }
    });
}
