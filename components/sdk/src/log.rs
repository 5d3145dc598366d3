//! The host's log, attributed to this adapter. Never log credentials.

pub use crate::bindings::mcgw::adapter::log::Level;
use crate::bindings::mcgw::adapter::log::emit;

/// Emit one line at `level`.
pub fn log(level: Level, message: &str) {
    emit(level, message);
}
/// Emit at debug level.
pub fn debug(message: &str) {
    emit(Level::Debug, message);
}
/// Emit at info level.
pub fn info(message: &str) {
    emit(Level::Info, message);
}
/// Emit at warn level.
pub fn warn(message: &str) {
    emit(Level::Warn, message);
}
