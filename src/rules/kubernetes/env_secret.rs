//! K8S016: a secret written as a literal `env[].value` of a container: it is in the
//! repository and in the pod spec every `get pod -o yaml` prints. `valueFrom.secretKeyRef`
//! is the way; a value composed only of other variables (`$(DB_PASS)`, the usual way to build a
//! `DATABASE_URL` from a Secret) holds no secret itself.

use crate::formats::kubernetes::{literal_env, Manifests};
use crate::msg;
use crate::rules::kubernetes::{containers, key, weakness, where_};
use crate::rules::Context;
use crate::secrets::{is_indirection, parse_url, secret_kind};

/// K8S016: a secret-like name with a literal value, or a URL with a literal password.
pub fn check(cx: &mut Context<'_, Manifests>) {
    for (object, _, container) in containers(cx.content) {
        for (name_node, value) in literal_env(container) {
            let name = name_node.as_str().unwrap_or_default();
            let text = value.as_str().unwrap_or_default();
            if text.is_empty() {
                continue;
            }
            let url_password = parse_url(text)
                .and_then(|u| u.password)
                .filter(|(p, _)| !p.is_empty() && !p.contains("$("));
            let literal =
                secret_kind(name).is_some() && !is_indirection(text) && !text.contains("$(");
            if !literal && url_password.is_none() {
                continue;
            }
            let how = weakness(name, text).map(|w| msg!(", and it {}", w));
            let what = if literal {
                "a literal secret"
            } else {
                "a URL with a literal password"
            };
            cx.report(value.span, key(object, container, &format!("env {name}")), msg!(
                "`{}` of {} is {} ({} characters){}: it is committed and shown by every `kubectl get pod -o yaml`; use `valueFrom: {{secretKeyRef: {{name: …, key: …}}}}` (compose URLs from secret-sourced variables with `$(VAR)`)",
                name_node.quote(),
                where_(object, container),
                what,
                text.chars().count(),
                how));
        }
    }
}
