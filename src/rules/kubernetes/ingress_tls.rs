//! K8S018: an Ingress that serves plain HTTP: no `tls:` section, and no annotation saying
//! TLS is terminated in front of it with a redirect (`ssl-redirect`, `force-ssl-redirect`).
//! Logins and session cookies then cross the internet in clear text.

use crate::formats::kubernetes::Manifests;
use crate::formats::yaml::YamlNode;
use crate::msg;
use crate::rules::kubernetes::{object_key, objects};
use crate::rules::Context;

/// Annotations (by their name after the controller's prefix) that redirect HTTP to HTTPS,
/// TLS being terminated by a load balancer in front of the Ingress.
const REDIRECTS: &[&str] = &[
    "ssl-redirect",
    "force-ssl-redirect",
    "router.tls",
    "redirect-to-https",
];

/// K8S018: no `spec.tls` and no redirect annotation set to `"true"`.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for object in objects(cx.content).filter(|o| o.kind == "Ingress") {
        let spec = object.node.get("spec");
        if spec
            .and_then(|s| s.get("tls"))
            .is_some_and(|t| !t.items().is_empty())
        {
            continue;
        }
        let annotations = object
            .node
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .map_or(&[][..], YamlNode::entries);
        let redirects = annotations.iter().any(|(k, v)| {
            let name = k.as_str().unwrap_or_default();
            let name = name.rsplit('/').next().unwrap_or(name);
            REDIRECTS.contains(&name) && v.as_str().is_some_and(|v| v.eq_ignore_ascii_case("true"))
        });
        if redirects {
            continue;
        }
        cx.report(object.kind_span, object_key(object, "tls"), msg!(
            "{} has no `tls:` section and no HTTPS redirect: its hosts are served over plain HTTP; add `spec.tls` with the hosts and a certificate Secret (cert-manager's `cert-manager.io/cluster-issuer` annotation issues one)",
            object.label()));
    }
}
