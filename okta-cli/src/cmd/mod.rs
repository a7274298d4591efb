//! One module per subcommand.

pub mod fields;
pub mod rules;
pub mod simulate;
pub mod tail;
