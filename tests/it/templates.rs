//! Templates are reported once as "not checked: template", never as parse errors, and never
//! judged: Jinja2/Ansible files named after what they render (`nginx.conf.j2`), files whose
//! parse errors come from template tags (a cookiecutter Compose file), while a valid file that
//! merely mentions `{{` (a Go format string in a Dockerfile) is judged as usual.

use crate::common::{json_report, tree};

fn unchecked(report: &serde_json::Value) -> Vec<(String, String)> {
    crate::common::notes_with(report, "kind")
}

fn rules_at<'a>(report: &'a serde_json::Value, path: &str) -> Vec<&'a str> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["location"]["path"] == path)
        .filter_map(|f| f["rule_id"].as_str())
        .collect()
}

#[test]
fn templates_are_not_checked_and_not_parse_errors() {
    let dir = tree(&[
        // Named after an nginx file: not parsed, said once.
        (
            "roles/web/templates/nginx.conf.j2",
            b"user {{ nginx_user }};\nhttp {\n{% for host in hosts %}\n  server { listen {{ host.port }}; }\n{% endfor %}\n}\n",
        ),
        // An ambiguous name whose text, tags left out, is not nginx: not ours at all.
        (
            "roles/os/templates/auditd.conf.j2",
            b"{{ ansible_managed | comment }}\nlog_file = {{ log_file }}\nflush = INCREMENTAL\n",
        ),
        // A Compose file that is YAML only once rendered.
        (
            "{{cookiecutter.slug}}/docker-compose.yml",
            b"services:\n  web:\n    image: app:1\n{%- if cookiecutter.use_redis == 'y' %}\n  redis:\n    image: redis:7\n{%- endif %}\n",
        ),
        // ERB.
        ("sshd_config.erb", b"PermitRootLogin <%= @root_login %>\n"),
        // A valid Dockerfile with a Go format string is judged.
        (
            "Dockerfile",
            b"FROM alpine:3.20\nRUN docker_ps='{{.Names}}' && echo \"$docker_ps\"\nCMD [\"sh\"]\n",
        ),
    ]);
    let (report, _) = json_report(dir.path(), &["--no-config", "."]);
    let mut unchecked = unchecked(&report);
    unchecked.sort();
    let template = |path: &str| (path.to_owned(), "template".to_owned());
    assert_eq!(
        unchecked,
        vec![
            template("roles/web/templates/nginx.conf.j2"),
            template("sshd_config.erb"),
            template("{{cookiecutter.slug}}/docker-compose.yml"),
        ]
    );
    let findings = report["findings"].as_array().expect("findings");
    assert!(
        findings.iter().all(|f| f["rule_id"] != "PF001"),
        "{findings:#?}"
    );
    assert!(rules_at(&report, "Dockerfile").contains(&"DKR002"));
    assert!(rules_at(&report, "roles/os/templates/auditd.conf.j2").is_empty());
}

#[test]
fn a_real_syntax_error_without_template_tags_is_still_a_parse_error() {
    let dir = tree(&[(
        "docker-compose.yml",
        b"services:\n  web:\n    image: app:1\n   ports: [80\n",
    )]);
    let (report, _) = json_report(dir.path(), &["--no-config", "."]);
    assert!(rules_at(&report, "docker-compose.yml").contains(&"PF001"));
    assert!(unchecked(&report).is_empty());
}

#[test]
fn a_template_named_on_the_command_line_is_reported_once() {
    let dir = tree(&[("nginx.conf.j2", b"worker_processes {{ workers }};\n")]);
    let (report, _) = json_report(dir.path(), &["--no-config", "nginx.conf.j2"]);
    assert_eq!(
        unchecked(&report),
        vec![("nginx.conf.j2".to_owned(), "template".to_owned())]
    );
}

/// Kind by content where the name is ambiguous: a syslog-ng section called `nginx.conf` is
/// not nginx, a real one in a log shipper's folder still is, and a diff or an HTML page named
/// after an env file is not one.
#[test]
fn names_of_other_programs_files_are_not_taken_for_ours() {
    let dir = tree(&[
        (
            "syslog-ng/conf.d/nginx.conf",
            b"source s_nginx { file(\"/var/log/nginx/access.log\" follow-freq(1)); };\nlog { source(s_nginx); destination(d_remote); };\n",
        ),
        (
            "fluent-bit/nginx.conf",
            b"http {\n  server {\n    listen 80;\n    server_tokens on;\n  }\n}\n",
        ),
        ("deploy/.env.patch", b"--- a/.env\n+++ b/.env\n-DEBUG=true\n+DEBUG=false\n"),
        ("docs/production.env.html", b"<p>DEBUG=true</p>\n"),
    ]);
    let (report, _) = json_report(dir.path(), &["--no-config", "."]);
    assert!(rules_at(&report, "syslog-ng/conf.d/nginx.conf").is_empty());
    assert!(rules_at(&report, "fluent-bit/nginx.conf").contains(&"NGX001"));
    assert!(rules_at(&report, "deploy/.env.patch").is_empty());
    assert!(rules_at(&report, "docs/production.env.html").is_empty());
    assert_eq!(report["summary"]["files_checked"], 1);
    assert!(unchecked(&report).is_empty(), "{report:#}");
}
