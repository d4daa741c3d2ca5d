//! K8S021 (info): a pod that mounts a service account token it does not use. Every pod
//! gets its service account's API token mounted unless told otherwise; an attacker in the
//! pod then talks to the API server with it.

use crate::document::Document;
use crate::rules::kubernetes::{object_key, workloads};
use crate::rules::Emitter;

/// K8S021: `automountServiceAccountToken` not false in a pod spec that runs as the
/// `default` service account (a named account suggests the pod calls the API).
pub fn check(doc: &Document, out: &mut Emitter) {
    for (object, pod) in workloads(doc) {
        let account = pod
            .node
            .get("serviceAccountName")
            .or_else(|| pod.node.get("serviceAccount"))
            .and_then(|a| a.as_str());
        if account.is_some_and(|a| a != "default") {
            continue;
        }
        match pod.flag("automountServiceAccountToken") {
            Some((false, _)) => {}
            Some((true, span)) => {
                out.report(&doc.source, span, object_key(object, "automountServiceAccountToken"), format!(
                    "{} mounts the default service account's API token; set `automountServiceAccountToken: false` unless it calls the Kubernetes API",
                    object.label()));
            }
            None => {
                out.report(&doc.source, pod.at, object_key(object, "automountServiceAccountToken"), format!(
                    "{} mounts the default service account's API token into every container; add `automountServiceAccountToken: false` to the pod spec unless it calls the Kubernetes API",
                    object.label()));
            }
        }
    }
}
