//! K8S001: a container that may run as root. Kubernetes runs a container as its image's
//! `USER` unless `runAsUser` says otherwise, and only refuses root when `runAsNonRoot: true`
//! is in effect; the image's user is not visible in the manifest, so without either
//! setting the container runs as root for nearly every official image.

use crate::formats::kubernetes::{Level, Manifests};
use crate::msg;
use crate::rules::kubernetes::{containers, key, where_};
use crate::rules::Context;

/// K8S001: `runAsUser: 0` in effect, `runAsNonRoot: false`, or neither `runAsNonRoot:
/// true` nor a non-zero `runAsUser` in the container's or the pod's securityContext.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, _, container) in containers(cx.content) {
        let security = &container.security;
        let at = where_(object, container);
        let level = |l: Level| match l {
            Level::Pod => "the pod's securityContext",
            Level::Container => "its securityContext",
        };
        if let Some(user) = security.run_as_user.as_ref().filter(|u| u.value == 0) {
            cx.report(user.span, key(object, container, "runAsUser"), msg!(
                "{} runs as root: `runAsUser: 0` in {}; set a non-zero UID (`runAsUser: 10001`) and `runAsNonRoot: true`",
                at, level(user.level)));
            continue;
        }
        let non_root = security.run_as_non_root.as_ref();
        if non_root.is_some_and(|s| s.value)
            || security.run_as_user.as_ref().is_some_and(|u| u.value > 0)
        {
            continue;
        }
        match non_root {
            Some(setting) => {
                cx.report(setting.span, key(object, container, "runAsNonRoot"), msg!(
                    "{} may run as root: `runAsNonRoot: false` in {} and no non-zero `runAsUser`; set `runAsNonRoot: true` and `runAsUser: 10001`",
                    at, level(setting.level)));
            }
            None => {
                cx.report(container.at, key(object, container, "runAsNonRoot"), msg!(
                    "{} sets neither `runAsNonRoot: true` nor a non-zero `runAsUser` (in its own or the pod's securityContext), so it runs as the image's user, root for most images; add `securityContext: {{runAsNonRoot: true, runAsUser: 10001}}`", at));
            }
        }
    }
}
