//! K8S023: a container port bound on the node (`hostPort`). The port opens on the node's own
//! address, outside Services and NetworkPolicies (which CNI plugins apply to pod addresses),
//! and only one such pod fits on each node. Pods in the node's network (`hostNetwork: true`)
//! bind their ports on the node anyway; K8S007 reports that once for the pod.

use crate::formats::kubernetes::Manifests;
use crate::formats::yaml::YamlNode;
use crate::message::Message;
use crate::msg;
use crate::rules::kubernetes::{declared_containers, key, where_};
use crate::rules::Context;

/// K8S023: `ports[].hostPort` set to a port (not 0, which means none) in a pod that does not
/// use `hostNetwork`. Reported at the `hostPort` value.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, pod, container) in declared_containers(cx.content) {
        if pod.flag("hostNetwork").is_some_and(|(on, _)| on) {
            continue;
        }
        let ports = container.node.get("ports").map_or(&[][..], YamlNode::items);
        for port in ports {
            let Some(host_port) = port.get("hostPort") else {
                continue;
            };
            let Some(number) = host_port.as_str().and_then(|p| p.parse::<u16>().ok()) else {
                continue;
            };
            if number == 0 {
                continue;
            }
            let container_port: Message =
                match port.get("containerPort").filter(|p| p.as_str().is_some()) {
                    Some(node) => node.quote().into(),
                    None => "?".into(),
                };
            cx.report(host_port.span, key(object, container, &format!("hostPort:{number}")), msg!(
                "{} binds port {} on the node it runs on (`hostPort: {}` for container port {}), outside Services and NetworkPolicies, one pod per node; remove `hostPort` and expose the port through a Service (`type: NodePort` or `LoadBalancer` if it must be reached from outside the cluster)",
                where_(object, container), number, number, container_port));
        }
    }
}
