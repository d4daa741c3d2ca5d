//! NGX005: `alias` under a prefix location without a trailing slash.

use crate::formats::nginx::NginxConfig;
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
        let prefix = match args.as_slice() {
            [path] => *path,
            ["^~", path] => *path,
            _ => return,
        };
        if !prefix.ends_with('/') {
            cx.report_at(
                blocks,
                directive,
                0,
                format!("`location {prefix}` has no trailing slash, so `{prefix}../` walks out of the aliased directory; write `location {prefix}/`"),
            );
        }
    });
}
