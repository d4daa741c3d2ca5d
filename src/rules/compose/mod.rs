//! Rules for Docker Compose files, read through [`crate::formats::compose`]: what each
//! service publishes, mounts, runs as and is given in its environment. Values are judged
//! after Compose's interpolation, with every variable unset: a default written into the
//! file (`${DB_PASSWORD:-changeme}`) is what runs when the deploy host forgets to set it.
//! A finding about something absent points at the service's name.

use crate::formats::compose::{Binding, PortMapping, Service, UNKNOWN};
use crate::rules::{checks, RegisteredCheck};

pub mod admin_ports;
pub mod base60_port;
pub mod capabilities;
pub mod data_ports;
pub mod docker_socket;
pub mod env_file_missing;
pub mod host_namespace;
pub mod image;
pub mod literal_secret;
pub mod postgres_trust_auth;
pub mod privileged;
pub mod restart;
pub mod root_user;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "compose-admin-port-public" => admin_ports::check;
    document "compose-dangerous-capability" => capabilities::check;
    document "compose-data-port-public" => data_ports::check;
    document "compose-docker-socket" => docker_socket::check;
    document "compose-env-file-missing" => env_file_missing::check;
    document "compose-host-namespace" => host_namespace::check;
    document "compose-literal-secret" => literal_secret::check;
    document "compose-no-restart-policy" => restart::check;
    document "compose-port-base60" => base60_port::check;
    document "compose-postgres-trust-auth" => postgres_trust_auth::check;
    document "compose-privileged" => privileged::check;
    document "compose-runs-as-root" => root_user::check;
    document "compose-unpinned-image" => image::check;
};

/// The last path part of an image reference without tag or digest (`grafana` of
/// `docker.io/grafana/grafana:10.2`), lower-cased.
fn image_name(service: &Service) -> Option<String> {
    let image = service.image.as_ref()?.resolved()?;
    let name = image.split('@').next().unwrap_or(&image);
    let last = name.rsplit('/').next().unwrap_or(name);
    Some(last.split(':').next().unwrap_or(last).to_ascii_lowercase())
}

/// The host port to keep in a suggested `127.0.0.1:HOST:CONTAINER` mapping: the one
/// published today when it is known, else the container's.
fn loopback_host_port(port: &PortMapping, container: u16) -> String {
    port.published
        .clone()
        .filter(|p| !p.contains(UNKNOWN))
        .unwrap_or_else(|| container.to_string())
}

/// Where a published port faces the network, for a message (`None`: loopback, a private
/// network, or unknown).
fn exposed_on(port: &PortMapping) -> Option<String> {
    match port.binding() {
        Binding::AllInterfaces => Some("on every interface of the host".to_owned()),
        Binding::PublicAddress => Some(format!(
            "on the public address `{}`",
            port.host_ip.as_deref().unwrap_or("")
        )),
        Binding::Internal | Binding::Unknown => None,
    }
}
