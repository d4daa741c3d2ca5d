//! Live-only rules (LIVE001–LIVE017): what only a running host shows — sockets, processes,
//! certificate expiry, backup ages, fail2ban and firewall state, pending security updates,
//! who may read the files holding secrets, and the daemons a host needs (time
//! synchronisation, cron, auditd, automatic updates) the disk space they write to, and host files that drifted from the repository.
//! They read the host-state documents a snapshot produces ([`crate::formats::host`]).

use crate::formats::host::ps::{Processes, Visibility};
use crate::rules::{checks, Context, RegisteredCheck};
pub mod auditd;
pub mod auto_updates;
pub mod backups;
pub mod certificates;
pub mod cron_daemon;
pub mod disk;
pub mod drift;
pub mod fail2ban;
pub mod firewall;
pub mod listeners;
pub mod modes;
pub mod processes;
pub mod time_sync;
pub mod updates;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "live-app-process-root" => processes::app_as_root;
    document "live-auditd-not-running" => auditd::not_running;
    document "live-automatic-updates-disabled" => auto_updates::disabled;
    document "live-backup-stale" => backups::stale;
    document "live-certificate-expired" => certificates::expired;
    document "live-certificate-expiring" => certificates::expiring;
    project "live-cron-not-running" => cron_daemon::not_running;
    document "live-dev-server-running" => processes::dev_server;
    document "live-disk-nearly-full" => disk::nearly_full;
    document "live-fail2ban-inactive" => fail2ban::inactive;
    document "live-file-drift" => drift::differs;
    project "live-firewall-inactive" => firewall::inactive;
    document "live-public-admin-port" => listeners::admin_port;
    document "live-public-database-port" => listeners::database_port;
    document "live-secret-file-readable" => modes::world_readable;
    document "live-security-updates" => updates::pending;
    document "live-time-sync-inactive" => time_sync::inactive;
};

/// The moment a time-based rule judges against: the snapshot's, or now for a file read
/// outside a snapshot (seconds since the epoch).
fn judged_at(snapshot_time: Option<i64>) -> i64 {
    snapshot_time.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    })
}

/// A daemon a whole machine needs, judged from its process list (LIVE012, LIVE014).
struct NeededDaemon {
    /// Program names any one of which does the job.
    names: &'static [&'static str],
    /// Why it is not evaluated when other users' processes are hidden (no PID 1).
    unseen: &'static str,
    /// Why it is not evaluated on a container's process list.
    in_container: &'static str,
    /// The finding's fingerprint key and message (what is wrong and what to do).
    key: &'static str,
    message: &'static str,
}

/// Reports `daemon` missing, once, at PID 1 (the init system that should start it), when
/// the process list shows the whole machine; not evaluated when it cannot.
fn report_missing(cx: &mut Context<'_, Processes>, daemon: &NeededDaemon) {
    let processes = cx.content;
    match processes.visibility() {
        Visibility::Partial => {
            cx.not_evaluated(daemon.unseen);
            return;
        }
        Visibility::Container => {
            cx.not_evaluated(daemon.in_container);
            return;
        }
        Visibility::Machine => {}
    }
    if processes.running(daemon.names).is_some() {
        return;
    }
    if let Some(init) = processes.processes.iter().find(|p| p.pid == 1) {
        cx.report(init.span, daemon.key, daemon.message);
    }
}
