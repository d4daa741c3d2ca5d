//! Rules for Docker Compose files, read through [`crate::formats::compose`]: what each
//! service publishes, mounts, runs as and is given in its environment. Values are judged
//! after Compose's interpolation, with every variable unset: a default written into the
//! file (`${DB_PASSWORD:-changeme}`) is what runs when the deploy host forgets to set it.
//! A finding about something absent points at the service's name.

use crate::formats::compose::{Binding, ComposeFile, ComposeString, PortMapping, Service, UNKNOWN};
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::{checks, Context, RegisteredCheck};

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
    document "compose-host-ipc" => host_namespace::ipc;
    document "compose-host-network" => host_namespace::network;
    document "compose-host-pid" => host_namespace::pid;
    document "compose-host-userns" => host_namespace::userns;
    document "compose-host-uts" => host_namespace::uts;
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

/// Marks the rule not evaluated on `service` when what decides its `key` cannot be read: a
/// variable without a default (only the deploy host knows it), or a service not read whole
/// (`extends:` from another file, a merge key or alias not expanded) that does not write the
/// key itself and may inherit it. Returns whether it did.
fn undecided(
    cx: &mut Context<'_, ComposeFile>,
    service: &Service,
    key: &'static str,
    value: Option<&ComposeString>,
) -> bool {
    match value {
        Some(value) if value.resolved().is_none() => {
            cx.not_evaluated(msg!(
                "`{}:` of service `{}` is a variable without a default: only the deploy host knows it",
                key,
                service.quote()
            ));
            true
        }
        None if service.extends_other_file => {
            cx.not_evaluated(msg!(
                "service `{}` extends a service of another file, which is not read: it may inherit `{}:`",
                service.quote(),
                key
            ));
            true
        }
        None if service.incomplete => {
            cx.not_evaluated(msg!(
                "service `{}` is not read whole (a merge key or alias not expanded, a value of the wrong type, or a syntax error in it): it may set `{}:`",
                service.quote(),
                key
            ));
            true
        }
        _ => false,
    }
}

/// The host port to keep in a suggested `127.0.0.1:HOST:CONTAINER` mapping: the one
/// published today when it is known, else the container's.
fn loopback_host_port(port: &PortMapping, container: u16) -> Message {
    match port.published.as_deref().filter(|p| !p.contains(UNKNOWN)) {
        Some(published) => Quote::derived(port.span, published).into(),
        None => msg!("{}", container),
    }
}

/// Where a published port faces the network, for a message (`None`: loopback, a private
/// network, or unknown).
fn exposed_on(port: &PortMapping) -> Option<Message> {
    match port.binding() {
        Binding::AllInterfaces => Some("on every interface of the host".into()),
        Binding::PublicAddress => Some(msg!(
            "on the public address `{}`",
            Quote::derived(port.span, port.host_ip.as_deref().unwrap_or(""))
        )),
        Binding::Internal | Binding::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::formats::Target::Compose;
    use crate::rules::dockerfile::canary::hidden;

    #[test]
    fn commands_and_health_checks_in_both_forms_are_read_for_passwords() {
        let shown = hidden(Compose, "services:\n  cache:\n    image: redis:7.2\n    restart: always\n    command: redis-server --requirepass CANARY\n    healthcheck:\n      test: redis-cli -a CANARY ping\n  queue:\n    image: redis:7.2\n    restart: always\n    command: [\"redis-server\", \"--requirepass\", \"CANARY\"]\n    entrypoint:\n      - sh\n      - -c\n      - exec app --password=CANARY\n    healthcheck:\n      test: [\"CMD\", \"redis-cli\", \"-a\", \"CANARY\", \"ping\"]\n  web:\n    image: app:1.2\n    restart: always\n    healthcheck:\n      test: [\"CMD-SHELL\", \"curl --password CANARY http://localhost/\"]\n");
        let reported: Vec<&String> = shown.iter().filter(|m| m.starts_with("CMP003")).collect();
        assert_eq!(reported.len(), 3, "{reported:#?}");
        for (message, service) in reported.iter().zip(["cache", "queue", "queue"]) {
            let said = format!("CMP003: the command of service `{service}` has a literal password");
            assert!(message.starts_with(&said), "{message}");
        }
    }

    #[test]
    fn environment_values_and_defaults_are_hidden() {
        let shown = hidden(Compose, "services:\n  db:\n    image: postgres:16.4\n    restart: always\n    environment:\n      POSTGRES_PASSWORD: CANARY\n      - API_TOKEN=${TOKEN:-CANARY}\n");
        assert!(shown.iter().any(|m| m.starts_with("PF001")), "{shown:#?}");
        let shown = hidden(Compose, "services:\n  db:\n    image: postgres:16.4\n    restart: always\n    environment:\n      - POSTGRES_PASSWORD=CANARY\n      - API_TOKEN=${TOKEN:-CANARY}\n");
        assert!(
            shown
                .iter()
                .any(|m| m.starts_with("CMP003: the default of `API_TOKEN` of service `db`")),
            "{shown:#?}"
        );
    }

    #[test]
    fn a_line_yaml_cannot_read_is_hidden_after_its_key() {
        for text in [
            "services:\n  web:\n    image: redis:7.2\n    note: CANARY: x\n",
            "services:\n  web:\n    image: redis:7.2\n    note: 'CANARY\n      CANARY\n",
            "services:\n  web:\n    image: redis:7.2\n\tnote: CANARY\n",
            "services:\n  web:\n    image: redis:7.2\n    note: @CANARY\n",
            "services:\n  web:\n    image: redis:7.2\n    command: [\"app\", \"--token\", \"CANARY\"\n  db: CANARY\n",
        ] {
            let shown = hidden(Compose, text);
            assert!(shown.iter().any(|m| m.starts_with("PF001: YAML syntax error")), "{text}");
        }
    }
}
