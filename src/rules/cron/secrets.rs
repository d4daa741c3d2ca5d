//! CRN001: passwords written into a crontab.

use crate::formats::crontab::Crontab;
use crate::formats::sensitive::{assignment_sensitive, command_sensitive};
use crate::message::Quote;
use crate::msg;
use crate::rules::Context;

/// CRN001: a secret on a job's command line (`PGPASSWORD=… pg_dump`, `mysqldump -p…`,
/// `redis-cli -a …`, a URL with a password) or in a crontab variable. Command lines are
/// visible to every local user in `ps` while the job runs, and `/etc/cron.d` files are
/// world-readable.
pub fn secret_in_crontab(cx: &mut Context<'_, Crontab>) {
    let crontab = cx.content;
    for var in &crontab.variables {
        if assignment_sensitive(&var.name, &var.value, var.value_span).is_some() {
            cx.report(var.value_span, var.name.clone(), msg!(
                "`{}` puts a secret into the crontab, which is readable by more people than the secret should be (`/etc/cron.d` files are world-readable); keep it in a file only the job's user can read (`~/.pgpass`, `--defaults-extra-file`, mode 0600)",
                Quote::at(var.name_span)));
        }
    }
    for job in &crontab.jobs {
        let found = command_sensitive(&job.command, &|start, end| job.command_span_of(start, end));
        if let Some(first) = found.first() {
            cx.report(first.span, format!("command:{}", job.schedule),
                "a secret is written on this job's command line: every local user sees it in `ps` while the job runs, and cron mails and logs repeat it; read it from a file only the job's user can read (`~/.pgpass`, `PGPASSFILE`, `--defaults-extra-file=/etc/app/my.cnf`, mode 0600)");
        }
    }
}
