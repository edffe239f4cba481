//! `webhook providers`: what each provider sends and expects, and the README's tables.

use std::fmt::Write as _;

use webhook_verify::{Handshake, Provider, Tolerance};

use crate::Failure;
use crate::cli::ProvidersArgs;

pub(crate) fn run(args: &ProvidersArgs) -> Result<(), Failure> {
    if args.markdown {
        print!("{}", markdown(Provider::all()));
    } else {
        print!("{}", table(Provider::all()));
    }
    Ok(())
}

const COLUMNS: usize = 8;

/// One row per provider: name, headers (signature first), key form, scheme, default
/// tolerance, id source, handshake, and whether the URL is signed.
fn rows(providers: &[Provider]) -> Vec<[String; COLUMNS]> {
    providers
        .iter()
        .map(|p| {
            [
                p.name().to_owned(),
                p.headers().join(", "),
                p.key_description().to_owned(),
                p.scheme_description(),
                tolerance(p),
                p.id_location(),
                p.handshake()
                    .map_or_else(|| "none".to_owned(), |h| h.as_str().to_owned()),
                if p.needs_url() { "yes" } else { "no" }.to_owned(),
            ]
        })
        .collect()
}

/// The rows as text, columns padded to line up.
pub(crate) fn table(providers: &[Provider]) -> String {
    let header = [
        "PROVIDER",
        "HEADERS",
        "KEY",
        "SCHEME",
        "TOLERANCE",
        "ID",
        "HANDSHAKE",
        "SIGNS URL",
    ]
    .map(String::from);
    let mut all = vec![header];
    all.extend(rows(providers));
    let widths: Vec<usize> = (0..COLUMNS)
        .map(|c| all.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &all {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let _ = write!(line, "{cell:<width$}  ", width = widths[c]);
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// The README's tables, made from the code: every provider (its names, scheme, key,
/// tolerance, id and handshake), then every handshake (request, answer, what is checked),
/// each between its markers.
pub(crate) fn markdown(providers: &[Provider]) -> String {
    let mut out = String::from(PROVIDERS_START);
    out.push_str(
        "| provider | scheme | key | tolerance | id | handshake |\n|---|---|---|---|---|---|\n",
    );
    for (p, row) in providers.iter().zip(rows(providers)) {
        let mut names = format!("`{}`", p.name());
        for alias in p.aliases() {
            let _ = write!(names, ", `{alias}`");
        }
        let cell = |s: &str| s.replace('|', "\\|");
        let _ = writeln!(
            out,
            "| {names} | {} | {} | {} | {} | {} |",
            cell(&row[3]),
            cell(&row[2]),
            cell(&row[4]),
            cell(&row[5]),
            cell(&row[6]),
        );
    }
    out.push_str(PROVIDERS_END);
    out.push('\n');
    out.push_str(HANDSHAKES_START);
    out.push_str(&Handshake::markdown_table());
    out.push_str(HANDSHAKES_END);
    out
}

/// The markers around the generated tables in the README.
pub(crate) const PROVIDERS_START: &str =
    "<!-- providers:start (webhook providers --markdown) -->\n";
pub(crate) const PROVIDERS_END: &str = "<!-- providers:end -->\n";
pub(crate) const HANDSHAKES_START: &str =
    "<!-- handshakes:start (webhook providers --markdown) -->\n";
pub(crate) const HANDSHAKES_END: &str = "<!-- handshakes:end -->\n";

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

    /// The README's tables are the generated ones. To update them, run
    /// `scripts/update-readme-tables.sh` (or paste `webhook providers --markdown` over the
    /// two marked tables).
    #[test]
    fn readme_tables_are_current() {
        let readme = include_str!("../../README.md");
        let generated = markdown(Provider::all());
        let (providers, handshakes) = generated.split_once(HANDSHAKES_START).expect("two tables");
        let handshakes = format!("{HANDSHAKES_START}{handshakes}");
        let providers = providers.trim_end_matches('\n').to_owned() + "\n";
        for table in [providers, handshakes] {
            assert!(
                readme.contains(&table),
                "README.md is out of date: run scripts/update-readme-tables.sh; expected:\n{table}"
            );
        }
    }

    #[test]
    fn every_provider_and_handshake_is_in_the_markdown() {
        let out = markdown(Provider::all());
        for p in Provider::all() {
            assert!(out.contains(&format!("| `{}`", p.name())), "{}", p.name());
        }
        for h in Handshake::ALL {
            assert!(out.contains(&format!("| {} |", h.sender())), "{h}");
        }
        assert!(out.contains("`facebook`, `instagram`, `whatsapp`, `messenger`"));
    }
}
