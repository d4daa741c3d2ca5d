//! Live audits over SSH against a real OpenSSH server started by the test on loopback:
//! its own sshd_config, host key, client key and authorized_keys in a temporary
//! directory. Needs /usr/sbin/sshd (openssh-server); without it the tests are ignored,
//! with that reason (`build/test_tools.rs` probes it).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use preflight::live::ssh::{ConnectError, SshClient, SshOptions};
use preflight::live::ssh_config::SshConfig;
use preflight::live::target::{resolve, ResolvedTarget};
use preflight::live::transport::Transport;

use crate::common;

const SSHD: &str = "/usr/sbin/sshd";

/// Client keys and an sshd that trusts them (the build found sshd, or the tests using it
/// are ignored).
fn started() -> (ClientKeys, Sshd) {
    assert!(
        Path::new(SSHD).is_file(),
        "{SSHD} was installed when the tests were built: reinstall it"
    );
    let client = ClientKeys::new();
    let sshd = Sshd::start(&client);
    (client, sshd)
}

fn run(program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(status.success(), "{program} {args:?} failed");
}

/// Generates an unencrypted key pair at `path` (and `path.pub`).
fn keygen(path: &Path, kind: &str) {
    let mut args = vec!["-q", "-t", kind, "-N", "", "-C", "preflight-test", "-f"];
    let path = path.to_str().expect("utf-8 path");
    args.push(path);
    if kind == "rsa" {
        args.extend(["-b", "2048"]);
    }
    run("ssh-keygen", &args);
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind")
        .port()
}

pub(crate) fn current_user() -> String {
    let out = Command::new("id").arg("-un").output().expect("id");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

/// A client: its key pair and a known_hosts file, in a temporary directory.
pub(crate) struct ClientKeys {
    dir: tempfile::TempDir,
}

impl ClientKeys {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        keygen(&dir.path().join("id_ed25519"), "ed25519");
        Self { dir }
    }

    fn key(&self) -> PathBuf {
        self.dir.path().join("id_ed25519")
    }

    fn known_hosts(&self) -> PathBuf {
        self.dir.path().join("known_hosts")
    }
}

/// One sshd on 127.0.0.1, killed when dropped.
pub(crate) struct Sshd {
    dir: tempfile::TempDir,
    pub(crate) port: u16,
    child: Child,
}

impl Sshd {
    /// Starts an sshd that accepts `client`'s key for the current user.
    pub(crate) fn start(client: &ClientKeys) -> Self {
        Self::start_with(client, "")
    }

    /// Starts an sshd with `extra` lines appended to its configuration.
    fn start_with(client: &ClientKeys, extra: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        keygen(&dir.path().join("host_ed25519"), "ed25519");
        let public = std::fs::read(client.dir.path().join("id_ed25519.pub")).expect("pub");
        std::fs::write(dir.path().join("authorized_keys"), public).expect("authorized_keys");
        crate::common::sshd_privsep_dir_ready();
        let config = dir.path().join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "ListenAddress 127.0.0.1\nHostKey {dir}/host_ed25519\nAuthorizedKeysFile {dir}/authorized_keys\n\
                 StrictModes no\nPidFile none\nUsePAM no\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n\
                 AllowTcpForwarding yes\nMaxStartups 100\nMaxSessions 100\nLogLevel ERROR\n{extra}",
                dir = dir.path().display()
            ),
        )
        .expect("sshd_config");
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port();
            let mut child = Command::new(SSHD)
                .args(["-D", "-e", "-f"])
                .arg(&config)
                .args(["-p", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start sshd");
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Self { dir, port, child };
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let out = child.wait_with_output().expect("sshd output");
            last_error = String::from_utf8_lossy(&out.stderr).into_owned();
        }
        panic!("sshd did not start: {last_error}");
    }

    /// The host's public key line (`ssh-ed25519 AAAA…`).
    fn host_key(&self) -> String {
        let text = std::fs::read_to_string(self.dir.path().join("host_ed25519.pub")).expect("pub");
        text.split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A target for this server, with `client`'s key.
    fn target(&self, client: &ClientKeys) -> ResolvedTarget {
        let mut target = resolve(
            &format!("{}@127.0.0.1:{}", current_user(), self.port),
            &Default::default(),
            &SshConfig::default(),
        )
        .expect("target");
        target.identity_files = vec![client.key()];
        target
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn options(client: &ClientKeys, accept_new: bool) -> SshOptions {
    SshOptions {
        known_hosts: Some(client.known_hosts()),
        accept_new_host_key: accept_new,
        connect_timeout: Duration::from_secs(5),
        identities: Vec::new(),
        use_agent: false,
    }
}

fn ssh_client(options: SshOptions) -> SshClient {
    SshClient::new(options, |name| {
        resolve(name, &Default::default(), &SshConfig::default())
    })
    .expect("client")
}

fn in_a_minute() -> Instant {
    Instant::now() + Duration::from_secs(60)
}

#[test]
#[cfg_attr(
    not(test_tool = "sshd"),
    ignore = "needs sshd (apt-get install openssh-server)"
)]
fn commands_run_over_ssh_and_their_output_comes_back() {
    let (client, sshd) = started();
    let ssh = ssh_client(options(&client, true));
    let transport = ssh
        .connect(&sshd.target(&client), in_a_minute())
        .expect("connects");
    assert!(transport.accepted_host_key().is_some());
    let out = transport
        .exec(
            "printf 'a\\0b'; echo oops >&2; exit 3",
            Duration::from_secs(10),
        )
        .expect("runs");
    assert_eq!(out.stdout, b"a\0b");
    assert_eq!(out.stderr, b"oops\n");
    assert_eq!(out.status, Some(3));
    // The same connection serves many commands.
    for i in 0..5 {
        let out = transport
            .exec(&format!("echo {i}"), Duration::from_secs(10))
            .expect("runs");
        assert_eq!(out.stdout, format!("{i}\n").as_bytes());
        assert!(out.success());
    }
    // A command that hangs is stopped at its timeout; the session stays usable.
    let hung = transport.exec("sleep 30", Duration::from_millis(500));
    assert!(hung.is_err(), "{hung:?}");
    assert!(
        !transport.timed_out(),
        "a command timeout is not the host deadline"
    );
    let out = transport
        .exec("echo after", Duration::from_secs(10))
        .unwrap();
    assert_eq!(out.stdout, b"after\n");
    transport.disconnect();
    // The key was recorded, as ssh records it, and is trusted next time.
    let recorded = std::fs::read_to_string(client.known_hosts()).unwrap();
    assert_eq!(
        recorded,
        format!("[127.0.0.1]:{} {}\n", sshd.port, sshd.host_key())
    );
    let strict = ssh_client(options(&client, false));
    strict
        .connect(&sshd.target(&client), in_a_minute())
        .expect("a recorded key is trusted")
        .disconnect();
}

#[test]
#[cfg_attr(
    not(test_tool = "sshd"),
    ignore = "needs sshd (apt-get install openssh-server)"
)]
fn an_unknown_host_key_is_refused_without_accept_new() {
    let (client, sshd) = started();
    let ssh = ssh_client(options(&client, false));
    let Err(ConnectError::HostKeyRefused(message)) =
        ssh.connect(&sshd.target(&client), in_a_minute())
    else {
        panic!("an unknown key must be refused");
    };
    assert!(message.contains("is not in"), "{message}");
    assert!(message.contains("--accept-new-host-key"), "{message}");
    assert!(!client.known_hosts().exists(), "nothing recorded");
}

#[test]
#[cfg_attr(
    not(test_tool = "sshd"),
    ignore = "needs sshd (apt-get install openssh-server)"
)]
fn a_changed_host_key_is_refused_with_both_fingerprints() {
    let (client, sshd) = started();
    let old = client.dir.path().join("old_host");
    keygen(&old, "ed25519");
    let old_key = std::fs::read_to_string(old.with_extension("pub")).unwrap();
    let old_key: String = old_key
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    std::fs::write(
        client.known_hosts(),
        format!("[127.0.0.1]:{} {old_key}\n", sshd.port),
    )
    .unwrap();
    // Even --accept-new-host-key never accepts a changed key.
    let ssh = ssh_client(options(&client, true));
    let Err(ConnectError::HostKeyRefused(message)) =
        ssh.connect(&sshd.target(&client), in_a_minute())
    else {
        panic!("a changed key must be refused");
    };
    let fingerprint = |pub_file: &Path| {
        let out = Command::new("ssh-keygen")
            .arg("-lf")
            .arg(pub_file)
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_owned()
    };
    let presented = fingerprint(&sshd.dir.path().join("host_ed25519.pub"));
    let known = fingerprint(&old.with_extension("pub"));
    assert!(message.contains("HAS CHANGED"), "{message}");
    assert!(message.contains(&presented), "{message}\nlacks {presented}");
    assert!(message.contains(&known), "{message}\nlacks {known}");
    assert!(
        message.contains(&old_key),
        "the known_hosts line is shown: {message}"
    );
}

#[test]
#[cfg_attr(
    not(test_tool = "sshd"),
    ignore = "needs sshd (apt-get install openssh-server)"
)]
fn a_hashed_known_hosts_entry_is_trusted() {
    let (client, sshd) = started();
    std::fs::write(
        client.known_hosts(),
        format!("[127.0.0.1]:{} {}\n", sshd.port, sshd.host_key()),
    )
    .unwrap();
    // ssh-keygen -H hashes every name in place, as HashKnownHosts would have written it.
    run(
        "ssh-keygen",
        &["-H", "-f", client.known_hosts().to_str().unwrap()],
    );
    let hashed = std::fs::read_to_string(client.known_hosts()).unwrap();
    assert!(hashed.starts_with("|1|"), "{hashed}");
    let ssh = ssh_client(options(&client, false));
    ssh.connect(&sshd.target(&client), in_a_minute())
        .expect("the hashed entry matches")
        .disconnect();
}

#[test]
#[cfg_attr(
    not(test_tool = "sshd"),
    ignore = "needs sshd (apt-get install openssh-server)"
)]
fn a_wrong_client_key_is_refused() {
    let (client, sshd) = started();
    let stranger = ClientKeys::new();
    let ssh = ssh_client(options(&client, true));
    let mut target = sshd.target(&client);
    target.identity_files = vec![stranger.key()];
    let Err(ConnectError::AuthFailed(message)) = ssh.connect(&target, in_a_minute()) else {
        panic!("a key not in authorized_keys must be refused");
    };
    assert!(message.contains("rejected"), "{message}");
    assert!(message.contains("never used"), "{message}");
}

#[test]
#[cfg_attr(
    not(test_tool = "ssh_keygen"),
    ignore = "needs ssh-keygen (apt-get install openssh-client)"
)]
fn an_unreachable_port_fails_fast() {
    let client = ClientKeys::new();
    let ssh = ssh_client(options(&client, true));
    let mut target = resolve(
        &format!("127.0.0.1:{}", free_port()),
        &Default::default(),
        &SshConfig::default(),
    )
    .unwrap();
    target.identity_files = vec![client.key()];
    // Unreachable, not timed out: the refused connection ends it before the deadline.
    let Err(ConnectError::Unreachable(message)) = ssh.connect(&target, in_a_minute()) else {
        panic!("nothing listens there");
    };
    assert!(message.contains("cannot connect"), "{message}");
}

#[test]
#[cfg_attr(
    not(test_tool = "ssh_keygen"),
    ignore = "needs ssh-keygen (apt-get install openssh-client)"
)]
fn a_host_that_never_speaks_times_out_at_the_deadline() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts and keeps the connection open, silent.
    let _holder = std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(1).collect();
        std::thread::sleep(Duration::from_secs(30));
        drop(held);
    });
    let client = ClientKeys::new();
    let ssh = ssh_client(options(&client, true));
    let target = resolve(
        &format!("127.0.0.1:{port}"),
        &Default::default(),
        &SshConfig::default(),
    )
    .unwrap();
    let started = Instant::now();
    let result = ssh.connect(&target, Instant::now() + Duration::from_secs(2));
    assert!(
        matches!(result, Err(ConnectError::TimedOut(_))),
        "{:?}",
        result.err()
    );
    // Not before the deadline (how long after it depends on the machine's load).
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(2), "{took:?}");
}

#[test]
#[cfg_attr(
    not(test_tool = "sshd"),
    ignore = "needs sshd (apt-get install openssh-server)"
)]
fn proxy_jump_reaches_a_host_through_another() {
    let client = ClientKeys::new();
    let bastion = Sshd::start(&client);
    let inner = Sshd::start(&client);
    let user = current_user();
    let config = SshConfig::parse(
        &format!(
            "Host bastion\n  HostName 127.0.0.1\n  Port {}\n  User {user}\n  IdentityFile {key}\n\
             Host inner\n  HostName 127.0.0.1\n  Port {}\n  User {user}\n  IdentityFile {key}\n  ProxyJump bastion\n",
            bastion.port,
            inner.port,
            key = client.key().display()
        ),
        Path::new("."),
    )
    .unwrap();
    let for_jumps = config.clone();
    let ssh = SshClient::new(options(&client, true), move |name| {
        resolve(name, &Default::default(), &for_jumps)
    })
    .unwrap();
    let target = resolve("inner", &Default::default(), &config).unwrap();
    let transport = ssh
        .connect(&target, in_a_minute())
        .expect("connects via bastion");
    let out = transport.exec("echo via", Duration::from_secs(10)).unwrap();
    assert_eq!(out.stdout, b"via\n");
    transport.disconnect();
    let recorded = std::fs::read_to_string(client.known_hosts()).unwrap();
    assert_eq!(
        recorded.lines().count(),
        2,
        "both host keys recorded: {recorded}"
    );
}

/// `preflight audit host` with this client's key and known_hosts, never the user's agent
/// or ~/.ssh (HOME is the client's directory).
pub(crate) fn audit_host(client: &ClientKeys, args: &[&str]) -> std::process::Output {
    common::preflight_in(client.dir.path())
        .env("HOME", client.dir.path())
        .env_remove("SSH_AUTH_SOCK")
        .args(["audit", "host", "--no-agent", "-i"])
        .arg(client.key())
        .arg("--known-hosts")
        .arg(client.known_hosts())
        .args(args)
        .output()
        .expect("runs")
}

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// (rule, path without the host prefix, line, message) of every finding.
pub(crate) fn finding_keys(
    report: &serde_json::Value,
    prefix: &str,
) -> Vec<(String, String, u64, String)> {
    let mut keys: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let path = f["location"]["path"].as_str().expect("path");
            (
                f["rule_id"].as_str().expect("rule").to_owned(),
                path.strip_prefix(prefix)
                    .unwrap_or_else(|| panic!("{path} lacks {prefix}"))
                    .to_owned(),
                f["location"]["start_line"].as_u64().expect("line"),
                // A message that names a file (BAK001) names it as reports show it.
                f["message"]
                    .as_str()
                    .expect("message")
                    .replace(&format!("`{prefix}/"), "`/"),
            )
        })
        .collect();
    keys.sort();
    keys
}

#[test]
#[cfg_attr(
    not(test_tool = "sshd"),
    ignore = "needs sshd (apt-get install openssh-server)"
)]
fn audit_host_over_ssh_finds_what_audit_local_finds() {
    let _machine = crate::host_changes::machine_unchanged();
    let (client, sshd) = started();
    // A real condition on this machine: a database port open on every interface.
    let listener = [5432, 3306, 27017, 9200, 6379]
        .into_iter()
        .find_map(|port| TcpListener::bind(("0.0.0.0", port)).ok())
        .expect("a free database port");
    let planted = listener.local_addr().unwrap().port();
    let target = format!("{}@127.0.0.1:{}", current_user(), sshd.port);
    let started = Instant::now();
    let over_ssh = audit_host(
        &client,
        &[
            &target,
            "--accept-new-host-key",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--timeout",
            "120",
        ],
    );
    let ssh_took = started.elapsed();
    assert_eq!(
        over_ssh.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&over_ssh.stderr)
    );
    let stderr = String::from_utf8_lossy(&over_ssh.stderr);
    let label = format!("127.0.0.1:{}", sshd.port);
    assert!(
        stderr.contains(&format!("{label}: added the host key")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{label}: ok")) || stderr.contains(&format!("{label}: findings")),
        "{stderr}"
    );
    let local = common::preflight_in(client.dir.path())
        .args([
            "audit",
            "local",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--timeout",
            "120",
        ])
        .output()
        .expect("runs");
    drop(listener);
    let (remote, local) = (json(&over_ssh), json(&local));
    let prefix = format!("ssh://{label}");
    let (remote_keys, local_keys) = (finding_keys(&remote, &prefix), finding_keys(&local, ""));
    assert!(
        remote_keys
            .iter()
            .any(|(rule, _, _, message)| rule == "LIVE001"
                && message.contains(&format!("port {planted} "))),
        "the planted listener on 0.0.0.0:{planted} was found over SSH: {remote_keys:#?}"
    );
    // Processes and sockets are the machine's moving state (other tests start and stop
    // them between the two runs); everything else must match exactly.
    let settled = |keys: Vec<(String, String, u64, String)>| -> Vec<_> {
        keys.into_iter()
            .filter(|(_, path, _, _)| {
                !["/.preflight/ps", "/.preflight/ss", "/.preflight/netstat"]
                    .iter()
                    .any(|moving| path.starts_with(moving))
            })
            .collect()
    };
    assert_eq!(settled(remote_keys), settled(local_keys));
    // Each finding names its host; the same files were read.
    for finding in remote["findings"].as_array().unwrap() {
        assert_eq!(finding["host"], label.as_str());
    }
    assert_eq!(
        remote["summary"]["files_checked"],
        local["summary"]["files_checked"]
    );
    assert!(remote["summary"]["files_checked"].as_u64().unwrap() > 0);
    eprintln!("one host over SSH: {ssh_took:?}");
}

#[test]
#[cfg_attr(
    not(test_tool = "sshd"),
    ignore = "needs sshd (apt-get install openssh-server)"
)]
fn cli_failures_exit_2_with_a_status_line() {
    let (client, sshd) = started();
    let target = format!("{}@127.0.0.1:{}", current_user(), sshd.port);
    // Unknown host key, no --accept-new-host-key.
    let refused = audit_host(&client, &[&target]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains(": host key refused"), "{stderr}");
    let stdout = String::from_utf8_lossy(&refused.stdout);
    assert!(
        stdout.contains(&format!("ssh://127.0.0.1:{}: host key refused", sshd.port))
            && stdout.contains("1 host not audited."),
        "{stdout}"
    );
    // Nothing listening: unreachable.
    let unreachable = audit_host(
        &client,
        &[&format!("127.0.0.1:{}", free_port()), "--format", "sarif"],
    );
    assert_eq!(unreachable.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unreachable.stderr).contains(": unreachable"));
    let sarif = json(&unreachable);
    common::assert_valid_sarif(&sarif);
    let note = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert!(
        note["message"]["text"]
            .as_str()
            .unwrap()
            .contains("unreachable: cannot connect"),
        "{note}"
    );
}

#[test]
#[cfg_attr(
    not(test_tool = "sshd"),
    ignore = "needs sshd (apt-get install openssh-server)"
)]
fn a_fleet_of_twenty_with_one_hanging_host_finishes_within_the_timeout() {
    let _machine = crate::host_changes::machine_unchanged();
    let client = ClientKeys::new();
    // The fleet's hosts are shaped so the test measures the fleet, not this machine: a
    // login shell reading the real ~/.bashrc (pyenv init and the like: 200 ms per command
    // here) and apt's package list (seconds of CPU per host) would, twenty times at
    // once on two cores, measure the CPU. So the sessions get an empty HOME and a PATH
    // whose apt reports itself missing (an "unable to check" note); everything else
    // is collected for real. The single-host test above runs the unshaped snapshot.
    let fakebin = client.dir.path().join("fakebin");
    let home = client.dir.path().join("session-home");
    std::fs::create_dir(&fakebin).unwrap();
    std::fs::create_dir(&home).unwrap();
    let stub = fakebin.join("apt");
    std::fs::write(
        &stub,
        "#!/bin/sh\necho 'apt: left out by the fleet test' >&2\nexit 127\n",
    )
    .unwrap();
    run("chmod", &["+x", stub.to_str().unwrap()]);
    let env = format!(
        "SetEnv PATH={}:/usr/local/bin:/usr/bin:/bin HOME={}\n",
        fakebin.display(),
        home.display()
    );
    let servers: Vec<Sshd> = (0..4).map(|_| Sshd::start_with(&client, &env)).collect();
    // A host that accepts TCP connections and never says a word.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let _holder = std::thread::spawn(move || {
        let _held: Vec<_> = silent.incoming().take(1).collect();
        std::thread::sleep(Duration::from_secs(120));
    });
    let user = current_user();
    let mut config = String::new();
    let mut names = Vec::new();
    for i in 0..19 {
        let server = &servers[i % servers.len()];
        config.push_str(&format!(
            "Host web-{i:02}\n  HostName 127.0.0.1\n  Port {}\n  User {user}\n",
            server.port
        ));
        names.push(format!("web-{i:02}"));
    }
    config.push_str(&format!(
        "Host hanging\n  HostName 127.0.0.1\n  Port {silent_port}\n"
    ));
    names.push("hanging".to_owned());
    let config_path = client.dir.path().join("ssh_config");
    std::fs::write(&config_path, config).unwrap();
    let timeout = 40;
    let mut args: Vec<String> = vec![
        "-F".into(),
        config_path.display().to_string(),
        "--accept-new-host-key".into(),
        "--timeout".into(),
        timeout.to_string(),
        // Longer than --timeout: the host deadline, not the handshake limit, must end it.
        "--connect-timeout".into(),
        "100".into(),
        "--jobs".into(),
        "20".into(),
        "--format".into(),
        "sarif".into(),
        "--fail-on".into(),
        "never".into(),
    ];
    args.extend(names.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = audit_host(&client, &args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    // Ended by the host deadline (--timeout), not the 100 s handshake limit.
    assert!(stderr.contains("hanging: timed out"), "{stderr}");
    // Five aliases per server, accepted concurrently: each key recorded once.
    let recorded = std::fs::read_to_string(client.known_hosts()).unwrap();
    assert_eq!(recorded.lines().count(), servers.len(), "{recorded}");
    for name in &names[..19] {
        assert!(
            stderr.contains(&format!("{name}: ok"))
                || stderr.contains(&format!("{name}: findings")),
            "{name} not audited:\n{stderr}"
        );
    }
    // One SARIF run per host (its own automationDetails.id), for hosts with findings or
    // notes; each result names the host and its file.
    let sarif = json(&output);
    common::assert_valid_sarif(&sarif);
    let runs = sarif["runs"].as_array().unwrap();
    let with_results: std::collections::BTreeSet<String> = runs
        .iter()
        .filter(|run| run["results"].as_array().is_some_and(|r| !r.is_empty()))
        .map(|run| run["automationDetails"]["id"].as_str().unwrap().to_owned())
        .collect();
    for run in runs {
        let id = run["automationDetails"]["id"].as_str().unwrap();
        let host = id
            .strip_prefix("preflight/live/")
            .and_then(|h| h.strip_suffix('/'))
            .unwrap_or_else(|| panic!("{id}"));
        for result in run["results"].as_array().unwrap() {
            assert_eq!(result["properties"]["host"], host);
        }
    }
    for name in &names[..19] {
        let with_findings = stderr.contains(&format!("{name}: findings"));
        assert_eq!(
            with_findings,
            with_results.contains(&format!("preflight/live/{name}/")),
            "{name}: status line and results disagree: {with_results:?}"
        );
    }
}

const ENV_CANARY: &str = "cnrySsh1weak";
const URL_CANARY: &str = "cnrySsh2UrlPw";

#[test]
#[cfg_attr(
    not(test_tool = "sshd"),
    ignore = "needs sshd (apt-get install openssh-server)"
)]
fn an_inventory_group_is_audited_with_its_app_dirs_and_secrets_never_leak() {
    let _machine = crate::host_changes::machine_unchanged();
    let (client, sshd) = started();
    let app = client.dir.path().join("srv/shop");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join(".env"),
        format!(
            "DEBUG=false\nSECRET_KEY={ENV_CANARY}\nDATABASE_URL=postgres://shop:{URL_CANARY}@db.internal/shop\n"
        ),
    )
    .unwrap();
    let user = current_user();
    std::fs::write(
        client.dir.path().join("preflight.toml"),
        format!(
            "[hosts.shop-1]\naddress = \"127.0.0.1\"\nport = {port}\nuser = \"{user}\"\ngroups = [\"web\"]\n\
             app_dirs = [\"{app}\"]\nbackup_max_age = \"2d\"\n\n\
             [hosts.db-1]\naddress = \"127.0.0.1\"\nport = {port}\nuser = \"{user}\"\ngroups = [\"db\"]\n",
            port = sshd.port,
            app = app.display()
        ),
    )
    .unwrap();
    let first = audit_host(
        &client,
        &[
            "--group",
            "web",
            "--accept-new-host-key",
            "--format",
            "json",
            "--timeout",
            "120",
        ],
    );
    assert_ne!(
        first.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let report = json(&first);
    let env_path = format!("ssh://shop-1{}/.env", app.display());
    let on_env: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"]["path"] == env_path.as_str())
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(
        on_env.contains(&"ENV012"),
        "the app dir's .env was read: {on_env:?}"
    );
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["host"] == "shop-1"),
        "only the web group was audited"
    );
    // Every format, the host's secrets masked.
    for format in ["json", "sarif", "human", "markdown", "github"] {
        let output = audit_host(
            &client,
            &["--group", "web", "--format", format, "--timeout", "120"],
        );
        assert_ne!(output.status.code(), Some(2), "{format}");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(printed.contains("shop-1"), "{format}: {printed}");
        for canary in [ENV_CANARY, URL_CANARY] {
            assert!(!printed.contains(canary), "{canary} in the {format} report");
        }
    }
    // A group nobody is in is an error, not an empty clean fleet.
    let typo = audit_host(&client, &["--group", "wbe"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&typo.stderr).contains("no inventory host is in group `wbe`"));
}

#[test]
#[cfg_attr(
    not(test_tool = "sshd"),
    ignore = "needs sshd (apt-get install openssh-server)"
)]
fn a_host_finding_is_shown_on_the_repository_file_that_deploys_it() {
    let _machine = crate::host_changes::machine_unchanged();
    let (client, sshd) = started();
    let app = client.dir.path().join("srv/shop");
    std::fs::create_dir_all(&app).unwrap();
    // Secrets only one side has: the drift shows their lines, masked.
    const HOST_TOKEN: &str = "cnryDriftHostTok7Qw9Xz3Lp5Vb8Nm2Kd4";
    const REPOSITORY_TOKEN: &str = "cnryDriftRepoTok3Hf6Jg1Ws8Ey5Ru2Ti9";
    let host_env = format!("DEBUG=true\nSECRET_KEY={ENV_CANARY}\nAPI_TOKEN={HOST_TOKEN}\n");
    std::fs::write(app.join(".env"), &host_env).unwrap();
    // The repository's copy: a comment on top and DEBUG=false (the host drifted there), and
    // another token at the end.
    let deploy = client.dir.path().join("deploy");
    std::fs::create_dir_all(&deploy).unwrap();
    std::fs::write(
        deploy.join("shop.env"),
        format!("# deployed by the playbook\nDEBUG=false\nSECRET_KEY={ENV_CANARY}\nSTRIPE_TOKEN={REPOSITORY_TOKEN}\n"),
    )
    .unwrap();
    let inventory = |files: &str| {
        std::fs::write(
            client.dir.path().join("preflight.toml"),
            format!(
                "[hosts.shop-1]\naddress = \"127.0.0.1\"\nport = {port}\nuser = \"{user}\"\n\
                 app_dirs = [\"{app}\"]\nfiles = {{ {files} }}\n",
                port = sshd.port,
                user = current_user(),
                app = app.display()
            ),
        )
        .unwrap();
    };
    inventory(&format!("\"{}/.env\" = \"deploy/shop.env\"", app.display()));
    let args = [
        "shop-1",
        "--accept-new-host-key",
        "--timeout",
        "120",
        "--format",
    ];
    let output = audit_host(&client, &[&args[..], &["json"]].concat());
    assert_ne!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    let find = |rule: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == rule)
            .unwrap_or_else(|| panic!("{rule}: {report}"))
            .clone()
    };
    let on_host = format!("ssh://shop-1{}/.env", app.display());
    // The weak secret's line is the repository's too: shown there, the host's place related.
    let secret = find("ENV012");
    assert_eq!(secret["location"]["path"], "deploy/shop.env");
    assert_eq!(secret["location"]["start_line"], 3);
    assert_eq!(secret["related"][0]["path"], on_host.as_str());
    assert_eq!(secret["related"][0]["start_line"], 2);
    assert_eq!(secret["host"], "shop-1");
    // DEBUG=true is the host's own line: it stays on the host.
    let debug = find("ENV001");
    assert_eq!(debug["location"]["path"], on_host.as_str());
    // The drift: at the repository file's first line the host lacks (the comment).
    let drift = find("LIVE017");
    assert_eq!(drift["location"]["path"], "deploy/shop.env");
    assert_eq!(drift["location"]["start_line"], 1);
    assert_eq!(drift["host"], "shop-1");
    assert!(
        drift["message"].as_str().unwrap().contains("in 2 place(s)"),
        "{drift}"
    );
    // Each part with its lines on both sides, secrets masked by the .env format.
    let parts: Vec<(String, u64, String, String)> = drift["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_owned(),
                r["start_line"].as_u64().unwrap(),
                r["message"].as_str().unwrap().to_owned(),
                r["snippet"]["text"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let stars = |n: usize| "*".repeat(n);
    assert_eq!(
        parts,
        [
            (
                on_host.clone(),
                1,
                "only on the host (line 1), in place of the repository's lines 1–2".to_owned(),
                "DEBUG=true".to_owned()
            ),
            (
                on_host.clone(),
                3,
                "only on the host (line 3), in place of the repository's line 4".to_owned(),
                format!("API_TOKEN={}", stars(HOST_TOKEN.len()))
            ),
            (
                "deploy/shop.env".to_owned(),
                4,
                "only in the repository (line 4)".to_owned(),
                format!("STRIPE_TOKEN={}", stars(REPOSITORY_TOKEN.len()))
            ),
        ]
    );
    assert_eq!(
        drift["snippet"]["text"],
        "# deployed by the playbook\nDEBUG=false"
    );
    // SARIF: the moved finding on the repository file, every location a relative path.
    let output = audit_host(&client, &[&args[..], &["sarif"]].concat());
    let sarif = json(&output);
    common::assert_valid_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let uri = |r: &serde_json::Value| {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    let moved = results.iter().find(|r| r["ruleId"] == "ENV012").unwrap();
    assert_eq!(uri(moved), "deploy/shop.env");
    let drift = results.iter().find(|r| r["ruleId"] == "LIVE017").unwrap();
    assert_eq!(uri(drift), "deploy/shop.env");
    // The repository's other part is a related location with its lines, the host's parts
    // are properties (no file of the checkout holds them).
    let related = &drift["relatedLocations"][0]["physicalLocation"];
    assert_eq!(related["artifactLocation"]["uri"], "deploy/shop.env");
    assert_eq!(
        related["region"]["snippet"]["text"],
        format!("STRIPE_TOKEN={}", "*".repeat(REPOSITORY_TOKEN.len())).as_str()
    );
    assert_eq!(drift["properties"]["hostSnippet"], "DEBUG=true");
    assert_eq!(
        drift["properties"]["hostRelatedSnippets"][0]["snippet"],
        format!("API_TOKEN={}", "*".repeat(HOST_TOKEN.len())).as_str()
    );
    assert!(moved["message"]["text"]
        .as_str()
        .unwrap()
        .contains(&on_host));
    assert!(
        results.iter().all(|r| !uri(r).contains("://")),
        "{results:?}"
    );
    for format in ["json", "sarif", "human"] {
        let output = audit_host(&client, &[&args[..], &[format]].concat());
        let printed = String::from_utf8_lossy(&output.stdout);
        for secret in [ENV_CANARY, HOST_TOKEN, REPOSITORY_TOKEN] {
            assert!(
                !printed.contains(secret),
                "the secret {secret} in the {format} report"
            );
        }
        if format == "human" {
            // The host's part of the drift, as a unified diff's lines would show it.
            assert!(
                printed.contains(&format!("3 | API_TOKEN={}", "*".repeat(HOST_TOKEN.len()))),
                "{printed}"
            );
        }
    }
    // A repository path leaving the configuration's folder is a configuration error.
    inventory(&format!(
        "\"{}/.env\" = \"../../etc/passwd\"",
        app.display()
    ));
    let refused = audit_host(&client, &[&args[..], &["json"]].concat());
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("without `..`"));
}

#[test]
#[cfg_attr(
    not(test_tool = "sshd"),
    ignore = "needs sshd (apt-get install openssh-server)"
)]
fn ecdsa_and_rsa_keys_authenticate_and_a_passphrase_key_fails_clearly_without_a_terminal() {
    let (client, sshd) = started();
    let mut authorized = String::new();
    for kind in ["ecdsa", "rsa"] {
        let key = client.dir.path().join(format!("id_{kind}"));
        keygen(&key, kind);
        authorized.push_str(&std::fs::read_to_string(key.with_extension("pub")).unwrap());
    }
    let locked = passphrase_key(&client);
    authorized.push_str(&std::fs::read_to_string(locked.with_extension("pub")).unwrap());
    std::fs::write(sshd.dir.path().join("authorized_keys"), authorized).unwrap();
    let ssh = ssh_client(options(&client, true));
    // OpenSSH (8.8+) refuses SHA-1 `ssh-rsa` signatures: the RSA login proves rsa-sha2.
    for kind in ["ecdsa", "rsa"] {
        let mut target = sshd.target(&client);
        target.identity_files = vec![client.dir.path().join(format!("id_{kind}"))];
        let transport = ssh
            .connect(&target, in_a_minute())
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        let out = transport.exec("echo in", Duration::from_secs(10)).unwrap();
        assert_eq!(out.stdout, b"in\n", "{kind}");
        transport.disconnect();
    }
    // Standard input is not a terminal here: the key is skipped with a clear reason.
    let target = format!("{}@127.0.0.1:{}", current_user(), sshd.port);
    let output = common::preflight_in(client.dir.path())
        .env("HOME", client.dir.path())
        .env_remove("SSH_AUTH_SOCK")
        .args(["audit", "host", "--no-agent", "-i"])
        .arg(&locked)
        .arg("--known-hosts")
        .arg(client.known_hosts())
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(": auth failed"), "{stderr}");
    assert!(
        stderr.contains("protected by a passphrase and there is no terminal"),
        "{stderr}"
    );
    assert!(!stderr.contains("correct horse"));
}

#[test]
#[cfg_attr(
    not(all(test_tool = "sshd", test_tool = "ssh_agent")),
    ignore = "needs sshd, ssh-agent and ssh-add (apt-get install openssh-server)"
)]
fn keys_held_by_ssh_agent_authenticate() {
    let (client, sshd) = started();
    let socket = client.dir.path().join("agent.sock");
    let mut agent = Command::new("ssh-agent")
        .args(["-D", "-a"])
        .arg(&socket)
        .stdout(Stdio::null())
        .spawn()
        .expect("ssh-agent");
    let started = Instant::now();
    while !socket.exists() && started.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let added = Command::new("ssh-add")
        .arg(client.key())
        .env("SSH_AUTH_SOCK", &socket)
        .output()
        .expect("ssh-add");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    // No key file to offer (HOME has no .ssh): only the agent can log in.
    let output = common::preflight_in(client.dir.path())
        .env("HOME", client.dir.path())
        .env("SSH_AUTH_SOCK", &socket)
        .args(["audit", "host", "--accept-new-host-key", "--known-hosts"])
        .arg(client.known_hosts())
        .arg(format!("{}@127.0.0.1:{}", current_user(), sshd.port))
        .args(["--format", "json", "--fail-on", "never", "--timeout", "120"])
        .output()
        .unwrap();
    let _ = agent.kill();
    let _ = agent.wait();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(json(&output)["summary"]["files_checked"].as_u64().unwrap() > 0);
}

#[test]
#[cfg_attr(
    not(all(test_tool = "sshd", test_tool = "script")),
    ignore = "needs sshd and script (apt-get install openssh-server bsdutils)"
)]
fn a_passphrase_is_asked_on_a_terminal_and_unlocks_the_key() {
    let (client, sshd) = started();
    let locked = passphrase_key(&client);
    std::fs::copy(
        locked.with_extension("pub"),
        sshd.dir.path().join("authorized_keys"),
    )
    .unwrap();
    let command = format!(
        "env HOME={home} SSH_AUTH_SOCK= {bin} audit host --no-agent -i {key} --known-hosts {kh} \
         --accept-new-host-key {user}@127.0.0.1:{port} --fail-on never --quiet --timeout 120",
        home = client.dir.path().display(),
        bin = assert_cmd::cargo::cargo_bin("preflight").display(),
        key = locked.display(),
        kh = client.known_hosts().display(),
        user = current_user(),
        port = sshd.port,
    );
    // util-linux `script` gives preflight a pseudo-terminal; the passphrase is typed once
    // the prompt had time to appear (and to switch echo off).
    let mut script = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script(1) runs");
    std::thread::sleep(Duration::from_secs(3));
    use std::io::Write;
    script
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse\n")
        .unwrap();
    let output = script.wait_with_output().unwrap();
    let transcript = String::from_utf8_lossy(&output.stdout);
    assert!(
        transcript.contains(&format!("Enter passphrase for key '{}'", locked.display())),
        "{transcript}"
    );
    assert!(transcript.contains("files checked"), "{transcript}");
    assert_eq!(output.status.code(), Some(0), "{transcript}");
}

/// An ed25519 client key protected by the passphrase `correct horse`.
fn passphrase_key(client: &ClientKeys) -> PathBuf {
    let locked = client.dir.path().join("id_locked");
    run(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "correct horse",
            "-f",
            locked.to_str().unwrap(),
        ],
    );
    locked
}
