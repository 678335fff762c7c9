//! `exact-offline export`: an entity's records as JSON lines (the full attribute map under the
//! API's property names, verbatim) or CSV (one column per property in Exact's order); or, with
//! `--columns`, `--search`, `--in-stock` or `--format xlsx`, the items or customers list as the
//! app shows it, written as the window's Export writes it.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use offline_cache::{AccountQuery, Cache, Entity, ItemQuery};
use serde_json::{Map, Value};

use super::company::open_copy;
use super::status::now_ms;
use crate::cli::{ExportArgs, Format};
use crate::table_export::{Cell, CsvSheet, ListQuery, ShownValues, TableFormat, export_list};

pub fn run(data_dir: &Path, args: &ExportArgs) -> Result<ExitCode> {
    let entity: Entity = args.entity.parse()?;
    let cache = open_copy(data_dir, args.demo)?;
    let mut divisions: Vec<i32> = match args.division {
        Some(d) => vec![d],
        None => cache.status(now_ms())?.iter().map(|s| s.division).collect(),
    };
    divisions.sort_unstable();
    divisions.dedup();
    let as_list = matches!(args.format, Format::Xlsx)
        || !args.columns.is_empty()
        || args.search.is_some()
        || args.in_stock;
    if as_list {
        return export_as_list(&cache, entity, &divisions, args);
    }
    let sink: Box<dyn Write> = match &args.output {
        Some(file) => Box::new(
            std::fs::File::create(file)
                .with_context(|| format!("cannot create {}", file.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::new(sink);
    let mut written = 0u64;
    let result = write_all(
        &cache,
        entity,
        &divisions,
        args.format,
        &mut out,
        &mut written,
    );
    match result.and_then(|()| out.flush().map_err(anyhow::Error::from)) {
        Ok(()) => {}
        // A closed pipe (`... | head`) is the reader's choice, not an error.
        Err(e) if e.to_string().contains("Broken pipe") || is_broken_pipe(&e) => {
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return Err(e),
    }
    eprintln!("{written} {entity} records exported.");
    Ok(ExitCode::SUCCESS)
}

/// The list the app shows (search, in-stock filter, its order) with chosen columns, as a file:
/// what the window's Export does, for scripts.
fn export_as_list(
    cache: &Cache,
    entity: Entity,
    divisions: &[i32],
    args: &ExportArgs,
) -> Result<ExitCode> {
    let format = match args.format {
        Format::Csv => TableFormat::Csv,
        Format::Xlsx => TableFormat::Xlsx,
        Format::Jsonl => bail!("--columns, --search and --in-stock go with --format csv or xlsx"),
    };
    let Some(output) = &args.output else {
        bail!("an exported list is written to a file: add --output FILE");
    };
    let &[division] = divisions else {
        bail!("the copy holds several divisions ({divisions:?}): choose one with --division");
    };
    let columns = if args.columns.is_empty() {
        columns(entity)
    } else {
        args.columns.clone()
    };
    let list = match entity {
        Entity::Items => ListQuery::Items(ItemQuery {
            division,
            search: args.search.clone(),
            in_stock: args.in_stock.then_some(true),
            ..ItemQuery::default()
        }),
        Entity::Accounts if !args.in_stock => ListQuery::Customers(AccountQuery {
            division,
            search: args.search.clone(),
            ..AccountQuery::default()
        }),
        Entity::Accounts => bail!("--in-stock filters items, not accounts"),
        _ => bail!("--columns, --search and --in-stock work for Items and Accounts"),
    };
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let rows = export_list(
        cache,
        &list,
        &columns,
        &ShownValues::default(),
        format,
        output,
        &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
    )?;
    bar.finish_and_clear();
    eprintln!("{rows} {entity} rows exported to {}.", output.display());
    Ok(ExitCode::SUCCESS)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn write_all(
    cache: &Cache,
    entity: Entity,
    divisions: &[i32],
    format: Format,
    out: &mut impl Write,
    written: &mut u64,
) -> Result<()> {
    match format {
        Format::Jsonl => {
            for &division in divisions {
                *written += cache.export(division, entity, &mut |json| {
                    out.write_all(json.as_bytes())?;
                    out.write_all(b"\n")?;
                    Ok(())
                })?;
            }
        }
        Format::Xlsx => bail!("an XLSX file is written as a list (see export_as_list)"),
        Format::Csv => {
            let columns = columns(entity);
            let mut csv = CsvSheet::new(out, &columns)?;
            for &division in divisions {
                *written += cache.export(division, entity, &mut |json| {
                    let record: Map<String, Value> = serde_json::from_str(json)?;
                    csv.row(columns.iter().map(|c| cell(record.get(c))))
                        .map_err(|e| std::io::Error::other(format!("{e:#}")))?;
                    Ok(())
                })?;
            }
            csv.flush()?;
        }
    }
    Ok(())
}

/// Every property the sync stores for the entity, in Exact's order.
fn columns(entity: Entity) -> Vec<String> {
    offline_sync::plan::PLANS
        .iter()
        .find(|p| p.entity == entity)
        .map(|p| p.properties().into_iter().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// A cell: text as Exact sent it, numbers and booleans as JSON, nested values (navigation
/// links) as JSON. Text that would be a formula is neutralised by the sheet.
fn cell(value: Option<&Value>) -> Cell {
    match value {
        None | Some(Value::Null) => Cell::Empty,
        Some(Value::String(s)) => Cell::Text(s.clone()),
        Some(other) => Cell::Json(other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_entity_csv_never_writes_a_formula() {
        let columns: Vec<String> = ["Code", "Description", "Notes", "Stock", "Unit"]
            .map(str::to_owned)
            .to_vec();
        let record = json!({
            "Code": "=cmd|' /C calc'!A0",
            "Description": "@SUM(A1)",
            "Notes": "+31 20 123",
            "Stock": -5,
            "Unit": "pc  "
        });
        let mut out = Vec::new();
        let mut sheet = CsvSheet::new(&mut out, &columns).unwrap();
        sheet
            .row(columns.iter().map(|c| cell(record.get(c))))
            .unwrap();
        sheet.flush().unwrap();
        drop(sheet);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text.lines().nth(1),
            Some("'=cmd|' /C calc'!A0,'@SUM(A1),'+31 20 123,-5,pc  "),
            "text that a spreadsheet would run is neutralised; numbers and padding stay as Exact sent them"
        );
    }
}
