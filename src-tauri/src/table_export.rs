//! A list of items or customers written as a table a person opens in a spreadsheet: chosen
//! columns (Exact's property names), one row per record, CSV or XLSX.
//!
//! Cells are made for reading, not for re-import: text is trimmed (Exact pads codes), dates
//! (`/Date(ms)/`, Dutch time) become `YYYY-MM-DD` or `YYYY-MM-DD HH:MM`, numbers stay numbers
//! (numeric cells in XLSX). Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`
//! first) is written with a leading apostrophe in CSV and as a plain string in XLSX, so a
//! hostile description cannot become a formula on the user's machine.
//!
//! With "Values as shown" ([`ShownValues`]) codes, flags and references are written in words
//! instead, as the detail screen shows them; the column headers stay Exact's property names.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use offline_cache::{AccountQuery, Cache, ItemQuery};
use rust_xlsxwriter::{Format, Workbook, Worksheet};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

mod shown;

pub use shown::{ShownValues, ValueRule};

/// The file format of an exported list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum TableFormat {
    Csv,
    Xlsx,
}

impl TableFormat {
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Xlsx => "xlsx",
        }
    }
}

/// Which list, filtered and sorted as the user sees it.
#[derive(Debug, Clone)]
pub enum ListQuery {
    Items(ItemQuery),
    Customers(AccountQuery),
}

/// Writes every record of `list` (offset and limit ignored) to `path` with `columns`, their
/// values as stored or as `shown` says; `progress(done, total)` is called every 1 000 rows and
/// at the end. Returns the rows written. On failure the partial file is removed.
pub fn export_list(
    cache: &Cache,
    list: &ListQuery,
    columns: &[String],
    shown: &ShownValues,
    format: TableFormat,
    path: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64> {
    let columns: Vec<String> = columns
        .iter()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    if columns.is_empty() {
        bail!("choose at least one column to export");
    }
    if let Some(column) = shown.columns().find(|c| !columns.iter().any(|e| e == c)) {
        bail!("a value rule names {column}, which is not an exported column");
    }
    let result = write(cache, list, &columns, shown, format, path, progress);
    if result.is_err() {
        let _ = std::fs::remove_file(path);
    }
    result
}

fn write(
    cache: &Cache,
    list: &ListQuery,
    columns: &[String],
    shown: &ShownValues,
    format: TableFormat,
    path: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64> {
    let mut table = Table::create(path, format, columns)?;
    let mut done = 0u64;
    let mut each = |total: u64, json: &str| -> offline_cache::Result<()> {
        let record: Map<String, Value> = serde_json::from_str(json).map_err(|e| {
            offline_cache::Error::Export(format!("a stored record is not JSON: {e}"))
        })?;
        table
            .row(columns.iter().map(|c| shown.cell(c, &record)))
            .map_err(|e| offline_cache::Error::Export(format!("{e:#}")))?;
        done += 1;
        if done.is_multiple_of(1000) || done == total {
            progress(done, total);
        }
        Ok(())
    };
    let total = match list {
        ListQuery::Items(q) => cache.export_items(q, &mut each)?,
        ListQuery::Customers(q) => cache.export_accounts(q, &mut each)?,
    };
    if total == 0 {
        progress(0, 0);
    }
    table.finish()?;
    Ok(total)
}

/// The open output file.
enum Table {
    Csv(Box<CsvSheet<BufWriter<File>>>),
    Xlsx {
        workbook: Box<Workbook>,
        row: u32,
        path: PathBuf,
    },
}

impl Table {
    fn create(path: &Path, format: TableFormat, columns: &[String]) -> Result<Table> {
        match format {
            TableFormat::Csv => {
                let file = File::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?;
                let csv = CsvSheet::new(BufWriter::new(file), columns)?;
                Ok(Table::Csv(Box::new(csv)))
            }
            TableFormat::Xlsx => {
                let mut workbook = Workbook::new();
                let sheet = workbook.add_worksheet_with_constant_memory()?;
                let bold = Format::new().set_bold();
                for (col, name) in columns.iter().enumerate() {
                    sheet.write_string_with_format(0, column_index(col)?, name, &bold)?;
                }
                Ok(Table::Xlsx {
                    workbook: Box::new(workbook),
                    row: 0,
                    path: path.to_path_buf(),
                })
            }
        }
    }

    fn row(&mut self, cells: impl Iterator<Item = Cell>) -> Result<()> {
        match self {
            Table::Csv(csv) => csv.row(cells)?,
            Table::Xlsx { workbook, row, .. } => {
                *row += 1;
                if *row >= 1_048_576 {
                    bail!("an XLSX sheet holds at most 1 048 575 rows; export CSV instead");
                }
                let sheet = workbook
                    .worksheet_from_index(0)
                    .context("the export's worksheet")?;
                for (col, cell) in cells.enumerate() {
                    write_xlsx(sheet, *row, column_index(col)?, cell)?;
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        match self {
            Table::Csv(mut csv) => csv.flush()?,
            Table::Xlsx {
                mut workbook, path, ..
            } => workbook
                .save(&path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        }
        Ok(())
    }
}

fn column_index(col: usize) -> Result<u16> {
    u16::try_from(col)
        .ok()
        .filter(|c| *c < 16_384)
        .context("an XLSX sheet holds at most 16 384 columns")
}

/// A value as a person reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A JSON number, boolean or nested value, as Exact wrote it (never text, so never a formula).
    Json(Value),
}

/// The one way the project writes CSV: every text cell that a spreadsheet would run as a
/// formula (`=`, `+`, `-`, `@`, tab or carriage return first) gets a leading apostrophe, so data
/// from Exact can neither compute nor call out (DDE) on the user's machine.
#[derive(Debug)]
pub struct CsvSheet<W: Write> {
    csv: csv::Writer<W>,
}

impl<W: Write> CsvSheet<W> {
    /// A sheet on `out`, its first row the column names.
    pub fn new(out: W, columns: &[String]) -> Result<Self> {
        let mut sheet = CsvSheet {
            csv: csv::Writer::from_writer(out),
        };
        sheet.row(columns.iter().map(|c| Cell::Text(c.clone())))?;
        Ok(sheet)
    }

    pub fn row(&mut self, cells: impl IntoIterator<Item = Cell>) -> Result<()> {
        let cells: Vec<String> = cells.into_iter().map(|c| csv_cell(&c)).collect();
        self.csv.write_record(&cells).context("writing a CSV row")
    }

    pub fn flush(&mut self) -> Result<()> {
        self.csv.flush().context("writing the CSV file")
    }
}

fn cell(value: Option<&Value>) -> Cell {
    match value {
        None | Some(Value::Null) => Cell::Empty,
        Some(Value::Bool(b)) => Cell::Bool(*b),
        Some(Value::Number(n)) => n.as_f64().map_or(Cell::Empty, Cell::Number),
        Some(Value::String(s)) => {
            let s = s.trim();
            if s.is_empty() {
                return Cell::Empty;
            }
            match exact_api::dates::parse_exact_date(s).filter(|_| s.starts_with("/Date(")) {
                Some(at) => Cell::Text(dutch_time(at)),
                None => Cell::Text(s.to_owned()),
            }
        }
        // A nested value (a deferred navigation link): its JSON.
        Some(other) => Cell::Text(other.to_string()),
    }
}

/// A date as Exact means it: Dutch wall-clock time; midnight dates as a date alone.
fn dutch_time(at: chrono::DateTime<chrono::Utc>) -> String {
    let local_ms = exact_api::dates::utc_to_exact_ms(at);
    let Some(local) = chrono::DateTime::from_timestamp_millis(local_ms) else {
        return String::new();
    };
    let naive = local.naive_utc();
    if naive.time() == chrono::NaiveTime::MIN {
        naive.format("%Y-%m-%d").to_string()
    } else {
        naive.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// A CSV cell; text a spreadsheet would run as a formula gets a leading apostrophe.
fn csv_cell(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Number(n) => n.to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::Json(v) => v.to_string(),
        Cell::Text(t) if looks_like_formula(t) => format!("'{t}"),
        Cell::Text(t) => t.clone(),
    }
}

fn looks_like_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn write_xlsx(sheet: &mut Worksheet, row: u32, col: u16, cell: Cell) -> Result<()> {
    match cell {
        Cell::Empty => {}
        // Strings are written as strings (never as formulas), whatever they start with.
        Cell::Text(t) => {
            sheet.write_string(row, col, t)?;
        }
        Cell::Number(n) => {
            sheet.write_number(row, col, n)?;
        }
        Cell::Bool(b) => {
            sheet.write_boolean(row, col, b)?;
        }
        Cell::Json(v) => {
            sheet.write_string(row, col, v.to_string())?;
        }
    }
    Ok(())
}

/// A file name in `dir` for a new export that does not overwrite anything:
/// `Exact items 2026-11-26 1305.csv`, then `... (2).csv`, ...
pub fn fresh_path(
    dir: &Path,
    what: &str,
    format: TableFormat,
    now: chrono::NaiveDateTime,
) -> PathBuf {
    let stem = format!("Exact {what} {}", now.format("%Y-%m-%d %H%M"));
    let ext = format.extension();
    let mut path = dir.join(format!("{stem}.{ext}"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem} ({n}).{ext}"));
        n += 1;
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_are_trimmed_dated_and_never_formulas() {
        assert_eq!(cell(Some(&json!("  ABC  "))), Cell::Text("ABC".into()));
        assert_eq!(cell(Some(&json!("   "))), Cell::Empty);
        assert_eq!(cell(Some(&json!(12.5))), Cell::Number(12.5));
        assert_eq!(cell(Some(&json!(null))), Cell::Empty);
        assert_eq!(cell(None), Cell::Empty);
        // 2024-07-01 00:00 Dutch time (summer: UTC+2) is written as Exact means it.
        let local_midnight = chrono::NaiveDate::from_ymd_opt(2024, 7, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp_millis())
            .expect("a date");
        assert_eq!(
            cell(Some(&json!(format!("/Date({local_midnight})/")))),
            Cell::Text("2024-07-01".into())
        );
        assert_eq!(
            cell(Some(&json!(format!(
                "/Date({})/",
                local_midnight + 13 * 3_600_000 + 5 * 60_000
            )))),
            Cell::Text("2024-07-01 13:05".into())
        );
        for hostile in ["=HYPERLINK(\"x\")", "+1+1", "-2+3", "@SUM(A1)"] {
            let written = csv_cell(&cell(Some(&json!(hostile))));
            assert_eq!(written, format!("'{hostile}"), "{hostile}");
        }
        assert_eq!(
            csv_cell(&Cell::Number(-5.0)),
            "-5",
            "negative numbers stay numbers"
        );
    }

    #[test]
    fn fresh_paths_never_overwrite() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .and_then(|d| d.and_hms_opt(13, 5, 0))
            .expect("a time");
        let first = fresh_path(dir.path(), "items", TableFormat::Csv, now);
        assert!(first.ends_with("Exact items 2026-11-26 1305.csv"));
        std::fs::write(&first, "x").expect("write");
        let second = fresh_path(dir.path(), "items", TableFormat::Csv, now);
        assert!(second.ends_with("Exact items 2026-11-26 1305 (2).csv"));
    }
}
