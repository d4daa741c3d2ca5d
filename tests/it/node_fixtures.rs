//! Whole-project fixtures under `fixtures/node/<case>/`: each case's findings, one
//! `RULE path:line:column` per line, are the snapshot `fixture_projects__node__<case>.snap`
//! (see tests/it/main.rs to review and accept changes).

use crate::common::{self, case_findings, check_fixture_cases, json_report, root};

fn rules_of(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule_id"].as_str().expect("rule id").to_owned())
        .collect()
}

#[test]
fn node_fixtures_report_exactly_their_expected_findings() {
    assert!(check_fixture_cases("node") >= 5, "fixtures missing");
}

#[test]
fn every_node_rule_fails_somewhere_and_hardened_projects_pass() {
    let mut failing = Vec::new();
    for case in ["express-insecure", "nest-insecure"] {
        let (_, report) = case_findings(&root().join("fixtures/node").join(case));
        failing.extend(rules_of(&report));
    }
    for n in 1..=15 {
        let id = format!("NODE{n:03}");
        assert!(failing.contains(&id), "{id} has no failing fixture");
    }
    for case in ["express-hardened", "nest-hardened", "guide-pm2"] {
        let (got, report) = case_findings(&root().join("fixtures/node").join(case));
        assert!(rules_of(&report).is_empty(), "{case}:\n{got}");
    }
}

#[test]
fn the_guides_process_file_and_cluster_bootstrap_are_read_and_pass() {
    // S0's ecosystem.config.js is checked (NODE005 would fire without its NODE_ENV), and
    // S0's server.js, which requires no web framework, is not read as a server file.
    let dir = common::tree(&[(
        "ecosystem.config.js",
        std::fs::read_to_string(root().join("fixtures/node/guide-pm2/ecosystem.config.js"))
            .expect("fixture")
            .replace("NODE_ENV: 'production',", "")
            .as_bytes(),
    )]);
    let (report, _) = json_report(dir.path(), &["."]);
    assert_eq!(rules_of(&report), ["NODE005"]);
    let (got, report) = case_findings(&root().join("fixtures/node/guide-pm2"));
    assert!(rules_of(&report).is_empty(), "{got}");
}

#[test]
fn absent_options_are_reported_at_the_call_not_line_one() {
    let (_, report) = case_findings(&root().join("fixtures/node/express-insecure"));
    for f in report["findings"].as_array().expect("findings") {
        if matches!(
            f["rule_id"].as_str(),
            Some("NODE009" | "NODE013" | "NODE015")
        ) {
            assert_ne!(f["location"]["start_line"], 1, "{f}");
        }
    }
}

#[test]
fn javascript_files_that_import_no_server_package_are_not_read() {
    let dir = common::tree(&[
        (
            "src/utils/format.js",
            b"const secret = 'cnry4xNotServer';\nmodule.exports = { secret };\n" as &[u8],
        ),
        (
            "src/index.ts",
            b"export const add = (a: number, b: number) => a + b;\n",
        ),
    ]);
    let (report, code) = json_report(dir.path(), &["."]);
    assert_eq!(code, 0, "{report}");
    assert!(report["findings"].as_array().expect("findings").is_empty());
}

#[test]
fn helmet_is_judged_per_package_not_per_scan() {
    let app = b"const express = require('express');\nconst app = express();\napp.listen(3000, '127.0.0.1');\n" as &[u8];
    let with_helmet = b"const express = require('express');\nconst helmet = require('helmet');\nconst app = express();\napp.use(helmet());\napp.listen(3000, '127.0.0.1');\n" as &[u8];
    let dir = common::tree(&[
        ("api/package.json", b"{\"name\": \"api\"}\n" as &[u8]),
        ("api/server.js", app),
        ("admin/package.json", b"{\"name\": \"admin\"}\n"),
        ("admin/server.js", with_helmet),
    ]);
    let (report, _) = json_report(dir.path(), &["."]);
    let helmet: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "NODE009")
        .map(|f| f["location"]["path"].as_str().expect("path"))
        .collect();
    assert_eq!(helmet, ["api/server.js"]);
}

#[test]
fn helmet_is_judged_per_nearest_package_among_several_and_nested_ones() {
    let create =
        b"const express = require('express');\nconst app = express();\nmodule.exports = app;\n"
            as &[u8];
    let listen = b"const app = require('./app');\napp.listen(3000, '127.0.0.1');\n" as &[u8];
    let with_helmet = b"const express = require('express');\nconst helmet = require('helmet');\nconst app = express();\napp.use(helmet());\napp.listen(3000, '127.0.0.1');\n" as &[u8];
    let uses_helmet =
        b"const helmet = require('helmet');\nmodule.exports = (app) => app.use(helmet());\n"
            as &[u8];
    let package = b"{\"name\": \"p\"}\n" as &[u8];
    let dir = common::tree(&[
        // Created in one file, started in another, no helmet: reported at the creation.
        ("services/api/package.json", package),
        ("services/api/src/app.js", create),
        ("services/api/src/server.js", listen),
        // Helmet applied in another file of the same package: nothing.
        ("services/admin/package.json", package),
        ("services/admin/src/app.js", create),
        ("services/admin/src/server.js", listen),
        ("services/admin/src/security.js", uses_helmet),
        // A package nested in another is a project of its own, both ways.
        ("services/web/package.json", package),
        ("services/web/server.js", with_helmet),
        ("services/web/tools/package.json", package),
        ("services/web/tools/server.js", b"const express = require('express');\nconst app = express();\napp.listen(9000, '127.0.0.1');\n"),
        // Created but never started in its package: nothing.
        ("services/lib/package.json", package),
        ("services/lib/src/app.js", create),
        // Files under no package.json are one project together.
        ("scripts/src/app.js", create),
        ("scripts/server.js", listen),
    ]);
    let (report, _) = json_report(dir.path(), &[".", "--select", "NODE009"]);
    let helmet: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["location"]["path"].as_str().expect("path"))
        .collect();
    assert_eq!(
        helmet,
        [
            "scripts/src/app.js",
            "services/api/src/app.js",
            "services/web/tools/server.js"
        ]
    );
}

#[test]
fn a_json_process_file_is_read_like_a_javascript_one() {
    let dir = common::tree(&[(
        "ecosystem.config.json",
        b"{\n  \"apps\": [{\n    \"name\": \"api\",\n    \"script\": \"dist/main.js\",\n    \"watch\": true,\n    \"env\": { \"NODE_ENV\": \"development\" }\n  }]\n}\n" as &[u8],
    )]);
    let (report, _) = json_report(dir.path(), &["."]);
    let found: Vec<(String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().expect("rule").to_owned(),
                f["location"]["start_line"].as_u64().expect("line"),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("NODE006".to_owned(), 5), ("NODE005".to_owned(), 6)],
        "{report}"
    );
}
