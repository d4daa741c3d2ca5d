//! Rules for crontabs themselves (backup jobs found in them are judged by
//! [`crate::rules::backup`]).

use crate::rules::{checks, RegisteredCheck};
pub mod secrets;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "cron-secret" => secrets::secret_in_crontab;
};
