//! One module per subcommand.

pub mod fields;
