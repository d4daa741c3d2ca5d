//! RDS004: commands that wipe or reconfigure the server still callable.

use crate::formats::redis::RedisConf;
use crate::message::Message;
use crate::msg;
use crate::rules::redis::{has_includes, uses_acl};
use crate::rules::Context;
use crate::source::Span;

/// The commands Redis's security documentation (redis.io/docs/latest/operate/oss_and_stack/management/security/)
/// tells you to rename or disable.
pub const DANGEROUS: &[&str] = &["FLUSHALL", "FLUSHDB", "CONFIG", "DEBUG", "KEYS", "SHUTDOWN"];

/// RDS004: a dangerous command neither renamed nor disabled with `rename-command`.
pub fn not_renamed(cx: &mut Context<'_, RedisConf>) {
    let conf = cx.content;
    if uses_acl(conf) || has_includes(conf) {
        return;
    }
    let debug_disabled = conf
        .last("enable-debug-command")
        .is_some_and(|d| d.first().eq_ignore_ascii_case("no"));
    let missing: Vec<&str> = DANGEROUS
        .iter()
        .copied()
        .filter(|command| !(*command == "DEBUG" && debug_disabled))
        .filter(|command| {
            !conf
                .all("rename-command")
                .any(|d| d.first().eq_ignore_ascii_case(command))
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    let span = conf
        .all("rename-command")
        .last()
        .map_or(Span::new(0, 0), |d| d.name_span);
    let lines = missing.iter().map(|c| msg!("`rename-command {} \"\"`", *c));
    let message = msg!("{} can still be called by any client that gets in (wiping the data, rewriting the configuration or blocking the server); disable them: {} — or define ACL users without `@dangerous`", Message::join(missing.iter().copied(), ", "), Message::join(lines, ", "));
    cx.report(
        span,
        format!("rename-command:{}", missing.join(",")),
        message,
    );
}
