//! K8S007: a pod in the node's network, process or IPC namespace sees and reaches what the
//! node does: its loopback services, every process, shared memory.

use crate::formats::kubernetes::Manifests;
use crate::msg;
use crate::rules::kubernetes::{object_key, workloads};
use crate::rules::Context;

/// The host namespaces and what sharing them exposes.
const NAMESPACES: &[(&str, &str)] = &[
    (
        "hostNetwork",
        "the node's network: every port on its loopback, and traffic of other pods it can sniff",
    ),
    (
        "hostPID",
        "every process on the node, their environment and memory",
    ),
    ("hostIPC", "shared memory of every process on the node"),
];

/// K8S007: `hostNetwork`, `hostPID` or `hostIPC` set to true.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, pod) in workloads(cx.content) {
        for (field, what) in NAMESPACES {
            if let Some((true, span)) = pod.flag(field) {
                cx.report(
                    span,
                    object_key(object, field),
                    msg!(
                        "{} shares {} (`{}: true`); remove it and expose the pod through a Service",
                        object.label(),
                        *what,
                        *field
                    ),
                );
            }
        }
    }
}
