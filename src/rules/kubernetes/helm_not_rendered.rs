//! K8S026: a Helm chart `helm template` did not render (a dependency not vendored, a
//! template or `required` value that fails, a time or size limit): what it deploys is not
//! judged, so findings may be missing.

use crate::formats::kubernetes::Manifests;
use crate::rules::Context;

/// K8S026: each rendering of a chart that failed, at the file that names it.
pub fn check(cx: &mut Context<'_, Manifests>) {
    if !cx.content.chart {
        return;
    }
    super::kustomize_not_built::report_notes(cx, "helm-note");
}
