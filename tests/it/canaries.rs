//! The generative canary test: no secret reaches any output, whatever the file and wherever
//! the secret is written.
//!
//! Every fixture under `fixtures/` and every rule's failing example is copied into a scratch
//! tree with random canaries planted at every secret position a file can have:
//! - the value of every secret-like setting (`DB_PASSWORD=…`, `secret: …`, `--token=…`,
//!   `requirepass …`, `SECRET_KEY = …`, whatever expression stood there),
//! - the password of every URL with user-info,
//! - a line no parser can read, inserted into every file,
//! - a credential on a command line, for every tool of the shared command-line recogniser's
//!   table, in every kind of file that carries command lines.
//!
//! The tree is checked once per output format (human, JSON, SARIF, GitHub, Markdown, HTML) and with
//! `--write-baseline`, and every file is written as a host snapshot would be
//! (`--save-snapshot`). The test fails on any canary, or any 8-character fragment of one, in
//! standard output, standard error, the baseline or a snapshot file. Canaries are digit-free
//! and read like passwords (`qzkvbd-hormwe-ptaxqlnz`), so no entropy heuristic hides them by
//! luck: they are hidden because their position is known to hold a secret.
//!
//! `PREFLIGHT_CANARY_SEEDS=N` runs N seeds instead of three (README: "Hunting for leaks").

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use preflight::document::classify;
use preflight::formats::Target;
use preflight::live::save::redacted;
use preflight::live::snapshot::SnapshotFile;
use preflight::policy::Catalog;
use regex::Regex;

use crate::common::{self, preflight_in};

/// Lowercase letters only: a canary must not look like a generated token.
const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

/// Hands out distinct canaries from a seed, and remembers them (with the file an unreadable
/// line was planted in).
struct Canaries {
    state: u64,
    issued: Vec<(String, Option<String>)>,
}

impl Canaries {
    fn new(seed: u64) -> Self {
        Self {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            issued: Vec::new(),
        }
    }

    fn letters(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| {
                // xorshift64*
                self.state ^= self.state >> 12;
                self.state ^= self.state << 25;
                self.state ^= self.state >> 27;
                let r = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D);
                LETTERS[usize::try_from(r >> 59).unwrap_or(0) % LETTERS.len()] as char
            })
            .collect()
    }

    /// A number below `n`.
    fn pick(&mut self, n: usize) -> usize {
        self.letters(4)
            .bytes()
            .fold(0, |acc, b| acc * 26 + usize::from(b - b'a'))
            % n.max(1)
    }

    /// `qz` and three groups of random letters.
    fn next(&mut self) -> String {
        let canary = format!(
            "qz{}-{}-{}",
            self.letters(4),
            self.letters(6),
            self.letters(8)
        );
        self.issued.push((canary.clone(), None));
        canary
    }

    /// Every 8-character window of every canary, with the canary's number.
    fn fragments(&self) -> HashMap<String, usize> {
        let mut fragments = HashMap::new();
        for (i, (canary, _)) in self.issued.iter().enumerate() {
            let chars: Vec<char> = canary.chars().collect();
            for window in chars.windows(8) {
                fragments.insert(window.iter().collect(), i);
            }
        }
        fragments
    }
}

/// The value of a secret-like setting: a name ending in a secret word, a separator (`=`,
/// `:`, ` = `, whitespace), an optional opening quote, the value up to a delimiter.
static SECRET_SETTING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:^|[\s{,("'-])(?:[a-z0-9_.]*[_.-])?(?:password|passwd|secret|secret_?key|token|api_?key|access_?key|private_?key|auth_?token|credentials?|requirepass|masterauth|_authtoken)["']?(?:\s*[:=]\s*|\s+)["']?([^\s"'`,;{}()\[\]<>|&$\\]{3,})"#,
    )
    .expect("valid regex")
});

/// The password of a URL with user-info.
static URL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[a-z][a-z0-9+.-]*://[^\s:/@'\x22]+:([^\s@/'\x22$]{2,})@").expect("valid regex")
});

/// Values that say a secret-named setting holds none: a flag (`ALLOW_EMPTY_PASSWORD: "yes"`,
/// `MYSQL_RANDOM_ROOT_PASSWORD: "1"`) or a file the secret is read from
/// (`LoadCredential=db-password:/etc/app/db-password`, `*_PASSWORD_FILE`).
fn names_no_secret(value: &str) -> bool {
    let value = value.trim_matches(['"', '\'']);
    matches!(
        value.to_ascii_lowercase().as_str(),
        "yes" | "no" | "true" | "false" | "on" | "off" | "0" | "1"
    ) || value.starts_with('/')
}

/// Replaces every secret value and URL password of `text` with a canary; returns how many.
fn plant_values(text: &str, canaries: &mut Canaries) -> (String, usize) {
    let mut planted = 0;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with("//") {
            out.push_str(line);
            continue;
        }
        // Code before a trailing comment; in the comment, words are prose.
        let code_end = line.find(" #").unwrap_or(line.len());
        let mut values: Vec<std::ops::Range<usize>> = SECRET_SETTING
            .captures_iter(line)
            .chain(URL_PASSWORD.captures_iter(line))
            .filter_map(|c| c.get(1).map(|m| m.range()))
            .filter(|value| value.end <= code_end && !names_no_secret(&line[value.clone()]))
            .collect();
        values.sort_by_key(|r| r.start);
        let mut at = 0;
        for value in values {
            if value.start < at {
                continue;
            }
            out.push_str(&line[at..value.start]);
            out.push_str(&canaries.next());
            planted += 1;
            at = value.end;
        }
        out.push_str(&line[at..]);
    }
    (out, planted)
}

/// `text` with a line no parser of any format reads (a stray word, an unterminated quote,
/// an unopened bracket) inserted after its first line, or with more seeds after a line the
/// seed picks.
fn plant_unreadable_line(
    text: &str,
    canaries: &mut Canaries,
    anywhere: bool,
    planted_in: &str,
) -> String {
    let canary = canaries.next();
    let line = format!("{canary} \"{} ]{{\n", canaries.next());
    let issued = canaries.issued.len();
    for (_, origin) in &mut canaries.issued[issued - 2..] {
        *origin = Some(planted_in.to_owned());
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut after = if anywhere {
        canaries.pick(lines.len() + 1)
    } else {
        1.min(lines.len())
    };
    // Not within a line continued with `\` (comment lines between its parts included, as
    // BuildKit reads them): the planted line would be part of that statement (a `RUN`
    // command's words), content rather than a line of its own.
    let continued = |after: usize| {
        lines[..after]
            .iter()
            .rev()
            .find(|l| !l.trim_start().starts_with('#'))
            .is_some_and(|l| l.trim_end().ends_with('\\'))
    };
    while after > 0 && after < lines.len() && continued(after) {
        after += 1;
    }
    let mut out = lines[..after].concat();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&line);
    out.push_str(&lines[after..].concat());
    out
}

/// Credential-bearing command lines, one per row of the shared recogniser's table; `{}` is
/// the secret.
const COMMANDS: &[&str] = &[
    "curl -fsS -u deploy:{} https://api.example.org/hook",
    "curl -H \"Authorization: Bearer {}\" https://api.example.org/",
    "curl --header 'X-Api-Key: {}' https://api.example.org/",
    "wget --header=\"Authorization: token {}\" https://example.org/x",
    "wget --password={} ftp://files.example.org/x",
    "openssl enc -aes-256-cbc -pass pass:{} -in dump.sql -out dump.enc",
    "zip -P {} backup.zip dump.sql",
    "sshpass -p {} ssh backup@host",
    "smbclient //nas/backup -U backup%{} -c 'put dump.sql'",
    "htpasswd -b /etc/nginx/.htpasswd admin {}",
    "psql \"host=db user=app password={}\" -c 'select 1'",
    "npm config set //registry.npmjs.org/:_authToken={}",
    "mysqldump -p{} shop > /var/backups/shop.sql",
    "redis-cli -a {} ping",
    "PGPASSWORD={} pg_dump app > /var/backups/app.sql",
    "echo \"machine example.org login deploy password {}\" > ~/.netrc",
];

/// Files that carry command lines, as (file name, text around the command).
fn command_carriers(command: &str) -> Vec<(&'static str, String)> {
    let json = command.replace('\\', "\\\\").replace('"', "\\\"");
    let yaml = command.replace('\'', "''");
    vec![
        ("backup.crontab", format!("0 2 * * * {command}\n")),
        (
            "Dockerfile",
            format!("FROM debian:12\nRUN {command}\nUSER app\n"),
        ),
        (
            "backup.service",
            format!("[Service]\nType=oneshot\nExecStart=/bin/sh -c '{}'\n", command.replace('\'', "\\'")),
        ),
        (
            "docker-compose.yml",
            format!(
                "services:\n  job:\n    image: debian:12\n    command: ['sh', '-c', '{yaml}']\n    healthcheck:\n      test: ['CMD-SHELL', '{yaml}']\n"
            ),
        ),
        (
            "package.json",
            format!("{{\"name\": \"app\", \"scripts\": {{\"backup\": \"{json}\"}}}}\n"),
        ),
        (
            "deployment.yaml",
            format!(
                "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: backup\nspec:\n  template:\n    spec:\n      containers:\n        - name: job\n          image: debian:12\n          args: ['sh', '-c', '{yaml}']\n      restartPolicy: Never\n"
            ),
        ),
    ]
}

/// Every file under `dir`, relative to it.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("read fixtures") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path.strip_prefix(dir).expect("under").to_path_buf());
            }
        }
    }
    found.sort();
    found
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// What was planted where.
struct Planted {
    tree: tempfile::TempDir,
    canaries: Canaries,
    values: usize,
    unreadable_lines: usize,
    commands: usize,
}

/// The scratch tree for one seed.
fn plant(seed: u64) -> Planted {
    let mut canaries = Canaries::new(seed);
    let tree = tempfile::tempdir().expect("tempdir");
    let (mut values, mut unreadable_lines, mut commands) = (0, 0, 0);
    let fixtures = common::root().join("fixtures");
    let mut seeds: Vec<(PathBuf, String)> = Vec::new();
    for relative in files_under(&fixtures) {
        if let Ok(text) = std::fs::read_to_string(fixtures.join(&relative)) {
            seeds.push((relative, text));
        }
    }
    let catalog = Catalog::builtin().expect("catalog");
    for rule in catalog.all() {
        for (i, example) in rule.examples.fail.iter().enumerate() {
            let name = match rule.targets[0] {
                Target::Django => "settings/production.py",
                other => other.example_file_name(),
            };
            seeds.push((
                PathBuf::from(format!("examples/{}-{i}", rule.id)).join(name),
                example.clone(),
            ));
        }
    }
    for (relative, text) in &seeds {
        let (with_values, n) = plant_values(text, &mut canaries);
        values += n;
        write(&tree.path().join("values").join(relative), &with_values);
        let planted_in = Path::new("unreadable").join(relative);
        let shown = planted_in.to_string_lossy().into_owned();
        write(
            &tree.path().join(&planted_in),
            &plant_unreadable_line(text, &mut canaries, seed > 1, &shown),
        );
        unreadable_lines += 1;
    }
    for (i, template) in COMMANDS.iter().enumerate() {
        for (name, text) in command_carriers(&template.replace("{}", &canaries.next())) {
            write(&tree.path().join(format!("commands/{i}/{name}")), &text);
            commands += 1;
        }
    }
    Planted {
        tree,
        canaries,
        values,
        unreadable_lines,
        commands,
    }
}

/// Where `text` contains a canary fragment: the canary's number, and the fragment with the
/// line around it.
fn leaks(text: &str, fragments: &HashMap<String, usize>) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        if let Some((window, canary)) = chars
            .windows(8)
            .map(|w| w.iter().collect::<String>())
            .find_map(|w| fragments.get(&w).map(|&i| (w, i)))
        {
            found.push((
                canary,
                format!(
                    "`{window}` in: {}",
                    line.chars().take(300).collect::<String>()
                ),
            ));
        }
    }
    found
}

/// The JSON report's leaks, each named by its file, rule and field, so a failure says where
/// to look.
fn json_leaks(stdout: &[u8], fragments: &HashMap<String, usize>) -> Vec<(usize, String)> {
    let report: serde_json::Value = serde_json::from_slice(stdout).expect("JSON report");
    let mut found = Vec::new();
    for finding in report["findings"].as_array().expect("findings") {
        let mut fields = vec![
            ("message", finding["message"].as_str()),
            ("snippet", finding["snippet"]["text"].as_str()),
        ];
        for related in finding["related"].as_array().into_iter().flatten() {
            fields.push(("related", related["message"].as_str()));
        }
        for (field, text) in fields {
            for (canary, leak) in leaks(text.unwrap_or(""), fragments) {
                found.push((
                    canary,
                    format!(
                        "{} {} {field}: {leak}",
                        finding["location"]["path"].as_str().unwrap_or(""),
                        finding["rule_id"].as_str().unwrap_or("")
                    ),
                ));
            }
        }
    }
    found
}

fn check_seed(seed: u64) -> (usize, Vec<String>) {
    let planted = plant(seed);
    let dir = planted.tree.path();
    let fragments = planted.canaries.fragments();
    // (canary, where it was seen)
    let mut seen: Vec<(usize, String)> = Vec::new();
    let mut outputs = 0;
    let mut not_parsed: HashSet<String> = HashSet::new();
    for format in ["json", "human", "sarif", "github", "markdown", "html"] {
        let output = preflight_in(dir)
            .args(["check", ".", "--format", format, "--fail-on", "never"])
            .output()
            .expect("runs");
        assert!(
            output.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            output.stdout.len() > 10_000,
            "{format} output suspiciously short"
        );
        if format == "json" {
            seen.extend(json_leaks(&output.stdout, &fragments));
            let report: serde_json::Value =
                serde_json::from_slice(&output.stdout).expect("JSON report");
            not_parsed.extend(
                report["findings"]
                    .as_array()
                    .expect("findings")
                    .iter()
                    .filter(|f| f["rule_id"] == "PF001")
                    .filter_map(|f| f["location"]["path"].as_str().map(str::to_owned)),
            );
        }
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            for (canary, leak) in leaks(&String::from_utf8_lossy(bytes), &fragments) {
                seen.push((canary, format!("{format} {stream}: {leak}")));
            }
        }
        outputs += 1;
    }
    let baseline = dir.join("baseline.json");
    let output = preflight_in(dir)
        .args(["check", ".", "--write-baseline"])
        .arg(&baseline)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read_to_string(&baseline).expect("baseline written");
    assert!(written.len() > 10_000, "baseline suspiciously short");
    for (canary, leak) in leaks(&written, &fragments) {
        seen.push((canary, format!("baseline: {leak}")));
    }
    let mut snapshots = 0;
    for relative in files_under(dir) {
        let Some(kind) = classify(&relative) else {
            continue;
        };
        let bytes = std::fs::read(dir.join(&relative)).expect("read planted");
        let saved = redacted(
            &SnapshotFile {
                path: Path::new("/").join(&relative),
                target: kind.target,
                bytes,
            },
            b"canary test key",
        );
        snapshots += 1;
        for (canary, leak) in leaks(&String::from_utf8_lossy(&saved), &fragments) {
            seen.push((
                canary,
                format!("snapshot of {}: {leak}", relative.display()),
            ));
        }
    }
    assert!(
        snapshots > 500,
        "only {snapshots} files written as snapshots"
    );
    // A line planted to be unreadable that its format reads as ordinary content (a
    // logrotate path list, the header lines of `ufw status`, a docstring) is content: the
    // file has no parse error, and what it says may be shown. (Files not checked at all,
    // because the line kept their content from confirming their kind, count here too;
    // they show nothing.)
    let read_as_content: HashSet<&str> = planted
        .canaries
        .issued
        .iter()
        .filter_map(|(_, origin)| origin.as_deref())
        .filter(|origin| !not_parsed.contains(*origin))
        .collect();
    let problems: Vec<String> = seen
        .into_iter()
        .filter(|(canary, _)| {
            planted.canaries.issued[*canary]
                .1
                .as_deref()
                .is_none_or(|origin| !read_as_content.contains(origin))
        })
        .map(|(_, leak)| leak)
        .collect();
    assert!(
        read_as_content.len() * 2 < planted.unreadable_lines,
        "most planted lines were read as content: {read_as_content:?}"
    );
    // The planter must plant: a test that planted nothing would pass on anything.
    assert!(
        planted.values > 100,
        "only {} secret values planted",
        planted.values
    );
    assert!(
        planted.unreadable_lines > 500,
        "only {} unreadable lines",
        planted.unreadable_lines
    );
    assert_eq!(planted.commands, COMMANDS.len() * 6);
    let placements = planted.values + planted.unreadable_lines + planted.commands;
    eprintln!(
        "seed {seed}: {placements} canary placements ({} values, {} unreadable lines of which {} read as content, {} command lines) in {outputs} formats, a baseline and {snapshots} snapshot files",
        planted.values,
        planted.unreadable_lines,
        read_as_content.len(),
        planted.commands
    );
    (placements, problems)
}

/// Seeds every `cargo test` runs: the first plants each unreadable line after its file's
/// first line, the others at a place the seed picks (a leak found only there, in an nginx
/// value over several lines, waited for the 20-seed hunt).
const SEEDS_BY_DEFAULT: u64 = 3;

#[test]
fn no_planted_canary_reaches_any_output() {
    let seeds: u64 = std::env::var("PREFLIGHT_CANARY_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(SEEDS_BY_DEFAULT);
    let mut problems = Vec::new();
    for seed in 1..=seeds {
        problems.extend(check_seed(seed).1);
    }
    let shown: Vec<&String> = problems.iter().take(400).collect();
    assert!(
        problems.is_empty(),
        "{} leaks (first 400; the JSON report's first, by file and rule):\n{}",
        problems.len(),
        shown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A password that is also an ordinary word (`password`, the project's own name) hides its
/// own span and nothing else: not the path, not an image or resource name, not a rule's
/// message (masking by searching for the value did all three, and so told the reader the
/// value).
#[test]
fn a_secret_that_is_a_common_word_hides_only_itself() {
    let dir = common::tree(&[
        (
            "password-ngx/.env",
            b"DB_PASSWORD=password\nNODE_ENV=production\n",
        ),
        (
            "password-ngx/docker-compose.yml",
            b"services:\n  web:\n    image: ghcr.io/password-ngx/web:latest\n    restart: always\n  db:\n    image: postgres:16.4\n    restart: always\n    environment:\n      POSTGRES_PASSWORD: password\n",
        ),
        (
            "password-ngx/k8s/secret.yaml",
            b"apiVersion: v1\nkind: Secret\nmetadata:\n  name: password-db\nstringData:\n  password: password\n",
        ),
    ]);
    let (report, _) = common::json_report(dir.path(), &["."]);
    let findings = report["findings"].as_array().expect("findings");
    let text = |f: &serde_json::Value, field: &str| -> String {
        match field {
            "snippet" => f["snippet"]["text"].as_str().unwrap_or("").to_owned(),
            _ => f[field].as_str().unwrap_or("").to_owned(),
        }
    };
    for finding in findings {
        let message = text(finding, "message");
        assert!(
            !message.contains("[hidden]")
                && !message.contains("[redacted]")
                && !message.contains("****"),
            "a message hides something: {message}"
        );
        assert!(
            finding["location"]["path"]
                .as_str()
                .unwrap()
                .starts_with("password-ngx/"),
            "{finding}"
        );
    }
    let at = |path: &str, line: u64| -> Vec<&serde_json::Value> {
        findings
            .iter()
            .filter(|f| f["location"]["path"] == path && f["location"]["start_line"] == line)
            .collect()
    };
    // The secret itself is masked where it is written…
    let weak = at("password-ngx/.env", 1);
    assert!(!weak.is_empty(), "the weak password is reported: {report}");
    for finding in &weak {
        assert_eq!(text(finding, "snippet"), "DB_PASSWORD=********");
        assert!(
            text(finding, "message").contains("DB_PASSWORD"),
            "{finding}"
        );
    }
    let compose_secret = at("password-ngx/docker-compose.yml", 9);
    assert!(!compose_secret.is_empty(), "{report}");
    for finding in &compose_secret {
        assert_eq!(
            text(finding, "snippet"),
            "      POSTGRES_PASSWORD: ********"
        );
    }
    // …and the same word elsewhere is not.
    let image = at("password-ngx/docker-compose.yml", 3);
    assert!(
        !image.is_empty(),
        "the unpinned image is reported: {report}"
    );
    for finding in &image {
        assert_eq!(
            text(finding, "snippet"),
            "    image: ghcr.io/password-ngx/web:latest"
        );
    }
    assert!(
        image
            .iter()
            .any(|f| text(f, "message").contains("ghcr.io/password-ngx/web")),
        "the image is named in its message: {image:?}"
    );
    let secret = findings
        .iter()
        .find(|f| f["location"]["path"] == "password-ngx/k8s/secret.yaml")
        .expect("the literal Secret is reported");
    assert!(
        text(secret, "message").contains("password-db"),
        "the Secret is named: {secret}"
    );
}
