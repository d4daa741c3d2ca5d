//! NGX020: directives where nginx refuses them ("… directive is not allowed here").
//!
//! The table lists, from nginx's documentation, the contexts of the directives that matter
//! to security and to the rules; directives not in it are never judged (nginx keeps adding
//! directives and modules). A file that is a fragment (a site file, a snippet) is judged in
//! the outermost context where all its top-level directives are allowed; a fragment is never
//! wrong just for being a fragment.

use crate::formats::nginx::{NginxConfig, NginxDirective};
use crate::message::Message;
use crate::msg;
use crate::rules;
use crate::rules::nginx::{directive_key, tree};

/// Where a directive stands: the enclosing block, with `if` split by what encloses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Main,
    Events,
    Http,
    Server,
    Location,
    IfInServer,
    IfInLocation,
    Upstream,
    LimitExcept,
    /// Blocks the table does not describe (`map`, `types`, `mail`, `stream`, …).
    Other,
}

use Context::*;

/// `if` in either place.
const IF: &[Context] = &[IfInServer, IfInLocation];

/// The contexts each listed directive is allowed in (nginx documentation), in order. Asked
/// of every directive: the lists are read in place, not gathered into a new one.
fn allowed(name: &str) -> Option<impl Iterator<Item = Context>> {
    let list: &[&[Context]] = match name {
        "user"
        | "worker_processes"
        | "pid"
        | "worker_rlimit_nofile"
        | "load_module"
        | "http"
        | "events" => &[&[Main]],
        "worker_connections" | "multi_accept" => &[&[Events]],
        "limit_req_zone"
        | "limit_conn_zone"
        | "upstream"
        | "map"
        | "log_format"
        | "server_names_hash_bucket_size"
        | "types_hash_max_size" => &[&[Http]],
        "server" => &[&[Http]],
        "listen" | "server_name" => &[&[Server]],
        "location" => &[&[Server, Location]],
        "if" => &[&[Server, Location]],
        "alias" | "internal" => &[&[Location]],
        "return" | "rewrite" | "set" => &[&[Server, Location], IF],
        "try_files" | "valid_referers" => &[&[Server, Location]],
        "proxy_pass" | "fastcgi_pass" | "uwsgi_pass" | "grpc_pass" => {
            &[&[Location, IfInLocation, LimitExcept]]
        }
        "add_header" | "root" | "error_page" | "sendfile" | "gzip" | "expires"
        | "more_set_headers" => &[&[Http, Server, Location, IfInLocation]],
        "access_log" => &[&[Http, Server, Location, IfInLocation, LimitExcept]],
        "error_log" => &[&[Main, Http, Server, Location]],
        "allow" | "deny" | "auth_basic" | "auth_basic_user_file" => {
            &[&[Http, Server, Location, LimitExcept]]
        }
        "limit_req"
        | "limit_conn"
        | "server_tokens"
        | "autoindex"
        | "client_max_body_size"
        | "proxy_set_header"
        | "proxy_hide_header"
        | "proxy_read_timeout"
        | "proxy_http_version"
        | "fastcgi_param"
        | "keepalive_timeout"
        | "index"
        | "resolver"
        | "charset"
        | "default_type"
        | "gzip_types"
        | "add_header_inherit" => &[&[Http, Server, Location]],
        "ssl_certificate"
        | "ssl_certificate_key"
        | "ssl_protocols"
        | "ssl_ciphers"
        | "ssl_prefer_server_ciphers"
        | "ssl_session_cache"
        | "ssl_session_timeout"
        | "ssl_session_tickets"
        | "ssl_stapling"
        | "ssl_stapling_verify"
        | "ssl_dhparam"
        | "ssl_trusted_certificate"
        | "ssl_ecdh_curve"
        | "http2" => &[&[Http, Server]],
        _ => return None,
    };
    Some(list.iter().flat_map(|contexts| contexts.iter().copied()))
}

fn context_of(block: &NginxDirective, outer: Context) -> Context {
    match block.name.as_str() {
        "events" => Events,
        "http" => Http,
        "server" if outer == Http => Server,
        "location" => Location,
        "if" if outer == Server => IfInServer,
        "if" if outer == Location => IfInLocation,
        "upstream" => Upstream,
        "limit_except" => LimitExcept,
        _ => Other,
    }
}

fn name(context: Context) -> &'static str {
    match context {
        Main => "the main context",
        Events => "`events`",
        Http => "`http`",
        Server => "`server`",
        Location => "`location`",
        IfInServer => "`if` in `server`",
        IfInLocation => "`if` in `location`",
        Upstream => "`upstream`",
        LimitExcept => "`limit_except`",
        Other => "this block",
    }
}

/// `server` is a block in `http` but a simple directive (a backend) in `upstream`.
fn is_allowed(directive: &NginxDirective, context: Context) -> bool {
    if directive.name == "server" && directive.block.is_none() {
        return context == Upstream;
    }
    allowed(&directive.name).is_none_or(|mut contexts| contexts.any(|c| c == context))
}

/// The context a file's top level is in: a main configuration if it opens `http` or
/// `events` (or sets `worker_processes`/`user`), otherwise the outermost context in which
/// the whole fragment, nested blocks included, is valid; if none is, the one where the
/// top-level directives fit and the fewest nested ones do not.
fn top_context(list: &[NginxDirective]) -> Context {
    let is_main = list.iter().any(|d| {
        matches!(
            d.name.as_str(),
            "http" | "events" | "worker_processes" | "user"
        )
    });
    if is_main {
        return Main;
    }
    [Main, Http, Server, Location]
        .into_iter()
        .enumerate()
        .min_by_key(|(order, context)| {
            let top_level = list.iter().filter(|d| !is_allowed(d, *context)).count();
            (top_level, violations(list, *context), *order)
        })
        .map_or(Main, |(_, context)| context)
}

/// How many directives in `list` (recursively) would be misplaced in `context`.
fn violations(list: &[NginxDirective], context: Context) -> usize {
    if context == Other {
        return 0;
    }
    list.iter()
        .map(|d| match (&d.block, is_allowed(d, context)) {
            (_, false) => 1,
            (Some(block), true) => violations(&block.directives, context_of(d, context)),
            (None, true) => 0,
        })
        .sum()
}

/// NGX020: every listed directive in a context nginx rejects it in.
pub fn check(cx: &mut rules::Context<'_, NginxConfig>) {
    let Some(tree) = tree(cx.content) else { return };
    visit(cx, tree, top_context(tree), &mut Vec::new());
}

fn visit<'a>(
    cx: &mut rules::Context<'a, NginxConfig>,
    list: &'a [NginxDirective],
    context: Context,
    blocks: &mut Vec<&'a NginxDirective>,
) {
    if context == Other {
        return;
    }
    for directive in list {
        if !is_allowed(directive, context) {
            let allowed_in: Vec<&'static str> =
                if directive.name == "server" && directive.block.is_none() {
                    vec!["`upstream` (a `server` block needs `{ … }`)"]
                } else {
                    allowed(&directive.name)
                        .into_iter()
                        .flatten()
                        .map(name)
                        .collect()
                };
            let source = cx.source_of(directive);
            let message = msg!(
                "`{}` is not allowed in {}, so nginx refuses to start with this configuration; move it to {}",
                cx.name_of(directive),
                name(context),
                Message::join(allowed_in, " or ")
            );
            let finding = cx.report_in(
                source,
                directive.name_span,
                directive_key(blocks, directive),
                message,
            );
            // In an included file, the context comes from the `include`: point at it.
            let site = std::iter::once(directive)
                .chain(blocks.iter().rev().copied())
                .find_map(|d| d.included_at.as_ref());
            if let Some((file, span)) = site {
                finding.related_in(file, *span, msg!("included here, in {}", name(context)));
            }
            continue;
        }
        if let Some(block) = &directive.block {
            blocks.push(directive);
            visit(
                cx,
                &block.directives,
                context_of(directive, context),
                blocks,
            );
            blocks.pop();
        }
    }
}
