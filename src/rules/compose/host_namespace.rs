//! CMP006: the host's network, PID, IPC, UTS or user namespace shared with a container.

use crate::formats::compose::ComposeFile;
use crate::msg;
use crate::rules::Context;

/// CMP006: `network_mode: host` puts every port the container listens on onto the host's
/// interfaces (the `ports:` list and its `127.0.0.1` no longer apply); `pid: host` lets it
/// see and signal every host process; `ipc`, `uts` and `userns_mode` remove the other walls.
pub fn check(cx: &mut Context<'_, ComposeFile>) {
    for service in &cx.content.services {
        for (key, value) in &service.namespaces {
            if value.resolved().as_deref() != Some("host") {
                continue;
            }
            let consequence = match *key {
                "network_mode" => "every port it listens on is open on the host's interfaces (its `ports:` and any `127.0.0.1` binding no longer apply) and it reaches services bound to the host's loopback",
                "pid" => "it sees every process of the host, their command lines and environments, and can signal them",
                "ipc" => "it shares the host's shared memory and semaphores",
                "uts" => "it can change the host's hostname",
                _ => "user namespace remapping is off for it, so its root is the host's root",
            };
            cx.report(value.span, format!("{}:{key}", service.name), msg!(
                "service `{}` shares the host's namespace with `{}: host`: {}; remove it (use `ports:` bound to an address, or a shared Compose network)",
                service.quote(), *key, consequence));
        }
    }
}
