//! The host snapshot: what a fixed allowlist of read-only commands and files shows about
//! one host, collected through a [`Transport`] so SSH and `audit local` run the very same
//! command lines.
//!
//! # The allowlist ([`ALLOWLIST_VERSION`] 7)
//!
//! Every command runs under `sh -c` with `/usr/sbin:/sbin` added to `PATH`; `--sudo` wraps
//! it in `sudo -n sh -c '…'` (never a password prompt). The commands of a round go to the
//! host as one script ([`crate::live::script`]): a host is a few execs, not one per command.
//! Command output is kept under [`OUTPUT_DIR`] (`/.preflight/`); files keep their paths.
//!
//! | What | Command | Kept as |
//! |------|---------|---------|
//! | effective sshd settings | `sshd -T` | `/.preflight/sshd-T.txt` |
//! | effective nginx configuration | `nginx -T` | each file at its path (split at `# configuration file PATH:`) |
//! | listening TCP sockets | `ss -tlnpH` (else `ss -tlnH`, else `netstat -tlnp`) | `/.preflight/ss-tlnpH.txt` |
//! | processes | `ps -ww -eo user:32=,pid=,args=` | `/.preflight/ps.txt` |
//! | firewall | `ufw status verbose`, `nft list ruleset`, `iptables-save` | `/.preflight/ufw-status-verbose.txt`, `nft-ruleset.txt`, `iptables-save.txt` |
//! | fail2ban | `fail2ban-client status; fail2ban-client status sshd` | `/.preflight/fail2ban-status.txt` |
//! | timers | `systemctl list-timers --all --no-pager` | `/.preflight/systemctl-list-timers.txt` |
//! | security updates | `apt list --upgradable` | `/.preflight/apt-upgradable.txt` |
//! | automatic updates | `apt-config dump` (`APT::Periodic::` lines), `dpkg-query -W unattended-upgrades` | `/.preflight/apt-periodic.txt` |
//! | disk use | `df -P -k`, and which data folders exist (`/var/lib/postgresql`, `/var/lib/docker`, `/var/backups`, …) | `/.preflight/df.txt` |
//! | kernel parameters | `sysctl -e KEY…` (the keys SYSCTL001 judges) | `/.preflight/sysctl.txt` |
//! | accounts | `awk` over `/etc/shadow` printing it with every hash replaced by `REDACTED` ([`SHADOW`]) | `/etc/shadow` |
//! | modes of secret files | `stat -c '%a %U %G %n'` on the env files read and nginx's `ssl_certificate_key` files | `/.preflight/file-modes.txt` |
//! | backup ages | `find DIR -type f -printf '%T@ %p\n'` per `--backup-dir`, and per folder a crontab's database dump writes into (`pg_dump … > /var/backups/shop/…`; names and times only) | `/.preflight/backups.txt` |
//! | file lists | `find` on the roots below that exist (names only) | — |
//! | files | `head -c LIMIT FILE` | the file's path |
//!
//! Files read, at their paths, each as the kind discovery gives the same path (so a static
//! scan and the live audit run the same rules on it); a listed file discovery names
//! otherwise is not read:
//!
//! | Roots | Files | Kind |
//! |-------|-------|------|
//! | `/etc/crontab`, `/etc/cron.d`, `/var/spool/cron/crontabs` (needs root) | every crontab | cron |
//! | `/etc/systemd/system` (two levels) | `*.service`, `*.timer`, `*.socket`, drop-ins `*.d/*.conf` | systemd |
//! | `/etc/redis.conf`, `/etc/redis` (RHEL, Debian) | `redis*.conf` | redis |
//! | `/etc/postgresql` (Debian: `VERSION/CLUSTER/`) | `postgresql.conf`, `pg_hba.conf`, `conf.d/*.conf` | postgres, pg-hba |
//! | `/var/lib/postgresql` (Debian data folders, needs root) | `VERSION/CLUSTER/postgresql.auto.conf` | postgres |
//! | `/var/lib/pgsql` (RHEL: `data/`, `VERSION/data/`; needs root) | `postgresql.conf`, `postgresql.auto.conf`, `pg_hba.conf`, `conf.d/*.conf` | postgres, pg-hba |
//! | `/etc/fail2ban/jail.conf`, `/etc/fail2ban/jail.local`, `/etc/fail2ban/jail.d` | `jail.conf`, `jail.local`, `jail.d/*.conf`, `jail.d/*.local` | fail2ban |
//! | `/etc/logrotate.conf`, `/etc/logrotate.d` | `logrotate.conf`, every snippet | logrotate |
//! | `/etc/passwd` | the account database (world-readable; no hashes on current systems) | passwd |
//!
//! Besides those: `fullchain.pem` under `/etc/letsencrypt/live/*/`, every `ssl_certificate`
//! nginx names, `--cert-path` files, and in each `--app-dir` (three levels, no
//! `node_modules`/`.git`/virtualenvs) the files preflight knows by name: `.env*`/`*.env`,
//! `*settings*.py`/`settings/*.py`, `package.json`, `ecosystem.config.*`, Compose files. The
//! applications the host runs are found without `--app-dir` too, and listed the same way
//! (not `/`, `/root`, `/usr/…`, `/etc/…`, `/var/lib/…` and other system folders; at most 16
//! folders and 16 env files): each `WorkingDirectory=` of a service unit in
//! `/etc/systemd/system` (each `EnvironmentFile=` is read as an env file), the Compose project
//! folder of each running container (`docker ps`), each app folder PM2 restores (`pm_cwd`
//! of `dump.pm2`, extracted on the host) and each folder nginx serves (`root`, or its parent
//! when it is the app's `public`/`dist`/… part).
//!
//! A command that is missing (exit 127), refused (permission, sudo without a password
//! rule) or that times out becomes an [`UnableToCheck`] note; the host is still audited,
//! unless nothing at all was collected ([`HostSnapshot::nothing_collected`]). With `--sudo`,
//! `sudo -n true` runs first: when it fails, nothing else is asked.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::formats::sensitive::command_sensitive;
use crate::formats::Target;
use crate::live::transport::{ExecError, ExecOutput, Transport};
use crate::redact;
use crate::source::Span;

/// Bumped whenever the allowlist changes what is collected; written into manifests.
pub const ALLOWLIST_VERSION: u32 = 7;

/// `/etc/shadow` with each password field that is neither empty nor `x` replaced by
/// `REDACTED` (after the `!` or `*` of a lock, which is kept): the hashes never leave the
/// host. Needs root (`--sudo`); a login user cannot read shadow, which is a note.
pub const SHADOW: &str = "awk -F: 'BEGIN { OFS = \":\" } { if ($2 != \"\" && $2 != \"x\") { lock = substr($2, 1, 1); $2 = ((lock == \"!\" || lock == \"*\") ? lock : \"\") \"REDACTED\" } print }' /etc/shadow";

/// Where command output lives in a snapshot (a directory no host has).
pub const OUTPUT_DIR: &str = "/.preflight";

/// Largest file or command output kept, in bytes.
pub const SIZE_LIMIT: usize = 4 * 1024 * 1024;

// The transports keep one byte more than a file may have, so "over the limit" is seen.
const _: () = assert!(crate::live::transport::STDOUT_CAP > SIZE_LIMIT);

/// How the snapshot is collected.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Run every command through `sudo -n`.
    pub sudo: bool,
    /// The longest one command may take.
    pub command_timeout: Duration,
    /// The longest the whole collection may take (a fleet's bound per host): each command
    /// gets at most what is left, and commands after the limit become notes.
    pub host_timeout: Option<Duration>,
    /// Application directories whose `.env` files and settings are read.
    pub app_dirs: Vec<PathBuf>,
    /// Certificate files to check besides Let's Encrypt's and nginx's.
    pub cert_paths: Vec<PathBuf>,
    /// Backup directories whose newest file's age is checked.
    pub backup_dirs: Vec<PathBuf>,
    /// The oldest the newest backup may be.
    pub backup_max_age: Duration,
}

impl Default for CollectOptions {
    fn default() -> Self {
        Self {
            sudo: false,
            command_timeout: Duration::from_secs(30),
            host_timeout: None,
            app_dirs: Vec::new(),
            cert_paths: Vec::new(),
            backup_dirs: Vec::new(),
            backup_max_age: DEFAULT_BACKUP_MAX_AGE,
        }
    }
}

/// 26 hours: a daily backup, with two hours of slack.
pub const DEFAULT_BACKUP_MAX_AGE: Duration = Duration::from_secs(26 * 3600);

/// Something the snapshot could not look at, and why. Reported as a note, not a failure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnableToCheck {
    /// The command or file (`nft list ruleset`, `/var/spool/cron/crontabs`).
    pub what: String,
    /// Why (`not installed`, `permission denied: run with --sudo`, `timed out after 30 s`).
    pub why: String,
    /// The kinds of file it would have given. Rules that judge what is absent (no backup
    /// job among the crontabs) say nothing about kinds the host did not show.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hides: Vec<Target>,
}

impl UnableToCheck {
    /// Whether this leaves part of the host unseen: a collection of files preflight judges
    /// that failed for any reason but a program that is not installed (then there is
    /// nothing of it to check). Output kept only for the record hides nothing.
    pub fn is_blind_spot(&self) -> bool {
        !self.hides.is_empty() && !self.why.starts_with("not installed")
    }
}

/// One collected file or command output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFile {
    /// Its path on the host; command output lives under [`OUTPUT_DIR`].
    pub path: PathBuf,
    /// How it is read; [`Target::Any`] for output kept for the record and not judged
    /// (`systemctl list-timers`).
    pub target: Target,
    /// The bytes, as collected (secrets included: redacted only when saved).
    pub bytes: Vec<u8>,
}

#[cfg(test)]
impl SnapshotFile {
    /// A collected text file, for tests.
    pub(crate) fn text(path: &str, target: Target, text: &str) -> Self {
        Self {
            path: PathBuf::from(path),
            target,
            bytes: text.as_bytes().to_vec(),
        }
    }
}

/// Everything collected from one host.
#[derive(Debug, Clone)]
pub struct HostSnapshot {
    /// The host's label (`prod-1`, this machine's name).
    pub host: String,
    /// When collection started; time-based rules judge against it.
    pub collected_at: SystemTime,
    /// Files and command outputs.
    pub files: Vec<SnapshotFile>,
    /// What could not be checked.
    pub unable: Vec<UnableToCheck>,
}

impl HostSnapshot {
    /// Why nothing at all was collected, when nothing was: such a host was not audited,
    /// and must not pass as clean.
    pub fn nothing_collected(&self) -> Option<String> {
        if !self.files.is_empty() {
            return None;
        }
        Some(match self.unable.first() {
            Some(first) if self.unable.len() == 1 => format!("{}: {}", first.what, first.why),
            Some(first) => format!(
                "every collection failed; the first, {}: {}",
                first.what, first.why
            ),
            None => "no command produced output".to_owned(),
        })
    }

    /// What could not be seen (see [`UnableToCheck::is_blind_spot`]): a host with any is
    /// only partly audited.
    pub fn blind_spots(&self) -> impl Iterator<Item = &UnableToCheck> {
        self.unable.iter().filter(|u| u.is_blind_spot())
    }

    /// `collected_at` in whole seconds since the epoch.
    pub fn collected_at_secs(&self) -> i64 {
        self.collected_at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}

/// A command of the allowlist whose output is kept as one snapshot file.
struct Probe {
    /// The command line.
    command: &'static str,
    /// How notes name it.
    label: &'static str,
    /// The file name under [`OUTPUT_DIR`].
    name: &'static str,
    /// How the output is read.
    target: Target,
}

impl Probe {
    /// The request that runs it.
    fn request(&self) -> Request {
        Request::command(self.command, self.label, &[self.target])
    }

    /// Its output as the snapshot keeps it, when it ran.
    fn kept(&self, out: Option<ExecOutput>) -> Option<SnapshotFile> {
        out.map(|out| output(self.name, self.target, out.stdout))
    }
}

/// Commands whose output is kept whole. (nginx, certificates, host files, app files and
/// backups are collected by the steps in [`collect`].)
const PROBES: &[Probe] = &[
    Probe {
        command: "sshd -T",
        label: "sshd -T",
        name: "sshd-T.txt",
        target: Target::Sshd,
    },
    Probe {
        command: "ss -tlnpH 2>/dev/null || ss -tlnH 2>/dev/null || netstat -tlnp",
        label: "ss -tlnpH",
        name: "ss-tlnpH.txt",
        target: Target::Listeners,
    },
    Probe {
        command: "ps -ww -eo user:32=,pid=,args=",
        label: "ps",
        name: "ps.txt",
        target: Target::Processes,
    },
    Probe {
        command: "ufw status verbose",
        label: "ufw status verbose",
        name: "ufw-status-verbose.txt",
        target: Target::Firewall,
    },
    Probe {
        command: "nft list ruleset",
        label: "nft list ruleset",
        name: "nft-ruleset.txt",
        target: Target::Nftables,
    },
    Probe {
        command: "iptables-save",
        label: "iptables-save",
        name: "iptables-save.txt",
        target: Target::Firewall,
    },
    Probe {
        command: "if command -v fail2ban-client >/dev/null 2>&1; then fail2ban-client status 2>&1; fail2ban-client status sshd 2>&1; true; else echo 'fail2ban-client: not installed'; fi",
        label: "fail2ban-client status",
        name: "fail2ban-status.txt",
        target: Target::Fail2banStatus,
    },
    // How full each filesystem is (POSIX format: GNU and busybox print it alike).
    Probe {
        command: DISK_USAGE,
        label: "df -P -k",
        name: "df.txt",
        target: Target::DiskUsage,
    },
    // Automatic updates: apt's merged `APT::Periodic` settings and the package's state.
    Probe {
        command: AUTO_UPDATES,
        label: "apt-config dump (APT::Periodic)",
        name: "apt-periodic.txt",
        target: Target::AutomaticUpdates,
    },
];

/// Commands that take long enough to run beside the rest, on a channel of their own: apt
/// reads every package list (half a second on a small host).
const SLOW_PROBES: &[Probe] = &[Probe {
    command: "LC_ALL=C apt list --upgradable 2>/dev/null",
    label: "apt list --upgradable",
    name: "apt-upgradable.txt",
    target: Target::SecurityUpdates,
}];

/// Filesystems and which of [`crate::formats::host::df::DATA_DIRS`] the host has (see
/// [`crate::formats::host::df`]).
const DISK_USAGE: &str = "df -P -k; for d in /var/lib/postgresql /var/lib/pgsql /var/lib/mysql /var/lib/redis /var/lib/mongodb /var/lib/docker /var/backups /backup /backups /srv/backups; do if [ -d \"$d\" ]; then echo \"# data $d\"; fi; done";

/// What apt's daily job will do (`apt-config dump`, filtered to `APT::Periodic::`) and
/// whether `unattended-upgrades` is installed; a host without apt says so in one line
/// (see [`crate::formats::host::apt_periodic`]).
const AUTO_UPDATES: &str = "if command -v apt-config >/dev/null 2>&1; then apt-config dump 2>/dev/null | grep '^APT::Periodic::'; dpkg-query -W -f='${Package} ${db:Status-Abbrev}\\n' unattended-upgrades 2>/dev/null || echo 'unattended-upgrades not-installed'; true; else echo 'apt-config: not installed'; fi";

/// `systemctl list-timers` output is kept for the record (no rule reads it yet).
const TIMERS: (&str, &str) = (
    "systemctl list-timers --all --no-pager",
    "systemctl-list-timers.txt",
);

/// Host files found by `find` (names only) under fixed roots, then read one by one with
/// `head -c`.
struct Listing {
    /// How notes name it: the folder searched.
    what: &'static str,
    /// Files or folders to search; one that does not exist is passed over without a note,
    /// one that cannot be read is a note.
    roots: &'static [&'static str],
    /// What `find` is told after each root: depth and name tests (names are printed).
    find: &'static str,
    /// The kinds kept: a listed file is read only when discovery gives its path one of
    /// them. It is then judged as that kind, so by the rules a static scan runs on the same
    /// path; and a neighbour of another syntax (`/etc/redis/sentinel.conf`, which discovery
    /// would only read as nginx, by content) is never read, nor saved with secrets no
    /// redaction knows.
    kinds: &'static [Target],
}

impl Listing {
    /// The command line: `find` on each root that exists.
    fn command(&self) -> String {
        let roots: Vec<String> = self.roots.iter().map(|r| quote(r)).collect();
        format!(
            "for p in {}; do if [ -e \"$p\" ]; then find \"$p\" {}; fi; done",
            roots.join(" "),
            self.find
        )
    }
}

/// The host files of the allowlist besides `/etc/crontab`, certificates and `--app-dir`s, at
/// the paths Debian, Ubuntu and RHEL install them.
const LISTINGS: &[Listing] = &[
    Listing {
        what: "/etc/cron.d",
        roots: &["/etc/cron.d"],
        find: "-maxdepth 1 -type f",
        kinds: &[Target::Cron],
    },
    Listing {
        what: "/var/spool/cron/crontabs",
        roots: &["/var/spool/cron/crontabs"],
        find: "-maxdepth 1 -type f",
        kinds: &[Target::Cron],
    },
    Listing {
        what: "/etc/systemd/system",
        roots: &["/etc/systemd/system"],
        find: "-maxdepth 2 -type f \\( -name '*.service' -o -name '*.timer' -o -name '*.socket' -o -path '*.d/*.conf' \\)",
        kinds: &[Target::Systemd],
    },
    // RHEL 7/8 keep `/etc/redis.conf`; Debian, Ubuntu and RHEL 9 `/etc/redis/redis.conf`
    // (and one `redis-NAME.conf` per extra instance).
    Listing {
        what: "/etc/redis",
        roots: &["/etc/redis.conf", "/etc/redis"],
        find: "-maxdepth 1 -type f -name '*.conf'",
        kinds: &[Target::Redis],
    },
    // Debian and Ubuntu: one `/etc/postgresql/VERSION/CLUSTER/` per cluster.
    Listing {
        what: "/etc/postgresql",
        roots: &["/etc/postgresql"],
        find: "-mindepth 3 -maxdepth 4 -type f \\( -name postgresql.conf -o -name pg_hba.conf -o -path '*/conf.d/*.conf' \\)",
        kinds: &[Target::Postgres, Target::PgHba],
    },
    // Debian's data folders hold what `ALTER SYSTEM` sets, which overrides the above.
    Listing {
        what: "/var/lib/postgresql",
        roots: &["/var/lib/postgresql"],
        find: "-mindepth 3 -maxdepth 3 -type f -name postgresql.auto.conf",
        kinds: &[Target::Postgres],
    },
    // RHEL keeps the configuration in the data folder (`data/`, or `VERSION/data/` from the
    // PostgreSQL packages); the data itself is pruned, never walked.
    Listing {
        what: "/var/lib/pgsql",
        roots: &["/var/lib/pgsql"],
        find: "-maxdepth 4 \\( -type d -path '*/data/*' ! -name conf.d -prune \\) -o -type f \\( -name postgresql.conf -o -name postgresql.auto.conf -o -name pg_hba.conf -o -path '*/data/conf.d/*.conf' \\) -print",
        kinds: &[Target::Postgres, Target::PgHba],
    },
    Listing {
        what: "/etc/fail2ban",
        roots: &[
            "/etc/fail2ban/jail.conf",
            "/etc/fail2ban/jail.local",
            "/etc/fail2ban/jail.d",
        ],
        find: "-maxdepth 1 -type f \\( -name '*.conf' -o -name '*.local' \\)",
        kinds: &[Target::Fail2ban],
    },
    Listing {
        what: "/etc/logrotate.d",
        roots: &["/etc/logrotate.conf", "/etc/logrotate.d"],
        find: "-maxdepth 1 -type f",
        kinds: &[Target::Logrotate],
    },
];

/// Most files whose modes are asked for in one `stat`.
const MAX_STAT: usize = 64;

/// What an `--app-dir` listing gives: the files preflight knows by name there.
const APP_KINDS: &[Target] = &[
    Target::Env,
    Target::Django,
    Target::NodePackage,
    Target::NodeApp,
    Target::Compose,
];

/// The file name (under [`OUTPUT_DIR`]) of the backup listing.
const BACKUPS_NAME: &str = "backups.txt";

/// Collects the snapshot of the host behind `transport`. Never fails: what cannot be read
/// becomes an [`UnableToCheck`] note.
///
/// The commands go in rounds, each round one script ([`Transport::exec_each`]): what needs
/// no earlier answer (commands, listings), then the files those name, then the application
/// folders the service units name and their files. The slow probes run beside them.
pub fn collect(transport: &dyn Transport, options: &CollectOptions) -> HostSnapshot {
    let started = std::time::Instant::now();
    let deadline = options.host_timeout.map(|limit| started + limit);
    let runner = || Runner {
        transport,
        options,
        deadline,
        unable: Vec::new(),
    };
    let collected_at = SystemTime::now();
    let mut run = runner();
    if options.sudo {
        if let Err(why) = run.sudo_works() {
            // Every command would fail the same way, each note blaming its own command.
            return HostSnapshot {
                host: transport.host_label().to_owned(),
                collected_at,
                files: Vec::new(),
                unable: vec![UnableToCheck {
                    what: "sudo -n true".into(),
                    why,
                    hides: Vec::new(),
                }],
            };
        }
    }
    let (mut files, unable) = std::thread::scope(|scope| {
        let slow = scope.spawn(|| {
            let mut run = runner();
            let files = run_probes(&mut run, SLOW_PROBES);
            (files, run.unable)
        });
        let mut files = collect_in_rounds(&mut run);
        let (slow_files, slow_unable) = slow.join().expect("the slow probes do not panic");
        files.extend(slow_files);
        run.unable.extend(slow_unable);
        (files, run.unable)
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    HostSnapshot {
        host: transport.host_label().to_owned(),
        collected_at,
        files,
        unable,
    }
}

/// A command's output kept under [`OUTPUT_DIR`] as `name`.
fn output(name: &str, target: Target, bytes: Vec<u8>) -> SnapshotFile {
    SnapshotFile {
        path: Path::new(OUTPUT_DIR).join(name),
        target,
        bytes,
    }
}

/// Runs `probes` in one round; their outputs.
fn run_probes(run: &mut Runner, probes: &[Probe]) -> Vec<SnapshotFile> {
    let mut round = Round::default();
    for probe in probes {
        round.add(probe.request());
    }
    let outputs = run.round(round);
    probes
        .iter()
        .zip(outputs)
        .filter_map(|(probe, out)| probe.kept(out))
        .collect()
}

/// Everything but the slow probes.
fn collect_in_rounds(run: &mut Runner) -> Vec<SnapshotFile> {
    let options = run.options;
    // Round 1: what needs no earlier answer.
    let mut first = Round::default();
    for probe in PROBES {
        first.add(probe.request());
    }
    // Kernel parameters: only the keys SYSCTL001 judges (`-e`: a key this kernel lacks,
    // such as Yama's without Yama, is skipped).
    let keys: Vec<&str> = crate::rules::sysctl::weak::EXPECTED
        .iter()
        .map(|e| e.key)
        .collect();
    let sysctl = first.add(Request::command(
        format!("sysctl -e {}", keys.join(" ")),
        "sysctl",
        &[Target::Sysctl],
    ));
    // Shadow with every hash replaced on the host: only whether a field is empty or locked
    // leaves it (ACCT002 needs no more), so no hash is ever sent, saved or shown.
    let shadow = first.add(Request::command(SHADOW, "/etc/shadow", &[Target::Shadow]));
    let timers = first.add(Request::command(TIMERS.0, TIMERS.0, &[]));
    // Its error output is the reason when it fails (a permission, a missing include).
    let nginx = first.add(Request::command(
        "nginx -T",
        "nginx -T",
        &[Target::Nginx, Target::Certificate],
    ));
    let listings: Vec<usize> = LISTINGS
        .iter()
        .map(|listing| {
            first.add(Request::command(
                listing.command(),
                listing.what,
                listing.kinds,
            ))
        })
        .collect();
    let app_listings: Vec<usize> = options
        .app_dirs
        .iter()
        .map(|dir| {
            first.add(Request::command(
                app_listing(dir),
                dir.to_string_lossy(),
                APP_KINDS,
            ))
        })
        .collect();
    let letsencrypt = first.add(Request::command(
        "if [ -d /etc/letsencrypt/live ]; then find /etc/letsencrypt/live -mindepth 2 -maxdepth 2 -name fullchain.pem; fi",
        "/etc/letsencrypt/live",
        &[Target::Certificate],
    ));
    let docker = first.add(Request::command(DOCKER_PROJECTS, "docker ps", APP_KINDS));
    let pm2 = first.add(Request::command(PM2_APPS, "PM2 dump files", APP_KINDS));
    let backups = (!options.backup_dirs.is_empty()).then(|| {
        let given: Vec<(PathBuf, Duration)> = options
            .backup_dirs
            .iter()
            .map(|dir| (dir.clone(), options.backup_max_age))
            .collect();
        first.add(Request::command(
            backup_listing_command(&given, false),
            "backup directories",
            &[Target::BackupListing],
        ))
    });
    let mut out = run.round(first);

    let mut files: Vec<SnapshotFile> = PROBES
        .iter()
        .zip(out.iter_mut())
        .filter_map(|(probe, o)| probe.kept(o.take()))
        .collect();
    if let Some(o) = out[sysctl].take() {
        files.push(output("sysctl.txt", Target::Sysctl, o.stdout));
    }
    if let Some(o) = out[shadow].take() {
        files.push(SnapshotFile {
            path: PathBuf::from("/etc/shadow"),
            target: Target::Shadow,
            bytes: o.stdout,
        });
    }
    if let Some(o) = out[timers].take() {
        files.push(output(TIMERS.1, Target::Any, o.stdout));
    }
    let nginx = out[nginx]
        .take()
        .map(|o| split_nginx_dump(&String::from_utf8_lossy(&o.stdout)))
        .unwrap_or_default();
    let mut certificates = paths_in_nginx(&nginx, "ssl_certificate");
    let private_keys = paths_in_nginx(&nginx, "ssl_certificate_key");
    let nginx_roots = paths_in_nginx(&nginx, "root");
    let docker = out[docker].take();
    let pm2 = out[pm2].take();
    files.extend(nginx);
    let mut host_files = vec![PathBuf::from("/etc/crontab"), PathBuf::from("/etc/passwd")];
    for (listing, &i) in LISTINGS.iter().zip(&listings) {
        host_files.extend(listed(out[i].take()).into_iter().filter(|path| {
            crate::document::classify(path).is_some_and(|c| listing.kinds.contains(&c.target))
        }));
    }
    for &i in &app_listings {
        host_files.extend(listed(out[i].take()));
    }
    certificates.extend(listed(out[letsencrypt].take()));
    certificates.extend(options.cert_paths.iter().cloned());
    certificates.sort();
    certificates.dedup();
    if let Some(o) = backups.and_then(|i| out[i].take()) {
        files.push(output(BACKUPS_NAME, Target::BackupListing, o.stdout));
    }

    // Round 2: the files named, the certificates, and who may read the secret files.
    let mut wanted = to_read(host_files, &files);
    wanted.extend(
        certificates
            .into_iter()
            .map(|path| (path, Target::Certificate))
            .filter(|(path, _)| !files.iter().any(|f| &f.path == path)),
    );
    let secret_files: Vec<PathBuf> = wanted
        .iter()
        .filter(|(_, target)| *target == Target::Env)
        .map(|(path, _)| path.clone())
        .chain(private_keys)
        .collect();
    let mut modes_asked = Vec::new();
    read_round(run, wanted, secret_files, &mut modes_asked, &mut files);

    // Rounds 3 and 4: the applications the host itself names, without `--app-dir` (service
    // units, Compose projects, PM2, nginx): their folders and environment files, read like
    // the ones given.
    let mut others = listed(docker);
    others.extend(pm2_folders(pm2));
    others.extend(served_applications(nginx_roots));
    let (dirs, env_files) = applications(&files, &options.app_dirs, others);
    // The folders the host's backup jobs write into, for the age of their newest file.
    let backup_dirs = backup_folders(&files, &options.backup_dirs);
    if dirs.is_empty() && env_files.is_empty() && backup_dirs.is_empty() {
        return files;
    }
    let mut third = Round::default();
    for dir in &dirs {
        third.add(Request::command(
            app_listing(dir),
            dir.to_string_lossy(),
            APP_KINDS,
        ));
    }
    let job_backups = (!backup_dirs.is_empty()).then(|| {
        third.add(Request::command(
            backup_listing_command(&backup_dirs, true),
            "backup folders named by backup jobs",
            &[Target::BackupListing],
        ))
    });
    let mut out = run.round(third);
    if let Some(o) = job_backups.and_then(|i| out[i].take()) {
        add_output(&mut files, BACKUPS_NAME, Target::BackupListing, o.stdout);
    }
    let app_files: Vec<PathBuf> = out.into_iter().flat_map(listed).collect();
    let mut wanted = to_read(app_files, &files);
    for path in env_files {
        if !files.iter().any(|f| f.path == path) && !wanted.iter().any(|(p, _)| *p == path) {
            wanted.push((path, Target::Env));
        }
    }
    let secret_files: Vec<PathBuf> = wanted
        .iter()
        .filter(|(_, target)| *target == Target::Env)
        .map(|(path, _)| path.clone())
        .collect();
    read_round(run, wanted, secret_files, &mut modes_asked, &mut files);
    files
}

/// The paths a listing printed, one per line.
fn listed(out: Option<ExecOutput>) -> Vec<PathBuf> {
    out.map(|out| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(PathBuf::from)
            .collect()
    })
    .unwrap_or_default()
}

/// The listed `paths` discovery gives a kind, each once, that are not among `files` yet.
fn to_read(paths: Vec<PathBuf>, files: &[SnapshotFile]) -> Vec<(PathBuf, Target)> {
    let mut wanted: Vec<(PathBuf, Target)> = Vec::new();
    for path in paths {
        let Some(target) = crate::document::classify(&path).map(|c| c.target) else {
            continue;
        };
        if files.iter().any(|f| f.path == path) || wanted.iter().any(|(p, _)| *p == path) {
            continue;
        }
        wanted.push((path, target));
    }
    wanted
}

/// One round that reads `wanted` and asks the modes of those of `secret_files` that exist
/// and were not asked before (see [`MAX_STAT`]); the modes of several rounds make one file.
fn read_round(
    run: &mut Runner,
    wanted: Vec<(PathBuf, Target)>,
    secret_files: Vec<PathBuf>,
    modes_asked: &mut Vec<PathBuf>,
    files: &mut Vec<SnapshotFile>,
) {
    let mut round = Round::default();
    for (path, target) in &wanted {
        round.add(Request::file(path, *target));
    }
    let mut ask: Vec<PathBuf> = secret_files
        .into_iter()
        .filter(|p| !modes_asked.contains(p))
        .collect();
    ask.sort();
    ask.dedup();
    ask.truncate(MAX_STAT.saturating_sub(modes_asked.len()));
    let modes = (!ask.is_empty()).then(|| {
        let quoted: Vec<String> = ask.iter().map(|p| quote(&p.to_string_lossy())).collect();
        // Only the files that exist: a missing one is no answer about modes.
        let command = format!(
            "set --; for f in {}; do if [ -e \"$f\" ]; then set -- \"$@\" \"$f\"; fi; done; if [ $# -gt 0 ]; then stat -c '%a %U %G %n' -- \"$@\"; fi",
            quoted.join(" ")
        );
        round.add(Request::command(command, "stat (file modes)", &[Target::FileModes]))
    });
    modes_asked.extend(ask);
    let mut out = run.round(round);
    for ((path, target), o) in wanted.into_iter().zip(out.iter_mut()) {
        if let Some(o) = o.take() {
            files.push(SnapshotFile {
                path,
                target,
                bytes: o.stdout,
            });
        }
    }
    let Some(o) = modes.and_then(|i| out[i].take()) else {
        return;
    };
    if o.stdout.is_empty() {
        return;
    }
    add_output(files, "file-modes.txt", Target::FileModes, o.stdout);
}

/// Keeps `stdout` as the output file `name`, after what earlier rounds kept there.
fn add_output(files: &mut Vec<SnapshotFile>, name: &str, target: Target, stdout: Vec<u8>) {
    let path = Path::new(OUTPUT_DIR).join(name);
    match files.iter_mut().find(|f| f.path == path) {
        Some(earlier) => earlier.bytes.extend(stdout),
        None => files.push(output(name, target, stdout)),
    }
}

/// The `find` that lists the files preflight knows by name in an application folder, three
/// levels deep, without dependencies and virtualenvs.
fn app_listing(dir: &Path) -> String {
    format!(
        "find {} -maxdepth 3 \\( -name node_modules -o -name .git -o -name venv -o -name .venv \\) -prune -o -type f \\( -name '.env' -o -name '.env.*' -o -name '*.env' -o -name '*settings*.py' -o -path '*/settings/*.py' -o -name package.json -o -name 'ecosystem.config.*' -o -name 'docker-compose*.yml' -o -name 'docker-compose*.yaml' -o -name 'compose.yml' -o -name 'compose.yaml' \\) -print",
        quote(&dir.to_string_lossy())
    )
}

/// Most application folders and environment files taken from units: a hostile host
/// cannot make the audit list the whole disk.
const MAX_DISCOVERED: usize = 16;

/// Folders no application is discovered in: `WorkingDirectory=/` and the like belong to
/// system services, and listing them would read far and find nothing of an application's.
const NOT_APPLICATION_FOLDERS: &[&str] = &[
    "/", "/root", "/home", "/tmp", "/var", "/var/lib", "/usr", "/etc", "/opt", "/srv", "/run",
];

/// Whether `dir` is a system folder rather than an application's.
fn is_system_folder(dir: &Path) -> bool {
    NOT_APPLICATION_FOLDERS.iter().any(|d| dir == Path::new(d))
        || ["/proc", "/sys", "/dev", "/usr", "/etc", "/var/lib", "/boot"]
            .iter()
            .any(|p| dir.starts_with(p))
        || !dir.is_absolute()
}

/// The application folders and environment files the host itself names, besides the
/// `--app-dir`s already listed: each service unit's `WorkingDirectory=` and
/// `EnvironmentFile=`, then the `others` (Compose projects of running containers, PM2 apps,
/// the folders nginx serves); system folders aside, at most [`MAX_DISCOVERED`] of each.
fn applications(
    files: &[SnapshotFile],
    given: &[PathBuf],
    others: Vec<PathBuf>,
) -> (Vec<PathBuf>, Vec<PathBuf>) {
    use crate::formats::systemd::{UnitFile, UnitKind};
    let (mut dirs, mut env_files) = (Vec::new(), Vec::new());
    let add_dir = |dir: PathBuf, dirs: &mut Vec<PathBuf>| {
        if !is_system_folder(&dir)
            && !given.contains(&dir)
            && !dirs.contains(&dir)
            && dirs.len() < MAX_DISCOVERED
        {
            dirs.push(dir);
        }
    };
    for file in files.iter().filter(|f| f.target == Target::Systemd) {
        let Some(kind @ (UnitKind::Service | UnitKind::DropIn)) = UnitKind::from_path(&file.path)
        else {
            continue;
        };
        let unit = UnitFile::parse(&String::from_utf8_lossy(&file.bytes), kind);
        let (working, environment) = unit.application_paths();
        if let Some(dir) = working.map(PathBuf::from) {
            add_dir(dir, &mut dirs);
        }
        for path in environment.into_iter().map(PathBuf::from) {
            if !env_files.contains(&path) && env_files.len() < MAX_DISCOVERED {
                env_files.push(path);
            }
        }
    }
    for dir in others {
        add_dir(dir, &mut dirs);
    }
    (dirs, env_files)
}

/// The running containers' Compose project folders (`docker compose` labels each container
/// with it; that folder holds the Compose file and its `.env`). Silent without Docker or
/// without its daemon's socket; read-only (`docker ps`).
const DOCKER_PROJECTS: &str = "command -v docker >/dev/null 2>&1 || exit 0; [ -S /var/run/docker.sock ] || exit 0; docker ps --format '{{.Label \"com.docker.compose.project.working_dir\"}}'";

/// The folders of the apps PM2 keeps running: `pm_cwd` in each readable `dump.pm2` (what
/// `pm2 save` writes), only that field, so no app's environment leaves the host.
const PM2_APPS: &str = "for f in '/root/.pm2/dump.pm2' '/home/'*'/.pm2/dump.pm2'; do if [ -r \"$f\" ]; then grep -o '\"pm_cwd\": *\"[^\"]*\"' \"$f\"; fi; done; true";

/// The folders `pm_cwd` lines name (see [`PM2_APPS`]).
fn pm2_folders(out: Option<ExecOutput>) -> Vec<PathBuf> {
    out.map(|out| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| {
                let value = line.split_once(':')?.1.trim().strip_prefix('"')?;
                Some(PathBuf::from(value.strip_suffix('"')?))
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Where the application behind each folder nginx serves lives: the folder itself, or its
/// parent when the folder is the app's public part (`/var/www/shop/public`, `…/dist`).
fn served_applications(roots: Vec<PathBuf>) -> Vec<PathBuf> {
    const PUBLIC: &[&str] = &[
        "public", "dist", "build", "static", "web", "www", "html", "htdocs",
    ];
    roots
        .into_iter()
        .map(|root| {
            let public = root
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| PUBLIC.contains(&n));
            match root.parent() {
                Some(parent) if public && !is_system_folder(parent) => parent.to_path_buf(),
                _ => root,
            }
        })
        .collect()
}

/// The shell that lists each backup directory's newest files: a header per directory (with
/// the allowed age, `job` when a backup job names it, and `missing` when it is not a
/// directory), then `mtime path` lines, newest first, at most five. Names and times only,
/// never contents.
fn backup_listing_command(dirs: &[(PathBuf, Duration)], named_by_job: bool) -> String {
    let marker = if named_by_job { " job" } else { "" };
    let calls: Vec<String> = dirs
        .iter()
        .map(|(dir, max_age)| format!("l {} {}", quote(&dir.to_string_lossy()), max_age.as_secs()))
        .collect();
    format!(
        "l() {{ if [ -d \"$1\" ]; then printf '# backup-dir %s max-age=%s{marker}\\n' \"$1\" \"$2\"; find \"$1\" -type f -printf '%T@ %p\\n' 2>/dev/null | sort -rn | head -n 5; else printf '# backup-dir %s max-age=%s{marker} missing\\n' \"$1\" \"$2\"; fi; }}; {}",
        calls.join("; ")
    )
}

/// Slack on top of a backup job's longest interval between runs before its newest file
/// counts as stale: a dump of a large database takes a while.
const BACKUP_SLACK: Duration = Duration::from_secs(2 * 3600);

/// The folders the host's crontabs' database dumps write into (`pg_dump … > /var/backups/…`,
/// see [`crate::backup::output_folder`]) that `--backup-dir` did not give, each with the age
/// its newest file may reach: the job's longest interval between runs plus
/// [`BACKUP_SLACK`] (the shortest, when several jobs write into one folder). At most
/// [`MAX_DISCOVERED`].
fn backup_folders(files: &[SnapshotFile], given: &[PathBuf]) -> Vec<(PathBuf, Duration)> {
    use crate::formats::crontab::{CronFlavor, Crontab};
    let mut found: Vec<(PathBuf, Duration)> = Vec::new();
    for file in files.iter().filter(|f| f.target == Target::Cron) {
        let flavor = CronFlavor::from_path(&file.path);
        let crontab = Crontab::parse(&String::from_utf8_lossy(&file.bytes), flavor);
        for job in &crontab.jobs {
            let Some(folder) = crate::backup::output_folder(&job.command).map(PathBuf::from) else {
                continue;
            };
            let Some(max_age) = job.longest_interval().map(|gap| gap + BACKUP_SLACK) else {
                continue;
            };
            if given.contains(&folder) {
                continue;
            }
            if let Some((_, age)) = found.iter_mut().find(|(f, _)| *f == folder) {
                *age = (*age).min(max_age);
            } else if found.len() < MAX_DISCOVERED {
                found.push((folder, max_age));
            }
        }
    }
    found
}

/// The exit status the file reader uses for "no such file": nothing to check, no note.
const ABSENT: i32 = 66;

/// Runs allowlisted commands and records what could not be checked.
/// Put before every command line: a login user's `PATH` often lacks the sbin folders where
/// `sshd`, `nginx` and `iptables-save` live.
const WITH_SBIN: &str = "PATH=\"$PATH:/usr/sbin:/sbin\"; ";

struct Runner<'a> {
    transport: &'a dyn Transport,
    options: &'a CollectOptions,
    /// When the host's time is up.
    deadline: Option<std::time::Instant>,
    unable: Vec<UnableToCheck>,
}

impl Runner<'_> {
    /// Whether `sudo -n` runs commands on the host (`--sudo`); why not, in the words the
    /// host used, when it does not.
    fn sudo_works(&self) -> Result<(), String> {
        let line = format!("{WITH_SBIN}sudo -n true");
        let out = self
            .transport
            .exec(&line, self.options.command_timeout)
            .map_err(|e| format!("--sudo was given, but `sudo -n true` could not run: {e}"))?;
        if out.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let said = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let mut said_visible = String::new();
        crate::message::push_visible(&mut said_visible, said.trim());
        Err(if out.status == Some(127) || stderr.contains("not found") {
            "--sudo was given, but sudo is not installed on the host; run as root without --sudo, or install sudo with a NOPASSWD rule for the audit commands".to_owned()
        } else {
            format!(
                "--sudo was given, but `sudo -n true` failed ({said_visible}); give the login user a NOPASSWD sudo rule for the audit commands (sudo must not ask for a password), or run as root without --sudo"
            )
        })
    }

    /// Runs the round's requests together; each result, or `None` with a note when the
    /// command is missing, refused, failed or timed out (a file that does not exist is
    /// simply not there, without a note).
    fn round(&mut self, round: Round) -> Vec<Option<ExecOutput>> {
        let requests = round.requests;
        if requests.is_empty() {
            return Vec::new();
        }
        let left = self
            .deadline
            .map(|d| d.saturating_duration_since(std::time::Instant::now()));
        if left.is_some_and(|left| left.is_zero()) {
            for request in requests.iter() {
                self.unable.push(UnableToCheck {
                    what: request.what.clone(),
                    why: "skipped: the host's time limit was reached".into(),
                    hides: request.hides.clone(),
                });
            }
            return vec![None; requests.len()];
        }
        let per_line = left.map_or(self.options.command_timeout, |left| {
            left.min(self.options.command_timeout)
        });
        let total = left.unwrap_or_else(|| {
            per_line.saturating_mul(u32::try_from(requests.len()).unwrap_or(u32::MAX))
        });
        let lines: Vec<String> = requests.iter().map(|r| self.line(&r.command)).collect();
        let results = self.transport.exec_each(&lines, per_line, total);
        requests
            .into_iter()
            .zip(results)
            .map(|(request, result)| self.judge(request, result))
            .collect()
    }

    /// The command line as the host runs it: with the sbin folders on `PATH`, through
    /// `sudo -n` with `--sudo`.
    fn line(&self, command: &str) -> String {
        let line = format!("{WITH_SBIN}{command}");
        if self.options.sudo {
            format!("sudo -n sh -c {}", quote(&line))
        } else {
            line
        }
    }

    /// The output of `request`, or `None` with a note on why there is none.
    fn judge(
        &mut self,
        request: Request,
        result: Result<ExecOutput, ExecError>,
    ) -> Option<ExecOutput> {
        let why = match result {
            Ok(out) if out.status == Some(ABSENT) && out.stdout.is_empty() => return None,
            // Over the limit whatever the status (`head` cutting a command off ends it).
            Ok(out) if out.stdout.len() > SIZE_LIMIT => {
                if request.file {
                    format!("over the {SIZE_LIMIT}-byte limit")
                } else {
                    format!("its output is over the {SIZE_LIMIT}-byte limit")
                }
            }
            Ok(out) => match refusal(&out) {
                None => return Some(out),
                Some(why) => why,
            },
            Err(e) => e.to_string(),
        };
        self.unable.push(UnableToCheck {
            what: request.what,
            why,
            hides: request.hides,
        });
        None
    }
}

/// One allowlisted command of a round.
struct Request {
    /// The command line, before [`Runner::line`] adds the `PATH` and `sudo`.
    command: String,
    /// How notes name it.
    what: String,
    /// The kinds of file its failure leaves unseen.
    hides: Vec<Target>,
    /// A file read with `head -c` (a note then says the file is over the limit).
    file: bool,
}

impl Request {
    fn command(command: impl Into<String>, what: impl Into<String>, hides: &[Target]) -> Self {
        Self {
            command: command.into(),
            what: what.into(),
            hides: hides.to_vec(),
            file: false,
        }
    }

    /// Reads a file (`head -c`, size-capped); one that does not exist exits [`ABSENT`].
    fn file(path: &Path, target: Target) -> Self {
        let shown = path.to_string_lossy();
        Self {
            command: format!(
                "if [ -e {0} ]; then head -c {1} -- {0}; else exit {ABSENT}; fi",
                quote(&shown),
                SIZE_LIMIT + 1
            ),
            what: shown.into_owned(),
            hides: vec![target],
            file: true,
        }
    }
}

/// The requests that go to the host together; [`Round::add`] gives each one's place in
/// the results.
#[derive(Default)]
struct Round {
    requests: Vec<Request>,
}

impl Round {
    fn add(&mut self, request: Request) -> usize {
        self.requests.push(request);
        self.requests.len() - 1
    }
}

/// Why a command's result is no answer: not installed, not permitted, or failed.
fn refusal(out: &ExecOutput) -> Option<String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first_line = shown_error_line(&stderr);
    let first_line = first_line.as_str();
    let lower = stderr.to_ascii_lowercase();
    let denied = [
        "permission denied",
        "operation not permitted",
        "a password is required",
        "must be root",
        "need to be root",
        "are not allowed",
        "no hostkeys available",
    ]
    .iter()
    .any(|w| lower.contains(w));
    if out.status == Some(127) || lower.contains("command not found") {
        Some("not installed (command not found)".into())
    } else if denied && !out.success() {
        Some(format!(
            "not permitted ({}); run as root or with --sudo",
            first_line.trim()
        ))
    } else if !out.success() {
        Some(match out.status {
            Some(code) => format!("exited with status {code}: {}", first_line.trim()),
            None => "ended by a signal".into(),
        })
    } else {
        None
    }
}

/// Longest error line a note quotes: as long as a quote in a message.
const ERROR_LINE_CHARS: usize = crate::message::Quote::MAX_CHARS;

/// The line of a command's error output that says why it failed, as a note may quote it:
/// the first that reads as an error (nginx prints warnings before its `[emerg]` line), else
/// the first non-blank one; cut to [`ERROR_LINE_CHARS`], credentials the shared command-line
/// recogniser finds masked (a tool may echo the configuration line it refused), control
/// characters made visible.
fn shown_error_line(stderr: &str) -> String {
    const ERROR_WORDS: [&str; 8] = [
        "[emerg]",
        "[crit]",
        "error",
        "failed",
        "denied",
        "not permitted",
        "fatal",
        "cannot",
    ];
    let lines = || stderr.lines().map(str::trim).filter(|l| !l.is_empty());
    let line = lines()
        .find(|l| {
            let lower = l.to_ascii_lowercase();
            ERROR_WORDS.iter().any(|w| lower.contains(w))
        })
        .or_else(|| lines().next())
        .unwrap_or("");
    let line: String = line.chars().take(ERROR_LINE_CHARS).collect();
    let secrets = redact::merged(
        command_sensitive(&line, &|start, end| Span::new(start, end))
            .into_iter()
            .map(|s| s.span),
    );
    let mut shown = String::new();
    crate::message::push_visible(&mut shown, &redact::mask(&line, 0, &secrets));
    shown
}

/// `s` as one POSIX shell word.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Splits `nginx -T` output into its files: each starts after a
/// `# configuration file PATH:` line and runs to the next one. The `nginx: the
/// configuration file … syntax is ok` lines go to standard error and are not here.
pub fn split_nginx_dump(text: &str) -> Vec<SnapshotFile> {
    const MARKER: &str = "# configuration file ";
    let mut files: Vec<SnapshotFile> = Vec::new();
    for line in text.split_inclusive('\n') {
        let header = line
            .strip_prefix(MARKER)
            .and_then(|rest| rest.trim_end().strip_suffix(':'));
        match (header, files.last_mut()) {
            (Some(path), _) => files.push(SnapshotFile {
                path: PathBuf::from(path),
                target: Target::Nginx,
                bytes: Vec::new(),
            }),
            (None, Some(file)) => file.bytes.extend_from_slice(line.as_bytes()),
            (None, None) => {}
        }
    }
    // nginx -T prints an empty line after each file's text; it is not part of the file.
    for file in &mut files {
        if file.bytes.ends_with(b"\n\n") {
            file.bytes.pop();
        }
    }
    // Package files that are neutral to the checks (`mime.types`, `*_params`, module
    // loads) are left out, as the nginx rules treat them when a project does not ship them.
    files.retain(|f| {
        crate::formats::nginx::includes::package_file(&f.path.to_string_lossy()) != Some(true)
    });
    files
}

/// The files the nginx directive `name` names in the nginx files (`ssl_certificate`,
/// `ssl_certificate_key`; without variables, relative to `/etc/nginx`).
fn paths_in_nginx(files: &[SnapshotFile], name: &str) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for file in files {
        let config =
            crate::formats::nginx::NginxConfig::parse(&String::from_utf8_lossy(&file.bytes));
        for directive in config.directives() {
            if directive.name == name {
                if let Some(arg) = directive.args.first().filter(|a| !a.value.contains('$')) {
                    let path = Path::new(&arg.value);
                    paths.push(if path.is_absolute() {
                        path.to_path_buf()
                    } else {
                        Path::new("/etc/nginx").join(path)
                    });
                }
            }
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_commands_error_line_is_quoted_without_credentials_or_control_characters() {
        let out = ExecOutput {
            status: Some(1),
            stdout: Vec::new(),
            stderr: b"\n  mysql -pqzcanary-horse-river -e x: access denied\x1b[2J\nsecond line\n"
                .to_vec(),
        };
        let why = refusal(&out).expect("a failure");
        assert!(!why.contains("qzcanary"), "{why}");
        assert!(why.contains("mysql -p*"), "{why}");
        assert!(
            why.contains("\\u{1b}[2J") && !why.contains('\u{1b}'),
            "{why}"
        );
        assert!(!why.contains("second line"), "{why}");
    }

    #[test]
    fn nginx_dumps_are_split_at_their_file_markers() {
        let dump = "# configuration file /etc/nginx/nginx.conf:\nhttp {\n    include /etc/nginx/sites-enabled/*;\n}\n\n# configuration file /etc/nginx/mime.types:\ntypes { text/html html; }\n\n# configuration file /etc/nginx/sites-enabled/shop:\nserver {\n    ssl_certificate /etc/letsencrypt/live/shop/fullchain.pem;\n}\n\n";
        let files = split_nginx_dump(dump);
        let paths: Vec<&Path> = files.iter().map(|f| f.path.as_path()).collect();
        assert_eq!(
            paths,
            [
                Path::new("/etc/nginx/nginx.conf"),
                Path::new("/etc/nginx/sites-enabled/shop")
            ]
        );
        assert_eq!(
            String::from_utf8_lossy(&files[0].bytes),
            "http {\n    include /etc/nginx/sites-enabled/*;\n}\n"
        );
        assert_eq!(
            paths_in_nginx(&files, "ssl_certificate"),
            [PathBuf::from("/etc/letsencrypt/live/shop/fullchain.pem")]
        );
    }

    /// A host where only some commands exist: everything else is "not found", and the
    /// commands it was asked to run are recorded.
    struct FakeHost {
        asked: std::sync::Mutex<Vec<String>>,
    }

    impl Transport for FakeHost {
        fn host_label(&self) -> &'static str {
            "fake-1"
        }

        fn exec(
            &self,
            command: &str,
            _: Duration,
        ) -> Result<ExecOutput, crate::live::transport::ExecError> {
            self.asked.lock().unwrap().push(command.to_owned());
            let ok = |stdout: &str| ExecOutput {
                status: Some(0),
                stdout: stdout.as_bytes().to_vec(),
                stderr: Vec::new(),
            };
            Ok(if command.ends_with("; sudo -n true") {
                ok("")
            } else if command.contains("ss -tlnpH") {
                ok("LISTEN 0 128 0.0.0.0:6379 0.0.0.0:*\n")
            } else if command.contains("/etc/crontab") {
                ExecOutput {
                    status: Some(ABSENT),
                    ..ExecOutput::default()
                }
            } else if command.contains("sshd -T") {
                return Err(crate::live::transport::ExecError::Timeout(
                    Duration::from_secs(1),
                ));
            } else {
                ExecOutput {
                    status: Some(127),
                    stdout: Vec::new(),
                    stderr: b"sh: 1: not found\n".to_vec(),
                }
            })
        }
    }

    #[test]
    fn missing_commands_become_notes_and_missing_files_are_skipped() {
        let host = FakeHost {
            asked: std::sync::Mutex::new(Vec::new()),
        };
        let options = CollectOptions {
            sudo: true,
            ..CollectOptions::default()
        };
        let snapshot = collect(&host, &options);
        assert_eq!(snapshot.host, "fake-1");
        let paths: Vec<&Path> = snapshot.files.iter().map(|f| f.path.as_path()).collect();
        assert_eq!(paths, [Path::new("/.preflight/ss-tlnpH.txt")]);
        let note = |what: &str| {
            snapshot
                .unable
                .iter()
                .find(|n| n.what == what)
                .map(|n| n.why.as_str())
        };
        assert_eq!(
            note("nft list ruleset"),
            Some("not installed (command not found)")
        );
        assert_eq!(note("sshd -T"), Some("timed out after 1 s"));
        assert_eq!(note("/etc/crontab"), None, "an absent file is no note");
        // --sudo first checks that sudo runs without a password, then wraps every command
        // line, quoted, in `sudo -n sh -c`.
        let asked = host.asked.lock().unwrap();
        assert_eq!(asked[0], "PATH=\"$PATH:/usr/sbin:/sbin\"; sudo -n true");
        assert!(
            asked[1..]
                .iter()
                .all(|c| c.starts_with("sudo -n sh -c 'PATH=")),
            "{asked:?}"
        );
    }

    /// A host where every command hangs until its timeout.
    struct HangingHost;

    impl Transport for HangingHost {
        fn host_label(&self) -> &'static str {
            "hanging"
        }

        fn exec(
            &self,
            _: &str,
            timeout: Duration,
        ) -> Result<ExecOutput, crate::live::transport::ExecError> {
            std::thread::sleep(timeout);
            Err(crate::live::transport::ExecError::Timeout(timeout))
        }
    }

    #[test]
    fn a_hanging_host_is_given_up_at_its_time_limit() {
        let options = CollectOptions {
            command_timeout: Duration::from_millis(40),
            host_timeout: Some(Duration::from_millis(100)),
            backup_dirs: vec![PathBuf::from("/var/backups")],
            ..CollectOptions::default()
        };
        let started = std::time::Instant::now();
        let snapshot = collect(&HangingHost, &options);
        assert!(
            started.elapsed() < Duration::from_millis(400),
            "{:?}",
            started.elapsed()
        );
        assert!(snapshot.files.is_empty());
        let skipped = snapshot
            .unable
            .iter()
            .filter(|n| n.why.starts_with("skipped"))
            .count();
        assert!(skipped >= 5, "{:?}", snapshot.unable);
    }

    /// A host whose files are a folder of this machine: the listings and reads of the
    /// allowlist run for real (`sh -c`) with every quoted absolute path moved under the
    /// folder; `docker ps` names one Compose project ([`COMPOSE_PROJECT`]), other commands
    /// are "not found", and reading a `refused` file is denied as it is to a user without
    /// root.
    struct FolderHost {
        root: PathBuf,
        refused: &'static [&'static str],
    }

    /// The Compose project folder [`FolderHost`]'s Docker names.
    const COMPOSE_PROJECT: &str = "/opt/compose-shop";

    impl Transport for FolderHost {
        fn host_label(&self) -> &'static str {
            "folder"
        }

        fn exec(
            &self,
            command: &str,
            timeout: Duration,
        ) -> Result<ExecOutput, crate::live::transport::ExecError> {
            if let Some(path) = self.refused.iter().find(|p| command.contains(&quote(p))) {
                return Ok(ExecOutput {
                    status: Some(1),
                    stdout: Vec::new(),
                    stderr: format!("head: cannot open '{path}' for reading: Permission denied\n")
                        .into_bytes(),
                });
            }
            if command.contains("docker ps") {
                return Ok(ExecOutput {
                    status: Some(0),
                    stdout: format!("{COMPOSE_PROJECT}\n\n").into_bytes(),
                    stderr: Vec::new(),
                });
            }
            if !command.contains(" '/") {
                return Ok(ExecOutput {
                    status: Some(127),
                    stdout: Vec::new(),
                    stderr: b"sh: 1: not found\n".to_vec(),
                });
            }
            let root = self.root.display().to_string();
            let moved = command.replace(" '/", &format!(" '{root}/"));
            let mut out = crate::live::transport::LocalTransport::new().exec(&moved, timeout)?;
            out.stdout = String::from_utf8(out.stdout)
                .expect("test files are text")
                .replace(&format!("{root}/"), "/")
                .into_bytes();
            Ok(out)
        }
    }

    #[test]
    fn service_files_are_listed_and_read_as_discovery_names_them() {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            "etc/cron.d/backup",
            "etc/cron.d/.placeholder",
            "etc/systemd/system/app.service",
            "etc/systemd/system/app.socket",
            "etc/systemd/system/app.timer",
            "etc/systemd/system/app.service.d/override.conf",
            "etc/systemd/system/notes.txt",
            "etc/redis.conf",
            "etc/redis/redis.conf",
            "etc/redis/redis-6380.conf",
            "etc/redis/sentinel.conf",
            "etc/postgresql/16/main/postgresql.conf",
            "etc/postgresql/16/main/pg_hba.conf",
            "etc/postgresql/16/main/pg_ident.conf",
            "etc/postgresql/16/main/start.conf",
            "etc/postgresql/16/main/conf.d/listen.conf",
            "var/lib/postgresql/16/main/postgresql.auto.conf",
            "var/lib/postgresql/16/main/base/1/pg_hba.conf",
            "var/lib/pgsql/data/postgresql.conf",
            "var/lib/pgsql/data/pg_hba.conf",
            "var/lib/pgsql/data/base/1/postgresql.conf",
            "var/lib/pgsql/data/log/pg_hba.conf",
            "var/lib/pgsql/16/data/postgresql.auto.conf",
            "var/lib/pgsql/16/data/pg_wal/pg_hba.conf",
            "etc/fail2ban/jail.conf",
            "etc/fail2ban/jail.local",
            "etc/fail2ban/jail.d/defaults-debian.conf",
            "etc/fail2ban/jail.d/sshd.local",
            "etc/fail2ban/jail.d/README",
            "etc/fail2ban/fail2ban.conf",
            "etc/fail2ban/filter.d/sshd.conf",
            "etc/logrotate.conf",
            "etc/logrotate.d/nginx",
            "etc/logrotate.d/nginx~",
            "etc/logrotate.d/.keep",
        ];
        for file in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, format!("# {file}\n")).unwrap();
        }
        // Enabled units are links into the vendor folder: not files of this host's own.
        std::os::unix::fs::symlink(
            dir.path().join("etc/systemd/system/app.service"),
            dir.path()
                .join("etc/systemd/system/app.service.d/linked.service"),
        )
        .unwrap();
        let host = FolderHost {
            root: dir.path().to_path_buf(),
            refused: &["/etc/postgresql/16/main/pg_hba.conf"],
        };
        let snapshot = collect(&host, &CollectOptions::default());
        let collected: Vec<(&str, Target)> = snapshot
            .files
            .iter()
            .map(|f| (f.path.to_str().unwrap(), f.target))
            .collect();
        let confd = "/etc/postgresql/16/main/conf.d/listen.conf";
        let mut expected = vec![
            ("/etc/cron.d/backup", Target::Cron),
            ("/etc/fail2ban/jail.conf", Target::Fail2ban),
            (
                "/etc/fail2ban/jail.d/defaults-debian.conf",
                Target::Fail2ban,
            ),
            ("/etc/fail2ban/jail.d/sshd.local", Target::Fail2ban),
            ("/etc/fail2ban/jail.local", Target::Fail2ban),
            ("/etc/logrotate.conf", Target::Logrotate),
            ("/etc/logrotate.d/nginx", Target::Logrotate),
            ("/etc/postgresql/16/main/postgresql.conf", Target::Postgres),
            ("/etc/redis/redis-6380.conf", Target::Redis),
            ("/etc/redis/redis.conf", Target::Redis),
            ("/etc/redis.conf", Target::Redis),
            ("/etc/systemd/system/app.service", Target::Systemd),
            (
                "/etc/systemd/system/app.service.d/override.conf",
                Target::Systemd,
            ),
            ("/etc/systemd/system/app.socket", Target::Systemd),
            ("/etc/systemd/system/app.timer", Target::Systemd),
            (
                "/var/lib/pgsql/16/data/postgresql.auto.conf",
                Target::Postgres,
            ),
            ("/var/lib/pgsql/data/pg_hba.conf", Target::PgHba),
            ("/var/lib/pgsql/data/postgresql.conf", Target::Postgres),
            (
                "/var/lib/postgresql/16/main/postgresql.auto.conf",
                Target::Postgres,
            ),
        ];
        expected.push((confd, Target::Postgres));
        // Sorted as snapshots are: by path, component by component.
        expected.sort_by_key(|(path, _)| Path::new(*path));
        assert_eq!(collected, expected);
        for file in &snapshot.files {
            assert_eq!(
                String::from_utf8_lossy(&file.bytes),
                format!("# {}\n", file.path.strip_prefix("/").unwrap().display())
            );
        }
        let listing_notes: Vec<&UnableToCheck> = snapshot
            .unable
            .iter()
            .filter(|n| LISTINGS.iter().any(|l| l.what == n.what))
            .collect();
        assert!(listing_notes.is_empty(), "{listing_notes:?}");
        let refused = snapshot
            .unable
            .iter()
            .find(|n| n.what == "/etc/postgresql/16/main/pg_hba.conf")
            .expect("a note on the file that could not be read");
        assert!(refused.why.starts_with("not permitted"), "{refused:?}");
    }

    /// Writes `files` (path below `root`, text) and collects the [`FolderHost`] at `root`
    /// with the default options.
    fn collect_from_folder(root: &Path, files: &[(&str, &str)]) -> HostSnapshot {
        for (file, text) in files {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        let host = FolderHost {
            root: root.to_path_buf(),
            refused: &[],
        };
        collect(&host, &CollectOptions::default())
    }

    #[test]
    fn the_folders_backup_jobs_write_into_are_listed_without_backup_dir() {
        let dir = tempfile::tempdir().unwrap();
        let files: [(&str, &str); 3] = [
            (
                "etc/cron.d/shop-backup",
                "0 3 * * * postgres pg_dump shop | gzip > /var/backups/shop/shop-$(date +\\%F).sql.gz\n\
                 30 4 * * 0 root mysqldump --result-file=/srv/weekly/all.sql --all-databases\n\
                 0 5 * * * root pg_dump crm > \"$DIR/crm.sql\"\n",
            ),
            ("etc/crontab", "0 2 * * * root pg_dump -f /var/backups/shop/early.sql shop\n"),
            ("var/backups/shop/shop-2026-12-01.sql.gz", "dump"),
        ];
        let snapshot = collect_from_folder(dir.path(), &files);
        let listing = snapshot
            .files
            .iter()
            .find(|f| f.path == Path::new("/.preflight/backups.txt"))
            .expect("a backup listing");
        let text = String::from_utf8_lossy(&listing.bytes);
        let headers: Vec<&str> = text.lines().filter(|l| l.starts_with('#')).collect();
        // Daily jobs: a day and two hours; the weekly one: a week and two hours. The folder
        // named by a variable is not guessed.
        assert_eq!(
            headers,
            [
                "# backup-dir /var/backups/shop max-age=93600 job",
                "# backup-dir /srv/weekly max-age=612000 job missing",
            ],
            "{text}"
        );
        assert!(
            text.contains(" /var/backups/shop/shop-2026-12-01.sql.gz\n"),
            "{text}"
        );
    }

    #[test]
    fn applications_named_by_service_units_are_read_without_app_dir() {
        let dir = tempfile::tempdir().unwrap();
        let files: [(&str, &str); 8] = [
            (
                "etc/systemd/system/shop.service",
                "[Service]\nWorkingDirectory=/srv/shop\nEnvironmentFile=-/etc/default/shop\nExecStart=/srv/shop/venv/bin/gunicorn shop.wsgi\n",
            ),
            (
                "etc/systemd/system/sys.service",
                "[Service]\nWorkingDirectory=/\nEnvironmentFile=%h/.config/x\n",
            ),
            ("srv/shop/.env", "DEBUG=true\n"),
            ("srv/shop/shop/settings.py", "DEBUG = True\n"),
            ("srv/shop/node_modules/x/.env", "A=1\n"),
            ("srv/shop/README.md", "# shop\n"),
            ("etc/default/shop", "SECRET_KEY=x\n"),
            ("home/x/.env", "B=2\n"),
        ];
        let snapshot = collect_from_folder(dir.path(), &files);
        let collected: Vec<(&str, Target)> = snapshot
            .files
            .iter()
            .map(|f| (f.path.to_str().unwrap(), f.target))
            .collect();
        assert_eq!(
            collected,
            [
                ("/.preflight/file-modes.txt", Target::FileModes),
                ("/etc/default/shop", Target::Env),
                ("/etc/systemd/system/shop.service", Target::Systemd),
                ("/etc/systemd/system/sys.service", Target::Systemd),
                ("/srv/shop/.env", Target::Env),
                ("/srv/shop/shop/settings.py", Target::Django),
            ]
        );
        // The env files' modes are asked for, with the host's paths.
        let modes = String::from_utf8_lossy(&snapshot.files[0].bytes).into_owned();
        let named: Vec<&str> = modes
            .lines()
            .map(|l| l.splitn(4, ' ').nth(3).unwrap_or(""))
            .collect();
        assert_eq!(named, ["/etc/default/shop", "/srv/shop/.env"], "{modes}");
    }

    #[test]
    fn applications_named_by_compose_pm2_and_nginx_are_read_without_app_dir() {
        let dir = tempfile::tempdir().unwrap();
        let files: [(&str, &str); 6] = [
            // What `pm2 save` writes: each app's folder and its whole environment.
            (
                "root/.pm2/dump.pm2",
                r#"[{"name":"api","pm_cwd":"/srv/api","env":{"API_TOKEN":"PF-CANARY-pm2-env-7d1e"}}]"#,
            ),
            ("srv/api/.env", "DEBUG=true\n"),
            ("srv/api/server.log", "not an app file\n"),
            ("opt/compose-shop/.env", "POSTGRES_PASSWORD=x\n"),
            (
                "opt/compose-shop/docker-compose.yml",
                "services:\n  db:\n    image: postgres:16\n",
            ),
            ("opt/other/.env", "A=1\n"),
        ];
        let snapshot = collect_from_folder(dir.path(), &files);
        let collected: Vec<(&str, Target)> = snapshot
            .files
            .iter()
            .filter(|f| !f.path.starts_with(OUTPUT_DIR))
            .map(|f| (f.path.to_str().unwrap(), f.target))
            .collect();
        assert_eq!(
            collected,
            [
                ("/opt/compose-shop/.env", Target::Env),
                ("/opt/compose-shop/docker-compose.yml", Target::Compose),
                ("/srv/api/.env", Target::Env),
            ]
        );
        // Only PM2's folder names left the host, never an app's environment.
        assert!(snapshot
            .files
            .iter()
            .all(|f| !String::from_utf8_lossy(&f.bytes).contains("PF-CANARY-pm2")));
    }

    #[test]
    fn the_application_behind_a_served_folder_is_its_parent_when_the_folder_is_public() {
        let served = served_applications(
            [
                "/var/www/shop/public",
                "/srv/spa/dist",
                "/srv/site",
                "/usr/share/nginx/html",
            ]
            .map(PathBuf::from)
            .to_vec(),
        );
        assert_eq!(
            served,
            [
                "/var/www/shop",
                "/srv/spa",
                "/srv/site",
                "/usr/share/nginx/html"
            ]
            .map(PathBuf::from)
        );
        // System folders are then dropped, as for units.
        let (dirs, _) = applications(&[], &[], served);
        assert_eq!(
            dirs,
            ["/var/www/shop", "/srv/spa", "/srv/site"].map(PathBuf::from)
        );
        assert_eq!(
            pm2_folders(Some(ExecOutput {
                status: Some(0),
                stdout: b"\"pm_cwd\":\"/srv/api\"\n\"pm_cwd\": \"/home/app/web\"\nnoise\n".to_vec(),
                stderr: Vec::new(),
            })),
            ["/srv/api", "/home/app/web"].map(PathBuf::from)
        );
    }

    /// This machine, counting what the collection sends: `scripted` runs each round as one
    /// script (as [`LocalTransport`] does), otherwise every command is an exec of its own.
    struct Counted {
        scripted: bool,
        execs: std::sync::atomic::AtomicUsize,
    }

    impl Transport for Counted {
        fn host_label(&self) -> &'static str {
            "this"
        }

        fn exec(
            &self,
            command: &str,
            timeout: Duration,
        ) -> Result<ExecOutput, crate::live::transport::ExecError> {
            self.execs
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            crate::live::transport::LocalTransport::new().exec(command, timeout)
        }

        fn exec_each(
            &self,
            lines: &[String],
            per_line: Duration,
            total: Duration,
        ) -> Vec<Result<ExecOutput, crate::live::transport::ExecError>> {
            if !self.scripted {
                return crate::live::script::one_by_one(
                    |line, limit| self.exec(line, limit),
                    lines,
                    per_line,
                    total,
                );
            }
            self.execs
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            crate::live::transport::LocalTransport::new().exec_each(lines, per_line, total)
        }
    }

    #[test]
    fn rounds_of_scripts_collect_what_one_command_per_exec_collects() {
        let options = CollectOptions {
            app_dirs: vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples")],
            ..CollectOptions::default()
        };
        let collect_with = |scripted| {
            let host = Counted {
                scripted,
                execs: std::sync::atomic::AtomicUsize::new(0),
            };
            let snapshot = collect(&host, &options);
            (snapshot, host.execs.into_inner())
        };
        let (alone, execs_alone) = collect_with(false);
        let (scripted, scripts) = collect_with(true);
        // Command output (processes, sockets) changes between two runs on a busy machine;
        // which files and outputs were kept, and what could not be checked, does not.
        let kept = |s: &HostSnapshot| -> Vec<(PathBuf, Target)> {
            s.files.iter().map(|f| (f.path.clone(), f.target)).collect()
        };
        assert_eq!(kept(&scripted), kept(&alone));
        let host_files = |s: &HostSnapshot| -> Vec<(PathBuf, Vec<u8>)> {
            s.files
                .iter()
                .filter(|f| !f.path.starts_with(OUTPUT_DIR) && f.path != Path::new("/etc/passwd"))
                .map(|f| (f.path.clone(), f.bytes.clone()))
                .collect()
        };
        assert_eq!(host_files(&scripted), host_files(&alone));
        let notes = |s: &HostSnapshot| -> Vec<String> {
            let mut notes: Vec<String> = s.unable.iter().map(|n| n.what.clone()).collect();
            notes.sort();
            notes
        };
        assert_eq!(notes(&scripted), notes(&alone));
        assert!(
            scripted.files.iter().any(|f| f.target == Target::Env),
            "the example's .env files are read"
        );
        // Rounds 1 and 2, the slow probes, and at most the two rounds of applications
        // named by units; one command per exec needs dozens.
        assert!(scripts <= 5, "{scripts} scripts");
        assert!(execs_alone > 20, "{execs_alone} execs");
    }

    #[test]
    fn the_documented_allowlist_names_every_root() {
        let docs = include_str!("../../docs/live-audit.md");
        let module = include_str!("snapshot.rs");
        let module_doc: String = module
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .collect();
        for root in LISTINGS.iter().flat_map(|l| l.roots) {
            let shown = format!("`{root}`");
            assert!(docs.contains(&shown), "docs/live-audit.md lacks {shown}");
            assert!(module_doc.contains(&shown), "the module doc lacks {shown}");
        }
        assert!(docs.contains(&format!("## The allowlist (version {ALLOWLIST_VERSION})")));
    }

    #[test]
    fn shell_words_are_quoted() {
        assert_eq!(quote("/srv/it's here"), "'/srv/it'\\''s here'");
    }

    #[test]
    fn refusals_are_told_apart_from_answers() {
        let out = |status, stderr: &str| ExecOutput {
            status: Some(status),
            stdout: Vec::new(),
            stderr: stderr.as_bytes().to_vec(),
        };
        assert!(refusal(&out(0, "")).is_none());
        // nginx -T as a plain user: warnings about its log files, and the dump all the same.
        assert!(refusal(&out(
            0,
            "nginx: [alert] could not open error log file: open() \"/var/log/nginx/error.log\" failed (13: Permission denied)"
        ))
        .is_none());
        assert!(refusal(&out(1, "nginx: [emerg] cannot load certificate key \"/etc/ssl/private/shop.key\": BIO_new_file() failed (SSL: error:0200100D:system library:fopen:Permission denied)"))
            .unwrap()
            .starts_with("not permitted"));
        // nginx -T as a plain user: a warning first, then the reason.
        let why = refusal(&out(1, "2026/12/04 05:54:46 [warn] 3646#3646: the \"user\" directive makes sense only if the master process runs with super-user privileges, ignored in /etc/nginx/nginx.conf:1\nnginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n2026/12/04 05:54:46 [emerg] 3646#3646: open() \"/run/nginx.pid\" failed (13: Permission denied)\nnginx: configuration file /etc/nginx/nginx.conf test failed\n")).unwrap();
        assert!(
            why.contains("[emerg]") && why.contains("/run/nginx.pid"),
            "{why}"
        );
        assert!(refusal(&out(127, "sh: 1: nft: not found"))
            .unwrap()
            .starts_with("not installed"));
        assert!(refusal(&out(1, "sudo: a password is required"))
            .unwrap()
            .contains("--sudo"));
        assert!(
            refusal(&out(1, "ERROR: You need to be root to run this script"))
                .unwrap()
                .starts_with("not permitted")
        );
    }
}
