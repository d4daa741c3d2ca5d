//! Rules for Kubernetes manifests. Workloads are read once into pod specs and containers
//! with their effective security context ([`crate::formats::kubernetes`]); the rules here
//! only judge that model. A finding about something a container lacks points at its
//! `name:`; one about something a pod spec lacks at its `spec:` key; one about a bad value
//! at the value.

use crate::formats::kubernetes::{Container, ContainerRole, Manifests, Object, PodSpec};
use crate::message::Message;
use crate::msg;
use crate::rules::{checks, RegisteredCheck};
use crate::secrets::{assess, parse_url, secret_kind, SecretKind, Weakness};

pub mod automount_token;
pub mod capabilities;
pub mod dangerous_capabilities;
pub mod env_secret;
pub mod exposed_service;
pub mod helm_not_rendered;
pub mod helm_values_secret;
pub mod host_namespaces;
pub mod host_path;
pub mod host_port;
pub mod image_digest;
pub mod image_latest;
pub mod ingress_tls;
pub mod kustomize_not_built;
pub mod privilege_escalation;
pub mod privileged;
pub mod probes;
pub mod pull_policy;
pub mod rbac_secrets;
pub mod rbac_wildcard;
pub mod read_only_root;
pub mod resources;
pub mod run_as_root;
pub mod seccomp;
pub mod secret_manifest;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "k8s-automount-token" => automount_token::check;
    document "k8s-capabilities-not-dropped" => capabilities::check;
    document "k8s-dangerous-capabilities" => dangerous_capabilities::check;
    document "k8s-env-secret" => env_secret::check;
    document "k8s-exposed-service" => exposed_service::check;
    document "k8s-helm-not-rendered" => helm_not_rendered::check;
    document "k8s-helm-values-secret" => helm_values_secret::check;
    document "k8s-host-ipc" => host_namespaces::ipc;
    document "k8s-host-network" => host_namespaces::network;
    document "k8s-host-path" => host_path::check;
    document "k8s-host-pid" => host_namespaces::pid;
    document "k8s-host-port" => host_port::check;
    document "k8s-image-latest" => image_latest::check;
    document "k8s-image-no-digest" => image_digest::check;
    document "k8s-ingress-no-tls" => ingress_tls::check;
    document "k8s-kustomize-not-built" => kustomize_not_built::check;
    document "k8s-no-probes" => probes::check;
    document "k8s-no-resources" => resources::check;
    document "k8s-no-seccomp" => seccomp::missing;
    document "k8s-privilege-escalation" => privilege_escalation::check;
    document "k8s-privileged" => privileged::check;
    document "k8s-pull-policy-latest" => pull_policy::check;
    document "k8s-rbac-secrets" => rbac_secrets::check;
    document "k8s-rbac-wildcard" => rbac_wildcard::check;
    document "k8s-run-as-root" => run_as_root::check;
    document "k8s-seccomp-unconfined" => seccomp::unconfined;
    document "k8s-secret-manifest" => secret_manifest::check;
    document "k8s-sensitive-host-path" => host_path::check_sensitive;
    document "k8s-writable-root-filesystem" => read_only_root::check;
};

/// The objects of a checked manifest file.
fn objects(manifests: &Manifests) -> impl Iterator<Item = &Object> {
    manifests.judged().iter()
}

/// Every workload with its pod spec.
fn workloads(manifests: &Manifests) -> impl Iterator<Item = (&Object, &PodSpec)> {
    objects(manifests).filter_map(|o| Some((o, o.pod.as_ref()?)))
}

/// Every container of every workload, init and ephemeral containers included.
fn containers(manifests: &Manifests) -> impl Iterator<Item = (&Object, &PodSpec, &Container)> {
    workloads(manifests).flat_map(|(o, p)| p.containers.iter().map(move |c| (o, p, c)))
}

/// The containers that run as the application (no ephemeral debugging containers, which
/// cannot declare resources, probes or ports).
fn declared_containers(
    manifests: &Manifests,
) -> impl Iterator<Item = (&Object, &PodSpec, &Container)> {
    containers(manifests).filter(|(_, _, c)| c.role != ContainerRole::Ephemeral)
}

/// The fingerprint key of a finding about a container: stable across line changes.
fn key(object: &Object, container: &Container, what: &str) -> String {
    // Joined, not `format!`ted: these keys were two fifths of a scan's `format!` calls, each
    // setting up the formatting machinery for four strings.
    let name = object.name.as_deref().unwrap_or("");
    [&object.kind, "/", name, "/", &container.name, ":", what].concat()
}

/// The fingerprint key of a finding about an object.
fn object_key(object: &Object, what: &str) -> String {
    let name = object.name.as_deref().unwrap_or("");
    [&object.kind, "/", name, ":", what].concat()
}

/// `container `api` of Deployment `web`` for messages.
fn where_(object: &Object, container: &Container) -> Message {
    // `msg!("{} of {}", …)` with room for both labels' parts from the start: `msg!` makes
    // room for its template's, and grew the list twice for each of the tens of thousands
    // of findings that say where they are.
    let mut message = Message::with_capacity(8);
    message
        .push(container.label())
        .push(" of ")
        .push(object.label());
    message
}

/// How a committed secret value is weak, in words that never show it: `None` when
/// nothing is known against it beyond being committed. `name` decides what kind of secret
/// it is; a URL's password is judged as a password. A value under a name that is not
/// secret-like (a Secret's `username`) is only judged for vendor examples: calling `admin`
/// a weak password there would be wrong.
fn weakness(name: &str, value: &str) -> Option<Message> {
    let (kind, value, what) = match parse_url(value).and_then(|u| u.password) {
        Some((password, _)) => (Some(SecretKind::Password), password, "its password "),
        None => (secret_kind(name), value, ""),
    };
    let how = match assess(kind.unwrap_or(SecretKind::Password), value)? {
        Weakness::VendorExample(example) => msg!("is {}", example),
        Weakness::Placeholder(why) if kind.is_some() => why.into(),
        Weakness::TooShort { len, min } if kind.is_some() => {
            msg!("is {} characters long (at least {} needed)", len, min)
        }
        Weakness::LowEntropy { .. } if kind.is_some() => "is predictable".into(),
        _ => return None,
    };
    Some(msg!("{}{}", what, how))
}

/// Whether `value` only composes other variables (`$(DB_PASS)`, `${TOKEN}`) and literal
/// punctuation, rather than holding a secret itself.
fn is_reference(value: &str) -> bool {
    value.starts_with("$(") || value.starts_with("${")
}

#[cfg(test)]
mod tests {
    use crate::formats::Target::Kubernetes;
    use crate::rules::dockerfile::canary::hidden;

    #[test]
    fn container_commands_probes_and_secrets_are_hidden() {
        let shown = hidden(Kubernetes, "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData:\n  password: CANARY\ndata:\n  note: cXpjYW5hcnktaG9yc2Utcml2ZXItdG1zdnFwYQ==\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: app:1.2\n        args: [\"--token=CANARY\", \"--password\", \"CANARY\"]\n        env:\n        - {name: DB_PASSWORD, value: CANARY}\n        livenessProbe:\n          exec:\n            command: [\"sh\", \"-c\", \"redis-cli -a CANARY ping\"]\n        lifecycle:\n          preStop:\n            exec:\n              command: [\"app\", \"--token\", \"CANARY\"]\n      - name: worker\n        image: app:1.2\n        command: [\"sh\", \"-c\"]\n        args:\n        - exec worker --password 'CANARY'\n");
        for said in [
            "K8S015: Secret `db` holds the literal value of `password`",
            "K8S015: Secret `db` holds the literal value of `note`",
            "K8S016: `DB_PASSWORD` of container `api` of Deployment `api` is a literal secret",
        ] {
            assert!(
                shown.iter().any(|m| m.starts_with(said)),
                "{said}: {shown:#?}"
            );
        }
    }

    #[test]
    fn a_line_yaml_cannot_read_is_hidden_after_its_key() {
        let shown = hidden(Kubernetes, "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: a\n    image: app:1.2\n    args: [\"--token\", \"CANARY\"\n  password: CANARY\n");
        assert!(
            shown
                .iter()
                .any(|m| m.starts_with("PF001: YAML syntax error")),
            "{shown:#?}"
        );
    }
}
