//! serde_json's pretty layout written by hand, for the parts of a report that make up most
//! of its bytes (the findings of a JSON report).
//!
//! serde_json escapes a string by looking each byte up in a table and splitting the string
//! at it, about ten instructions a byte: the report took 8% of a scan's instructions (the
//! 1,000-file benchmark tree; its report is 4 MB, the 10,000-file tree's 41 MB). Here a
//! string that needs no escape, as nearly all do, is checked in one pass the compiler
//! vectorises and copied whole; one that does is handed to serde_json, so
//! escapes are written exactly as it writes them. Anything not written by hand goes through
//! serde at the same depth ([`Pretty::serde`]): the bytes are serde_json's either way, which
//! the tests hold this to.

use std::io::{self, Write};

use serde::Serialize;

use super::Indented;

/// A writer of one JSON value in serde_json's pretty layout, object by object. What is
/// written is kept in a block of its own and passed on a block at a time: a piece written
/// by hand is a copy that cannot fail, and only passing a block on can.
pub struct Pretty<'w> {
    out: &'w mut dyn Write,
    /// Written and not yet passed on.
    block: Vec<u8>,
    /// How deep the next line is indented, and whether the object or array open innermost
    /// holds anything yet: the state serde's side of the layout keeps ([`Indented`]).
    layout: Indented,
}

/// How much is passed on at a time.
const BLOCK: usize = 1 << 16;

impl<'w> Pretty<'w> {
    /// A value written at the top level of `out`.
    pub fn new(out: &'w mut dyn Write) -> Self {
        Self {
            out,
            block: Vec::with_capacity(BLOCK + BLOCK / 4),
            layout: Indented::at(0),
        }
    }

    /// Passes on what is left, a newline after it, and flushes `out`.
    pub fn finish(mut self) -> io::Result<()> {
        self.block.push(b'\n');
        self.out.write_all(&self.block)?;
        self.out.flush()
    }

    pub fn begin_object(&mut self) {
        self.open(b"{");
    }

    pub fn end_object(&mut self) {
        self.close(b"}");
    }

    pub fn begin_array(&mut self) {
        self.open(b"[");
    }

    pub fn end_array(&mut self) {
        self.close(b"]");
    }

    /// The next element of the array open innermost: its line; the value follows. What the
    /// elements before it made is passed on by the block, so a long array is never held.
    pub fn element(&mut self) -> io::Result<()> {
        pass_on_when_full(&mut self.block, &mut *self.out)?;
        self.next_line();
        Ok(())
    }

    /// A key of the object open innermost; its value follows. Keys are the report's own
    /// names, which need no escape.
    pub fn key(&mut self, key: &'static str) {
        debug_assert!(!needs_escape(key.as_bytes()), "{key}");
        self.next_line();
        self.block.push(b'"');
        self.block.extend_from_slice(key.as_bytes());
        self.block.extend_from_slice(b"\": ");
    }

    /// `key` and the string `value`.
    pub fn string_field(&mut self, key: &'static str, value: &str) {
        self.key(key);
        self.string(value);
    }

    /// `key` and the number `value`.
    pub fn number_field(&mut self, key: &'static str, value: usize) {
        self.key(key);
        self.block
            .extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
    }

    /// `key` and `value` as serde writes it.
    pub fn serde_field(
        &mut self,
        key: &'static str,
        value: &(impl Serialize + ?Sized),
    ) -> io::Result<()> {
        self.key(key);
        self.serde(value)
    }

    /// `value` as serde writes it at this depth, passed on block by block as it is written
    /// (`--results all` of a large tree is hundreds of megabytes).
    pub fn serde(&mut self, value: &(impl Serialize + ?Sized)) -> io::Result<()> {
        let mut by_block = ByBlock {
            block: &mut self.block,
            out: &mut *self.out,
        };
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut by_block, Indented::at(self.layout.level));
        value.serialize(&mut serializer).map_err(io::Error::from)
    }

    /// A JSON string: `value` escaped as serde_json escapes it.
    pub fn string(&mut self, value: &str) {
        let plain = !needs_escape(value.as_bytes());
        if plain {
            self.block.push(b'"');
            self.block.extend_from_slice(value.as_bytes());
            self.block.push(b'"');
        } else {
            // Into a `Vec`, serde_json cannot fail.
            let _ = serde_json::to_writer(&mut self.block, value);
        }
    }

    // Into a `Vec` writing cannot fail: the layout's `io::Result`s are dropped below.

    fn next_line(&mut self) {
        let comma = self.layout.has_value;
        self.layout.has_value = true;
        let _ = self.layout.line_break(&mut self.block, comma);
    }

    fn open(&mut self, bracket: &[u8]) {
        let _ = self.layout.open(&mut self.block, bracket);
    }

    fn close(&mut self, bracket: &[u8]) {
        let _ = self.layout.close(&mut self.block, bracket);
        // The value just closed is in the object or array around it.
        self.layout.has_value = true;
    }
}

/// Whether JSON escapes any of `bytes` (a control character, `"` or `\\`). No early exit:
/// sixteen bytes are looked at a time, the last sixteen again for the rest, which the
/// compiler turns into a few vector instructions where a byte at a time cost six each.
fn needs_escape(bytes: &[u8]) -> bool {
    fn escape(b: u8) -> u8 {
        u8::from(b < 0x20) | u8::from(b == b'"') | u8::from(b == b'\\')
    }
    fn any_of(bytes: &[u8]) -> u8 {
        bytes.iter().fold(0, |any, &b| any | escape(b))
    }
    if bytes.len() < 16 {
        return any_of(bytes) != 0;
    }
    let chunks = bytes.chunks_exact(16);
    let last = &bytes[bytes.len() - 16..];
    chunks.fold(any_of(last), |any, chunk| any | any_of(chunk)) != 0
}

/// Passes `block` on to `out` once it holds [`BLOCK`] bytes or more.
fn pass_on_when_full(block: &mut Vec<u8>, out: &mut dyn Write) -> io::Result<()> {
    if block.len() >= BLOCK {
        out.write_all(block)?;
        block.clear();
    }
    Ok(())
}

/// The block of a [`Pretty`], passed on whenever it is full.
struct ByBlock<'a> {
    block: &'a mut Vec<u8>,
    out: &'a mut dyn Write,
}

impl Write for ByBlock<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.block.extend_from_slice(bytes);
        pass_on_when_full(self.block, &mut *self.out)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings with every escape serde_json writes, and without, in objects and arrays
    /// nested as deep as the indentation kept in one piece and deeper.
    #[test]
    fn the_layout_is_serde_jsons() {
        let strings = [
            "",
            "plain",
            "quote \" and \\ backslash",
            "only a \"quote\"",
            "only a \\ backslash",
            "only a line\nbreak",
            "control \u{1} \u{8} \u{c} \n \r \t \u{1f}",
            "unicode é 🚀 \u{7f}",
        ];
        for depth in [0, 3, 70] {
            let mut expected = serde_json::json!({
                "strings": strings,
                "numbers": [0, 7, usize::MAX],
                "empty_object": {},
                "empty_array": [],
                "serde": {"nested": [null, {"a": "b"}]},
            });
            for _ in 0..depth {
                expected = serde_json::json!({ "level": [expected] });
            }
            let mut ours = Vec::new();
            let mut pretty = Pretty::new(&mut ours);
            for _ in 0..depth {
                pretty.begin_object();
                pretty.key("level");
                pretty.begin_array();
                pretty.element().unwrap();
            }
            // `json!` objects keep their keys sorted.
            pretty.begin_object();
            pretty.key("empty_array");
            pretty.begin_array();
            pretty.end_array();
            pretty.key("empty_object");
            pretty.begin_object();
            pretty.end_object();
            pretty.key("numbers");
            pretty.begin_array();
            for n in [0, 7, usize::MAX] {
                pretty.element().unwrap();
                pretty.serde(&n).unwrap();
            }
            pretty.end_array();
            pretty
                .serde_field("serde", &serde_json::json!({"nested": [null, {"a": "b"}]}))
                .unwrap();
            pretty.key("strings");
            pretty.begin_array();
            for s in strings {
                pretty.element().unwrap();
                pretty.string(s);
            }
            pretty.end_array();
            pretty.end_object();
            for _ in 0..depth {
                pretty.end_array();
                pretty.end_object();
            }
            pretty.finish().unwrap();
            let theirs = serde_json::to_string_pretty(&expected).unwrap() + "\n";
            assert_eq!(String::from_utf8(ours).unwrap(), theirs, "depth {depth}");
        }
    }

    /// At every length around the sixteen looked at together, a byte to escape is found at
    /// every place, and none is found where there is none.
    #[test]
    fn an_escape_is_found_wherever_it_is() {
        for len in 0..50 {
            let plain = vec![b'a'; len];
            assert!(!needs_escape(&plain), "{len}");
            for at in 0..len {
                for byte in [0, b'\n', 0x1f, b'"', b'\\'] {
                    let mut text = plain.clone();
                    text[at] = byte;
                    assert!(needs_escape(&text), "{len} {at} {byte}");
                }
                let mut text = plain.clone();
                text[at] = 0x20;
                assert!(!needs_escape(&text), "{len} {at}");
            }
        }
    }

    #[test]
    fn numbers_are_written_as_serde_writes_them() {
        for n in [0, 9, 10, 99, 100, 12_345, usize::MAX] {
            let mut ours = Vec::new();
            let mut pretty = Pretty::new(&mut ours);
            pretty.begin_object();
            pretty.number_field("n", n);
            pretty.end_object();
            pretty.finish().unwrap();
            let theirs = serde_json::to_string_pretty(&serde_json::json!({ "n": n })).unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), theirs + "\n");
        }
    }

    /// What is written is passed on block by block, by hand and through serde, and all of
    /// it arrives, in order.
    #[test]
    fn long_values_are_passed_on_whole_and_in_order() {
        let long: Vec<String> = (0..3 * BLOCK / 10).map(|i| format!("item {i}")).collect();
        let mut ours = Vec::new();
        let mut pretty = Pretty::new(&mut ours);
        pretty.begin_object();
        pretty.key("by_hand");
        pretty.begin_array();
        for item in &long {
            pretty.element().unwrap();
            pretty.string(item);
        }
        pretty.end_array();
        pretty.serde_field("by_serde", &long).unwrap();
        pretty.end_object();
        pretty.finish().unwrap();
        let theirs = serde_json::to_string_pretty(&serde_json::json!({
            "by_hand": long,
            "by_serde": long,
        }))
        .unwrap();
        assert!(theirs.len() > 4 * BLOCK);
        assert_eq!(String::from_utf8(ours).unwrap(), theirs + "\n");
    }
}
