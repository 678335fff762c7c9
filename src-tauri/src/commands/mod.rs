//! One module per subcommand.

pub mod export;
pub mod login;
pub mod status;
pub mod sync;
