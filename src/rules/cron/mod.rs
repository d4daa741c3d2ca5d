//! Rules for crontabs themselves (backup jobs found in them are judged by
//! [`crate::rules::backup`]).

pub mod secrets;
