//! Reading bodies byte for byte.

use std::io::Read as _;
use std::path::Path;

use crate::Failure;

/// The body named by `--body-file`: a file or `-` (standard input), read as raw bytes with
/// nothing added or removed; an empty body without the flag.
pub(crate) fn read_body(path: Option<&Path>) -> Result<Vec<u8>, Failure> {
    match path {
        None => Ok(Vec::new()),
        Some(p) if p.as_os_str() == "-" => {
            let mut body = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut body)
                .map_err(|e| Failure::usage(format!("cannot read the body from stdin: {e}")))?;
            Ok(body)
        }
        Some(p) => std::fs::read(p)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", p.display()))),
    }
}
