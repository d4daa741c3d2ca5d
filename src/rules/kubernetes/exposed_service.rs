//! K8S017: a `LoadBalancer` or `NodePort` Service that exposes a database, cache or admin
//! port (PostgreSQL, MySQL, Redis, MongoDB, Elasticsearch, Prometheus, Grafana/admin
//! panels) outside the cluster, where scanners find it within hours.

use crate::formats::kubernetes::Manifests;
use crate::formats::yaml::YamlNode;
use crate::msg;
use crate::rules::kubernetes::{object_key, objects};
use crate::rules::Context;

/// Ports that must not be reachable from outside the cluster, and what listens there.
const PORTS: &[(&str, &str)] = &[
    ("5432", "PostgreSQL"),
    ("3306", "MySQL/MariaDB"),
    ("6379", "Redis"),
    ("27017", "MongoDB"),
    ("9200", "Elasticsearch"),
    ("9090", "Prometheus"),
    ("3001", "an admin panel"),
];

/// Whether `loadBalancerSourceRanges` limits who can connect (and is not `0.0.0.0/0`).
fn restricted(spec: &YamlNode) -> bool {
    let ranges = spec
        .get("loadBalancerSourceRanges")
        .map_or(&[][..], YamlNode::items);
    !ranges.is_empty()
        && ranges
            .iter()
            .all(|r| !matches!(r.as_str(), Some("0.0.0.0/0" | "::/0")))
}

/// K8S017: `type: LoadBalancer`/`NodePort` with a database, cache or admin `port` or
/// `targetPort`, unless source ranges restrict it.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for object in objects(cx.content).filter(|o| o.kind == "Service") {
        let Some(spec) = object.node.get("spec") else {
            continue;
        };
        let kind = match spec.get("type").and_then(YamlNode::as_str) {
            Some("LoadBalancer") => "LoadBalancer",
            Some("NodePort") => "NodePort",
            _ => continue,
        };
        if restricted(spec) {
            continue;
        }
        for port in spec.get("ports").map_or(&[][..], YamlNode::items) {
            let exposed = ["port", "targetPort"].iter().find_map(|field| {
                let node = port.get(field)?;
                let (number, what) = PORTS.iter().find(|(p, _)| Some(*p) == node.as_str())?;
                Some((node, *number, *what))
            });
            let Some((node, number, what)) = exposed else {
                continue;
            };
            cx.report(node.span, object_key(object, &format!("port {number}")), msg!(
                "{} is `type: {}` and exposes port {} ({}) outside the cluster; use `type: ClusterIP` (reach it with `kubectl port-forward`), or restrict `loadBalancerSourceRanges` to your addresses",
                object.label(), kind, number, what));
        }
    }
}
