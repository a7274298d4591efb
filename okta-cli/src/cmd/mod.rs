//! One module per subcommand.

pub mod demo;
pub mod fields;
pub mod replay;
pub mod rules;
pub mod simulate;
pub mod tail;
