//! The HTTP handlers: each reads the request, asks the world, and writes the answer. No rule
//! of the spec lives here that the world or `validation` could hold.

pub mod access;
pub mod applications;
pub mod batch;
pub mod conversation;
pub mod discovery;
pub mod events;
pub mod faults;
pub mod journal;
pub mod me;
pub mod recorder;
pub mod start;
