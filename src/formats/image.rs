//! Container image references (`registry:5000/team/app:1.2@sha256:…`), read the same way
//! for Dockerfiles, Compose files and Kubernetes manifests, so "is this image pinned?" has
//! one answer everywhere.

/// How firmly a reference pins the image it pulls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImagePin<'a> {
    /// No tag and no digest: the registry's `latest`.
    Untagged,
    /// The `:latest` tag, written out.
    Latest,
    /// Some other tag (which may still move, like `node:20`).
    Tag(&'a str),
    /// A digest (`@sha256:…`), with or without a tag: immutable.
    Digest,
}

/// The tag of `reference`, if it has one (`18-alpine` of `node:18-alpine`; a registry
/// port such as `localhost:5000/app` is not a tag).
pub fn tag(reference: &str) -> Option<&str> {
    let name = reference.split('@').next().unwrap_or(reference);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.split_once(':').map(|(_, tag)| tag)
}

/// How `reference` pins its image.
pub fn pin(reference: &str) -> ImagePin<'_> {
    if reference.contains('@') {
        return ImagePin::Digest;
    }
    match tag(reference) {
        None => ImagePin::Untagged,
        Some(t) if t.eq_ignore_ascii_case("latest") => ImagePin::Latest,
        Some(t) => ImagePin::Tag(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_read_like_docker_does() {
        assert_eq!(pin("node"), ImagePin::Untagged);
        assert_eq!(pin("localhost:5000/app"), ImagePin::Untagged);
        assert_eq!(pin("localhost:5000/app:LATEST"), ImagePin::Latest);
        assert_eq!(pin("postgres:15-alpine"), ImagePin::Tag("15-alpine"));
        assert_eq!(pin("node:20@sha256:abc"), ImagePin::Digest);
        assert_eq!(pin("node@sha256:abc"), ImagePin::Digest);
    }
}
