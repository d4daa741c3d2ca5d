//! LIVE005–LIVE006: TLS certificates about to expire, or expired. Renewal (certbot's timer)
//! fails silently more often than anyone notices; browsers then refuse the site.

use crate::formats::host::certificate::{Certificate, CertificateFile};
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::Context;
use crate::source::Span;

const DAY: i64 = 86_400;

/// LIVE005: the leaf certificate expires within 14 days (but more than 3).
pub fn expiring(cx: &mut Context<'_, CertificateFile>) {
    check(cx, |days| (3 * DAY < days) && days <= 14 * DAY);
}

/// LIVE006: the leaf certificate has expired or expires within 3 days.
pub fn expired(cx: &mut Context<'_, CertificateFile>) {
    check(cx, |left| left <= 3 * DAY);
}

fn check(cx: &mut Context<'_, CertificateFile>, applies: impl Fn(i64) -> bool) {
    let file = cx.content;
    let Some(leaf) = file.leaf() else {
        return;
    };
    let now = super::judged_at(file.judged_at);
    let left = leaf.not_after - now;
    if !applies(left) {
        return;
    }
    let when = if left < 0 {
        msg!("expired {} ago", days(-left))
    } else {
        msg!("expires in {}", days(left))
    };
    cx.report(
        Span::new(leaf.span.start, leaf.span.start + "-----BEGIN CERTIFICATE-----".len()),
        "leaf",
        msg!(
            "the certificate for {} {} (notAfter {}); renew it (`certbot renew`, and check that certbot's timer runs) and reload nginx",
            names(leaf),
            when,
            decoded(leaf, &leaf.not_after_text)
        ),
    );
}

fn days(seconds: i64) -> Message {
    let days = seconds / DAY;
    match days {
        0 => msg!("{} hours", seconds / 3600),
        1 => "1 day".into(),
        n => msg!("{} days", n),
    }
}

/// Text decoded from the certificate's base64 block, which is where it is written.
fn decoded(leaf: &Certificate, text: &str) -> Quote {
    Quote::derived(leaf.span, text)
}

fn names(leaf: &Certificate) -> Message {
    let mut names: Vec<&str> = leaf.names.iter().map(String::as_str).collect();
    if names.is_empty() {
        names.push(&leaf.subject);
    }
    let shown = Message::join(
        names.iter().take(3).map(|n| msg!("`{}`", decoded(leaf, n))),
        ", ",
    );
    let more = names.len().saturating_sub(3);
    if more > 0 {
        msg!("{} and {} more", shown, more)
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;
    use crate::formats::Target;
    use crate::formats::{NoFiles, ParseContext};
    use crate::policy::Catalog;
    use crate::rules::{resolve, Check, Emitter};
    use crate::source::SourceFile;
    use std::sync::Arc;

    /// The certificate of the parser's tests: notAfter 1 795 714 281 (Nov 26 17:31:21 2026).
    const PEM: &str = include_str!("../../formats/host/testdata/shop-example.pem");
    const NOT_AFTER: i64 = 1_795_714_281;

    /// The messages of the check `name` with the snapshot taken `before` seconds before expiry.
    fn messages(name: &str, before: i64) -> Vec<String> {
        let Some(Check::Document(check)) = resolve(name) else {
            panic!("{name} is a per-document check");
        };
        let source = SourceFile::from_bytes("cert.pem".into(), "cert.pem".into(), PEM.into());
        let context = ParseContext {
            target: Target::Certificate,
            judged_at: Some(NOT_AFTER - before),
            files: &NoFiles,
        };
        let doc = Document::parse_with(Arc::new(source), &context);
        let catalog = Catalog::builtin().unwrap();
        let mut out = Emitter::new(&catalog);
        check(&doc, &mut out);
        out.into_findings()
            .into_iter()
            .map(|f| f.message.fingerprint_text(&f.source))
            .collect()
    }

    #[test]
    fn expiry_is_judged_at_the_snapshot_time() {
        let ten_days = messages("live-certificate-expiring", 10 * DAY + 60);
        assert_eq!(ten_days.len(), 1);
        assert!(
            ten_days[0].starts_with("the certificate for `shop.example`, `www.shop.example`, `10.0.0.5` expires in 10 days (notAfter "),
            "{}",
            ten_days[0]
        );
        assert!(messages("live-certificate-expired", 10 * DAY).is_empty());
        assert_eq!(messages("live-certificate-expired", 2 * DAY).len(), 1);
        assert!(messages("live-certificate-expiring", 2 * DAY).is_empty());
        assert!(messages("live-certificate-expired", -5 * DAY)[0].contains("expired 5 days ago"));
        assert!(messages("live-certificate-expiring", 30 * DAY).is_empty());
        assert!(messages("live-certificate-expired", 30 * DAY).is_empty());
    }
}
