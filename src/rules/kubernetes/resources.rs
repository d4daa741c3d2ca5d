//! K8S013: a container without resource requests or a memory limit. Without requests the
//! scheduler packs pods blindly and the container is first to be evicted; without a memory
//! limit one leak takes the node's memory from every other pod.

use crate::document::Document;
use crate::formats::yaml::YamlNode;
use crate::rules::kubernetes::{declared_containers, key, where_};
use crate::rules::Emitter;

/// K8S013: `resources.requests.cpu`, `resources.requests.memory` or
/// `resources.limits.memory` missing (a CPU limit is not required: it throttles).
pub fn check(doc: &Document, out: &mut Emitter) {
    for (object, _, container) in declared_containers(doc) {
        let resources = container.node.get("resources");
        let has = |section: &str, name: &str| {
            resources
                .and_then(|r| r.get(section))
                .and_then(|s| s.get(name))
                .and_then(YamlNode::as_str)
                .is_some_and(|v| !v.is_empty())
        };
        let missing: Vec<&str> = [
            ("requests", "cpu"),
            ("requests", "memory"),
            ("limits", "memory"),
        ]
        .iter()
        .filter(|(section, name)| !has(section, name))
        .map(|(section, name)| match (*section, *name) {
            ("requests", "cpu") => "requests.cpu",
            ("requests", _) => "requests.memory",
            _ => "limits.memory",
        })
        .collect();
        if missing.is_empty() {
            continue;
        }
        let span = resources
            .and_then(|_| {
                container
                    .node
                    .entries()
                    .iter()
                    .find(|(k, _)| k.as_str() == Some("resources"))
                    .map(|(k, _)| k.span)
            })
            .unwrap_or(container.at);
        out.report(&doc.source, span, key(object, container, "resources"), format!(
            "{} sets no `{}`: the scheduler cannot place it sensibly and nothing stops it from taking the node's memory; add `resources: {{requests: {{cpu: 100m, memory: 128Mi}}, limits: {{memory: 256Mi}}}}` sized from its real use",
            where_(object, container),
            missing.join("`, `")));
    }
}
