//! NGX015–NGX016: HTTPS servers without a certificate, and public HTTP servers that serve
//! content instead of redirecting to HTTPS. Both look at a server together with the `http`
//! block around it, when the file has one.

use crate::document::Document;
use crate::formats::nginx::{walk, NginxDirective};
use crate::rules::nginx::{directive_key, source_of, tree};
use crate::rules::Emitter;

/// Reports at a server's `listen` directive, keyed by where the server is.
fn report_on_listen(
    doc: &Document,
    out: &mut Emitter,
    blocks: &[&NginxDirective],
    server: &NginxDirective,
    listen: &Listen,
    message: String,
) {
    let mut path = blocks.to_vec();
    path.push(server);
    out.report(
        source_of(doc, listen.directive),
        listen.directive.name_span,
        directive_key(&path, listen.directive),
        message,
    );
}

/// Every `server { … }` in an `http` context, with the enclosing `http` block if the file
/// has it (a site file's servers have none).
fn servers(doc: &Document) -> Vec<(Vec<&NginxDirective>, &NginxDirective)> {
    let Some(tree) = tree(doc) else {
        return Vec::new();
    };
    walk(tree)
        .into_iter()
        .filter(|(blocks, d)| {
            d.name == "server" && d.block.is_some() && blocks.iter().all(|b| b.name == "http")
        })
        .collect()
}

fn has(list: &[NginxDirective], name: &str) -> bool {
    list.iter().any(|d| d.name == name)
}

/// A `listen` directive read for what matters here.
struct Listen<'a> {
    directive: &'a NginxDirective,
    ssl: bool,
    port: u16,
    local: bool,
}

fn listens<'a>(server: &'a NginxDirective) -> Vec<Listen<'a>> {
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

/// NGX015: a server listening with `ssl` and no certificate in it or in `http`.
pub fn without_certificate(doc: &Document, out: &mut Emitter) {
    for (blocks, server) in servers(doc) {
        let http = blocks.last().map_or(&[][..], |b| b.children());
        // An include here or in `http` may bring the certificate.
        if has(server.children(), "include") || has(http, "include") {
            continue;
        }
        let Some(listen) = listens(server).into_iter().find(|l| l.ssl) else {
            continue;
        };
        let missing: Vec<&str> = ["ssl_certificate", "ssl_certificate_key"]
            .into_iter()
            .filter(|name| !has(server.children(), name) && !has(http, name))
            .collect();
        if !missing.is_empty() {
            report_on_listen(
                doc,
                out,
                &blocks,
                server,
                &listen,
                format!(
                    "this server listens with `ssl` but sets no {}, here or in `http`: nginx refuses to start; add `ssl_certificate /etc/letsencrypt/live/<name>/fullchain.pem;` and `ssl_certificate_key …/privkey.pem;`",
                    missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(" or ")
                ),
            );
        }
    }
}

/// Whether a directive sends the client elsewhere (or drops it) instead of serving content.
fn redirects(directive: &NginxDirective) -> bool {
    let values: Vec<&str> = directive.values().collect();
    match directive.name.as_str() {
        "return" => true,
        "rewrite" => values
            .get(1)
            .is_some_and(|target| target.starts_with("https://")),
        _ => false,
    }
}

/// A server is redirecting when a server-level `return`/`rewrite https://…`, an `if` around
/// one, or `location /` made only of one does the job.
fn is_redirecting(server: &NginxDirective) -> bool {
    server.children().iter().any(|d| {
        redirects(d)
            || (d.name == "if" && d.children().iter().any(redirects))
            || (d.name == "location"
                && d.values().collect::<Vec<_>>() == ["/"]
                && d.children().iter().any(redirects))
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

/// Names a visitor would type: not `_`, `localhost`, a reserved suffix or an IP address.
fn public_names(server: &NginxDirective) -> Vec<&str> {
    server
        .children()
        .iter()
        .filter(|d| d.name == "server_name")
        .flat_map(|d| d.values())
        .filter(|name| {
            name.contains('.')
                && !name.starts_with('~')
                && !name.chars().all(|c| c.is_ascii_digit() || c == '.')
                && *name != "localhost"
                && !INTERNAL_SUFFIXES
                    .iter()
                    .any(|suffix| name.ends_with(suffix))
        })
        .collect()
}

/// NGX016: a public server on port 80 that serves content over plain HTTP.
pub fn without_redirect(doc: &Document, out: &mut Emitter) {
    for (blocks, server) in servers(doc) {
        let names = public_names(server);
        if names.is_empty() || is_redirecting(server) {
            continue;
        }
        let Some(listen) = listens(server)
            .into_iter()
            .find(|l| !l.ssl && !l.local && l.port == 80)
        else {
            continue;
        };
        report_on_listen(
            doc,
            out,
            &blocks,
            server,
            &listen,
            format!(
                "`{}` is served over plain HTTP on port 80 without a redirect, so logins and cookies can travel unencrypted; add `return 301 https://$host$request_uri;` to this server (keep `location /.well-known/acme-challenge/` if needed)",
                names[0]
            ),
        );
    }
}
