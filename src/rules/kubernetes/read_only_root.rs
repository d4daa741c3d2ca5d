//! K8S006: a writable root filesystem lets an attacker who runs code in the container
//! replace the application's files and drop tools; `readOnlyRootFilesystem: true` with an
//! `emptyDir` for the folders the application writes prevents that.

use crate::formats::kubernetes::Manifests;
use crate::msg;
use crate::rules::kubernetes::{containers, key, where_};
use crate::rules::Context;

/// K8S006: `readOnlyRootFilesystem` absent or false.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, _, container) in containers(cx.content) {
        let at = where_(object, container);
        let k = key(object, container, "readOnlyRootFilesystem");
        match &container.security.read_only_root_filesystem {
            Some(setting) if !setting.value => {
                cx.report(setting.span, k, msg!(
                    "{} has a writable root filesystem; set `readOnlyRootFilesystem: true` and mount an `emptyDir` where it writes (`/tmp`, caches)", at));
            }
            Some(_) => {}
            None => {
                cx.report(container.at, k, msg!(
                    "{} does not set `readOnlyRootFilesystem: true`, so code running in it can rewrite the application; set it and mount an `emptyDir` where it writes (`/tmp`, caches)", at));
            }
        }
    }
}
