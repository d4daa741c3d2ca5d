//! The policy catalog: every rule's metadata, prose and logic, loaded from `policies/*.toml`
//! (compiled into the binary) plus the user's own policy files.
//!
//! The catalog is the single registry the CLI (`rules`, `explain`), the engine and the SARIF
//! rule metadata read from, so documentation cannot drift from behaviour.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use regex::Regex;

use crate::formats::Target;
use serde::{Deserialize, Serialize};

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Hygiene, for the record.
    Info,
    /// Hygiene with a small security benefit.
    Low,
    /// A hardening gap.
    Medium,
    /// A control the deployment guides call mandatory is off.
    High,
    /// Remote takeover or secret exposure as shipped.
    Critical,
}

impl Severity {
    /// All severities, most severe first.
    pub const ALL: [Severity; 5] = [
        Self::Critical,
        Self::High,
        Self::Medium,
        Self::Low,
        Self::Info,
    ];

    /// The lower-case name used in configuration and reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Passing and failing inputs for a rule: documentation and a test at once.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Inputs the rule must report.
    #[serde(default)]
    pub fail: Vec<String>,
    /// Inputs the rule must accept.
    #[serde(default)]
    pub pass: Vec<String>,
}

/// A declarative check on environment files: "key X must / must not match Y".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvCondition {
    /// Which variables the rule looks at.
    #[serde(with = "serde_regex")]
    pub key: Regex,
    /// Report when the value in effect matches this.
    #[serde(default, with = "serde_regex_opt")]
    pub value_matches: Option<Regex>,
    /// Report when the value in effect does not match this.
    #[serde(default, with = "serde_regex_opt")]
    pub value_not_matches: Option<Regex>,
    /// The finding's message; `{key}` and `{value}` are replaced (secret values are redacted
    /// from every message whatever the template says).
    pub message: String,
}

/// How a rule decides: data, or a named check compiled into the binary.
#[derive(Debug, Clone)]
pub enum RuleLogic {
    /// A declarative condition from the policy file.
    Env(EnvCondition),
    /// The name of a built-in check: `check = "…"`, or the rule's own `name`. The rules
    /// module resolves it when it binds the catalog, and refuses a name it does not know.
    Builtin(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    name: String,
    title: String,
    severity: Severity,
    targets: Vec<Target>,
    rationale: String,
    remediation: String,
    #[serde(default)]
    known_problems: Option<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    examples: Examples,
    #[serde(default)]
    check: Option<String>,
    #[serde(default)]
    condition: Option<EnvCondition>,
    /// The file roles judged at the rule's severity (default: production only).
    #[serde(default)]
    roles: Option<Vec<String>>,
    /// The framework controls the rule gives evidence for (`devsec-ssh:sshd-27`).
    #[serde(default)]
    controls: Vec<String>,
    /// Controls it checks a part of: its failure fails the control, its pass does not pass
    /// it (`cis-debian12:2.4.1.1`: cron active, not whether it is enabled at boot).
    #[serde(default)]
    partial_controls: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(rename = "rule", default)]
    rules: Vec<RuleSpec>,
    #[serde(rename = "framework", default)]
    frameworks: Vec<FrameworkSpec>,
    #[serde(rename = "mapping", default)]
    mappings: Vec<MappingSpec>,
}

/// A framework as a policy file describes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkSpec {
    id: String,
    title: String,
    version: String,
    licence: String,
    url: String,
    #[serde(default)]
    scope: Option<String>,
    #[serde(rename = "control", default)]
    controls: Vec<Control>,
}

/// More controls for a rule defined elsewhere (a built-in one): `[[mapping]]` in a user's
/// policy file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingSpec {
    rule: String,
    #[serde(default)]
    controls: Vec<String>,
    #[serde(default)]
    partial_controls: Vec<String>,
}

/// A compliance framework (a benchmark, a standard, a baseline) whose controls rules give
/// evidence for. Only what may be republished is kept: for a framework that is not freely
/// licensed, control ids and titles only.
#[derive(Debug, Clone, Serialize)]
pub struct Framework {
    /// What `--framework` and the rules' `controls` name (`devsec-ssh`).
    pub id: String,
    /// Its name.
    pub title: String,
    /// The version the controls were taken from.
    pub version: String,
    /// Its licence.
    pub licence: String,
    /// Where it is published.
    pub url: String,
    /// What part of it preflight can judge at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Every control, in the framework's order: covered or not.
    pub controls: Vec<Control>,
    /// Where it was defined.
    #[serde(skip)]
    pub origin: String,
}

/// One control of a framework.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// The framework's own id (`sshd-27`, `14.4.5`).
    pub id: String,
    /// Its title.
    pub title: String,
}

/// A built-in file: its origin (`policies/env.toml`, what errors and `explain` name) and
/// the JSON `build/catalog_json.rs` wrote of it, which loads several times faster than the
/// TOML.
macro_rules! builtin {
    ($origin:literal) => {
        (
            $origin,
            include_str!(concat!(env!("OUT_DIR"), "/", $origin, ".json")),
        )
    };
}

/// The framework files shipped inside the binary.
const BUILTIN_FRAMEWORKS: &[(&str, &str)] = &[
    builtin!("frameworks/asvs-4.0.3.toml"),
    builtin!("frameworks/bsi-grundschutz-2023.toml"),
    builtin!("frameworks/cis-debian12.toml"),
    builtin!("frameworks/cis-docker.toml"),
    builtin!("frameworks/cis-kubernetes.toml"),
    builtin!("frameworks/cis-postgresql12.toml"),
    builtin!("frameworks/devsec-linux.toml"),
    builtin!("frameworks/devsec-nginx.toml"),
    builtin!("frameworks/devsec-postgres.toml"),
    builtin!("frameworks/devsec-ssh.toml"),
];

/// One policy: what it checks, why, how to fix it, and how it decides.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable code (`ENV010`); what users select, ignore, suppress and look up.
    pub id: String,
    /// Readable slug (`env-placeholder-secret`), accepted wherever an id is.
    pub name: String,
    /// One line: the problem.
    pub title: String,
    /// Severity in effect (after `preflight.toml` overrides).
    pub severity: Severity,
    /// File kinds the rule applies to.
    pub targets: Vec<Target>,
    /// File roles judged at the rule's severity; files of other roles get at most `info`.
    pub roles: Vec<crate::role::Role>,
    /// Why it matters.
    pub rationale: String,
    /// How to fix it.
    pub remediation: String,
    /// Where the rule may be wrong, said honestly.
    pub known_problems: Option<String>,
    /// Links to the standards and guides the rule comes from.
    pub references: Vec<String>,
    /// Free-form tags (SARIF `properties.tags`).
    pub tags: Vec<String>,
    /// Passing and failing inputs.
    pub examples: Examples,
    /// How the rule decides.
    pub logic: RuleLogic,
    /// Where the rule was defined (`policies/env.toml`, or a user's file).
    pub origin: String,
    /// The framework controls it gives evidence for, `framework:control`.
    pub controls: Vec<String>,
    /// The controls it checks a part of: a failure fails them, a pass leaves them not
    /// evaluated (see [`crate::compliance`]).
    pub partial_controls: Vec<String>,
}

impl Rule {
    /// Whether the rule looks at files of kind `target`.
    pub fn applies_to(&self, target: Target) -> bool {
        self.targets
            .iter()
            .any(|t| *t == Target::Any || *t == target)
    }

    /// The full documentation of a rule, as `preflight explain` prints it (Markdown).
    pub fn explain(&self) -> String {
        self.explain_with(|_| None)
    }

    /// [`Rule::explain`], naming each mapped control with what `control_title` says of it.
    pub fn explain_with(&self, control_title: impl Fn(&str) -> Option<String>) -> String {
        let targets: Vec<&str> = self.targets.iter().map(|t| t.as_str()).collect();
        let roles = if self.roles.len() == crate::role::Role::ALL.len() {
            "every file role".to_owned()
        } else {
            let names: Vec<&str> = self.roles.iter().map(|r| r.as_str()).collect();
            format!("{} files (others: at most info)", names.join(", "))
        };
        let mut text = format!(
            "# {} ({}): {}\n\nSeverity: {}    Applies to: {}    Judges: {}    Defined in: {}\n\n## Why it matters\n{}\n\n## How to fix it\n{}\n",
            self.id,
            self.name,
            self.title,
            self.severity,
            targets.join(", "),
            roles,
            self.origin,
            self.rationale,
            self.remediation
        );
        if let Some(problems) = &self.known_problems {
            text.push_str(&format!("\n## Known problems\n{problems}\n"));
        }
        let mut examples = |title: &str, list: &[String]| {
            if !list.is_empty() {
                text.push_str(&format!("\n## {title}\n"));
                for example in list {
                    text.push_str(&format!("```\n{}\n```\n", example.trim_end()));
                }
            }
        };
        examples("Reported", &self.examples.fail);
        examples("Accepted", &self.examples.pass);
        let other_ids: Vec<&str> = self
            .tags
            .iter()
            .filter(|t| t.contains('.'))
            .map(String::as_str)
            .collect();
        if !other_ids.is_empty() {
            // The ids other tools give the same check (Django's `security.W018`), so users
            // can match their reports to ours.
            text.push_str(&format!("\nAlso known as: {}\n", other_ids.join(", ")));
        }
        let mut controls = |heading: &str, list: &[String], note: &str| {
            if list.is_empty() {
                return;
            }
            text.push_str(&format!("\n## {heading}\n"));
            for control in list {
                match control_title(control) {
                    Some(title) => text.push_str(&format!("- {control}: {title}\n")),
                    None => text.push_str(&format!("- {control}\n")),
                }
            }
            text.push_str(&format!("\n({note})\n"));
        };
        controls(
            "Evidence for",
            &self.controls,
            "Evidence for these controls where the rule applies, not a certification; `preflight frameworks` lists the frameworks.",
        );
        controls(
            "Evidence for part of",
            &self.partial_controls,
            "The rule checks part of what these controls ask: where it fails, the control fails; where it passes, the control is still not evaluated.",
        );
        if !self.references.is_empty() {
            text.push_str("\n## References\n");
            for reference in &self.references {
                text.push_str(&format!("- {reference}\n"));
            }
        }
        text
    }
}

/// An error in a policy or configuration file, already phrased for a one-line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError(pub String);

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PolicyError {}

/// The policy files shipped inside the binary.
const BUILTIN_POLICIES: &[(&str, &str)] = &[
    builtin!("policies/accounts.toml"),
    builtin!("policies/core.toml"),
    builtin!("policies/env.toml"),
    builtin!("policies/nginx.toml"),
    builtin!("policies/sshd.toml"),
    builtin!("policies/firewall.toml"),
    builtin!("policies/postgres.toml"),
    builtin!("policies/redis.toml"),
    builtin!("policies/fail2ban.toml"),
    builtin!("policies/logrotate.toml"),
    builtin!("policies/systemd.toml"),
    builtin!("policies/cron.toml"),
    builtin!("policies/django.toml"),
    builtin!("policies/dockerfile.toml"),
    builtin!("policies/node.toml"),
    builtin!("policies/compose.toml"),
    builtin!("policies/kubernetes.toml"),
    builtin!("policies/live.toml"),
    builtin!("policies/sysctl.toml"),
];

/// A user's change to one rule, from `preflight.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOverride {
    /// New severity.
    pub severity: Option<Severity>,
    /// `false` turns the rule off.
    pub enabled: Option<bool>,
}

/// All known rules, in id order, with the user's selection applied.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    rules: Vec<Rule>,
    enabled: Vec<bool>,
    frameworks: Vec<Framework>,
    /// [`prefix_key`] of each rule's id, in the rules' order: [`Catalog::get`] searches these
    /// integers and compares strings only where they tie.
    id_keys: Vec<u64>,
}

/// The first eight bytes of `text` as a big-endian number, zeros after a shorter text:
/// ordered as the texts are, up to texts that share those bytes (or differ by trailing
/// NULs, which ids and fingerprints never hold). Two texts with different keys differ;
/// equal keys say nothing.
pub(crate) fn prefix_key(text: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let n = text.len().min(8);
    bytes[..n].copy_from_slice(&text.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
}

impl Catalog {
    /// The built-in policies. A mistake in a built-in file shows here by its place in the
    /// JSON; the test `builtin_json_loads_as_its_toml` names its TOML line.
    pub fn builtin() -> Result<Self, PolicyError> {
        let mut catalog = Self::default();
        for (origin, json) in BUILTIN_FRAMEWORKS.iter().chain(BUILTIN_POLICIES) {
            let file: PolicyFile = serde_json::from_str(json)
                .map_err(|e| PolicyError(format!("{origin} (built in, as JSON): {e}")))?;
            catalog.add_policy(origin, file)?;
        }
        catalog.check_controls()?;
        Ok(catalog)
    }

    /// Adds the rules of a user's policy file.
    pub fn add_policy_file(&mut self, path: &Path) -> Result<(), PolicyError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| PolicyError(format!("cannot read policy file {}: {e}", path.display())))?;
        self.add_policy_text(&path.display().to_string(), &text)
    }

    /// Adds the rules of a policy file's text; `origin` names it in errors.
    pub fn add_policy_text(&mut self, origin: &str, text: &str) -> Result<(), PolicyError> {
        let file: PolicyFile = toml::from_str(text).map_err(|e| toml_error(origin, text, &e))?;
        self.add_policy(origin, file)
    }

    fn add_policy(&mut self, origin: &str, file: PolicyFile) -> Result<(), PolicyError> {
        for spec in file.frameworks {
            self.add_framework(origin, spec)?;
        }
        for spec in file.rules {
            let rule = build_rule(origin, spec)?;
            if let Some(other) = self
                .rules
                .iter()
                .find(|r| r.id == rule.id || r.name == rule.name)
            {
                return Err(PolicyError(format!(
                    "{origin}: rule {} ({}) is already defined in {}",
                    rule.id, rule.name, other.origin
                )));
            }
            self.rules.push(rule);
            self.enabled.push(true);
        }
        self.sort();
        for mapping in file.mappings {
            let Some(rule) = self.rules.iter_mut().find(|r| {
                r.id.eq_ignore_ascii_case(&mapping.rule)
                    || r.name.eq_ignore_ascii_case(&mapping.rule)
            }) else {
                return Err(PolicyError(format!(
                    "{origin}: mapping for unknown rule `{}` (see `preflight rules` for the list)",
                    mapping.rule
                )));
            };
            for control in mapping.controls {
                if !rule.controls.contains(&control) {
                    rule.controls.push(control);
                }
            }
            for control in mapping.partial_controls {
                if !rule.partial_controls.contains(&control) {
                    rule.partial_controls.push(control);
                }
            }
        }
        Ok(())
    }

    fn add_framework(&mut self, origin: &str, spec: FrameworkSpec) -> Result<(), PolicyError> {
        let id_ok = !spec.id.is_empty()
            && spec
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !id_ok {
            return Err(PolicyError(format!(
                "{origin}: framework id `{}` must be lower-case letters, digits, `-` or `.`",
                spec.id
            )));
        }
        if let Some(other) = self.frameworks.iter().find(|f| f.id == spec.id) {
            return Err(PolicyError(format!(
                "{origin}: framework {} is already defined in {}",
                spec.id, other.origin
            )));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(twice) = spec.controls.iter().find(|c| !seen.insert(c.id.as_str())) {
            return Err(PolicyError(format!(
                "{origin}: framework {} lists control {} twice",
                spec.id, twice.id
            )));
        }
        self.frameworks.push(Framework {
            id: spec.id,
            title: spec.title,
            version: spec.version,
            licence: spec.licence,
            url: spec.url,
            scope: spec.scope,
            controls: spec.controls,
            origin: origin.to_owned(),
        });
        Ok(())
    }

    /// Every framework known.
    pub fn frameworks(&self) -> &[Framework] {
        &self.frameworks
    }

    /// The framework called `id` (ignoring case).
    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.frameworks
            .iter()
            .find(|f| f.id.eq_ignore_ascii_case(id))
    }

    /// Refuses a rule naming a control no framework lists (`framework:control`), so a typo
    /// never silently maps nothing. Called once every policy file is loaded.
    pub fn check_controls(&self) -> Result<(), PolicyError> {
        for rule in &self.rules {
            for reference in rule.controls.iter().chain(&rule.partial_controls) {
                let known = reference
                    .split_once(':')
                    .is_some_and(|(framework, control)| {
                        self.frameworks.iter().any(|f| {
                            f.id == framework && f.controls.iter().any(|c| c.id == control)
                        })
                    });
                if !known {
                    return Err(PolicyError(format!(
                        "{}: rule {}: `{reference}` is no known control (`framework:control`; `preflight frameworks` lists them)",
                        rule.origin, rule.id
                    )));
                }
            }
        }
        Ok(())
    }

    /// `title (framework title version)` of a `framework:control` reference.
    pub fn control_title(&self, reference: &str) -> Option<String> {
        let (framework, control) = reference.split_once(':')?;
        let framework = self.frameworks.iter().find(|f| f.id == framework)?;
        let control = framework.controls.iter().find(|c| c.id == control)?;
        Some(format!(
            "{} ({} {})",
            control.title, framework.title, framework.version
        ))
    }

    /// The rules that give evidence for `control` of `framework`, enabled or not.
    pub fn rules_for(&self, framework: &str, control: &str) -> Vec<&Rule> {
        self.rules
            .iter()
            .filter(|r| names(&r.controls, framework, control))
            .collect()
    }

    /// The rules that give evidence for part of `control` of `framework`.
    pub fn partial_rules_for(&self, framework: &str, control: &str) -> Vec<&Rule> {
        self.rules
            .iter()
            .filter(|r| names(&r.partial_controls, framework, control))
            .collect()
    }

    fn sort(&mut self) {
        let mut pairs: Vec<_> = self.rules.drain(..).zip(self.enabled.drain(..)).collect();
        pairs.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        (self.rules, self.enabled) = pairs.into_iter().unzip();
        self.id_keys = self.rules.iter().map(|r| prefix_key(&r.id)).collect();
    }

    /// Every rule, enabled or not.
    pub fn all(&self) -> &[Rule] {
        &self.rules
    }

    /// The rules that will run.
    pub fn enabled(&self) -> impl Iterator<Item = &Rule> {
        self.rules
            .iter()
            .zip(&self.enabled)
            .filter(|(_, on)| **on)
            .map(|(r, _)| r)
    }

    /// Looks a rule up by id or name, ignoring case. An id as written (every finding's) is
    /// found by binary search, as the rules are kept sorted by id; reporters look one up
    /// per finding.
    pub fn get(&self, id_or_name: &str) -> Option<&Rule> {
        // Keys are made by `sort`; a catalog a failed `add_policy` left unsorted is searched
        // below, rule by rule.
        let key = prefix_key(id_or_name);
        let keys = if self.id_keys.len() == self.rules.len() {
            &self.id_keys[..]
        } else {
            &[]
        };
        let first = keys.partition_point(|k| *k < key);
        if let Some(rule) = keys[first..]
            .iter()
            .take_while(|k| **k == key)
            .zip(&self.rules[first..])
            .find_map(|(_, r)| (r.id == id_or_name).then_some(r))
        {
            return Some(rule);
        }
        self.rules.iter().find(|r| {
            r.id.eq_ignore_ascii_case(id_or_name) || r.name.eq_ignore_ascii_case(id_or_name)
        })
    }

    /// Indices of the rules a selector names: an id, a name, an id prefix (`ENV`, `ENV01`) or
    /// `ALL`. An unknown selector is an error, so a typo never silently selects nothing.
    fn matching(&self, selector: &str) -> Result<Vec<usize>, PolicyError> {
        let upper = selector.to_ascii_uppercase();
        let hits: Vec<usize> = self
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                upper == "ALL" || r.id.starts_with(&upper) || r.name.eq_ignore_ascii_case(selector)
            })
            .map(|(i, _)| i)
            .collect();
        if hits.is_empty() {
            return Err(PolicyError(format!(
                "unknown rule `{selector}` (see `preflight rules` for the list)"
            )));
        }
        Ok(hits)
    }

    /// Applies `preflight.toml`'s per-rule severity changes and switches.
    pub fn apply_overrides(
        &mut self,
        overrides: &BTreeMap<String, RuleOverride>,
    ) -> Result<(), PolicyError> {
        for (selector, change) in overrides {
            for i in self.matching(selector)? {
                if let Some(severity) = change.severity {
                    self.rules[i].severity = severity;
                }
                if let Some(enabled) = change.enabled {
                    self.enabled[i] = enabled;
                }
            }
        }
        Ok(())
    }

    /// Each rule's severity and switch, in catalog order: what [`Catalog::relaxed_since`]
    /// compares with, without a copy of every rule's text.
    pub fn settings(&self) -> Vec<(Severity, bool)> {
        let severities = self.rules.iter().map(|r| r.severity);
        severities.zip(self.enabled.iter().copied()).collect()
    }

    /// What `self` relaxed compared with `before` (the [`Catalog::settings`] of the same
    /// rules before overrides): rules switched off and rules whose severity went down, in
    /// catalog order.
    pub fn relaxed_since(&self, before: &[(Severity, bool)]) -> (Vec<String>, Vec<Lowered>) {
        let mut disabled = Vec::new();
        let mut lowered = Vec::new();
        for ((rule, on), (old, was_on)) in self.rules.iter().zip(&self.enabled).zip(before) {
            if *was_on && !on {
                disabled.push(rule.id.clone());
            } else if rule.severity < *old {
                lowered.push(Lowered {
                    rule: rule.id.clone(),
                    from: *old,
                    to: rule.severity,
                });
            }
        }
        (disabled, lowered)
    }

    /// Keeps only the rules `select` names (all when empty), minus those `ignore` names.
    pub fn select(&mut self, select: &[String], ignore: &[String]) -> Result<(), PolicyError> {
        if !select.is_empty() {
            let mut keep = vec![false; self.rules.len()];
            for selector in select {
                for i in self.matching(selector)? {
                    keep[i] = true;
                }
            }
            for (on, keep) in self.enabled.iter_mut().zip(keep) {
                *on &= keep;
            }
        }
        for selector in ignore {
            for i in self.matching(selector)? {
                self.enabled[i] = false;
            }
        }
        Ok(())
    }
}

/// A rule whose severity a configuration lowered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lowered {
    /// The rule's id.
    pub rule: String,
    /// Its severity before.
    pub from: Severity,
    /// Its severity now.
    pub to: Severity,
}

fn build_rule(origin: &str, spec: RuleSpec) -> Result<Rule, PolicyError> {
    let id_ok = !spec.id.is_empty()
        && spec
            .id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !id_ok {
        return Err(PolicyError(format!(
            "{origin}: rule id `{}` must be upper-case letters, digits, `-` or `_`",
            spec.id
        )));
    }
    let logic = match (spec.check, spec.condition) {
        (check, None) => RuleLogic::Builtin(check.unwrap_or_else(|| spec.name.clone())),
        (None, Some(condition)) => {
            if condition.value_matches.is_some() == condition.value_not_matches.is_some() {
                return Err(PolicyError(format!(
                    "{origin}: rule {}: a condition needs exactly one of `value_matches` and `value_not_matches`",
                    spec.id
                )));
            }
            RuleLogic::Env(condition)
        }
        (Some(_), Some(_)) => {
            return Err(PolicyError(format!(
                "{origin}: rule {} has both `check` and `condition`; keep one",
                spec.id
            )))
        }
    };
    if spec.targets.is_empty() {
        return Err(PolicyError(format!(
            "{origin}: rule {} has no targets",
            spec.id
        )));
    }
    let roles = crate::role::parse_scope(spec.roles.as_deref())
        .map_err(|e| PolicyError(format!("{origin}: rule {}: {e}", spec.id)))?;
    Ok(Rule {
        roles,
        id: spec.id,
        name: spec.name,
        title: spec.title,
        severity: spec.severity,
        targets: spec.targets,
        rationale: spec.rationale.trim().to_owned(),
        remediation: spec.remediation.trim().to_owned(),
        known_problems: spec.known_problems.map(|s| s.trim().to_owned()),
        references: spec.references,
        tags: spec.tags,
        examples: spec.examples,
        logic,
        origin: origin.to_owned(),
        controls: spec.controls,
        partial_controls: spec.partial_controls,
    })
}

/// Whether `references` (`framework:control`) name `control` of `framework`.
fn names(references: &[String], framework: &str, control: &str) -> bool {
    references.iter().any(|c| {
        c.split_once(':')
            .is_some_and(|(f, id)| f == framework && id == control)
    })
}

/// Formats a TOML error as one line: `file:line:column: message`.
pub fn toml_error(origin: &str, text: &str, err: &toml::de::Error) -> PolicyError {
    let message = err.message().trim().replace('\n', " ");
    match err.span() {
        Some(span) => {
            let index = crate::source::LineIndex::new(text);
            let at = index.line_column(text, span.start);
            PolicyError(format!("{origin}:{}:{}: {message}", at.line, at.column))
        }
        None => PolicyError(format!("{origin}: {message}")),
    }
}

mod serde_regex {
    use regex::Regex;
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Regex, D::Error> {
        let pattern = String::deserialize(d)?;
        Regex::new(&pattern).map_err(serde::de::Error::custom)
    }
}

mod serde_regex_opt {
    use regex::Regex;
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Regex>, D::Error> {
        let pattern = String::deserialize(d)?;
        Regex::new(&pattern)
            .map(Some)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_loads_and_ids_are_unique() {
        let catalog = Catalog::builtin().unwrap();
        assert!(catalog.all().len() > 10);
        assert!(catalog.get("ENV010").is_some());
        assert!(catalog.get("env-placeholder-secret").is_some());
        // Every rule is found by its id as written, in lower case, and by its name.
        for rule in catalog.all() {
            for key in [
                rule.id.clone(),
                rule.id.to_ascii_lowercase(),
                rule.name.clone(),
            ] {
                assert_eq!(catalog.get(&key).map(|r| &r.id), Some(&rule.id), "{key}");
            }
        }
        assert!(catalog.get("ENV9999").is_none());
    }

    /// The JSON `build.rs` writes of a built-in file must deserialize to what its TOML does,
    /// or the shipped rules would differ from the files in the repository.
    #[test]
    fn builtin_json_loads_as_its_toml() {
        let same = |what: &str, json: String, toml: String| {
            if let Some((j, t)) = json.lines().zip(toml.lines()).find(|(j, t)| j != t) {
                panic!("{what}: the dumps differ\nJSON: {j}\nTOML: {t}");
            }
            assert_eq!(json.len(), toml.len(), "{what}: one dump is longer");
        };
        let mut from_toml = Catalog::default();
        for (origin, json) in BUILTIN_FRAMEWORKS.iter().chain(BUILTIN_POLICIES) {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(origin);
            let text = std::fs::read_to_string(&path).unwrap();
            let toml_file: PolicyFile = toml::from_str(&text)
                .map_err(|e| toml_error(origin, &text, &e))
                .unwrap();
            let json_file: PolicyFile = serde_json::from_str(json).unwrap();
            same(origin, format!("{json_file:#?}"), format!("{toml_file:#?}"));
            from_toml.add_policy_text(origin, &text).unwrap();
        }
        from_toml.check_controls().unwrap();
        let builtin = Catalog::builtin().unwrap();
        assert!(builtin.all().len() > 100 && builtin.frameworks().len() >= 10);
        same(
            "the catalog",
            format!("{builtin:#?}"),
            format!("{from_toml:#?}"),
        );
    }

    #[test]
    fn selection_by_prefix_and_unknown_selector_is_an_error() {
        let mut catalog = Catalog::builtin().unwrap();
        catalog
            .select(&["ENV01".into()], &["ENV012".into()])
            .unwrap();
        let ids: Vec<_> = catalog.enabled().map(|r| r.id.as_str()).collect();
        assert!(ids.iter().all(|id| id.starts_with("ENV01")));
        assert!(!ids.contains(&"ENV012"));
        assert!(catalog.select(&["NOPE".into()], &[]).is_err());
    }

    /// Ids longer than the eight bytes `get` searches by, sharing them, and ids that begin
    /// others are each found as themselves.
    #[test]
    fn ids_sharing_their_first_bytes_are_told_apart() {
        let ids = [
            "ACMEPOLICY2",
            "ACMEPOLICY10",
            "ACMEPOLICY1",
            "ACMEPOL",
            "ACMEPOLI",
            "ACME",
        ];
        let mut catalog = Catalog::builtin().unwrap();
        let mut text = String::new();
        for (i, id) in ids.iter().enumerate() {
            text += &format!(
                "[[rule]]\nid = \"{id}\"\nname = \"acme-rule-{i}\"\ntitle = \"t\"\nseverity = \"high\"\n\
                 targets = [\"env\"]\nrationale = \"r\"\nremediation = \"r\"\n\
                 [rule.condition]\nkey = '^ACME_{i}$'\nvalue_matches = 'x'\nmessage = \"m\"\n"
            );
        }
        catalog.add_policy_text("acme.toml", &text).unwrap();
        for id in ids {
            assert_eq!(catalog.get(id).map(|r| r.id.as_str()), Some(id));
        }
        for absent in ["ACMEPOLICY", "ACMEPOLICY3", "ACMEPO", "ACM"] {
            assert!(catalog.get(absent).is_none(), "{absent}");
        }
    }

    #[test]
    fn bad_policy_file_reports_line_and_column() {
        let mut catalog = Catalog::default();
        let err = catalog
            .add_policy_text("mine.toml", "[[rule]]\nid = \"X1\"\nbogus = 1\n")
            .unwrap_err();
        assert!(err.0.starts_with("mine.toml:"), "{err}");
    }
}
