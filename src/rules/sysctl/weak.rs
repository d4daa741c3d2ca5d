//! SYSCTL001: a kernel parameter set to a value that turns off a defence the CIS
//! Distribution Independent Linux benchmark and the kernel's own hardening guidance ask for.
//! The live audit reads exactly these keys (`sysctl -e …`); a file is judged only on the
//! keys it sets.

use crate::formats::sysctl::SysctlSettings;
use crate::message::Quote;
use crate::msg;
use crate::rules::Context;

/// A parameter, the values that keep its defence, the value to write, and what a weaker
/// value allows.
pub struct Expected {
    /// The key (`kernel.kptr_restrict`).
    pub key: &'static str,
    /// Whether `value` keeps the defence.
    pub good: fn(&str) -> bool,
    /// What to write.
    pub write: &'static str,
    /// What the weak value allows, for the message.
    pub risk: &'static str,
}

/// `value` is the number `n`.
fn is(value: &str, n: i64) -> bool {
    value.trim().parse::<i64>() == Ok(n)
}

/// `value` is a number of at least `n`.
fn at_least(value: &str, n: i64) -> bool {
    value.trim().parse::<i64>().is_ok_and(|v| v >= n)
}

/// The parameters judged, each with the value CIS asks for (rp_filter: strict or loose).
pub const EXPECTED: &[Expected] = &[
    Expected {
        key: "kernel.randomize_va_space",
        good: |v| is(v, 2),
        write: "2",
        risk: "address-space layout randomisation is off or partial, so memory-corruption exploits find their targets at fixed addresses",
    },
    Expected {
        key: "kernel.kptr_restrict",
        good: |v| at_least(v, 1),
        write: "1",
        risk: "kernel pointers are shown to every user, which lets a local exploit defeat kernel address randomisation",
    },
    Expected {
        key: "kernel.dmesg_restrict",
        good: |v| is(v, 1),
        write: "1",
        risk: "every user can read the kernel log, with addresses and hardware details useful to an exploit",
    },
    Expected {
        key: "kernel.yama.ptrace_scope",
        good: |v| at_least(v, 1),
        write: "1",
        risk: "any process can attach to any other of the same user and read its memory (keys, tokens) or inject code",
    },
    Expected {
        key: "fs.suid_dumpable",
        good: |v| is(v, 0),
        write: "0",
        risk: "setuid programs can leave core dumps with privileged memory (password hashes, keys) behind",
    },
    Expected {
        key: "fs.protected_hardlinks",
        good: |v| is(v, 1),
        write: "1",
        risk: "users can hard-link files they do not own, the first step of many privilege-escalation races",
    },
    Expected {
        key: "fs.protected_symlinks",
        good: |v| is(v, 1),
        write: "1",
        risk: "symbolic links in world-writable folders (/tmp) are followed for everyone, the classic symlink attack on root's file writes",
    },
    Expected {
        key: "net.ipv4.conf.all.accept_redirects",
        good: |v| is(v, 0),
        write: "0",
        risk: "ICMP redirects from the network can rewrite this host's routes and put an attacker in the middle",
    },
    Expected {
        key: "net.ipv4.conf.default.accept_redirects",
        good: |v| is(v, 0),
        write: "0",
        risk: "new interfaces accept ICMP redirects that can rewrite this host's routes",
    },
    Expected {
        key: "net.ipv6.conf.all.accept_redirects",
        good: |v| is(v, 0),
        write: "0",
        risk: "IPv6 redirects from the network can rewrite this host's routes and put an attacker in the middle",
    },
    Expected {
        key: "net.ipv4.conf.all.send_redirects",
        good: |v| is(v, 0),
        write: "0",
        risk: "a host that is no router sends ICMP redirects, which only a router should",
    },
    Expected {
        key: "net.ipv4.conf.all.accept_source_route",
        good: |v| is(v, 0),
        write: "0",
        risk: "source-routed packets choose their own path through this host, around filtering",
    },
    Expected {
        key: "net.ipv4.conf.all.rp_filter",
        good: |v| is(v, 1) || is(v, 2),
        write: "1",
        risk: "packets with spoofed source addresses are accepted on any interface",
    },
    Expected {
        key: "net.ipv4.tcp_syncookies",
        good: |v| is(v, 1),
        write: "1",
        risk: "a SYN flood fills the connection backlog and the host stops accepting connections",
    },
    Expected {
        key: "net.ipv4.icmp_echo_ignore_broadcasts",
        good: |v| is(v, 1),
        write: "1",
        risk: "the host answers broadcast pings and can be used to amplify a smurf attack",
    },
    Expected {
        key: "net.ipv4.conf.all.log_martians",
        good: |v| is(v, 1),
        write: "1",
        risk: "packets with impossible source addresses (spoofing, misrouting) are dropped without a trace in the log",
    },
];

/// SYSCTL001: each judged parameter whose value in effect in the file (its last
/// assignment) turns its defence off.
pub fn weak_setting(cx: &mut Context<'_, SysctlSettings>) {
    for expected in EXPECTED {
        let Some(entry) = cx.content.get(expected.key) else {
            continue;
        };
        if (expected.good)(&entry.value) {
            continue;
        }
        cx.report(
            entry.value_span,
            expected.key,
            msg!(
                "`{} = {}`: {}; write `{} = {}` in /etc/sysctl.d/60-hardening.conf (and `sysctl --system`)",
                Quote::derived(entry.key_span, expected.key),
                Quote::at(entry.value_span),
                expected.risk,
                expected.key,
                expected.write
            ),
        );
    }
}
