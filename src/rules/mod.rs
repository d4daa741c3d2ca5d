//! Rule logic. Declarative rules are evaluated from their policy data; rules whose logic
//! data cannot express are built-in checks, one small module per rule or group, listed by
//! name in their family's sorted `RULES` table. Checks read a typed [`Context`] and report
//! through it; they know nothing of output. See CONTRIBUTING.md for adding a rule.

mod context;
mod registry;

pub use crate::document::FromDocument;
pub(crate) use context::ByIdentity;
pub use context::{
    Context, Emitter, FactsContext, Parsed, ProjectContext, ProjectMemo, RawFinding, RawMark,
    Related, Reporter, ScanFacts, Unseen,
};
pub(crate) use registry::checks;
pub use registry::{
    bind, resolve, AnyFacts, BoundRule, Check, DocumentCheck, ProjectCheck, RegisteredCheck,
};

pub mod core;

pub mod backup;
pub mod cron;
pub mod django;
pub mod env;
pub mod nginx;
pub mod sshd;
pub mod systemd;

pub mod accounts;
pub mod fail2ban;
pub mod firewall;
pub mod logrotate;
pub mod postgres;
pub mod redis;
pub mod sysctl;

pub mod dockerfile;
pub mod node;

pub mod compose;
pub mod kubernetes;
pub mod live;

#[cfg(test)]
mod canaries;

/// Every family's table of built-in checks.
pub(crate) const FAMILIES: &[&[RegisteredCheck]] = &[
    accounts::RULES,
    core::RULES,
    backup::RULES,
    compose::RULES,
    cron::RULES,
    django::RULES,
    dockerfile::RULES,
    env::RULES,
    fail2ban::RULES,
    firewall::RULES,
    kubernetes::RULES,
    live::RULES,
    logrotate::RULES,
    nginx::RULES,
    node::RULES,
    postgres::RULES,
    redis::RULES,
    sshd::RULES,
    sysctl::RULES,
    systemd::RULES,
];
