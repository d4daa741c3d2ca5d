//! What a `server` block is: where it listens, the names it answers to, whether it only
//! redirects. Shared by the rules that judge servers (HTTPS, headers).

use crate::formats::nginx::{for_each, NginxArg, NginxConfig, NginxDirective};
use crate::message::{Message, Quote};
use crate::rules::nginx::{directive_key, tree};
use crate::rules::Context;

impl<'a> Context<'a, NginxConfig> {
    /// Reports at a server's `listen` directive, keyed by where the server is.
    pub(super) fn report_on_listen(
        &mut self,
        blocks: &[&NginxDirective],
        server: &NginxDirective,
        listen: &Listen,
        message: impl Into<Message>,
    ) {
        let mut path = blocks.to_vec();
        path.push(server);
        let source = self.source_of(listen.directive);
        self.report_in(
            source,
            listen.directive.name_span,
            directive_key(&path, listen.directive),
            message,
        );
    }

    /// The first name of `server` a visitor would type, for messages.
    pub(super) fn public_name(&self, server: &'a NginxDirective) -> Option<Quote> {
        let (directive, name) = public_names(server).into_iter().next()?;
        Some(self.quote(directive, name.span, &name.value))
    }
}

/// Every `server { … }` in an `http` context, with the enclosing `http` block if the file
/// has it (a site file's servers have none).
pub(super) fn servers(config: &NginxConfig) -> Vec<(Vec<&NginxDirective>, &NginxDirective)> {
    let Some(tree) = tree(config) else {
        return Vec::new();
    };
    let mut servers = Vec::new();
    for_each(tree, &mut |blocks, d| {
        if d.name == "server" && d.block.is_some() && blocks.iter().all(|b| b.name == "http") {
            servers.push((blocks.to_vec(), d));
        }
    });
    servers
}

/// A `listen` directive read for what matters here.
pub(super) struct Listen<'a> {
    /// The `listen` directive.
    pub directive: &'a NginxDirective,
    /// It accepts TLS (`ssl`, or `ssl on` in the server).
    pub ssl: bool,
    /// The port.
    pub port: u16,
    /// On a loopback address only.
    pub local: bool,
}

pub(super) fn listens<'a>(server: &'a NginxDirective) -> Vec<Listen<'a>> {
    let ssl_on = server
        .children()
        .iter()
        .any(|d| d.name == "ssl" && d.values().next() == Some("on"));
    server
        .children()
        .iter()
        .filter(|d| d.name == "listen")
        .filter_map(|directive| {
            let address = directive.args.first()?.value.as_str();
            if address.starts_with("unix:") {
                return None;
            }
            let (host, port) = match address.rsplit_once(':') {
                Some((host, port)) if !port.contains(']') => (host, port),
                _ if address.chars().all(|c| c.is_ascii_digit()) => ("", address),
                _ => (address, "80"),
            };
            let local = host.starts_with("127.") || host == "[::1]" || host == "localhost";
            let ssl = ssl_on || directive.values().skip(1).any(|v| v == "ssl");
            Some(Listen {
                directive,
                ssl,
                port: port.parse().ok()?,
                local,
            })
        })
        .collect()
}

/// Whether a directive sends the client elsewhere (or drops it) instead of serving content.
fn redirects(directive: &NginxDirective) -> bool {
    match directive.name.as_str() {
        "return" => true,
        "rewrite" => directive
            .values()
            .nth(1)
            .is_some_and(|target| target.starts_with("https://")),
        _ => false,
    }
}

/// A server is redirecting when a server-level `return`/`rewrite https://…`, an `if` around
/// one, or `location /` made only of one does the job.
pub(super) fn is_redirecting(server: &NginxDirective) -> bool {
    server.children().iter().any(|d| {
        redirects(d)
            || (d.name == "if" && d.children().iter().any(redirects))
            || (d.name == "location" && d.values().eq(["/"]) && d.children().iter().any(redirects))
    })
}

/// Suffixes reserved for loopback, tests or private networks (RFC 6761, RFC 6762, RFC 8375).
const INTERNAL_SUFFIXES: &[&str] = &[
    ".localhost",
    ".local",
    ".test",
    ".invalid",
    ".internal",
    ".lan",
    ".home.arpa",
];

/// Names a visitor would type: not `_`, `localhost`, a reserved suffix or an IP address;
/// each with the `server_name` it is written in.
pub(super) fn public_names(server: &NginxDirective) -> Vec<(&NginxDirective, &NginxArg)> {
    server
        .children()
        .iter()
        .filter(|d| d.name == "server_name")
        .flat_map(|d| d.args.iter().map(move |arg| (d, arg)))
        .filter(|(_, arg)| {
            let name = arg.value.as_str();
            name.contains('.')
                && !name.starts_with('~')
                && !name.chars().all(|c| c.is_ascii_digit() || c == '.')
                && name != "localhost"
                && !INTERNAL_SUFFIXES
                    .iter()
                    .any(|suffix| name.ends_with(suffix))
        })
        .collect()
}
