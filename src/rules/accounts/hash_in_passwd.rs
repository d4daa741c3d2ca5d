//! ACCT003: a password hash in `/etc/passwd`, which every user and process can read, instead
//! of `x` pointing to `/etc/shadow`, readable by root only. A readable hash can be cracked
//! offline at leisure.

use crate::formats::accounts::{Accounts, Database};
use crate::message::Quote;
use crate::msg;
use crate::rules::Context;

/// ACCT003: a hash (not `x`, not a lock, not empty) in passwd's password field.
pub fn check(cx: &mut Context<'_, Accounts>) {
    if cx.content.database != Database::Passwd {
        return;
    }
    for account in &cx.content.accounts {
        if !account.holds_hash() {
            continue;
        }
        cx.report(
            account.password_span,
            &account.name,
            msg!(
                "account `{}` keeps its password hash in /etc/passwd, which every user can read and crack offline; move it to /etc/shadow with `pwconv` (the field becomes `x`) and change the password, since the old hash has been readable",
                Quote::at(account.name_span)
            ),
        );
    }
}
