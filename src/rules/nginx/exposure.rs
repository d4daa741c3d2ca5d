//! NGX001–NGX002: nginx telling visitors more than it should.

use crate::formats::nginx::{NginxConfig, NginxDirective};
use crate::msg;
use crate::rules::nginx::effective::{inherited, Effective};
use crate::rules::nginx::{each_directive, tree};
use crate::rules::Context;

/// NGX001: `server_tokens on` (or `build`) set, or left at nginx's default `on` in a main
/// configuration's `http` block with a `server` that inherits it (a value every server sets
/// itself is enough). A site file without `http` is not judged for the default: its
/// `nginx.conf` decides.
pub fn server_tokens(cx: &mut Context<'_, NginxConfig>) {
    if let Some(tree) = tree(cx.content) {
        for http in tree
            .iter()
            .filter(|d| d.name == "http" && d.block.is_some())
        {
            // `server_tokens` is allowed in `http`, `server` and `location` only: what the
            // top level includes cannot set it here.
            let found = inherited(&[http.children()], "server_tokens");
            if found == Effective::Unknown {
                cx.not_evaluated(super::https::UNFOLLOWED_INCLUDE);
            }
            if found != Effective::Default {
                continue;
            }
            match in_every_server(http, "server_tokens") {
                Effective::Set(()) => {}
                Effective::Unknown => cx.not_evaluated(super::https::UNFOLLOWED_INCLUDE),
                Effective::Default => {
                    cx.report_at(
                        &[],
                        http,
                        0,
                        "nginx's default `server_tokens on` is in effect here, so every error page and `Server` header carries the nginx version; write `server_tokens off;` in this `http` block",
                    );
                }
            }
        }
    }
    each_directive(cx.content, "server_tokens", |blocks, directive| {
        let value = directive.args.first().map_or("", |a| a.value.as_str());
        let value = match value {
            "on" => "on",
            "build" => "build",
            _ => return,
        };
        cx.report_at(
            blocks,
            directive,
            0,
            msg!("`server_tokens {}` puts the nginx version in every error page and `Server` header; write `server_tokens off;`", value),
        );
    });
}

/// What the `server` blocks of `http` leave in effect for `name`: nginx's default when one
/// of them leaves it so (or there is none), unknown when none does but one has an include
/// preflight could not follow, else set by every one (then no response gets what `http`
/// leaves in effect).
fn in_every_server(http: &NginxDirective, name: &str) -> Effective<()> {
    let mut servers = http
        .children()
        .iter()
        .filter(|d| d.name == "server" && d.block.is_some())
        .peekable();
    if servers.peek().is_none() {
        return Effective::Default;
    }
    let mut found = Effective::Set(());
    for server in servers {
        match inherited(&[server.children()], name) {
            Effective::Default => return Effective::Default,
            Effective::Unknown => found = Effective::Unknown,
            Effective::Set(_) => {}
        }
    }
    found
}

/// NGX002: `autoindex on`.
pub fn autoindex(cx: &mut Context<'_, NginxConfig>) {
    each_directive(cx.content, "autoindex", |blocks, directive| {
        if directive.args.first().is_some_and(|a| a.value == "on") {
            cx.report_at(
                blocks,
                directive,
                0,
                "`autoindex on` lists every file in the directory to anyone who asks; write `autoindex off;` (the default) and link the files you mean to publish",
            );
        }
    });
}
