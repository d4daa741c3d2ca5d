//! K8S004: Linux capabilities not dropped. A container starts with the runtime's default
//! set (`CHOWN`, `DAC_OVERRIDE`, `NET_RAW`, `SETUID`, …); an application needs none of
//! them, and `drop: [ALL]` is what the restricted Pod Security Standard requires.

use crate::formats::kubernetes::Manifests;
use crate::msg;
use crate::rules::kubernetes::{containers, key, where_};
use crate::rules::Context;

/// K8S004: `capabilities.drop` without `ALL`.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, _, container) in containers(cx.content) {
        let security = &container.security;
        if security.privileged.as_ref().is_some_and(|p| p.value)
            || security.drop.iter().any(|(c, _)| c == "ALL")
        {
            continue;
        }
        cx.report(container.at, key(object, container, "capabilities.drop"), msg!(
            "{} keeps the runtime's default Linux capabilities (`NET_RAW`, `CHOWN`, `SETUID`, …); add `capabilities: {{drop: [ALL]}}` to its securityContext (and `add` back only what it needs, such as `NET_BIND_SERVICE`)",
            where_(object, container)));
    }
}
