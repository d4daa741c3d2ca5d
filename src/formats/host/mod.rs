//! Parsers for what the snapshot collects that is not a configuration file: command
//! output (`ss`, `ps`, `nft`, `fail2ban-client`, `apt list`, `apt-config`, `stat`, `df`), certificates and backup
//! listings. They know nothing of rules; each is a format of its own, registered like the
//! configuration formats.

pub mod apt;
pub mod apt_periodic;
pub mod backups;
pub mod certificate;
pub mod df;
pub mod fail2ban;
pub mod modes;
pub mod nft;
pub mod ps;
pub mod ss;
