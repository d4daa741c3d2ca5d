//! The built-in checks by name, and rules bound to their checks.
//!
//! Each family lists its checks in one sorted table (`RULES` in its `mod.rs`, written with
//! [`checks!`]), which wraps each typed check (`fn(&mut Context<'_, RedisConf>)`) into the
//! untyped shape the engine calls. A policy rule names
//! its check (`check = "…"`, or its own `name`); [`bind`] resolves those names once, when
//! the catalog is loaded, so the engine never looks a check up by name per file.

use std::any::Any;
use std::collections::HashSet;

use crate::document::Document;
use crate::policy::{Catalog, EnvCondition, PolicyError, Rule, RuleLogic};
use crate::rules::{env, Context, Emitter, FAMILIES};

/// A check that looks at one document at a time.
pub type DocumentCheck = fn(&Document, &mut Emitter);
/// A check that needs the whole scan (secrets reused across files, git state).
pub type ProjectCheck = fn(&[&Document], &mut Emitter);
/// What one document tells a fact-based check, as the engine holds it (see [`ScanFacts`]).
pub type AnyFacts = Box<dyn Any + Send + Sync>;
/// Takes a fact-based check's facts from one document.
pub type CollectFacts = fn(&Document) -> Option<AnyFacts>;
/// Judges a fact-based check's facts from the whole scan, in the order it read them.
pub type JudgeFacts = fn(Vec<AnyFacts>, &mut Emitter);

/// The shapes a built-in check comes in, as the engine calls them.
#[derive(Clone, Copy)]
pub enum Check {
    /// Per document.
    Document(DocumentCheck),
    /// Across documents, which the scan keeps until the end.
    Project(ProjectCheck),
    /// Across documents, from small facts each gives as it is read: the documents
    /// themselves are dropped once their own rules ran, so memory does not grow with them.
    Facts(CollectFacts, JudgeFacts),
}

/// One entry of a family's table: the name policy files use, and the check.
#[derive(Clone, Copy)]
pub struct RegisteredCheck {
    /// What a policy rule's `check` (or, without one, its `name`) says.
    pub name: &'static str,
    /// The check, typed glue already applied.
    pub check: Check,
}

/// A family's table: one line per check, `document "name" => path;` for a per-document
/// check `fn(&mut Context<'_, Kind>)` (it runs on the documents of that kind only), or
/// `project "name" => path;` for a project check `fn(&mut ProjectContext<'_, Kind>)` (it
/// sees every document of that kind in the scan at once), or `facts "name" => Type;` for a
/// whole-scan check written as a [`crate::rules::ScanFacts`] type (it sees small facts from
/// every document, not the documents). Each line becomes a
/// [`RegisteredCheck`] whose wrapper does the typing, so no check converts a [`Document`]
/// itself.
macro_rules! checks {
    ($($kind:ident $name:literal => $check:path;)*) => {
        &[$($crate::rules::checks!(@entry $kind $name $check)),*]
    };
    (@entry document $name:literal $check:path) => {
        $crate::rules::RegisteredCheck {
            name: $name,
            check: $crate::rules::Check::Document({
                fn run(doc: &$crate::document::Document, out: &mut $crate::rules::Emitter) {
                    $crate::rules::Context::run(doc, out, $check)
                }
                run
            }),
        }
    };
    (@entry project $name:literal $check:path) => {
        $crate::rules::RegisteredCheck {
            name: $name,
            check: $crate::rules::Check::Project({
                fn run(docs: &[&$crate::document::Document], out: &mut $crate::rules::Emitter) {
                    $crate::rules::ProjectContext::run(docs, out, $check)
                }
                run
            }),
        }
    };
    (@entry facts $name:literal $facts:path) => {
        $crate::rules::RegisteredCheck {
            name: $name,
            check: $crate::rules::Check::Facts(
                {
                    fn collect(
                        doc: &$crate::document::Document,
                    ) -> Option<$crate::rules::AnyFacts> {
                        $crate::rules::FactsContext::collect::<$facts>(doc)
                    }
                    collect
                },
                {
                    fn judge(facts: Vec<$crate::rules::AnyFacts>, out: &mut $crate::rules::Emitter) {
                        $crate::rules::FactsContext::judge::<$facts>(facts, out)
                    }
                    judge
                },
            ),
        }
    };
}

pub(crate) use checks;

/// The built-in check called `name`. Each family's table is sorted, so this is one binary
/// search per family.
pub fn resolve(name: &str) -> Option<Check> {
    FAMILIES.iter().find_map(|table| {
        table
            .binary_search_by(|entry| entry.name.cmp(name))
            .ok()
            .map(|i| table[i].check)
    })
}

/// How a bound rule decides.
#[derive(Clone, Copy)]
enum Logic<'c> {
    /// A declarative `.env` condition from the policy file.
    Condition(&'c EnvCondition),
    /// A built-in check.
    Builtin(Check),
}

/// A rule with its check resolved: what the engine runs.
#[derive(Clone, Copy)]
pub struct BoundRule<'c> {
    /// The rule's metadata.
    pub rule: &'c Rule,
    logic: Logic<'c>,
}

impl<'c> BoundRule<'c> {
    /// Resolves `rule`'s check; an unknown name is an error naming the file and the rule.
    pub fn new(rule: &'c Rule) -> Result<Self, PolicyError> {
        let logic = match &rule.logic {
            RuleLogic::Env(condition) => Logic::Condition(condition),
            RuleLogic::Builtin(name) => match resolve(name) {
                Some(check) => Logic::Builtin(check),
                None => {
                    let hint = if *name == rule.name {
                        " (a rule without `check` or `condition` runs the built-in check of its own name)"
                    } else {
                        ""
                    };
                    return Err(PolicyError(format!(
                        "{}: rule {}: no built-in check named `{name}`{hint}",
                        rule.origin, rule.id
                    )));
                }
            },
        };
        Ok(Self { rule, logic })
    }

    /// Whether the rule needs the whole scan's documents, kept until the end.
    pub fn is_project(&self) -> bool {
        matches!(self.logic, Logic::Builtin(Check::Project(_)))
    }

    /// Whether the rule judges the whole scan from facts (see [`Check::Facts`]).
    pub fn is_facts(&self) -> bool {
        matches!(self.logic, Logic::Builtin(Check::Facts(..)))
    }

    /// The facts `doc` gives the rule (none for other rules, or for documents of kinds the
    /// rule does not apply to).
    pub fn collect(&self, doc: &Document) -> Option<AnyFacts> {
        match self.logic {
            Logic::Builtin(Check::Facts(collect, _)) if self.rule.applies_to(doc.target) => {
                collect(doc)
            }
            _ => None,
        }
    }

    /// Judges the facts the scan's documents gave the rule (nothing for other rules).
    pub fn judge(&self, facts: Vec<AnyFacts>, out: &mut Emitter) {
        if let Logic::Builtin(Check::Facts(_, judge)) = self.logic {
            judge(facts, out);
        }
    }

    /// Runs the rule's per-document logic on `doc` (nothing for project rules, or for
    /// documents of kinds the rule does not apply to).
    pub fn check_document(&self, doc: &Document, out: &mut Emitter) {
        if !self.rule.applies_to(doc.target) {
            return;
        }
        match self.logic {
            Logic::Condition(condition) => {
                Context::run(doc, out, |cx| env::condition::check(condition, cx));
            }
            Logic::Builtin(Check::Document(check)) => check(doc, out),
            Logic::Builtin(Check::Project(_) | Check::Facts(..)) => {}
        }
    }

    /// Runs the rule's whole-scan logic on the documents it applies to, whether it reads
    /// them or their facts (nothing for per-document rules).
    pub fn check_project(&self, docs: &[Document], out: &mut Emitter) {
        match self.logic {
            Logic::Builtin(Check::Project(check)) => {
                let docs: Vec<&Document> = docs
                    .iter()
                    .filter(|d| self.rule.applies_to(d.target))
                    .collect();
                if !docs.is_empty() {
                    check(&docs, out);
                }
            }
            Logic::Builtin(Check::Facts(..)) => {
                let facts: Vec<AnyFacts> = docs.iter().filter_map(|d| self.collect(d)).collect();
                self.judge(facts, out);
                out.place_in(docs);
            }
            _ => {}
        }
    }
}

/// The enabled rules of `catalog`, each with its check resolved. Every rule is resolved,
/// enabled or not, so a policy file naming an unknown check is refused however the rules
/// are selected.
pub fn bind(catalog: &Catalog) -> Result<Vec<BoundRule<'_>>, PolicyError> {
    let mut bound = catalog
        .all()
        .iter()
        .map(BoundRule::new)
        .collect::<Result<Vec<_>, _>>()?;
    let enabled: HashSet<&str> = catalog.enabled().map(|r| r.id.as_str()).collect();
    bound.retain(|b| enabled.contains(b.rule.id.as_str()));
    Ok(bound)
}

#[cfg(test)]
mod tests {
    //! The registry's invariants, and the shared tester: every rule's `examples` in the
    //! catalog are run through that rule alone (oxc's pass/fail tables, kept next to the
    //! rule's prose).

    use super::*;
    use crate::formats::Target;
    use crate::rules::RawFinding;

    #[test]
    fn every_family_table_is_sorted_without_duplicates() {
        for table in FAMILIES {
            for pair in table.windows(2) {
                assert!(
                    pair[0].name < pair[1].name,
                    "`{}` must come after `{}` (sorted, once)",
                    pair[0].name,
                    pair[1].name
                );
            }
        }
        let mut names: Vec<&str> = FAMILIES
            .iter()
            .flat_map(|t| t.iter().map(|e| e.name))
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(
            names.len(),
            count,
            "a check name is registered by two families"
        );
    }

    #[test]
    fn every_builtin_rule_resolves_and_every_check_is_used() {
        let catalog = Catalog::builtin().unwrap();
        let bound = bind(&catalog).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bound.len(), catalog.all().len());
        let used: Vec<&str> = catalog
            .all()
            .iter()
            .filter_map(|r| match &r.logic {
                RuleLogic::Builtin(name) => Some(name.as_str()),
                RuleLogic::Env(_) => None,
            })
            .collect();
        for entry in FAMILIES.iter().flat_map(|t| t.iter()) {
            assert!(
                used.contains(&entry.name),
                "no rule in policies/*.toml runs the check `{}`",
                entry.name
            );
        }
    }

    #[test]
    fn an_unknown_check_is_refused_with_its_file_and_rule() {
        let mut catalog = Catalog::builtin().unwrap();
        let rule = "[[rule]]\nid = \"ACME001\"\nname = \"acme-thing\"\ntitle = \"t\"\nseverity = \"high\"\ntargets = [\"env\"]\nrationale = \"r\"\nremediation = \"r\"\n";
        catalog
            .add_policy_text(
                "ops/acme.toml",
                &format!("{rule}check = \"no-such-check\"\n"),
            )
            .unwrap();
        let err = bind(&catalog).err().expect("refused");
        assert_eq!(
            err.0,
            "ops/acme.toml: rule ACME001: no built-in check named `no-such-check`"
        );
        // Without `check`, the rule's name is the check's.
        let mut catalog = Catalog::builtin().unwrap();
        catalog.add_policy_text("ops/acme.toml", rule).unwrap();
        let err = bind(&catalog).err().expect("refused");
        assert!(
            err.0
                .starts_with("ops/acme.toml: rule ACME001: no built-in check named `acme-thing` ("),
            "{err}"
        );
        // A deselected rule is refused all the same.
        catalog.select(&[], &["ACME001".into()]).unwrap();
        assert!(bind(&catalog).is_err());
    }

    #[test]
    fn a_user_rule_may_run_a_builtin_check_by_name() {
        let mut catalog = Catalog::default();
        catalog
            .add_policy_text(
                "ops/acme.toml",
                "[[rule]]\nid = \"ACME002\"\nname = \"acme-redis\"\ntitle = \"t\"\nseverity = \"low\"\ntargets = [\"redis\"]\nrationale = \"r\"\nremediation = \"r\"\ncheck = \"redis-protected-mode-off\"\n",
            )
            .unwrap();
        let bound = bind(&catalog).unwrap();
        let found = run(&bound[0], Target::Redis, "protected-mode no\n");
        assert_eq!(found.len(), 1);
        // Checks run on documents of their kind only.
        assert!(run(&bound[0], Target::Env, "protected-mode=no\n").is_empty());
    }

    fn run(rule: &BoundRule, target: Target, text: &str) -> Vec<RawFinding> {
        // Each example is read alone in an empty folder ([`crate::discover::example_document`]).
        let (_folder, doc) = crate::discover::example_document(target, text);
        let docs = vec![doc];
        let catalog = Catalog::builtin().unwrap();
        let mut out = Emitter::new(&catalog);
        rule.check_document(&docs[0], &mut out);
        rule.check_project(&docs, &mut out);
        out.into_findings()
    }

    fn findings_of(rule: &Rule, text: &str) -> Vec<RawFinding> {
        let target = match rule.targets[0] {
            Target::Any => Target::Env,
            other => other,
        };
        run(&BoundRule::new(rule).unwrap(), target, text)
    }

    #[test]
    fn every_rule_example_behaves_as_documented() {
        let catalog = Catalog::builtin().unwrap();
        let mut failures = Vec::new();
        for rule in catalog.all() {
            for text in &rule.examples.fail {
                if findings_of(rule, text).is_empty() {
                    failures.push(format!("{} should report:\n{text}", rule.id));
                }
            }
            for text in &rule.examples.pass {
                let found = findings_of(rule, text);
                if !found.is_empty() {
                    failures.push(format!(
                        "{} should accept:\n{text}\nbut said: {}",
                        rule.id,
                        found[0].message.fingerprint_text(&found[0].source)
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }

    #[test]
    fn every_rule_has_examples_unless_it_needs_a_repository_bytes_or_several_files() {
        let catalog = Catalog::builtin().unwrap();
        // Git repositories (ENV015/016), invalid UTF-8 (ENV030) and files including each
        // other (NGX021, see fixtures/nginx-include; NGX026, tests/it/bad_input.rs) cannot be
        // written as one example text.
        // A certificate "within 14 days" (LIVE005) depends on the day the test runs; see
        // tests/live_local.rs. A kustomization's build (K8S025) needs the file named
        // `kustomization.yaml` and the files it names: see tests/it/kustomize.rs. "No cron
        // daemon while crontabs hold jobs" (LIVE013) needs a process list and a crontab
        // together: see tests/it/live_checks.rs and fixtures/live/. A Helm chart's renderings
        // (K8S026, K8S027) need a chart folder and `helm`: see tests/it/helm.rs. A host
        // file's drift from its repository file (LIVE017) needs both: see
        // src/live/deployed.rs and tests/it/ssh_audit.rs.
        let exempt = [
            "ENV015", "ENV016", "ENV030", "NGX021", "NGX026", "LIVE005", "K8S025", "LIVE013",
            "K8S026", "K8S027", "LIVE017",
        ];
        for rule in catalog
            .all()
            .iter()
            .filter(|r| !exempt.contains(&r.id.as_str()))
        {
            assert!(
                !rule.examples.fail.is_empty(),
                "{} has no failing example",
                rule.id
            );
            assert!(
                !rule.examples.pass.is_empty(),
                "{} has no passing example",
                rule.id
            );
        }
    }
}
