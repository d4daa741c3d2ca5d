//! Rule logic. Declarative rules are evaluated here from their policy data; rules whose
//! logic data cannot express are built-in checks, one small module per family, registered
//! by name in [`BUILTINS`]. Checks report through an [`Emitter`] and know nothing of output.

use std::sync::Arc;

use crate::document::Document;
use crate::policy::{Catalog, Rule, RuleLogic};
use crate::source::{SourceFile, Span};

pub mod backup;
pub mod core;
pub mod cron;
pub mod django;
pub mod env;
pub mod nginx;
pub mod sshd;
pub mod systemd;

pub mod fail2ban;
pub mod firewall;
pub mod logrotate;
pub mod postgres;
pub mod redis;

pub mod dockerfile;
pub mod node;

pub mod compose;
pub mod kubernetes;
pub mod live;

/// A finding as a check reports it: a span in a file, before the engine adds the location,
/// redacted snippet, fingerprint and suppression state.
#[derive(Debug, Clone)]
pub struct RawFinding {
    /// The file.
    pub source: Arc<SourceFile>,
    /// The exact place.
    pub span: Span,
    /// What identifies this finding within the file for fingerprints (a key name, not a line).
    pub key: String,
    /// What is wrong and what to write instead.
    pub message: String,
    /// Other places that explain the finding.
    pub related: Vec<(Arc<SourceFile>, Span, String)>,
}

impl RawFinding {
    /// Adds a related location.
    pub fn related(
        &mut self,
        source: &Arc<SourceFile>,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Self {
        self.related
            .push((Arc::clone(source), span, message.into()));
        self
    }
}

/// Where checks put their findings.
pub struct Emitter<'a> {
    /// The whole catalog (a check on suppression comments needs to know every rule id).
    pub catalog: &'a Catalog,
    findings: Vec<RawFinding>,
}

impl<'a> Emitter<'a> {
    /// An empty emitter.
    pub fn new(catalog: &'a Catalog) -> Self {
        Self {
            catalog,
            findings: Vec::new(),
        }
    }

    /// Reports a finding at `span` of `source`.
    pub fn report(
        &mut self,
        source: &Arc<SourceFile>,
        span: Span,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut RawFinding {
        self.findings.push(RawFinding {
            source: Arc::clone(source),
            span,
            key: key.into(),
            message: message.into(),
            related: Vec::new(),
        });
        self.findings.last_mut().expect("just pushed")
    }

    /// The findings reported so far.
    pub fn into_findings(self) -> Vec<RawFinding> {
        self.findings
    }
}

/// A check that looks at one document at a time.
pub type DocumentCheck = fn(&Document, &mut Emitter);
/// A check that needs the whole scan (secrets reused across files, git state).
pub type ProjectCheck = fn(&[&Document], &mut Emitter);

/// The two shapes a built-in check comes in.
#[derive(Clone, Copy)]
pub enum Builtin {
    /// Per document.
    Document(DocumentCheck),
    /// Across documents.
    Project(ProjectCheck),
}

/// Every built-in check, by the name policy files use in `check = "…"`.
pub const BUILTINS: &[(&str, Builtin)] = &[
    ("parse-errors", Builtin::Document(core::parse_errors)),
    (
        "suppression-comments",
        Builtin::Document(core::suppression_comments),
    ),
    (
        "placeholder-secret",
        Builtin::Document(env::weak_secret::placeholder),
    ),
    (
        "example-credential",
        Builtin::Document(env::weak_secret::example_credential),
    ),
    ("short-secret", Builtin::Document(env::weak_secret::short)),
    (
        "low-entropy-secret",
        Builtin::Document(env::weak_secret::low_entropy),
    ),
    ("reused-secret", Builtin::Project(env::reused_secret::check)),
    (
        "secrets-file-tracked",
        Builtin::Project(env::git_exposure::tracked),
    ),
    (
        "secrets-file-not-ignored",
        Builtin::Project(env::git_exposure::not_ignored),
    ),
    (
        "database-url-without-tls",
        Builtin::Document(env::url_tls::database),
    ),
    (
        "redis-url-without-tls",
        Builtin::Document(env::url_tls::redis),
    ),
    ("not-utf8", Builtin::Document(env::syntax::not_utf8)),
    (
        "duplicate-key",
        Builtin::Document(env::syntax::duplicate_key),
    ),
    (
        "unquoted-whitespace",
        Builtin::Document(env::syntax::unquoted_whitespace),
    ),
    (
        "export-prefix",
        Builtin::Document(env::syntax::export_prefix),
    ),
    (
        "missing-assignment",
        Builtin::Document(env::syntax::missing_assignment),
    ),
    (
        "nginx-server-tokens",
        Builtin::Document(nginx::exposure::server_tokens),
    ),
    (
        "nginx-autoindex",
        Builtin::Document(nginx::exposure::autoindex),
    ),
    (
        "nginx-weak-tls-protocols",
        Builtin::Document(nginx::tls::weak_protocols),
    ),
    (
        "nginx-host-spoofing",
        Builtin::Document(nginx::host_spoofing::check),
    ),
    (
        "nginx-alias-traversal",
        Builtin::Document(nginx::alias_traversal::check),
    ),
    (
        "nginx-add-header-inheritance",
        Builtin::Document(nginx::header_inheritance::check),
    ),
    (
        "nginx-multiline-header",
        Builtin::Document(nginx::header_values::multiline),
    ),
    (
        "nginx-valid-referers-none",
        Builtin::Document(nginx::header_values::referers_none),
    ),
    (
        "nginx-origin-regex",
        Builtin::Document(nginx::origin_regex::check),
    ),
    (
        "nginx-directive-context",
        Builtin::Document(nginx::context::check),
    ),
    (
        "nginx-header-without-always",
        Builtin::Document(nginx::security_headers::without_always),
    ),
    (
        "nginx-weak-hsts",
        Builtin::Document(nginx::security_headers::weak_hsts),
    ),
    (
        "nginx-unknown-ciphers",
        Builtin::Document(nginx::tls::unknown_ciphers),
    ),
    (
        "nginx-weak-ciphers",
        Builtin::Document(nginx::tls::weak_ciphers),
    ),
    (
        "nginx-tls-without-certificate",
        Builtin::Document(nginx::https::without_certificate),
    ),
    (
        "nginx-http-without-redirect",
        Builtin::Document(nginx::https::without_redirect),
    ),
    ("nginx-ssrf", Builtin::Document(nginx::ssrf::check)),
    (
        "nginx-missing-hsts",
        Builtin::Document(nginx::security_headers::missing_hsts),
    ),
    (
        "nginx-missing-security-headers",
        Builtin::Document(nginx::security_headers::missing_headers),
    ),
    (
        "nginx-hsts-without-subdomains",
        Builtin::Document(nginx::security_headers::hsts_without_subdomains),
    ),
    (
        "nginx-login-without-rate-limit",
        Builtin::Document(nginx::request_limits::login_without_rate_limit),
    ),
    (
        "nginx-body-size",
        Builtin::Document(nginx::request_limits::body_size),
    ),
    (
        "nginx-include-problems",
        Builtin::Document(nginx::includes::check),
    ),
    (
        "nginx-response-splitting",
        Builtin::Document(nginx::response_splitting::check),
    ),
    (
        "sshd-root-login-password",
        Builtin::Document(sshd::authentication::root_login_password),
    ),
    (
        "sshd-root-login-key",
        Builtin::Document(sshd::authentication::root_login_key),
    ),
    (
        "sshd-password-authentication",
        Builtin::Document(sshd::authentication::password_authentication),
    ),
    (
        "sshd-keyboard-interactive",
        Builtin::Document(sshd::authentication::keyboard_interactive),
    ),
    (
        "sshd-empty-passwords",
        Builtin::Document(sshd::authentication::empty_passwords),
    ),
    (
        "sshd-match-reenables-login",
        Builtin::Document(sshd::authentication::match_reenables_login),
    ),
    (
        "sshd-weak-ciphers",
        Builtin::Document(sshd::algorithms::weak_ciphers),
    ),
    (
        "sshd-weak-macs",
        Builtin::Document(sshd::algorithms::weak_macs),
    ),
    (
        "sshd-weak-kex",
        Builtin::Document(sshd::algorithms::weak_kex),
    ),
    (
        "sshd-weak-host-key-algorithms",
        Builtin::Document(sshd::algorithms::weak_host_keys),
    ),
    (
        "sshd-protocol-1",
        Builtin::Document(sshd::algorithms::protocol_1),
    ),
    (
        "sshd-x11-forwarding",
        Builtin::Document(sshd::hardening::x11_forwarding),
    ),
    (
        "sshd-max-auth-tries",
        Builtin::Document(sshd::hardening::max_auth_tries),
    ),
    (
        "sshd-login-grace-time",
        Builtin::Document(sshd::hardening::login_grace_time),
    ),
    (
        "sshd-no-allow-list",
        Builtin::Document(sshd::hardening::no_allow_list),
    ),
    (
        "sshd-shadowed-value",
        Builtin::Document(sshd::semantics::shadowed_value),
    ),
    (
        "sshd-missing-include",
        Builtin::Document(sshd::semantics::missing_include),
    ),
    (
        "sshd-unknown-keyword",
        Builtin::Document(sshd::keywords::unknown_keyword),
    ),
    (
        "firewall-data-port-open",
        Builtin::Document(firewall::exposure::data_ports),
    ),
    (
        "firewall-admin-port-open",
        Builtin::Document(firewall::exposure::admin_ports),
    ),
    (
        "firewall-no-default-deny",
        Builtin::Document(firewall::policy::no_default_deny),
    ),
    (
        "firewall-ufw-inactive",
        Builtin::Project(firewall::policy::ufw_inactive),
    ),
    (
        "postgres-ssl-off",
        Builtin::Document(postgres::exposure::ssl_off),
    ),
    (
        "postgres-open-to-internet",
        Builtin::Project(postgres::exposure::open_to_internet),
    ),
    (
        "postgres-trust-network",
        Builtin::Document(postgres::hba::trust_network),
    ),
    (
        "postgres-trust-local",
        Builtin::Document(postgres::hba::trust_local),
    ),
    (
        "postgres-cleartext-password",
        Builtin::Document(postgres::hba::cleartext_password),
    ),
    ("postgres-md5", Builtin::Document(postgres::hba::md5)),
    (
        "postgres-hostnossl-remote",
        Builtin::Document(postgres::hba::hostnossl_remote),
    ),
    (
        "redis-no-password",
        Builtin::Document(redis::access::no_password),
    ),
    (
        "redis-protected-mode-off",
        Builtin::Document(redis::access::protected_mode),
    ),
    (
        "redis-bind-all-interfaces",
        Builtin::Document(redis::access::bind_all),
    ),
    (
        "redis-dangerous-commands",
        Builtin::Document(redis::commands::not_renamed),
    ),
    (
        "fail2ban-no-sshd-jail",
        Builtin::Project(fail2ban::jails::no_sshd_jail),
    ),
    (
        "fail2ban-short-bantime",
        Builtin::Project(fail2ban::jails::short_bantime),
    ),
    (
        "fail2ban-high-maxretry",
        Builtin::Project(fail2ban::jails::high_maxretry),
    ),
    (
        "logrotate-world-writable",
        Builtin::Document(logrotate::modes::world_writable),
    ),
    (
        "logrotate-world-readable",
        Builtin::Document(logrotate::modes::world_readable),
    ),
    (
        "logrotate-no-retention",
        Builtin::Project(logrotate::retention::no_retention),
    ),
    (
        "systemd-runs-as-root",
        Builtin::Document(systemd::identity::runs_as_root),
    ),
    (
        "systemd-secret-in-environment",
        Builtin::Document(systemd::environment::secret_in_environment),
    ),
    (
        "systemd-no-new-privileges",
        Builtin::Document(systemd::hardening::no_new_privileges),
    ),
    (
        "systemd-protect-system",
        Builtin::Document(systemd::hardening::protect_system),
    ),
    (
        "systemd-private-tmp",
        Builtin::Document(systemd::hardening::private_tmp),
    ),
    ("backups-missing", Builtin::Project(backup::present::check)),
    (
        "backup-without-retention",
        Builtin::Document(backup::retention::without_retention),
    ),
    (
        "backup-unencrypted",
        Builtin::Document(backup::encryption::unencrypted),
    ),
    (
        "cron-secret",
        Builtin::Document(cron::secrets::secret_in_crontab),
    ),
    (
        "systemd-secret-on-command-line",
        Builtin::Document(systemd::environment::secret_on_command_line),
    ),
    ("django-debug", Builtin::Project(django::core::debug)),
    (
        "django-weak-secret-key",
        Builtin::Project(django::core::weak_secret_key),
    ),
    (
        "django-hardcoded-secret-key",
        Builtin::Project(django::core::hardcoded_secret_key),
    ),
    (
        "django-weak-fallback-key",
        Builtin::Project(django::core::weak_fallback_keys),
    ),
    (
        "django-allowed-hosts-empty",
        Builtin::Project(django::core::allowed_hosts_empty),
    ),
    (
        "django-allowed-hosts-wildcard",
        Builtin::Project(django::core::allowed_hosts_wildcard),
    ),
    (
        "django-sqlite-in-production",
        Builtin::Project(django::core::sqlite_database),
    ),
    (
        "django-unknown-setting",
        Builtin::Project(django::core::unknown_statically),
    ),
    (
        "django-security-middleware-missing",
        Builtin::Project(django::middleware::security_middleware),
    ),
    (
        "django-xframe-middleware-missing",
        Builtin::Project(django::middleware::xframe_middleware),
    ),
    (
        "django-csrf-middleware-missing",
        Builtin::Project(django::middleware::csrf_middleware),
    ),
    (
        "django-xframe-not-deny",
        Builtin::Project(django::middleware::xframe_not_deny),
    ),
    (
        "django-hsts-missing",
        Builtin::Project(django::transport::hsts_missing),
    ),
    (
        "django-hsts-short",
        Builtin::Project(django::transport::hsts_short),
    ),
    (
        "django-hsts-no-subdomains",
        Builtin::Project(django::transport::hsts_subdomains),
    ),
    (
        "django-hsts-no-preload",
        Builtin::Project(django::transport::hsts_preload),
    ),
    (
        "django-nosniff-off",
        Builtin::Project(django::transport::nosniff),
    ),
    (
        "django-ssl-redirect-off",
        Builtin::Project(django::transport::ssl_redirect),
    ),
    (
        "django-session-cookie-insecure",
        Builtin::Project(django::transport::session_cookie_secure),
    ),
    (
        "django-session-cookie-script-readable",
        Builtin::Project(django::transport::session_cookie_httponly),
    ),
    (
        "django-csrf-cookie-insecure",
        Builtin::Project(django::transport::csrf_cookie_secure),
    ),
    (
        "django-referrer-policy-unset",
        Builtin::Project(django::transport::referrer_policy_unset),
    ),
    (
        "django-referrer-policy-invalid",
        Builtin::Project(django::transport::referrer_policy_invalid),
    ),
    (
        "django-coop-invalid",
        Builtin::Project(django::transport::coop_invalid),
    ),
    (
        "dockerfile-unpinned-base-image",
        Builtin::Document(dockerfile::base_image::unpinned),
    ),
    (
        "dockerfile-runs-as-root",
        Builtin::Document(dockerfile::user::runs_as_root),
    ),
    (
        "dockerfile-secret-in-env",
        Builtin::Document(dockerfile::secrets::literal_secret),
    ),
    (
        "dockerfile-secret-build-arg",
        Builtin::Document(dockerfile::secrets::secret_build_arg),
    ),
    (
        "dockerfile-add-remote-url",
        Builtin::Document(dockerfile::files::add_remote_url),
    ),
    (
        "dockerfile-add-instead-of-copy",
        Builtin::Document(dockerfile::files::add_instead_of_copy),
    ),
    (
        "dockerfile-copy-whole-context",
        Builtin::Document(dockerfile::files::copy_whole_context),
    ),
    (
        "dockerfile-apt-recommends",
        Builtin::Document(dockerfile::build_commands::apt_recommends),
    ),
    (
        "dockerfile-pipe-to-shell",
        Builtin::Document(dockerfile::build_commands::pipe_to_shell),
    ),
    (
        "dockerfile-npm-install",
        Builtin::Document(dockerfile::build_commands::npm_install),
    ),
    (
        "dockerfile-node-env",
        Builtin::Document(dockerfile::runtime::node_env),
    ),
    (
        "dockerfile-dev-server",
        Builtin::Document(dockerfile::runtime::dev_server_command),
    ),
    (
        "dockerfile-no-healthcheck",
        Builtin::Document(dockerfile::runtime::no_healthcheck),
    ),
    (
        "dockerfile-expose-ssh",
        Builtin::Document(dockerfile::user::exposes_ssh),
    ),
    ("dockerfile-sudo", Builtin::Document(dockerfile::user::sudo)),
    (
        "dockerfile-shell-form-command",
        Builtin::Document(dockerfile::runtime::shell_form_command),
    ),
    (
        "node-script-nodemon",
        Builtin::Document(node::scripts::nodemon),
    ),
    (
        "node-script-inspect",
        Builtin::Document(node::scripts::inspect),
    ),
    (
        "node-script-ts-node",
        Builtin::Document(node::scripts::ts_node),
    ),
    (
        "node-script-dev-env",
        Builtin::Document(node::scripts::dev_node_env),
    ),
    (
        "pm2-node-env",
        Builtin::Document(node::pm2::node_env_not_production),
    ),
    (
        "pm2-watch",
        Builtin::Document(node::pm2::watch_in_production),
    ),
    (
        "node-cors-wildcard",
        Builtin::Document(node::server::cors_wildcard),
    ),
    (
        "node-cors-reflect-credentials",
        Builtin::Document(node::server::cors_reflect_credentials),
    ),
    (
        "node-helmet-missing",
        Builtin::Project(node::server::helmet_missing),
    ),
    (
        "node-cookie-insecure",
        Builtin::Document(node::server::cookie_not_secure),
    ),
    (
        "node-cookie-script-readable",
        Builtin::Document(node::server::cookie_not_http_only),
    ),
    (
        "node-cookie-no-samesite",
        Builtin::Document(node::server::cookie_no_same_site),
    ),
    (
        "node-session-memory-store",
        Builtin::Document(node::server::session_memory_store),
    ),
    (
        "node-hardcoded-secret",
        Builtin::Document(node::secrets::hardcoded_secret),
    ),
    (
        "node-listen-all-interfaces",
        Builtin::Document(node::server::listen_all_interfaces),
    ),
    (
        "compose-data-port-public",
        Builtin::Document(compose::data_ports::check),
    ),
    (
        "compose-admin-port-public",
        Builtin::Document(compose::admin_ports::check),
    ),
    (
        "compose-literal-secret",
        Builtin::Document(compose::literal_secret::check),
    ),
    (
        "compose-privileged",
        Builtin::Document(compose::privileged::check),
    ),
    (
        "compose-docker-socket",
        Builtin::Document(compose::docker_socket::check),
    ),
    (
        "compose-host-namespace",
        Builtin::Document(compose::host_namespace::check),
    ),
    (
        "compose-no-restart-policy",
        Builtin::Document(compose::restart::check),
    ),
    (
        "compose-unpinned-image",
        Builtin::Document(compose::image::check),
    ),
    (
        "compose-dangerous-capability",
        Builtin::Document(compose::capabilities::check),
    ),
    (
        "compose-runs-as-root",
        Builtin::Document(compose::root_user::check),
    ),
    (
        "compose-env-file-missing",
        Builtin::Document(compose::env_file_missing::check),
    ),
    (
        "compose-port-base60",
        Builtin::Document(compose::base60_port::check),
    ),
    (
        "k8s-run-as-root",
        Builtin::Document(kubernetes::run_as_root::check),
    ),
    (
        "k8s-privileged",
        Builtin::Document(kubernetes::privileged::check),
    ),
    (
        "k8s-privilege-escalation",
        Builtin::Document(kubernetes::privilege_escalation::check),
    ),
    (
        "k8s-capabilities-not-dropped",
        Builtin::Document(kubernetes::capabilities::check),
    ),
    (
        "k8s-dangerous-capabilities",
        Builtin::Document(kubernetes::dangerous_capabilities::check),
    ),
    (
        "k8s-writable-root-filesystem",
        Builtin::Document(kubernetes::read_only_root::check),
    ),
    (
        "k8s-host-namespaces",
        Builtin::Document(kubernetes::host_namespaces::check),
    ),
    (
        "k8s-sensitive-host-path",
        Builtin::Document(kubernetes::host_path::check_sensitive),
    ),
    (
        "k8s-host-path",
        Builtin::Document(kubernetes::host_path::check),
    ),
    (
        "k8s-image-latest",
        Builtin::Document(kubernetes::image_latest::check),
    ),
    (
        "k8s-pull-policy-latest",
        Builtin::Document(kubernetes::pull_policy::check),
    ),
    (
        "k8s-image-no-digest",
        Builtin::Document(kubernetes::image_digest::check),
    ),
    (
        "k8s-no-resources",
        Builtin::Document(kubernetes::resources::check),
    ),
    (
        "k8s-no-probes",
        Builtin::Document(kubernetes::probes::check),
    ),
    (
        "k8s-secret-manifest",
        Builtin::Document(kubernetes::secret_manifest::check),
    ),
    (
        "k8s-env-secret",
        Builtin::Document(kubernetes::env_secret::check),
    ),
    (
        "k8s-exposed-service",
        Builtin::Document(kubernetes::exposed_service::check),
    ),
    (
        "k8s-ingress-no-tls",
        Builtin::Document(kubernetes::ingress_tls::check),
    ),
    (
        "k8s-rbac-wildcard",
        Builtin::Document(kubernetes::rbac_wildcard::check),
    ),
    (
        "k8s-rbac-secrets",
        Builtin::Document(kubernetes::rbac_secrets::check),
    ),
    (
        "k8s-automount-token",
        Builtin::Document(kubernetes::automount_token::check),
    ),
    (
        "live-public-database-port",
        Builtin::Document(live::listeners::database_port),
    ),
    (
        "live-public-admin-port",
        Builtin::Document(live::listeners::admin_port),
    ),
    (
        "live-app-process-root",
        Builtin::Document(live::processes::app_as_root),
    ),
    (
        "live-dev-server-running",
        Builtin::Document(live::processes::dev_server),
    ),
    (
        "live-certificate-expiring",
        Builtin::Document(live::certificates::expiring),
    ),
    (
        "live-certificate-expired",
        Builtin::Document(live::certificates::expired),
    ),
    ("live-backup-stale", Builtin::Document(live::backups::stale)),
    (
        "live-fail2ban-inactive",
        Builtin::Document(live::fail2ban::inactive),
    ),
    (
        "live-firewall-inactive",
        Builtin::Project(live::firewall::inactive),
    ),
    (
        "live-security-updates",
        Builtin::Document(live::updates::pending),
    ),
    (
        "k8s-no-seccomp",
        Builtin::Document(kubernetes::seccomp::missing),
    ),
    (
        "k8s-seccomp-unconfined",
        Builtin::Document(kubernetes::seccomp::unconfined),
    ),
    (
        "k8s-host-port",
        Builtin::Document(kubernetes::host_port::check),
    ),
];

/// Whether a policy file may name `name` as its check.
pub fn is_builtin(name: &str) -> bool {
    builtin(name).is_some()
}

fn builtin(name: &str) -> Option<Builtin> {
    BUILTINS.iter().find(|(n, _)| *n == name).map(|(_, b)| *b)
}

/// Runs a rule's per-document logic on `doc` (nothing for project-wide rules).
pub fn check_document(rule: &Rule, doc: &Document, out: &mut Emitter) {
    if !rule.applies_to(doc.target) {
        return;
    }
    match &rule.logic {
        RuleLogic::Env(condition) => env::condition::check(condition, doc, out),
        RuleLogic::Builtin(name) => {
            if let Some(Builtin::Document(check)) = builtin(name) {
                check(doc, out);
            }
        }
    }
}

/// Runs a rule's project-wide logic on the documents it applies to (nothing for others).
pub fn check_project(rule: &Rule, docs: &[Document], out: &mut Emitter) {
    if let RuleLogic::Builtin(name) = &rule.logic {
        if let Some(Builtin::Project(check)) = builtin(name) {
            let docs: Vec<&Document> = docs.iter().filter(|d| rule.applies_to(d.target)).collect();
            if !docs.is_empty() {
                check(&docs, out);
            }
        }
    }
}

/// Whether a rule needs the whole scan.
pub fn is_project_rule(rule: &Rule) -> bool {
    matches!(&rule.logic, RuleLogic::Builtin(name) if matches!(builtin(name), Some(Builtin::Project(_))))
}

#[cfg(test)]
mod tests {
    //! The shared tester: every rule's `examples` in the catalog are run through that rule
    //! alone (oxc's pass/fail tables, kept next to the rule's prose).

    use super::*;
    use crate::formats::Target;
    use crate::source::SourceFile;

    fn findings_of(rule: &Rule, catalog: &Catalog, text: &str) -> Vec<RawFinding> {
        let target = match rule.targets[0] {
            Target::Any => Target::Env,
            other => other,
        };
        // Each example is read as a file of its rule's kind, named as discovery would.
        let name = target.example_file_name();
        let source = SourceFile::from_bytes(name.into(), name.into(), text.as_bytes().to_vec());
        let docs = vec![Document::parse(source, target)];
        let mut out = Emitter::new(catalog);
        check_document(rule, &docs[0], &mut out);
        check_project(rule, &docs, &mut out);
        out.into_findings()
    }

    #[test]
    fn every_rule_example_behaves_as_documented() {
        let catalog = Catalog::builtin().unwrap();
        let mut failures = Vec::new();
        for rule in catalog.all() {
            for text in &rule.examples.fail {
                if findings_of(rule, &catalog, text).is_empty() {
                    failures.push(format!("{} should report:\n{text}", rule.id));
                }
            }
            for text in &rule.examples.pass {
                let found = findings_of(rule, &catalog, text);
                if !found.is_empty() {
                    failures.push(format!(
                        "{} should accept:\n{text}\nbut said: {}",
                        rule.id, found[0].message
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
        // other (NGX021, see fixtures/nginx-include) cannot be written as one example text.
        // A certificate "within 14 days" (LIVE005) depends on the day the test runs; see
        // tests/live_local.rs.
        let exempt = ["ENV015", "ENV016", "ENV030", "NGX021", "LIVE005"];
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
