//! `webhook providers`: what each provider sends and expects.

use std::fmt::Write as _;

use webhook_verify::{Provider, Tolerance};

use crate::Failure;

pub(crate) fn run() -> Result<(), Failure> {
    print!("{}", table(Provider::all()));
    Ok(())
}

/// One row per provider: name, headers (signature first), key form, default tolerance,
/// and whether the URL is signed. Columns are padded to line up.
pub(crate) fn table(providers: &[Provider]) -> String {
    let header = ["PROVIDER", "HEADERS", "KEY", "TOLERANCE", "SIGNS URL"].map(String::from);
    let mut rows = vec![header];
    for p in providers {
        rows.push([
            p.name().to_owned(),
            p.headers().join(", "),
            p.key_description().to_owned(),
            tolerance(p),
            if p.needs_url() { "yes" } else { "no" }.to_owned(),
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let _ = write!(line, "{cell:<width$}  ", width = widths[c]);
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// `300 s past`, `±300 s`, `none`, … for the provider's default tolerance.
fn tolerance(p: &Provider) -> String {
    if !p.has_timestamp() {
        return "no timestamp".to_owned();
    }
    describe(p.default_tolerance())
}

fn describe(t: Tolerance) -> String {
    match (t.past(), t.future()) {
        (None, None) => "not checked".to_owned(),
        (Some(p), Some(f)) if p == f => format!("±{} s", p.as_secs()),
        (Some(p), None) => format!("{} s, past only", p.as_secs()),
        (None, Some(f)) => format!("{} s, future only", f.as_secs()),
        (Some(p), Some(f)) => format!("{} s past, {} s future", p.as_secs(), f.as_secs()),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn tolerances_read_plainly() {
        let s = Duration::from_secs(300);
        assert_eq!(describe(Tolerance::both(s)), "±300 s");
        assert_eq!(describe(Tolerance::past_only(s)), "300 s, past only");
        assert_eq!(describe(Tolerance::NONE), "not checked");
    }

    #[test]
    fn every_provider_has_a_row() {
        let out = table(Provider::all());
        assert_eq!(out.lines().count(), Provider::all().len() + 1);
        for p in Provider::all() {
            assert!(
                out.lines()
                    .any(|l| l.split_whitespace().next() == Some(p.name())),
                "{}",
                p.name()
            );
        }
    }
}
