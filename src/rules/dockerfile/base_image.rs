//! DKR001: base images that are not pinned.

use crate::formats::dockerfile::Dockerfile;
use crate::formats::image::{self, ImagePin};
use crate::msg;
use crate::rules::Context;

/// DKR001: `FROM image` without a tag, or with `:latest`, in any stage (a builder stage's
/// base decides what is compiled into the final image too). A digest (`@sha256:…`) pins;
/// stages built on earlier stages, `scratch`, and references whose variables only the build
/// command knows are not judged.
pub fn unpinned(cx: &mut Context<'_, Dockerfile>) {
    for stage in cx.content.stages.iter().filter(|s| s.base_stage.is_none()) {
        let Some(resolved) = stage.image.resolved.as_deref() else {
            continue;
        };
        if resolved.eq_ignore_ascii_case("scratch") || resolved.is_empty() {
            continue;
        }
        let problem = match image::pin(resolved) {
            ImagePin::Untagged => "has no tag, so it means `:latest`",
            ImagePin::Latest => "is `:latest`",
            ImagePin::Tag(_) | ImagePin::Digest => continue,
        };
        cx.report(stage.image.span, resolved, msg!(
            "the base image `{}` {}: every build may pull a different image, with other packages and other vulnerabilities, and a rebuild of the same commit is not the same image; pin a version tag (`node:20.11-alpine`) or a digest (`@sha256:…`)",
            stage.image.shown.as_ref(), problem));
    }
}
