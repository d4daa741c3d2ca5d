//! K8S009 and K8S008: `hostPath` volumes mount part of the node into the pod. Sensitive
//! paths (the root, `/etc`, the container runtime's socket, the kubelet's files) are K8S008;
//! other host paths are K8S009: they tie the pod to a node and bypass storage isolation.

use crate::formats::kubernetes::{Manifests, Object, PodSpec};
use crate::formats::yaml::YamlNode;
use crate::message::Message;
use crate::msg;
use crate::rules::kubernetes::{object_key, workloads};
use crate::rules::Context;

/// Host paths that hand over the node, and why; `true` when everything under the path is
/// as sensitive (the kubelet's files), `false` when only the folder itself is (`/dev/log` is
/// the syslog socket, `/etc/ssl/certs` public CA certificates). The exact-path entries are
/// kube-linter's sensitive host mounts.
const SENSITIVE: &[(&str, bool, &str)] = &[
    ("/", false, "the node's whole filesystem"),
    (
        "/var/run/docker.sock",
        false,
        "the Docker socket: root on the node",
    ),
    (
        "/run/docker.sock",
        false,
        "the Docker socket: root on the node",
    ),
    (
        "/var/run/containerd/containerd.sock",
        false,
        "the containerd socket: root on the node",
    ),
    (
        "/run/containerd/containerd.sock",
        false,
        "the containerd socket: root on the node",
    ),
    (
        "/var/run/crio/crio.sock",
        false,
        "the CRI-O socket: root on the node",
    ),
    (
        "/var/run",
        false,
        "every runtime socket of the node, Docker's and containerd's included",
    ),
    (
        "/run",
        false,
        "every runtime socket of the node, Docker's and containerd's included",
    ),
    (
        "/etc",
        false,
        "the node's configuration, users and password hashes",
    ),
    (
        "/etc/kubernetes",
        true,
        "the cluster's credentials and certificates",
    ),
    ("/root", true, "root's home, SSH keys included"),
    (
        "/var/lib/kubelet",
        true,
        "the kubelet's files, every pod's secrets included",
    ),
    ("/var/lib/docker", true, "every container's filesystem"),
    ("/proc", false, "every process of the node"),
    ("/sys", false, "the kernel's settings"),
    ("/boot", false, "the node's kernel and boot loader"),
    ("/dev", false, "the node's devices"),
    ("/lib", false, "the node's libraries"),
    ("/usr", false, "the node's programs"),
];

/// What a sensitive host path exposes, if it is one.
pub fn sensitive(path: &str) -> Option<&'static str> {
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    SENSITIVE
        .iter()
        .find(|(p, below, _)| path == *p || (*below && path.starts_with(&format!("{p}/"))))
        .map(|(_, _, what)| *what)
}

/// A `hostPath` volume of a pod spec.
struct HostPath<'a> {
    /// The volume's name (empty when it has none).
    name: &'a str,
    /// Where the name is written.
    name_node: Option<&'a YamlNode>,
    /// `hostPath.path`.
    path: &'a str,
    /// Where the path is written.
    path_node: &'a YamlNode,
}

impl HostPath<'_> {
    /// `mounts `/etc` from the node (volume `etc`)` for messages.
    fn mounts(&self) -> Message {
        msg!(
            "mounts `{}` from the node (volume `{}`)",
            self.path_node.quote(),
            self.name_node.map(YamlNode::quote)
        )
    }
}

/// The `hostPath.path` of every volume of a pod spec, with the volume's name.
fn host_paths(pod: &PodSpec) -> Vec<HostPath<'_>> {
    pod.node
        .get("volumes")
        .map_or(&[][..], YamlNode::items)
        .iter()
        .filter_map(|v| {
            let path_node = v.get("hostPath")?.get("path")?;
            let name_node = v.get("name").filter(|n| n.as_str().is_some());
            Some(HostPath {
                name: name_node.and_then(YamlNode::as_str).unwrap_or(""),
                name_node,
                path: path_node.as_str()?,
                path_node,
            })
        })
        .collect()
}

/// The fingerprint key of a finding about the `hostPath` volume `name`.
fn volume_key(object: &Object, name: &str) -> String {
    object_key(object, &format!("hostPath {name}"))
}

/// K8S008: a `hostPath` volume of a sensitive path.
pub fn check_sensitive(cx: &mut Context<'_, Manifests>) {
    for (object, pod) in workloads(cx.content) {
        for volume in host_paths(pod) {
            if let Some(what) = sensitive(volume.path) {
                cx.report(volume.path_node.span, volume_key(object, volume.name), msg!(
                    "{} {}: {}; remove the `hostPath` volume (use a Secret, ConfigMap or PersistentVolumeClaim for what the application needs)",
                    object.label(), volume.mounts(), what));
            }
        }
    }
}

/// K8S009: any other `hostPath` volume.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, pod) in workloads(cx.content) {
        for volume in host_paths(pod) {
            if sensitive(volume.path).is_none() {
                cx.report(volume.path_node.span, volume_key(object, volume.name), msg!(
                    "{} {}: the pod depends on that node's files and writes outside any storage quota; use a PersistentVolumeClaim or `emptyDir`, or mount it `readOnly: true` if a node agent must read it",
                    object.label(), volume.mounts()));
            }
        }
    }
}
