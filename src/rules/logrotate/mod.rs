//! Rules for logrotate: the modes new log files get (LOG001, LOG002) and whether rotated
//! logs are kept at all (LOG003). Snippets in `logrotate.d/` inherit the defaults written
//! at the top of `logrotate.conf`, so LOG003 reads both when both are scanned.

pub mod modes;
pub mod retention;
