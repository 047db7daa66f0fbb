//! The exit codes every command shares. A foundation file of its own: low layers (the AWS CLI
//! front, the commands, the run) name these without reaching up to `gate`'s threshold logic.

pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_BAD_INPUT: i32 = 2;
pub const EXIT_TARGET: i32 = 3;
pub const EXIT_INTERRUPTED: i32 = 130;
