//! SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer), built with serde-sarif.
//!
//! GitHub's limits are enforced here, most severe results kept first, with a warning when
//! anything had to be cut: 25,000 results per run, 1,000 locations per result, 20 tags per
//! rule, 10 MB gzipped per file.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactContent, ArtifactLocation, Invocation, Location as SarifLocation, Message,
    MultiformatMessageString, Notification, PhysicalLocation, PropertyBag, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run,
    RunAutomationDetails, Suppression, Tool, ToolComponent,
};

use crate::config::HostAnchor;
use crate::finding::{Diagnostic, DiagnosticKind, Finding, Location};
use crate::policy::{Rule, Severity};
use crate::report::Report;

/// Results GitHub accepts in one run.
pub const MAX_RESULTS: usize = 25_000;
/// Locations GitHub accepts in one result.
pub const MAX_LOCATIONS: usize = 1_000;
/// Tags GitHub accepts on one rule.
pub const MAX_TAGS: usize = 20;
/// Gzipped size GitHub accepts for one SARIF file.
pub const MAX_GZIPPED_BYTES: usize = 10 * 1024 * 1024;

const SRCROOT: &str = "%SRCROOT%";
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const FINGERPRINT_KEY: &str = "preflight/v1";

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

/// GitHub's `security-severity` score: >= 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium,
/// 0.1–3.9 low. Info has no score and shows as a note.
fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("3.0"),
        Severity::Info => None,
    }
}

/// A path as a URI reference: relative paths are percent-encoded and resolved against
/// `%SRCROOT%`; paths outside the working directory become `file://` URIs; a live host's
/// files become `ssh://LABEL/path` URIs, label and path percent-encoded, because the label
/// is whatever the user or a saved snapshot calls the host (`%`, spaces, `#`).
fn artifact(path: &str) -> ArtifactLocation {
    if let Some(rest) = path.strip_prefix("ssh://") {
        let (label, file) = rest.split_once('/').unwrap_or((rest, ""));
        let uri = format!(
            "ssh://{}/{}",
            percent_encoded(label, false),
            percent_encoded(file, true)
        );
        return ArtifactLocation::builder().uri(uri).build();
    }
    if std::path::Path::new(path).is_absolute() {
        let uri = url::Url::from_file_path(path).map_or_else(|()| path.to_owned(), String::from);
        return ArtifactLocation::builder().uri(uri).build();
    }
    ArtifactLocation::builder()
        .uri(percent_encoded(path, true))
        .uri_base_id(SRCROOT)
        .build()
}

/// `text` with every byte but RFC 3986's unreserved characters (and `/` when it separates
/// path segments) percent-encoded.
fn percent_encoded(text: &str, keep_slash: bool) -> String {
    let mut encoded = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                encoded.push(char::from(b));
            }
            b'/' if keep_slash => encoded.push('/'),
            _ => {
                let _ = write!(encoded, "%{b:02X}");
            }
        }
    }
    encoded
}

fn region(location: &Location, snippet: Option<&str>) -> Region {
    let base = Region::builder()
        .start_line(location.start_line as i64)
        .start_column(location.start_column as i64)
        .end_line(location.end_line as i64)
        .end_column(location.end_column as i64);
    match snippet {
        Some(text) => base
            .snippet(ArtifactContent::builder().text(text).build())
            .build(),
        None => base.build(),
    }
}

fn physical(
    location: &Location,
    snippet: Option<&str>,
    message: Option<&str>,
    id: Option<i64>,
) -> SarifLocation {
    let physical = PhysicalLocation::builder()
        .artifact_location(artifact(&location.path))
        .region(region(location, snippet))
        .build();
    match (message, id) {
        (Some(text), Some(id)) => SarifLocation::builder()
            .physical_location(physical)
            .message(Message::from(text))
            .id(id)
            .build(),
        _ => SarifLocation::builder().physical_location(physical).build(),
    }
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let mut tags: Vec<String> = vec!["security".to_owned()];
    tags.extend(
        rule.tags
            .iter()
            .filter(|t| t.as_str() != "security")
            .cloned(),
    );
    // The framework controls the rule is evidence for (`devsec-ssh:sshd-27`), after its
    // own tags so the cut to MAX_TAGS keeps those.
    tags.extend(rule.controls.iter().cloned());
    tags.truncate(MAX_TAGS);
    let mut extra = BTreeMap::new();
    if let Some(score) = security_severity(rule.severity) {
        extra.insert("security-severity".to_owned(), json!(score));
    }
    extra.insert("precision".to_owned(), json!("high"));
    extra.insert(
        "preflight-severity".to_owned(),
        json!(rule.severity.as_str()),
    );
    let help_text = format!("{}\n\n{}", rule.rationale, rule.remediation);
    let base = ReportingDescriptor::builder()
        .id(&rule.id)
        .name(&rule.name)
        .short_description(
            MultiformatMessageString::builder()
                .text(&rule.title)
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(&rule.rationale)
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(help_text)
                .markdown(rule.explain())
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(rule.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(extra)
                .build(),
        );
    match rule.references.first() {
        Some(uri) => base.help_uri(uri).build(),
        None => base.build(),
    }
}

/// Where code scanning shows a finding of a live host: the repository line naming the host
/// (see [`HostAnchor`]); its file on the host goes into the message and properties, since
/// code scanning refuses locations outside the repository.
struct OnHost<'a> {
    host: &'a str,
    anchor: Option<&'a HostAnchor>,
}

/// A location on a host (`ssh://prod-1/etc/nginx/nginx.conf:12`) as text.
fn host_place(location: &Location) -> String {
    format!("{}:{}", location.path, location.start_line)
}

/// The inventory line as a SARIF location, relative to `%SRCROOT%` when the configuration
/// file is inside the working directory.
fn anchor_location(anchor: &HostAnchor, root: &std::path::Path) -> SarifLocation {
    let path = anchor.path.strip_prefix(root).unwrap_or(&anchor.path);
    let path = path.strip_prefix(".").unwrap_or(path);
    let line = anchor.line as i64;
    SarifLocation::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(artifact(&path.display().to_string()))
                .region(Region::builder().start_line(line).build())
                .build(),
        )
        .build()
}

fn result(
    finding: &Finding,
    rule_index: Option<usize>,
    on_host: Option<&OnHost>,
    root: &std::path::Path,
) -> SarifResult {
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_owned(), finding.fingerprint.clone());
    let mut extra = BTreeMap::new();
    extra.insert("severity".to_owned(), json!(finding.severity.as_str()));
    extra.insert("role".to_owned(), json!(finding.role.as_str()));
    let (message, locations, related) = match on_host {
        None => (
            finding.message.clone(),
            vec![physical(
                &finding.location,
                Some(&finding.snippet.text),
                None,
                None,
            )],
            finding
                .related
                .iter()
                .take(MAX_LOCATIONS - 1)
                .enumerate()
                .map(|(i, r)| {
                    let snippet = r.snippet.as_ref().map(|s| s.text.as_str());
                    physical(&r.location, snippet, Some(&r.message), Some(i as i64 + 1))
                })
                .collect(),
        ),
        Some(on) => {
            // A finding shown on the repository file that deploys the host's file (see
            // `live::deployed`; LIVE017) is located there; its place on the host is its
            // first related location. Others are shown at the inventory line.
            let deployed = finding.host.is_some() && !finding.location.path.starts_with("ssh://");
            let on_host_at = match finding.related.first() {
                Some(first) if deployed && first.location.path.starts_with("ssh://") => {
                    &first.location
                }
                _ => &finding.location,
            };
            extra.insert("host".to_owned(), json!(on.host));
            extra.insert("hostLocation".to_owned(), json!(host_place(on_host_at)));
            // The host's lines: those of its place when the rule shows them (a drift's
            // first part), else the finding's own (a moved finding's lines are the same).
            let host_snippet = finding
                .related
                .first()
                .filter(|first| deployed && std::ptr::eq(&first.location, on_host_at))
                .and_then(|first| first.snippet.as_ref())
                .unwrap_or(&finding.snippet);
            extra.insert("hostSnippet".to_owned(), json!(host_snippet.text));
            // Places on the host are told in properties (no file of the checkout); places in
            // the repository (the other parts of a drift) are related locations.
            let (on_host_related, in_repository): (Vec<_>, Vec<_>) = finding
                .related
                .iter()
                .skip(usize::from(deployed))
                .take(MAX_LOCATIONS - 1)
                .partition(|r| !deployed || r.location.path.starts_with("ssh://"));
            let related: Vec<String> = on_host_related
                .iter()
                .map(|r| format!("{}: {}", host_place(&r.location), r.message))
                .collect();
            if !related.is_empty() {
                extra.insert("hostRelated".to_owned(), json!(related));
            }
            let host_code: Vec<serde_json::Value> = on_host_related
                .iter()
                .filter_map(|r| {
                    let snippet = r.snippet.as_ref()?;
                    Some(json!({"location": host_place(&r.location), "snippet": snippet.text}))
                })
                .collect();
            if !host_code.is_empty() {
                extra.insert("hostRelatedSnippets".to_owned(), json!(host_code));
            }
            let repository_related: Vec<_> = in_repository
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let snippet = r.snippet.as_ref().map(|s| s.text.as_str());
                    physical(&r.location, snippet, Some(&r.message), Some(i as i64 + 1))
                })
                .collect();
            let locations = if deployed {
                vec![physical(
                    &finding.location,
                    Some(&finding.snippet.text),
                    None,
                    None,
                )]
            } else {
                on.anchor
                    .map(|a| anchor_location(a, root))
                    .into_iter()
                    .collect()
            };
            (
                format!("{}: {}", host_place(on_host_at), finding.message),
                locations,
                repository_related,
            )
        }
    };
    let base = SarifResult::builder()
        .rule_id(&finding.rule_id)
        .level(level(finding.severity))
        .message(Message::from(message.as_str()))
        .locations(locations)
        .partial_fingerprints(fingerprints)
        .properties(PropertyBag::builder().additional_properties(extra).build());
    let mut result = match rule_index {
        Some(index) => base.rule_index(index as i64).build(),
        None => base.build(),
    };
    if !related.is_empty() {
        result.related_locations = Some(related);
    }
    if let Some(state) = finding.baseline {
        result.baseline_state = Some(json!(state));
    }
    if let Some(s) = &finding.suppression {
        result.suppressions = Some(vec![Suppression::builder()
            .kind(json!("inSource"))
            .justification(&s.reason)
            .build()]);
    }
    result
}

/// The host a path (`ssh://prod-1/etc/…`) or a host command's note (`ps on ssh://prod-1`)
/// is about.
fn host_in(path: &str) -> Option<&str> {
    let at = path.find("ssh://")?;
    crate::results::host_of(&path[at..])
}

/// The host a finding is about: the `ssh://` host, or, in the report of `audit local`,
/// the machine it audited (its files and commands are no files of the repository).
fn host_of<'r>(report: &'r Report, finding: &'r Finding) -> Option<&'r str> {
    finding.host.as_deref().or(report.local_host)
}

/// [`host_in`] for a note, with [`host_of`]'s local machine.
fn note_host<'r>(report: &'r Report, path: &'r str) -> Option<&'r str> {
    host_in(path).or(report.local_host)
}

fn notification(report: &Report, d: &Diagnostic) -> Notification {
    let note = d.kind == DiagnosticKind::UnableToCheck;
    // A live host's command (`nft list ruleset`, `ps on ssh://prod-1`) and a host's files
    // are no files of the repository: no location (the message names them).
    let on_host = note_host(report, &d.path).is_some();
    let is_file = d.path.starts_with('/') || (d.path.contains("://") && !d.path.contains(' '));
    let is_command = (note || d.kind == DiagnosticKind::HostPartlyAudited) && !is_file;
    let locations = if is_command || on_host {
        Vec::new()
    } else {
        vec![SarifLocation::builder()
            .physical_location(
                PhysicalLocation::builder()
                    .artifact_location(artifact(&d.path))
                    .build(),
            )
            .build()]
    };
    let (level, verb) = if note {
        ("note", "unable to check")
    } else {
        ("warning", "could not check")
    };
    Notification::builder()
        .message(Message::from(
            format!("{verb} {}: {}", d.path, d.message).as_str(),
        ))
        .level(json!(level))
        .locations(locations)
        .build()
}

/// Runs GitHub accepts in one SARIF file.
pub const MAX_RUNS: usize = 20;

/// The live hosts of `findings` and of the report's notes, sorted.
fn hosts_of<'r>(report: &'r Report, findings: &[&'r Finding]) -> Vec<&'r str> {
    let mut hosts: Vec<&str> = findings
        .iter()
        .filter_map(|f| host_of(report, f))
        .chain(
            report
                .diagnostics
                .iter()
                .filter_map(|d| note_host(report, &d.path)),
        )
        .collect();
    hosts.sort_unstable();
    hosts.dedup();
    hosts
}

/// How many hosts get a run of their own, after `before` other runs: all of them, or, past
/// GitHub's limit, all but those sharing the last run.
fn own_runs(before: usize, hosts: usize) -> usize {
    if before + hosts > MAX_RUNS {
        MAX_RUNS - before - 1
    } else {
        hosts
    }
}

/// The SARIF log: one run for the files of the repository, and one per live host (each
/// with its own `automationDetails.id`, `preflight/live/HOST/`, so code scanning keeps each
/// host's alerts apart and one host's audit never closes another's). Past GitHub's 20
/// runs per file, the remaining hosts share one run, `preflight/live/` (see [`write`]).
fn build<'r>(report: &'r Report, findings: &[&'r Finding]) -> Log<'r> {
    let rules: Vec<&Rule> = report.catalog.enabled().collect();
    let hosts = hosts_of(report, findings);
    let static_findings: Vec<&Finding> = findings
        .iter()
        .copied()
        .filter(|f| host_of(report, f).is_none())
        .collect();
    let static_notes: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| note_host(report, &d.path).is_none())
        .collect();
    let mut runs = Vec::new();
    if hosts.is_empty() || !static_findings.is_empty() || !static_notes.is_empty() {
        runs.push(run(report, &rules, static_findings, &static_notes, None));
    }
    let own_runs = own_runs(runs.len(), hosts.len());
    let (own, shared) = hosts.split_at(own_runs);
    let mut groups: Vec<(String, &[&str])> = own
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let id = format!("preflight/live/{}/", percent_encoded(host, false));
            (id, &own[i..=i])
        })
        .collect();
    if !shared.is_empty() {
        groups.push(("preflight/live/".to_owned(), shared));
    }
    for (id, group) in groups {
        let in_group = |path: &str, host: Option<&str>| {
            host.is_some_and(|h| group.contains(&h)) && !path.is_empty()
        };
        let mine: Vec<&Finding> = findings
            .iter()
            .copied()
            .filter(|f| in_group(&f.location.path, host_of(report, f)))
            .collect();
        let notes: Vec<&Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| in_group(&d.path, note_host(report, &d.path)))
            .collect();
        runs.push(run(report, &rules, mine, &notes, Some(id)));
    }
    Log {
        schema: SCHEMA,
        runs,
        version: "2.1.0",
    }
}

/// The SARIF log as written: serde-sarif's `Sarif` and `Run`, except that each run's
/// results are made one at a time while they are written. Built all at once they took
/// 6 KB per result (150 MB for GitHub's 25,000), several times the text they become.
#[derive(Serialize)]
struct Log<'r> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: Vec<RunOut<'r>>,
    version: &'static str,
}

/// A run and its results (serde-sarif's `Run` without its `results`).
#[derive(Serialize)]
struct RunOut<'r> {
    #[serde(flatten)]
    run: Run,
    results: Results<'r>,
}

/// The results of one run, each made from its finding when it is written.
struct Results<'r> {
    report: &'r Report<'r>,
    rules: Vec<&'r Rule>,
    findings: Vec<&'r Finding>,
    live: bool,
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.findings.iter().map(|f| {
            let on_host = self
                .live
                .then(|| host_of(self.report, f))
                .flatten()
                .map(|host| OnHost {
                    host,
                    anchor: self.report.hosts.iter().find(|a| a.host == host),
                });
            result(
                f,
                self.rules.iter().position(|r| r.id == f.rule_id),
                on_host.as_ref(),
                self.report.root,
            )
        }))
    }
}

/// One run; `live` is its `automationDetails.id` when its results are live hosts'.
fn run<'r>(
    report: &'r Report,
    rules: &[&'r Rule],
    findings: Vec<&'r Finding>,
    notes: &[&Diagnostic],
    live: Option<String>,
) -> RunOut<'r> {
    let driver = ToolComponent::builder()
        .name("preflight")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules.iter().map(|r| descriptor(r)).collect::<Vec<_>>())
        .build();
    let results = Results {
        report,
        rules: rules.to_vec(),
        findings,
        live: live.is_some(),
    };
    let notifications: Vec<Notification> = notes.iter().map(|d| notification(report, d)).collect();
    let root_uri = url::Url::from_directory_path(report.root)
        .map_or_else(|()| "file:///".to_owned(), String::from);
    let mut bases = BTreeMap::new();
    bases.insert(
        SRCROOT.to_owned(),
        ArtifactLocation::builder().uri(root_uri).build(),
    );
    let mut configuration = BTreeMap::new();
    if let Some(in_effect) = report.configuration {
        configuration.insert("configuration".to_owned(), json!(in_effect));
    }
    let invocation = Invocation::builder()
        .execution_successful(true)
        .tool_execution_notifications(notifications)
        .properties(
            PropertyBag::builder()
                .additional_properties(configuration)
                .build(),
        )
        .build();
    let mut run = Run::builder()
        .tool(Tool::from(driver))
        .invocations(vec![invocation])
        .original_uri_base_ids(bases)
        .column_kind(json!("unicodeCodePoints"))
        .build();
    if let Some(id) = live {
        run.automation_details = Some(RunAutomationDetails::builder().id(id).build());
    }
    RunOut { run, results }
}

/// Whether `bytes` gzipped stay within `limit`. Uploaders gzip at zlib's default level, a
/// size this can only estimate (another deflate writes other bytes); the fastest level is
/// measured first, in about a fifth of the time on a report of tens of megabytes, and its
/// output is the larger (zlib: 3.4 MB against 2.4 MB for a 35 MB report): within the limit
/// there, the file is. Only a file over it at that level is measured at the default level.
fn fits_gzipped(bytes: &[u8], limit: usize) -> io::Result<bool> {
    if bytes.len() <= limit {
        return Ok(true);
    }
    for level in [flate2::Compression::fast(), flate2::Compression::default()] {
        if gzipped_len(bytes, level)? <= limit {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The length of `bytes` gzipped at `level`, counted as written rather than kept.
fn gzipped_len(bytes: &[u8], level: flate2::Compression) -> io::Result<usize> {
    /// A sink that counts what it is given.
    struct Counted(usize);
    impl Write for Counted {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut encoder = flate2::write::GzEncoder::new(Counted(0), level);
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.0)
}

/// Writes the SARIF log; returns warnings when results were cut to fit GitHub's limits.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<Vec<String>> {
    let mut ordered: Vec<&Finding> = report.findings.iter().collect();
    // Most severe first; active before suppressed, so a cut drops the least useful.
    ordered.sort_by_key(|f| (std::cmp::Reverse(f.severity), !f.is_active()));
    let mut warnings = Vec::new();
    let hosts = hosts_of(report, &ordered).len();
    let repository = ordered.iter().any(|f| f.host.is_none())
        || report
            .diagnostics
            .iter()
            .any(|d| host_in(&d.path).is_none());
    let shared = hosts - own_runs(usize::from(repository), hosts);
    if shared > 0 {
        warnings.push(format!(
            "SARIF: GitHub accepts {MAX_RUNS} runs per file; {shared} of {hosts} hosts share the run `preflight/live/` instead of one each (audit smaller groups to keep every host's alerts apart)"
        ));
    }
    if ordered.len() > MAX_RESULTS {
        warnings.push(format!(
            "SARIF: {} results exceed GitHub's {MAX_RESULTS} per run; the {} least severe were left out",
            ordered.len(),
            ordered.len() - MAX_RESULTS
        ));
        ordered.truncate(MAX_RESULTS);
    }
    let total = ordered.len();
    loop {
        let bytes =
            serde_json::to_vec_pretty(&build(report, &ordered)).map_err(io::Error::other)?;
        if ordered.is_empty() || fits_gzipped(&bytes, MAX_GZIPPED_BYTES)? {
            if ordered.len() < total {
                warnings.push(format!(
                    "SARIF: the file would exceed GitHub's 10 MB gzipped limit; the {} least severe results were left out",
                    total - ordered.len()
                ));
            }
            out.write_all(&bytes)?;
            writeln!(out)?;
            return Ok(warnings);
        }
        ordered.truncate(ordered.len() * 9 / 10);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text that compresses well fits a gzipped limit it exceeds as written; bytes that do
    /// not compress do not, at either level.
    #[test]
    fn a_report_fits_when_its_gzipped_size_does() {
        let limit = 64 * 1024;
        let text = "{\"ruleId\": \"K8S001\", \"level\": \"error\"},\n".repeat(limit / 8);
        assert!(text.len() > limit);
        assert!(fits_gzipped(text.as_bytes(), limit).unwrap());
        // xorshift: incompressible, and the same on every run.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let noise: Vec<u8> = (0..limit * 2)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state.to_le_bytes()[0]
            })
            .collect();
        assert!(!fits_gzipped(&noise, limit).unwrap());
        assert!(fits_gzipped(&noise, limit * 3).unwrap());
        for level in [flate2::Compression::fast(), flate2::Compression::default()] {
            assert!(gzipped_len(&noise, level).unwrap() > limit * 2);
            assert!(gzipped_len(text.as_bytes(), level).unwrap() < limit / 4);
        }
    }
}
