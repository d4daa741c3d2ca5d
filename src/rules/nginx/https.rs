//! NGX015–NGX016: HTTPS servers without a certificate, and public HTTP servers that serve
//! content instead of redirecting to HTTPS.

use crate::formats::nginx::NginxConfig;
use crate::message::Message;
use crate::msg;
use crate::rules::nginx::effective::{chain, inherited, Effective};
use crate::rules::nginx::servers::{is_redirecting, listens, public_names, servers};
use crate::rules::nginx::tree;
use crate::rules::Context;

/// Why a rule could not judge a level: what it needs may come from an include.
pub(super) const UNFOLLOWED_INCLUDE: &str =
    "an `include` that was not followed (outside the scan, or a glob matching nothing scanned) may set what the rule needs";

/// NGX015: a server listening with `ssl` and no certificate in effect (set in it, or
/// inherited from `http` or an included snippet).
pub fn without_certificate(cx: &mut Context<'_, NginxConfig>) {
    let Some(tree) = tree(cx.content) else { return };
    for (blocks, server) in servers(cx.content) {
        let Some(listen) = listens(server).into_iter().find(|l| l.ssl) else {
            continue;
        };
        let levels = chain(tree, &blocks, server);
        let lookups =
            ["ssl_certificate", "ssl_certificate_key"].map(|name| (name, inherited(&levels, name)));
        // An include that was not followed may bring the certificate.
        if lookups
            .iter()
            .any(|(_, found)| *found == Effective::Unknown)
        {
            cx.not_evaluated(UNFOLLOWED_INCLUDE);
            continue;
        }
        let missing: Vec<&'static str> = lookups
            .iter()
            .filter(|(_, found)| *found == Effective::Default)
            .map(|(name, _)| *name)
            .collect();
        if !missing.is_empty() {
            let missing = Message::join(missing.into_iter().map(|name| msg!("`{}`", name)), " or ");
            cx.report_on_listen(
                &blocks,
                server,
                &listen,
                msg!(
                    "this server listens with `ssl` but sets no {}, here or in `http`: nginx refuses to start; add `ssl_certificate /etc/letsencrypt/live/<name>/fullchain.pem;` and `ssl_certificate_key …/privkey.pem;`",
                    missing
                ),
            );
        }
    }
}

/// NGX016: a public server on port 80 that serves content over plain HTTP.
pub fn without_redirect(cx: &mut Context<'_, NginxConfig>) {
    for (blocks, server) in servers(cx.content) {
        let names = public_names(server);
        if names.is_empty() || is_redirecting(server) {
            continue;
        }
        let Some(listen) = listens(server)
            .into_iter()
            .find(|l| !l.ssl && !l.local && l.port == 80)
        else {
            continue;
        };
        let name = cx.public_name(server);
        cx.report_on_listen(
            &blocks,
            server,
            &listen,
            msg!(
                "`{}` is served over plain HTTP on port 80 without a redirect, so logins and cookies can travel unencrypted; add `return 301 https://$host$request_uri;` to this server (keep `location /.well-known/acme-challenge/` if needed)",
                name
            ),
        );
    }
}
