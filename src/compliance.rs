//! Framework rollups: the evaluation results of a scan or audit read as evidence for the
//! controls of a framework (`--framework devsec-ssh`).
//!
//! A control's status on a target (a file, or a host in a live audit) combines the results
//! of every rule mapped to it there: `fail` when one failed, else `not_evaluated` when one
//! could not judge, else `pass` when one passed, else `not_applicable`. A control no rule
//! maps to is `not_covered` — never passed; a control whose mapped rules were switched off
//! cannot pass either (`not_evaluated`, naming them). A rule that checks only part of a
//! control (`partial_controls`) fails it where the rule fails; where it passes, the control
//! is `not_evaluated` ("evidence for part of it only") unless a rule mapped to the whole
//! control decides.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::policy::{Catalog, Framework};
use crate::results::{RuleResult, Status};

/// What every rollup says, in every format.
pub const STATEMENT: &str = "This is evidence for the listed controls from the files and hosts checked, not a certification: a control passes when every rule mapped to it that applies passed; controls preflight cannot evaluate are listed as not covered, never as passed.";

/// A control's status in a rollup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    /// Every mapped rule that applies passed.
    Pass,
    /// A mapped rule failed.
    Fail,
    /// No mapped rule had anything to judge.
    NotApplicable,
    /// A mapped rule could not judge, or was not run.
    NotEvaluated,
    /// No rule maps to the control: preflight gives no evidence for it.
    NotCovered,
}

impl ControlStatus {
    /// The name every report uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::NotApplicable => "not_applicable",
            Self::NotEvaluated => "not_evaluated",
            Self::NotCovered => "not_covered",
        }
    }

    fn of(status: Status) -> Self {
        match status {
            Status::Pass => Self::Pass,
            Status::Fail => Self::Fail,
            Status::NotApplicable => Self::NotApplicable,
            Status::NotEvaluated => Self::NotEvaluated,
        }
    }

    /// The status of several results together: fail, not evaluated, pass, not applicable,
    /// in that order of precedence.
    fn combine(statuses: impl IntoIterator<Item = ControlStatus>) -> Self {
        let mut seen = [false; 4];
        for status in statuses {
            match status {
                Self::Fail => seen[0] = true,
                Self::NotEvaluated | Self::NotCovered => seen[1] = true,
                Self::Pass => seen[2] = true,
                Self::NotApplicable => seen[3] = true,
            }
        }
        if seen[0] {
            Self::Fail
        } else if seen[1] {
            Self::NotEvaluated
        } else if seen[2] {
            Self::Pass
        } else {
            Self::NotApplicable
        }
    }
}

/// Counts of controls by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Controls the framework lists.
    pub controls: usize,
    /// Controls at least one rule maps to.
    pub covered: usize,
    /// Covered controls that passed.
    pub passed: usize,
    /// Covered controls that failed.
    pub failed: usize,
    /// Covered controls with nothing to judge.
    pub not_applicable: usize,
    /// Covered controls that could not be evaluated.
    pub not_evaluated: usize,
    /// Controls no rule maps to.
    pub not_covered: usize,
    /// Of the covered controls, those only rules checking a part of them map to: never
    /// passed.
    pub partly_covered: usize,
}

impl Totals {
    fn add(&mut self, status: ControlStatus) {
        match status {
            ControlStatus::Pass => self.passed += 1,
            ControlStatus::Fail => self.failed += 1,
            ControlStatus::NotApplicable => self.not_applicable += 1,
            ControlStatus::NotEvaluated => self.not_evaluated += 1,
            ControlStatus::NotCovered => self.not_covered += 1,
        }
    }
}

/// The framework a rollup is for.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkInfo {
    /// Its id.
    pub id: String,
    /// Its name.
    pub title: String,
    /// Its version.
    pub version: String,
    /// Its licence.
    pub licence: String,
    /// Where it is published.
    pub url: String,
}

/// One control over the whole run.
#[derive(Debug, Clone, Serialize)]
pub struct ControlResult {
    /// The framework's id for it.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The rules mapped to it.
    pub rules: Vec<String>,
    /// The rules that check a part of it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partial_rules: Vec<String>,
    /// Its status over every target.
    pub status: ControlStatus,
    /// On how many targets it passed, failed, did not apply, was not evaluated.
    pub targets: BTreeMap<&'static str, usize>,
    /// Why it was not evaluated (rules not run, values unknown), at most a few.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

impl ControlResult {
    /// The rules mapped to it as reports list them, those checking a part of it marked.
    pub fn rules_shown(&self) -> String {
        self.rules
            .iter()
            .cloned()
            .chain(self.partial_rules.iter().map(|r| format!("{r} (in part)")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One covered control on one target.
#[derive(Debug, Clone, Serialize)]
pub struct TargetControl {
    /// The control's id.
    pub control: String,
    /// Its status there.
    pub status: ControlStatus,
    /// The mapped rules that failed there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed_rules: Vec<String>,
    /// Why it was not evaluated or did not apply there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

/// Every covered control on one file or host.
#[derive(Debug, Clone, Serialize)]
pub struct TargetResult {
    /// The file (as findings show it) or `ssh://host`.
    pub target: String,
    /// The audited host, for live audits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Counts of the covered controls judged there by status.
    pub totals: Totals,
    /// The covered controls a mapped rule judged there.
    pub controls: Vec<TargetControl>,
}

/// A framework's controls over a run.
#[derive(Debug, Clone, Serialize)]
pub struct Rollup {
    /// The framework.
    pub framework: FrameworkInfo,
    /// What this is, and what it is not.
    pub statement: &'static str,
    /// Every control by its status over the run.
    pub totals: Totals,
    /// Every control of the framework, covered or not, in its order.
    pub controls: Vec<ControlResult>,
    /// Per file or host.
    pub targets: Vec<TargetResult>,
}

/// Most reasons kept per control.
const MAX_REASONS: usize = 3;

/// The rollup of `results` for `framework`.
pub fn rollup(framework: &Framework, catalog: &Catalog, results: &[RuleResult]) -> Rollup {
    let enabled: Vec<&str> = catalog.enabled().map(|r| r.id.as_str()).collect();
    // For each rule id, the controls of this framework it maps to, and whether it checks
    // only a part of each.
    let mut controls_of: HashMap<&str, Vec<(usize, bool)>> = HashMap::new();
    let ids = |rules: Vec<&crate::policy::Rule>| -> Vec<String> {
        rules.into_iter().map(|r| r.id.clone()).collect()
    };
    let mapped: Vec<(Vec<String>, Vec<String>)> = framework
        .controls
        .iter()
        .enumerate()
        .map(|(i, control)| {
            let rules = ids(catalog.rules_for(&framework.id, &control.id));
            let partial = ids(catalog.partial_rules_for(&framework.id, &control.id));
            for (rule, part) in rules
                .iter()
                .map(|r| (r, false))
                .chain(partial.iter().map(|r| (r, true)))
            {
                if let Some(rule) = catalog.get(rule) {
                    controls_of
                        .entry(rule.id.as_str())
                        .or_default()
                        .push((i, part));
                }
            }
            (rules, partial)
        })
        .collect();
    // target → control → statuses (with the failing rules and reasons).
    struct Seen {
        statuses: Vec<ControlStatus>,
        failed_rules: Vec<String>,
        reasons: Vec<String>,
    }
    let mut by_target: BTreeMap<(String, Option<String>), BTreeMap<usize, Seen>> = BTreeMap::new();
    let mut overall: Vec<Vec<ControlStatus>> = vec![Vec::new(); framework.controls.len()];
    let mut reasons: Vec<Vec<String>> = vec![Vec::new(); framework.controls.len()];
    for result in results {
        let Some(controls) = controls_of.get(result.rule_id.as_str()) else {
            continue;
        };
        for &(c, part) in controls {
            let mut status = ControlStatus::of(result.status);
            let mut partly = None;
            if part {
                // A rule checking part of a control only fails it where a rule for the
                // whole control decides; alone, its pass is no pass of the control.
                match status {
                    ControlStatus::Fail => {}
                    _ if !mapped[c].0.is_empty() => continue,
                    ControlStatus::Pass => {
                        status = ControlStatus::NotEvaluated;
                        partly = Some(format!(
                            "{} passed on {}, which is evidence for part of this control only",
                            result.rule_id,
                            result.target()
                        ));
                    }
                    _ => {}
                }
            }
            overall[c].push(status);
            if let Some(reason) = &partly {
                if reasons[c].len() < MAX_REASONS && !reasons[c].contains(reason) {
                    reasons[c].push(reason.clone());
                }
            }
            if status == ControlStatus::NotEvaluated
                && partly.is_none()
                && reasons[c].len() < MAX_REASONS
            {
                let reason = format!(
                    "{} on {}: {}",
                    result.rule_id,
                    result.target(),
                    result.reasons.join("; ")
                );
                if !reasons[c].contains(&reason) {
                    reasons[c].push(reason);
                }
            }
            // A rule with nothing to judge in a scan has no target of its own.
            if result.path.is_none() && result.host.is_none() {
                continue;
            }
            let target = match &result.host {
                Some(host) => format!("ssh://{host}"),
                None => result.target(),
            };
            let seen = by_target
                .entry((target, result.host.clone()))
                .or_default()
                .entry(c)
                .or_insert_with(|| Seen {
                    statuses: Vec::new(),
                    failed_rules: Vec::new(),
                    reasons: Vec::new(),
                });
            seen.statuses.push(status);
            if status == ControlStatus::Fail && !seen.failed_rules.contains(&result.rule_id) {
                seen.failed_rules.push(result.rule_id.clone());
            }
            if let Some(reason) = partly {
                if seen.reasons.len() < MAX_REASONS && !seen.reasons.contains(&reason) {
                    seen.reasons.push(reason);
                }
            } else if matches!(
                status,
                ControlStatus::NotEvaluated | ControlStatus::NotApplicable
            ) {
                for reason in &result.reasons {
                    let reason = format!("{}: {reason}", result.rule_id);
                    if seen.reasons.len() < MAX_REASONS && !seen.reasons.contains(&reason) {
                        seen.reasons.push(reason);
                    }
                }
            }
        }
    }
    let mut totals = Totals {
        controls: framework.controls.len(),
        ..Totals::default()
    };
    let mut controls = Vec::new();
    for (i, control) in framework.controls.iter().enumerate() {
        let (rules, partial_rules) = &mapped[i];
        let mut why = std::mem::take(&mut reasons[i]);
        let status = if rules.is_empty() && partial_rules.is_empty() {
            ControlStatus::NotCovered
        } else {
            // Partial rules switched off matter only where no rule covers the whole.
            let deciding = if rules.is_empty() {
                partial_rules
            } else {
                rules
            };
            let not_run: Vec<&str> = deciding
                .iter()
                .map(String::as_str)
                .filter(|r| !enabled.contains(r))
                .collect();
            let mut statuses = std::mem::take(&mut overall[i]);
            if !not_run.is_empty() {
                why.insert(0, format!("rules not run: {}", not_run.join(", ")));
                statuses.push(ControlStatus::NotEvaluated);
            }
            ControlStatus::combine(statuses)
        };
        if status != ControlStatus::NotCovered {
            totals.covered += 1;
            if rules.is_empty() {
                totals.partly_covered += 1;
            }
        }
        totals.add(status);
        let mut per_target: BTreeMap<&'static str, usize> = BTreeMap::new();
        for targets in by_target.values() {
            if let Some(seen) = targets.get(&i) {
                let status = ControlStatus::combine(seen.statuses.iter().copied());
                *per_target.entry(status.as_str()).or_default() += 1;
            }
        }
        controls.push(ControlResult {
            id: control.id.clone(),
            title: control.title.clone(),
            rules: rules.clone(),
            partial_rules: partial_rules.clone(),
            status,
            targets: per_target,
            reasons: why,
        });
    }
    let targets = by_target
        .into_iter()
        .map(|((target, host), seen)| {
            let mut totals = Totals::default();
            let controls = seen
                .into_iter()
                .map(|(i, seen)| {
                    let status = ControlStatus::combine(seen.statuses);
                    totals.controls += 1;
                    totals.covered += 1;
                    totals.partly_covered += usize::from(mapped[i].0.is_empty());
                    totals.add(status);
                    TargetControl {
                        control: framework.controls[i].id.clone(),
                        status,
                        failed_rules: seen.failed_rules,
                        reasons: seen.reasons,
                    }
                })
                .collect();
            TargetResult {
                target,
                host,
                totals,
                controls,
            }
        })
        .collect();
    Rollup {
        framework: FrameworkInfo {
            id: framework.id.clone(),
            title: framework.title.clone(),
            version: framework.version.clone(),
            licence: framework.licence.clone(),
            url: framework.url.clone(),
        },
        statement: STATEMENT,
        totals,
        controls,
        targets,
    }
}

/// How many of a framework's controls some rule of `catalog` maps to.
pub fn coverage(framework: &Framework, catalog: &Catalog) -> usize {
    framework
        .controls
        .iter()
        .filter(|c| !catalog.rules_for(&framework.id, &c.id).is_empty())
        .count()
}

/// How many of a framework's controls only rules checking a part of them map to.
pub fn partial_coverage(framework: &Framework, catalog: &Catalog) -> usize {
    framework
        .controls
        .iter()
        .filter(|c| {
            catalog.rules_for(&framework.id, &c.id).is_empty()
                && !catalog.partial_rules_for(&framework.id, &c.id).is_empty()
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Catalog;

    fn result(rule: &str, path: &str, status: Status) -> RuleResult {
        RuleResult {
            rule_id: rule.into(),
            path: Some(path.into()),
            host: None,
            role: None,
            status,
            findings: usize::from(status == Status::Fail),
            reasons: Vec::new(),
            reasons_left_out: 0,
        }
    }

    fn control<'a>(rollup: &'a Rollup, id: &str) -> &'a ControlResult {
        rollup.controls.iter().find(|c| c.id == id).unwrap()
    }

    #[test]
    fn a_control_fails_when_one_mapped_rule_fails_and_uncovered_ones_never_pass() {
        let catalog = Catalog::builtin().unwrap();
        let asvs = catalog.framework("asvs-4.0.3").unwrap();
        let results = [
            // 14.4.5: DJ009, DJ013 and DJ015 on one settings module.
            result("DJ009", "a/settings.py", Status::Pass),
            result("DJ013", "a/settings.py", Status::Pass),
            result("DJ015", "a/settings.py", Status::Fail),
            result("DJ009", "b/settings.py", Status::Pass),
            result("DJ013", "b/settings.py", Status::Pass),
            result("DJ015", "b/settings.py", Status::Pass),
            // 14.3.2 on a settings module whose DEBUG is unknown.
            result("DJ001", "a/settings.py", Status::NotEvaluated),
            result("DJ001", "b/settings.py", Status::Pass),
        ];
        let rollup = rollup(asvs, &catalog, &results);
        let hsts = control(&rollup, "14.4.5");
        assert_eq!(hsts.status, ControlStatus::Fail);
        assert_eq!(hsts.targets.get("fail"), Some(&1));
        assert_eq!(hsts.targets.get("pass"), Some(&1));
        assert_eq!(
            control(&rollup, "14.3.2").status,
            ControlStatus::NotEvaluated
        );
        // No result at all for 14.3.3's rule (NGX001): no nginx file was judged.
        assert_eq!(
            control(&rollup, "14.3.3").status,
            ControlStatus::NotApplicable
        );
        assert_eq!(control(&rollup, "14.2.5").status, ControlStatus::NotCovered);
        assert_eq!(rollup.totals.controls, 24);
        assert_eq!(
            rollup.totals.covered + rollup.totals.not_covered,
            rollup.totals.controls
        );
        let a = rollup
            .targets
            .iter()
            .find(|t| t.target == "a/settings.py")
            .unwrap();
        let hsts_a = a.controls.iter().find(|c| c.control == "14.4.5").unwrap();
        assert_eq!(hsts_a.failed_rules, ["DJ015"]);
    }

    #[test]
    fn a_control_whose_rules_were_not_run_cannot_pass() {
        let mut catalog = Catalog::builtin().unwrap();
        catalog.select(&[], &["DJ015".into()]).unwrap();
        let asvs = catalog.framework("asvs-4.0.3").unwrap().clone();
        let results = [
            result("DJ009", "a/settings.py", Status::Pass),
            result("DJ013", "a/settings.py", Status::Pass),
        ];
        let rollup = rollup(&asvs, &catalog, &results);
        let hsts = control(&rollup, "14.4.5");
        assert_eq!(hsts.status, ControlStatus::NotEvaluated);
        assert_eq!(hsts.reasons[0], "rules not run: DJ015");
    }

    fn host_result(rule: &str, host: &str, status: Status) -> RuleResult {
        RuleResult {
            path: None,
            host: Some(host.into()),
            ..result(rule, "", status)
        }
    }

    #[test]
    fn a_rule_checking_part_of_a_control_fails_it_and_never_passes_it() {
        let catalog = Catalog::builtin().unwrap();
        let cis = catalog.framework("cis-debian12").unwrap();
        // 2.4.1.1 (cron enabled and active): LIVE013 sees only whether cron runs.
        // 5.1.20 (PermitRootLogin no): SSH001 and SSH002 decide the whole control.
        let results = [
            host_result("LIVE013", "web-1", Status::Pass),
            host_result("LIVE013", "web-2", Status::Fail),
            host_result("SSH001", "web-1", Status::Pass),
            host_result("SSH002", "web-1", Status::Pass),
        ];
        let rollup = rollup(cis, &catalog, &results);
        let cron = control(&rollup, "2.4.1.1");
        assert_eq!(cron.status, ControlStatus::Fail);
        assert_eq!(cron.partial_rules, ["LIVE013"]);
        assert_eq!(cron.rules_shown(), "LIVE013 (in part)");
        let on = |host: &str| {
            let target = rollup
                .targets
                .iter()
                .find(|t| t.target == format!("ssh://{host}"))
                .unwrap();
            target
                .controls
                .iter()
                .find(|c| c.control == "2.4.1.1")
                .unwrap()
                .clone()
        };
        assert_eq!(on("web-2").status, ControlStatus::Fail);
        assert_eq!(on("web-2").failed_rules, ["LIVE013"]);
        let passed_in_part = on("web-1");
        assert_eq!(passed_in_part.status, ControlStatus::NotEvaluated);
        assert_eq!(
            passed_in_part.reasons,
            ["LIVE013 passed on ssh://web-1, which is evidence for part of this control only"]
        );
        // Where only web-1 was audited, the control is not evaluated, never passed.
        let alone = super::rollup(cis, &catalog, &results[..1]);
        assert_eq!(
            control(&alone, "2.4.1.1").status,
            ControlStatus::NotEvaluated
        );
        assert_eq!(
            control(&alone, "5.1.20").status,
            ControlStatus::NotApplicable
        );
        assert_eq!(alone.totals.partly_covered, partial_coverage(cis, &catalog));
        assert_eq!(control(&rollup, "5.1.20").status, ControlStatus::Pass);
        assert_eq!(partial_coverage(cis, &catalog), 5);
        // A user's mapping can add partial evidence too.
        let mut mine = Catalog::builtin().unwrap();
        mine.add_policy_text(
            "ops/mine.toml",
            "[[mapping]]\nrule = \"SSH012\"\npartial_controls = [\"cis-debian12:5.1.8\"]\n",
        )
        .unwrap();
        mine.check_controls().unwrap();
        assert_eq!(
            partial_coverage(mine.framework("cis-debian12").unwrap(), &mine),
            6
        );
    }

    #[test]
    fn every_builtin_control_reference_resolves_and_coverage_is_counted() {
        let catalog = Catalog::builtin().unwrap();
        catalog.check_controls().unwrap();
        let ssh = catalog.framework("devsec-ssh").unwrap();
        assert_eq!(coverage(ssh, &catalog), 6);
        let mut bad = Catalog::builtin().unwrap();
        bad.add_policy_text(
            "ops/mine.toml",
            "[[mapping]]\nrule = \"SSH013\"\ncontrols = [\"devsec-ssh:sshd-99\"]\n",
        )
        .unwrap();
        let err = bad.check_controls().unwrap_err();
        assert!(
            err.0.contains("`devsec-ssh:sshd-99` is no known control"),
            "{err}"
        );
        // A user's mapping adds evidence to a built-in rule.
        let mut mine = Catalog::builtin().unwrap();
        mine.add_policy_text(
            "ops/mine.toml",
            "[[mapping]]\nrule = \"SSH013\"\ncontrols = [\"devsec-ssh:sshd-19\"]\n",
        )
        .unwrap();
        mine.check_controls().unwrap();
        let ssh = mine.framework("devsec-ssh").unwrap();
        assert_eq!(coverage(ssh, &mine), 7);
    }
}
