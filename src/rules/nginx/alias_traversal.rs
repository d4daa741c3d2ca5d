//! NGX005: `alias` under a prefix location without a trailing slash.

use crate::formats::nginx::NginxConfig;
use crate::msg;
use crate::rules::nginx::each_directive;
use crate::rules::Context;

/// NGX005: `location /files { alias /home/; }` serves `/files../etc/passwd` as
/// `/home/../etc/passwd`. Only prefix locations are affected: exact (`=`) locations match
/// one URI and regex locations substitute captures.
pub fn check(cx: &mut Context<'_, NginxConfig>) {
    each_directive(cx.content, "alias", |blocks, directive| {
        let Some(location) = blocks.last().filter(|b| b.name == "location") else {
            return;
        };
        let args: Vec<&str> = location.values().collect();
        let (at, prefix) = match args.as_slice() {
            [path] => (0, *path),
            ["^~", path] => (1, *path),
            _ => return,
        };
        if !prefix.ends_with('/') {
            let Some(prefix) = cx.arg_of(location, at) else {
                return;
            };
            cx.report_at(
                blocks,
                directive,
                0,
                msg!("`location {}` has no trailing slash, so `{}../` walks out of the aliased directory; write `location {}/`", &prefix, &prefix, prefix),
            );
        }
    });
}
