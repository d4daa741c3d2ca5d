//! CMP004: `privileged: true`.

use crate::formats::compose::ComposeFile;
use crate::msg;
use crate::rules::compose::undecided;
use crate::rules::Context;

/// CMP004: a privileged container has every capability and every host device, without
/// seccomp or AppArmor: root in it is root on the host.
pub fn check(cx: &mut Context<'_, ComposeFile>) {
    for service in &cx.content.services {
        if undecided(cx, service, "privileged", service.privileged.as_ref()) {
            continue;
        }
        if let Some(value) = service.is_privileged() {
            cx.report(value.span, format!("{}:privileged", service.name), msg!(
                "service `{}` runs privileged: every capability and host device, no seccomp or AppArmor, so root in the container is root on the host; remove `privileged: true` and grant only what it needs (`cap_add: [NET_BIND_SERVICE]`, `devices: [/dev/…]`)",
                service.quote()));
        }
    }
}
