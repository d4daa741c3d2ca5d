//! Rules for `redis.conf` (after Redis's own security page and the usual advice to
//! disable dangerous commands): authentication, protected mode, the interfaces it
//! binds, renamed commands.
//! A file with `include` lines may get its missing settings from there, so "not set" rules
//! stay silent for it.

use crate::formats::redis::RedisConf;
use crate::rules::{checks, RegisteredCheck};

pub mod access;
pub mod commands;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "redis-bind-all-interfaces" => access::bind_all;
    document "redis-dangerous-commands" => commands::not_renamed;
    document "redis-no-password" => access::no_password;
    document "redis-protected-mode-off" => access::protected_mode;
};

/// Whether the file includes others (which may set what it leaves out).
fn has_includes(conf: &RedisConf) -> bool {
    conf.all("include").next().is_some()
}

/// Whether ACLs are configured (`user` lines or an `aclfile`), which replace both
/// `requirepass` and `rename-command`.
fn uses_acl(conf: &RedisConf) -> bool {
    conf.all("user").next().is_some() || conf.last("aclfile").is_some()
}

/// `protected-mode no` in effect.
fn protected_mode_off(conf: &RedisConf) -> bool {
    conf.last("protected-mode")
        .is_some_and(|d| d.first().eq_ignore_ascii_case("no"))
}
