//! K8S027: a secret written in a chart's values file that a rendering deploys as a secret:
//! it is committed with the chart. Reported at the values line; the value is never shown.

use crate::formats::kubernetes::Manifests;
use crate::message::Quote;
use crate::msg;
use crate::rules::Context;

/// K8S027: each deployed secret of the chart's values files, once.
pub fn check(cx: &mut Context<'_, Manifests>) {
    let Some(built) = &cx.content.built else {
        return;
    };
    for &(key, value, chars) in &built.values_secrets {
        cx.report(
            value,
            format!("values-secret:{}", value.start - key.start),
            msg!(
                "`{}` is a literal secret ({} characters) that the chart deploys: it is committed with the chart and printed by every `helm get values`; read it from an existing Secret, pass it at deploy time (`--set-file`), or encrypt the values file (SOPS)",
                Quote::at(key),
                chars
            ),
        );
    }
}
