//! CMP006 and CMP014–CMP017: a namespace of the host shared with a container, one rule per
//! namespace, as Docker's own checks and the CIS Docker Benchmark read them one by one.

use crate::formats::compose::ComposeFile;
use crate::msg;
use crate::rules::compose::undecided;
use crate::rules::Context;

/// CMP006: `network_mode: host`.
pub fn network(cx: &mut Context<'_, ComposeFile>) {
    check(cx, "network_mode", "every port it listens on is open on the host's interfaces (its `ports:` and any `127.0.0.1` binding no longer apply) and it reaches services bound to the host's loopback");
}

/// CMP014: `pid: host`.
pub fn pid(cx: &mut Context<'_, ComposeFile>) {
    check(
        cx,
        "pid",
        "it sees every process of the host, their command lines and environments, and can signal them",
    );
}

/// CMP015: `ipc: host`.
pub fn ipc(cx: &mut Context<'_, ComposeFile>) {
    check(
        cx,
        "ipc",
        "it shares the host's shared memory, semaphores and message queues",
    );
}

/// CMP016: `uts: host`.
pub fn uts(cx: &mut Context<'_, ComposeFile>) {
    check(cx, "uts", "it can change the host's hostname");
}

/// CMP017: `userns_mode: host`.
pub fn userns(cx: &mut Context<'_, ComposeFile>) {
    check(
        cx,
        "userns_mode",
        "user namespace remapping is off for it, so its root is the host's root",
    );
}

/// Reports each service whose `key` is `host`; a value only the deploy host knows, or a
/// service that may inherit the key, leaves the rule not evaluated.
fn check(cx: &mut Context<'_, ComposeFile>, key: &'static str, consequence: &'static str) {
    for service in &cx.content.services {
        let value = service
            .namespaces
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v);
        if undecided(cx, service, key, value) {
            continue;
        }
        let Some(value) = value else { continue };
        if value.resolved().as_deref() != Some("host") {
            continue;
        }
        cx.report(value.span, format!("{}:{key}", service.name), msg!(
            "service `{}` shares the host's namespace with `{}: host`: {}; remove it (use `ports:` bound to an address, or a shared Compose network)",
            service.quote(), key, consequence));
    }
}
