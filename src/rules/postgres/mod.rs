//! Rules for PostgreSQL: `postgresql.conf` alone (PG001), `pg_hba.conf` alone
//! (PG003–PG007), and both together (PG002: a server that listens on public addresses *and*
//! admits the whole internet).

use std::net::IpAddr;

use crate::formats::postgres::{HbaField, HbaRecord};
use crate::message::{Message, Quote};
use crate::msg;
use crate::rules::{checks, RegisteredCheck};

pub mod exposure;
pub mod hba;
mod in_effect;

/// The family's built-in checks, sorted by name (see `crate::rules::registry`).
pub(crate) const RULES: &[RegisteredCheck] = checks! {
    document "postgres-cleartext-password" => hba::cleartext_password;
    document "postgres-hostnossl-remote" => hba::hostnossl_remote;
    document "postgres-md5" => hba::md5;
    project "postgres-open-to-internet" => exposure::open_to_internet;
    project "postgres-ssl-off" => exposure::ssl_off;
    document "postgres-trust-local" => hba::trust_local;
    document "postgres-trust-network" => hba::trust_network;
};

/// Whether a `listen_addresses` value names an address beyond the loopback.
fn listens_on_network(value: &str) -> bool {
    value
        .split(',')
        .map(str::trim)
        .any(|a| !a.is_empty() && !is_loopback(a))
}

/// A `listen_addresses` entry or host name that only the machine itself reaches.
fn is_loopback(address: &str) -> bool {
    is_loopback_range(address, None)
}

/// Whether every client a `host*` record's address (with its `/N` prefix length or separate
/// netmask) admits is the machine itself: `127.0.0.1/32` and `127.0.0.0/8` are, `127.0.0.1/0`
/// (every IPv4 address) is not. Host names other than `localhost` and `samehost` are not.
fn is_loopback_range(address: &str, mask: Option<&str>) -> bool {
    if matches!(address, "localhost" | "samehost") {
        return true;
    }
    let Some((ip, prefix)) = address_range(address, mask) else {
        return false;
    };
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() && prefix >= 8,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.is_loopback() && prefix >= 96 + 8,
            None => v6.is_loopback() && prefix == 128,
        },
    }
}

/// An IP address field as the address and the prefix length of the range it admits: from
/// `/N`, from a separate netmask (its leading one bits), or the whole address when neither is
/// written. `None` for host names and keywords (`all`, `samenet`).
fn address_range(address: &str, mask: Option<&str>) -> Option<(IpAddr, u32)> {
    let (host, prefix) = match address.split_once('/') {
        Some((host, prefix)) => (host, Some(prefix.parse::<u32>().ok()?)),
        None => (address, None),
    };
    let ip: IpAddr = host.parse().ok()?;
    let full = if ip.is_ipv4() { 32 } else { 128 };
    let prefix = match (prefix, mask) {
        (Some(prefix), _) => prefix,
        (None, Some(mask)) => match mask.parse::<IpAddr>().ok()? {
            IpAddr::V4(m) => u32::from(m).leading_ones(),
            IpAddr::V6(m) => u128::from(m).leading_ones(),
        },
        (None, None) => full,
    };
    Some((ip, prefix.min(full)))
}

/// The record as written (type and method in lower case), in backticks, for messages.
fn written(record: &HbaRecord) -> Message {
    let field = |f: &HbaField| Quote::derived(f.span, f.value.as_str());
    let address = [&record.address, &record.mask]
        .into_iter()
        .flatten()
        .map(|f| msg!(" {}", field(f)));
    msg!(
        "`{} {} {}{} {}`",
        field(&record.kind),
        field(&record.database),
        field(&record.user),
        Message::join(address, ""),
        field(&record.method)
    )
}

/// Whether a `host*` record admits clients from outside the machine.
fn is_remote(record: &HbaRecord) -> bool {
    let mask = record.mask.as_ref().map(|m| m.value.as_str());
    record.is_host()
        && record
            .address
            .as_ref()
            .is_some_and(|a| !is_loopback_range(&a.value, mask))
}

/// Whether a record admits every address on the internet.
fn is_whole_internet(record: &HbaRecord) -> bool {
    let Some(address) = &record.address else {
        return false;
    };
    let mask = record.mask.as_ref().map(|m| m.value.as_str());
    address.value == "all"
        || address.value == "0/0"
        || address_range(&address.value, mask).is_some_and(|(_, prefix)| prefix == 0)
}

#[cfg(test)]
mod tests {
    use super::{address_range, is_loopback_range};

    #[test]
    fn a_loopback_address_with_a_short_prefix_or_mask_admits_everyone() {
        for (address, mask) in [
            ("127.0.0.1/32", None),
            ("127.0.0.0/8", None),
            ("::1/128", None),
            ("::ffff:127.0.0.1/128", None),
            ("127.0.0.1", Some("255.255.255.255")),
            ("localhost", None),
            ("samehost", None),
        ] {
            assert!(is_loopback_range(address, mask), "{address} {mask:?}");
        }
        for (address, mask) in [
            ("127.0.0.1/0", None),
            ("127.0.0.1/7", None),
            ("::1/0", None),
            ("::1/64", None),
            ("127.0.0.1", Some("0.0.0.0")),
            ("10.0.0.1/32", None),
            ("samenet", None),
            ("db.example.com", None),
            ("127.0.0.1/x", None),
        ] {
            assert!(!is_loopback_range(address, mask), "{address} {mask:?}");
        }
        assert_eq!(
            address_range("127.0.0.1", Some("0.0.0.0")).map(|r| r.1),
            Some(0)
        );
        assert_eq!(address_range("::/0", None).map(|r| r.1), Some(0));
        assert_eq!(address_range("10.0.0.0/99", None).map(|r| r.1), Some(32));
    }
}
