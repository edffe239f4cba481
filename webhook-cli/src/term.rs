//! Terminal output: colour only when the stream is a terminal (and `NO_COLOR` is unset).

use std::io::IsTerminal as _;

/// Whether standard output gets colour.
pub(crate) fn stdout_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Whether standard error is a terminal (progress lines go there only then).
pub(crate) fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// The colour of an outcome: green for accepted, yellow for duplicates and in-flight,
/// red for the rest.
pub(crate) fn paint_outcome(outcome: &str, colour: bool) -> String {
    if !colour {
        return outcome.to_owned();
    }
    let code = match outcome {
        "verified" | "handled" => "32",
        "duplicate" | "in_progress" => "33",
        _ => "31",
    };
    format!("\x1b[{code}m{outcome}\x1b[0m")
}

/// A status, green for 2xx and red otherwise.
pub(crate) fn paint_status(status: Option<u16>, colour: bool) -> String {
    let text = status.map_or_else(|| "-".to_owned(), |s| s.to_string());
    match status {
        Some(s) if colour => {
            let code = if (200..300).contains(&s) { "32" } else { "31" };
            format!("\x1b[{code}m{text}\x1b[0m")
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_colour_means_plain_text() {
        assert_eq!(paint_outcome("handled", false), "handled");
        assert_eq!(paint_status(None, true), "-");
        assert_eq!(paint_outcome("handled", true), "\x1b[32mhandled\x1b[0m");
    }
}
