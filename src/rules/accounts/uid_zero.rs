//! ACCT001: an account other than `root` with UID 0. The kernel knows users by number, so
//! such an account is root under another name, with its own password, easy to miss in a
//! review and a classic backdoor.

use crate::formats::accounts::{Accounts, Database};
use crate::message::Quote;
use crate::msg;
use crate::rules::Context;

/// ACCT001: UID 0 on any account but `root` (passwd only).
pub fn check(cx: &mut Context<'_, Accounts>) {
    if cx.content.database != Database::Passwd {
        return;
    }
    for account in &cx.content.accounts {
        let Some((0, uid_span)) = account.uid else {
            continue;
        };
        if account.name == "root" {
            continue;
        }
        cx.report(
            uid_span,
            &account.name,
            msg!(
                "account `{}` has UID 0: it is root under another name, with its own password and none of the scrutiny root gets; give it a UID of its own (`usermod -u 1001 {}`) or remove it (`userdel {}`), and grant what it needs through sudo",
                Quote::at(account.name_span),
                Quote::at(account.name_span),
                Quote::at(account.name_span)
            ),
        );
    }
}
