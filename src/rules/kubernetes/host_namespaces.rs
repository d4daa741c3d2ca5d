//! K8S007, K8S028, K8S029: a pod in the node's network, process or IPC namespace sees and
//! reaches what the node does. One rule per namespace, as the Pod Security Standards and the
//! CIS Kubernetes Benchmark (5.2.3 to 5.2.5) judge them one by one.

use crate::formats::kubernetes::Manifests;
use crate::msg;
use crate::rules::kubernetes::{object_key, workloads};
use crate::rules::Context;

/// K8S007: `hostNetwork: true`.
pub fn network(cx: &mut Context<'_, Manifests>) {
    check(
        cx,
        "hostNetwork",
        "the node's network: every port on its loopback, and traffic of other pods it can sniff",
    );
}

/// K8S028: `hostPID: true`.
pub fn pid(cx: &mut Context<'_, Manifests>) {
    check(
        cx,
        "hostPID",
        "every process on the node, their environment and memory",
    );
}

/// K8S029: `hostIPC: true`.
pub fn ipc(cx: &mut Context<'_, Manifests>) {
    check(cx, "hostIPC", "shared memory of every process on the node");
}

/// Reports each workload whose pod sets `field` to true.
fn check(cx: &mut Context<'_, Manifests>, field: &'static str, what: &'static str) {
    for (object, pod) in workloads(cx.content) {
        if let Some((true, span)) = pod.flag(field) {
            cx.report(
                span,
                object_key(object, field),
                msg!(
                    "{} shares {} (`{}: true`); remove it and expose the pod through a Service",
                    object.label(),
                    what,
                    field
                ),
            );
        }
    }
}
