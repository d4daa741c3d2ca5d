//! F2B001–F2B003: the sshd jail and how hard it bans.

use crate::formats::fail2ban::JailFile;
use crate::message::Message;
use crate::msg;
use crate::rules::fail2ban::{is_true, jail_sets, seconds, JailSet, SSHD_JAILS};
use crate::rules::ProjectContext;
use crate::source::Span;

/// Below this, a ban is a pause in a password-guessing run (fail2ban's own default: 10m).
const MIN_BANTIME: i64 = 600;
/// Above this, a guesser gets many tries per window (fail2ban's default is 5).
const MAX_RETRY: i64 = 5;

/// The sshd jail that is enabled in the set, if any.
fn enabled_sshd_jail(set: &JailSet) -> Option<&'static str> {
    SSHD_JAILS
        .iter()
        .copied()
        .enumerate()
        .find(|&(i, jail)| {
            (i == 0 || set.has_section(jail))
                && set
                    .get(jail, "enabled")
                    .is_some_and(|e| is_true(&e.entry.value))
        })
        .map(|(_, jail)| jail)
}

/// The last `[sshd]` header of the set, where `enabled = true` belongs.
fn sshd_section<'a>(
    set: &JailSet<'a>,
) -> Option<(&'a std::sync::Arc<crate::source::SourceFile>, Span)> {
    set.docs.iter().rev().find_map(|file| {
        let section = file
            .content
            .sections
            .iter()
            .rev()
            .find(|s| SSHD_JAILS.contains(&s.name.as_str()))?;
        Some((file.source(), section.span))
    })
}

/// F2B001: no sshd jail enabled in the merged jail files (fail2ban's jails are all off by
/// default).
pub fn no_sshd_jail(cx: &mut ProjectContext<'_, JailFile>) {
    for set in jail_sets(cx.docs) {
        if enabled_sshd_jail(&set).is_some() {
            continue;
        }
        let read = Message::join(set.docs.iter().map(|file| file.source()), ", ");
        if let Some(off) = SSHD_JAILS.iter().find_map(|j| set.get(j, "enabled")) {
            cx.report_in(off.source, off.entry.value_span, "sshd:enabled",
                msg!("`enabled = {}` is what fail2ban ends up with for the sshd jail (read: {}), so password guessing on SSH is never banned; write `[sshd]` / `enabled = true` in jail.local", off.value(), read));
        } else if let Some((source, header)) = sshd_section(&set) {
            cx.report_in(source, header, "sshd:enabled",
                msg!("the `[sshd]` jail is never enabled in {} (fail2ban's jails are off unless enabled), so password guessing on SSH is never banned; add `enabled = true` here", read));
        } else if let Some(anchor) = set.anchor() {
            cx.report_in(anchor, Span::new(0, 0), "sshd:enabled",
                msg!("no sshd jail is enabled in {} (fail2ban's jails are off unless enabled), so password guessing on SSH is never banned; add `[sshd]` with `enabled = true` to jail.local", read));
        }
    }
}

/// F2B002: the sshd jail (or `[DEFAULT]`) bans for less than ten minutes.
pub fn short_bantime(cx: &mut ProjectContext<'_, JailFile>) {
    for set in jail_sets(cx.docs) {
        let jail = enabled_sshd_jail(&set).unwrap_or("sshd");
        let Some(bantime) = set.get(jail, "bantime") else {
            continue;
        };
        if let Some(n) = seconds(&bantime.entry.value) {
            if (0..MIN_BANTIME).contains(&n) {
                cx.report_in(bantime.source, bantime.entry.value_span, format!("{jail}:bantime"),
                    msg!("`bantime = {}` bans for {} seconds, a short pause for a password-guessing script; use `bantime = 1h` (and `bantime.increment = true` for repeat offenders)", bantime.value(), n));
            }
        }
    }
}

/// F2B003: the sshd jail (or `[DEFAULT]`) allows more than five failures before a ban.
pub fn high_maxretry(cx: &mut ProjectContext<'_, JailFile>) {
    for set in jail_sets(cx.docs) {
        let jail = enabled_sshd_jail(&set).unwrap_or("sshd");
        let Some(maxretry) = set.get(jail, "maxretry") else {
            continue;
        };
        if maxretry
            .entry
            .value
            .trim()
            .parse::<i64>()
            .is_ok_and(|n| n > MAX_RETRY)
        {
            cx.report_in(maxretry.source, maxretry.entry.value_span, format!("{jail}:maxretry"),
                msg!("`maxretry = {}` allows that many failed logins per `findtime` before a ban; 3 to 5 is usual (fail2ban's own default is 5)", maxretry.value()));
        }
    }
}
