//! PEM certificate files (`cert.pem`, `fullchain.pem`, a configured `ssl_certificate`),
//! decoded with `x509-parser`: for each certificate its subject, names and end of
//! validity. A chain's first certificate is the server's own (the leaf); the rest are
//! intermediates that expire on their own schedule.

use x509_parser::extensions::GeneralName;
use x509_parser::pem::parse_x509_pem;

use crate::formats::sensitive::Sensitive;
use crate::formats::ParseError;
use crate::formats::{Format, ParseContext};
use crate::message::{Message, Quote};
use crate::msg;
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// One certificate of a PEM file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The subject's common name or, without one, the whole subject.
    pub subject: String,
    /// DNS names and IP addresses from the subjectAltName extension.
    pub names: Vec<String>,
    /// The end of validity (`notAfter`), in seconds since the Unix epoch.
    pub not_after: i64,
    /// The same, as the certificate writes it (`Nov 27 12:00:00 2026 +00:00`).
    pub not_after_text: String,
    /// From `-----BEGIN CERTIFICATE-----` to the end of the `END` line.
    pub span: Span,
}

/// A PEM file's certificates, and the blocks that hold secrets (private keys) to be masked.
#[derive(Debug, Clone, Default)]
pub struct CertificateFile {
    /// Certificates in file order; the first is the leaf.
    pub certificates: Vec<Certificate>,
    /// `PRIVATE KEY` blocks (a combined key-and-certificate file), never shown.
    pub private_keys: Vec<Span>,
    /// Blocks that could not be decoded.
    pub errors: Vec<ParseError>,
    /// The moment expiry is judged against: the snapshot's `collected_at` (seconds since
    /// the epoch) when the file comes from a snapshot, `None` for "now".
    pub judged_at: Option<i64>,
}

impl CertificateFile {
    /// Reads every PEM block of `text`.
    pub fn parse(text: &str) -> Self {
        let mut file = Self::default();
        let mut search = 0;
        while let Some(found) = text[search..].find("-----BEGIN ") {
            let start = search + found;
            let label_end = text[start + 11..]
                .find("-----")
                .map_or(text.len(), |i| start + 11 + i);
            let label = text[start + 11..label_end].to_owned();
            let end_marker = format!("-----END {label}-----");
            let end = text[start..]
                .find(&end_marker)
                .map_or(text.len(), |i| start + i + end_marker.len());
            let span = Span::new(start, end);
            search = end.max(start + 1);
            if label.contains("PRIVATE KEY") {
                file.private_keys.push(span);
                continue;
            }
            if label != "CERTIFICATE" {
                continue;
            }
            match decode(&text[span.range()], span) {
                Ok(certificate) => file.certificates.push(certificate),
                Err(message) => file.errors.push(ParseError { span, message }),
            }
        }
        file
    }

    /// The server's own certificate: the first of the file.
    pub fn leaf(&self) -> Option<&Certificate> {
        self.certificates.first()
    }
}

/// Decodes the certificate written at `span`; the decoder's complaint is about that block,
/// so it is quoted from there.
fn decode(block: &str, span: Span) -> Result<Certificate, Message> {
    let (_, pem) = parse_x509_pem(block.as_bytes()).map_err(|e| {
        msg!(
            "this PEM block cannot be decoded ({}); is the file truncated?",
            Quote::derived(span, e.to_string())
        )
    })?;
    let certificate = pem.parse_x509().map_err(|e| {
        msg!(
            "this is not a valid X.509 certificate ({})",
            Quote::derived(span, e.to_string())
        )
    })?;
    let subject = certificate
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map_or_else(|| certificate.subject().to_string(), str::to_owned);
    let names = certificate
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| {
            san.value
                .general_names
                .iter()
                .filter_map(|name| match name {
                    GeneralName::DNSName(dns) => Some((*dns).to_owned()),
                    GeneralName::IPAddress(bytes) => ip_text(bytes),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let not_after = certificate.validity().not_after;
    Ok(Certificate {
        subject,
        names,
        not_after: not_after.timestamp(),
        not_after_text: not_after.to_string(),
        span,
    })
}

fn ip_text(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => Some(std::net::Ipv4Addr::from(<[u8; 4]>::try_from(bytes).ok()?).to_string()),
        16 => Some(std::net::Ipv6Addr::from(<[u8; 16]>::try_from(bytes).ok()?).to_string()),
        _ => None,
    }
}

/// Host state only comes from a snapshot, which says what each file is: no name claims it.
impl Format for CertificateFile {
    fn parse(source: &Arc<SourceFile>, context: &ParseContext) -> Self {
        let mut parsed = Self::parse(&source.text);
        parsed.judged_at = context.judged_at;
        parsed
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    /// Private-key blocks kept in the same file as the chain.
    fn sensitive(&self, _: &SourceFile) -> Vec<Sensitive> {
        self.private_keys
            .iter()
            .map(|&span| Sensitive { span })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1
    /// -subj /CN=shop.example -addext subjectAltName=DNS:shop.example,DNS:www.shop.example,IP:10.0.0.5`
    /// (OpenSSL 3.0, run while writing this test), followed by its key.
    const SELF_SIGNED: &str = include_str!("testdata/shop-example.pem");

    #[test]
    fn reads_subject_names_and_expiry_and_hides_the_key() {
        let file = CertificateFile::parse(SELF_SIGNED);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let leaf = file.leaf().unwrap();
        assert_eq!(leaf.subject, "shop.example");
        assert_eq!(leaf.names, ["shop.example", "www.shop.example", "10.0.0.5"]);
        assert_eq!(leaf.not_after, 1_795_714_281);
        assert_eq!(file.private_keys.len(), 1);
        assert!(SELF_SIGNED[file.private_keys[0].range()].contains("PRIVATE KEY"));
    }

    #[test]
    fn a_damaged_block_is_a_located_error() {
        let text = "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n";
        let file = CertificateFile::parse(text);
        assert!(file.certificates.is_empty());
        assert_eq!(file.errors.len(), 1);
        assert_eq!(file.errors[0].span.start, 0);
    }
}
