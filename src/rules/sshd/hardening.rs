//! SSH012–SSH015: forwarding, brute-force limits and who may log in at all.

use crate::formats::sshd::effective::{SshdConfig, SshdRole};
use crate::msg;
use crate::rules::sshd::with_effective;
use crate::rules::Context;
use crate::source::Span;

/// SSH012: `X11Forwarding yes`.
pub fn x11_forwarding(cx: &mut Context<'_, SshdConfig>) {
    with_effective(cx, "x11forwarding", |cx, setting| {
        if setting.value == "yes" {
            cx.report_setting("X11Forwarding", setting,
                "a server does not need a display, and a forwarded X11 connection lets the server side read the client's keystrokes and screen; write `X11Forwarding no`");
        }
    });
}

/// CIS: at most 4 attempts per connection.
const MAX_AUTH_TRIES: u64 = 4;
/// CIS: at most one minute to authenticate.
const MAX_LOGIN_GRACE: u64 = 60;

/// SSH013: `MaxAuthTries` above 4 (OpenSSH's default is 6).
pub fn max_auth_tries(cx: &mut Context<'_, SshdConfig>) {
    with_effective(cx, "maxauthtries", |cx, setting| {
        if setting
            .value
            .parse::<u64>()
            .is_ok_and(|n| n > MAX_AUTH_TRIES)
        {
            cx.report_setting(
                "MaxAuthTries",
                setting,
                msg!(
                    "each connection may guess that many times; write `MaxAuthTries {}` or less",
                    MAX_AUTH_TRIES
                ),
            );
        }
    });
}

/// SSH014: `LoginGraceTime` above 60 seconds or 0 (unlimited; OpenSSH's default is 120).
pub fn login_grace_time(cx: &mut Context<'_, SshdConfig>) {
    with_effective(cx, "logingracetime", |cx, setting| {
        if setting
            .value
            .parse::<u64>()
            .is_ok_and(|n| n == 0 || n > MAX_LOGIN_GRACE)
        {
            cx.report_setting("LoginGraceTime", setting,
                "unauthenticated connections are held that long (0: forever), so a few hosts can exhaust `MaxStartups`; write `LoginGraceTime 60` or less");
        }
    });
}

/// SSH015: no `AllowUsers`/`AllowGroups` anywhere in a complete `sshd_config`.
pub fn no_allow_list(cx: &mut Context<'_, SshdConfig>) {
    let config = cx.content;
    if config.role == SshdRole::DropIn {
        return;
    }
    let listed = config.statements.iter().any(|s| {
        matches!(
            config.line(*s).keyword.as_str(),
            "allowusers" | "allowgroups"
        )
    });
    if !listed {
        cx.report(Span::new(0, 0), "allowusers",
            "neither `AllowUsers` nor `AllowGroups` is set, so every account with a shell and a credential may log in over SSH; write `AllowGroups ssh-users` (and add the admins to that group) or `AllowUsers deploy`");
    }
}
