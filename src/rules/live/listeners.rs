//! LIVE001–LIVE002: services listening on every interface (or a public address) on ports
//! that should never face the internet.

use crate::formats::host::ss::{Listener, Listeners};
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::Context;

/// Database, cache and control-API ports, with what usually listens there.
const DATA_PORTS: &[(u16, &str)] = &[
    (5432, "PostgreSQL"),
    (3306, "MySQL/MariaDB"),
    (6379, "Redis"),
    (27017, "MongoDB"),
    (9200, "Elasticsearch"),
    (11211, "Memcached"),
    (2375, "the Docker API"),
    (2376, "the Docker API"),
];

/// The same services by the process `ss` names, so a Redis on 6380 or a PostgreSQL on
/// 5433 is seen too.
const DATA_PROCESSES: &[(&str, &str)] = &[
    ("postgres", "PostgreSQL"),
    ("postmaster", "PostgreSQL"),
    ("mysqld", "MySQL/MariaDB"),
    ("mariadbd", "MySQL/MariaDB"),
    ("redis-server", "Redis"),
    ("valkey-server", "Valkey (Redis)"),
    ("mongod", "MongoDB"),
    ("memcached", "Memcached"),
    ("dockerd", "the Docker API"),
];

/// Admin, monitoring, debug and development-server ports.
const ADMIN_PORTS: &[(u16, &str)] = &[
    (9229, "the Node.js inspector"),
    (8000, "a development or application server"),
    (8080, "an application or admin server"),
    (9090, "Prometheus"),
    (3001, "Grafana or a Node.js app"),
];

/// LIVE001: a database or cache port listening publicly. Scanners find an open 6379 or
/// 5432 within hours; a firewall rule is one mistake away from exposing it.
pub fn database_port(cx: &mut Context<'_, Listeners>) {
    report(
        cx,
        DATA_PORTS,
        DATA_PROCESSES,
        "bind it to 127.0.0.1 (or a private address the application uses) in its configuration",
    );
}

/// LIVE002: an admin, monitoring or debug port listening publicly.
pub fn admin_port(cx: &mut Context<'_, Listeners>) {
    report(
        cx,
        ADMIN_PORTS,
        &[],
        "bind it to 127.0.0.1 and reach it through nginx or an SSH tunnel",
    );
}

/// Reports each public socket whose process (when `ss` names it) or else port is one of
/// `processes` or `ports`.
fn report(
    cx: &mut Context<'_, Listeners>,
    ports: &[(u16, &'static str)],
    processes: &[(&str, &'static str)],
    fix: &'static str,
) {
    for socket in cx.content.sockets.iter().filter(|s| s.is_public()) {
        let by_process = socket
            .process_name()
            .and_then(|name| processes.iter().find(|(p, _)| *p == name));
        let by_port = ports.iter().find(|(port, _)| *port == socket.port);
        let Some(service) = by_process.map(|(_, s)| *s).or(by_port.map(|(_, s)| *s)) else {
            continue;
        };
        cx.report(
            socket.local_span,
            format!("{}:{}", socket.address, socket.port),
            msg!(
                "{} listens on {} port {} ({}), reachable from other machines; {}",
                who(socket),
                where_(socket),
                socket.port,
                service,
                fix
            ),
        );
    }
}

fn who(socket: &Listener) -> Message {
    match &socket.process {
        Some((_, span)) => msg!("`{}`", Quote::at(*span)),
        None => "a process (run with --sudo to see which)".into(),
    }
}

/// The address, as read from the `address:port` word (brackets and `%interface` removed).
fn where_(socket: &Listener) -> Message {
    let address = Quote::derived(socket.local_span, socket.address.as_str());
    match socket.address.as_str() {
        "0.0.0.0" | "::" | "*" => msg!("every interface ({})", address),
        _ => msg!("the public address {}", address),
    }
}
