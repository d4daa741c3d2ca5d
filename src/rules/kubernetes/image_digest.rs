//! K8S012 (info): an image pinned by tag, not digest. A tag can be pushed again; only a
//! digest names exactly the image that was reviewed and scanned.

use crate::formats::image::{pin, ImagePin};
use crate::formats::kubernetes::Manifests;
use crate::message::Quote;
use crate::msg;
use crate::rules::kubernetes::{containers, key, where_};
use crate::rules::Context;

/// K8S012: `image: app:1.2` without `@sha256:…` (untagged and `:latest` images are K8S010's).
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, _, container) in containers(cx.content) {
        let Some((image, span)) = container.image() else {
            continue;
        };
        if let ImagePin::Tag(tag) = pin(image) {
            let image = Quote::derived(span, image);
            cx.report(span, key(object, container, "digest"), msg!(
                "the image `{}` of {} is pinned by the tag `{}`, which can be pushed again; append its digest (`{}@sha256:…`) to run exactly the image that was tested",
                &image, where_(object, container), Quote::derived(span, tag), &image));
        }
    }
}
