//! `webhook inspect`: a table of recorded deliveries and counts by provider, event type
//! and outcome.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::Failure;
use crate::cli::InspectArgs;
use crate::record::{self, Record};

/// Counts by provider, event type and outcome.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Counts {
    pub(crate) deliveries: usize,
    pub(crate) by_provider: BTreeMap<String, usize>,
    pub(crate) by_event_type: BTreeMap<String, usize>,
    pub(crate) by_outcome: BTreeMap<String, usize>,
}

impl Counts {
    pub(crate) fn of<'a>(records: impl IntoIterator<Item = &'a Record>) -> Self {
        let mut counts = Self::default();
        for r in records {
            counts.deliveries += 1;
            *counts.by_provider.entry(r.provider.clone()).or_default() += 1;
            *counts
                .by_event_type
                .entry(r.event_type.clone().unwrap_or_else(|| "(none)".to_owned()))
                .or_default() += 1;
            *counts.by_outcome.entry(r.outcome.clone()).or_default() += 1;
        }
        counts
    }
}

/// One row of `--json`'s `rows`.
#[derive(Debug, Serialize)]
struct Row<'a> {
    line: usize,
    received_at: &'a str,
    provider: &'a str,
    event_type: Option<&'a str>,
    id: Option<&'a str>,
    outcome: &'a str,
    status: u16,
    app_status: Option<u16>,
    body_bytes: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

pub(crate) fn run(args: InspectArgs) -> Result<(), Failure> {
    let records = record::load(&args.file)?;
    let counts = Counts::of(records.iter().map(|(_, r)| r));
    if args.json {
        let rows: Vec<Row<'_>> = records
            .iter()
            .map(|(line, r)| Row {
                line: *line,
                received_at: &r.received_at,
                provider: &r.provider,
                event_type: r.event_type.as_deref(),
                id: r.id.as_deref(),
                outcome: &r.outcome,
                status: r.status,
                app_status: r.app_status,
                body_bytes: r.body().map_or(0, |b| b.len()),
                error: r.error.as_deref(),
            })
            .collect();
        let out = serde_json::json!({
            "deliveries": counts.deliveries,
            "by_provider": counts.by_provider,
            "by_event_type": counts.by_event_type,
            "by_outcome": counts.by_outcome,
            "rows": rows,
        });
        println!("{out}");
        return Ok(());
    }
    let mut table = vec![
        [
            "LINE",
            "RECEIVED",
            "PROVIDER",
            "EVENT TYPE",
            "ID",
            "OUTCOME",
            "STATUS",
        ]
        .map(String::from),
    ];
    for (line, r) in &records {
        table.push([
            line.to_string(),
            r.received_at.clone(),
            r.provider.clone(),
            r.event_type.clone().unwrap_or_else(|| "-".to_owned()),
            r.id.clone().unwrap_or_else(|| "-".to_owned()),
            r.outcome.clone(),
            match r.app_status {
                Some(app) => format!("{} (app {app})", r.status),
                None => r.status.to_string(),
            },
        ]);
    }
    let mut out = columns(&table);
    let _ = writeln!(out, "\n{} deliveries", counts.deliveries);
    for (title, map) in [
        ("PROVIDER", &counts.by_provider),
        ("EVENT TYPE", &counts.by_event_type),
        ("OUTCOME", &counts.by_outcome),
    ] {
        let mut rows = vec![[title.to_owned(), "COUNT".to_owned()]];
        rows.extend(map.iter().map(|(k, n)| [k.clone(), n.to_string()]));
        out.push('\n');
        out.push_str(&columns(&rows));
    }
    print!("{out}");
    Ok(())
}

/// Rows padded into columns, two spaces apart, trailing spaces trimmed.
fn columns<const N: usize>(rows: &[[String; N]]) -> String {
    let widths: Vec<usize> = (0..N)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let _ = write!(line, "{cell:<width$}  ", width = widths[c]);
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}
