//! `--format html`: one self-contained page. Escaping of hostile file names (no browser
//! needed), a snapshot of a small report's body, `-o *.html`; then the reports of the bundled
//! example and of a three-host fleet (three saved host snapshots, `check --snapshot`) opened
//! in headless Chromium: the page loads without a console error or any request beyond its
//! own file, its script runs to the end, the counts it shows are the JSON report's, and its
//! filters (applied from the URL's fragment, as a shared link does) show exactly the rows the
//! JSON says they should. Screenshots of both are written to a temporary folder, or to
//! `docs/` with `PREFLIGHT_UPDATE_SCREENSHOTS=1`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{assert_snapshots, json_report, preflight, preflight_in, root, tree, Snapshot};

/// `preflight check ARGS --format html` run in `dir`: the page.
fn html_in(dir: &Path, args: &[&str]) -> String {
    let output = preflight_in(dir)
        .arg("check")
        .args(args)
        .args(["--format", "html", "--fail-on", "never"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// A file name with markup, quotes, `&` and control characters (a bell, an escape).
const HOSTILE_DIR: &str = "x<script>alert(1)<";
const HOSTILE_FILE: &str = "script><img src=x onerror=alert(2)>&\"'\u{7}\u{1b}[31m.env";

#[test]
fn hostile_file_names_and_values_stay_text() {
    let path = format!("{HOSTILE_DIR}/{HOSTILE_FILE}");
    let dir = tree(&[(path.as_str(), b"DEBUG=true\nSECRET_KEY=changeme-<b>&\"'\n")]);
    let page = html_in(dir.path(), &[".", "--results", "all"]);
    let (json, _) = json_report(dir.path(), &[".", "--fail-on", "never"]);
    let shown = json["findings"][0]["location"]["path"]
        .as_str()
        .expect("path");
    assert!(shown.contains("</script>"), "{shown}");
    // Only the page's own script element; no element from the name.
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    assert!(!page.contains("<img"), "{page}");
    assert!(!page.contains('\u{7}') && !page.contains('\u{1b}'));
    let escaped = "x&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&amp;&quot;&#39;␇␛[31m.env";
    assert!(page.contains(escaped), "{page}");
    // In attributes too (the sort key of the location cell).
    assert!(
        page.contains(&format!("data-key=\"./{escaped} "))
            || page.contains(&format!("data-key=\"{escaped} ")),
        "{page}"
    );
    // The secret is masked as in every report: the value never reaches the page, the
    // JSON's masked snippet does.
    assert!(!page.contains("changeme-&lt;b&gt;"), "{page}");
    let masked = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["snippet"]["text"].as_str().expect("snippet"))
        .find(|s| s.starts_with("SECRET_KEY="))
        .expect("the secret's finding");
    assert!(masked.contains("****"), "{masked}");
    assert!(
        page.contains(
            &masked
                .replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        ) || page.contains("SECRET_KEY=<mark>"),
        "{page}"
    );
}

/// The `<main>` of a page (the style and script are the same in every report).
fn main_of(page: &str) -> &str {
    let start = page.find("<main>").expect("<main>");
    let end = page.find("</main>").expect("</main>");
    &page[start..end + "</main>".len()]
}

#[test]
fn a_small_report_as_users_see_it() {
    let dir = tree(&[
        (
            "app/.env.production",
            b"DEBUG=true\nSECRET_KEY=changeme\n# preflight: ignore[ENV012] rotated weekly\nAPI_TOKEN=x\n",
        ),
        (
            "etc/nginx/conf.d/redirect.conf",
            b"server {\n    listen 80;\n    server_name shop.example;\n    return 301 https://$host$request_uri;\n}\n",
        ),
        (
            "etc/nginx/conf.d/shop.conf",
            b"server {\n    listen 443 ssl;\n    server_name shop.example;\n    ssl_certificate /etc/ssl/shop.pem;\n    ssl_certificate_key /etc/ssl/shop.key;\n    server_tokens off;\n}\n",
        ),
    ]);
    let page = html_in(
        dir.path(),
        &[
            ".",
            "--no-config",
            "--framework",
            "devsec-nginx",
            "--ignore",
            "ENV015,ENV016",
        ],
    );
    assert_snapshots(
        "html",
        [Snapshot {
            name: "small-report".into(),
            description: "`preflight check . --framework devsec-nginx --format html` on a .env file (a finding suppressed) and two nginx servers, one without HSTS: the page's <main>".into(),
            text: main_of(&page).to_owned(),
        }],
    );
}

#[test]
fn an_html_file_name_picks_the_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("Report.HTML");
    let output = preflight()
        .args([
            "check",
            "examples/insecure-shop",
            "--fail-on",
            "never",
            "-o",
        ])
        .arg(&file)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{output:?}");
    let page = std::fs::read_to_string(&file).expect("written");
    assert!(page.starts_with("<!DOCTYPE html>"), "{page:.200}");
    assert!(page.trim_end().ends_with("</html>"));
}

/// Without a framework, `--results all` gives a target × rule matrix: a row per file, a
/// column per rule that judged something, each cell the JSON's status of that rule there.
#[test]
fn results_without_a_framework_make_a_rule_matrix() {
    let args = ["examples/insecure-shop", "--results", "all"];
    let page = html_in(&root(), &args);
    let (json, _) = json_report(&root(), &[&args[..], &["--fail-on", "never"]].concat());
    let matrix = &page[page.find("<section id=\"matrix\">").expect("a matrix")..];
    let matrix = &matrix[..matrix.find("</section>").expect("end")];
    let mut checked = 0;
    for result in json["results"].as_array().expect("results") {
        let (Some(path), Some(status)) = (result["path"].as_str(), result["status"].as_str())
        else {
            continue;
        };
        let rule = result["rule_id"].as_str().expect("rule");
        let row_start = matrix
            .find(&format!("<td class=\"target mono\">{path}</td>"))
            .unwrap_or_else(|| panic!("no row for {path}"));
        let row = &matrix[row_start..];
        let row = &row[..row.find("</tr>").expect("row end")];
        let cell = format!("<td class=\"{status}\" title=\"{rule}: ");
        if status == "not_applicable" && !matrix.contains(&format!(">{rule}</th>")) {
            continue; // a rule that judged nothing anywhere has no column
        }
        assert!(row.contains(&cell), "{path} {rule} {status}: {row}");
        checked += 1;
    }
    assert!(checked > 50, "{checked} cells checked");
}

/// `page` parsed by html5lib (the WHATWG parsing algorithm browsers implement): its parse
/// errors, how many elements of each tag, and how many `on…` event-handler attributes.
fn parse_html5(page: &str) -> serde_json::Value {
    use std::io::Write as _;
    const SCRIPT: &str = r#"
import html5lib, json, sys
parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
doc = parser.parse(sys.stdin.buffer.read())
tags, handlers = {}, 0
for el in doc.iter():
    if isinstance(el.tag, str):
        tags[el.tag] = tags.get(el.tag, 0) + 1
        handlers += sum(1 for a in el.attrib if a.lower().startswith("on"))
print(json.dumps({"errors": [repr(e) for e in parser.errors], "tags": tags, "handlers": handlers}))
"#;
    let mut child = Command::new("python3")
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(page.as_bytes())
        .expect("page written");
    let output = child.wait_with_output().expect("python3 ends");
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).expect("JSON")
}

/// The pages parse without a single error, and a hostile file name adds no element: one
/// script (the page's own), no image, no event handler.
#[test]
#[cfg_attr(
    not(test_tool = "html5lib"),
    ignore = "needs html5lib (pip install html5lib)"
)]
fn pages_parse_without_errors_and_names_add_no_element() {
    let path = format!("{HOSTILE_DIR}/{HOSTILE_FILE}");
    let dir = tree(&[(path.as_str(), b"DEBUG=true\nSECRET_KEY=changeme-<b>&\"'\n")]);
    let hostile = html_in(dir.path(), &[".", "--results", "all"]);
    let parsed = parse_html5(&hostile);
    assert_eq!(parsed["errors"], serde_json::json!([]), "{parsed}");
    assert_eq!(parsed["tags"]["script"], 1, "{parsed}");
    assert!(parsed["tags"]["img"].is_null(), "{parsed}");
    assert_eq!(parsed["handlers"], 0, "{parsed}");
    let example = html_in(
        &root(),
        &[
            "examples/insecure-shop",
            "--framework",
            "asvs-4.0.3,devsec-nginx",
            "--results",
            "all",
        ],
    );
    let parsed = parse_html5(&example);
    assert_eq!(parsed["errors"], serde_json::json!([]), "{parsed}");
    assert!(
        parsed["tags"]["tbody"].as_u64().expect("tbody") > 50,
        "{parsed}"
    );
    // Nothing that loads: one inline script, no element that fetches.
    assert_eq!(parsed["tags"]["script"], 1, "{parsed}");
    for tag in [
        "link", "img", "iframe", "object", "embed", "audio", "video", "source", "base",
    ] {
        assert!(parsed["tags"][tag].is_null(), "<{tag}> in {parsed}");
    }
    assert!(!example.contains("url("), "a CSS url() in the page");
    // The check can fail: a stray end tag and a duplicate attribute are parse errors.
    let broken = parse_html5("<!DOCTYPE html><title>t</title><p id=a id=b></span>");
    assert!(
        broken["errors"].as_array().expect("errors").len() >= 2,
        "{broken}"
    );
}

/// Three hosts saved as snapshots under `dir` (`web1`, `web2`, `db1`), each with the sshd
/// and nginx configurations of fixtures: a hardened one, a cloud image's defaults, a guide's.
pub fn three_hosts(dir: &Path) -> Vec<PathBuf> {
    use preflight::formats::Target;
    use preflight::live::snapshot::{HostSnapshot, SnapshotFile};
    let read = |path: &str| std::fs::read(root().join(path)).expect("fixture");
    let hosts = [
        (
            "web1",
            "fixtures/sshd/pass-hardened.sshd_config",
            Some("fixtures/nginx/pass-hardened.conf"),
        ),
        (
            "web2",
            "fixtures/sshd/fail-debian-cloud-init.sshd_config",
            Some("fixtures/nginx/fail-s3-guide.conf"),
        ),
        ("db1", "fixtures/sshd/fail-s0-guide.sshd_config", None),
    ];
    hosts
        .iter()
        .map(|(host, sshd, nginx)| {
            let mut files = vec![SnapshotFile {
                path: "/etc/ssh/sshd_config".into(),
                target: Target::Sshd,
                bytes: read(sshd),
            }];
            if let Some(nginx) = nginx {
                files.push(SnapshotFile {
                    path: "/etc/nginx/nginx.conf".into(),
                    target: Target::Nginx,
                    bytes: read(nginx),
                });
            }
            let snapshot = HostSnapshot {
                host: (*host).into(),
                collected_at: std::time::SystemTime::UNIX_EPOCH
                    + std::time::Duration::from_secs(1_767_225_600),
                files,
                unable: Vec::new(),
            };
            let folder = dir.join(host);
            preflight::live::save::save(&snapshot, &format!("ssh://{host}"), &folder)
                .expect("save");
            folder
        })
        .collect()
}

mod chromium {
    //! The pages in headless Chromium.

    use super::*;

    /// What Chromium made of a page: the DOM after the script ran, the console messages,
    /// and the URLs the page requested.
    struct Loaded {
        dom: String,
        console: Vec<String>,
        requests: Vec<String>,
    }

    /// Opens `url` in headless Chromium with a fresh profile and no background
    /// networking; `extra` adds flags (`--blink-settings=scriptEnabled=false`).
    fn load(url: &str, extra: &[&str]) -> Loaded {
        let dir = tempfile::tempdir().expect("tempdir");
        let netlog = dir.path().join("net.json");
        let output = Command::new("chromium")
            .args(chromium_flags(dir.path()))
            .arg(format!("--log-net-log={}", netlog.display()))
            .args([
                "--enable-logging=stderr",
                "--v=0",
                "--virtual-time-budget=5000",
            ])
            .args(extra)
            .arg("--dump-dom")
            .arg(url)
            .output()
            .expect("chromium runs");
        assert!(output.status.success(), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let console = stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .map(str::to_owned)
            .collect();
        Loaded {
            dom: String::from_utf8(output.stdout).expect("UTF-8"),
            console,
            requests: page_requests(&netlog),
        }
    }

    /// Flags for a quiet, reproducible headless run.
    fn chromium_flags(profile: &Path) -> Vec<String> {
        let mut flags: Vec<String> = [
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--hide-scrollbars",
            // Containers often have a small /dev/shm, which crashes Chromium's renderer.
            "--disable-dev-shm-usage",
        ]
        .map(String::from)
        .to_vec();
        flags.push(format!("--user-data-dir={}", profile.display()));
        // Chromium's sandbox refuses to start as root (CI runs as root).
        if is_root() {
            flags.push("--no-sandbox".into());
        }
        flags
    }

    fn is_root() -> bool {
        Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
    }

    /// The URLs requested on behalf of a `file:` page, from Chromium's net log (the
    /// browser's own traffic, which a fresh profile still makes, has another isolation key).
    fn page_requests(netlog: &Path) -> Vec<String> {
        let text = std::fs::read_to_string(netlog).expect("net log");
        // Chromium may stop before closing the JSON array: close it.
        let log: serde_json::Value = serde_json::from_str(&text)
            .or_else(|_| {
                serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(',')))
            })
            .expect("net log is JSON");
        let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].clone();
        log["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["type"] == start_job)
            .filter(|e| {
                e["params"]["network_isolation_key"]
                    .as_str()
                    .is_some_and(|k| k.starts_with("file://"))
                    || e["params"]["initiator"] == "null"
            })
            .filter_map(|e| e["params"]["url"].as_str().map(str::to_owned))
            .collect()
    }

    fn screenshot(url: &str, file: &Path) {
        let dir = tempfile::tempdir().expect("tempdir");
        let output = Command::new("chromium")
            .args(chromium_flags(dir.path()))
            .args(["--window-size=1280,1500", "--virtual-time-budget=5000"])
            .arg(format!("--screenshot={}", file.display()))
            .arg(url)
            .output()
            .expect("chromium runs");
        assert!(output.status.success(), "{output:?}");
        let png = std::fs::read(file).expect("screenshot written");
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 10_000,
            "{}",
            png.len()
        );
    }

    fn file_url(path: &Path) -> String {
        // Percent-encode what a URL path cannot hold as is (the temp folders are plain).
        format!("file://{}", path.display()).replace(' ', "%20")
    }

    /// The value of `attribute` in the first element after `anchor` in `dom` that has it.
    fn attr_after(dom: &str, anchor: &str, attribute: &str) -> String {
        let at = dom
            .find(anchor)
            .unwrap_or_else(|| panic!("{anchor} not in the page"));
        let rest = &dom[at..];
        let key = format!("{attribute}=\"");
        let start = rest
            .find(&key)
            .unwrap_or_else(|| panic!("no {attribute} after {anchor}"))
            + key.len();
        rest[start..][..rest[start..].find('"').expect("closing quote")].to_owned()
    }

    /// The text of the element whose start tag ends with `tag_end` (`id="count-high">`).
    fn text_of(dom: &str, tag_end: &str) -> String {
        let start = dom
            .find(tag_end)
            .unwrap_or_else(|| panic!("{tag_end} not in the page"))
            + tag_end.len();
        dom[start..][..dom[start..].find('<').expect("end tag")].to_owned()
    }

    fn count(json: &serde_json::Value) -> u64 {
        json.as_u64()
            .unwrap_or_else(|| panic!("not a count: {json}"))
    }

    /// Loads the page, checks it against its JSON report, and returns the DOM.
    fn check_page(page: &Path, json: &serde_json::Value) -> String {
        let url = file_url(page);
        let loaded = load(&url, &[]);
        assert!(loaded.console.is_empty(), "console: {:#?}", loaded.console);
        let foreign: Vec<&String> = loaded
            .requests
            .iter()
            .filter(|u| !u.starts_with("file://"))
            .collect();
        assert!(foreign.is_empty(), "requests: {foreign:?}");
        let dom = loaded.dom;
        assert!(
            dom.contains("data-ready=\"true\""),
            "the script did not finish"
        );
        // The filters are shown once the script runs.
        assert!(
            !dom.contains("<form id=\"filters\" hidden"),
            "filters hidden"
        );
        // Counts shown = the JSON's.
        let summary = &json["summary"];
        assert_eq!(
            text_of(&dom, "id=\"count-findings\">"),
            count(&summary["findings"]).to_string()
        );
        for (severity, n) in summary["by_severity"].as_object().expect("by_severity") {
            assert_eq!(
                text_of(&dom, &format!("id=\"count-{severity}\">")),
                count(n).to_string(),
                "{severity}"
            );
        }
        assert_eq!(
            text_of(&dom, "id=\"files-checked\">"),
            count(&summary["files_checked"]).to_string()
        );
        if let Some(results) = summary["results"].as_object() {
            for (status, n) in results {
                assert_eq!(
                    text_of(&dom, &format!("id=\"results-{status}\">")),
                    count(n).to_string(),
                    "{status}"
                );
            }
        }
        for rollup in json["compliance"].as_array().into_iter().flatten() {
            let id = rollup["framework"]["id"].as_str().expect("id");
            let section = &dom[dom
                .find(&format!("id=\"framework-{id}\""))
                .expect("section")..];
            let totals = &rollup["totals"];
            for (class, field) in [
                ("pass", "passed"),
                ("fail", "failed"),
                ("not_applicable", "not_applicable"),
                ("not_evaluated", "not_evaluated"),
                ("not_covered", "not_covered"),
            ] {
                assert_eq!(
                    text_of(section, &format!("data-total=\"{class}\">")),
                    count(&totals[field]).to_string(),
                    "{id} {field}"
                );
            }
        }
        // Unfiltered, every finding is listed.
        let findings = json["findings"].as_array().expect("findings");
        assert_eq!(
            attr_after(&dom, "data-shown-for=\"findings\"", "data-shown"),
            findings.len().to_string()
        );
        assert_eq!(
            dom.matches("<tbody class=\"finding\"").count(),
            findings.len()
        );
        dom
    }

    /// A filter from the URL's fragment shows exactly the rows it should.
    fn check_filter(page: &Path, fragment: &str, table: &str, expected: usize) {
        let url = format!("{}#{fragment}", file_url(page));
        let loaded = load(&url, &[]);
        assert!(loaded.console.is_empty(), "console: {:#?}", loaded.console);
        let dom = loaded.dom;
        assert_eq!(
            attr_after(&dom, &format!("data-shown-for=\"{table}\""), "data-shown"),
            expected.to_string(),
            "#{fragment}"
        );
        // The rows hidden are hidden in the DOM, not only counted.
        let rows = if table == "findings" {
            "<tbody class=\"finding\""
        } else {
            "<tr data-filtered"
        };
        let start = dom.find(&format!("id=\"{table}\"")).expect("table");
        let end = start + dom[start..].find("</table>").expect("table end");
        let shown = dom[start..end]
            .split(rows)
            .skip(1)
            .filter(|row| !row[..row.find('>').expect("tag end")].contains(" hidden"))
            .count();
        assert_eq!(shown, expected, "#{fragment}");
    }

    /// Sorting from the fragment (the same code a click on a column's header runs): by
    /// severity ascending, the least severe first — the reverse of the page's own order.
    fn check_sort(page: &Path, findings: usize) {
        let url = format!("{}#sort=findings:0", file_url(page));
        let loaded = load(&url, &[]);
        assert!(loaded.console.is_empty(), "console: {:#?}", loaded.console);
        let dom = loaded.dom;
        let ranks = |dom: &str| -> Vec<u32> {
            dom.split("<tbody class=\"finding\"")
                .skip(1)
                .map(|unit| attr_after(unit, "<td ", "data-key").parse().expect("rank"))
                .collect()
        };
        let sorted = ranks(&dom);
        assert_eq!(sorted.len(), findings);
        assert!(sorted.windows(2).all(|w| w[0] <= w[1]), "{sorted:?}");
        assert!(dom.contains("aria-sort=\"ascending\""));
        let written = ranks(&std::fs::read_to_string(page).expect("page"));
        assert!(written.windows(2).all(|w| w[0] >= w[1]), "{written:?}");
        assert_ne!(
            sorted, written,
            "every finding has the same severity: nothing sorted"
        );
    }

    fn active(json: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
        json["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["suppression"].is_null() && f["baseline"] != "unchanged")
    }

    fn save_screenshot(page: &Path, name: &str) {
        let dir = tempfile::tempdir().expect("tempdir");
        let shot = dir.path().join(name);
        screenshot(&file_url(page), &shot);
        if std::env::var_os("PREFLIGHT_UPDATE_SCREENSHOTS").is_some() {
            std::fs::copy(&shot, root().join("docs").join(name)).expect("copy to docs/");
        }
    }

    #[test]
    #[cfg_attr(
        not(test_tool = "chromium"),
        ignore = "needs chromium (apt-get install chromium)"
    )]
    fn the_bundled_example_in_chromium() {
        let args = [
            "examples/insecure-shop",
            "--framework",
            "asvs-4.0.3,devsec-nginx",
            "--results",
            "all",
            "--fail-on",
            "never",
        ];
        let dir = tempfile::tempdir().expect("tempdir");
        let page = dir.path().join("insecure-shop.html");
        let output = preflight()
            .arg("check")
            .args(args)
            .arg("-o")
            .arg(&page)
            .output()
            .expect("runs");
        assert!(output.status.success(), "{output:?}");
        let (json, _) = json_report(&root(), &args);
        check_page(&page, &json);
        let critical = active(&json)
            .filter(|f| f["severity"] == "critical")
            .count();
        assert!(critical > 0);
        check_filter(&page, "severity=critical&status=fail", "findings", critical);
        let passed = json["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter(|r| r["status"] == "pass")
            .count();
        assert!(passed > 0);
        check_filter(&page, "status=pass", "results", passed);
        check_sort(&page, json["findings"].as_array().expect("findings").len());
        // Without JavaScript the page is the file as written (Chromium's --dump-dom needs
        // scripts, so the file is read): every finding listed, none hidden, the filter form
        // (useless without a script) hidden.
        let written = std::fs::read_to_string(&page).expect("page");
        assert!(written.contains("<form id=\"filters\" hidden>"));
        assert_eq!(
            written
                .matches("<tbody class=\"finding\" data-filtered ")
                .count(),
            json["findings"].as_array().expect("findings").len()
        );
        assert!(!written.contains(" hidden data-"));
        // It prints (to PDF, as a browser's "Save as PDF" does) to several pages.
        let pdf = dir.path().join("insecure-shop.pdf");
        let profile = tempfile::tempdir().expect("tempdir");
        let output = Command::new("chromium")
            .args(chromium_flags(profile.path()))
            .arg("--no-pdf-header-footer")
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(file_url(&page))
            .output()
            .expect("chromium runs");
        assert!(output.status.success(), "{output:?}");
        let pdf = std::fs::read(&pdf).expect("PDF written");
        assert!(pdf.starts_with(b"%PDF-"));
        let pages = pdf
            .windows(12)
            .filter(|w| w.starts_with(b"/Type /Page") && w[11] != b's')
            .count();
        assert!(pages >= 3, "{pages} pages");
        save_screenshot(&page, "html-report-example.png");
    }

    #[test]
    #[cfg_attr(
        not(test_tool = "chromium"),
        ignore = "needs chromium (apt-get install chromium)"
    )]
    fn a_three_host_fleet_in_chromium() {
        let dir = tempfile::tempdir().expect("tempdir");
        let folders = three_hosts(dir.path());
        let mut args: Vec<String> = Vec::new();
        for folder in &folders {
            args.push("--snapshot".into());
            args.push(
                folder
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
            );
        }
        args.extend(
            [
                "--framework",
                "devsec-ssh,devsec-nginx",
                "--fail-on",
                "never",
            ]
            .map(String::from),
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let page = dir.path().join("fleet.html");
        let output = preflight_in(dir.path())
            .arg("check")
            .args(&args)
            .arg("-o")
            .arg(&page)
            .output()
            .expect("runs");
        assert!(output.status.success(), "{output:?}");
        let (json, _) = json_report(dir.path(), &args);
        let dom = check_page(&page, &json);
        // Three hosts, each a row of each framework's matrix.
        assert_eq!(text_of(&dom, "id=\"hosts-checked\">"), "3");
        for rollup in json["compliance"].as_array().expect("compliance") {
            let targets = rollup["targets"].as_array().expect("targets");
            let id = rollup["framework"]["id"].as_str().expect("id");
            let section = &dom[dom
                .find(&format!("id=\"framework-{id}\""))
                .expect("section")..];
            let section = &section[..section.find("</section>").expect("end")];
            assert!(targets.len() >= 2, "{id}: {targets:?}");
            for target in targets {
                let name = target["target"].as_str().expect("target");
                assert!(
                    section.contains(&format!("<td class=\"target mono\">{name}</td>")),
                    "{id}: {name}"
                );
                // One cell per control judged there, with its status.
                let row = &section[section.find(&format!(">{name}</td>")).expect("row")..];
                let row = &row[..row.find("</tr>").expect("row end")];
                for control in target["controls"].as_array().expect("controls") {
                    let status = control["status"].as_str().expect("status");
                    let control = control["control"].as_str().expect("control");
                    assert!(
                        row.contains(&format!("<td class=\"{status}\" title=\"{control}: ")),
                        "{id} {name} {control} {status}: {row}"
                    );
                }
            }
        }
        // The framework filter: findings of rules mapped to devsec-ssh only.
        let catalog = preflight::policy::Catalog::builtin().expect("catalog");
        let ssh = json["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| {
                catalog
                    .get(f["rule_id"].as_str().expect("rule"))
                    .is_some_and(|r| r.controls.iter().any(|c| c.starts_with("devsec-ssh:")))
            })
            .count();
        assert!(ssh > 0 && ssh < json["findings"].as_array().expect("findings").len());
        check_filter(&page, "framework=devsec-ssh", "findings", ssh);
        let failed_ssh_controls = json["compliance"][0]["controls"]
            .as_array()
            .expect("controls")
            .iter()
            .filter(|c| c["status"] == "fail")
            .count();
        assert_eq!(json["compliance"][0]["framework"]["id"], "devsec-ssh");
        check_filter(
            &page,
            "status=fail",
            "controls-devsec-ssh",
            failed_ssh_controls,
        );
        save_screenshot(&page, "html-report-fleet.png");
    }

    /// The checks above can fail: a page that requests an image and throws is caught.
    #[test]
    #[cfg_attr(
        not(test_tool = "chromium"),
        ignore = "needs chromium (apt-get install chromium)"
    )]
    fn a_page_that_requests_or_throws_is_caught() {
        let dir = tree(&[(
            "bad.html",
            b"<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/x.png\"><script>nope();</script></body></html>",
        )]);
        let loaded = load(&file_url(&dir.path().join("bad.html")), &[]);
        assert!(
            loaded
                .requests
                .iter()
                .any(|u| u.starts_with("http://127.0.0.1:9/")),
            "{:?}",
            loaded.requests
        );
        assert!(
            loaded
                .console
                .iter()
                .any(|l| l.contains("nope is not defined")),
            "{:?}",
            loaded.console
        );
    }
}
