//! Templates of the files preflight reads: Ansible/Jinja2 (`nginx.conf.j2`, `{% if %}`),
//! cookiecutter projects, Go templates, ERB. What a template renders to depends on values
//! it does not hold, so it is reported once as "not checked: template", never as a parse
//! error (the template syntax is not an error of the file it becomes) and never judged.
//! (Kubernetes manifests have their own, earlier recognition of Helm and Go templates.)

use std::path::{Path, PathBuf};

/// Name endings that mark a template, and the template language they say.
const EXTENSIONS: &[(&str, &str)] = &[
    ("j2", "Jinja2"),
    ("jinja", "Jinja2"),
    ("jinja2", "Jinja2"),
    ("tmpl", "Go template"),
    ("gotmpl", "Go template"),
    ("tpl", "template"),
    ("erb", "ERB"),
];

/// For a template named after the file it renders (`nginx.conf.j2`, `sshd_config.erb`):
/// the language and the rendered file's path; `None` for other names.
pub fn rendered(path: &Path) -> Option<(&'static str, PathBuf)> {
    let name = path.file_name()?.to_str()?;
    let (stem, extension) = name.rsplit_once('.')?;
    let extension = extension.to_ascii_lowercase();
    let (_, language) = EXTENSIONS.iter().find(|(e, _)| *e == extension)?;
    (!stem.is_empty()).then(|| (*language, path.with_file_name(stem)))
}

/// The "not checked" reason for a template named after a file of a checked kind.
pub fn named_reason(language: &str) -> String {
    format!("not checked: template ({language}; check the rendered file)")
}

/// The "not checked" reason for a file whose parse errors come from template syntax.
pub const CONTENT_REASON: &str = "not checked: template (Jinja2, Go-template or ERB tags make \
     it valid only once rendered; check the rendered file)";

/// The tag pairs of the template languages: opening, closing, and the word an expression
/// becomes when the tags are taken out (statements and comments leave nothing).
const TAGS: [(&str, &str, &str); 4] = [
    ("{{", "}}", "x"),
    ("{%", "%}", ""),
    ("{#", "#}", ""),
    ("<%", "%>", "x"),
];

/// Whether `text` holds template tags: Jinja2 statements `{% … %}` or comments `{# … #}`,
/// expressions `{{ name }}` (Jinja2, Go templates, cookiecutter), ERB `<% … %>`, each closed
/// on its line. Asked only of a file that did not parse, so a valid file mentioning `{{` is
/// still judged. Linear in the text (each line is searched once per tag).
pub fn has_template_tags(text: &str) -> bool {
    text.lines().any(|line| {
        TAGS.iter().any(|(open, close, _)| {
            let Some(last_close) = line.rfind(close) else {
                return false;
            };
            line[..last_close].match_indices(open).any(|(at, _)| {
                if *open != "{{" {
                    return true;
                }
                // An expression names something: `{{ domain }}`, `{{- .Values.x }}`, not `{{}}`.
                line[at + 2..last_close]
                    .trim_start_matches(['-', ' ', '\t'])
                    .starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '.' | '$' | '_'))
            })
        })
    })
}

/// `text` with its template tags taken out, for telling what kind of file a template renders
/// to: each expression `{{ … }}` becomes a plain word, statements and comments go. A tag is
/// closed on its own line; the last closing tag of each kind is found once per line, so an
/// opening tag with no closing one after it costs nothing.
pub fn without_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let last_close: Vec<Option<usize>> =
            TAGS.iter().map(|(_, close, _)| line.rfind(close)).collect();
        let mut at = 0;
        while let Some(offset) = line[at..].find(['{', '<']) {
            let start = at + offset;
            out.push_str(&line[at..start]);
            let tag = TAGS
                .iter()
                .zip(&last_close)
                .find_map(|((open, close, word), last)| {
                    let inner = start + open.len();
                    if !line[start..].starts_with(open) || last.is_none_or(|last| last < inner) {
                        return None;
                    }
                    let end = inner + line[inner..].find(close)? + close.len();
                    Some((end, *word))
                });
            match tag {
                Some((end, word)) => {
                    out.push_str(word);
                    at = end;
                }
                None => {
                    out.push_str(&line[start..start + 1]);
                    at = start + 1;
                }
            }
        }
        out.push_str(&line[at..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names_give_the_rendered_name() {
        let (language, path) = rendered(Path::new("templates/nginx.conf.j2")).unwrap();
        assert_eq!(
            (language, path),
            ("Jinja2", PathBuf::from("templates/nginx.conf"))
        );
        assert_eq!(
            rendered(Path::new("sshd_config.erb")).unwrap().1,
            PathBuf::from("sshd_config")
        );
        assert!(rendered(Path::new("nginx.conf")).is_none());
        assert!(rendered(Path::new(".j2")).is_none());
    }

    #[test]
    fn tags_are_taken_out() {
        assert_eq!(
            without_tags("{% if a %}\nlisten {{ port }};\n{# c #}{% endif %}\nx { }\n"),
            "\nlisten x;\n\nx { }\n"
        );
        assert_eq!(
            without_tags("a <%= @b %> {{ unclosed\n"),
            "a x {{ unclosed\n"
        );
    }

    #[test]
    fn long_lines_of_unclosed_tags_are_left_as_they_are() {
        let text = "{%{{<%".repeat(300_000);
        assert!(!has_template_tags(&text));
        assert_eq!(without_tags(&text), text);
    }

    #[test]
    fn tags_of_each_language_are_recognised() {
        assert!(has_template_tags("{% if x %}\nlisten 80;\n{% endif %}\n"));
        assert!(has_template_tags("server_name {{ domain }};\n"));
        assert!(has_template_tags("{{- .Values.name }}\n"));
        assert!(has_template_tags("{# a comment #}\n"));
        assert!(has_template_tags("port <%= @port %>\n"));
        assert!(!has_template_tags("location / { return 200; }\n"));
        assert!(!has_template_tags("x = {{}}\n"));
        assert!(!has_template_tags("{% unclosed\n%}\n"));
        assert!(!has_template_tags("a }} b {{ c\n"));
    }
}
