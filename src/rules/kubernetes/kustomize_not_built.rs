//! K8S025: what a kustomization names that the built deployment lacks: a remote resource
//! or component (never fetched), a file or folder that cannot be read, a patch that names no
//! object. The deployment is judged without it, so findings may be missing.

use crate::formats::kubernetes::Manifests;
use crate::rules::Context;

/// K8S025: each note of the build of a kustomization no other includes.
pub fn check(cx: &mut Context<'_, Manifests>) {
    if !cx.content.chart {
        report_notes(cx, "kustomize-note");
    }
}

/// Reports each note of the document's build (a kustomization's, or a chart's renderings).
pub(super) fn report_notes(cx: &mut Context<'_, Manifests>, prefix: &str) {
    let Some(built) = &cx.content.built else {
        return;
    };
    for (n, note) in built.notes.iter().enumerate() {
        let key = format!(
            "{prefix}#{n}:{}",
            note.message.fingerprint_text(cx.source())
        );
        cx.report(note.span, key, note.message.clone());
    }
}
