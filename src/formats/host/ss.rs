//! `ss -tlnpH` (or `ss -tlnH`) output: the TCP sockets a host listens on, with the
//! process that owns each one when `ss` may show it (root, or `--sudo`). Hosts without
//! `ss` answer with `netstat -tlnp`, read the same way.

use crate::formats::lines_with_offsets;
use crate::formats::{Format, ParseContext};
use crate::source::SourceFile;
use crate::source::Span;
use std::sync::Arc;

/// One listening socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    /// The local address as `ss` prints it, without brackets or `%interface`
    /// (`0.0.0.0`, `::`, `*`, `127.0.0.1`, `10.0.0.5`).
    pub address: String,
    /// The port.
    pub port: u16,
    /// The name of the first process in `users:(("name",pid=…))`, when shown, and where it
    /// is written.
    pub process: Option<(String, Span)>,
    /// The whole line, for findings.
    pub span: Span,
    /// Where `address:port` is written.
    pub local_span: Span,
}

impl Listener {
    /// The name of the process that owns the socket, when shown.
    pub fn process_name(&self) -> Option<&str> {
        self.process.as_ref().map(|(name, _)| name.as_str())
    }

    /// Whether the socket accepts connections from other machines: a wildcard address
    /// (`0.0.0.0`, `::`, `*`) or any address that is not loopback.
    pub fn is_public(&self) -> bool {
        let address = self.address.as_str();
        if matches!(address, "0.0.0.0" | "::" | "*" | "[::]") {
            return true;
        }
        match address.parse::<std::net::IpAddr>() {
            Ok(ip) => !ip.is_loopback(),
            // A name ss could not resolve numerically (`localhost`) is local only if it says so.
            Err(_) => address != "localhost",
        }
    }
}

/// The parsed output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listeners {
    /// Sockets in output order.
    pub sockets: Vec<Listener>,
}

impl Listeners {
    /// Reads `ss -tln[p]H` output. Lines that are not `LISTEN` sockets (a header, when `-H`
    /// was not honoured) are skipped.
    pub fn parse(text: &str) -> Self {
        let mut sockets = Vec::new();
        for (start, content) in lines_with_offsets(text) {
            let words = words_with_offsets(content);
            let process;
            let (local_at, local) = match words.first().map(|w| w.1) {
                // ss: State, Recv-Q, Send-Q, Local, Peer, [users:(("name",pid=…))]
                Some("LISTEN") if words.len() >= 5 => {
                    process = content.find("users:((\"").and_then(|at| {
                        let from = at + 9;
                        let name = &content[from..from + content[from..].find('"')?];
                        Some((name, from))
                    });
                    words[3]
                }
                // netstat: Proto, Recv-Q, Send-Q, Local, Foreign, State, [PID/Program]
                Some("tcp" | "tcp6") if words.get(5).is_some_and(|w| w.1 == "LISTEN") => {
                    process = words.get(6).and_then(|&(at, w)| {
                        let (pid, name) = w.split_once('/')?;
                        Some((name.trim_end_matches(':'), at + pid.len() + 1))
                    });
                    words[3]
                }
                _ => continue,
            };
            let Some((address, port)) = split_address(local) else {
                continue;
            };
            sockets.push(Listener {
                address,
                port,
                process: process.map(|(name, at)| {
                    let from = start + at;
                    (name.to_owned(), Span::new(from, from + name.len()))
                }),
                span: Span::new(start, start + content.len()),
                local_span: Span::new(start + local_at, start + local_at + local.len()),
            });
        }
        Self { sockets }
    }
}

/// `0.0.0.0:5432`, `[::]:5432`, `*:80`, `[fe80::1]%eth0:22`, `10.0.0.5%eth0:80`.
fn split_address(local: &str) -> Option<(String, u16)> {
    let (address, port) = local.rsplit_once(':')?;
    let port = port.parse().ok()?;
    let address = address.split('%').next().unwrap_or(address);
    let address = address.trim_start_matches('[').trim_end_matches(']');
    Some((address.to_owned(), port))
}

/// Whitespace-separated words with their byte offsets in `line`.
pub(crate) fn words_with_offsets(line: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                words.push((s, &line[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, &line[s..]));
    }
    words
}

/// Host state only comes from a snapshot, which says what each file is: no name claims it.
impl Format for Listeners {
    fn parse(source: &Arc<SourceFile>, _: &ParseContext) -> Self {
        Self::parse(&source.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Captured from `ss -tlnpH` (iproute2 6.1, Debian 12) while a python3 test server
    /// listened on 0.0.0.0:6379, 127.0.0.1:5432, [::]:8080 and [::1]:9229.
    const CAPTURED: &str =
        "LISTEN 0      128      0.0.0.0:6379 0.0.0.0:* users:((\"python3\",pid=6392,fd=3))
LISTEN 0      128      0.0.0.0:2024 0.0.0.0:*                                  
LISTEN 0      128    127.0.0.1:5432 0.0.0.0:* users:((\"python3\",pid=6392,fd=4))
LISTEN 0      128            *:8080       *:* users:((\"python3\",pid=6392,fd=5))
LISTEN 0      128        [::1]:9229    [::]:* users:((\"python3\",pid=6392,fd=6))
";

    #[test]
    fn reads_addresses_ports_and_processes() {
        let parsed = Listeners::parse(CAPTURED);
        let got: Vec<(&str, u16, Option<&str>, bool)> = parsed
            .sockets
            .iter()
            .map(|l| (l.address.as_str(), l.port, l.process_name(), l.is_public()))
            .collect();
        assert_eq!(
            got,
            [
                ("0.0.0.0", 6379, Some("python3"), true),
                ("0.0.0.0", 2024, None, true),
                ("127.0.0.1", 5432, Some("python3"), false),
                ("*", 8080, Some("python3"), true),
                ("::1", 9229, Some("python3"), false),
            ]
        );
        let redis = &parsed.sockets[0];
        assert_eq!(&CAPTURED[redis.local_span.range()], "0.0.0.0:6379");
        assert_eq!(
            &CAPTURED[redis.process.as_ref().unwrap().1.range()],
            "python3"
        );
    }

    #[test]
    fn interface_suffixes_and_brackets_are_removed() {
        let parsed = Listeners::parse(
            "LISTEN 0 4096 10.0.0.5%eth0:9200 0.0.0.0:*\nLISTEN 0 128 [::]:22 [::]:*\n",
        );
        assert_eq!(parsed.sockets[0].address, "10.0.0.5");
        assert_eq!(parsed.sockets[1].address, "::");
        assert!(parsed.sockets.iter().all(Listener::is_public));
    }

    /// Captured from `netstat -tlnp` (net-tools 2.10, Debian 12) with the same kind of
    /// test server, and the sshd instances another test was running.
    const NETSTAT: &str = "Active Internet connections (only servers)
Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    
tcp        0      0 0.0.0.0:6379            0.0.0.0:*               LISTEN      1388/python3        
tcp        0      0 0.0.0.0:2024            0.0.0.0:*               LISTEN      -                   
tcp        0      0 127.0.0.1:43100         0.0.0.0:*               LISTEN      15522/sshd: /usr/sb 
tcp        0      0 127.0.0.1:43101         0.0.0.0:*               LISTEN      15525/sshd: /usr/sb 
tcp        0      0 127.0.0.1:43102         0.0.0.0:*               LISTEN      15528/sshd: /usr/sb 
tcp        0      0 127.0.0.1:43103         0.0.0.0:*               LISTEN      15531/sshd: /usr/sb 
tcp        0      0 127.0.0.1:5432          0.0.0.0:*               LISTEN      1388/python3        
tcp6       0      0 :::8080                 :::*                    LISTEN      1388/python3        
";

    #[test]
    fn netstat_output_is_read_the_same_way() {
        let parsed = Listeners::parse(NETSTAT);
        let got: Vec<(&str, u16, Option<&str>)> = parsed
            .sockets
            .iter()
            .map(|l| (l.address.as_str(), l.port, l.process_name()))
            .filter(|(_, port, _)| *port < 43000)
            .collect();
        assert_eq!(
            got,
            [
                ("0.0.0.0", 6379, Some("python3")),
                ("0.0.0.0", 2024, None),
                ("127.0.0.1", 5432, Some("python3")),
                ("::", 8080, Some("python3")),
            ]
        );
        assert!(parsed
            .sockets
            .iter()
            .any(|l| l.process_name() == Some("sshd")));
        let python = parsed.sockets[0].process.as_ref().unwrap().1;
        assert_eq!(&NETSTAT[python.range()], "python3");
    }

    #[test]
    fn output_without_processes_and_with_a_header_is_read() {
        // `ss -tlnH` as run on this machine while writing the parser.
        let text = "State  Recv-Q Send-Q Local Address:Port Peer Address:Port\nLISTEN 0      128    0.0.0.0:2024 0.0.0.0:*\n";
        let parsed = Listeners::parse(text);
        assert_eq!(parsed.sockets.len(), 1);
        assert_eq!(parsed.sockets[0].port, 2024);
        assert_eq!(parsed.sockets[0].process, None);
    }
}
