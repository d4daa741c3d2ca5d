//! A canary planted wherever the host-service formats (nginx, sshd, PostgreSQL, Redis,
//! fail2ban, logrotate, firewall rules) keep secrets, and on lines their parsers cannot
//! read, must be covered by a sensitive span and absent from every message the checks and
//! the parser write about the file, rendered as the engine renders them.

use std::sync::Arc;

use crate::document::Document;
use crate::formats::{MemoryFiles, ParseContext, Target};
use crate::message::{Message, Secrets};
use crate::policy::Catalog;
use crate::redact::merged;
use crate::rules::{bind, Emitter};
use crate::source::{SourceFile, Span};

/// Digit-free, so no rule reads it as a number and no token heuristic is needed to hide it.
const CANARY: &str = "qzcanary-horse-river-tmsvqpa";

/// The secrets of the one document under test; other files are unknown.
struct OneFile {
    source: Arc<SourceFile>,
    spans: Vec<Span>,
}

impl Secrets for OneFile {
    fn spans_of(&self, file: &SourceFile) -> Option<&[Span]> {
        std::ptr::eq(file, &*self.source).then_some(self.spans.as_slice())
    }
}

/// Every message about `text` read as `target`: parse errors, findings of every built-in
/// check and their related locations, rendered with the document's sensitive spans.
fn messages(target: Target, text: &str) -> (Vec<Span>, Vec<String>) {
    let (_folder, doc) = crate::discover::example_document(target, text);
    messages_of(doc)
}

/// Every message about `doc` (see [`messages`]).
fn messages_of(doc: Document) -> (Vec<Span>, Vec<String>) {
    let docs = [doc];
    let doc = &docs[0];
    let secrets = OneFile {
        source: Arc::clone(&doc.source),
        spans: merged(doc.sensitive().into_iter().map(|s| s.span)),
    };
    let catalog = Catalog::builtin().expect("built-in catalog");
    let mut out = Emitter::new(&catalog);
    for rule in bind(&catalog).expect("built-in rules bind") {
        rule.check_document(doc, &mut out);
        rule.check_project(&docs, &mut out);
    }
    let render = |message: &Message, file: &SourceFile| message.render(file, &secrets);
    let mut shown: Vec<String> = doc
        .parse_errors()
        .iter()
        .map(|e| render(&e.message, &doc.source))
        .collect();
    for finding in out.into_findings() {
        shown.push(render(&finding.message, &finding.source));
        for related in &finding.related {
            shown.push(render(&related.message, &related.source));
        }
    }
    (secrets.spans, shown)
}

/// Asserts that every canary in `text` is inside a sensitive span and in no message, and
/// that there are messages to look at; returns them.
fn assert_hidden(target: Target, text: &str) -> Vec<String> {
    let (spans, shown) = messages(target, text);
    assert!(text.contains(CANARY), "no canary in {text}");
    for (at, _) in text.match_indices(CANARY) {
        assert!(
            spans
                .iter()
                .any(|s| s.start <= at && at + CANARY.len() <= s.end),
            "{target:?}: the canary at byte {at} is not sensitive in:\n{text}\nspans: {:?}",
            spans.iter().map(|s| &text[s.range()]).collect::<Vec<_>>()
        );
    }
    assert!(!shown.is_empty(), "{target:?}: no message about:\n{text}");
    for message in &shown {
        assert!(
            !message.contains(CANARY),
            "{target:?}: a message shows the canary: {message}"
        );
    }
    shown
}

fn planted(template: &str) -> String {
    template.replace("CANARY", CANARY)
}

/// [`assert_hidden`] for each of `cases`, `CANARY` standing for the canary.
fn assert_all_hidden(target: Target, cases: &[&str]) {
    for case in cases {
        assert_hidden(target, &planted(case));
    }
}

#[test]
fn nginx_credentials_and_unreadable_directives_stay_hidden() {
    let cases = [
        // NGX004 reports on the line that also sets the credential.
        "server {\n  location /api/ {\n    proxy_set_header Host $http_host; proxy_set_header Authorization \"Bearer CANARY\";\n  }\n}\n",
        "server {\n  location / {\n    more_set_input_headers 'X-Api-Key: CANARY';\n    proxy_set_header Host $http_host;\n  }\n}\n",
        "server {\n  location / {\n    set $api_token CANARY;\n    proxy_set_header Host $arg_h;\n  }\n}\n",
        // An unclosed quote: everything from it to the end of the file.
        "server {\n  listen 80;\n  proxy_set_header Authorization \"Bearer CANARY;\n  server_name shop.example.org;\n}\n",
        // A directive whose `;` is missing: after its name.
        "server {\n  proxy_set_header Authorization Bearer CANARY\n}\n",
    ];
    assert_all_hidden(Target::Nginx, &cases);
    // The names of unknown ciphers are no secret: NGX013 shows them.
    let (_, shown) = messages(
        Target::Nginx,
        "server {\n  ssl_ciphers ECDHE-RSA-AES256-GCM-SHA512:ECDHE-RSA-AES128-GCM-SHA256;\n}\n",
    );
    assert!(
        shown
            .iter()
            .any(|m| m.starts_with("`ECDHE-RSA-AES256-GCM-SHA512` is not a cipher")),
        "{shown:?}"
    );
}

#[test]
fn sshd_lines_sshd_refuses_are_hidden_after_their_keyword() {
    // SSH003 reports the value in effect; the line has a second value sshd refuses.
    let shown = assert_hidden(
        Target::Sshd,
        &planted("PasswordAuthentication yes CANARY\n"),
    );
    assert!(
        shown
            .iter()
            .any(|m| m.starts_with("`PasswordAuthentication [hidden]`: passwords can be guessed")),
        "{shown:?}"
    );
    assert_all_hidden(
        Target::Sshd,
        &[
            "PermitRootLogin yes \"CANARY\n",
            "Banner \"/etc/issue CANARY\n",
            "AllowUsers deploy\nCANARY\n",
        ],
    );
}

#[test]
fn sshd_values_of_included_files_are_spelt_by_preflight_or_hidden() {
    // The drop-in is read through the `Include`, not as a document whose secrets are known.
    let mut files = MemoryFiles::new("");
    files.insert(
        "/etc/ssh/sshd_config.d/50-cloud-init.conf",
        planted("PasswordAuthentication YES\nX11Forwarding yes CANARY\n").into_bytes(),
    );
    let main = "Include /etc/ssh/sshd_config.d/*.conf\nAllowUsers deploy\n";
    let source = SourceFile::from_bytes(
        "/etc/ssh/sshd_config".into(),
        "sshd_config".into(),
        main.into(),
    );
    let context = ParseContext {
        target: Target::Sshd,
        judged_at: None,
        files: &files,
    };
    let (_, shown) = messages_of(Document::parse_with(Arc::new(source), &context));
    let from = "from /etc/ssh/sshd_config.d/50-cloud-init.conf";
    let expected = [
        format!("`PasswordAuthentication yes` {from}:1, read through this Include"),
        format!("`X11Forwarding [hidden]` {from}:2, read through this Include"),
    ];
    for start in expected {
        assert!(
            shown.iter().any(|m| m.starts_with(&start)),
            "{start}: {shown:#?}"
        );
    }
    assert!(shown.iter().all(|m| !m.contains(CANARY)), "{shown:#?}");
}

#[test]
fn postgres_passwords_in_conninfo_options_and_broken_lines_stay_hidden() {
    assert_all_hidden(
        Target::Postgres,
        &[
            "listen_addresses = '*'\nprimary_conninfo = 'host=primary user=replication password=CANARY'\n",
            "listen_addresses = '*'\nprimary_conninfo = 'postgresql://replication:CANARY@primary/app'\n",
            "listen_addresses = '*'\nprimary_conninfo = 'host=primary password = CANARY' extra\n",
            "listen_addresses = '*'\nssl = off CANARY\n",
        ],
    );
    assert_all_hidden(
        Target::PgHba,
        &[
            "host all all 0.0.0.0/0 ldap ldapserver=ldap.internal ldapbinddn=cn=pg ldapbindpasswd=CANARY\n",
            "host all all 0.0.0.0/0 md5\nhost all CANARY\n",
        ],
    );
}

#[test]
fn redis_passwords_and_lines_redis_refuses_stay_hidden() {
    assert_all_hidden(
        Target::Redis,
        &[
            "bind 0.0.0.0\nrequirepass CANARY\nmasterauth \"CANARY\"\nrename-command CONFIG CANARY\n",
            "user default on nopass >CANARY ~* +@all\n",
            "bind 0.0.0.0\nrequirepass CANARY \"unbalanced\n",
            "bind 0.0.0.0\nrequirepass \"CANARY\n",
        ],
    );
}

#[test]
fn fail2ban_action_tokens_and_unreadable_lines_stay_hidden() {
    assert_all_hidden(
        Target::Fail2ban,
        &[
            "[DEFAULT]\naction = cloudflare[cfuser=\"ops@example.org\", cftoken=\"CANARY\"]\n[sshd]\nenabled = false\n",
            "[DEFAULT]\naction = %(action_)s\n         abuseipdb[abuseipdb_apikey=\"CANARY\"]\n[sshd]\nenabled = false\n",
            "[sshd]\nenabled = false\ncftoken CANARY\n",
        ],
    );
}

#[test]
fn logrotate_script_passwords_and_unreadable_lines_stay_hidden() {
    assert_all_hidden(
        Target::Logrotate,
        &[
            "/var/log/mysql/*.log {\n  rotate 0\n  postrotate\n    mysqladmin -pCANARY flush-logs\n  endscript\n}\n",
            "/var/log/app.log CANARY\n",
        ],
    );
}

#[test]
fn firewall_lines_that_are_not_rules_stay_hidden() {
    assert_hidden(
        Target::Firewall,
        &planted("*filter\n:INPUT ACCEPT [0:0]\npassword CANARY\nCOMMIT\n"),
    );
}
