//! CMP010: `user: root` or `user: "0"`.

use crate::formats::compose::ComposeFile;
use crate::msg;
use crate::rules::compose::undecided;
use crate::rules::dockerfile::user::is_root;
use crate::rules::Context;

/// CMP010: the service explicitly runs as root, overriding whatever unprivileged `USER`
/// the image chose. (A service without `user:` runs as the image's user, which DKR002
/// judges in the Dockerfile.)
pub fn check(cx: &mut Context<'_, ComposeFile>) {
    for service in &cx.content.services {
        if undecided(cx, service, "user", service.user.as_ref()) {
            continue;
        }
        let Some(user) = &service.user else { continue };
        let Some(value) = user.resolved() else {
            continue;
        };
        if !is_root(&value) {
            continue;
        }
        cx.report(user.span, format!("{}:user", service.name), msg!(
            "service `{}` runs as root (`user: {}`), overriding the image's user: a compromise of the application is root in the container, one kernel or runtime bug away from the host; run as an unprivileged user (`user: \"1000:1000\"`) and give it only the files it needs",
            service.quote(), user.derived(&value)));
    }
}
