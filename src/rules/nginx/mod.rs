//! Rules for nginx configuration files: directives judged where they stand, and the
//! add_header inheritance trap. Rules see each configuration once, from the file nothing
//! else includes, with its includes expanded (see [`crate::formats::nginx::includes`]).

use crate::rules::{checks, Context, RawFinding, RegisteredCheck};
use std::sync::Arc;

use crate::formats::nginx::{for_each, NginxConfig, NginxDirective};
use crate::message::{Message, Quote};
use crate::msg;
use crate::source::{SourceFile, Span};

pub mod alias_traversal;
pub mod context;
pub mod effective;
pub mod exposure;
pub mod header_inheritance;
pub mod header_values;
pub mod host_spoofing;
pub mod https;
pub mod include_not_followed;
pub mod includes;
pub mod origin_regex;
pub mod request_limits;
pub mod response_splitting;
pub mod security_headers;
pub mod servers;
pub mod ssrf;
pub mod tls;
pub mod variables;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "nginx-add-header-inheritance" => header_inheritance::check;
    document "nginx-alias-traversal" => alias_traversal::check;
    document "nginx-autoindex" => exposure::autoindex;
    document "nginx-body-size" => request_limits::body_size;
    document "nginx-directive-context" => context::check;
    document "nginx-header-without-always" => security_headers::without_always;
    document "nginx-host-spoofing" => host_spoofing::check;
    document "nginx-hsts-without-subdomains" => security_headers::hsts_without_subdomains;
    document "nginx-http-without-redirect" => https::without_redirect;
    document "nginx-include-not-followed" => include_not_followed::check;
    document "nginx-include-problems" => includes::check;
    document "nginx-login-without-rate-limit" => request_limits::login_without_rate_limit;
    document "nginx-missing-hsts" => security_headers::missing_hsts;
    document "nginx-missing-security-headers" => security_headers::missing_headers;
    document "nginx-multiline-header" => header_values::multiline;
    document "nginx-origin-regex" => origin_regex::check;
    document "nginx-response-splitting" => response_splitting::check;
    document "nginx-server-tokens" => exposure::server_tokens;
    document "nginx-ssrf" => ssrf::check;
    document "nginx-tls-without-certificate" => https::without_certificate;
    document "nginx-unknown-ciphers" => tls::unknown_ciphers;
    document "nginx-valid-referers-none" => header_values::referers_none;
    document "nginx-weak-ciphers" => tls::weak_ciphers;
    document "nginx-weak-hsts" => security_headers::weak_hsts;
    document "nginx-weak-tls-protocols" => tls::weak_protocols;
};

/// The directives nginx rules judge in `config`: its tree with followed includes expanded,
/// or nothing when another scanned file includes it (it is judged there, in its real
/// context).
pub(crate) fn tree(config: &NginxConfig) -> Option<&[NginxDirective]> {
    (!config.includes.included_elsewhere).then(|| config.tree())
}

/// Calls `check` for every directive named `name` in `config`'s [`tree`], with the blocks
/// around it.
fn each_directive<'a>(
    config: &'a NginxConfig,
    name: &str,
    mut check: impl FnMut(&[&'a NginxDirective], &'a NginxDirective),
) {
    let Some(tree) = tree(config) else { return };
    for_each(tree, &mut |blocks, directive| {
        if directive.name == name {
            check(blocks, directive);
        }
    });
}

/// A fingerprint key that names a directive by where it is, not by its line:
/// `server(shop.example.org) > location(/uploads) > autoindex`.
pub(crate) fn directive_key(blocks: &[&NginxDirective], directive: &NginxDirective) -> String {
    let mut parts: Vec<String> = blocks
        .iter()
        .map(|b| {
            let args: Vec<&str> = b.values().collect();
            format!("{}({})", b.name, args.join(" "))
        })
        .collect();
    parts.push(directive.name.to_string());
    parts.join(" > ")
}

impl<'a> Context<'a, NginxConfig> {
    /// The file `directive` was written in: an included file, or the document itself.
    pub(crate) fn source_of(&self, directive: &'a NginxDirective) -> &'a Arc<SourceFile> {
        directive.origin.as_ref().unwrap_or(&self.doc.source)
    }

    /// `text`, read from what is written at `span` of the file `directive` is in.
    pub(crate) fn quote(&self, directive: &'a NginxDirective, span: Span, text: &str) -> Quote {
        Quote::derived_in(self.source_of(directive), span, text)
    }

    /// `directive`'s name, as nginx reads it.
    pub(crate) fn name_of(&self, directive: &'a NginxDirective) -> Quote {
        self.quote(directive, directive.name_span, &directive.name)
    }

    /// Argument `i` of `directive`, as nginx reads it (quotes removed, escapes applied).
    pub(crate) fn arg_of(&self, directive: &'a NginxDirective, i: usize) -> Option<Quote> {
        let arg = directive.args.get(i)?;
        Some(self.quote(directive, arg.span, &arg.value))
    }

    /// `name arg…` as nginx reads the directive, in backticks.
    pub(crate) fn written(&self, directive: &'a NginxDirective) -> Message {
        let args = directive.values().collect::<Vec<_>>().join(" ");
        match (directive.args.first(), directive.args.last()) {
            (Some(first), Some(last)) => {
                let span = Span::new(first.span.start, last.span.end);
                msg!(
                    "`{} {}`",
                    self.name_of(directive),
                    self.quote(directive, span, &args)
                )
            }
            _ => msg!("`{}`", self.name_of(directive)),
        }
    }

    /// Reports `message` at `directive`'s argument `arg` (or its name when it has none), in
    /// the file it is written in.
    fn report_at(
        &mut self,
        blocks: &[&NginxDirective],
        directive: &'a NginxDirective,
        arg: usize,
        message: impl Into<Message>,
    ) -> &mut RawFinding {
        let span = directive
            .args
            .get(arg)
            .map_or(directive.name_span, |a| a.span);
        let source = self.source_of(directive);
        self.report_in(source, span, directive_key(blocks, directive), message)
    }
}
