//! The embedded reference emulator (being written).
