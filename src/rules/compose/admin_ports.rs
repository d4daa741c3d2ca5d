//! CMP002: a monitoring or admin interface published on every interface.

use crate::formats::compose::ComposeFile;
use crate::msg;
use crate::rules::compose::{exposed_on, image_name, loopback_host_port};
use crate::rules::firewall::exposure::ADMIN_PORTS;
use crate::rules::Context;

/// Container ports of the firewall's admin list that are also what ordinary web
/// applications listen on: judged by the image instead.
const APPLICATION_PORTS: &[u16] = &[3000, 3001, 8000, 8080];

/// Admin and monitoring user interfaces, by image name, whatever port they listen on.
const ADMIN_IMAGES: &[(&str, &str)] = &[
    ("grafana", "Grafana"),
    ("pgadmin4", "pgAdmin"),
    ("adminer", "Adminer"),
    ("phpmyadmin", "phpMyAdmin"),
    ("mongo-express", "mongo-express"),
    ("portainer", "Portainer (control of the Docker host)"),
    ("portainer-ce", "Portainer (control of the Docker host)"),
    ("redis-commander", "Redis Commander"),
    ("prometheus", "Prometheus"),
    ("kibana", "Kibana"),
];

/// CMP002: Prometheus, Grafana, Kibana, pgAdmin, the Node inspector… published on every
/// interface: they leak metrics and versions, often ship default logins, and some run code.
pub fn check(cx: &mut Context<'_, ComposeFile>) {
    for service in &cx.content.services {
        let by_image = image_name(service)
            .and_then(|name| ADMIN_IMAGES.iter().find(|(n, _)| *n == name))
            .map(|(_, what)| *what);
        for port in &service.ports {
            let Some(exposed) = exposed_on(port) else {
                continue;
            };
            let Some(target) = port.target else { continue };
            let by_port = ADMIN_PORTS
                .iter()
                .find(|(n, _)| target.contains(*n) && !APPLICATION_PORTS.contains(n));
            let (number, what) = match (by_port, by_image) {
                (Some((n, what)), _) => (*n, *what),
                (None, Some(what)) => (target.start, what),
                (None, None) => continue,
            };
            let host = loopback_host_port(port, number);
            cx.report(
                port.span,
                format!("{}:ports:{number}", service.name),
                msg!(
                    "`{}` publishes {} (container port {}) of service `{}` {}, past ufw: bind it to the loopback (`\"127.0.0.1:{}:{}\"`) and reach it through an SSH tunnel or an authenticated reverse proxy",
                    &port.written,
                    what,
                    number,
                    service.quote(),
                    exposed,
                    host,
                    number
                ),
            );
        }
    }
}
