//! LIVE005–LIVE006: TLS certificates about to expire, or expired. Renewal (certbot's timer)
//! fails silently more often than anyone notices; browsers then refuse the site.

use crate::document::Document;
use crate::live::outputs::certificate::Certificate;
use crate::live::outputs::HostOutput;
use crate::rules::Emitter;
use crate::source::Span;

const DAY: i64 = 86_400;

/// LIVE005: the leaf certificate expires within 14 days (but more than 3).
pub fn expiring(doc: &Document, out: &mut Emitter) {
    check(doc, out, |days| (3 * DAY < days) && days <= 14 * DAY);
}

/// LIVE006: the leaf certificate has expired or expires within 3 days.
pub fn expired(doc: &Document, out: &mut Emitter) {
    check(doc, out, |left| left <= 3 * DAY);
}

fn check(doc: &Document, out: &mut Emitter, applies: impl Fn(i64) -> bool) {
    let Some(HostOutput::Certificate(file)) = doc.as_host() else {
        return;
    };
    let Some(leaf) = file.leaf() else {
        return;
    };
    let now = super::judged_at(file.judged_at);
    let left = leaf.not_after - now;
    if !applies(left) {
        return;
    }
    let when = if left < 0 {
        format!("expired {} ago", days(-left))
    } else {
        format!("expires in {}", days(left))
    };
    out.report(
        &doc.source,
        Span::new(leaf.span.start, leaf.span.start + "-----BEGIN CERTIFICATE-----".len()),
        "leaf",
        format!(
            "the certificate for {} {when} (notAfter {}); renew it (`certbot renew`, and check that certbot's timer runs) and reload nginx",
            names(leaf),
            leaf.not_after_text
        ),
    );
}

fn days(seconds: i64) -> String {
    let days = seconds / DAY;
    match days {
        0 => format!("{} hours", seconds / 3600),
        1 => "1 day".into(),
        n => format!("{n} days"),
    }
}

fn names(leaf: &Certificate) -> String {
    let mut names: Vec<&str> = leaf.names.iter().map(String::as_str).collect();
    if names.is_empty() {
        names.push(&leaf.subject);
    }
    let shown: Vec<String> = names.iter().take(3).map(|n| format!("`{n}`")).collect();
    let more = names.len().saturating_sub(3);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
