//! K8S021 (info): a pod that mounts a service account token it does not use. Every pod
//! gets its service account's API token mounted unless told otherwise; an attacker in the
//! pod then talks to the API server with it.

use crate::formats::kubernetes::{Manifests, PodSpec};
use crate::msg;
use crate::rules::kubernetes::{object_key, workloads};
use crate::rules::Context;

/// K8S021: `automountServiceAccountToken` not false in a pod spec that runs as the
/// `default` service account (a named account suggests the pod calls the API).
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, pod) in workloads(cx.content) {
        if service_account(pod).is_some_and(|a| a != "default") {
            continue;
        }
        match pod.flag("automountServiceAccountToken") {
            Some((false, _)) => {}
            Some((true, span)) => {
                cx.report(span, object_key(object, "automountServiceAccountToken"), msg!(
                    "{} mounts the default service account's API token; set `automountServiceAccountToken: false` unless it calls the Kubernetes API",
                    object.label()));
            }
            None => {
                cx.report(pod.at, object_key(object, "automountServiceAccountToken"), msg!(
                    "{} mounts the default service account's API token into every container; add `automountServiceAccountToken: false` to the pod spec unless it calls the Kubernetes API",
                    object.label()));
            }
        }
    }
}

/// The service account the pod runs as, when one is named: `serviceAccountName`, or the
/// deprecated `serviceAccount` Kubernetes copies into it when `serviceAccountName` is empty.
/// An empty or null value names none, so the pod runs as `default`.
fn service_account(pod: &PodSpec) -> Option<&str> {
    ["serviceAccountName", "serviceAccount"]
        .iter()
        .filter_map(|key| pod.node.get(key)?.as_str())
        .find(|name| !name.is_empty() && !matches!(*name, "null" | "~"))
}
