//! CMP001: a database, cache, queue or Docker API port published on every interface.

use crate::formats::compose::{Binding, ComposeFile};
use crate::msg;
use crate::rules::compose::{exposed_on, loopback_host_port};
use crate::rules::firewall::exposure::DATA_PORTS;
use crate::rules::Context;

/// CMP001: `"5432:5432"` publishes the container's PostgreSQL on every address of the host,
/// and Docker's own iptables rules put it in front of ufw: the database is on the internet.
/// Judged by the container port (`"5433:5432"` is PostgreSQL too).
pub fn check(cx: &mut Context<'_, ComposeFile>) {
    for service in &cx.content.services {
        for port in &service.ports {
            let Some(exposed) = exposed_on(port) else {
                let data_port = port
                    .target
                    .is_some_and(|t| DATA_PORTS.iter().any(|(n, _)| t.contains(*n)));
                if data_port && matches!(port.binding(), Binding::Unknown) {
                    cx.not_evaluated(
                        "the host address a database port is published on is unknown statically (a variable without a default)",
                    );
                }
                continue;
            };
            let Some(target) = port.target else { continue };
            let Some((number, what)) = DATA_PORTS.iter().find(|(n, _)| target.contains(*n)) else {
                continue;
            };
            let host = loopback_host_port(port, *number);
            cx.report(
                port.span,
                format!("{}:ports:{number}", service.name),
                msg!(
                    "`{}` publishes {} (container port {}) of service `{}` {}, and Docker's iptables rules bypass ufw: bind it to the loopback (`\"127.0.0.1:{}:{}\"`) or remove the mapping and let the other services reach it over the Compose network as `{}:{}`",
                    &port.written,
                    *what,
                    *number,
                    service.quote(),
                    exposed,
                    host,
                    *number,
                    service.quote(),
                    *number
                ),
            );
        }
    }
}
