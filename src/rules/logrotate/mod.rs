//! Rules for logrotate: the modes new log files get (LOG001, LOG002) and whether rotated
//! logs are kept at all (LOG003). Snippets in `logrotate.d/` inherit the defaults written
//! at the top of `logrotate.conf`, so LOG003 reads both when both are scanned.

use crate::rules::{checks, RegisteredCheck};
pub mod modes;
pub mod retention;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    project "logrotate-no-retention" => retention::no_retention;
    document "logrotate-world-readable" => modes::world_readable;
    document "logrotate-world-writable" => modes::world_writable;
};
