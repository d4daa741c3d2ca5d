//! CMP009: capabilities that give the container power over the host.

use crate::formats::compose::ComposeFile;
use crate::msg;
use crate::rules::Context;

/// Capabilities that break out of the container or reach into the host, with why.
const DANGEROUS: &[(&str, &str)] = &[
    ("ALL", "every capability, as good as `privileged`"),
    (
        "SYS_ADMIN",
        "mount, namespaces and most of root's powers: a known escape route",
    ),
    (
        "SYS_MODULE",
        "loading kernel modules into the host's kernel",
    ),
    (
        "SYS_PTRACE",
        "tracing and injecting code into other processes",
    ),
    ("SYS_RAWIO", "raw access to host devices and I/O ports"),
    ("SYS_BOOT", "rebooting the host"),
    ("SYS_TIME", "setting the host's clock"),
    (
        "DAC_READ_SEARCH",
        "reading any file through `open_by_handle_at` (the Shocker escape)",
    ),
    (
        "NET_ADMIN",
        "reconfiguring interfaces, routes and firewall rules of its network namespace",
    ),
    ("BPF", "loading eBPF programs into the host's kernel"),
    ("PERFMON", "kernel performance monitoring"),
    ("MAC_ADMIN", "changing the AppArmor/SELinux policy"),
    ("SYSLOG", "reading the kernel log (kernel addresses)"),
];

/// CMP009: `cap_add: [SYS_ADMIN]` and friends undo most of what the container's default
/// capability set protects.
pub fn check(cx: &mut Context<'_, ComposeFile>) {
    for service in &cx.content.services {
        for cap in &service.cap_add {
            let name = cap.text.trim().to_ascii_uppercase();
            let name = name.strip_prefix("CAP_").unwrap_or(&name);
            let Some((capability, why)) = DANGEROUS.iter().find(|(n, _)| *n == name) else {
                continue;
            };
            cx.report(cap.span, format!("{}:cap_add:{name}", service.name), msg!(
                "service `{}` adds the capability `{}`: {}; drop it, or if the service truly needs it (a VPN needs `NET_ADMIN`), say so with a suppression comment and keep the rest minimal (`cap_drop: [ALL]`)",
                service.quote(), *capability, *why));
        }
    }
}
