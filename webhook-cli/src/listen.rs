//! `webhook listen`: a receiver that verifies each delivery and prints it.

use crate::Failure;
use crate::cli::ListenArgs;

pub(crate) fn run(args: ListenArgs) -> Result<(), Failure> {
    let _ = args;
    Err(Failure::usage("listen is not available yet"))
}
