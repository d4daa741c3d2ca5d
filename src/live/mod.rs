//! Live host audits: a host is one more *source* of documents. A [`transport::Transport`]
//! runs a fixed allowlist of read-only commands on the host (over SSH, or on this machine
//! for `preflight audit local`), the collected snapshot becomes documents, and the same
//! analyzers and rules as a static scan judge them.
//!
//! Without the `live` feature only what a saved snapshot needs is built (the snapshot, its
//! files on disk and judging it, for `preflight check --snapshot DIR`): the SSH client, its
//! configuration and known_hosts, host targets and the fleet runner are left out, and with
//! them russh, tokio, indicatif and rpassword.

pub mod audit;
pub mod deployed;
#[cfg(feature = "live")]
pub mod fleet;
#[cfg(feature = "live")]
pub mod known_hosts;
pub mod save;
pub mod script;
pub mod snapshot;
#[cfg(feature = "live")]
pub mod ssh;
#[cfg(feature = "live")]
pub mod ssh_config;
#[cfg(feature = "live")]
pub mod target;
pub mod transport;
