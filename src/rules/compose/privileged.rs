//! CMP004: `privileged: true`.

use crate::document::Document;
use crate::rules::compose::services;
use crate::rules::Emitter;

/// CMP004: a privileged container has every capability and every host device, without
/// seccomp or AppArmor: root in it is root on the host.
pub fn check(doc: &Document, out: &mut Emitter) {
    for service in services(doc) {
        if let Some(value) = service.is_privileged() {
            out.report(&doc.source, value.span, format!("{}:privileged", service.name), format!(
                "service `{}` runs privileged: every capability and host device, no seccomp or AppArmor, so root in the container is root on the host; remove `privileged: true` and grant only what it needs (`cap_add: [NET_BIND_SERVICE]`, `devices: [/dev/…]`)",
                service.name));
        }
    }
}
