//! One module per subcommand.

pub mod fields;
pub mod rules;
pub mod tail;
pub mod simulate;
pub mod replay;
