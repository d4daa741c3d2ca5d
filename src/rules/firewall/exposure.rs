//! FW001–FW002: ports of services that must never face the internet, opened to anywhere.

use std::collections::BTreeMap;

use crate::formats::firewall::FirewallRules;
use crate::message::Message;
use crate::msg;
use crate::rules::firewall::{accepts, deciding_rules};
use crate::rules::Context;

/// Databases, caches, queues and control APIs: each gives data or the host away when
/// reachable, and most ship without authentication or with a default one.
pub const DATA_PORTS: &[(u16, &str)] = &[
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (2375, "Docker API (unencrypted, root on the host)"),
    (2376, "Docker API"),
    (2379, "etcd"),
    (3306, "MySQL/MariaDB"),
    (5432, "PostgreSQL"),
    (5672, "RabbitMQ"),
    (5984, "CouchDB"),
    (6379, "Redis"),
    (8086, "InfluxDB"),
    (9042, "Cassandra"),
    (9092, "Kafka"),
    (9200, "Elasticsearch"),
    (9300, "Elasticsearch transport"),
    (11211, "memcached"),
    (27017, "MongoDB"),
];

/// Monitoring, debugging and admin interfaces (deployment guides list 9090 and 3001 as
/// "internal only"): they leak metrics and versions or run code (Node's inspector).
pub const ADMIN_PORTS: &[(u16, &str)] = &[
    (3000, "Grafana or a development server"),
    (3001, "Grafana or a development server"),
    (5555, "Celery Flower"),
    (5601, "Kibana"),
    (8000, "a development or application server"),
    (8080, "an admin or alternative HTTP port"),
    (9090, "Prometheus"),
    (9093, "Alertmanager"),
    (9100, "Prometheus node exporter"),
    (9229, "the Node.js inspector (remote code execution)"),
    (10250, "the kubelet API"),
    (15672, "RabbitMQ management"),
];

/// FW001: a database, cache or control API port accepted from anywhere.
pub fn data_ports(cx: &mut Context<'_, FirewallRules>) {
    report_open_ports(cx, DATA_PORTS);
}

/// FW002: a monitoring, debug or admin port accepted from anywhere.
pub fn admin_ports(cx: &mut Context<'_, FirewallRules>) {
    report_open_ports(cx, ADMIN_PORTS);
}

/// One finding per accepting rule, naming every listed port it opens. Rules without any
/// port (accept everything) are FW003's business.
fn report_open_ports(cx: &mut Context<'_, FirewallRules>, ports: &[(u16, &'static str)]) {
    let rules = cx.content;
    let mut by_rule: BTreeMap<usize, Vec<(u16, &'static str)>> = BTreeMap::new();
    for &(port, service) in ports {
        for (_, _, index) in deciding_rules(rules, Some(port)) {
            let rule = &rules.rules[index];
            if accepts(rule) && !rule.ports.is_empty() {
                by_rule.entry(index).or_default().push((port, service));
            }
        }
    }
    for (index, opened) in by_rule {
        let rule = &rules.rules[index];
        let list = Message::join(opened.iter().map(|(p, s)| msg!("{} ({})", *p, *s)), ", ");
        let family = if rule.ipv6 { "IPv6" } else { "IPv4" };
        let key = format!(
            "{}:{}:{}",
            rule.chain,
            family,
            opened
                .iter()
                .map(|(p, _)| p.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        cx.report(
            rule.span,
            key,
            msg!(
                "{} {} {} accepted from any {} address; allow only the hosts that need it (`ufw allow from 10.0.0.0/8 to any port {}` or `-s 10.0.0.0/8` on the rule) or keep the service on a private interface",
                if opened.len() == 1 { "port" } else { "ports" },
                list,
                if opened.len() == 1 { "is" } else { "are" },
                family,
                opened[0].0
            ),
        );
    }
}
