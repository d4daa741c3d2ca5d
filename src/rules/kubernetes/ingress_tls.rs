//! K8S018: an Ingress that serves plain HTTP: no `tls:` section, and no annotation saying
//! TLS is terminated in front of it with a redirect (`ssl-redirect`, `force-ssl-redirect`),
//! or by a cloud load balancer with a managed certificate, or that plain HTTP is off.
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

/// Annotations naming a certificate that the cloud load balancer in front of the Ingress
/// serves, without `spec.tls`: GKE's managed certificates and pre-shared certificates, and
/// an ACM certificate on the AWS Load Balancer Controller.
const MANAGED_CERTIFICATES: &[&str] = &[
    "networking.gke.io/managed-certificates",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "alb.ingress.kubernetes.io/certificate-arn",
];

/// Whether the annotations give the Ingress TLS from outside `spec.tls` or turn plain HTTP
/// off (GKE's `kubernetes.io/ingress.allow-http: "false"`).
fn tls_elsewhere(annotations: &[(YamlNode, YamlNode)]) -> bool {
    annotations.iter().any(|(k, v)| {
        let value = v.as_str().unwrap_or_default().trim();
        match k.as_str().unwrap_or_default() {
            "kubernetes.io/ingress.allow-http" => value.eq_ignore_ascii_case("false"),
            name => MANAGED_CERTIFICATES.contains(&name) && !value.is_empty(),
        }
    })
}

/// K8S018: no `spec.tls`, no redirect annotation set to `"true"`, no managed certificate.
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
        if redirects || tls_elsewhere(annotations) {
            continue;
        }
        cx.report(object.kind_span, object_key(object, "tls"), msg!(
            "{} has no `tls:` section and no HTTPS redirect: its hosts are served over plain HTTP; add `spec.tls` with the hosts and a certificate Secret (cert-manager's `cert-manager.io/cluster-issuer` annotation issues one)",
            object.label()));
    }
}
