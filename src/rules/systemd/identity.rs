//! SYS001: a service that runs as root.

use crate::formats::systemd::UnitFile;
use crate::message::Quote;
use crate::msg;
use crate::rules::systemd::{dynamic_user, judges_defaults, service};
use crate::rules::Context;

/// SYS001: `User=root`/`User=0`, or (in a complete `.service`) neither `User=` nor
/// `DynamicUser=yes`, so systemd starts the process as root.
pub fn runs_as_root(cx: &mut Context<'_, UnitFile>) {
    let unit = cx.content;
    let Some(section) = service(unit) else {
        return;
    };
    let dynamic = dynamic_user(unit);
    match unit.last("Service", "User") {
        Some(user) if matches!(user.value.as_str(), "root" | "0") && !dynamic => {
            cx.report(user.value_span, "User",
                msg!("`User={}` runs the service as root: any flaw in it owns the whole machine; create a system user (`useradd --system --no-create-home app`) and write `User=app`, or `DynamicUser=yes`", Quote::derived(user.value_span, user.value.as_str())));
        }
        Some(_) => {}
        None if !dynamic && judges_defaults(cx) => {
            cx.report(section.header_span, "User",
                "this service sets neither `User=` nor `DynamicUser=yes`, so systemd runs it as root: any flaw in it owns the whole machine; add `User=app` (a system user) or `DynamicUser=yes` to `[Service]`");
        }
        None => {}
    }
}
