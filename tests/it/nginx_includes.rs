//! `include` following on real directory trees: findings land in the file that has the
//! directive, settings from snippets count where they are included, a file included from
//! two places is reported once, and what cannot be followed is never guessed.

use crate::common::{findings_at, json_report, tree};
use serde_json::Value;

/// `(rule, path, line)` of every finding, sorted.
fn findings(report: &Value) -> Vec<(String, String, u64)> {
    let mut found = findings_at(report);
    found.sort();
    found
}

const HTTPS_SERVER: &str = "server {\n    listen 443 ssl;\n    server_name shop.example.org;\n    ssl_certificate /etc/ssl/shop.pem;\n    ssl_certificate_key /etc/ssl/shop.key;\n    include snippets/headers.conf;\n}\n";

#[test]
fn headers_from_an_included_snippet_count_and_its_findings_land_in_the_snippet() {
    let dir = tree(&[
        (
            "nginx/nginx.conf",
            b"events {}\nhttp {\n    server_tokens off;\n    include sites-enabled/*;\n}\n",
        ),
        ("nginx/sites-enabled/shop", HTTPS_SERVER.as_bytes()),
        (
            "nginx/snippets/headers.conf",
            b"add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;\nadd_header Content-Security-Policy \"default-src 'self'; frame-ancestors 'none'\" always;\nadd_header X-Content-Type-Options nosniff;\nadd_header Referrer-Policy no-referrer always;\n",
        ),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    // HSTS and the baseline headers come from the snippet, so NGX019/NGX022 stay quiet; the
    // header without `always` is reported in the snippet, once, at its own line.
    assert_eq!(
        findings(&report),
        [(
            "NGX011".to_owned(),
            "nginx/snippets/headers.conf".to_owned(),
            3
        )]
    );
}

#[test]
fn a_snippet_included_by_two_servers_is_reported_once() {
    let dir = tree(&[
        (
            "nginx.conf",
            b"events {}\nhttp {\n    server_tokens off;\n    server { listen 127.0.0.1:8080; include snippets/listing.conf; }\n    server { listen 127.0.0.1:8081; include snippets/listing.conf; }\n}\n",
        ),
        ("snippets/listing.conf", b"autoindex on;\n"),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    assert_eq!(
        findings(&report),
        [("NGX002".to_owned(), "snippets/listing.conf".to_owned(), 1)]
    );
}

#[test]
fn an_include_outside_the_scan_makes_the_level_unknown_not_wrong() {
    // Without the snippet, the server may well get HSTS from it: no NGX019/NGX022, and no
    // missing-file finding either, since the scan has no nginx.conf to say where it lives.
    let dir = tree(&[("sites-available/shop.conf", HTTPS_SERVER.as_bytes())]);
    let (report, _) = json_report(dir.path(), &["."]);
    assert_eq!(findings(&report), []);

    // The same site with its nginx.conf and snippets directory: the file is missing.
    let dir = tree(&[
        (
            "nginx.conf",
            b"events {}\nhttp {\n    server_tokens off;\n    include sites-available/*.conf;\n}\n",
        ),
        ("sites-available/shop.conf", HTTPS_SERVER.as_bytes()),
        ("snippets/other.conf", b"gzip on;\n"),
    ]);
    let (report, code) = json_report(dir.path(), &["."]);
    assert_eq!(
        findings(&report),
        [(
            "NGX021".to_owned(),
            "sites-available/shop.conf".to_owned(),
            6
        )]
    );
    assert_eq!(code, 1);
}

#[test]
fn a_fragment_is_judged_in_the_context_it_is_included_in() {
    let zones = b"limit_req_zone $binary_remote_addr zone=login:10m rate=5r/m;\n";
    // Alone, the fragment is valid in `http`.
    let dir = tree(&[("conf.d/zones.conf", zones)]);
    let (report, _) = json_report(dir.path(), &[".", "--select", "NGX020"]);
    assert_eq!(findings(&report), []);
    // Included inside `server`, nginx refuses it.
    let dir = tree(&[
        (
            "nginx.conf",
            b"events {}\nhttp {\n    server {\n        listen 127.0.0.1:8080;\n        include conf.d/zones.conf;\n    }\n}\n",
        ),
        ("conf.d/zones.conf", zones),
    ]);
    let (report, _) = json_report(dir.path(), &[".", "--select", "NGX020"]);
    assert_eq!(
        findings(&report),
        [("NGX020".to_owned(), "conf.d/zones.conf".to_owned(), 1)]
    );
    // The finding points back at the `include` that put it there.
    let related = &report["findings"][0]["related"][0];
    assert_eq!(related["path"], "nginx.conf");
    assert_eq!(related["start_line"], 5);
    assert!(related["message"]
        .as_str()
        .expect("message")
        .contains("included here"));
}

#[cfg(unix)]
#[test]
fn sites_enabled_symlinks_resolve_to_the_site_and_it_is_judged_once() {
    let dir = tree(&[
        (
            "nginx.conf",
            b"events {}\nhttp {\n    server_tokens off;\n    include sites-enabled/*;\n}\n",
        ),
        (
            "sites-available/shop",
            b"server {\n    listen 80;\n    server_name shop.example.org;\n    root /srv/shop;\n}\n",
        ),
    ]);
    std::fs::create_dir(dir.path().join("sites-enabled")).expect("mkdir");
    std::os::unix::fs::symlink(
        "../sites-available/shop",
        dir.path().join("sites-enabled/shop"),
    )
    .expect("symlink");
    let (report, _) = json_report(dir.path(), &["."]);
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "NGX016");
}
