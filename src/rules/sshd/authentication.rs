//! SSH001–SSH006: who may log in, and with what.

use crate::formats::sshd::effective::{Origin, SshdConfig};
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::sshd::{place, setting_value, with_effective, written_value};
use crate::rules::Context;

/// SSH001: `PermitRootLogin yes`: root may log in with a password.
pub fn root_login_password(cx: &mut Context<'_, SshdConfig>) {
    with_effective(cx, "permitrootlogin", |cx, setting| {
        if setting.value == "yes" {
            cx.report_setting("PermitRootLogin", setting,
                "root may log in directly, with a password too, so one guessed or leaked password is the whole machine; write `PermitRootLogin no` and use a named account with sudo");
        }
    });
}

/// SSH002: `PermitRootLogin prohibit-password` or `forced-commands-only` (OpenSSH's
/// default): root may still log in with a key.
pub fn root_login_key(cx: &mut Context<'_, SshdConfig>) {
    with_effective(cx, "permitrootlogin", |cx, setting| {
        if matches!(
            setting.value.as_str(),
            "prohibit-password" | "forced-commands-only"
        ) {
            cx.report_setting("PermitRootLogin", setting,
                "root may still log in with a key, so a stolen key skips sudo and its audit trail; write `PermitRootLogin no`");
        }
    });
}

/// SSH003: password authentication on, explicitly or by OpenSSH's default.
pub fn password_authentication(cx: &mut Context<'_, SshdConfig>) {
    with_effective(cx, "passwordauthentication", |cx, setting| {
        if setting.value == "yes" {
            cx.report_setting("PasswordAuthentication", setting,
                "passwords can be guessed by every bot on the internet; write `PasswordAuthentication no` (before any `Match` block) once your key login works");
        }
    });
}

/// SSH004: keyboard-interactive authentication on while PAM is used: PAM asks for the
/// password, so `PasswordAuthentication no` alone does not stop password logins.
pub fn keyboard_interactive(cx: &mut Context<'_, SshdConfig>) {
    with_effective(cx, "kbdinteractiveauthentication", |cx, setting| {
        let pam = cx
            .content
            .effective("usepam")
            .is_some_and(|p| p.value == "yes");
        let explicit = matches!(setting.origin, Origin::Set(_));
        if setting.value == "yes" && (pam || explicit) {
            cx.report_setting("KbdInteractiveAuthentication", setting,
                "with PAM this is password login by another name, even with `PasswordAuthentication no`; write `KbdInteractiveAuthentication no` (`ChallengeResponseAuthentication no` on OpenSSH before 8.7)");
        }
    });
}

/// SSH005: `PermitEmptyPasswords yes`.
pub fn empty_passwords(cx: &mut Context<'_, SshdConfig>) {
    with_effective(cx, "permitemptypasswords", |cx, setting| {
        if setting.value == "yes" {
            cx.report_setting("PermitEmptyPasswords", setting,
                "accounts without a password can log in with nothing at all; write `PermitEmptyPasswords no` (the default) or delete the line");
        }
    });
}

/// What a `Match` block may switch back on, and when that is weaker than the global value.
const REENABLED: &[(&str, &str)] = &[
    ("passwordauthentication", "PasswordAuthentication"),
    (
        "kbdinteractiveauthentication",
        "KbdInteractiveAuthentication",
    ),
    ("permitrootlogin", "PermitRootLogin"),
    ("permitemptypasswords", "PermitEmptyPasswords"),
];

/// SSH006: a `Match` block that turns password or root login back on for the
/// connections it matches. Reported at the `Match` line, with the setting as related.
pub fn match_reenables_login(cx: &mut Context<'_, SshdConfig>) {
    let config = cx.content;
    for (block, statements) in config.block_overrides() {
        let Some(match_statement) = config.match_statement(block) else {
            continue;
        };
        let match_line = config.line(match_statement);
        let criteria: Vec<&str> = match_line.values().collect();
        let shown_criteria = Quote::derived_in(
            config.source(match_statement),
            match_line.value_span(),
            criteria.join(" "),
        );
        for statement in statements {
            let line = config.line(statement);
            let Some((_, name)) = REENABLED.iter().find(|(k, _)| *k == line.keyword) else {
                continue;
            };
            let value = crate::formats::sshd::effective::normalize(line);
            let Some(global) = config.effective(&line.keyword) else {
                continue;
            };
            let weaker = match line.keyword.as_str() {
                "permitrootlogin" => value != "no" && global.value == "no",
                _ => value == "yes" && global.value == "no",
            };
            if !weaker {
                continue;
            }
            let at = super::anchor(config, match_statement);
            let (span, source_note) = if at == match_statement {
                (match_line.span, Message::new())
            } else {
                (
                    config.line(at).value_span(),
                    msg!(
                        " (in {}, read through this Include)",
                        place(config, match_statement)
                    ),
                )
            };
            let message = msg!(
                "`Match {}`{} turns `{} {}` back on for the connections it matches, although the global value is `{}`; remove the line from the block, or narrow the block to the addresses that truly need it",
                &shown_criteria,
                source_note,
                *name,
                written_value(config, statement),
                setting_value(config, &line.keyword, &global)
            );
            cx.report(
                span,
                format!("match({}) > {}", criteria.join(" "), line.keyword),
                message,
            )
            .related_in(
                config.source(statement),
                line.value_span(),
                msg!("{} is set here", *name),
            );
        }
    }
}
