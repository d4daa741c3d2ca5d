//! SYS001: a service that runs as root.

use crate::document::Document;
use crate::rules::systemd::{dynamic_user, judges_defaults, service};
use crate::rules::Emitter;

/// SYS001: `User=root`/`User=0`, or (in a complete `.service`) neither `User=` nor
/// `DynamicUser=yes`, so systemd starts the process as root.
pub fn runs_as_root(doc: &Document, out: &mut Emitter) {
    let Some((unit, section)) = service(doc) else {
        return;
    };
    let dynamic = dynamic_user(unit);
    match unit.last("Service", "User") {
        Some(user) if matches!(user.value.as_str(), "root" | "0") && !dynamic => {
            out.report(&doc.source, user.value_span, "User",
                format!("`User={}` runs the service as root: any flaw in it owns the whole machine; create a system user (`useradd --system --no-create-home app`) and write `User=app`, or `DynamicUser=yes`", user.value));
        }
        Some(_) => {}
        None if !dynamic && judges_defaults(doc, unit) => {
            out.report(&doc.source, section.header_span, "User",
                "this service sets neither `User=` nor `DynamicUser=yes`, so systemd runs it as root: any flaw in it owns the whole machine; add `User=app` (a system user) or `DynamicUser=yes` to `[Service]`");
        }
        None => {}
    }
}
