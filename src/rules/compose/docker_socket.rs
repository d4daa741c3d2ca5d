//! CMP005: the Docker (or Podman, containerd) socket mounted into a container.

use crate::formats::compose::ComposeFile;
use crate::msg;
use crate::rules::Context;

/// Sockets that control the container runtime, by the end of their host path.
const RUNTIME_SOCKETS: &[&str] = &[
    "docker.sock",
    "podman.sock",
    "containerd.sock",
    "crio.sock",
    "pipe/docker_engine",
];

/// CMP005: whoever talks to the Docker socket starts a privileged container with the host's
/// root mounted: the socket is root on the host, and `:ro` does not change that (read-only
/// applies to the socket file, not to the API calls made through it).
pub fn check(cx: &mut Context<'_, ComposeFile>) {
    for service in &cx.content.services {
        for mount in &service.volumes {
            let Some(source) = mount.source.as_deref() else {
                continue;
            };
            let source = source.trim_end_matches('/');
            // `${XDG_RUNTIME_DIR}/docker.sock` (rootless Docker) counts, whatever the variable.
            let Some(socket) = RUNTIME_SOCKETS.iter().find(|s| source.ends_with(*s)) else {
                continue;
            };
            let read_only = if mount.read_only {
                " (`:ro` only makes the socket file read-only, not the API behind it)"
            } else {
                ""
            };
            cx.report(mount.span, format!("{}:volumes:{socket}", service.name), msg!(
                "service `{}` mounts the container runtime's socket (`{}`){}: anything in the container can start a privileged container with the host's `/` mounted, i.e. it is root on the host; remove the mount, or put a filtering proxy (tecnativa/docker-socket-proxy) between them that allows only the calls it needs",
                service.quote(), *socket, read_only));
        }
    }
}
