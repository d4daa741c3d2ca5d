//! NODE005–NODE006: PM2 process files (`ecosystem.config.js`). PM2 starts the app with the
//! environment written here, so `NODE_ENV` must say production, and `watch` restarts the
//! app whenever a file under it changes (uploads and logs included).

use crate::formats::javascript::{JsModule, JsNode, JsValue};
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::Context;

/// The app objects of a PM2 file: `module.exports = { apps: [ … ] }` (JSON: the document),
/// names resolved to their `const` values.
pub fn apps(module: &JsModule) -> Vec<&JsNode> {
    let Some(exports) = module.exports.as_ref().map(|e| module.resolve(e)) else {
        return Vec::new();
    };
    let list = match &exports.value {
        JsValue::Object(_) => exports.get("apps").map(|a| module.resolve(a)),
        JsValue::Array(_) => Some(exports),
        _ => None,
    };
    match list.map(|l| &l.value) {
        Some(JsValue::Array(items)) => items
            .iter()
            .map(|item| module.resolve(item))
            .filter(|item| matches!(item.value, JsValue::Object(_)))
            .collect(),
        Some(JsValue::Object(_)) => list.into_iter().collect(),
        _ => Vec::new(),
    }
}

/// `NODE_ENV` in one of an app's environment blocks: `None` when the block or the variable
/// is absent.
fn node_env<'a>(module: &'a JsModule, app: &'a JsNode, block: &str) -> Option<&'a JsNode> {
    let env = module.resolve(app.get(block)?);
    env.get("NODE_ENV").map(|v| module.resolve(v))
}

/// The app's `name` property, when it is a string, with its node.
fn name_of(app: &JsNode) -> Option<(&JsNode, &str)> {
    let node = app.get("name")?;
    Some((node, node.as_str()?))
}

/// The app as messages name it: "app `api`", or "the app".
fn app_name(app: &JsNode) -> Message {
    name_of(app).map_or_else(
        || "the app".into(),
        |(node, name)| msg!("app `{}`", Quote::derived(node.span, name)),
    )
}

/// The fingerprint key's prefix for the app (hashed, never shown).
fn app_key(app: &JsNode) -> String {
    name_of(app).map_or_else(|| "the app".to_owned(), |(_, name)| format!("app `{name}`"))
}

/// NODE005: an app whose environment does not set `NODE_ENV: 'production'`, or sets it to
/// development.
pub fn node_env_not_production(cx: &mut Context<'_, JsModule>) {
    let module = cx.content;
    for app in apps(module) {
        let key = format!("{}.env.NODE_ENV", app_key(app));
        let env = node_env(module, app, "env");
        let production = node_env(module, app, "env_production");
        let says = |v: Option<&JsNode>| v.and_then(JsNode::as_str).map(str::to_ascii_lowercase);
        let unknown = |v: Option<&JsNode>| v.is_some_and(|v| v.as_str().is_none());
        if says(production).as_deref() == Some("production") {
            continue;
        }
        if unknown(production) {
            cx.not_evaluated(
                "`env_production.NODE_ENV` is computed, not written: unknown statically",
            );
            continue;
        }
        match (says(env).as_deref(), env) {
            (Some("production"), _) => {}
            (Some(value @ ("development" | "dev" | "test")), Some(node)) => {
                cx.report(node.span, key,
                    msg!("{} runs with NODE_ENV={}: Express sends stack traces to clients and libraries turn off their production safeguards; set `NODE_ENV: 'production'` in `env` (or in `env_production`, started with `--env production`)", app_name(app), Quote::derived(node.span, value)));
            }
            _ if unknown(env) => {
                cx.not_evaluated("`env.NODE_ENV` is computed, not written: unknown statically");
            }
            _ => {
                let at = app.property("env").map_or(app.span, |p| p.key_span);
                let at = match env {
                    Some(node) => node.span,
                    None => at,
                };
                cx.report(at, key,
                    msg!("{} does not set `NODE_ENV: 'production'` in `env` or `env_production`: the app then runs in Express's development mode (stack traces to clients, no view cache) unless the shell happens to export it; set it in the process file", app_name(app)));
            }
        }
    }
}

/// NODE006: `watch` turned on for an app (restarts on every file change in production).
pub fn watch_in_production(cx: &mut Context<'_, JsModule>) {
    let module = cx.content;
    for app in apps(module) {
        let Some(watch) = app.get("watch").map(|w| module.resolve(w)) else {
            continue;
        };
        let on = match &watch.value {
            JsValue::Bool(on) => *on,
            JsValue::Str(s) => !s.is_empty(),
            JsValue::Array(items) => !items.is_empty(),
            _ => false,
        };
        if on {
            cx.report(watch.span, format!("{}.watch", app_key(app)),
                msg!("{} has `watch` on: PM2 restarts it whenever a watched file changes (an upload, a log line, a deploy in progress), dropping requests; set `watch: false` in the production process file", app_name(app)));
        }
    }
}
