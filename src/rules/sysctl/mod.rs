//! Rules for kernel parameters (SYSCTL001): values that weaken the kernel's own defences,
//! in `sysctl.conf`/`sysctl.d` files of a repository or a host and in a live host's
//! `sysctl` output.

use crate::rules::{checks, RegisteredCheck};
pub mod weak;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "sysctl-weak-kernel-setting" => weak::weak_setting;
};
