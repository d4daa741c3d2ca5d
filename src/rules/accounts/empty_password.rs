//! ACCT002: an account whose password field is empty. With no password at all, `su` and
//! every PAM service configured with `nullok` (Debian's default `common-auth`) let anyone
//! in as that account without asking for one.

use crate::formats::accounts::{Accounts, Database};
use crate::message::Quote;
use crate::msg;
use crate::rules::Context;

/// ACCT002: an empty password field, in passwd or shadow.
pub fn check(cx: &mut Context<'_, Accounts>) {
    let file = match cx.content.database {
        Database::Passwd => "/etc/passwd",
        Database::Shadow => "/etc/shadow",
    };
    for account in &cx.content.accounts {
        if !account.has_empty_password() {
            continue;
        }
        cx.report(
            account.name_span,
            &account.name,
            msg!(
                "account `{}` has an empty password field in {}: wherever empty passwords are accepted (PAM's `nullok`), anyone can log in as it without one; lock it (`passwd -l {}`) or set a password, and drop `nullok` from /etc/pam.d",
                Quote::at(account.name_span),
                file,
                Quote::at(account.name_span)
            ),
        );
    }
}
