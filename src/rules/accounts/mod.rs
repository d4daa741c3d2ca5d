//! Rules for the account databases (`/etc/passwd`, `/etc/shadow`) of a repository (an
//! image's `etc/`) or a host: accounts anyone can log in to, root by another name, and
//! password hashes every user can read.

use crate::rules::{checks, RegisteredCheck};
pub mod empty_password;
pub mod hash_in_passwd;
pub mod uid_zero;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "accounts-empty-password" => empty_password::check;
    document "accounts-hash-in-passwd" => hash_in_passwd::check;
    document "accounts-uid-zero" => uid_zero::check;
};
