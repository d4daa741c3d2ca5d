//! The effective configuration: what applies at a level once nginx's inheritance is applied.
//!
//! nginx merges settings from `http` into `server` into `location` (and `if`): a directive
//! with one value (`client_max_body_size`, `server_tokens`) takes the value of the innermost
//! level that sets it; a directive that can be repeated (`limit_req`, `add_header`) is
//! inherited as a whole, and only into levels that set none of their own — the trap behind
//! NGX010. nginx 1.29.3's `add_header_inherit merge|off` changes that for headers. It is
//! modelled here once; rules ask "which headers does a response from this server get" or
//! "is any `limit_req` in effect in this location", and get `Unknown` when an `include`
//! preflight could not follow stands in the way.
//!
//! When a file's outermost level is a fragment (a site file, whose `http` block is in an
//! `nginx.conf` the scan does not have), the levels above it are taken to be a stock
//! `nginx.conf` — Debian's and the official image's set no headers, rate limits or body
//! size limits — so a site file is judged on what it sets itself.

use crate::formats::nginx::includes::package_file;
use crate::formats::nginx::NginxDirective;

/// The directive lists of each level, outermost (the file's top level) first.
pub type Chain<'a> = Vec<&'a [NginxDirective]>;

/// The levels from the top of `tree` down to and including `block`.
pub fn chain<'a>(
    tree: &'a [NginxDirective],
    blocks: &[&'a NginxDirective],
    block: &'a NginxDirective,
) -> Chain<'a> {
    std::iter::once(tree)
        .chain(blocks.iter().map(|b| b.children()))
        .chain(std::iter::once(block.children()))
        .collect()
}

/// What is in effect at a level.
#[derive(Debug, PartialEq, Eq)]
pub enum Effective<T> {
    /// Set at this level or inherited from one above.
    Set(T),
    /// Set nowhere: nginx's default applies.
    Default,
    /// An `include` preflight could not follow may set it.
    Unknown,
}

/// Whether `list` has an `include` that was not followed and may set anything.
pub fn has_unfollowed_include(list: &[NginxDirective]) -> bool {
    list.iter().any(|d| {
        d.name == "include"
            && d.args
                .first()
                .is_none_or(|path| package_file(&path.value) != Some(true))
    })
}

/// Every `name` directive in effect at the innermost level of `chain`, for directives nginx
/// inherits as a whole (`limit_req`, `proxy_set_header`): those of the innermost level that
/// has any. For single-valued directives the last of them is the value.
pub fn inherited<'a>(
    chain: &[&'a [NginxDirective]],
    name: &str,
) -> Effective<Vec<&'a NginxDirective>> {
    for list in chain.iter().rev() {
        let own: Vec<&NginxDirective> = list.iter().filter(|d| d.name == name).collect();
        if !own.is_empty() {
            return Effective::Set(own);
        }
        if has_unfollowed_include(list) {
            return Effective::Unknown;
        }
    }
    Effective::Default
}

/// How a level passes `add_header` on to the levels inside it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HeaderInheritance {
    /// nginx's classic rule: inherited only into levels that set no `add_header`.
    Replace,
    /// `add_header_inherit merge`: inherited and own headers both apply.
    Merge,
    /// `add_header_inherit off`: nothing is inherited, deliberately.
    Off,
}

/// The response headers in effect at a level.
#[derive(Clone, Debug)]
pub struct HeaderScope<'a> {
    /// The `add_header` directives a response gets here.
    pub headers: Vec<&'a NginxDirective>,
    /// How this level passes them on.
    pub mode: HeaderInheritance,
    /// An `include` preflight could not follow may add headers at this level.
    pub unknown: bool,
}

impl<'a> HeaderScope<'a> {
    /// Above the outermost level: no headers.
    pub fn top() -> Self {
        Self {
            headers: Vec::new(),
            mode: HeaderInheritance::Replace,
            unknown: false,
        }
    }

    /// The headers along a whole chain of levels.
    pub fn along(chain: &[&'a [NginxDirective]]) -> Self {
        chain
            .iter()
            .fold(Self::top(), |scope, list| scope.enter(list))
    }

    /// The headers of the level whose directives are `list`, inside this one.
    pub fn enter(&self, list: &'a [NginxDirective]) -> Self {
        let own: Vec<&NginxDirective> = list.iter().filter(|d| d.name == "add_header").collect();
        let mode = match list
            .iter()
            .rev()
            .find(|d| d.name == "add_header_inherit")
            .and_then(|d| d.args.first())
        {
            Some(arg) if arg.value == "merge" => HeaderInheritance::Merge,
            Some(arg) if arg.value == "off" => HeaderInheritance::Off,
            Some(_) => HeaderInheritance::Replace,
            None => self.mode,
        };
        let opaque = has_unfollowed_include(list);
        let (headers, unknown) = match (own.is_empty(), mode) {
            (true, HeaderInheritance::Off) => (Vec::new(), opaque),
            (true, _) => (self.headers.clone(), self.unknown || opaque),
            (false, HeaderInheritance::Merge) => {
                let mut all = self.headers.clone();
                all.extend(own);
                (all, self.unknown || opaque)
            }
            (false, _) => (own, opaque),
        };
        Self {
            headers,
            mode,
            unknown,
        }
    }

    /// The header named `name` (case-insensitive), if a response gets it.
    pub fn get(&self, name: &str) -> Option<&'a NginxDirective> {
        self.headers.iter().copied().find(|d| {
            d.args
                .first()
                .is_some_and(|a| a.value.eq_ignore_ascii_case(name))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::nginx::{walk, NginxConfig};

    /// The chain down to the first block named `name` with argument `arg` in `text`.
    fn at<R>(text: &str, name: &str, arg: &str, ask: impl FnOnce(Chain) -> R) -> R {
        let config = NginxConfig::parse(text);
        let walked = walk(&config.directives);
        let (blocks, block) = walked
            .iter()
            .find(|(_, d)| d.name == name && d.values().next().unwrap_or("") == arg)
            .expect("block present");
        ask(chain(&config.directives, blocks, block))
    }

    #[test]
    fn repeated_directives_come_from_the_innermost_level_that_has_any() {
        let text = "http { limit_req zone=a; server { location /login { } location /api { limit_req zone=b; } location /x { include x.conf; } } }";
        let zone = |chain: Chain| match inherited(&chain, "limit_req") {
            Effective::Set(list) => Effective::Set(list[0].args[0].value.clone()),
            Effective::Default => Effective::Default,
            Effective::Unknown => Effective::Unknown,
        };
        assert_eq!(
            at(text, "location", "/login", zone),
            Effective::Set("zone=a".into())
        );
        assert_eq!(
            at(text, "location", "/api", zone),
            Effective::Set("zone=b".into())
        );
        assert_eq!(at(text, "location", "/x", zone), Effective::Unknown);
        assert_eq!(
            at("server { location / { } }", "location", "/", zone),
            Effective::Default
        );
    }

    #[test]
    fn headers_follow_nginx_inheritance() {
        let text = "server { add_header A 1; location /a { } location /b { add_header B 2; } location /c { add_header_inherit merge; add_header C 3; } }";
        let names = |chain: Chain| {
            HeaderScope::along(&chain)
                .headers
                .iter()
                .map(|d| d.args[0].value.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(at(text, "location", "/a", names), ["A"]);
        assert_eq!(at(text, "location", "/b", names), ["B"]);
        assert_eq!(at(text, "location", "/c", names), ["A", "C"]);
    }
}
