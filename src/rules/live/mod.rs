//! Live-only rules (LIVE001–LIVE010): what only a running host shows — sockets, processes,
//! certificate expiry, backup ages, fail2ban and firewall state, pending security updates.
//! They read the host-state documents a snapshot produces ([`crate::formats::host`]).

pub mod backups;
pub mod certificates;
pub mod fail2ban;
pub mod firewall;
pub mod listeners;
pub mod processes;
pub mod updates;

/// The moment a time-based rule judges against: the snapshot's, or now for a file read
/// outside a snapshot (seconds since the epoch).
fn judged_at(snapshot_time: Option<i64>) -> i64 {
    snapshot_time.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    })
}
