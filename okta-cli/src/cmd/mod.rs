//! One module per subcommand.

pub mod fields;
pub mod simulate;
