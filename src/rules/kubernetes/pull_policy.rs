//! K8S011: `imagePullPolicy: IfNotPresent` or `Never` with a `:latest` (or untagged) image:
//! each node keeps the `latest` it pulled first, so replicas on different nodes run
//! different code and a new push reaches only new nodes.

use crate::formats::image::{pin, ImagePin};
use crate::formats::kubernetes::Manifests;
use crate::message::Quote;
use crate::msg;
use crate::rules::kubernetes::{containers, key, where_};
use crate::rules::Context;

/// K8S011: a mutable `latest` image that nodes are told not to pull again.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, _, container) in containers(cx.content) {
        let Some((image, image_span)) = container.image() else {
            continue;
        };
        if !matches!(pin(image), ImagePin::Untagged | ImagePin::Latest) {
            continue;
        }
        let Some(policy) = container.node.get("imagePullPolicy") else {
            continue;
        };
        let value = match policy.as_str() {
            Some("IfNotPresent") => "IfNotPresent",
            Some("Never") => "Never",
            _ => continue,
        };
        cx.report(policy.span, key(object, container, "imagePullPolicy"), msg!(
            "{} runs the mutable image `{}` with `imagePullPolicy: {}`: every node keeps the copy it pulled first, so replicas run different versions; pin a version tag or digest (then `IfNotPresent` is right)",
            where_(object, container), Quote::derived(image_span, image), value));
    }
}
