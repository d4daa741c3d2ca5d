//! Rules for OpenSSH server configurations. They read the effective view
//! ([`SshdConfig::effective`]): the first value obtained wins, `Include`s are followed and
//! absent keywords take OpenSSH's defaults, so a rule judges what sshd will do, not what a
//! line seems to say.
//!
//! Findings always land in the document's own file: a value that comes from an included
//! file is reported at the `Include` line that brought it in, with the included line as a
//! related location; a default is reported at line 1, column 1 (a complete `sshd_config`
//! only: drop-ins are fragments, and `sshd -T` output lists every value).

use crate::formats::sshd::effective::{
    default_of, Origin, Setting, SshdConfig, SshdRole, Statement,
};
use crate::formats::sshd::{known_choice, SshdLine};
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::{checks, Context, RegisteredCheck};
use crate::source::Span;

pub mod algorithms;
pub mod authentication;
pub mod hardening;
pub mod keywords;
pub mod semantics;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "sshd-empty-passwords" => authentication::empty_passwords;
    document "sshd-keyboard-interactive" => authentication::keyboard_interactive;
    document "sshd-login-grace-time" => hardening::login_grace_time;
    document "sshd-mac-not-etm" => algorithms::mac_not_etm;
    document "sshd-match-reenables-login" => authentication::match_reenables_login;
    document "sshd-max-auth-tries" => hardening::max_auth_tries;
    document "sshd-missing-include" => semantics::missing_include;
    document "sshd-nist-curves" => algorithms::nist_curves;
    document "sshd-no-allow-list" => hardening::no_allow_list;
    document "sshd-password-authentication" => authentication::password_authentication;
    document "sshd-protocol-1" => algorithms::protocol_1;
    document "sshd-root-login-key" => authentication::root_login_key;
    document "sshd-root-login-password" => authentication::root_login_password;
    document "sshd-shadowed-value" => semantics::shadowed_value;
    document "sshd-unknown-keyword" => keywords::unknown_keyword;
    document "sshd-weak-ciphers" => algorithms::weak_ciphers;
    document "sshd-weak-host-key-algorithms" => algorithms::weak_host_keys;
    document "sshd-weak-kex" => algorithms::weak_kex;
    document "sshd-weak-macs" => algorithms::weak_macs;
    document "sshd-x11-forwarding" => hardening::x11_forwarding;
};

/// The statement in the document's own file that stands for `statement`: itself, or the
/// `Include` line of the main file that led to it.
fn anchor(config: &SshdConfig, statement: Statement) -> Statement {
    if statement.file == 0 {
        return statement;
    }
    let position = config
        .statements
        .iter()
        .position(|s| *s == statement)
        .unwrap_or(0);
    config.statements[..position]
        .iter()
        .rev()
        .find(|s| s.file == 0)
        .copied()
        .unwrap_or(statement)
}

/// `path:line` of a statement, for messages.
fn place(config: &SshdConfig, statement: Statement) -> Message {
    let source = config.source(statement);
    let (start, _) = source.locate(config.line(statement).span);
    msg!("{}:{}", source, start.line)
}

/// The value of `statement` for messages, quoted from where it is written. An included
/// file is read for the document, not as a document of the scan, so which of its spans
/// hold secrets is not known and its quotes are hidden: a value of its line that preflight
/// can spell itself (one of the fixed values its keyword takes, `yes`, `prohibit-password`,
/// or a number) is shown that way instead.
fn written_value(config: &SshdConfig, statement: Statement) -> Message {
    let line = config.line(statement);
    let values: Vec<&str> = line.values().collect();
    if values.is_empty() {
        return Message::new();
    }
    let quoted = Quote::derived_in(
        config.source(statement),
        line.value_span(),
        values.join(" "),
    );
    match values.as_slice() {
        _ if statement.file == 0 => quoted.into(),
        [value] => spelt(line, value).unwrap_or_else(|| quoted.into()),
        _ => quoted.into(),
    }
}

/// `value` of `line` as preflight spells it, when it can: a fixed value of the keyword or
/// a number.
fn spelt(line: &SshdLine, value: &str) -> Option<Message> {
    if let Some(choice) = known_choice(&line.keyword, value) {
        return Some(choice.into());
    }
    let number = value.parse::<u64>().ok()?;
    (number.to_string() == value).then(|| msg!("{}", number))
}

/// The value of `setting` for messages: OpenSSH's default, or what the line that sets it
/// says (see [`written_value`]).
fn setting_value(config: &SshdConfig, keyword: &str, setting: &Setting) -> Message {
    match setting.origin {
        Origin::Default => msg!("{}", default_of(keyword)),
        Origin::Set(statement) => written_value(config, statement),
    }
}

impl Context<'_, SshdConfig> {
    /// Reports a value in effect that a rule objects to. `name` is the keyword as the
    /// documentation spells it (`PasswordAuthentication`); the message starts with where
    /// the value comes from and goes on with `problem`. Defaults are reported only for a
    /// complete `sshd_config`.
    fn report_setting(
        &mut self,
        name: &'static str,
        setting: &Setting,
        problem: impl Into<Message>,
    ) {
        let config = self.content;
        let key = name.to_ascii_lowercase();
        let problem = problem.into();
        let value = setting_value(config, &key, setting);
        match &setting.origin {
            Origin::Default => {
                if config.role == SshdRole::Main {
                    self.report(
                        Span::new(0, 0),
                        key,
                        msg!(
                            "`{}` is not set, and OpenSSH's default is `{}`: {}",
                            name,
                            value,
                            problem
                        ),
                    );
                }
            }
            Origin::Set(statement) => {
                let at = anchor(config, *statement);
                let line = config.line(*statement);
                let written = msg!("`{} {}`", name, value);
                if at == *statement {
                    self.report(line.value_span(), key, msg!("{}: {}", written, problem));
                } else {
                    let origin = place(config, *statement);
                    self.report(
                        config.line(at).value_span(),
                        key,
                        msg!(
                            "{} from {}, read through this Include, is in effect: {}",
                            written,
                            origin,
                            problem
                        ),
                    )
                    .related_in(
                        config.source(*statement),
                        line.value_span(),
                        msg!("{} is set here", name),
                    );
                }
            }
        }
    }
}

/// Calls `check` with the global value in effect for `keyword`, when there is one.
fn with_effective(
    cx: &mut Context<'_, SshdConfig>,
    keyword: &str,
    check: impl FnOnce(&mut Context<'_, SshdConfig>, &Setting),
) {
    if let Some(setting) = cx.content.effective(keyword) {
        check(cx, &setting);
    }
}
