//! K8S013: a container without resource requests or a memory limit. Without requests the
//! scheduler packs pods blindly and the container is first to be evicted; without a memory
//! limit one leak takes the node's memory from every other pod. A container that sets a
//! limit but no request gets the limit as its request from Kubernetes, so a limit counts as
//! the request it implies.

use crate::formats::kubernetes::Manifests;
use crate::formats::yaml::YamlNode;
use crate::message::Message;
use crate::msg;
use crate::rules::kubernetes::{declared_containers, key, where_};
use crate::rules::Context;

/// K8S013: neither `resources.requests.cpu` nor `resources.limits.cpu`, neither
/// `resources.requests.memory` nor `resources.limits.memory`, or no `resources.limits.memory`
/// (a CPU limit is not required: it throttles).
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, _, container) in declared_containers(cx.content) {
        let resources = container.node.get("resources");
        let has = |section: &str, name: &str| {
            resources
                .and_then(|r| r.get(section))
                .and_then(|s| s.get(name))
                .and_then(YamlNode::as_str)
                .is_some_and(|v| !v.is_empty())
        };
        let mut missing: Vec<&'static str> = Vec::new();
        for (name, request) in [("cpu", "requests.cpu"), ("memory", "requests.memory")] {
            // Kubernetes defaults a missing request to the limit of the same resource.
            if !has("requests", name) && !has("limits", name) {
                missing.push(request);
            }
        }
        if !has("limits", "memory") {
            missing.push("limits.memory");
        }
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
        let no_request = missing.iter().any(|m| m.starts_with("requests"));
        let no_limit = missing.contains(&"limits.memory");
        let why = match (no_request, no_limit) {
            (true, true) => "the scheduler cannot place it sensibly and nothing stops it from taking the node's memory",
            (true, false) => "the scheduler reserves nothing for it and packs nodes until they thrash",
            _ => "nothing stops it from taking the node's memory",
        };
        cx.report(span, key(object, container, "resources"), msg!(
            "{} sets no `{}`: {}; add `resources: {{requests: {{cpu: 100m, memory: 128Mi}}, limits: {{memory: 256Mi}}}}` sized from its real use (a limit alone also counts as the request)",
            where_(object, container),
            Message::join(missing, "`, `"),
            why));
    }
}
