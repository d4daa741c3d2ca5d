//! Live host audits: a host is one more *source* of documents. A [`transport::Transport`]
//! runs a fixed allowlist of read-only commands on the host (over SSH, or on this machine
//! for `preflight audit local`), the collected snapshot becomes documents, and the same
//! analyzers and rules as a static scan judge them.

pub mod audit;
pub mod fleet;
pub mod known_hosts;
pub mod save;
pub mod snapshot;
pub mod ssh;
pub mod ssh_config;
pub mod target;
pub mod transport;
