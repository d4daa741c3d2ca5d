//! K8S022 and K8S024: a container without a seccomp filter. Without one every system call
//! of the kernel is open to the container's processes, so a kernel bug reachable through a
//! rarely used call (`unshare`, `keyctl`, `bpf`) becomes a way out of the container.
//! Kubernetes runs containers `Unconfined` unless a `seccompProfile` says otherwise; the Pod
//! Security Standards' "restricted" profile requires `RuntimeDefault` or `Localhost`, and
//! "baseline" forbids an explicit `Unconfined`. Privileged containers are K8S002's (they run
//! unconfined whatever the profile), Windows pods have no seccomp.

use crate::formats::kubernetes::{Container, Level, Manifests, Object, PodSpec, Seccomp};
use crate::msg;
use crate::rules::kubernetes::{containers, key, where_};
use crate::rules::Context;

/// The containers a seccomp profile applies to: not privileged, not in a Windows pod.
fn confinable(manifests: &Manifests) -> impl Iterator<Item = (&Object, &Container)> {
    containers(manifests)
        .filter(|(_, pod, c)| {
            !is_windows(pod) && !c.security.privileged.as_ref().is_some_and(|p| p.value)
        })
        .map(|(o, _, c)| (o, c))
}

/// Whether the pod declares Windows nodes (`os.name: windows`), where seccomp does not exist.
fn is_windows(pod: &PodSpec) -> bool {
    pod.node
        .get("os")
        .and_then(|os| os.get("name"))
        .and_then(|name| name.as_str())
        .is_some_and(|name| name.eq_ignore_ascii_case("windows"))
}

/// K8S022 (low): no `seccompProfile` in the container's or the pod's securityContext, so
/// the container runs `Unconfined`. Reported at the container's `name:`.
pub fn missing(cx: &mut Context<'_, Manifests>) {
    for (object, container) in confinable(cx.content) {
        if container.security.seccomp.is_none() {
            cx.report(container.at, key(object, container, "seccompProfile"), msg!(
                "{} runs without a seccomp filter (no `seccompProfile` in its own or the pod's securityContext), so every system call is open to it; add `seccompProfile: {{type: RuntimeDefault}}` to the pod's securityContext",
                where_(object, container)));
        }
    }
}

/// K8S024 (medium): `seccompProfile: {type: Unconfined}` in effect, written explicitly in
/// the container's or the pod's securityContext. Reported at the `Unconfined` value.
pub fn unconfined(cx: &mut Context<'_, Manifests>) {
    for (object, container) in confinable(cx.content) {
        let Some(setting) = &container.security.seccomp else {
            continue;
        };
        if setting.value != Seccomp::Unconfined {
            continue;
        }
        let level = match setting.level {
            Level::Pod => "the pod's securityContext",
            Level::Container => "its securityContext",
        };
        cx.report(setting.span, key(object, container, "seccompProfile"), msg!(
            "{} turns its seccomp filter off (`seccompProfile: {{type: Unconfined}}` in {}), so every system call is open to it; use `type: RuntimeDefault`, or `type: Localhost` with a profile that allows the calls it needs",
            where_(object, container), level));
    }
}
