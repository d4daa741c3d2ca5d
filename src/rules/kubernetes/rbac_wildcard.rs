//! K8S019: a Role or ClusterRole with `*` in `verbs`, `resources` or `apiGroups`: it grants
//! everything that exists and everything added later (new CRDs included).

use crate::formats::kubernetes::Manifests;
use crate::formats::yaml::YamlNode;
use crate::msg;
use crate::rules::kubernetes::{object_key, objects};
use crate::rules::Context;

/// K8S019: a wildcard in a rule of a Role or ClusterRole.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for object in objects(cx.content).filter(|o| matches!(o.kind.as_str(), "Role" | "ClusterRole"))
    {
        for rule in object.node.get("rules").map_or(&[][..], YamlNode::items) {
            for field in ["apiGroups", "resources", "verbs"] {
                for item in rule.get(field).map_or(&[][..], YamlNode::items) {
                    if item.as_str() != Some("*") {
                        continue;
                    }
                    cx.report(item.span, object_key(object, &format!("{field} *")), msg!(
                        "{} grants `{}: [\"*\"]`, every current and future {}; list exactly the {} it needs",
                        object.label(),
                        field,
                        match field { "verbs" => "action", "resources" => "resource type", _ => "API group" },
                        field));
                }
            }
        }
    }
}
