//! K8S010: an image without a tag or with `:latest` runs whatever the registry calls latest
//! when a node pulls it: two replicas can run different code, and a rollback rolls nothing
//! back. Read with the shared [`crate::formats::image`] reader.

use crate::formats::image::{pin, tag, ImagePin};
use crate::formats::kubernetes::Manifests;
use crate::message::Quote;
use crate::msg;
use crate::rules::kubernetes::{containers, key, where_};
use crate::rules::Context;

/// K8S010: `image: app` or `image: app:latest`.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, _, container) in containers(cx.content) {
        let Some((image, span)) = container.image() else {
            continue;
        };
        let what = match pin(image) {
            ImagePin::Untagged => "has no tag, so it is `:latest`",
            ImagePin::Latest => "is `:latest`",
            ImagePin::Tag(_) | ImagePin::Digest => continue,
        };
        let name = tag(image).map_or(image, |t| &image[..image.len() - t.len() - 1]);
        cx.report(span, key(object, container, "image"), msg!(
            "the image `{}` of {} {}: replicas and rollbacks run whatever was pushed last; deploy an immutable version tag (`{}:1.4.2`, the git SHA) or a digest",
            Quote::derived(span, image), where_(object, container), what, Quote::derived(span, name)));
    }
}
