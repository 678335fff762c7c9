//! `exact-offline export`: an entity's records as JSON lines (the full attribute map under the
//! API's property names, verbatim) or CSV (one column per property in Exact's order).

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use offline_cache::{Cache, Entity};
use serde_json::{Map, Value};

use crate::cli::{ExportArgs, Format};
use crate::config::{cache_path, demo_dir};

pub fn run(data_dir: &Path, args: &ExportArgs) -> Result<ExitCode> {
    let entity: Entity = args.entity.parse()?;
    let dir = if args.demo {
        demo_dir(data_dir)
    } else {
        data_dir.to_path_buf()
    };
    let path = cache_path(&dir);
    if !path.exists() {
        bail!(
            "no offline copy in {} yet; run `exact-offline sync` first",
            dir.display()
        );
    }
    let cache = Cache::open(&path)?;
    let mut divisions: Vec<i32> = match args.division {
        Some(d) => vec![d],
        None => cache.status()?.iter().map(|s| s.division).collect(),
    };
    divisions.sort_unstable();
    divisions.dedup();
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
        Format::Csv => {
            let columns = columns(entity);
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record(&columns)?;
            for &division in divisions {
                *written += cache.export(division, entity, &mut |json| {
                    let record: Map<String, Value> = serde_json::from_str(json)?;
                    let row: Vec<String> = columns.iter().map(|c| cell(record.get(c))).collect();
                    csv.write_record(&row).map_err(std::io::Error::other)?;
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

/// A cell: text as is, numbers and booleans as JSON, nested values (navigation links) as JSON.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}
