//! K8S002: a privileged container has every capability and every host device: root in it
//! is root on the node.

use crate::formats::kubernetes::Manifests;
use crate::msg;
use crate::rules::kubernetes::{containers, key, where_};
use crate::rules::Context;

/// K8S002: `privileged: true`.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, _, container) in containers(cx.content) {
        if let Some(setting) = container.security.privileged.as_ref().filter(|s| s.value) {
            cx.report(setting.span, key(object, container, "privileged"), msg!(
                "{} is privileged: it gets every capability and the node's devices, so a compromise of it is a compromise of the node; remove `privileged: true` and add only the capabilities it needs",
                where_(object, container)));
        }
    }
}
