//! CMP008: an image pulled by `latest` or without a tag.

use crate::formats::compose::ComposeFile;
use crate::formats::image::{pin, ImagePin};
use crate::msg;
use crate::rules::Context;

/// CMP008: `image: app:latest` or `image: redis` runs whatever the registry calls latest on
/// the day of the pull: a host that pulls later runs another version than the one tested,
/// and a rollback does not roll back. A service that is `build:`-t names its own image.
pub fn check(cx: &mut Context<'_, ComposeFile>) {
    for service in cx.content.services.iter().filter(|s| !s.build) {
        let Some(image) = &service.image else {
            continue;
        };
        let Some(reference) = image.resolved() else {
            continue;
        };
        let defaulted = if image.template().is_literal() {
            ""
        } else {
            " (when its variables are not set)"
        };
        let how = match pin(&reference) {
            ImagePin::Untagged => "has no tag, so it is `latest`",
            ImagePin::Latest => "is the `latest` tag",
            ImagePin::Tag(_) | ImagePin::Digest => continue,
        };
        let name = reference.split(['@', ':']).next().unwrap_or(&reference);
        cx.report(image.span, format!("{}:image", service.name), msg!(
            "the image of service `{}` {}{}: each pull may bring another version, and a rollback does not roll back; pin a version (`{}:16.4-alpine`) or a digest (`@sha256:…`)",
            service.quote(), how, defaulted, image.derived(name)));
    }
}
