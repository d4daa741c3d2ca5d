//! CMP007: a long-running service without a restart policy.

use crate::formats::compose::ComposeFile;
use crate::msg;
use crate::rules::Context;

/// CMP007: without `restart:` a crashed service stays down, and after a reboot of the host
/// nothing comes back. Services that another service waits for to complete (one-shot jobs)
/// and an explicit `restart: "no"` are choices, not omissions.
pub fn check(cx: &mut Context<'_, ComposeFile>) {
    for service in &cx.content.services {
        if service.restart.is_some()
            || service.deploy_restart_policy
            || service.one_shot
            || service.incomplete
        {
            continue;
        }
        cx.report(service.key_span, format!("{}:restart", service.name), msg!(
            "service `{}` has no `restart:` policy: it stays down after a crash and does not come back after a reboot of the host; add `restart: unless-stopped` (or `restart: \"no\"` for a one-shot job)",
            service.quote()));
    }
}
