//! Rules for Node.js deployments: `package.json` start scripts (NODE001–NODE004), PM2
//! process files (NODE005–NODE006), and Express/Nest server files read with a real
//! JavaScript/TypeScript grammar (NODE007–NODE015): CORS, helmet, session and cookie
//! options, hardcoded signing secrets, and the address the server listens on.
//!
//! Findings about something absent point at the call it is missing from (`express()`,
//! `session({…})`, `app.listen(…)`), never at the first line of the file.

use crate::rules::{checks, RegisteredCheck};
pub mod pm2;
pub mod scripts;
pub mod secrets;
pub mod server;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "node-cookie-insecure" => server::cookie_not_secure;
    document "node-cookie-no-samesite" => server::cookie_no_same_site;
    document "node-cookie-script-readable" => server::cookie_not_http_only;
    document "node-cors-reflect-credentials" => server::cors_reflect_credentials;
    document "node-cors-wildcard" => server::cors_wildcard;
    document "node-hardcoded-secret" => secrets::hardcoded_secret;
    facts "node-helmet-missing" => server::Helmet;
    document "node-listen-all-interfaces" => server::listen_all_interfaces;
    document "node-script-dev-env" => scripts::dev_node_env;
    document "node-script-inspect" => scripts::inspect;
    document "node-script-nodemon" => scripts::nodemon;
    document "node-script-ts-node" => scripts::ts_node;
    document "node-session-memory-store" => server::session_memory_store;
    document "pm2-node-env" => pm2::node_env_not_production;
    document "pm2-watch" => pm2::watch_in_production;
};
