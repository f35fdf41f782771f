//! Pure text → facts: time expressions and deadlines found in an article, resolved
//! against its publication time. No I/O, no clock, no async: it is given everything.

pub mod article;
pub mod timex;

pub use timex::{Timex, TimexType};
