//! Where an sshd `Include` points, and which files its glob matches.
//!
//! sshd resolves a relative `Include` against `/etc/ssh` and expands globs with `glob(3)`
//! (sorted, hidden files only for patterns that name them). preflight mostly reads copies of
//! `/etc/ssh` kept in a repository, so the server's directory is mapped onto the scanned
//! tree: when the including file sits in `<root>/etc/ssh/`, relative paths resolve there and
//! absolute paths below `<root>`; otherwise `/etc/ssh` is taken to be the including file's
//! own directory (or the parent of a `sshd_config.d/` folder). Other absolute paths are read
//! as they are, which is what sshd does when preflight runs on the host itself.

use std::path::{Path, PathBuf};

/// How `/etc/ssh` and `/` map onto the tree the including file was found in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludeBase {
    /// The directory standing for `/etc/ssh`.
    pub ssh_dir: PathBuf,
    /// The directory standing for `/`, when the file sits in a `…/etc/ssh/` tree.
    pub root: Option<PathBuf>,
}

impl IncludeBase {
    /// The mapping for the file at `path`.
    pub fn for_file(path: &Path) -> Self {
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let ssh_dir = if dir
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(".d"))
        {
            dir.parent().unwrap_or(Path::new("")).to_path_buf()
        } else {
            dir
        };
        let root = (ssh_dir.ends_with("etc/ssh"))
            .then(|| {
                ssh_dir
                    .parent()
                    .and_then(Path::parent)
                    .map(Path::to_path_buf)
            })
            .flatten();
        Self { ssh_dir, root }
    }

    /// The path sshd would open for `pattern`, mapped onto the scanned tree.
    pub fn resolve(&self, pattern: &str) -> PathBuf {
        let path = Path::new(pattern);
        if let Ok(rest) = path.strip_prefix("/etc/ssh") {
            return self.ssh_dir.join(rest);
        }
        if path.is_absolute() {
            return match &self.root {
                Some(root) => root.join(path.strip_prefix("/").unwrap_or(path)),
                None => path.to_path_buf(),
            };
        }
        self.ssh_dir.join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etc_ssh_maps_onto_the_scanned_tree() {
        let base = IncludeBase::for_file(Path::new("repo/etc/ssh/sshd_config"));
        assert_eq!(base.ssh_dir, Path::new("repo/etc/ssh"));
        assert_eq!(
            base.resolve("sshd_config.d/*.conf"),
            Path::new("repo/etc/ssh/sshd_config.d/*.conf")
        );
        assert_eq!(
            base.resolve("/etc/ssh/sshd_config.d/*.conf"),
            Path::new("repo/etc/ssh/sshd_config.d/*.conf")
        );
        assert_eq!(base.resolve("/opt/x.conf"), Path::new("repo/opt/x.conf"));

        let loose = IncludeBase::for_file(Path::new("deploy/sshd_config"));
        assert_eq!(
            loose.resolve("/etc/ssh/sshd_config.d/*.conf"),
            Path::new("deploy/sshd_config.d/*.conf")
        );
        assert_eq!(loose.resolve("/opt/x.conf"), Path::new("/opt/x.conf"));
        let drop_in = IncludeBase::for_file(Path::new("deploy/sshd_config.d/a.conf"));
        assert_eq!(drop_in.ssh_dir, Path::new("deploy"));
    }
}
