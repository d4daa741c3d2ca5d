//! DKR003, DKR004: secrets in `ENV` and `ARG`.

use crate::formats::dockerfile::Dockerfile;
use crate::message::Quote;
use crate::msg;
use crate::rules::Context;
use crate::secrets::{is_indirection, parse_url, secret_kind};

/// DKR003: an `ENV` value or `ARG` default written into the Dockerfile under a secret name
/// (the env secret classifier), or a URL with a password, in any stage: the file is
/// committed, and `ENV` values are stored in the image's configuration for anyone who pulls it.
pub fn literal_secret(cx: &mut Context<'_, Dockerfile>) {
    let file = cx.content;
    for instruction in file
        .instructions
        .iter()
        .filter(|i| matches!(i.keyword.as_str(), "ENV" | "ARG"))
    {
        for pair in &instruction.pairs {
            let (Some(value), Some(span)) = (&pair.value, pair.value_span) else {
                continue;
            };
            if value.is_empty() || value.starts_with('$') || is_indirection(value) {
                continue;
            }
            let key = Quote::derived(pair.key_span, pair.key.as_str());
            let what = if secret_kind(&pair.key).is_some() {
                msg!("`{}` is a secret", &key)
            } else if parse_url(value).is_some_and(|u| u.password.is_some()) {
                msg!("`{}` holds a password in its URL", &key)
            } else {
                continue;
            };
            let where_ = if instruction.keyword == "ENV" {
                "`ENV` stores it in the image's configuration, where `docker inspect` shows it to anyone who can pull the image"
            } else {
                "an `ARG` default is recorded in `docker history` of every image that uses it"
            };
            cx.report(span, pair.key.clone(), msg!(
                "{} written into the Dockerfile: {}, and the file itself is committed; pass it at run time (`docker run --env-file`, an orchestrator secret) or, for the build, with `RUN --mount=type=secret,id={}`",
                what, where_, Quote::derived(pair.key_span, pair.key.to_ascii_lowercase())));
        }
    }
}

/// DKR004: an `ARG` with a secret name and no literal default: the value given with
/// `--build-arg` is recorded in `docker history` of the image wherever a `RUN` uses it.
pub fn secret_build_arg(cx: &mut Context<'_, Dockerfile>) {
    // A stage's `ARG NAME` re-declaring a global one brings the same value into scope: one
    // finding, at the first declaration.
    let mut seen: Vec<&str> = Vec::new();
    for instruction in cx
        .content
        .instructions
        .iter()
        .filter(|i| i.keyword == "ARG")
    {
        for pair in &instruction.pairs {
            if seen.contains(&pair.key.as_str()) {
                continue;
            }
            seen.push(&pair.key);
            let literal = pair
                .value
                .as_deref()
                .is_some_and(|v| !v.is_empty() && !v.starts_with('$') && !is_indirection(v));
            if literal || secret_kind(&pair.key).is_none() {
                continue;
            }
            let key = Quote::derived(pair.key_span, pair.key.as_str());
            let id = Quote::derived(pair.key_span, pair.key.to_ascii_lowercase());
            cx.report(pair.key_span, pair.key.clone(), msg!(
                "`ARG {}` passes a secret as a build argument: its value is recorded in `docker history` of the image (every `RUN` after it shows it) and in the build cache; use a build secret instead: `RUN --mount=type=secret,id={} …` with `docker build --secret id={},env={}`",
                &key, &id, &id, &key));
        }
    }
}
