//! CMP012: an unquoted `HOST:CONTAINER` port that YAML 1.1 reads as a base-60 number.

use crate::formats::compose::ComposeFile;
use crate::msg;
use crate::rules::Context;

/// CMP012: `- 22:22` is the string `22:22` for Compose v2, but the integer 1342 for YAML 1.1
/// readers (Compose v1, PyYAML-based tools and linters): the same file means two things.
pub fn check(cx: &mut Context<'_, ComposeFile>) {
    for service in &cx.content.services {
        for port in service.ports.iter().filter(|p| p.yaml11_integer) {
            cx.report(
                port.span,
                format!("{}:ports:{}", service.name, port.display),
                msg!(
                    "the unquoted port `{}` of service `{}` is a base-60 integer for YAML 1.1 readers (docker-compose v1, PyYAML-based tools) and a port mapping only for Compose v2; quote it: `\"{}\"`",
                    &port.written,
                    service.quote(),
                    &port.written
                ),
            );
        }
    }
}
