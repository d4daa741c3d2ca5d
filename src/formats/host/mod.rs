//! Parsers for what the snapshot collects that is not a configuration file: command
//! output (`ss`, `ps`, `nft`, `fail2ban-client`, `apt list`), certificates and backup
//! listings. They know nothing of rules; [`HostOutput`] is the document content the live
//! rules read.

pub mod apt;
pub mod backups;
pub mod certificate;
pub mod fail2ban;
pub mod nft;
pub mod ps;
pub mod ss;

use crate::formats::sensitive::{command_sensitive, Sensitive};
use crate::formats::Target;
use crate::formats::{Format, ParseContext, ParseError};
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// A parsed piece of host state, one variant per live [`Target`].
#[derive(Debug, Clone)]
pub enum HostOutput {
    /// Listening sockets.
    Listeners(ss::Listeners),
    /// Running processes.
    Processes(ps::Processes),
    /// A PEM certificate file.
    Certificate(certificate::CertificateFile),
    /// Backup directories and their newest files.
    Backups(backups::BackupListing),
    /// fail2ban's status.
    Fail2ban(fail2ban::Fail2banStatus),
    /// nftables' input chains.
    Nftables(nft::NftRuleset),
    /// Pending package upgrades.
    Updates(apt::PendingUpgrades),
}

impl HostOutput {
    /// Parses `text` as `target`; `None` for targets that are not host state.
    pub fn parse(target: Target, text: &str) -> Option<Self> {
        Some(match target {
            Target::Listeners => Self::Listeners(ss::Listeners::parse(text)),
            Target::Processes => Self::Processes(ps::Processes::parse(text)),
            Target::Certificate => Self::Certificate(certificate::CertificateFile::parse(text)),
            Target::BackupListing => Self::Backups(backups::BackupListing::parse(text)),
            Target::Fail2banStatus => Self::Fail2ban(fail2ban::Fail2banStatus::parse(text)),
            Target::Nftables => Self::Nftables(nft::NftRuleset::parse(text)),
            Target::SecurityUpdates => Self::Updates(apt::PendingUpgrades::parse(text)),
            _ => return None,
        })
    }

    /// Blocks that could not be decoded (only certificates have any).
    pub fn errors(&self) -> &[crate::formats::ParseError] {
        match self {
            Self::Certificate(file) => &file.errors,
            _ => &[],
        }
    }

    /// Sets the moment time-based rules judge against (seconds since the epoch): a
    /// snapshot's `collected_at`, so a saved snapshot re-checked later gives the same answer.
    pub fn judge_at(&mut self, at: i64) {
        match self {
            Self::Certificate(file) => file.judged_at = Some(at),
            Self::Backups(listing) => listing.judged_at = Some(at),
            _ => {}
        }
    }
}

impl Format for HostOutput {
    /// Host state only comes from a snapshot, which says what each file is.
    fn parse(source: &Arc<SourceFile>, context: &ParseContext) -> Self {
        let mut output = Self::parse(context.target, &source.text).expect("a host-state target");
        if let Some(at) = context.judged_at {
            output.judge_at(at);
        }
        output
    }

    fn errors(&self) -> &[ParseError] {
        self.errors()
    }

    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        host_output_sensitive(self, source)
    }
}

/// In host state from a live snapshot: secrets on process command lines (as in crontabs)
/// and private-key blocks in certificate files. Other command output holds addresses,
/// names and times, not credentials.
fn host_output_sensitive(output: &HostOutput, source: &SourceFile) -> Vec<Sensitive> {
    match output {
        HostOutput::Processes(list) => list
            .processes
            .iter()
            .flat_map(|p| {
                let base = p.args_span.start;
                command_sensitive(&p.args, &|from, to| Span::new(base + from, base + to))
            })
            .collect(),
        HostOutput::Certificate(file) => file
            .private_keys
            .iter()
            .map(|&span| Sensitive {
                span,
                value: source.slice(span).to_owned(),
            })
            .collect(),
        _ => Vec::new(),
    }
}
