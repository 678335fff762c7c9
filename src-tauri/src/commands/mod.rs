//! One module per subcommand.

pub mod company;
pub mod doctor;
pub mod export;
pub mod login;
pub mod status;
pub mod sync;
