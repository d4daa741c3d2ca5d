//! K8S014: a long-running container without a liveness or readiness probe. Without a
//! readiness probe traffic reaches a pod before it can serve (and during a rollout, a
//! broken version); without a liveness probe a hung process is never restarted. Jobs,
//! CronJobs, pods that are not restarted and init containers run to completion: probes do
//! not apply to them.

use crate::formats::kubernetes::{ContainerRole, Manifests};
use crate::message::Message;
use crate::msg;
use crate::rules::kubernetes::{containers, key, where_};
use crate::rules::Context;

/// K8S014: `livenessProbe` or `readinessProbe` missing on an application container of a
/// long-running workload.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, pod, container) in containers(cx.content) {
        if pod.runs_to_completion || container.role != ContainerRole::App {
            continue;
        }
        let missing: Vec<&'static str> = ["readinessProbe", "livenessProbe"]
            .into_iter()
            .filter(|p| container.node.get(p).is_none())
            .collect();
        if missing.is_empty() {
            continue;
        }
        cx.report(container.at, key(object, container, "probes"), msg!(
            "{} has no `{}`: Kubernetes sends it traffic before it is ready and never restarts it when it hangs; add an HTTP or TCP probe on its health endpoint",
            where_(object, container),
            Message::join(missing, "` or `")));
    }
}
