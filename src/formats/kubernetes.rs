//! Kubernetes manifests: the objects of a YAML file (several documents, `kind: List` items),
//! and for every workload its pod spec and containers with the security context each
//! container really runs with, computed once here so every rule judges the same thing.
//!
//! Files that are not manifests yet — Helm templates, files whose Go-template actions
//! (`{{ … }}`) change their YAML structure, kustomizations and the patches they apply — are
//! recognised and marked [`NotChecked`]: judging a fragment or an unrendered template would
//! only produce noise.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use std::path::{Path, PathBuf};

use crate::formats::helm::{self, Helm};
use crate::formats::kustomize::{self, Deployed, Note, Origins, Part};
use crate::formats::sensitive::{assignment_sensitive, unreadable_lines, Sensitive};
use crate::formats::sensitive::{list_command_sensitive, ListWord};
use crate::formats::yaml::{YamlFile, YamlNode, YamlValue};
use crate::formats::ParseError;
use crate::formats::Target;
use crate::formats::{lexically_normal, Files};
use crate::formats::{Classification, FileName, Format, ParseContext, Shown};
use crate::message::{Message, Quote};
use crate::msg;
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// A YAML file read as Kubernetes manifests.
#[derive(Debug, Clone, Default)]
pub struct Manifests {
    /// The YAML tree.
    pub yaml: YamlFile,
    /// The Kubernetes objects, in file order (`List` items in place of their list).
    pub objects: Vec<Object>,
    /// YAML syntax errors and values of the wrong type where the model needed them
    /// (`containers: "x"`): Kubernetes refuses both.
    pub errors: Vec<ParseError>,
    /// Why the file is not checked, when it is a template.
    pub not_checked: Option<NotChecked>,
    /// The file is a `kustomization.yaml` (its objects are those it builds, if any).
    pub kustomization: bool,
    /// The file is a kustomize input (a resource or patch of a kustomization in the scan):
    /// its objects are judged as the kustomizations build them, not as written.
    pub kustomize_input: bool,
    /// For a kustomization no other includes: the deployment it builds. For a Helm
    /// chart's `Chart.yaml`: what `helm template` renders, with each values file.
    pub built: Option<Deployment>,
    /// The file is the `Chart.yaml` of a chart the scan renders with `helm`.
    pub chart: bool,
}

/// What a kustomization builds: its objects as `kustomize build` prints them, every field at
/// the place it was written (see [`crate::formats::kustomize`]).
#[derive(Debug, Clone, Default)]
pub struct Deployment {
    /// The built objects; their spans are in the address space of `origins`.
    pub objects: Vec<Object>,
    /// The files the spans point into.
    pub origins: Origins,
    /// What the build did not follow or apply.
    pub notes: Vec<Note>,
    /// A chart's values that its renderings deploy as secrets: each key and value (in the
    /// address space, in the values file) and the value's length in characters.
    pub values_secrets: Vec<(Span, Span, usize)>,
}

/// Files that look like manifests but are inputs to a tool that renders them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotChecked {
    /// A file under a Helm chart's `templates/` with Go-template actions.
    HelmTemplate,
    /// Go-template actions (`{{ … }}`) outside YAML strings: the file is not YAML until
    /// rendered.
    GoTemplate,
    /// A template of a chart the scan renders with `helm`: judged as rendered, through the
    /// chart's `Chart.yaml`.
    HelmRendered,
}

impl NotChecked {
    /// Why the file is left alone, in words for the report.
    pub fn reason(self) -> &'static str {
        match self {
            Self::HelmTemplate => "not checked: template (a Helm chart template; with Helm 3 on PATH or `--helm PATH`, preflight renders its chart and checks what it deploys)",
            Self::HelmRendered => "checked as rendered: `helm template` renders this template with its chart's values, and findings are reported on its lines",
            Self::GoTemplate => "not checked: template (Go-template actions `{{ … }}` make it YAML only once rendered; check the rendered manifests)",
        }
    }
}

/// One Kubernetes object.
#[derive(Debug, Clone)]
pub struct Object {
    /// `kind`, as written.
    pub kind: String,
    /// Where the `kind` value is written: findings about the object as a whole point here.
    pub kind_span: Span,
    /// `metadata.name`, if given.
    pub name: Option<String>,
    /// Where `metadata.name` is written.
    pub name_span: Option<Span>,
    /// The object's mapping.
    pub node: YamlNode,
    /// The pod spec it runs, for workloads.
    pub pod: Option<PodSpec>,
}

impl Object {
    /// `Deployment `api`` for messages.
    pub fn label(&self) -> Message {
        let kind = Quote::derived(self.kind_span, self.kind.as_str());
        match (&self.name, self.name_span) {
            (Some(name), Some(span)) => msg!("{} `{}`", kind, Quote::derived(span, name.as_str())),
            _ => kind.into(),
        }
    }
}

/// A pod spec: of a Pod, or the pod template of a workload.
#[derive(Debug, Clone)]
pub struct PodSpec {
    /// The spec mapping.
    pub node: YamlNode,
    /// Where findings about something the pod spec lacks point: its `spec:` key.
    pub at: Span,
    /// Whether the pods run to completion (Jobs, CronJobs, Pods that are not restarted):
    /// probes do not apply to them.
    pub runs_to_completion: bool,
    /// Its containers, init and ephemeral containers included.
    pub containers: Vec<Container>,
}

impl PodSpec {
    /// A pod-level boolean (`hostNetwork`, `automountServiceAccountToken`) and its span.
    pub fn flag(&self, key: &str) -> Option<(bool, Span)> {
        let node = self.node.get(key)?;
        Some((boolean(node)?, node.span))
    }
}

/// Which list of the pod spec a container is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerRole {
    /// `containers`: the application.
    App,
    /// `initContainers`: run to completion before the application starts.
    Init,
    /// `ephemeralContainers`: debugging containers added to a running pod.
    Ephemeral,
}

/// One container.
#[derive(Debug, Clone)]
pub struct Container {
    /// The list it is in.
    pub role: ContainerRole,
    /// Its `name` (empty when missing).
    pub name: String,
    /// Where its `name` is written.
    pub name_span: Option<Span>,
    /// Where findings about what the container lacks point: its `name` value, or the list
    /// item when it has no name.
    pub at: Span,
    /// The container's mapping.
    pub node: YamlNode,
    /// The security context in effect.
    pub security: SecurityContext,
}

impl Container {
    /// `container `api`` (or `init container `migrate``) for messages.
    pub fn label(&self) -> Message {
        let role = match self.role {
            ContainerRole::App => "container",
            ContainerRole::Init => "init container",
            ContainerRole::Ephemeral => "ephemeral container",
        };
        let name = self
            .name_span
            .map(|span| Quote::derived(span, self.name.as_str()));
        msg!("{} `{}`", role, name)
    }

    /// The container's `image`, with its span.
    pub fn image(&self) -> Option<(&str, Span)> {
        let node = self.node.get("image")?;
        Some((node.as_str()?, node.span))
    }

    /// The command line the container runs: `command` then `args`, as the words the
    /// process receives.
    fn command_line(&self) -> Vec<&YamlNode> {
        ["command", "args"]
            .iter()
            .filter_map(|key| self.node.get(key))
            .flat_map(list_or_scalar)
            .collect()
    }
}

/// Where a security setting comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The pod's `securityContext`, inherited.
    Pod,
    /// The container's own `securityContext`.
    Container,
}

/// A setting in effect, where it is written and at which level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// Where it is written.
    pub span: Span,
    /// Whether it is inherited from the pod.
    pub level: Level,
}

/// The security context a container runs with: the container's own settings, and for
/// `runAsNonRoot`, `runAsUser` and `seccompProfile` the pod's where the container does not
/// set them (Kubernetes' rule: "the value specified in SecurityContext takes precedence").
#[derive(Debug, Clone, Default)]
pub struct SecurityContext {
    /// `runAsNonRoot`.
    pub run_as_non_root: Option<Setting<bool>>,
    /// `runAsUser`.
    pub run_as_user: Option<Setting<i64>>,
    /// `seccompProfile.type` (the span is the type's value).
    pub seccomp: Option<Setting<Seccomp>>,
    /// `privileged`.
    pub privileged: Option<Setting<bool>>,
    /// `allowPrivilegeEscalation`.
    pub allow_privilege_escalation: Option<Setting<bool>>,
    /// `readOnlyRootFilesystem`.
    pub read_only_root_filesystem: Option<Setting<bool>>,
    /// `capabilities.drop`, upper-cased without the `CAP_` prefix, with spans.
    pub drop: Vec<(String, Span)>,
    /// `capabilities.add`, likewise.
    pub add: Vec<(String, Span)>,
}

/// A seccomp profile type: which system calls the container's processes may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seccomp {
    /// `RuntimeDefault`: the container runtime's default filter.
    RuntimeDefault,
    /// `Localhost`: a profile file on the node.
    Localhost,
    /// `Unconfined`: no filter, every system call allowed.
    Unconfined,
}

/// A YAML 1.1 boolean (the YAML Kubernetes reads): `true`/`yes`/`on` and their negations.
pub fn boolean(node: &YamlNode) -> Option<bool> {
    match node.as_str()?.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "y" => Some(true),
        "false" | "no" | "off" | "n" => Some(false),
        _ => None,
    }
}

/// The text a Secret's `data` value stands for: standard base64 (padding optional, line
/// breaks ignored, as Kubernetes decodes it), or `None` when it is not base64 or not text.
pub fn decode_base64(encoded: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(encoded.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in encoded.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    String::from_utf8(bytes).ok()
}

/// A Secret's literal values: `(key, value as the application reads it, the written
/// value)` for every entry of `data` (decoded) and `stringData`.
pub fn secret_values(object: &Object) -> Vec<(&YamlNode, String, &YamlNode)> {
    if object.kind != "Secret" {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (field, encoded) in [("data", true), ("stringData", false)] {
        for (key, value) in object.node.get(field).map_or(&[][..], YamlNode::entries) {
            let Some(text) = value.as_str() else { continue };
            let plain = if encoded {
                decode_base64(text).unwrap_or_else(|| text.to_owned())
            } else {
                text.to_owned()
            };
            found.push((key, plain, value));
        }
    }
    found
}

/// A container's `env` entries with a literal `value`: `(name node, value node)`, both
/// scalars.
pub fn literal_env(container: &Container) -> Vec<(&YamlNode, &YamlNode)> {
    container
        .node
        .get("env")
        .map_or(&[][..], YamlNode::items)
        .iter()
        .filter_map(|item| {
            let name = item.get("name").filter(|n| n.as_str().is_some())?;
            let value = item.get("value")?;
            value.as_str().map(|_| (name, value))
        })
        .collect()
}

/// Workload kinds and the path from the object to their pod spec.
const POD_SPEC_PATHS: &[(&str, &[&str])] = &[
    ("Pod", &["spec"]),
    ("PodTemplate", &["template", "spec"]),
    ("Deployment", &["spec", "template", "spec"]),
    ("StatefulSet", &["spec", "template", "spec"]),
    ("DaemonSet", &["spec", "template", "spec"]),
    ("ReplicaSet", &["spec", "template", "spec"]),
    ("ReplicationController", &["spec", "template", "spec"]),
    ("Job", &["spec", "template", "spec"]),
    (
        "CronJob",
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
];

/// Whether `text` could hold a manifest at all (both keys written somewhere), decided
/// before parsing so random YAML is not parsed twice.
pub fn may_be_manifest(text: &str) -> bool {
    // A Helm chart's `Chart.yaml` has no `kind` but a `version`.
    text.contains("apiVersion") && (text.contains("kind") || text.contains("version:"))
}

impl Manifests {
    /// Reads `text`, the file at `path`; `files` holds the other files of the scan (the
    /// `kustomization.yaml` next to it).
    pub fn parse(text: &str, path: &Path, files: &dyn Files) -> Self {
        let yaml = YamlFile::parse(text);
        let kustomization = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(kustomize::is_kustomization_name);
        // `helm` is asked last: whether it runs is only learnt when a chart needs it.
        let chart = is_chart_file(path, files) && files.helm().is_some();
        let mut not_checked = not_checked(text, path, &yaml);
        if not_checked == Some(NotChecked::HelmTemplate)
            // A subchart's templates too: its parent renders them.
            && chart_of_template(path).is_some_and(|dir| files.is_file(&dir.join("Chart.yaml")))
            && files.helm().is_some()
        {
            not_checked = Some(NotChecked::HelmRendered);
        }
        let mut manifests = Self {
            not_checked,
            kustomization,
            chart,
            kustomize_input: !kustomization && is_kustomize_patch(path, files),
            ..Self::default()
        };
        if kustomization || chart {
            manifests.errors.clone_from(&yaml.errors);
        } else if manifests.not_checked.is_none() {
            manifests.errors.clone_from(&yaml.errors);
            let mut stack: Vec<&YamlNode> = yaml.documents.iter().rev().collect();
            while let Some(node) = stack.pop() {
                let Some(kind_node) = node.get("kind") else {
                    continue;
                };
                let Some(kind) = kind_node.as_str() else {
                    continue;
                };
                if node.get("apiVersion").is_none() {
                    continue;
                }
                if kind.ends_with("List") {
                    if let Some(items) = node.get("items") {
                        stack.extend(items.items().iter().rev());
                    }
                    continue;
                }
                let object = manifests.object(node, kind, kind_node.span);
                manifests.objects.push(object);
            }
        }
        manifests.yaml = yaml;
        manifests
    }

    /// Whether the file holds at least one object, or is a template or kustomize input
    /// (which are Kubernetes files too, only not checkable as they are).
    pub fn is_kubernetes(&self) -> bool {
        // A template of a chart the scan renders is judged through its `Chart.yaml`.
        let rendered = self.not_checked == Some(NotChecked::HelmRendered);
        !self.objects.is_empty()
            || (self.not_checked.is_some() && !rendered)
            || self.kustomization
            || self.chart
    }

    /// The objects to judge: those a kustomization builds, none of a kustomize input (they
    /// are judged as built), the file's own otherwise.
    pub fn judged(&self) -> &[Object] {
        match &self.built {
            Some(deployment) => &deployment.objects,
            None if self.kustomization || self.kustomize_input => &[],
            None => &self.objects,
        }
    }

    /// Reads the objects kustomize built (nodes in the build's address space) like the
    /// objects of a file.
    pub fn deployment(built: kustomize::Built) -> Deployment {
        let mut reader = Self::default();
        let objects = built
            .objects
            .iter()
            .filter_map(|node| {
                let kind_node = node.get("kind")?;
                let kind = kind_node.as_str()?;
                Some(reader.object(node, kind, kind_node.span))
            })
            .collect();
        Deployment {
            objects,
            origins: built.origins,
            notes: built.notes,
            values_secrets: Vec::new(),
        }
    }

    fn object(&mut self, node: &YamlNode, kind: &str, kind_span: Span) -> Object {
        let name_node = node
            .get("metadata")
            .and_then(|m| m.get("name"))
            .filter(|n| n.as_str().is_some());
        let pod = POD_SPEC_PATHS
            .iter()
            .find(|(k, _)| *k == kind)
            .and_then(|(_, path)| self.pod_spec(node, kind, path));
        Object {
            kind: kind.to_owned(),
            kind_span,
            name: name_node.and_then(YamlNode::as_str).map(str::to_owned),
            name_span: name_node.map(|n| n.span),
            node: node.clone(),
            pod,
        }
    }

    /// Records that `node` should have been a `what`.
    fn wrong_type(&mut self, node: &YamlNode, key: &'static str, what: &'static str) {
        self.errors.push(ParseError {
            span: node.span,
            message: msg!(
                "`{}` must be {}; Kubernetes refuses this manifest",
                key,
                what
            ),
        });
    }

    /// The mapping under `key` of `node`, recording an error when it is something else.
    fn mapping<'a>(&mut self, node: &'a YamlNode, key: &'static str) -> Option<&'a YamlNode> {
        let value = node.get(key)?;
        match &value.value {
            YamlValue::Mapping(_) => Some(value),
            YamlValue::Scalar(s) if s.is_empty() || s == "null" || s == "~" => None,
            _ => {
                self.wrong_type(value, key, "a mapping");
                None
            }
        }
    }

    /// The sequence under `key` of `node`, recording an error when it is something else.
    fn sequence<'a>(&mut self, node: &'a YamlNode, key: &'static str) -> &'a [YamlNode] {
        let Some(value) = node.get(key) else {
            return &[];
        };
        match &value.value {
            YamlValue::Sequence(items) => items,
            YamlValue::Scalar(s) if s.is_empty() || s == "null" || s == "~" => &[],
            _ => {
                self.wrong_type(value, key, "a list");
                &[]
            }
        }
    }

    fn pod_spec(
        &mut self,
        object: &YamlNode,
        kind: &str,
        path: &[&'static str],
    ) -> Option<PodSpec> {
        let mut node = object;
        let mut key_span = None;
        for key in path {
            key_span = node
                .entries()
                .iter()
                .rev()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(k, _)| k.span);
            node = self.mapping(node, key)?;
        }
        let restart = node.get("restartPolicy").and_then(YamlNode::as_str);
        let runs_to_completion = matches!(kind, "Job" | "CronJob")
            || (kind == "Pod" && matches!(restart, Some("Never" | "OnFailure")));
        // The pod's settings, read once and inherited by every container.
        let mut pod_security = SecurityContext::default();
        if let Some(context) = self.mapping(node, "securityContext") {
            self.inherited_settings(context, Level::Pod, &mut pod_security);
        }
        let mut containers = Vec::new();
        for (key, role) in [
            ("initContainers", ContainerRole::Init),
            ("containers", ContainerRole::App),
            ("ephemeralContainers", ContainerRole::Ephemeral),
        ] {
            for item in self.sequence(node, key) {
                if !matches!(item.value, YamlValue::Mapping(_)) {
                    self.wrong_type(item, key, "a list of containers (mappings)");
                    continue;
                }
                containers.push(self.container(item, role, &pod_security));
            }
        }
        Some(PodSpec {
            node: node.clone(),
            at: key_span.unwrap_or(node.span),
            runs_to_completion,
            containers,
        })
    }

    fn container(
        &mut self,
        node: &YamlNode,
        role: ContainerRole,
        pod_security: &SecurityContext,
    ) -> Container {
        let name_node = node.get("name");
        let mut security = pod_security.clone();
        if let Some(context) = self.mapping(node, "securityContext") {
            self.inherited_settings(context, Level::Container, &mut security);
            security.privileged = self.bool_setting(context, "privileged", Level::Container);
            security.allow_privilege_escalation =
                self.bool_setting(context, "allowPrivilegeEscalation", Level::Container);
            security.read_only_root_filesystem =
                self.bool_setting(context, "readOnlyRootFilesystem", Level::Container);
            if let Some(capabilities) = self.mapping(context, "capabilities") {
                security.drop = self.capabilities(capabilities, "drop");
                security.add = self.capabilities(capabilities, "add");
            }
        }
        Container {
            role,
            name: name_node
                .and_then(YamlNode::as_str)
                .unwrap_or_default()
                .to_owned(),
            name_span: name_node.filter(|n| n.as_str().is_some()).map(|n| n.span),
            at: name_node.map_or(node.span, |n| n.span),
            node: node.clone(),
            security,
        }
    }

    /// `runAsNonRoot`, `runAsUser` and `seccompProfile` of a pod's or container's
    /// `securityContext`, set over what `security` holds (a container's own settings win over
    /// the pod's).
    fn inherited_settings(
        &mut self,
        context: &YamlNode,
        level: Level,
        security: &mut SecurityContext,
    ) {
        if let Some(profile) = self.mapping(context, "seccompProfile") {
            match seccomp_type(profile) {
                Some((value, span)) => security.seccomp = Some(Setting { value, span, level }),
                None => self.wrong_type(
                    profile.get("type").unwrap_or(profile),
                    "seccompProfile.type",
                    "`RuntimeDefault`, `Localhost` or `Unconfined`",
                ),
            }
        }
        if let Some(s) = self.bool_setting(context, "runAsNonRoot", level) {
            security.run_as_non_root = Some(s);
        }
        if let Some(user) = context.get("runAsUser") {
            match user.as_str().and_then(|u| u.parse::<i64>().ok()) {
                Some(value) => {
                    security.run_as_user = Some(Setting {
                        value,
                        span: user.span,
                        level,
                    });
                }
                None => self.wrong_type(user, "runAsUser", "a number"),
            }
        }
    }

    fn bool_setting(
        &mut self,
        context: &YamlNode,
        key: &'static str,
        level: Level,
    ) -> Option<Setting<bool>> {
        let node = context.get(key)?;
        match boolean(node) {
            Some(value) => Some(Setting {
                value,
                span: node.span,
                level,
            }),
            None => {
                self.wrong_type(node, key, "true or false");
                None
            }
        }
    }

    fn capabilities(&mut self, capabilities: &YamlNode, key: &'static str) -> Vec<(String, Span)> {
        self.sequence(capabilities, key)
            .iter()
            .filter_map(|item| {
                let name = item.as_str()?.to_ascii_uppercase();
                let name = name
                    .strip_prefix("CAP_")
                    .map_or(name.clone(), str::to_owned);
                Some((name, item.span))
            })
            .collect()
    }
}

/// The `type` of a `seccompProfile` mapping and its span, if it is one Kubernetes knows.
fn seccomp_type(profile: &YamlNode) -> Option<(Seccomp, Span)> {
    let node = profile.get("type")?;
    let value = match node.as_str()? {
        "RuntimeDefault" => Seccomp::RuntimeDefault,
        "Localhost" => Seccomp::Localhost,
        "Unconfined" => Seccomp::Unconfined,
        _ => return None,
    };
    Some((value, node.span))
}

/// Why a file is not to be checked, if it is a template.
fn not_checked(text: &str, path: &Path, yaml: &YamlFile) -> Option<NotChecked> {
    // Helm renders everything under a chart's `templates/`, sub-folders included.
    let under_templates = path
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .any(|c| c.as_os_str() == "templates");
    let actions = text.contains("{{") && text.contains("}}");
    if actions && under_templates {
        return Some(NotChecked::HelmTemplate);
    }
    if actions && (!yaml.errors.is_empty() || structural_action(text, yaml)) {
        return Some(NotChecked::GoTemplate);
    }
    None
}

/// Whether a `{{` is written outside a block scalar and comments: outside any scalar the
/// template action is read as YAML structure (`cell: {{cell}}` becomes a nested mapping), and
/// in a plain or quoted scalar (`name: etcd-{{cell}}`, `shard: "{{shard}}"`) it is a value
/// some tool fills in before the manifest is applied. In a block scalar (`|`, `>`) it is text
/// for the application: Prometheus and Alertmanager templates in a ConfigMap.
fn structural_action(text: &str, yaml: &YamlFile) -> bool {
    let mut blocks = Vec::new();
    let mut stack: Vec<&YamlNode> = yaml.documents.iter().collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            YamlValue::Scalar(_) => {
                // A block scalar's span starts at its content; its `|` or `>` header (with
                // chomping and indentation indicators) ends the text before it.
                let head = text.get(..node.span.start).unwrap_or("").trim_end();
                let indicator = head.rsplit(char::is_whitespace).next().unwrap_or("");
                if indicator.starts_with(['|', '>']) {
                    blocks.push(node.span);
                }
            }
            YamlValue::Sequence(items) => stack.extend(items.iter()),
            YamlValue::Mapping(entries) => stack.extend(entries.iter().flat_map(|(k, v)| [k, v])),
            YamlValue::Alias => {}
        }
    }
    text.match_indices("{{").any(|(at, _)| {
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let before = &text[line_start..at];
        let commented = before.trim_start().starts_with('#') || before.contains(" #");
        !commented && !blocks.iter().any(|s| s.start <= at && at < s.end)
    })
}

/// Whether `path` is a `Chart.yaml` with a `templates/` folder beside it, and not the chart
/// of a subchart (`charts/NAME/Chart.yaml`), which its parent renders.
fn is_chart_file(path: &Path, files: &dyn Files) -> bool {
    let Some(dir) = path.parent() else {
        return false;
    };
    if path.file_name().is_none_or(|n| n != "Chart.yaml") {
        return false;
    }
    let subchart = dir
        .parent()
        .is_some_and(|p| p.file_name().is_some_and(|n| n == "charts"))
        && dir
            .parent()
            .and_then(Path::parent)
            .is_some_and(|parent| files.is_file(&parent.join("Chart.yaml")));
    files.is_dir(&dir.join("templates")) && !subchart
}

/// The chart folder of a file under a chart's `templates/`.
fn chart_of_template(path: &Path) -> Option<&Path> {
    path.ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == "templates"))?
        .parent()
}

/// Whether a `kustomization.yaml` in the file's folder or the one above applies it as a
/// patch (`patchesStrategicMerge`, `patches[].path`, `patchesJson6902[].path`).
fn is_kustomize_patch(path: &Path, files: &dyn Files) -> bool {
    let target = normal(path);
    path.ancestors().skip(1).take(2).any(|dir| {
        crate::formats::memoised(files, dir, || KustomizePatches::of(dir, files))
            .0
            .contains(&target)
    })
}

/// The files the kustomizations of a folder apply as patches, each path normalised.
struct KustomizePatches(std::collections::HashSet<std::path::PathBuf>);

impl KustomizePatches {
    fn of(dir: &Path, files: &dyn Files) -> Self {
        let mut patches = std::collections::HashSet::new();
        let kustomizations = kustomize::KUSTOMIZATION_NAMES
            .iter()
            .filter_map(|k| files.read(&super::joined(dir, Path::new(k))).ok());
        for source in kustomizations {
            for doc in &YamlFile::parse(&source.text).documents {
                let strategic = doc
                    .get("patchesStrategicMerge")
                    .into_iter()
                    .flat_map(YamlNode::items)
                    .filter_map(YamlNode::as_str);
                let with_path = ["patches", "patchesJson6902"]
                    .iter()
                    .filter_map(|k| doc.get(k))
                    .flat_map(YamlNode::items)
                    .filter_map(|p| p.get("path").and_then(YamlNode::as_str));
                patches.extend(strategic.chain(with_path).map(|p| normal(&dir.join(p))));
            }
        }
        Self(patches)
    }
}

/// `path` without `.` components, for comparing paths written differently.
fn normal(path: &Path) -> std::path::PathBuf {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

impl Format for Manifests {
    /// Any `*.yaml`/`*.yml`, kept only when a document has `apiVersion` and `kind` (or it is
    /// a template or kustomize input): workflows, values files and other YAML are left alone.
    fn classify(name: &FileName) -> Option<Classification> {
        if matches!(
            name.name.as_str(),
            "kustomization.yaml" | "kustomization.yml" | "kustomization"
        ) {
            return Classification::certain(Target::Kubernetes);
        }
        matches!(name.extension(), Some("yaml" | "yml")).then_some(Classification {
            target: Target::Kubernetes,
            confirm_by_content: true,
        })
    }

    fn may_confirm(text: &str) -> bool {
        may_be_manifest(text)
    }

    fn parse(source: &Arc<SourceFile>, context: &ParseContext) -> Self {
        Self::parse(&source.text, &source.path, context.files)
    }

    fn confirms_kind(&self) -> bool {
        self.is_kubernetes()
    }

    fn not_checked(&self) -> Option<&'static str> {
        self.not_checked.map(|n| n.reason())
    }

    fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    fn sensitive(&self, source: &SourceFile) -> Vec<Sensitive> {
        kubernetes_sensitive(self, &source.text, &Shown::everything())
    }

    /// Values are classified only where they touch what is shown: a manifest's findings
    /// show a few of its lines.
    fn sensitive_in(&self, source: &SourceFile, shown: &Shown) -> Vec<Sensitive> {
        kubernetes_sensitive(self, &source.text, shown)
    }

    fn origins(&self) -> Option<&Origins> {
        self.built.as_ref().map(|b| &b.origins)
    }

    /// Builds every kustomization of the scan that no other includes (an overlay, or an
    /// application on its own): its objects are judged as built, and the files it is built
    /// from are not judged as written.
    /// A kustomization decides how the manifests it is built from are judged.
    fn relates(paths: &[&Path]) -> bool {
        paths.iter().any(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| kustomize::is_kustomization_name(n) || n == "Chart.yaml")
        })
    }

    fn relate(documents: &mut [(&Arc<SourceFile>, &mut Self)], files: &dyn Files) {
        render_charts(documents, files);
        if !documents.iter().any(|(_, m)| m.kustomization) {
            return;
        }
        let known: HashMap<PathBuf, Arc<SourceFile>> = documents
            .iter()
            .map(|(source, _)| (lexically_normal(&source.path), Arc::clone(source)))
            .collect();
        let kustomizations: Vec<(usize, &Arc<SourceFile>)> = documents
            .iter()
            .enumerate()
            .filter(|(_, (_, manifests))| {
                // A component is applied by the kustomizations that name it, never alone.
                let kind = manifests.yaml.documents.first().and_then(|d| d.get("kind"));
                manifests.kustomization && kind.and_then(YamlNode::as_str) != Some("Component")
            })
            .map(|(i, (source, _))| (i, *source))
            .collect();
        let builds: Vec<(usize, kustomize::Built)> = kustomizations
            .par_iter()
            .map(|(i, source)| (*i, kustomize::build(source, files, &known)))
            .collect();
        let included: HashSet<PathBuf> = builds
            .iter()
            .flat_map(|(_, built)| built.included.iter().cloned())
            .collect();
        let mut used = HashSet::new();
        for (i, built) in builds {
            let path = lexically_normal(&documents[i].0.path);
            let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
            if included.contains(&dir) {
                continue;
            }
            used.extend(built.used.iter().filter(|p| **p != path).cloned());
            documents[i].1.built = Some(Self::deployment(built));
        }
        for (source, manifests) in documents.iter_mut() {
            if !manifests.kustomization && used.contains(&lexically_normal(&source.path)) {
                manifests.kustomize_input = true;
            }
        }
    }
}

/// Renders the chart of every `Chart.yaml` of the scan with the user's `helm` (see
/// [`helm`]): what each rendering deploys becomes the chart document's deployment, every
/// object on the template lines it came from.
fn render_charts(documents: &mut [(&Arc<SourceFile>, &mut Manifests)], files: &dyn Files) {
    // Only a document parsed with a working `helm` is a chart.
    let Some(helm) = files
        .helm()
        .filter(|_| documents.iter().any(|(_, m)| m.chart))
    else {
        return;
    };
    let charts: Vec<(usize, &Arc<SourceFile>, String)> = documents
        .iter()
        .enumerate()
        .filter(|(_, (_, manifests))| manifests.chart)
        .map(|(i, (source, manifests))| {
            let name = manifests.yaml.documents.first().and_then(|d| d.get("name"));
            let folder = source.path.parent().and_then(Path::file_name);
            let name = name
                .and_then(YamlNode::as_str)
                .or_else(|| folder.and_then(|f| f.to_str()))
                .unwrap_or("");
            (i, *source, helm::release_name(name))
        })
        .collect();
    let built: Vec<(usize, Deployment)> = charts
        .par_iter()
        .map(|(i, chart, release)| (*i, render_chart(chart, release, helm, files)))
        .collect();
    for (i, deployment) in built {
        documents[i].1.built = Some(deployment);
    }
}

/// The deployments of one chart: with its defaults and with each values file, each a range
/// of the address space (see [`Origins::deployments`]); what could not be rendered, notes.
fn render_chart(
    chart: &Arc<SourceFile>,
    release: &str,
    helm: &Helm,
    files: &dyn Files,
) -> Deployment {
    let dir = chart.path.parent().unwrap_or(Path::new(""));
    let first_line = |source: &SourceFile, base: usize| {
        let first = source.lines.line_span(&source.text, 0);
        Span::new(base + first.start, base + first.end)
    };
    let (renderings, chart_files) = helm::render_chart(helm, files, dir, release);
    // A values file as the copy read it (the scan's reader otherwise: a copy cut short).
    let values_file = |name: &str| {
        let path = dir.join(name);
        chart_files
            .get(&path)
            .cloned()
            .or_else(|| files.read(&path).ok().map(Arc::new))
    };
    let mut built = kustomize::Built::default();
    let mut next_base = 0;
    // A file in the address space as it is written; its base.
    let add_part =
        |built: &mut kustomize::Built, next_base: &mut usize, source: &Arc<SourceFile>| {
            let base = *next_base;
            *next_base += source.text.len() + 1;
            built.origins.parts.push(Part {
                base,
                source: Arc::clone(source),
                sensitive: Vec::new(),
                rendered: false,
            });
            base
        };
    add_part(&mut built, &mut next_base, chart);
    // `values.yaml`, which every rendering applies first, read as YAML once.
    let defaults = values_file("values.yaml").map(|source| {
        let base = add_part(&mut built, &mut next_base, &source);
        (base, YamlFile::parse(&source.text))
    });
    let mut values_secrets = Vec::new();
    for rendering in renderings {
        let own;
        let mut applied: Vec<(usize, &YamlFile)> =
            defaults.iter().map(|(base, yaml)| (*base, yaml)).collect();
        let (file, at, message) = match &rendering.values {
            None => (
                Arc::clone(chart),
                first_line(chart, 0),
                msg!("in the deployment `helm template` renders with the chart's default values"),
            ),
            Some(name) => {
                let Some(source) = values_file(name) else {
                    continue;
                };
                let base = add_part(&mut built, &mut next_base, &source);
                own = YamlFile::parse(&source.text);
                applied.push((base, &own));
                let at = first_line(&source, base);
                (
                    source,
                    at,
                    msg!("in the deployment `helm template` renders with these values"),
                )
            }
        };
        let placed = rendering.output.and_then(|rendered| {
            let read = Manifests::parse(&rendered, &chart.path, &crate::formats::NoFiles);
            let sensitive: Vec<Span> = kubernetes_sensitive(&read, &rendered, &Shown::everything())
                .iter()
                .map(|s| s.span)
                .collect();
            let start = next_base;
            let (nodes, secrets_at) = helm::place(
                (&rendered, &read.yaml),
                (dir, &chart_files),
                &mut built.origins,
                &mut next_base,
                &sensitive,
            )?;
            for (key, value, chars, used_at) in deployed_values(&rendered, &sensitive, &applied) {
                values_secrets.push((key, value, chars));
                let placed = used_at.into_iter().filter_map(|i| secrets_at[i]);
                built
                    .origins
                    .value_sources
                    .extend(placed.map(|at| (at, value)));
            }
            Ok((start, nodes))
        });
        match placed {
            Ok((start, nodes)) => {
                built.objects.extend(nodes);
                built.origins.deployments.push(Deployed {
                    range: start..next_base.max(start + 1),
                    file,
                    message,
                });
            }
            Err(failure) => built.notes.push(Note {
                span: at,
                message: failure.message(),
            }),
        }
    }
    values_secrets.sort_unstable();
    values_secrets.dedup();
    built.origins.value_sources.sort_unstable();
    built.origins.value_sources.dedup();
    // Masked in the values file whatever its key is called.
    for (_, value, _) in &values_secrets {
        let at = built
            .origins
            .parts
            .partition_point(|p| p.base <= value.start);
        if let Some(part) = at
            .checked_sub(1)
            .and_then(|i| built.origins.parts.get_mut(i))
        {
            let base = part.base;
            part.sensitive
                .push(Span::new(value.start - base, value.end - base));
        }
    }
    let mut deployment = Manifests::deployment(built);
    deployment.values_secrets = values_secrets;
    deployment
}

/// Whether `value`, written under `key` in a values file, is a secret itself.
fn is_values_secret(key: &str, value: &str) -> bool {
    use crate::secrets::{is_indirection, js_secret_kind, parse_url, placeholder};
    let named = js_secret_kind(key).is_some() && !is_indirection(value);
    let url_password = parse_url(value)
        .and_then(|u| u.password)
        .is_some_and(|(p, _)| !p.is_empty());
    // `YourApiToken` is `your_api_token`; `token: token` names itself.
    let mut words = String::with_capacity(value.len() + 8);
    for (i, c) in value.chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            words.push('_');
        }
        words.push(c);
    }
    let placeholder = value.eq_ignore_ascii_case(key)
        || [value, words.as_str()]
            .iter()
            .any(|v| placeholder(v).is_some_and(|why| why != "is a well-known default password"));
    (named || url_password) && !placeholder
}

/// The scalars of the `applied` values files (each at its base in the address space) whose
/// text a rendering deploys as a secret (at one of its `sensitive` spans, as written or
/// base64-decoded) and that are secrets themselves: under a secret-like key (`password`,
/// `apiToken`) or a URL with a password, and not placeholder text (a well-known default
/// password is no placeholder). Each key, value, the value's length and the indices of the
/// `sensitive` spans that deploy it.
fn deployed_values(
    rendered: &str,
    sensitive: &[Span],
    applied: &[(usize, &YamlFile)],
) -> Vec<(Span, Span, usize, Vec<usize>)> {
    let mut secrets: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, span) in sensitive.iter().enumerate() {
        let Some(text) = rendered.get(span.range()) else {
            continue;
        };
        let text = text.trim().trim_matches('"');
        for form in [Some(text.to_owned()), decode_base64(text)]
            .into_iter()
            .flatten()
        {
            if !form.is_empty() {
                secrets.entry(form).or_default().push(i);
            }
        }
    }
    let mut found = Vec::new();
    for &(base, yaml) in applied {
        let mut stack: Vec<&YamlNode> = yaml.documents.iter().collect();
        while let Some(node) = stack.pop() {
            match &node.value {
                YamlValue::Mapping(entries) => {
                    for (key, value) in entries.iter() {
                        match value.as_str() {
                            Some(text)
                                if !is_plain_setting(text)
                                    && secrets.contains_key(text)
                                    && is_values_secret(key.as_str().unwrap_or(""), text) =>
                            {
                                let shift = |s: Span| Span::new(s.start + base, s.end + base);
                                found.push((
                                    shift(key.span),
                                    shift(value.span),
                                    text.chars().count(),
                                    secrets[text].clone(),
                                ));
                            }
                            Some(_) => {}
                            None => stack.push(value),
                        }
                    }
                }
                YamlValue::Sequence(items) => stack.extend(items.iter()),
                YamlValue::Scalar(_) | YamlValue::Alias => {}
            }
        }
    }
    found
}

/// Keys whose values in a manifest name things rather than hold them: `secretKeyRef: {name:
/// db, key: password}` names a Secret's entry, and image references are long and random-
/// looking without being secrets.
const KUBERNETES_NAMING_KEYS: &[&str] = &["key", "name", "image", "secretName", "claimName"];

/// Values no secret is made of: API fields such as `automountServiceAccountToken: false` or
/// `tokenExpirationSeconds: 3600` have secret-like names, and scrubbing `false` or a number
/// from every message would only garble them.
fn is_plain_setting(value: &str) -> bool {
    matches!(value, "true" | "false" | "null" | "~") || value.chars().all(|c| c.is_ascii_digit())
}

/// In Kubernetes manifests: every value of a Secret's `data` (encoded and decoded) and
/// `stringData`, `env[].value`s of secret-like names, values of secret-like keys elsewhere
/// (a ConfigMap's `DB_PASSWORD`), token-like values and passwords inside URLs, secrets on
/// containers' command lines (`command` with `args`, probes' and hooks' `exec`), and what
/// follows a YAML syntax error or a value of the wrong type.
///
/// Only values touching `shown` are classified: a node's span holds those of the nodes
/// under it, and each secret is found inside the span of the value it is in.
fn kubernetes_sensitive(manifests: &Manifests, text: &str, shown: &Shown) -> Vec<Sensitive> {
    let mut found = Vec::new();
    let shown_node = |node: &&YamlNode| shown.touches(node.span);
    let mut stack: Vec<&YamlNode> = manifests.yaml.documents.iter().filter(shown_node).collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            YamlValue::Mapping(entries) => {
                for (key, value) in entries.iter().filter(|(_, value)| shown_node(&value)) {
                    match (key.as_str(), value.as_str()) {
                        (Some(name), _) if KUBERNETES_NAMING_KEYS.contains(&name) => {}
                        (_, Some(text)) if is_plain_setting(text) => {}
                        (Some(name), Some(text)) => {
                            found.extend(assignment_sensitive(name, text, value.span));
                        }
                        _ => stack.push(value),
                    }
                }
            }
            YamlValue::Sequence(items) => stack.extend(items.iter().filter(shown_node)),
            YamlValue::Scalar(text) => found.extend(assignment_sensitive("", text, node.span)),
            YamlValue::Alias => {}
        }
    }
    for object in &manifests.objects {
        for (_, plain, written) in secret_values(object) {
            // The written form (base64 in `data:`) hides the value as well as the value.
            if !plain.is_empty() || written.as_str().is_some_and(|e| !e.is_empty()) {
                found.push(Sensitive { span: written.span });
            }
        }
        for container in object.pod.iter().flat_map(|p| &p.containers) {
            for (name, value) in literal_env(container)
                .into_iter()
                .filter(|(_, v)| shown_node(v))
            {
                let name = name.as_str().unwrap_or_default();
                let text = value.as_str().unwrap_or_default();
                found.extend(assignment_sensitive(name, text, value.span));
            }
            let commands = command_lines(container).into_iter();
            for command in commands.filter(|c| c.iter().any(shown_node)) {
                let words: Vec<ListWord> = command
                    .iter()
                    .filter_map(|node| {
                        Some(ListWord::written(
                            node.as_str()?,
                            node.span,
                            node.verbatim_at(text),
                        ))
                    })
                    .collect();
                found.extend(list_command_sensitive(&words));
            }
        }
    }
    if manifests.kustomization {
        found.extend(generator_sensitive(manifests, text));
    }
    found.extend(manifests.yaml.unread_sensitive(text));
    unreadable_lines(&manifests.errors, text, &mut found);
    found
}

/// The values of a kustomization's generator literals (`KEY=value`): every one of a
/// `secretGenerator`, those of a `configMapGenerator` that look like secrets.
fn generator_sensitive(manifests: &Manifests, text: &str) -> Vec<Sensitive> {
    let mut found = Vec::new();
    for document in &manifests.yaml.documents {
        for (key, secret) in [("secretGenerator", true), ("configMapGenerator", false)] {
            let entries = document.get(key).map_or(&[][..], YamlNode::items);
            for literal in entries
                .iter()
                .filter_map(|e| e.get("literals"))
                .flat_map(YamlNode::items)
            {
                let Some(written) = literal.as_str() else {
                    continue;
                };
                let Some((name, value)) = written.split_once('=') else {
                    continue;
                };
                let span = match literal.verbatim_at(text) {
                    Some(at) => {
                        let start = at + name.len() + 1;
                        Span::new(start, start + value.len())
                    }
                    None => literal.span,
                };
                if secret {
                    if !value.is_empty() {
                        found.push(Sensitive { span });
                    }
                } else {
                    found.extend(assignment_sensitive(name, value, span));
                }
            }
        }
    }
    found
}

/// Every command line a container runs: its `command` with its `args`, and the `exec`
/// commands of its probes and lifecycle hooks.
fn command_lines(container: &Container) -> Vec<Vec<&YamlNode>> {
    let node = &container.node;
    let hooks = node.get("lifecycle").map_or(&[][..], YamlNode::entries);
    let probes = ["livenessProbe", "readinessProbe", "startupProbe"]
        .iter()
        .filter_map(|key| node.get(key));
    let execs = probes
        .chain(hooks.iter().map(|(_, hook)| hook))
        .filter_map(|handler| handler.get("exec")?.get("command"))
        .map(list_or_scalar);
    std::iter::once(container.command_line())
        .chain(execs)
        .collect()
}

/// The items of a list, or the node itself when it is a scalar (a command written as one
/// string, which Kubernetes refuses but which may still hold a secret).
fn list_or_scalar(node: &YamlNode) -> Vec<&YamlNode> {
    match &node.value {
        YamlValue::Sequence(items) => items.iter().collect(),
        _ => vec![node],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Manifests {
        Manifests::parse(text, Path::new("app.yaml"), &crate::formats::NoFiles)
    }

    /// A folder's kustomization is read once for all its manifests, not once for each
    /// (which made a folder of N manifests parse N kustomizations of N lines), and still
    /// tells its patches, in the folder or the one below, from its resources.
    #[test]
    fn a_kustomization_is_read_once_for_the_whole_folder() {
        use crate::formats::{Asked, MemoryFiles, Question};
        let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n";
        let mut memory = MemoryFiles::new("");
        memory.insert(
            "k/kustomization.yaml",
            b"resources: [a.yaml, b.yaml]\npatchesStrategicMerge: [p.yaml, ./sub/q.yaml]\n"
                .to_vec(),
        );
        let files = Asked::new(&memory);
        let patched = |name: &str| {
            Manifests::parse(manifest, &Path::new("k").join(name), &files).kustomize_input
        };
        assert!(!patched("a.yaml"));
        assert!(!patched("b.yaml"));
        assert!(patched("p.yaml"));
        assert!(patched("sub/q.yaml"));
        assert!(!patched("sub/a.yaml"));
        // Each folder's (`k/sub`, `k` and the one above `k`) asked once.
        let read: Vec<PathBuf> = files
            .take()
            .into_iter()
            .filter(|(question, path)| {
                *question == Question::Read && path.ends_with("kustomization.yaml")
            })
            .map(|(_, path)| path)
            .collect();
        let mut once = read.clone();
        once.sort();
        once.dedup();
        assert_eq!(once.len(), read.len(), "{read:?}");
        assert!(read.contains(&Path::new("k").join("kustomization.yaml")));
    }

    #[test]
    fn pod_level_settings_are_inherited_and_container_settings_win() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      securityContext: {runAsNonRoot: true, runAsUser: 1001}\n      initContainers:\n      - name: migrate\n        securityContext: {runAsUser: 0}\n      containers:\n      - name: api\n";
        let m = parse(text);
        let pod = m.objects[0].pod.as_ref().unwrap();
        let migrate = &pod.containers[0];
        assert_eq!(migrate.role, ContainerRole::Init);
        assert_eq!(migrate.security.run_as_user.as_ref().unwrap().value, 0);
        assert_eq!(
            migrate.security.run_as_user.as_ref().unwrap().level,
            Level::Container
        );
        let api = &pod.containers[1];
        assert_eq!(api.security.run_as_user.as_ref().unwrap().level, Level::Pod);
        assert!(api.security.run_as_non_root.as_ref().unwrap().value);
        assert_eq!(&text[api.at.range()], "api");
    }

    #[test]
    fn seccomp_profile_is_inherited_and_overridden_like_the_user() {
        let text = "apiVersion: v1\nkind: Pod\nspec:\n  securityContext:\n    seccompProfile: {type: RuntimeDefault}\n  containers:\n  - name: a\n  - name: b\n    securityContext:\n      seccompProfile: {type: Unconfined}\n  - name: c\n    securityContext:\n      seccompProfile: {type: Bogus}\n";
        let m = parse(text);
        let pod = m.objects[0].pod.as_ref().unwrap();
        let a = pod.containers[0].security.seccomp.as_ref().unwrap();
        assert_eq!((a.value, a.level), (Seccomp::RuntimeDefault, Level::Pod));
        let b = pod.containers[1].security.seccomp.as_ref().unwrap();
        assert_eq!((b.value, b.level), (Seccomp::Unconfined, Level::Container));
        assert_eq!(&text[b.span.range()], "Unconfined");
        // An unknown type is an error, and the pod's profile stays in effect for the rules.
        assert_eq!(m.errors.len(), 1);
        assert_eq!(&text[m.errors[0].span.range()], "Bogus");
        let c = pod.containers[2].security.seccomp.as_ref().unwrap();
        assert_eq!(c.value, Seccomp::RuntimeDefault);
    }

    #[test]
    fn lists_and_documents_and_cronjobs_are_read() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec:\n    containers: [{name: a}]\n---\napiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: b}]\n";
        let m = parse(text);
        assert_eq!(m.objects.len(), 2);
        assert!(!m.objects[0].pod.as_ref().unwrap().runs_to_completion);
        assert!(m.objects[1].pod.as_ref().unwrap().runs_to_completion);
    }

    #[test]
    fn values_secrets_are_secrets_by_name_or_url_and_not_placeholders() {
        assert!(is_values_secret("password", "Kz7-horse-battery"));
        assert!(is_values_secret("apiToken", "tok_9fJ2kQ8xLm4PzR7v"));
        // A default password is worse than a secret, not a placeholder.
        assert!(is_values_secret("password", "guest"));
        assert!(is_values_secret("uri", "postgres://app:Kz7-horse@db/app"));
        // Names, users, URLs without a password, placeholders.
        assert!(!is_values_secret("user", "guest"));
        assert!(!is_values_secret("uri", "mongodb://mongodb:27017"));
        assert!(!is_values_secret("apiToken", "YourPingdomApiToken"));
        assert!(!is_values_secret("token", "token"));
        assert!(!is_values_secret("password", "/run/secrets/db"));
    }

    #[test]
    fn base64_is_decoded_like_kubernetes_does() {
        assert_eq!(decode_base64("cGFzc3dvcmQ=").as_deref(), Some("password"));
        assert_eq!(decode_base64("cGFzc3dvcmQ").as_deref(), Some("password"));
        assert_eq!(decode_base64("cGFz\nc3dvcmQ=").as_deref(), Some("password"));
        assert_eq!(decode_base64("not base64!"), None);
    }

    #[test]
    fn wrong_types_are_located_errors() {
        let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers: \"x\"\n";
        let m = parse(text);
        assert_eq!(m.errors.len(), 1);
        assert_eq!(&text[m.errors[0].span.range()], "\"x\"");
    }

    #[test]
    fn templates_are_recognised_and_strings_with_braces_are_not() {
        let helm = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n";
        assert_eq!(parse(helm).not_checked, Some(NotChecked::GoTemplate));
        let under = Manifests::parse(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"{{ .Release.Name }}\"\n",
            Path::new("chart/templates/svc.yaml"),
            &crate::formats::NoFiles,
        );
        assert_eq!(under.not_checked, Some(NotChecked::HelmTemplate));
        let alert = "apiVersion: v1\nkind: ConfigMap\ndata:\n  rule: |\n    summary: {{ $labels.instance }} down\n  # {{ not an action }}\n";
        assert_eq!(parse(alert).not_checked, None);
        let mustache =
            "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    shard: \"{{shard}}\"\n";
        assert_eq!(parse(mustache).not_checked, Some(NotChecked::GoTemplate));
    }
}
