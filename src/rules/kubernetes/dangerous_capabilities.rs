//! K8S005: capabilities that give a container control over the node or its network.

use crate::formats::kubernetes::Manifests;
use crate::msg;
use crate::rules::kubernetes::{containers, key, where_};
use crate::rules::Context;

/// Capabilities that break out of a container or take over the node's network, with what
/// they allow.
const DANGEROUS: &[(&str, &str)] = &[
    ("ALL", "every capability"),
    ("SYS_ADMIN", "mounts, namespaces and most of what root can do"),
    ("NET_ADMIN", "reconfiguring the node's network and firewall when on the host network, the pod's otherwise"),
    ("SYS_PTRACE", "reading other processes' memory"),
    ("SYS_MODULE", "loading kernel modules"),
    ("SYS_RAWIO", "raw access to devices and memory"),
    ("DAC_READ_SEARCH", "reading any file, the known container-escape `open_by_handle_at`"),
    ("BPF", "loading eBPF programs into the kernel"),
    ("PERFMON", "tracing the kernel"),
    ("SYS_BOOT", "rebooting the node"),
];

/// K8S005: `capabilities.add` of `ALL`, `SYS_ADMIN`, `NET_ADMIN` and the like.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, _, container) in containers(cx.content) {
        for (name, span) in &container.security.add {
            let Some((capability, what)) = DANGEROUS.iter().find(|(c, _)| c == name) else {
                continue;
            };
            cx.report(*span, key(object, container, &format!("add {name}")), msg!(
                "{} adds the capability `{}` ({}); remove it, or run this as a separate, reviewed node agent",
                where_(object, container), *capability, *what));
        }
    }
}
