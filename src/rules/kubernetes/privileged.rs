//! K8S002: a privileged container has every capability and every host device: root in it
//! is root on the node.

use crate::document::Document;
use crate::rules::kubernetes::{containers, key, where_};
use crate::rules::Emitter;

/// K8S002: `privileged: true`.
pub fn check(doc: &Document, out: &mut Emitter) {
    for (object, _, container) in containers(doc) {
        if let Some(setting) = container.security.privileged.as_ref().filter(|s| s.value) {
            out.report(&doc.source, setting.span, key(object, container, "privileged"), format!(
                "{} is privileged: it gets every capability and the node's devices, so a compromise of it is a compromise of the node; remove `privileged: true` and add only the capabilities it needs",
                where_(object, container)));
        }
    }
}
