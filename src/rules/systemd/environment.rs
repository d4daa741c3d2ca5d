//! SYS002: secrets written into a unit file.

use crate::document::Document;
use crate::rules::Emitter;
use crate::secrets::{is_indirection, parse_url, secret_kind};

/// SYS002: an `Environment=` variable whose name says it is a secret (the env secret
/// classifier: `*PASSWORD*`, `*SECRET*`, tokens, keys) or whose value is a URL with a
/// password. Unit files are world-readable and `systemctl show` prints `Environment=` to
/// every local user.
pub fn secret_in_environment(doc: &Document, out: &mut Emitter) {
    let Some(unit) = doc.as_systemd() else { return };
    for var in unit.environment() {
        if var.value.is_empty() || var.value.starts_with('$') || is_indirection(&var.value) {
            continue;
        }
        let what = if secret_kind(&var.name).is_some() {
            format!("`{}` is a secret", var.name)
        } else if parse_url(&var.value).is_some_and(|u| u.password.is_some()) {
            format!("`{}` holds a password in its URL", var.name)
        } else {
            continue;
        };
        out.report(&doc.source, var.word, var.name.clone(), format!(
            "{what} written into the unit file with `Environment=`: unit files are world-readable and `systemctl show` prints it to any local user; move it to `EnvironmentFile=/etc/app/secrets.env` (owned by root, mode 0600) or pass it with `LoadCredential=`"));
    }
}
