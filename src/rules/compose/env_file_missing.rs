//! CMP011: a required `env_file:` that does not exist.

use crate::formats::compose::ComposeFile;
use crate::formats::Presence;
use crate::message::Quote;
use crate::msg;
use crate::rules::Context;

/// CMP011: Compose refuses to start a service whose required `env_file` is missing
/// (`env file … not found`); the deployment stops at `up`. Paths are relative to the
/// Compose file's folder. `required: false` makes the file optional. A file with a committed
/// template beside it (`.env` next to `.env.example`) is a repository checkout's: the file is
/// created from the template on the deploy host and kept out of git by design. A file
/// outside the scan, or one a host snapshot did not collect, may be there: not reported.
pub fn check(cx: &mut Context<'_, ComposeFile>) {
    for service in &cx.content.services {
        for file in service.env_files.iter().filter(|f| f.required) {
            let Some(path) = &file.path else { continue };
            if file.presence != Presence::Absent {
                continue;
            }
            let shown = Quote::derived(file.span, path.as_str());
            cx.report(file.span, format!("{}:env_file:{path}", service.name), msg!(
                "the env file `{}` of service `{}` does not exist next to this Compose file: `docker compose up` stops with `env file … not found`; create it on the deploy host (mode 0600, kept out of git) or mark it optional with `- path: {}` and `required: false`",
                &shown, service.quote(), &shown));
        }
    }
}
