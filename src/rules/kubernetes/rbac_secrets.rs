//! K8S020: a ClusterRole that reads Secrets (`get`, `list` or `watch` on `secrets`) without
//! naming which: bound cluster-wide, it reads every password and token of every namespace,
//! other services' and the cluster's own included (CIS Kubernetes 5.1.2, "Minimize access to secrets").

use crate::formats::kubernetes::Manifests;
use crate::formats::yaml::YamlNode;
use crate::message::Message;
use crate::msg;
use crate::rules::kubernetes::{object_key, objects};
use crate::rules::Context;

/// K8S020: `secrets` with a read verb in a ClusterRole rule without `resourceNames`.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for object in objects(cx.content).filter(|o| o.kind == "ClusterRole") {
        for rule in object.node.get("rules").map_or(&[][..], YamlNode::items) {
            let list = |field: &str| rule.get(field).map_or(&[][..], YamlNode::items);
            let core = list("apiGroups")
                .iter()
                .any(|g| matches!(g.as_str(), Some("" | "*")));
            let reads: Vec<&'static str> = list("verbs")
                .iter()
                .filter_map(|verb| {
                    ["get", "list", "watch", "*"]
                        .into_iter()
                        .find(|read| verb.as_str() == Some(read))
                })
                .collect();
            let named = !list("resourceNames").is_empty();
            if !core || reads.is_empty() || named {
                continue;
            }
            for item in list("resources")
                .iter()
                .filter(|r| r.as_str() == Some("secrets"))
            {
                cx.report(item.span, object_key(object, "secrets"), msg!(
                    "{} may `{}` every Secret in the cluster: whoever holds it (a CI token, a compromised pod) reads all passwords and tokens; use a namespaced Role, or list the Secrets it needs in `resourceNames`",
                    object.label(),
                    Message::join(reads.iter().copied(), "`/`")));
            }
        }
    }
}
