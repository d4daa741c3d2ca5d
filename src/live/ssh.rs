//! [`Transport`] over SSH (russh): one connection per host, one exec channel per script of
//! commands ([`super::script`]).
//!
//! Why each rule here:
//! - the host key is checked against `known_hosts` before anything is sent, and a changed
//!   key is never accepted: an audit of an impostor is worse than no audit;
//! - authentication is by public key only (ssh-agent, then key files): no password is
//!   ever asked for, offered, stored or logged; a passphrase for a key file is asked on a
//!   terminal, used once to decrypt the key in memory and dropped;
//! - every wait is bounded: the connection by `connect_timeout`, each command by its own
//!   timeout, and everything by the host's deadline (`--timeout`), so a host that hangs
//!   or drops never holds up a fleet.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use russh::client::{self, Handle};
use russh::keys::agent::client::AgentClient;
use russh::keys::agent::AgentIdentity;
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKey, PublicKeyOrCertificate};
use russh::{ChannelMsg, Disconnect};
use tokio::io::{AsyncRead, AsyncWrite};

use super::known_hosts::{fingerprint, KnownHosts, Verdict};
use super::script::ScriptRun;
use super::ssh_config::home_dir;
use super::target::ResolvedTarget;
use super::transport::{push_capped, ExecError, ExecOutput, Transport, STDERR_CAP, STDOUT_CAP};

/// The key files tried when the configuration names none, in `ssh`'s order.
const DEFAULT_IDENTITIES: [&str; 3] = ["id_ed25519", "id_ecdsa", "id_rsa"];

/// How to connect, for every host of a run.
#[derive(Debug, Clone)]
pub struct SshOptions {
    /// `--known-hosts`: overrides `UserKnownHostsFile` and `~/.ssh/known_hosts`.
    pub known_hosts: Option<PathBuf>,
    /// `--accept-new-host-key`: trust and record the key of a host never seen before.
    pub accept_new_host_key: bool,
    /// Longest wait for the TCP connection and the SSH handshake.
    pub connect_timeout: Duration,
    /// `--identity`: key files tried before the configured or default ones.
    pub identities: Vec<PathBuf>,
    /// Use the agent at `SSH_AUTH_SOCK` (off in tests that must not see the user's agent).
    pub use_agent: bool,
}

impl Default for SshOptions {
    fn default() -> Self {
        Self {
            known_hosts: None,
            accept_new_host_key: false,
            connect_timeout: Duration::from_secs(10),
            identities: Vec::new(),
            use_agent: true,
        }
    }
}

/// Why a host could not be audited at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError {
    /// No TCP connection or no SSH handshake (refused, no route, DNS, protocol error).
    Unreachable(String),
    /// The host key is unknown, changed or revoked.
    HostKeyRefused(String),
    /// No key was accepted.
    AuthFailed(String),
    /// The connection or the host's deadline ran out.
    TimedOut(String),
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreachable(why)
            | Self::HostKeyRefused(why)
            | Self::AuthFailed(why)
            | Self::TimedOut(why) => f.write_str(why),
        }
    }
}

/// What all connections of a run share: the async runtime, the decrypted key cache (so a
/// passphrase is asked once per run, not once per host) and the `known_hosts` writer lock.
pub struct SshClient {
    options: SshOptions,
    runtime: Arc<tokio::runtime::Runtime>,
    keys: Mutex<HashMap<PathBuf, Result<Arc<PrivateKey>, String>>>,
    known_hosts_lock: Arc<Mutex<()>>,
    resolve_jump: Box<JumpResolver>,
}

/// Turns a `ProxyJump` name into a target.
type JumpResolver = dyn Fn(&str) -> Result<ResolvedTarget, String> + Send + Sync;

impl SshClient {
    /// A client; `resolve_jump` turns a `ProxyJump` name into a target (with the same
    /// inventory and ssh_config as the audited hosts).
    pub fn new(
        options: SshOptions,
        resolve_jump: impl Fn(&str) -> Result<ResolvedTarget, String> + Send + Sync + 'static,
    ) -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the SSH runtime: {e}"))?;
        Ok(Self {
            options,
            runtime: Arc::new(runtime),
            keys: Mutex::new(HashMap::new()),
            known_hosts_lock: Arc::new(Mutex::new(())),
            resolve_jump: Box::new(resolve_jump),
        })
    }

    /// Connects to `target` and logs in, giving up at `deadline` at the latest.
    pub fn connect(
        &self,
        target: &ResolvedTarget,
        deadline: Instant,
    ) -> Result<SshTransport, ConnectError> {
        let limit = deadline.saturating_duration_since(Instant::now());
        let attempt = self
            .runtime
            .block_on(async { tokio::time::timeout(limit, self.open(target, 0)).await });
        let (session, jumps, accepted) = match attempt {
            Ok(result) => result?,
            Err(_) => {
                return Err(ConnectError::TimedOut(format!(
                    "timed out after {} s while connecting to {}",
                    limit.as_secs_f32(),
                    address(target)
                )))
            }
        };
        Ok(SshTransport {
            label: target.label.clone(),
            runtime: Arc::clone(&self.runtime),
            session,
            jumps,
            deadline,
            deadline_hit: AtomicBool::new(false),
            lost: AtomicBool::new(false),
            accepted_host_key: accepted,
        })
    }

    /// Opens an authenticated session to `target`, through its `ProxyJump` hosts if any.
    /// Returns the session, the jump sessions it runs over (kept alive with it) and the
    /// note of a newly accepted host key.
    async fn open(
        &self,
        target: &ResolvedTarget,
        depth: usize,
    ) -> Result<(Handle<Verifier>, Vec<Handle<Verifier>>, Option<String>), ConnectError> {
        let verifier = self.verifier(target)?;
        let outcome = Arc::clone(&verifier.outcome);
        let config = Arc::new(client::Config {
            preferred: self.preferred(target),
            inactivity_timeout: None,
            keepalive_interval: Some(Duration::from_secs(15)),
            ..client::Config::default()
        });
        let handshake = self.options.connect_timeout;
        let (connected, jumps) = match target.proxy_jump.as_deref() {
            None => {
                let tcp = tokio::time::timeout(
                    handshake,
                    tokio::net::TcpStream::connect((target.host.as_str(), target.port)),
                )
                .await
                .map_err(|_| self.connect_timed_out(target))?
                .map_err(|e| {
                    ConnectError::Unreachable(format!("cannot connect to {}: {e}", address(target)))
                })?;
                let _ = tcp.set_nodelay(true);
                (
                    self.handshake(config, tcp, verifier, target).await,
                    Vec::new(),
                )
            }
            Some(jump) => {
                let (stream, jumps) = Box::pin(self.through_jumps(jump, target, depth)).await?;
                (
                    self.handshake(config, stream, verifier, target).await,
                    jumps,
                )
            }
        };
        let mut session = match connected {
            Ok(session) => session,
            Err(e) => {
                let refused = outcome.lock().ok().and_then(|o| o.refused.clone());
                return Err(match refused {
                    Some(message) => ConnectError::HostKeyRefused(message),
                    None => e,
                });
            }
        };
        self.authenticate(&mut session, target).await?;
        let accepted = outcome.lock().ok().and_then(|o| o.accepted.clone());
        Ok((session, jumps, accepted))
    }

    async fn handshake<S>(
        &self,
        config: Arc<client::Config>,
        stream: S,
        verifier: Verifier,
        target: &ResolvedTarget,
    ) -> Result<Handle<Verifier>, ConnectError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        tokio::time::timeout(
            self.options.connect_timeout,
            client::connect_stream(config, stream, verifier),
        )
        .await
        .map_err(|_| self.connect_timed_out(target))?
        .map_err(|e| {
            ConnectError::Unreachable(format!(
                "SSH handshake with {} failed: {e}",
                address(target)
            ))
        })
    }

    /// Connects to each host of a `ProxyJump` list in turn and opens a forwarded stream to
    /// `target` through the last one.
    async fn through_jumps(
        &self,
        jumps: &str,
        target: &ResolvedTarget,
        depth: usize,
    ) -> Result<(russh::ChannelStream<client::Msg>, Vec<Handle<Verifier>>), ConnectError> {
        if depth > 8 {
            return Err(ConnectError::Unreachable(format!(
                "ProxyJump for {} nests too deeply",
                target.label
            )));
        }
        let hops: Vec<&str> = jumps
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect();
        let Some((last, before)) = hops.split_last() else {
            return Err(ConnectError::Unreachable(format!(
                "empty ProxyJump for {}",
                target.label
            )));
        };
        let mut last = (self.resolve_jump)(last).map_err(ConnectError::Unreachable)?;
        // `a,b`: b is itself reached through a.
        if !before.is_empty() {
            last.proxy_jump = Some(before.join(","));
        }
        let (session, mut inner, _) = Box::pin(self.open(&last, depth + 1))
            .await
            .map_err(|e| in_jump(&last, e))?;
        let channel = session
            .channel_open_direct_tcpip(target.host.clone(), u32::from(target.port), "127.0.0.1", 0)
            .await
            .map_err(|e| {
                ConnectError::Unreachable(format!(
                    "jump host {} could not reach {}: {e}",
                    last.label,
                    address(target)
                ))
            })?;
        inner.push(session);
        Ok((channel.into_stream(), inner))
    }

    fn connect_timed_out(&self, target: &ResolvedTarget) -> ConnectError {
        ConnectError::TimedOut(format!(
            "no SSH connection to {} within {} s",
            address(target),
            self.options.connect_timeout.as_secs_f32()
        ))
    }

    fn known_hosts_path(&self, target: &ResolvedTarget) -> PathBuf {
        self.options
            .known_hosts
            .clone()
            .or_else(|| target.known_hosts_file.clone())
            .unwrap_or_else(|| home_dir().join(".ssh/known_hosts"))
    }

    fn verifier(&self, target: &ResolvedTarget) -> Result<Verifier, ConnectError> {
        let known_hosts = KnownHosts::load(&self.known_hosts_path(target))
            .map_err(ConnectError::HostKeyRefused)?;
        Ok(Verifier {
            host: target.host.clone(),
            port: target.port,
            known_hosts,
            accept_new: self.options.accept_new_host_key,
            lock: Arc::clone(&self.known_hosts_lock),
            outcome: Arc::new(Mutex::new(KeyOutcome::default())),
        })
    }

    /// Asks first for the host-key algorithms `known_hosts` has for this host, as `ssh`
    /// does, so a host known by its ECDSA key is not reported as changed because it also
    /// has an Ed25519 key.
    fn preferred(&self, target: &ResolvedTarget) -> russh::Preferred {
        let mut preferred = russh::Preferred::default();
        let known = KnownHosts::load(&self.known_hosts_path(target))
            .map(|k| k.known_algorithms(&target.host, target.port))
            .unwrap_or_default();
        if !known.is_empty() {
            let mut order: Vec<_> = preferred
                .key
                .iter()
                .filter(|a| known.contains(a))
                .cloned()
                .collect();
            order.extend(preferred.key.iter().filter(|a| !known.contains(a)).cloned());
            preferred.key = Cow::Owned(order);
        }
        preferred
    }

    /// Public-key authentication: the agent's keys, then key files. Never a password.
    async fn authenticate(
        &self,
        session: &mut Handle<Verifier>,
        target: &ResolvedTarget,
    ) -> Result<(), ConnectError> {
        let rsa_hash = session
            .best_supported_rsa_hash()
            .await
            .ok()
            .flatten()
            .flatten();
        let mut tried = Vec::new();
        let files = self.identity_files(target);
        if self.options.use_agent && std::env::var_os("SSH_AUTH_SOCK").is_some() {
            match AgentClient::connect_env().await {
                Ok(mut agent) => {
                    let identities = agent.request_identities().await.unwrap_or_default();
                    for identity in identities {
                        let AgentIdentity::PublicKey { key, .. } = identity else {
                            continue;
                        };
                        if target.identities_only
                            && !files
                                .iter()
                                .any(|f| public_key_of(f) == Some(key.key_data().clone()))
                        {
                            continue;
                        }
                        let hash = key.algorithm().is_rsa().then_some(rsa_hash).flatten();
                        let fp = fingerprint(&key);
                        match session
                            .authenticate_publickey_with(&target.user, key, hash, &mut agent)
                            .await
                        {
                            Ok(result) if result.success() => return Ok(()),
                            Ok(_) => tried.push(format!("agent key {fp} (rejected)")),
                            Err(e) => tried.push(format!("agent key {fp} ({e})")),
                        }
                    }
                }
                Err(e) => tried.push(format!("ssh-agent unusable ({e})")),
            }
        }
        for file in files {
            let shown = file.display().to_string();
            let key = match self.load_key(&file) {
                Ok(key) => key,
                Err(why) => {
                    tried.push(format!("{shown} ({why})"));
                    continue;
                }
            };
            let with_hash = PrivateKeyWithHashAlg::new(key, rsa_hash);
            match session
                .authenticate_publickey(&target.user, with_hash)
                .await
            {
                Ok(result) if result.success() => return Ok(()),
                Ok(_) => tried.push(format!("{shown} (rejected)")),
                Err(e) => tried.push(format!("{shown} ({e})")),
            }
        }
        let tried = if tried.is_empty() {
            "no ssh-agent keys and no key file (~/.ssh/id_ed25519, id_ecdsa, id_rsa) to offer"
                .to_owned()
        } else {
            format!("tried {}", tried.join(", "))
        };
        Err(ConnectError::AuthFailed(format!(
            "{}@{}: no key was accepted; {tried} (password authentication is never used)",
            target.user,
            address(target)
        )))
    }

    /// `--identity` files, then `IdentityFile`s, else the default key files that exist.
    fn identity_files(&self, target: &ResolvedTarget) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = self.options.identities.clone();
        files.extend(target.identity_files.iter().cloned());
        if files.is_empty() {
            let dir = home_dir().join(".ssh");
            files.extend(
                DEFAULT_IDENTITIES
                    .iter()
                    .map(|name| dir.join(name))
                    .filter(|path| path.is_file()),
            );
        }
        files
    }

    /// Loads a private key once per run, asking for its passphrase on the terminal when it
    /// is encrypted. The passphrase lives only for the decryption.
    fn load_key(&self, path: &Path) -> Result<Arc<PrivateKey>, String> {
        // Held while prompting: hosts of a fleet wait for the one prompt, then reuse its key.
        let mut keys = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cached) = keys.get(path) {
            return cached.clone();
        }
        let loaded = match russh::keys::load_secret_key(path, None) {
            Ok(key) => Ok(Arc::new(key)),
            Err(russh::keys::Error::KeyIsEncrypted) => decrypt_with_prompt(path),
            Err(e) => Err(format!("cannot load: {e}")),
        };
        keys.insert(path.to_path_buf(), loaded.clone());
        loaded
    }
}

fn decrypt_with_prompt(path: &Path) -> Result<Arc<PrivateKey>, String> {
    if !std::io::stdin().is_terminal() {
        return Err(
            "protected by a passphrase and there is no terminal to ask for it; load it into \
             ssh-agent with `ssh-add` first"
                .to_owned(),
        );
    }
    let passphrase =
        rpassword::prompt_password(format!("Enter passphrase for key '{}': ", path.display()))
            .map_err(|e| format!("cannot read the passphrase: {e}"))?;
    russh::keys::load_secret_key(path, Some(&passphrase))
        .map(Arc::new)
        .map_err(|_| "wrong passphrase".to_owned())
}

/// The public half of a key file, from `FILE.pub` (for `IdentitiesOnly` with an agent).
fn public_key_of(file: &Path) -> Option<russh::keys::ssh_key::public::KeyData> {
    let mut pub_path = file.as_os_str().to_owned();
    pub_path.push(".pub");
    russh::keys::load_public_key(PathBuf::from(pub_path))
        .ok()
        .map(|k| k.key_data().clone())
}

fn in_jump(jump: &ResolvedTarget, error: ConnectError) -> ConnectError {
    let wrap = |why: String| format!("via jump host {}: {why}", jump.label);
    match error {
        ConnectError::Unreachable(w) => ConnectError::Unreachable(wrap(w)),
        ConnectError::HostKeyRefused(w) => ConnectError::HostKeyRefused(wrap(w)),
        ConnectError::AuthFailed(w) => ConnectError::AuthFailed(wrap(w)),
        ConnectError::TimedOut(w) => ConnectError::TimedOut(wrap(w)),
    }
}

/// `host:port`, or `[v6]:port`.
fn address(target: &ResolvedTarget) -> String {
    if target.host.contains(':') {
        format!("[{}]:{}", target.host, target.port)
    } else {
        format!("{}:{}", target.host, target.port)
    }
}

/// What the host-key check decided, read back after the handshake.
#[derive(Debug, Default)]
struct KeyOutcome {
    /// Why the key was refused.
    refused: Option<String>,
    /// The note that a new key was trusted and recorded.
    accepted: Option<String>,
}

/// The russh handler: verifies the server's host key against `known_hosts`.
struct Verifier {
    host: String,
    port: u16,
    known_hosts: KnownHosts,
    accept_new: bool,
    lock: Arc<Mutex<()>>,
    outcome: Arc<Mutex<KeyOutcome>>,
}

impl Verifier {
    /// `host` or `[host]:port`, as known_hosts names it.
    fn name(&self) -> String {
        if self.port == 22 {
            self.host.clone()
        } else {
            format!("[{}]:{}", self.host, self.port)
        }
    }

    /// `Ok(None)` for a trusted key, `Ok(Some(note))` for a newly recorded one, `Err(why)`
    /// for a refused one.
    fn judge(&mut self, key: &PublicKey) -> Result<Option<String>, String> {
        match self.known_hosts.verify(&self.host, self.port, key) {
            Verdict::Trusted => Ok(None),
            Verdict::Unknown if self.accept_new => {
                // Another host of the fleet (an alias of the same address) may have recorded
                // a key meanwhile: look again under the lock before appending.
                let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
                self.known_hosts = KnownHosts::load(self.known_hosts.path())?;
                match self.known_hosts.verify(&self.host, self.port, key) {
                    Verdict::Trusted => return Ok(None),
                    Verdict::Unknown => {}
                    other => return self.refuse(key, other),
                }
                self.known_hosts.append(&self.host, self.port, key)?;
                Ok(Some(format!(
                    "added the host key of {} ({} {}) to {}",
                    self.name(),
                    key.algorithm(),
                    fingerprint(key),
                    self.known_hosts.path().display()
                )))
            }
            other => self.refuse(key, other),
        }
    }

    /// Why `key`, judged `verdict`, is not accepted for this host.
    fn refuse(&self, key: &PublicKey, verdict: Verdict) -> Result<Option<String>, String> {
        let name = self.name();
        let presented = format!("{} {}", key.algorithm(), fingerprint(key));
        let file = self.known_hosts.path().display().to_string();
        match verdict {
            Verdict::Trusted => Ok(None),
            Verdict::Unknown => Err(format!(
                "the host key of {name} ({presented}) is not in {file}; check the fingerprint \
                 on the host (`ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub`), then connect once \
                 with `ssh` or rerun with --accept-new-host-key"
            )),
            Verdict::Changed(known) => {
                let known: Vec<String> = known.iter().map(|line| format!("  known:     {line}")).collect();
                Err(format!(
                    "the host key of {name} HAS CHANGED: someone may be intercepting the \
                     connection, or the host was reinstalled. Refusing to connect.\n  presented: \
                     {presented}\n{}\n  If the change is expected, remove the old line from {file} \
                     (`ssh-keygen -R '{name}' -f {file}`) after checking the new fingerprint on \
                     the host.",
                    known.join("\n")
                ))
            }
            Verdict::Revoked(line) => Err(format!(
                "the host key of {name} ({presented}) is revoked in {file} line {}: refusing to connect",
                line.line
            )),
        }
    }
}

impl client::Handler for Verifier {
    type Error = ConnectError;

    async fn check_server_key(
        &mut self,
        server_public_key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let verdict = match server_public_key {
            PublicKeyOrCertificate::PublicKey { key, .. } => self.judge(key),
            PublicKeyOrCertificate::Certificate(_) => Err(
                "the host presented a certificate; preflight verifies plain host keys only"
                    .to_owned(),
            ),
        };
        let mut outcome = self.outcome.lock().unwrap_or_else(|e| e.into_inner());
        match verdict {
            Ok(accepted) => {
                outcome.accepted = accepted;
                Ok(true)
            }
            Err(refused) => {
                outcome.refused = Some(refused);
                Ok(false)
            }
        }
    }
}

impl From<russh::Error> for ConnectError {
    fn from(e: russh::Error) -> Self {
        Self::Unreachable(e.to_string())
    }
}

/// An authenticated SSH session to one host, usable as a [`Transport`].
pub struct SshTransport {
    label: String,
    runtime: Arc<tokio::runtime::Runtime>,
    session: Handle<Verifier>,
    /// Sessions to `ProxyJump` hosts the connection runs through: kept open while the
    /// session is, and closed after it.
    jumps: Vec<Handle<Verifier>>,
    deadline: Instant,
    deadline_hit: AtomicBool,
    lost: AtomicBool,
    accepted_host_key: Option<String>,
}

impl SshTransport {
    /// Whether a command was cut short by the host's deadline (the audit is incomplete).
    pub fn timed_out(&self) -> bool {
        self.deadline_hit.load(Ordering::Relaxed)
    }

    /// Whether the connection dropped during the audit (the audit is incomplete).
    pub fn connection_lost(&self) -> bool {
        self.lost.load(Ordering::Relaxed)
    }

    /// The note that this run trusted and recorded a new host key, if it did.
    pub fn accepted_host_key(&self) -> Option<&str> {
        self.accepted_host_key.as_deref()
    }

    /// Ends the session politely (bounded to one second: the host may be gone).
    pub fn disconnect(self) {
        let Self {
            runtime,
            session,
            jumps,
            ..
        } = self;
        runtime.block_on(async move {
            let bye = async {
                let _ = session
                    .disconnect(Disconnect::ByApplication, "audit done", "en")
                    .await;
                for jump in jumps.iter().rev() {
                    let _ = jump
                        .disconnect(Disconnect::ByApplication, "audit done", "en")
                        .await;
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(1), bye).await;
        });
    }

    /// Runs `command` on a new channel, collecting into `output` (so what arrived before
    /// a timeout is kept) at most the caps' bytes.
    async fn run(
        &self,
        command: &str,
        output: &mut ExecOutput,
        (stdout_cap, stderr_cap): (usize, usize),
    ) -> Result<(), ExecError> {
        let lost = |e: russh::Error| {
            self.lost.store(true, Ordering::Relaxed);
            ExecError::Transport(format!("SSH channel to {} failed: {e}", self.label))
        };
        let mut channel = self.session.channel_open_session().await.map_err(lost)?;
        channel.exec(true, command).await.map_err(lost)?;
        while let Some(message) = channel.wait().await {
            match message {
                // A hostile host may stream without end: keep what a snapshot can use.
                ChannelMsg::Data { data } => push_capped(&mut output.stdout, &data, stdout_cap),
                ChannelMsg::ExtendedData { data, ext: 1 } => {
                    push_capped(&mut output.stderr, &data, stderr_cap);
                }
                ChannelMsg::ExitStatus { exit_status } => {
                    output.status = i32::try_from(exit_status).ok();
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Runs `command` within `timeout` and the host's deadline; what it printed before
    /// being stopped is kept.
    fn run_within(
        &self,
        command: &str,
        timeout: Duration,
        caps: (usize, usize),
    ) -> Result<ScriptRun, ExecError> {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        let limit = timeout.min(remaining);
        if limit.is_zero() {
            self.deadline_hit.store(true, Ordering::Relaxed);
            return Err(ExecError::Timeout(limit));
        }
        let mut output = ExecOutput::default();
        let finished = self.runtime.block_on(async {
            tokio::time::timeout(limit, self.run(command, &mut output, caps)).await
        });
        match finished {
            Ok(result) => result.map(|()| ScriptRun {
                output,
                timed_out: false,
            }),
            Err(_) => {
                if limit < timeout {
                    self.deadline_hit.store(true, Ordering::Relaxed);
                }
                Ok(ScriptRun {
                    output,
                    timed_out: true,
                })
            }
        }
    }
}

impl Transport for SshTransport {
    fn host_label(&self) -> &str {
        &self.label
    }

    fn exec(&self, command: &str, timeout: Duration) -> Result<ExecOutput, ExecError> {
        let limit = timeout.min(self.deadline.saturating_duration_since(Instant::now()));
        let ran = self.run_within(command, timeout, (STDOUT_CAP, STDERR_CAP))?;
        if ran.timed_out {
            return Err(ExecError::Timeout(limit));
        }
        Ok(ran.output)
    }

    fn exec_each(
        &self,
        lines: &[String],
        per_line: Duration,
        total: Duration,
    ) -> Vec<Result<ExecOutput, ExecError>> {
        super::script::exec_each(
            |script, limit, caps| self.run_within(script, limit, caps),
            lines,
            per_line,
            total,
        )
    }
}
