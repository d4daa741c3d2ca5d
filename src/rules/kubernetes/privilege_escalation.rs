//! K8S003: `allowPrivilegeEscalation` is true unless set to false: a process in the
//! container can gain more privileges than its parent (setuid binaries, file capabilities).

use crate::formats::kubernetes::Manifests;
use crate::msg;
use crate::rules::kubernetes::{containers, key, where_};
use crate::rules::Context;

/// K8S003: `allowPrivilegeEscalation` absent or true (privileged containers are K8S002's).
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, _, container) in containers(cx.content) {
        let security = &container.security;
        if security.privileged.as_ref().is_some_and(|p| p.value) {
            continue;
        }
        let at = where_(object, container);
        let k = key(object, container, "allowPrivilegeEscalation");
        match &security.allow_privilege_escalation {
            Some(setting) if setting.value => {
                cx.report(setting.span, k, msg!(
                    "{} allows privilege escalation (setuid binaries can make a process root again); set `allowPrivilegeEscalation: false`", at));
            }
            Some(_) => {}
            None => {
                cx.report(container.at, k, msg!(
                    "{} does not set `allowPrivilegeEscalation: false`, so setuid binaries in the image can make a process root again; add it to the container's securityContext", at));
            }
        }
    }
}
