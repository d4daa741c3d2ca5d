//! K8S009 and K8S008: `hostPath` volumes mount part of the node into the pod. Sensitive
//! paths (the root, `/etc`, the container runtime's socket, the kubelet's files) are K8S008;
//! other host paths are K8S009: they tie the pod to a node and bypass storage isolation.

use crate::document::Document;
use crate::formats::kubernetes::{Object, PodSpec};
use crate::formats::yaml::YamlNode;
use crate::rules::kubernetes::{object_key, workloads};
use crate::rules::Emitter;
use crate::source::Span;

/// Host paths that hand over the node, and why.
const SENSITIVE: &[(&str, &str)] = &[
    ("/", "the node's whole filesystem"),
    (
        "/var/run/docker.sock",
        "the Docker socket: root on the node",
    ),
    ("/run/docker.sock", "the Docker socket: root on the node"),
    (
        "/var/run/containerd/containerd.sock",
        "the containerd socket: root on the node",
    ),
    (
        "/run/containerd/containerd.sock",
        "the containerd socket: root on the node",
    ),
    (
        "/var/run/crio/crio.sock",
        "the CRI-O socket: root on the node",
    ),
    (
        "/etc",
        "the node's configuration, users and password hashes",
    ),
    ("/root", "root's home, SSH keys included"),
    (
        "/var/lib/kubelet",
        "the kubelet's files, every pod's secrets included",
    ),
    ("/var/lib/docker", "every container's filesystem"),
    ("/proc", "every process of the node"),
    ("/sys", "the kernel's settings"),
    ("/boot", "the node's kernel and boot loader"),
    ("/dev", "the node's devices"),
];

/// What a sensitive host path exposes: the path itself or anything under it (`/etc/ssl` is
/// under `/etc`; everything is under `/`, so only `/` itself counts for it).
pub fn sensitive(path: &str) -> Option<&'static str> {
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    SENSITIVE
        .iter()
        .find(|(p, _)| path == *p || (*p != "/" && path.starts_with(&format!("{p}/"))))
        .map(|(_, what)| *what)
}

/// The `hostPath.path` of every volume of a pod spec, with the volume's name.
fn host_paths(pod: &PodSpec) -> Vec<(&str, &str, Span)> {
    pod.node
        .get("volumes")
        .map_or(&[][..], YamlNode::items)
        .iter()
        .filter_map(|v| {
            let path = v.get("hostPath")?.get("path")?;
            let name = v.get("name").and_then(YamlNode::as_str).unwrap_or("");
            Some((name, path.as_str()?, path.span))
        })
        .collect()
}

fn report(
    doc: &Document,
    out: &mut Emitter,
    object: &Object,
    name: &str,
    span: Span,
    message: String,
) {
    out.report(
        &doc.source,
        span,
        object_key(object, &format!("hostPath {name}")),
        message,
    );
}

/// K8S008: a `hostPath` volume of a sensitive path.
pub fn check_sensitive(doc: &Document, out: &mut Emitter) {
    for (object, pod) in workloads(doc) {
        for (name, path, span) in host_paths(pod) {
            if let Some(what) = sensitive(path) {
                report(doc, out, object, name, span, format!(
                    "{} mounts `{path}` from the node (volume `{name}`): {what}; remove the `hostPath` volume (use a Secret, ConfigMap or PersistentVolumeClaim for what the application needs)",
                    object.label()));
            }
        }
    }
}

/// K8S009: any other `hostPath` volume.
pub fn check(doc: &Document, out: &mut Emitter) {
    for (object, pod) in workloads(doc) {
        for (name, path, span) in host_paths(pod) {
            if sensitive(path).is_none() {
                report(doc, out, object, name, span, format!(
                    "{} mounts `{path}` from the node (volume `{name}`): the pod depends on that node's files and writes outside any storage quota; use a PersistentVolumeClaim or `emptyDir`, or mount it `readOnly: true` if a node agent must read it",
                    object.label()));
            }
        }
    }
}
