//! Kustomize, built natively: a kustomization and everything it names (resources, bases,
//! components, patches) turned into the objects `kustomize build` would print, each field
//! keeping the place it was written — a field a patch sets points at the patch's line, a
//! namespace or image tag the overlay sets at the overlay's `kustomization.yaml`.
//!
//! Spans of a built object point into one address space: the root kustomization's own text
//! at offset 0, every other file read at an offset of its own after it ([`Origins`] maps a
//! span back to the file and the span in it). Nothing is fetched: remote resources are
//! noted, not followed. Every read goes through the [`Files`] view and is bounded: nesting
//! depth, files read, resources built.
//!
//! The features built are those real repositories use: `resources` (files, folders with
//! their kustomization, nested), `bases`, `components`, `patchesStrategicMerge` and
//! `patches` (strategic merge with Kubernetes' merge keys, `$patch: delete`/`replace`; JSON
//! patches, RFC 6902), `patchesJson6902`, `namespace`, `namePrefix`/`nameSuffix`,
//! `commonLabels`/`labels`, `commonAnnotations`, `replicas` and `images`, applied in the
//! order kustomize applies its built-in transformers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::formats::yaml::{YamlFile, YamlNode, YamlValue};
use crate::formats::{lexically_normal, Files};
use crate::message::Message;
use crate::msg;
use crate::source::{SourceFile, Span};

/// The names a kustomization file may have, in the order kustomize looks for them.
pub const KUSTOMIZATION_NAMES: &[&str] =
    &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// How deep kustomizations may include each other.
const MAX_DEPTH: usize = 16;
/// How many files one build reads.
const MAX_FILES: usize = 512;
/// How many objects one build holds.
const MAX_RESOURCES: usize = 5000;
/// How many patches one build applies.
const MAX_PATCHES: usize = 2000;
/// How many kustomizations (components included) one build builds, counting each time one
/// is included: a base named a thousand times is not built a thousand times.
const MAX_BUILDS: usize = 256;

/// Where the spans of a built document point: the files it was built from, each at the
/// offset its text starts at in the document's address space.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    /// By offset, ascending; the first is the document's own file at offset 0.
    pub parts: Vec<Part>,
    /// Where a document holds several deployments (a Helm chart rendered with each of its
    /// values files): each one's range of the address space, by start, and what names it.
    pub deployments: Vec<Deployed>,
    /// Secrets a rendering deployed from a values file: where each was placed (on a
    /// template line) and where the values file sets it, both in the address space.
    pub value_sources: Vec<(Span, Span)>,
}

/// One deployment of a document that holds several.
#[derive(Debug, Clone)]
pub struct Deployed {
    /// Its range of the address space.
    pub range: std::ops::Range<usize>,
    /// The file that names it (a values file), shown as a related location.
    pub file: Arc<SourceFile>,
    /// What the related location says.
    pub message: Message,
}

/// One file a built document was made from.
#[derive(Debug, Clone)]
pub struct Part {
    /// Where its text starts in the address space.
    pub base: usize,
    /// The file.
    pub source: Arc<SourceFile>,
    /// Spans of it (its own offsets) that hold secrets the build put into a Secret (a
    /// `secretGenerator`'s files): masked like the scan's own secrets.
    pub sensitive: Vec<Span>,
    /// Whether `sensitive` are all its secrets: a Helm template, whose secrets are those
    /// of what it rendered (read as YAML, its template actions would hide every line after
    /// the first as unreadable).
    pub rendered: bool,
}

impl Origins {
    /// The file `span` is in and the span within it.
    pub fn locate(&self, span: Span) -> Option<(&Arc<SourceFile>, Span)> {
        let at = self.parts.partition_point(|p| p.base <= span.start);
        let part = self.parts.get(at.checked_sub(1)?)?;
        let local = Span::new(span.start - part.base, span.end.saturating_sub(part.base));
        (local.end <= part.source.text.len()).then_some((&part.source, local))
    }

    /// The deployment `span` belongs to, where the document holds several.
    pub fn deployment(&self, span: Span) -> Option<&Deployed> {
        self.deployments
            .iter()
            .find(|d| d.range.start <= span.start && span.start < d.range.end)
    }
}

/// Something the build could not follow or apply: said at the place that asked for it.
#[derive(Debug, Clone)]
pub struct Note {
    /// Where (in the address space).
    pub span: Span,
    /// What and why.
    pub message: Message,
}

/// A kustomization built.
#[derive(Debug, Clone, Default)]
pub struct Built {
    /// The objects, in the order kustomize accumulates them.
    pub objects: Vec<YamlNode>,
    /// The files the spans point into.
    pub origins: Origins,
    /// What was not followed or not applied.
    pub notes: Vec<Note>,
    /// Every file read (kustomizations, resources, patches), `.`/`..` applied.
    pub used: Vec<PathBuf>,
    /// The folders of the kustomizations (and components) included by this one.
    pub included: Vec<PathBuf>,
}

/// The kustomization file in `dir`, if there is one.
pub fn kustomization_in(files: &dyn Files, dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|path| files.is_file(path))
}

/// Whether `name` (a file name) is a kustomization's.
pub fn is_kustomization_name(name: &str) -> bool {
    KUSTOMIZATION_NAMES.contains(&name)
        || matches!(
            name.to_ascii_lowercase().as_str(),
            "kustomization.yaml" | "kustomization.yml"
        )
}

/// Builds the kustomization `root` (its file), whose text is already read as `source`;
/// `known` holds the files the scan read already (their findings then point at the same
/// file the scan shows), by path.
pub fn build(
    source: &Arc<SourceFile>,
    files: &dyn Files,
    known: &HashMap<PathBuf, Arc<SourceFile>>,
) -> Built {
    let root = lexically_normal(&source.path);
    let mut builder = Builder {
        files,
        known,
        loaded: HashMap::new(),
        origins: Origins::default(),
        next_base: 0,
        notes: Vec::new(),
        used: Vec::new(),
        included: Vec::new(),
        building: Vec::new(),
        resources: 0,
        patches: 0,
        builds: 0,
    };
    builder.add_file(root.clone(), Arc::clone(source));
    let dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut objects = builder.kustomize(&dir, Some(root), 0, Vec::new());
    // Done once, for the whole build, as kustomize does: generated names get the hash of
    // their content, then every reference follows the names' changes.
    add_hashes(&mut objects);
    fix_references(&mut objects);
    Built {
        objects: objects.into_iter().map(|r| r.node).collect(),
        origins: builder.origins,
        notes: builder.notes,
        used: builder.used,
        included: builder.included,
    }
}

/// One object being built, with the names it had before prefixes and suffixes (patches
/// name objects by any of them).
#[derive(Debug, Clone)]
struct Resource {
    node: YamlNode,
    names: Vec<String>,
    namespaces: Vec<String>,
    /// A generated ConfigMap or Secret whose name gets its content's hash.
    hash: bool,
}

impl Resource {
    fn new(node: YamlNode) -> Self {
        let mut resource = Self {
            node,
            names: Vec::new(),
            namespaces: Vec::new(),
            hash: false,
        };
        resource.remember();
        resource
    }

    fn kind(&self) -> &str {
        self.node
            .get("kind")
            .and_then(YamlNode::as_str)
            .unwrap_or("")
    }

    fn api_version(&self) -> &str {
        self.node
            .get("apiVersion")
            .and_then(YamlNode::as_str)
            .unwrap_or("")
    }

    fn name(&self) -> &str {
        meta(&self.node, "name").unwrap_or("")
    }

    fn namespace(&self) -> &str {
        meta(&self.node, "namespace").unwrap_or("")
    }

    /// Records the current name and namespace among those it had.
    fn remember(&mut self) {
        let name = self.name().to_owned();
        if !self.names.contains(&name) {
            self.names.push(name);
        }
        let namespace = self.namespace().to_owned();
        if !self.namespaces.contains(&namespace) {
            self.namespaces.push(namespace);
        }
    }
}

/// `metadata.<key>` of an object, as text.
fn meta<'a>(node: &'a YamlNode, key: &str) -> Option<&'a str> {
    node.get("metadata")?.get(key)?.as_str()
}

struct Builder<'a> {
    files: &'a dyn Files,
    known: &'a HashMap<PathBuf, Arc<SourceFile>>,
    /// Every file read, by path: where it starts in the address space and its documents
    /// with spans moved there.
    loaded: HashMap<PathBuf, Option<Arc<Vec<YamlNode>>>>,
    origins: Origins,
    next_base: usize,
    notes: Vec<Note>,
    used: Vec<PathBuf>,
    included: Vec<PathBuf>,
    /// The kustomization folders being built, outermost first (cycles are refused).
    building: Vec<PathBuf>,
    resources: usize,
    patches: usize,
    builds: usize,
}

/// A patch before it is applied: its documents, and where it was named.
struct PatchText {
    documents: Vec<YamlNode>,
}

impl Builder<'_> {
    /// Puts `source` into the address space and parses it there.
    fn add_file(&mut self, path: PathBuf, source: Arc<SourceFile>) -> Arc<Vec<YamlNode>> {
        let base = self.next_base;
        self.next_base = base + source.text.len() + 1;
        let yaml = YamlFile::parse(&source.text);
        let documents: Vec<YamlNode> = yaml
            .documents
            .iter()
            .map(|d| relocate(d, &|at| at + base))
            .collect();
        self.origins.parts.push(Part {
            base,
            source,
            sensitive: Vec::new(),
            rendered: false,
        });
        let documents = Arc::new(documents);
        self.loaded
            .insert(path.clone(), Some(Arc::clone(&documents)));
        self.used.push(path);
        documents
    }

    /// The documents of the file at `path` (read once per build), or `None` when it cannot
    /// be read.
    fn load(&mut self, path: &Path, at: Span) -> Option<Arc<Vec<YamlNode>>> {
        let path = lexically_normal(path);
        if let Some(loaded) = self.loaded.get(&path) {
            return loaded.clone();
        }
        if self.origins.parts.len() >= MAX_FILES {
            self.note(
                at,
                msg!(
                    "this build reads more than {} files; the rest are not read",
                    MAX_FILES
                ),
            );
            self.loaded.insert(path, None);
            return None;
        }
        let source = match self.known.get(&path) {
            Some(source) => Some(Arc::clone(source)),
            None => self.files.read(&path).ok().map(Arc::new),
        };
        match source {
            Some(source) => Some(self.add_file(path, source)),
            None => {
                self.loaded.insert(path, None);
                None
            }
        }
    }

    fn note(&mut self, span: Span, message: Message) {
        if self.notes.len() < 256 {
            self.notes.push(Note { span, message });
        }
    }

    /// Builds the kustomization in `dir` (its file `file` when already known), adding its
    /// objects to `accumulated` (a component transforms what its includer accumulated).
    fn kustomize(
        &mut self,
        dir: &Path,
        file: Option<PathBuf>,
        depth: usize,
        mut accumulated: Vec<Resource>,
    ) -> Vec<Resource> {
        let Some(file) = file.or_else(|| kustomization_in(self.files, dir)) else {
            return accumulated;
        };
        self.builds += 1;
        if self.builds > MAX_BUILDS {
            if self.builds == MAX_BUILDS + 1 {
                self.note(Span::default(), msg!("this build includes kustomizations more than {} times; the rest are not built", MAX_BUILDS));
            }
            return accumulated;
        }
        let Some(documents) = self.load(&file, Span::default()) else {
            return accumulated;
        };
        let Some(k) = documents.first().cloned() else {
            return accumulated;
        };
        let dir = lexically_normal(dir);
        self.building.push(dir.clone());
        for key in ["resources", "bases"] {
            for entry in k.get(key).map_or(&[][..], YamlNode::items).to_vec() {
                self.resource(&dir, &entry, depth, &mut accumulated);
            }
        }
        for entry in k
            .get("components")
            .map_or(&[][..], YamlNode::items)
            .to_vec()
        {
            let Some(path) = entry.as_str() else { continue };
            if is_remote(path) {
                self.note(entry.span, msg!("{} is a remote component; preflight does not fetch it, so the built deployment lacks what it adds", entry.quote()));
                continue;
            }
            let target = lexically_normal(&dir.join(path));
            if let Some(sub) = self.nested(&target, &entry, depth) {
                accumulated = self.kustomize(&target, Some(sub), depth + 1, accumulated);
            }
        }
        self.generate(&k, &dir, &mut accumulated);
        self.transform(&k, &dir, &mut accumulated);
        self.building.pop();
        accumulated
    }

    /// The kustomization file of the folder `target` an entry names, when it may be built
    /// (not too deep, no cycle); pushes nothing.
    fn nested(&mut self, target: &Path, entry: &YamlNode, depth: usize) -> Option<PathBuf> {
        if depth + 1 > MAX_DEPTH {
            self.note(
                entry.span,
                msg!(
                    "kustomizations nest more than {} levels deep here; {} is not built",
                    MAX_DEPTH,
                    entry.quote()
                ),
            );
            return None;
        }
        if self.building.iter().any(|d| d == target) {
            self.note(entry.span, msg!("{} includes a kustomization that includes this one (a cycle kustomize refuses); not followed", entry.quote()));
            return None;
        }
        let Some(file) = kustomization_in(self.files, target) else {
            self.note(entry.span, msg!("the folder {} has no kustomization.yaml; kustomize refuses it, so nothing of it is built", entry.quote()));
            return None;
        };
        self.included.push(target.to_path_buf());
        Some(file)
    }

    /// Adds the objects an entry of `resources`/`bases` names.
    fn resource(&mut self, dir: &Path, entry: &YamlNode, depth: usize, out: &mut Vec<Resource>) {
        let Some(path) = entry.as_str() else { return };
        if is_remote(path) {
            self.note(entry.span, msg!("{} is a remote resource; preflight does not fetch it, so the built deployment lacks its objects", entry.quote()));
            return;
        }
        let target = lexically_normal(&dir.join(path));
        if self.files.is_dir(&target) {
            if let Some(file) = self.nested(&target, entry, depth) {
                let built = self.kustomize(&target, Some(file), depth + 1, Vec::new());
                out.extend(built);
            }
            return;
        }
        let Some(documents) = self.load(&target, entry.span) else {
            let message = if self.files.is_inside(&target) {
                msg!("{} cannot be read; kustomize refuses the build, and its objects are missing from what is judged", entry.quote())
            } else {
                msg!("{} is outside the folders being checked, so the built deployment lacks its objects; check the folder that holds it too", entry.quote())
            };
            self.note(entry.span, message);
            return;
        };
        let mut stack: Vec<&YamlNode> = documents.iter().rev().collect();
        while let Some(node) = stack.pop() {
            let Some(kind) = node.get("kind").and_then(YamlNode::as_str) else {
                continue;
            };
            if kind.ends_with("List") {
                if let Some(items) = node.get("items") {
                    stack.extend(items.items().iter().rev());
                }
                continue;
            }
            if self.resources >= MAX_RESOURCES {
                self.note(
                    entry.span,
                    msg!(
                        "this build holds more than {} objects; the rest are not built",
                        MAX_RESOURCES
                    ),
                );
                return;
            }
            self.resources += 1;
            out.push(Resource::new(node.clone()));
        }
    }

    /// Applies the kustomization `k`'s transformers to `res`, in kustomize's order.
    fn transform(&mut self, k: &YamlNode, dir: &Path, res: &mut Vec<Resource>) {
        // patchesStrategicMerge: paths, or inline patches.
        for entry in k
            .get("patchesStrategicMerge")
            .map_or(&[][..], YamlNode::items)
            .to_vec()
        {
            if let Some(patch) = self.patch_text(dir, &entry) {
                for document in &patch.documents {
                    self.strategic(document, None, &entry, res);
                }
            }
        }
        // patches: a path or an inline patch, strategic or JSON, with an optional target.
        for entry in k.get("patches").map_or(&[][..], YamlNode::items).to_vec() {
            let named = entry.get("path").or_else(|| entry.get("patch")).cloned();
            let Some(named) = named else { continue };
            let inline = entry.get("patch").is_some();
            let Some(patch) = (if inline {
                self.inline(&named)
            } else {
                self.patch_text(dir, &named)
            }) else {
                continue;
            };
            let target = entry.get("target");
            self.apply_patch(&patch, target, &named, res);
        }
        if let Some(ns) = k
            .get("namespace")
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
        {
            for r in res.iter_mut() {
                if !is_cluster_scoped(r.kind()) {
                    r.node = set_path(&r.node, &["metadata", "namespace"], ns.clone(), ns.span);
                    r.remember();
                }
                if matches!(r.kind(), "RoleBinding" | "ClusterRoleBinding") {
                    r.node = subjects_namespace(&r.node, ns);
                }
            }
        }
        let prefix = k.get("namePrefix").and_then(YamlNode::as_str).unwrap_or("");
        let suffix = k.get("nameSuffix").and_then(YamlNode::as_str).unwrap_or("");
        if !prefix.is_empty() || !suffix.is_empty() {
            for r in res.iter_mut() {
                if matches!(r.kind(), "Namespace" | "CustomResourceDefinition") {
                    continue;
                }
                let Some(name_node) = r.node.get("metadata").and_then(|m| m.get("name")).cloned()
                else {
                    continue;
                };
                let Some(name) = name_node.as_str() else {
                    continue;
                };
                let renamed = scalar(&format!("{prefix}{name}{suffix}"), name_node.span);
                r.node = set_path(&r.node, &["metadata", "name"], renamed, name_node.span);
                r.remember();
            }
        }
        // commonLabels: on every object and its selectors; labels: as each entry says.
        for (label, value) in k
            .get("commonLabels")
            .map_or(&[][..], YamlNode::entries)
            .to_vec()
        {
            for r in res.iter_mut() {
                r.node = add_label(
                    &r.node,
                    r.kind().to_owned().as_str(),
                    &label,
                    &value,
                    true,
                    true,
                );
            }
        }
        for entry in k.get("labels").map_or(&[][..], YamlNode::items).to_vec() {
            let flag = |key: &str| entry.get(key).and_then(YamlNode::as_str) == Some("true");
            let (selectors, templates) = (flag("includeSelectors"), flag("includeTemplates"));
            for (label, value) in entry
                .get("pairs")
                .map_or(&[][..], YamlNode::entries)
                .to_vec()
            {
                for r in res.iter_mut() {
                    let kind = r.kind().to_owned();
                    r.node = add_label(
                        &r.node,
                        &kind,
                        &label,
                        &value,
                        selectors,
                        selectors || templates,
                    );
                }
            }
        }
        for (key, value) in k
            .get("commonAnnotations")
            .map_or(&[][..], YamlNode::entries)
            .to_vec()
        {
            for r in res.iter_mut() {
                let kind = r.kind().to_owned();
                r.node = set_entry_at(&r.node, &["metadata", "annotations"], &key, &value);
                if let Some(template) = template_path(&kind) {
                    let mut path = template.to_vec();
                    path.extend(["metadata", "annotations"]);
                    r.node = set_entry_at(&r.node, &path, &key, &value);
                }
            }
        }
        for entry in k
            .get("patchesJson6902")
            .map_or(&[][..], YamlNode::items)
            .to_vec()
        {
            let named = entry.get("path").or_else(|| entry.get("patch")).cloned();
            let Some(named) = named else { continue };
            let inline = entry.get("patch").is_some();
            let Some(patch) = (if inline {
                self.inline(&named)
            } else {
                self.patch_text(dir, &named)
            }) else {
                continue;
            };
            self.apply_patch(&patch, entry.get("target"), &named, res);
        }
        for entry in k.get("replicas").map_or(&[][..], YamlNode::items).to_vec() {
            let (Some(name), Some(count)) = (
                entry.get("name").and_then(YamlNode::as_str),
                entry.get("count"),
            ) else {
                continue;
            };
            for r in res.iter_mut() {
                if r.names.iter().any(|n| n == name) && has_replicas(r.kind()) {
                    r.node = set_path(&r.node, &["spec", "replicas"], count.clone(), count.span);
                }
            }
        }
        for entry in k.get("images").map_or(&[][..], YamlNode::items).to_vec() {
            for r in res.iter_mut() {
                r.node = set_images(&r.node, &entry, 0);
            }
        }
        // `transformers`: the built-in label and annotation transformers, configured.
        for entry in k
            .get("transformers")
            .map_or(&[][..], YamlNode::items)
            .to_vec()
        {
            let Some(config) = self.patch_text(dir, &entry) else {
                continue;
            };
            for document in &config.documents {
                let kind = document.get("kind").and_then(YamlNode::as_str);
                let field = match kind {
                    Some("LabelTransformer") => "labels",
                    Some("AnnotationsTransformer") => "annotations",
                    _ => {
                        self.note(entry.span, msg!("{} configures a transformer preflight does not apply (it applies the built-in label and annotation transformers); the deployment is judged without it", entry.quote()));
                        continue;
                    }
                };
                let pairs = document.get(field).map_or(&[][..], YamlNode::entries);
                for spec in document.get("fieldSpecs").map_or(&[][..], YamlNode::items) {
                    let Some(path) = spec.get("path").and_then(YamlNode::as_str) else {
                        continue;
                    };
                    let create = spec.get("create").and_then(YamlNode::as_str) == Some("true");
                    let only = spec.get("kind").and_then(YamlNode::as_str);
                    let steps: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
                    for r in res.iter_mut() {
                        if only.is_some_and(|k| k != r.kind()) {
                            continue;
                        }
                        for (key, value) in pairs {
                            r.node = put_at(&r.node, &steps, key, value, create, 0);
                        }
                    }
                }
            }
        }
    }

    /// The documents of a patch named by path (or written inline in `patchesStrategicMerge`).
    fn patch_text(&mut self, dir: &Path, entry: &YamlNode) -> Option<PatchText> {
        let text = entry.as_str()?;
        if text.contains('\n') || text.trim_start().starts_with(['{', '[']) {
            return self.inline(entry);
        }
        if is_remote(text) {
            self.note(
                entry.span,
                msg!(
                    "{} is a remote patch; preflight does not fetch it, so it is not applied",
                    entry.quote()
                ),
            );
            return None;
        }
        let Some(documents) = self.load(&dir.join(text), entry.span) else {
            let message = if self.files.is_inside(&lexically_normal(&dir.join(text))) {
                msg!("the patch {} cannot be read; kustomize refuses the build, and preflight judges the objects without it", entry.quote())
            } else {
                msg!("the patch {} is outside the folders being checked; the objects are judged without it", entry.quote())
            };
            self.note(entry.span, message);
            return None;
        };
        Some(PatchText {
            documents: documents.to_vec(),
        })
    }

    /// A patch written inline (a YAML string in the kustomization): parsed, its spans
    /// pointing at the lines of the kustomization it is written on.
    fn inline(&mut self, node: &YamlNode) -> Option<PatchText> {
        let text = node.as_str()?;
        let part = self
            .origins
            .parts
            .iter()
            .rev()
            .find(|p| p.base <= node.span.start)?;
        let written = part
            .source
            .text
            .get(node.span.start - part.base..node.span.end - part.base)
            .unwrap_or("");
        let map = inline_map(text, written, node.span);
        let yaml = YamlFile::parse(text);
        Some(PatchText {
            documents: yaml.documents.iter().map(|d| relocate(d, &map)).collect(),
        })
    }

    /// Applies a `patches`/`patchesJson6902` patch to the objects `target` selects (or, for
    /// a strategic merge patch without a target, the object it names).
    fn apply_patch(
        &mut self,
        patch: &PatchText,
        target: Option<&YamlNode>,
        named: &YamlNode,
        res: &mut Vec<Resource>,
    ) {
        let Some(first) = patch.documents.first() else {
            return;
        };
        if let YamlValue::Sequence(ops) = &first.value {
            let Some(target) = target else {
                self.note(named.span, "a JSON patch needs a `target`; kustomize refuses this one, and it is not applied".into());
                return;
            };
            let mut matched = false;
            for r in res.iter_mut() {
                if selects(target, r) {
                    matched = true;
                    self.patches += 1;
                    if self.patches > MAX_PATCHES {
                        return;
                    }
                    match json_patch(&r.node, ops) {
                        Ok(node) => r.node = node,
                        Err(why) => self.note(named.span, msg!("this JSON patch cannot be applied ({}); kustomize refuses the build, preflight judges the objects without it", why)),
                    }
                    r.remember();
                }
            }
            if !matched {
                self.note(
                    named.span,
                    "this patch's target matches no object of the build; it changes nothing".into(),
                );
            }
            return;
        }
        for document in &patch.documents {
            self.strategic(document, target, named, res);
        }
    }

    /// Applies one strategic merge patch document to the object it names (or those `target`
    /// selects); `$patch: delete` at its top removes the object.
    fn strategic(
        &mut self,
        patch: &YamlNode,
        target: Option<&YamlNode>,
        named: &YamlNode,
        res: &mut Vec<Resource>,
    ) {
        if patch.entries().is_empty() {
            return;
        }
        let kind = patch.get("kind").and_then(YamlNode::as_str);
        let name = meta(patch, "name");
        let namespace = meta(patch, "namespace");
        let mut matched = false;
        let mut keep = Vec::with_capacity(res.len());
        for mut r in res.drain(..) {
            let hit = match target {
                Some(target) => selects(target, &r),
                None => {
                    kind == Some(r.kind())
                        && name.is_some_and(|n| r.names.iter().any(|m| m == n))
                        && namespace.is_none_or(|ns| r.namespaces.iter().any(|m| m == ns))
                }
            };
            if hit && self.patches < MAX_PATCHES {
                matched = true;
                self.patches += 1;
                let mut patch = patch.clone();
                if target.is_some() {
                    // A targeted patch's own name is not the object's.
                    patch = without_path(&patch, &["metadata", "name"]);
                }
                // `None`: `$patch: delete` removed the object.
                if let Some(node) = merge(&r.node, &patch, "", 0) {
                    r.node = node;
                    r.remember();
                    keep.push(r);
                }
            } else {
                keep.push(r);
            }
        }
        *res = keep;
        if !matched {
            self.note(named.span, "this patch names no object of the build; kustomize refuses it, preflight judges the objects without it".into());
        }
    }
}

/// Whether `path` names something kustomize would fetch (a URL, a Git repository).
fn is_remote(path: &str) -> bool {
    path.contains("://")
        || path.starts_with("git@")
        || path.starts_with("github.com/")
        || path.starts_with("gitlab.com/")
        || path.starts_with("bitbucket.org/")
        || path.contains("?ref=")
}

/// `node` with every span moved by `map`.
pub fn relocate(node: &YamlNode, map: &dyn Fn(usize) -> usize) -> YamlNode {
    let span = Span::new(map(node.span.start), map(node.span.end));
    let value = match &node.value {
        YamlValue::Scalar(s) => YamlValue::Scalar(s.clone()),
        YamlValue::Alias => YamlValue::Alias,
        YamlValue::Sequence(items) => {
            YamlValue::Sequence(items.iter().map(|i| relocate(i, map)).collect())
        }
        YamlValue::Mapping(entries) => YamlValue::Mapping(
            entries
                .iter()
                .map(|(k, v)| (relocate(k, map), relocate(v, map)))
                .collect(),
        ),
    };
    YamlNode { span, value }
}

/// How an offset in the text of an inline patch maps to the address space: `text` is what
/// the YAML string holds, `written` how it is written at `span`. A block scalar (`|`) holds
/// its lines without their indentation; a verbatim or quoted string holds its text as is.
/// Anything else (folded, escaped) maps every offset to the start of the string.
fn inline_map(text: &str, written: &str, span: Span) -> Box<dyn Fn(usize) -> usize> {
    // (offset in `text` where a line starts, offset in the address space).
    let mut lines: Vec<(usize, usize)> = Vec::new();
    if written == text {
        lines.push((0, span.start));
    } else if written.len() == text.len() + 2 && written.get(1..written.len() - 1) == Some(text) {
        lines.push((0, span.start + 1));
    } else {
        let mut written_lines = written.split('\n');
        let (mut at_written, mut at_text) = (0, 0);
        for line in text.split('\n') {
            let Some(candidate) = written_lines.next() else {
                lines.clear();
                break;
            };
            let indent = candidate.len().saturating_sub(line.len());
            let same = candidate.ends_with(line) && candidate[..indent].trim().is_empty();
            // Blank lines of a block scalar may be written with less indentation.
            let blank = line.is_empty() && candidate.trim().is_empty();
            if !same && !blank {
                lines.clear();
                break;
            }
            if !line.is_empty() {
                lines.push((at_text, span.start + at_written + indent));
            }
            at_written += candidate.len() + 1;
            at_text += line.len() + 1;
        }
    }
    if lines.is_empty() {
        let start = span.start;
        return Box::new(move |_| start);
    }
    Box::new(move |at: usize| {
        let i = lines
            .partition_point(|(from, _)| *from <= at)
            .saturating_sub(1);
        let (from, to) = lines[i];
        to + at.saturating_sub(from)
    })
}

/// A scalar node.
fn scalar(text: &str, span: Span) -> YamlNode {
    YamlNode {
        span,
        value: YamlValue::Scalar(text.into()),
    }
}

/// A mapping node.
fn mapping(entries: Vec<(YamlNode, YamlNode)>, span: Span) -> YamlNode {
    YamlNode {
        span,
        value: YamlValue::Mapping(entries.into()),
    }
}

/// Whether a node is YAML's null (written `null`, `~` or nothing).
fn is_null(node: &YamlNode) -> bool {
    match &node.value {
        YamlValue::Scalar(s) => s == "null" || s == "~" || (s.is_empty() && node.span.is_empty()),
        _ => false,
    }
}

/// `node` with the value at `path` set to `value` (mappings created on the way, their keys
/// at `at`).
fn set_path(node: &YamlNode, path: &[&str], value: YamlNode, at: Span) -> YamlNode {
    let Some((first, rest)) = path.split_first() else {
        return value;
    };
    let mut entries: Vec<(YamlNode, YamlNode)> = node.entries().to_vec();
    let span = if matches!(node.value, YamlValue::Mapping(_)) {
        node.span
    } else {
        at
    };
    match entries.iter().rposition(|(k, _)| k.as_str() == Some(first)) {
        Some(i) => {
            let child = set_path(&entries[i].1, rest, value, at);
            entries[i].1 = child;
        }
        None => {
            let empty = mapping(Vec::new(), at);
            entries.push((scalar(first, at), set_path(&empty, rest, value, at)));
        }
    }
    mapping(entries, span)
}

/// `node` without the value at `path`.
fn without_path(node: &YamlNode, path: &[&str]) -> YamlNode {
    let Some((first, rest)) = path.split_first() else {
        return node.clone();
    };
    let entries: Vec<(YamlNode, YamlNode)> = node
        .entries()
        .iter()
        .filter_map(|(k, v)| {
            if k.as_str() != Some(first) {
                return Some((k.clone(), v.clone()));
            }
            if rest.is_empty() {
                None
            } else {
                Some((k.clone(), without_path(v, rest)))
            }
        })
        .collect();
    mapping(entries, node.span)
}

/// `node` with the entry `key: value` in the mapping at `path` (created when missing).
fn set_entry_at(node: &YamlNode, path: &[&str], key: &YamlNode, value: &YamlNode) -> YamlNode {
    let Some(name) = key.as_str() else {
        return node.clone();
    };
    let mut full: Vec<&str> = path.to_vec();
    full.push(name);
    set_path(node, &full, value.clone(), key.span)
}

/// Whether a path exists.
fn has_path(node: &YamlNode, path: &[&str]) -> bool {
    let mut at = node;
    for key in path {
        match at.get(key) {
            Some(next) => at = next,
            None => return false,
        }
    }
    true
}

/// Kinds that live outside namespaces.
fn is_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "Namespace"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "CustomResourceDefinition"
            | "PersistentVolume"
            | "StorageClass"
            | "PriorityClass"
            | "ValidatingWebhookConfiguration"
            | "MutatingWebhookConfiguration"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "APIService"
            | "Node"
            | "CSIDriver"
            | "CSINode"
            | "IngressClass"
            | "RuntimeClass"
            | "VolumeAttachment"
            | "PodSecurityPolicy"
            | "ComponentStatus"
            | "CertificateSigningRequest"
            | "FlowSchema"
            | "PriorityLevelConfiguration"
    )
}

/// Kinds whose `spec.replicas` the `replicas` field sets.
fn has_replicas(kind: &str) -> bool {
    matches!(
        kind,
        "Deployment" | "ReplicaSet" | "StatefulSet" | "ReplicationController"
    )
}

/// The path to a workload's pod template.
fn template_path(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "ReplicationController" => Some(&["spec", "template"]),
        "CronJob" => Some(&["spec", "jobTemplate", "spec", "template"]),
        _ => None,
    }
}

/// A RoleBinding's ServiceAccount subjects in the `default` namespace (or none) moved to
/// the kustomization's namespace, as kustomize does.
fn subjects_namespace(node: &YamlNode, ns: &YamlNode) -> YamlNode {
    let Some(subjects) = node.get("subjects") else {
        return node.clone();
    };
    let items: Vec<YamlNode> = subjects
        .items()
        .iter()
        .map(|s| {
            let service_account =
                s.get("kind").and_then(YamlNode::as_str) == Some("ServiceAccount");
            let current = s.get("namespace").and_then(YamlNode::as_str);
            if service_account && matches!(current, None | Some("default")) {
                set_path(s, &["namespace"], ns.clone(), ns.span)
            } else {
                s.clone()
            }
        })
        .collect();
    set_path(
        node,
        &["subjects"],
        YamlNode {
            span: subjects.span,
            value: YamlValue::Sequence(items.into()),
        },
        subjects.span,
    )
}

/// Adds a label to an object's metadata and, when asked, to its selectors and templates.
fn add_label(
    node: &YamlNode,
    kind: &str,
    key: &YamlNode,
    value: &YamlNode,
    selectors: bool,
    templates: bool,
) -> YamlNode {
    let mut node = set_entry_at(node, &["metadata", "labels"], key, value);
    if templates {
        if let Some(template) = template_path(kind) {
            let mut path = template.to_vec();
            path.extend(["metadata", "labels"]);
            node = set_entry_at(&node, &path, key, value);
        }
        if kind == "CronJob" {
            node = set_entry_at(
                &node,
                &["spec", "jobTemplate", "metadata", "labels"],
                key,
                value,
            );
        }
    }
    if selectors {
        match kind {
            "Service" => node = set_entry_at(&node, &["spec", "selector"], key, value),
            "ReplicationController" => {
                node = set_entry_at(&node, &["spec", "selector"], key, value)
            }
            "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" => {
                node = set_entry_at(&node, &["spec", "selector", "matchLabels"], key, value);
            }
            "Job" if has_path(&node, &["spec", "selector", "matchLabels"]) => {
                node = set_entry_at(&node, &["spec", "selector", "matchLabels"], key, value);
            }
            "CronJob"
                if has_path(
                    &node,
                    &["spec", "jobTemplate", "spec", "selector", "matchLabels"],
                ) =>
            {
                node = set_entry_at(
                    &node,
                    &["spec", "jobTemplate", "spec", "selector", "matchLabels"],
                    key,
                    value,
                );
            }
            "PodDisruptionBudget" if has_path(&node, &["spec", "selector", "matchLabels"]) => {
                node = set_entry_at(&node, &["spec", "selector", "matchLabels"], key, value);
            }
            "NetworkPolicy" if has_path(&node, &["spec", "podSelector", "matchLabels"]) => {
                node = set_entry_at(&node, &["spec", "podSelector", "matchLabels"], key, value);
            }
            _ => {}
        }
    }
    node
}

/// An image reference split into its name and the tag or digest after it.
fn split_image(image: &str) -> (&str, &str) {
    let name_end = match image.find('@') {
        Some(at) => at,
        None => match image.rfind(':') {
            Some(at) if !image[at..].contains('/') => at,
            _ => image.len(),
        },
    };
    let name = &image[..name_end];
    // `name:tag@digest`: the tag belongs to what is replaced too.
    match name.rfind(':') {
        Some(at) if !name[at..].contains('/') => (&image[..at], &image[at..]),
        _ => (name, &image[name_end..]),
    }
}

/// `node` with the `images` entry applied to every container and init container image.
fn set_images(node: &YamlNode, entry: &YamlNode, depth: usize) -> YamlNode {
    if depth > 64 {
        return node.clone();
    }
    match &node.value {
        YamlValue::Mapping(entries) => {
            let out: Vec<(YamlNode, YamlNode)> = entries
                .iter()
                .map(|(k, v)| {
                    let containers = matches!(k.as_str(), Some("containers" | "initContainers"));
                    let v = if containers {
                        let items: Vec<YamlNode> = v
                            .items()
                            .iter()
                            .map(|c| match c.get("image").and_then(|i| new_image(i, entry)) {
                                Some(image) => set_path(c, &["image"], image, c.span),
                                None => set_images(c, entry, depth + 1),
                            })
                            .collect();
                        if matches!(v.value, YamlValue::Sequence(_)) {
                            YamlNode {
                                span: v.span,
                                value: YamlValue::Sequence(items.into()),
                            }
                        } else {
                            v.clone()
                        }
                    } else {
                        set_images(v, entry, depth + 1)
                    };
                    (k.clone(), v)
                })
                .collect();
            mapping(out, node.span)
        }
        YamlValue::Sequence(items) => YamlNode {
            span: node.span,
            value: YamlValue::Sequence(
                items
                    .iter()
                    .map(|i| set_images(i, entry, depth + 1))
                    .collect(),
            ),
        },
        _ => node.clone(),
    }
}

/// The image an `images` entry makes of `image`, if it names it. The new value points at
/// what the entry sets: its digest, else its tag, else its new name.
fn new_image(image: &YamlNode, entry: &YamlNode) -> Option<YamlNode> {
    let text = image.as_str()?;
    let wanted = entry.get("name")?.as_str()?;
    let (name, rest) = split_image(text);
    if name != wanted {
        return None;
    }
    let new_name = entry.get("newName");
    let new_tag = entry.get("newTag");
    let digest = entry.get("digest");
    let name = new_name.and_then(YamlNode::as_str).unwrap_or(name);
    let rest = match (
        digest.and_then(YamlNode::as_str),
        new_tag.and_then(YamlNode::as_str),
    ) {
        (Some(d), _) => format!("@{d}"),
        (None, Some(t)) => format!(":{t}"),
        (None, None) => rest.to_owned(),
    };
    let span = digest
        .or(new_tag)
        .or(new_name)
        .map_or(image.span, |n| n.span);
    Some(scalar(&format!("{name}{rest}"), span))
}

/// Whether a patch `target` (group, version, kind, name, namespace, label and annotation
/// selectors; names and kinds are anchored regular expressions) selects `r`.
fn selects(target: &YamlNode, r: &Resource) -> bool {
    let field = |key: &str| target.get(key).and_then(YamlNode::as_str);
    let matches = |pattern: Option<&str>, values: &[&str]| {
        let Some(pattern) = pattern else { return true };
        let literal = pattern
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/'));
        if literal {
            return values.contains(&pattern);
        }
        match regex::Regex::new(&format!("^(?:{pattern})$")) {
            Ok(re) => values.iter().any(|v| re.is_match(v)),
            Err(_) => values.contains(&pattern),
        }
    };
    let api = r.api_version();
    let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
    let names: Vec<&str> = r.names.iter().map(String::as_str).collect();
    let namespaces: Vec<&str> = r.namespaces.iter().map(String::as_str).collect();
    matches(field("group"), &[group])
        && matches(field("version"), &[version])
        && matches(field("kind"), &[r.kind()])
        && matches(field("name"), &names)
        && matches(field("namespace"), &namespaces)
        && selector(
            field("labelSelector"),
            r.node.get("metadata").and_then(|m| m.get("labels")),
        )
        && selector(
            field("annotationSelector"),
            r.node.get("metadata").and_then(|m| m.get("annotations")),
        )
}

/// Whether labels satisfy a selector (`a=b,c!=d,e`; `in`/`notin` sets).
fn selector(selector: Option<&str>, labels: Option<&YamlNode>) -> bool {
    let Some(selector) = selector else {
        return true;
    };
    let get = |key: &str| labels.and_then(|l| l.get(key)).and_then(YamlNode::as_str);
    let mut terms = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in selector.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(&selector[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&selector[start..]);
    terms.iter().all(|term| {
        let term = term.trim();
        if let Some((k, v)) = term.split_once("!=") {
            return get(k.trim()) != Some(v.trim());
        }
        if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            return get(k.trim()) == Some(v.trim());
        }
        for (word, wanted) in [(" notin ", false), (" in ", true)] {
            if let Some((k, set)) = term.split_once(word) {
                let set = set.trim().trim_start_matches('(').trim_end_matches(')');
                let inside = get(k.trim()).is_some_and(|v| set.split(',').any(|s| s.trim() == v));
                return inside == wanted;
            }
        }
        match term.strip_prefix('!') {
            Some(k) => get(k.trim()).is_none(),
            None => term.is_empty() || get(term).is_some(),
        }
    })
}

/// The merge key of a list field, from Kubernetes' API types (`patchMergeKey`); `None`
/// for lists a patch replaces.
fn merge_key(field: &str, items: &[YamlNode]) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims"
        | "schedulingGates" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "volumeDevices" => Some("devicePath"),
        "hostAliases" => Some("ip"),
        "topologySpreadConstraints" => Some("topologyKey"),
        "ports" => {
            if items.iter().any(|i| i.get("containerPort").is_some()) {
                Some("containerPort")
            } else {
                Some("port")
            }
        }
        _ => None,
    }
}

/// The `$patch` directive of a mapping.
fn directive(node: &YamlNode) -> Option<&str> {
    node.get("$patch").and_then(YamlNode::as_str)
}

/// A patch value as it ends up in the object: directives taken out, nulls dropped.
fn clean(node: &YamlNode, depth: usize) -> YamlNode {
    if depth > 256 {
        return node.clone();
    }
    match &node.value {
        YamlValue::Mapping(entries) => mapping(
            entries
                .iter()
                .filter(|(k, v)| !k.as_str().is_some_and(|k| k.starts_with('$')) && !is_null(v))
                .map(|(k, v)| (k.clone(), clean(v, depth + 1)))
                .collect(),
            node.span,
        ),
        YamlValue::Sequence(items) => YamlNode {
            span: node.span,
            value: YamlValue::Sequence(
                items
                    .iter()
                    .filter(|i| directive(i).is_none())
                    .map(|i| clean(i, depth + 1))
                    .collect(),
            ),
        },
        _ => node.clone(),
    }
}

/// Whether a patch mapping removes one of its keys (`key: null`, `$patch: delete`).
fn removes(patch: &YamlNode) -> bool {
    patch
        .entries()
        .iter()
        .any(|(_, v)| is_null(v) || directive(v) == Some("delete"))
}

/// Kubernetes' strategic merge of `patch` into `dest` (the field being merged is `field`):
/// mappings merge key by key, `null` removes a key, lists with a merge key merge item by
/// item, other lists are replaced; `$patch: replace` replaces, `$patch: delete` removes
/// (`None`).
fn merge(dest: &YamlNode, patch: &YamlNode, field: &str, depth: usize) -> Option<YamlNode> {
    if depth > 256 {
        return Some(patch.clone());
    }
    match (&dest.value, &patch.value) {
        (YamlValue::Mapping(entries), YamlValue::Mapping(patch_entries)) => {
            match directive(patch) {
                Some("delete") => return None,
                Some("replace") => return Some(clean(patch, depth)),
                _ => {}
            }
            let mut out: Vec<(YamlNode, YamlNode)> = entries.to_vec();
            for (key, value) in patch_entries.iter() {
                let Some(name) = key.as_str() else { continue };
                if name.starts_with('$') {
                    continue;
                }
                let at = out.iter().rposition(|(k, _)| k.as_str() == Some(name));
                match at {
                    Some(i) if is_null(value) => {
                        out.remove(i);
                    }
                    Some(i) => match merge(&out[i].1, value, name, depth + 1) {
                        Some(merged) => {
                            out[i].1 = merged;
                            // What lacks a field the patch removed is the patch's doing.
                            if removes(value) {
                                out[i].0 = key.clone();
                            }
                        }
                        None => {
                            out.remove(i);
                        }
                    },
                    None if is_null(value) || directive(value) == Some("delete") => {}
                    None => out.push((key.clone(), clean(value, depth + 1))),
                }
            }
            Some(mapping(out, dest.span))
        }
        (YamlValue::Sequence(items), YamlValue::Sequence(patch_items)) => {
            if patch_items.iter().any(|i| directive(i) == Some("replace")) {
                return Some(clean(patch, depth));
            }
            let Some(key) = merge_key(field, items).filter(|_| {
                patch_items
                    .iter()
                    .all(|i| matches!(i.value, YamlValue::Mapping(_)))
            }) else {
                return Some(clean(patch, depth));
            };
            let mut out: Vec<YamlNode> = items.to_vec();
            for item in patch_items.iter() {
                let wanted = item.get(key).and_then(YamlNode::as_str);
                let at = wanted.and_then(|w| {
                    out.iter()
                        .position(|o| o.get(key).and_then(YamlNode::as_str) == Some(w))
                });
                match (at, directive(item)) {
                    (Some(i), Some("delete")) => {
                        out.remove(i);
                    }
                    (None, Some("delete")) => {}
                    (Some(i), _) => match merge(&out[i], item, "", depth + 1) {
                        Some(merged) => out[i] = merged,
                        None => {
                            out.remove(i);
                        }
                    },
                    (None, _) => out.push(clean(item, depth + 1)),
                }
            }
            Some(YamlNode {
                span: dest.span,
                value: YamlValue::Sequence(out.into()),
            })
        }
        // A value the patch repeats unchanged (a container's `name`) stays where it was
        // written first.
        (YamlValue::Scalar(a), YamlValue::Scalar(b)) if a == b => Some(dest.clone()),
        _ => match directive(patch) {
            Some("delete") => None,
            _ => Some(clean(patch, depth)),
        },
    }
}

/// One step of a JSON pointer (RFC 6901: `~1` is `/`, `~0` is `~`).
fn pointer(path: &str) -> Option<Vec<String>> {
    if path.is_empty() {
        return Some(Vec::new());
    }
    let rest = path.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|p| p.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Applies a JSON patch (RFC 6902: add, remove, replace, move, copy, test) to `node`.
fn json_patch(node: &YamlNode, ops: &[YamlNode]) -> Result<YamlNode, &'static str> {
    let mut node = node.clone();
    for op in ops {
        let kind = op
            .get("op")
            .and_then(YamlNode::as_str)
            .ok_or("an operation without `op`")?;
        let path_node = op.get("path").ok_or("an operation without `path`")?;
        let path =
            pointer(path_node.as_str().unwrap_or("")).ok_or("a path that is not a JSON pointer")?;
        let from = || -> Result<Vec<String>, &'static str> {
            pointer(
                op.get("from")
                    .and_then(YamlNode::as_str)
                    .ok_or("a move or copy without `from`")?,
            )
            .ok_or("a `from` that is not a JSON pointer")
        };
        node = match kind {
            "add" | "replace" => {
                let value = op.get("value").ok_or("an add or replace without `value`")?;
                edit(
                    &node,
                    &path,
                    &Edit::Set(value.clone(), kind == "add", path_node.span),
                    0,
                )?
            }
            "remove" => edit(&node, &path, &Edit::Remove(path_node.span), 0)?,
            "move" | "copy" => {
                let from = from()?;
                let value = get(&node, &from)
                    .ok_or("a `from` that does not exist")?
                    .clone();
                let node = if kind == "move" {
                    edit(&node, &from, &Edit::Remove(path_node.span), 0)?
                } else {
                    node
                };
                edit(&node, &path, &Edit::Set(value, true, path_node.span), 0)?
            }
            "test" => node,
            _ => return Err("an unknown operation"),
        };
    }
    Ok(node)
}

/// The node at a JSON pointer.
fn get<'a>(node: &'a YamlNode, path: &[String]) -> Option<&'a YamlNode> {
    let mut at = node;
    for step in path {
        at = match &at.value {
            YamlValue::Mapping(_) => at.get(step)?,
            YamlValue::Sequence(items) => items.get(step.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

/// What a JSON patch operation does at its path.
enum Edit {
    /// Sets the value (`true`: `add`, which may create the key or insert into a list); new
    /// keys are written at the span given (the operation's `path`).
    Set(YamlNode, bool, Span),
    /// Removes it; what then lacks it points at the span given (the operation's `path`).
    Remove(Span),
}

fn edit(
    node: &YamlNode,
    path: &[String],
    what: &Edit,
    depth: usize,
) -> Result<YamlNode, &'static str> {
    if depth > 256 {
        return Err("a path nested too deep");
    }
    let Some((step, rest)) = path.split_first() else {
        return match what {
            Edit::Set(value, _, _) => Ok(value.clone()),
            Edit::Remove(_) => Err("removing the whole object"),
        };
    };
    match &node.value {
        YamlValue::Mapping(entries) => {
            let mut out = entries.to_vec();
            let at = out
                .iter()
                .rposition(|(k, _)| k.as_str() == Some(step.as_str()));
            match (at, rest.is_empty(), what) {
                (Some(i), true, Edit::Remove(_)) => {
                    out.remove(i);
                }
                (Some(i), true, Edit::Set(value, _, _)) => out[i].1 = value.clone(),
                (None, true, Edit::Set(value, true, span)) => {
                    out.push((scalar(step, *span), value.clone()))
                }
                (Some(i), false, _) => {
                    out[i].1 = edit(&out[i].1, rest, what, depth + 1)?;
                    if let (Edit::Remove(span), 1) = (what, rest.len()) {
                        out[i].0 = scalar(step, *span);
                    }
                }
                _ => return Err("a path that does not exist"),
            }
            Ok(mapping(out, node.span))
        }
        YamlValue::Sequence(items) => {
            let mut out = items.to_vec();
            let index = if step == "-" {
                out.len()
            } else {
                step.parse::<usize>()
                    .map_err(|_| "a list index that is not a number")?
            };
            match (rest.is_empty(), what) {
                (true, Edit::Set(value, true, _)) if index <= out.len() => {
                    out.insert(index, value.clone())
                }
                (true, Edit::Set(value, false, _)) if index < out.len() => {
                    out[index] = value.clone()
                }
                (true, Edit::Remove(_)) if index < out.len() => {
                    out.remove(index);
                }
                (false, _) if index < out.len() => {
                    out[index] = edit(&out[index], rest, what, depth + 1)?
                }
                _ => return Err("a list index out of range"),
            }
            Ok(YamlNode {
                span: node.span,
                value: YamlValue::Sequence(out.into()),
            })
        }
        _ => Err("a path through a scalar"),
    }
}

/// A built object as plain data (every scalar as its text, mappings with sorted keys), for
/// comparing with what `kustomize build` prints.
pub fn to_json(node: &YamlNode) -> serde_json::Value {
    match &node.value {
        YamlValue::Scalar(s) if is_null(node) && !s.is_empty() => serde_json::Value::Null,
        YamlValue::Scalar(s) => serde_json::Value::String(s.to_string()),
        YamlValue::Alias => serde_json::Value::Null,
        YamlValue::Sequence(items) => items.iter().map(to_json).collect(),
        YamlValue::Mapping(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.as_str().unwrap_or("").to_owned(), to_json(v)))
                .collect(),
        ),
    }
}

impl Builder<'_> {
    /// The text of a file read for the build, and where it starts in the address space.
    fn text_of(&mut self, path: &Path, at: Span) -> Option<(usize, Arc<SourceFile>)> {
        let path = lexically_normal(path);
        self.load(&path, at)?;
        let index = self.used.iter().position(|p| *p == path)?;
        let part = self.origins.parts.get(index)?;
        Some((part.base, Arc::clone(&part.source)))
    }

    /// `configMapGenerator` and `secretGenerator`: ConfigMaps and Secrets made from
    /// literals, files and env files, named with the hash of their content unless told not
    /// to; `behavior: merge`/`replace` changes one generated by a base.
    fn generate(&mut self, k: &YamlNode, dir: &Path, res: &mut Vec<Resource>) {
        let options = k.get("generatorOptions");
        for (key, kind) in [
            ("configMapGenerator", "ConfigMap"),
            ("secretGenerator", "Secret"),
        ] {
            for entry in k.get(key).map_or(&[][..], YamlNode::items).to_vec() {
                let Some(name) = entry.get("name").filter(|n| n.as_str().is_some()) else {
                    continue;
                };
                let secret = kind == "Secret";
                let data = self.generated_data(&entry, dir, secret);
                let at = name.span;
                let mut entries = vec![
                    (scalar("apiVersion", at), scalar("v1", at)),
                    (scalar("kind", at), scalar(kind, at)),
                ];
                let mut metadata = vec![(scalar("name", at), name.clone())];
                if let Some(ns) = entry.get("namespace") {
                    metadata.push((scalar("namespace", ns.span), ns.clone()));
                }
                for field in ["labels", "annotations"] {
                    let mut pairs: Vec<(YamlNode, YamlNode)> = Vec::new();
                    for source in [options, entry.get("options")].into_iter().flatten() {
                        for (k, v) in source.get(field).map_or(&[][..], YamlNode::entries) {
                            pairs.retain(|(p, _)| p.as_str() != k.as_str());
                            pairs.push((k.clone(), v.clone()));
                        }
                    }
                    if !pairs.is_empty() {
                        metadata.push((scalar(field, at), mapping(pairs, at)));
                    }
                }
                entries.push((scalar("metadata", at), mapping(metadata, at)));
                if secret {
                    let kind_of = entry
                        .get("type")
                        .cloned()
                        .unwrap_or_else(|| scalar("Opaque", at));
                    entries.push((scalar("type", kind_of.span), kind_of));
                }
                if !data.is_empty() {
                    entries.push((scalar("data", at), mapping(data, at)));
                }
                let flag = |field: &str| {
                    [entry.get("options"), options]
                        .into_iter()
                        .flatten()
                        .find_map(|o| o.get(field).and_then(YamlNode::as_str))
                        == Some("true")
                };
                if flag("immutable") {
                    entries.push((scalar("immutable", at), scalar("true", at)));
                }
                let node = mapping(entries, entry.span);
                let behavior = entry
                    .get("behavior")
                    .and_then(YamlNode::as_str)
                    .unwrap_or("create");
                let existing = res.iter().position(|r| {
                    r.kind() == kind && r.names.iter().any(|n| Some(n.as_str()) == name.as_str())
                });
                match (behavior, existing) {
                    ("merge", Some(i)) => {
                        let merged = merge(
                            &res[i].node,
                            &without_path(&node, &["metadata", "name"]),
                            "",
                            0,
                        );
                        if let Some(merged) = merged {
                            res[i].node = merged;
                        }
                    }
                    ("replace", Some(i)) => {
                        let hash = res[i].hash;
                        let names = res[i].names.clone();
                        let current = res[i]
                            .node
                            .get("metadata")
                            .and_then(|m| m.get("name"))
                            .cloned();
                        res[i] = Resource::new(node);
                        if let Some(current) = current {
                            res[i].node =
                                set_path(&res[i].node, &["metadata", "name"], current, at);
                        }
                        res[i].names = names;
                        res[i].hash = hash && !flag("disableNameSuffixHash");
                    }
                    _ => {
                        let mut resource = Resource::new(node);
                        resource.hash = !flag("disableNameSuffixHash");
                        res.push(resource);
                    }
                }
            }
        }
    }

    /// A generator's data: `literals` (`KEY=value`), `files` (`path` or `key=path`), `envs`
    /// (and the older `env`): env files of `KEY=value` lines. Secrets' values are base64.
    fn generated_data(
        &mut self,
        entry: &YamlNode,
        dir: &Path,
        secret: bool,
    ) -> Vec<(YamlNode, YamlNode)> {
        let mut data: Vec<(YamlNode, YamlNode)> = Vec::new();
        let put = |data: &mut Vec<(YamlNode, YamlNode)>, key: YamlNode, value: &str, span: Span| {
            let text = if secret {
                base64(value.as_bytes())
            } else {
                value.to_owned()
            };
            data.retain(|(k, _)| k.as_str() != key.as_str());
            data.push((key, scalar(&text, span)));
        };
        let kustomization_text = |builder: &Self, node: &YamlNode| -> Option<String> {
            let part = builder
                .origins
                .parts
                .iter()
                .rev()
                .find(|p| p.base <= node.span.start)?;
            let text = part
                .source
                .text
                .get(node.span.start - part.base..node.span.end - part.base)?;
            Some(text.to_owned())
        };
        for literal in entry.get("literals").map_or(&[][..], YamlNode::items) {
            let Some(text) = literal.as_str() else {
                continue;
            };
            let Some((key, value)) = text.split_once('=') else {
                continue;
            };
            let value = unquote(value);
            // Where the value is written, when the literal is written as it is read.
            let written = kustomization_text(self, literal).unwrap_or_default();
            let (key_span, value_span) = match written.find(text) {
                Some(at) => {
                    let start = literal.span.start + at;
                    (
                        Span::new(start, start + key.len()),
                        Span::new(start + key.len() + 1, start + text.len()),
                    )
                }
                None => (literal.span, literal.span),
            };
            put(&mut data, scalar(key, key_span), value, value_span);
        }
        for file in entry.get("files").map_or(&[][..], YamlNode::items) {
            let Some(text) = file.as_str() else { continue };
            let (key, path) = match text.split_once('=') {
                Some((key, path)) => (key.to_owned(), path),
                None => (
                    Path::new(text)
                        .file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                    text,
                ),
            };
            if is_remote(path) {
                continue;
            }
            let Some((base, source)) = self.text_of(&dir.join(path), file.span) else {
                self.note(file.span, msg!("the file {} cannot be read; kustomize refuses the build, and the generated object lacks it", file.quote()));
                continue;
            };
            let span = Span::new(base, base + source.text.len());
            if secret {
                self.mark_sensitive(base, Span::new(0, source.text.len()));
            }
            put(&mut data, scalar(&key, file.span), &source.text, span);
        }
        let envs: Vec<YamlNode> = entry
            .get("envs")
            .map(|e| e.items().to_vec())
            .into_iter()
            .flatten()
            .chain(entry.get("env").filter(|e| e.as_str().is_some()).cloned())
            .collect();
        for env in envs {
            let Some(path) = env.as_str() else { continue };
            let Some((base, source)) = self.text_of(&dir.join(path), env.span) else {
                self.note(env.span, msg!("the env file {} cannot be read; kustomize refuses the build, and the generated object lacks it", env.quote()));
                continue;
            };
            let mut at = 0;
            for line in source.text.split('\n') {
                let start = at;
                at += line.len() + 1;
                let content = line.trim_start();
                let lead = line.len() - content.len();
                if content.is_empty() || content.starts_with('#') {
                    continue;
                }
                let Some((key, value)) = content.split_once('=') else {
                    continue;
                };
                let value = value.trim_end_matches('\r');
                let key_span = Span::new(base + start + lead, base + start + lead + key.len());
                let value_start = start + lead + key.len() + 1;
                let value_span = Span::new(base + value_start, base + value_start + value.len());
                if secret {
                    self.mark_sensitive(base, Span::new(value_start, value_start + value.len()));
                }
                put(&mut data, scalar(key.trim(), key_span), value, value_span);
            }
        }
        data
    }

    /// Records that a span of the file at `base` holds a secret.
    fn mark_sensitive(&mut self, base: usize, span: Span) {
        if let Some(part) = self.origins.parts.iter_mut().find(|p| p.base == base) {
            part.sensitive.push(span);
        }
    }
}

/// A literal's value without the quotes around it, as kustomize reads it.
fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(quote) && value.ends_with(quote) {
            return &value[1..value.len() - 1];
        }
    }
    value
}

/// Standard base64 with padding (what a Secret's `data` holds).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Appends to every generated name the hash of its content, as kustomize 5 computes it: the
/// SHA-256 of Go's JSON encoding of `{data, kind, name}` (a Secret's `type` too, its data
/// as base64; the name empty), the first ten hex digits with `0 1 3 a e` written
/// `g h k m t`.
fn add_hashes(objects: &mut [Resource]) {
    use sha2::{Digest, Sha256};
    for r in objects.iter_mut().filter(|r| r.hash) {
        let Some(name_node) = r.node.get("metadata").and_then(|m| m.get("name")).cloned() else {
            continue;
        };
        let Some(name) = name_node.as_str() else {
            continue;
        };
        let data: serde_json::Map<String, serde_json::Value> = r
            .node
            .get("data")
            .map_or(&[][..], YamlNode::entries)
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().unwrap_or("").to_owned(),
                    serde_json::Value::String(v.as_str().unwrap_or("").to_owned()),
                )
            })
            .collect();
        let mut map = serde_json::Map::new();
        map.insert("data".into(), data.into());
        map.insert("kind".into(), r.kind().into());
        // kustomize 5 (its kyaml hasher) writes the name empty.
        map.insert("name".into(), "".into());
        if r.kind() == "Secret" {
            let kind = r
                .node
                .get("type")
                .and_then(YamlNode::as_str)
                .unwrap_or("Opaque");
            map.insert("type".into(), kind.into());
        }
        if r.node.get("immutable").and_then(YamlNode::as_str) == Some("true") {
            map.insert("immutable".into(), true.into());
        }
        let json = go_json(&serde_json::Value::Object(map));
        let digest = Sha256::digest(json.as_bytes());
        let hex: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
        let suffix: String = hex
            .chars()
            .map(|c| match c {
                '0' => 'g',
                '1' => 'h',
                '3' => 'k',
                'a' => 'm',
                'e' => 't',
                other => other,
            })
            .collect();
        let renamed = scalar(&format!("{name}-{suffix}"), name_node.span);
        r.node = set_path(&r.node, &["metadata", "name"], renamed, name_node.span);
        r.remember();
    }
}

/// JSON as Go's `encoding/json` writes it: keys sorted, `<`, `>` and `&` escaped.
fn go_json(value: &serde_json::Value) -> String {
    fn sorted(value: &serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let mut out = serde_json::Map::new();
                for key in keys {
                    out.insert(key.clone(), sorted(&map[key]));
                }
                serde_json::Value::Object(out)
            }
            other => other.clone(),
        }
    }
    let text = serde_json::to_string(&sorted(value)).unwrap_or_default();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            other => out.push(other),
        }
    }
    out
}

/// Where objects name other objects (kustomize's name references): the kind named and
/// the path to the name, `[]` standing for every item of a list. Pod specs are reached
/// through every workload's template.
const POD_REFERENCES: &[(&str, &[&str])] = &[
    ("ConfigMap", &["volumes", "[]", "configMap", "name"]),
    (
        "ConfigMap",
        &[
            "volumes",
            "[]",
            "projected",
            "sources",
            "[]",
            "configMap",
            "name",
        ],
    ),
    ("Secret", &["volumes", "[]", "secret", "secretName"]),
    (
        "Secret",
        &[
            "volumes",
            "[]",
            "projected",
            "sources",
            "[]",
            "secret",
            "name",
        ],
    ),
    (
        "PersistentVolumeClaim",
        &["volumes", "[]", "persistentVolumeClaim", "claimName"],
    ),
    ("ServiceAccount", &["serviceAccountName"]),
    ("Secret", &["imagePullSecrets", "[]", "name"]),
    (
        "ConfigMap",
        &[
            "containers",
            "[]",
            "env",
            "[]",
            "valueFrom",
            "configMapKeyRef",
            "name",
        ],
    ),
    (
        "Secret",
        &[
            "containers",
            "[]",
            "env",
            "[]",
            "valueFrom",
            "secretKeyRef",
            "name",
        ],
    ),
    (
        "ConfigMap",
        &["containers", "[]", "envFrom", "[]", "configMapRef", "name"],
    ),
    (
        "Secret",
        &["containers", "[]", "envFrom", "[]", "secretRef", "name"],
    ),
    (
        "ConfigMap",
        &[
            "initContainers",
            "[]",
            "env",
            "[]",
            "valueFrom",
            "configMapKeyRef",
            "name",
        ],
    ),
    (
        "Secret",
        &[
            "initContainers",
            "[]",
            "env",
            "[]",
            "valueFrom",
            "secretKeyRef",
            "name",
        ],
    ),
    (
        "ConfigMap",
        &[
            "initContainers",
            "[]",
            "envFrom",
            "[]",
            "configMapRef",
            "name",
        ],
    ),
    (
        "Secret",
        &["initContainers", "[]", "envFrom", "[]", "secretRef", "name"],
    ),
];

/// References outside pod specs: (kind of the referrer, kind named, path).
const OTHER_REFERENCES: &[(&str, &str, &[&str])] = &[
    ("Ingress", "Secret", &["spec", "tls", "[]", "secretName"]),
    (
        "Ingress",
        "Service",
        &[
            "spec", "rules", "[]", "http", "paths", "[]", "backend", "service", "name",
        ],
    ),
    (
        "Ingress",
        "Service",
        &["spec", "defaultBackend", "service", "name"],
    ),
    ("StatefulSet", "Service", &["spec", "serviceName"]),
    ("RoleBinding", "Role", &["roleRef", "name"]),
    ("RoleBinding", "ClusterRole", &["roleRef", "name"]),
    ("ClusterRoleBinding", "ClusterRole", &["roleRef", "name"]),
    (
        "HorizontalPodAutoscaler",
        "Deployment",
        &["spec", "scaleTargetRef", "name"],
    ),
    (
        "HorizontalPodAutoscaler",
        "StatefulSet",
        &["spec", "scaleTargetRef", "name"],
    ),
];

/// Every name that refers to an object renamed by a prefix, suffix or hash follows it (one
/// object of that kind had the name; an ambiguous name is left as written).
fn fix_references(objects: &mut [Resource]) {
    let renamed: Vec<(String, Vec<String>, String)> = objects
        .iter()
        .filter(|r| r.names.len() > 1)
        .map(|r| (r.kind().to_owned(), r.names.clone(), r.name().to_owned()))
        .collect();
    if renamed.is_empty() {
        return;
    }
    let lookup = |kind: &str, name: &str| -> Option<String> {
        let mut found = renamed
            .iter()
            .filter(|(k, names, _)| k == kind && names.iter().any(|n| n == name));
        let (_, _, current) = found.next()?;
        found.next().is_none().then(|| current.clone())
    };
    for r in objects.iter_mut() {
        let kind = r.kind().to_owned();
        let mut node = r.node.clone();
        let pod: Option<Vec<&str>> = match kind.as_str() {
            "Pod" => Some(vec!["spec"]),
            other => template_path(other).map(|t| {
                let mut path = t.to_vec();
                path.push("spec");
                path
            }),
        };
        if let Some(pod) = pod {
            for (target, path) in POD_REFERENCES {
                let mut full = pod.clone();
                full.extend_from_slice(path);
                node = rename_at(&node, &full, &|name| lookup(target, name), 0);
            }
        }
        for (referrer, target, path) in OTHER_REFERENCES {
            if *referrer != kind || path.is_empty() {
                continue;
            }
            if *path == ["roleRef", "name"] {
                let named = node
                    .get("roleRef")
                    .and_then(|r| r.get("kind"))
                    .and_then(YamlNode::as_str);
                if named != Some(target) {
                    continue;
                }
            }
            if *path == ["spec", "scaleTargetRef", "name"] {
                let named = node
                    .get("spec")
                    .and_then(|s| s.get("scaleTargetRef"))
                    .and_then(|r| r.get("kind"))
                    .and_then(YamlNode::as_str);
                if named != Some(target) {
                    continue;
                }
            }
            node = rename_at(&node, path, &|name| lookup(target, name), 0);
        }
        // ServiceAccount subjects (other subjects are users and groups).
        if let Some(subjects) = node
            .get("subjects")
            .filter(|_| kind.ends_with("RoleBinding"))
        {
            let items: Vec<YamlNode> = subjects
                .items()
                .iter()
                .map(|s| {
                    if s.get("kind").and_then(YamlNode::as_str) == Some("ServiceAccount") {
                        rename_at(s, &["name"], &|name| lookup("ServiceAccount", name), 0)
                    } else {
                        s.clone()
                    }
                })
                .collect();
            let span = subjects.span;
            node = set_path(
                &node,
                &["subjects"],
                YamlNode {
                    span,
                    value: YamlValue::Sequence(items.into()),
                },
                span,
            );
        }
        r.node = node;
    }
}

/// `node` with the names at `path` replaced by what `rename` gives for them.
fn rename_at(
    node: &YamlNode,
    path: &[&str],
    rename: &dyn Fn(&str) -> Option<String>,
    depth: usize,
) -> YamlNode {
    let Some((step, rest)) = path.split_first() else {
        return match node.as_str().and_then(rename) {
            Some(name) => scalar(&name, node.span),
            None => node.clone(),
        };
    };
    if depth > 64 {
        return node.clone();
    }
    match (&node.value, *step) {
        (YamlValue::Sequence(items), "[]") => YamlNode {
            span: node.span,
            value: YamlValue::Sequence(
                items
                    .iter()
                    .map(|i| rename_at(i, rest, rename, depth + 1))
                    .collect(),
            ),
        },
        (YamlValue::Mapping(entries), key) => mapping(
            entries
                .iter()
                .map(|(k, v)| {
                    if k.as_str() == Some(key) {
                        (k.clone(), rename_at(v, rest, rename, depth + 1))
                    } else {
                        (k.clone(), v.clone())
                    }
                })
                .collect(),
            node.span,
        ),
        _ => node.clone(),
    }
}

/// `node` with `key: value` in the mapping at `steps` (a `name[]` step is every item of the
/// list `name`), created when `create` and missing.
fn put_at(
    node: &YamlNode,
    steps: &[&str],
    key: &YamlNode,
    value: &YamlNode,
    create: bool,
    depth: usize,
) -> YamlNode {
    if depth > 64 {
        return node.clone();
    }
    let Some((step, rest)) = steps.split_first() else {
        let Some(name) = key.as_str() else {
            return node.clone();
        };
        return set_path(node, &[name], value.clone(), key.span);
    };
    let (name, each) = match step.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (*step, false),
    };
    match node.get(name) {
        Some(child) if each => {
            let items: Vec<YamlNode> = child
                .items()
                .iter()
                .map(|i| put_at(i, rest, key, value, create, depth + 1))
                .collect();
            let list = YamlNode {
                span: child.span,
                value: YamlValue::Sequence(items.into()),
            };
            set_path(node, &[name], list, child.span)
        }
        Some(child) => {
            let changed = put_at(child, rest, key, value, create, depth + 1);
            set_path(node, &[name], changed, child.span)
        }
        None if create && !each => {
            let empty = mapping(Vec::new(), key.span);
            set_path(
                node,
                &[name],
                put_at(&empty, rest, key, value, create, depth + 1),
                key.span,
            )
        }
        None => node.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::MemoryFiles;

    /// Builds `root`'s kustomization in a tree of `(path, text)` files.
    fn built(files: &[(&str, &str)], root: &str) -> Built {
        let mut view = MemoryFiles::new("");
        for (path, text) in files {
            view.insert(*path, text.as_bytes().to_vec());
        }
        let source = Arc::new(view.read(Path::new(root)).expect("the root is in the tree"));
        build(&source, &view, &HashMap::new())
    }

    /// The text a span of a build points at, with the file it is in.
    fn at(built: &Built, span: Span) -> (String, String) {
        let (file, local) = built.origins.locate(span).expect("located");
        (
            file.display_path.clone(),
            file.text[local.range()].to_owned(),
        )
    }

    fn path<'a>(node: &'a YamlNode, steps: &[&str]) -> &'a YamlNode {
        steps
            .iter()
            .fold(node, |n, step| match step.parse::<usize>() {
                Ok(i) => &n.items()[i],
                Err(_) => n.get(step).unwrap_or_else(|| panic!("{step} in {n:?}")),
            })
    }

    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      volumes:\n      - name: data\n        emptyDir: {}\n      containers:\n      - name: api\n        image: app:1.0\n        ports:\n        - containerPort: 8080\n          name: http\n        volumeMounts:\n        - {name: data, mountPath: /data}\n        env:\n        - {name: A, value: a}\n        - {name: B, value: b}\n        args: [--one, --two]\n";

    #[test]
    fn strategic_merge_follows_kubernetes_merge_keys() {
        let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        ports:\n        - containerPort: 8080\n          protocol: TCP\n        - containerPort: 9090\n        volumeMounts:\n        - {mountPath: /data, readOnly: true}\n        env:\n        - {name: B, $patch: delete}\n        - {name: C, value: c}\n        args: [--three]\n      - name: sidecar\n        image: proxy:2\n";
        let b = built(
            &[
                (
                    "k/kustomization.yaml",
                    "resources: [d.yaml]\npatches:\n- path: p.yaml\n",
                ),
                ("k/d.yaml", DEPLOYMENT),
                ("k/p.yaml", patch),
            ],
            "k/kustomization.yaml",
        );
        assert!(b.notes.is_empty(), "{:?}", b.notes);
        let containers = path(&b.objects[0], &["spec", "template", "spec", "containers"]);
        assert_eq!(containers.items().len(), 2);
        let api = &containers.items()[0];
        let ports = path(api, &["ports"]).items();
        assert_eq!(ports.len(), 2);
        assert_eq!(path(&ports[0], &["name"]).as_str(), Some("http"));
        assert_eq!(path(&ports[0], &["protocol"]).as_str(), Some("TCP"));
        let mounts = path(api, &["volumeMounts"]).items();
        assert_eq!(mounts.len(), 1);
        assert_eq!(path(&mounts[0], &["readOnly"]).as_str(), Some("true"));
        let env: Vec<&str> = path(api, &["env"])
            .items()
            .iter()
            .filter_map(|e| e.get("name")?.as_str())
            .collect();
        assert_eq!(env, ["A", "C"]);
        // A list without a merge key is replaced.
        let args: Vec<&str> = path(api, &["args"])
            .items()
            .iter()
            .filter_map(YamlNode::as_str)
            .collect();
        assert_eq!(args, ["--three"]);
        // Every field points where it was written: the patched one at the patch, the
        // untouched one and the repeated name at the base.
        let read_only = path(&mounts[0], &["readOnly"]).span;
        assert_eq!(at(&b, read_only), ("k/p.yaml".into(), "true".into()));
        assert_eq!(
            at(&b, path(api, &["image"]).span),
            ("k/d.yaml".into(), "app:1.0".into())
        );
        assert_eq!(
            at(&b, path(api, &["name"]).span),
            ("k/d.yaml".into(), "api".into())
        );
    }

    #[test]
    fn replace_null_and_delete_directives() {
        let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      volumes:\n      - $patch: replace\n      - name: cache\n        emptyDir: {medium: Memory}\n      containers:\n      - name: api\n        image: null\n";
        let b = built(
            &[
                (
                    "k/kustomization.yaml",
                    "resources: [d.yaml]\npatchesStrategicMerge: [p.yaml]\n",
                ),
                ("k/d.yaml", DEPLOYMENT),
                ("k/p.yaml", patch),
            ],
            "k/kustomization.yaml",
        );
        let spec = path(&b.objects[0], &["spec", "template", "spec"]);
        let volumes: Vec<&str> = path(spec, &["volumes"])
            .items()
            .iter()
            .filter_map(|v| v.get("name")?.as_str())
            .collect();
        assert_eq!(volumes, ["cache"]);
        assert!(path(spec, &["containers", "0"]).get("image").is_none());
    }

    #[test]
    fn json_patches_add_replace_remove_move_and_escape() {
        let ops = "- {op: replace, path: /spec/template/spec/containers/0/image, value: app:2.0}\n- {op: add, path: /metadata/annotations, value: {a~b/c: x}}\n- {op: add, path: /spec/template/spec/containers/0/args/-, value: --three}\n- {op: add, path: /spec/template/spec/containers/0/args/0, value: --zero}\n- {op: remove, path: /spec/template/spec/containers/0/env/0}\n- {op: move, from: /spec/template/spec/volumes, path: /spec/volumes}\n- {op: add, path: /metadata/labels, value: {}}\n- {op: add, path: /metadata/labels/x~1y, value: z}\n";
        let b = built(
            &[
                ("k/kustomization.yaml", "resources: [d.yaml]\npatchesJson6902:\n- target: {group: apps, version: v1, kind: Deployment, name: api}\n  path: ops.yaml\n"),
                ("k/d.yaml", DEPLOYMENT),
                ("k/ops.yaml", ops),
            ],
            "k/kustomization.yaml",
        );
        assert!(b.notes.is_empty(), "{:?}", b.notes);
        let o = &b.objects[0];
        let c = path(o, &["spec", "template", "spec", "containers", "0"]);
        assert_eq!(
            at(&b, path(c, &["image"]).span),
            ("k/ops.yaml".into(), "app:2.0".into())
        );
        let args: Vec<&str> = path(c, &["args"])
            .items()
            .iter()
            .filter_map(YamlNode::as_str)
            .collect();
        assert_eq!(args, ["--zero", "--one", "--two", "--three"]);
        assert_eq!(path(c, &["env"]).items().len(), 1);
        assert!(path(o, &["spec"]).get("volumes").is_some());
        assert!(path(o, &["spec", "template", "spec"])
            .get("volumes")
            .is_none());
        assert_eq!(path(o, &["metadata", "labels", "x/y"]).as_str(), Some("z"));
        // An operation that cannot apply is a note, and the object is judged without it.
        let b = built(
            &[
                ("k/kustomization.yaml", "resources: [d.yaml]\npatches:\n- target: {kind: Deployment}\n  patch: '[{\"op\": \"replace\", \"path\": \"/spec/nothing/here\", \"value\": 1}]'\n"),
                ("k/d.yaml", DEPLOYMENT),
            ],
            "k/kustomization.yaml",
        );
        assert_eq!(b.notes.len(), 1);
        assert_eq!(b.objects.len(), 1);
    }

    #[test]
    fn images_namespace_prefixes_labels_and_replicas() {
        let k = "namespace: prod\nnamePrefix: p-\nnameSuffix: -s\ncommonLabels: {team: a}\nreplicas: [{name: api, count: 3}]\nimages:\n- {name: app, newName: reg.example/app, newTag: '2.1'}\nresources: [d.yaml]\n";
        let b = built(
            &[("k/kustomization.yaml", k), ("k/d.yaml", DEPLOYMENT)],
            "k/kustomization.yaml",
        );
        let o = &b.objects[0];
        assert_eq!(path(o, &["metadata", "name"]).as_str(), Some("p-api-s"));
        assert_eq!(
            at(&b, path(o, &["metadata", "namespace"]).span),
            ("k/kustomization.yaml".into(), "prod".into())
        );
        assert_eq!(path(o, &["spec", "replicas"]).as_str(), Some("3"));
        assert_eq!(
            path(o, &["spec", "selector", "matchLabels", "team"]).as_str(),
            Some("a")
        );
        let image = path(o, &["spec", "template", "spec", "containers", "0", "image"]);
        assert_eq!(image.as_str(), Some("reg.example/app:2.1"));
        assert_eq!(
            at(&b, image.span),
            ("k/kustomization.yaml".into(), "'2.1'".into())
        );
    }

    #[test]
    fn image_references_split_like_docker_does() {
        assert_eq!(split_image("app"), ("app", ""));
        assert_eq!(split_image("app:1.0"), ("app", ":1.0"));
        assert_eq!(split_image("reg:5000/app"), ("reg:5000/app", ""));
        assert_eq!(
            split_image("reg:5000/app:1.0@sha256:ab"),
            ("reg:5000/app", ":1.0@sha256:ab")
        );
        assert_eq!(split_image("app@sha256:ab"), ("app", "@sha256:ab"));
    }

    #[test]
    fn label_selectors() {
        let labels = YamlFile::parse("{app: web, tier: front}")
            .documents
            .remove(0);
        for (selector, wanted) in [
            ("app=web", true),
            ("app==web,tier=front", true),
            ("app!=web", false),
            ("tier in (front, back)", true),
            ("tier notin (front)", false),
            ("app", true),
            ("!app", false),
            ("missing", false),
        ] {
            assert_eq!(selector_matches(selector, &labels), wanted, "{selector}");
        }
    }

    fn selector_matches(text: &str, labels: &YamlNode) -> bool {
        selector(Some(text), Some(labels))
    }

    #[test]
    fn cycles_depth_and_remote_resources_are_notes_never_loops() {
        let b = built(
            &[
                (
                    "a/kustomization.yaml",
                    "resources: [../b, https://example.com/x.yaml]\n",
                ),
                ("b/kustomization.yaml", "resources: [../a]\n"),
            ],
            "a/kustomization.yaml",
        );
        assert_eq!(b.notes.len(), 2, "{:?}", b.notes);
        // Kustomizations nested deeper than the limit stop there.
        let mut files: Vec<(String, String)> = (0..40)
            .map(|i| {
                (
                    format!("k{i}/kustomization.yaml"),
                    format!("resources: [../k{}]\n", i + 1),
                )
            })
            .collect();
        files.push(("k40/kustomization.yaml".into(), "resources: []\n".into()));
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let b = built(&files, "k0/kustomization.yaml");
        assert_eq!(b.notes.len(), 1);
        assert!(b.used.len() <= MAX_DEPTH + 2);
    }

    #[test]
    fn a_base_named_a_thousand_times_is_built_a_bounded_number_of_times() {
        let many = "resources:\n".to_owned() + &"- ../base\n".repeat(1000);
        let b = built(
            &[
                ("o/kustomization.yaml", many.as_str()),
                (
                    "base/kustomization.yaml",
                    "resources: [d.yaml]\ncommonLabels: {a: b}\n",
                ),
                ("base/d.yaml", DEPLOYMENT),
            ],
            "o/kustomization.yaml",
        );
        assert_eq!(b.objects.len(), MAX_BUILDS - 1);
        assert_eq!(b.notes.len(), 1);
    }

    #[test]
    fn inline_patches_point_at_their_lines_in_the_kustomization() {
        let k = "resources: [d.yaml]\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: api}\n    spec:\n      template:\n        spec:\n          hostNetwork: true\n";
        let b = built(
            &[("k/kustomization.yaml", k), ("k/d.yaml", DEPLOYMENT)],
            "k/kustomization.yaml",
        );
        let host = path(&b.objects[0], &["spec", "template", "spec", "hostNetwork"]);
        let (file, text) = at(&b, host.span);
        assert_eq!(
            (file.as_str(), text.as_str()),
            ("k/kustomization.yaml", "true")
        );
        let (file, _) = b.origins.locate(host.span).unwrap();
        assert_eq!(
            file.locate(b.origins.locate(host.span).unwrap().1).0.line,
            10
        );
    }

    #[test]
    fn generated_names_carry_kustomize_5_hashes() {
        // `kubectl kustomize` 1.32 (kustomize v5.5.0) names these `x-4h2mbtbbt6` and
        // `p-x-k695gkmbtk`.
        let b = built(
            &[(
                "k/kustomization.yaml",
                "configMapGenerator:\n- name: x\n  literals: [a=b]\n",
            )],
            "k/kustomization.yaml",
        );
        assert_eq!(meta(&b.objects[0], "name"), Some("x-4h2mbtbbt6"));
        let b = built(
            &[(
                "k/kustomization.yaml",
                "namePrefix: p-\nsecretGenerator:\n- name: x\n  literals: [a=b]\n  type: Opaque\n",
            )],
            "k/kustomization.yaml",
        );
        assert_eq!(meta(&b.objects[0], "name"), Some("p-x-k695gkmbtk"));
        assert_eq!(path(&b.objects[0], &["data", "a"]).as_str(), Some("Yg=="));
    }
}
