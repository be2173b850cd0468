//! `GET /api/dashboard/export?format=csv|xlsx&table=…&lang=zh|en` with the dashboard's own query: the
//! tables the page shows (`premia_dashboard::build`), as they are, in a file. CSV is one table (UTF-8
//! with a byte-order mark, which spreadsheet programs need to read Chinese), written by the `csv`
//! crate; Excel (`rust_xlsxwriter`) is every table, a sheet each, or the one named.
//!
//! In CSV, amounts are written as the decimals the API sends ("1234.50") and shares as percentages
//! ("62.50%"). In the workbook they are numbers with a number format, so that they can be summed:
//! Excel keeps every number as a binary double, which holds any amount of up to 15 digits to the fen
//! (the exact decimals are the API's and the CSV's).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use premia_core::Lang;
use premia_dashboard::api::{Cell, Change, Table, TableId};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::read;
use crate::desk::cases::{private, unavailable};
use crate::error::{ApiError, ServerError};
use crate::state::AppState;

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

pub async fn get(State(state): State<AppState>, uri: Uri) -> Result<Response, ApiError> {
    let pairs = read::pairs(&uri)?;
    let value = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let format = match value("format") {
        Some("csv") => Format::Csv,
        Some("xlsx") => Format::Xlsx,
        other => {
            return Err(invalid(
                "format",
                format!("格式“{}”无效：应为 csv 或 xlsx", other.unwrap_or("")),
                "format must be csv or xlsx",
            ));
        }
    };
    let table = match value("table") {
        None | Some("") if format == Format::Xlsx => None,
        Some(name) => Some(
            TableId::parse(name)
                .ok_or_else(|| invalid("table", format!("表“{name}”不存在"), format!("there is no table {name:?}")))?,
        ),
        None => return Err(invalid("table", "导出 CSV 须指定表（table=…）", "a CSV export names its table (table=…)")),
    };
    let lang = match value("lang") {
        None | Some("zh") => Lang::Zh,
        Some("en") => Lang::En,
        Some(other) => {
            return Err(invalid("lang", format!("语言“{other}”无效：应为 zh 或 en"), "lang must be zh or en"));
        }
    };
    let query = read::parse(&uri)?;
    let dashboard = read::load(&state, &query).await.map_err(unavailable)?;
    let tables: Vec<&Table> = dashboard.tables.iter().filter(|t| table.is_none_or(|id| t.id == id)).collect();
    let period = dashboard.period.key.clone();
    let name = table.map_or("all", TableId::name);
    let (bytes, content_type, extension) = match format {
        Format::Csv => (csv(tables[0], lang).map_err(|e| ApiError::unavailable(&e))?, "text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (
            xlsx(&tables, lang).map_err(|e| ApiError::unavailable(&e))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let mut response = private((StatusCode::OK, bytes).into_response());
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let disposition = format!("attachment; filename=\"premia-dashboard-{name}-{period}.{extension}\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
    ApiError::server(StatusCode::UNPROCESSABLE_ENTITY, ServerError::new("invalid", field, zh, en))
}

/// A percentage with two decimals: "0.6250" → "62.50%".
fn percent(fraction: Decimal) -> String {
    format!("{:.2}%", fraction * Decimal::ONE_HUNDRED)
}

/// Text a spreadsheet program would read as a formula (`=…`, `+…`, `-…`, `@…`) gets a leading `'`:
/// agent codes come from the applications, and a CSV opened in a spreadsheet must not run one.
fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

/// A cell as CSV text.
pub fn cell_text(cell: &Cell, lang: Lang) -> String {
    match cell {
        Cell::Text(text) => inert(text),
        Cell::Label(text) => inert(text.get(lang)),
        Cell::Money(d) => d.to_string(),
        Cell::Count(n) | Cell::Minutes(n) => n.to_string(),
        Cell::Share(d) | Cell::Change(Change::Relative(d)) => percent(*d),
        Cell::Change(Change::Points(d)) => format!("{:+.2} pp", *d * Decimal::ONE_HUNDRED),
        Cell::Empty => String::new(),
    }
}

/// One table as CSV: a header row of the column labels, then the rows.
pub fn csv(table: &Table, lang: Lang) -> Result<Vec<u8>, String> {
    let mut writer = ::csv::Writer::from_writer(Vec::from("\u{feff}".as_bytes()));
    writer.write_record(table.columns.iter().map(|c| c.label.get(lang).to_owned())).map_err(|e| e.to_string())?;
    for row in &table.rows {
        writer.write_record(row.iter().map(|c| cell_text(c, lang))).map_err(|e| e.to_string())?;
    }
    writer.into_inner().map_err(|e| e.to_string())
}

/// The tables as a workbook, a sheet each (named by the table's title).
pub fn xlsx(tables: &[&Table], lang: Lang) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let mut workbook = Workbook::new();
    let header = CellFormat::new().set_bold();
    let money = CellFormat::new().set_num_format("#,##0.00");
    let whole = CellFormat::new().set_num_format("#,##0");
    let share = CellFormat::new().set_num_format("0.00%");
    let points = CellFormat::new().set_num_format("+0.00\" pp\";-0.00\" pp\"");
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(table.title.get(lang)).map_err(|e| e.to_string())?;
        for (c, column) in table.columns.iter().enumerate() {
            let c = u16::try_from(c).map_err(|e| e.to_string())?;
            sheet.write_string_with_format(0, c, column.label.get(lang), &header).map_err(|e| e.to_string())?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|e| e.to_string())?;
            for (c, cell) in row.iter().enumerate() {
                let c = u16::try_from(c).map_err(|e| e.to_string())?;
                let number = |d: Decimal| d.to_f64().unwrap_or_default();
                let written = match cell {
                    Cell::Text(text) => sheet.write_string(r, c, text),
                    Cell::Label(text) => sheet.write_string(r, c, text.get(lang)),
                    Cell::Money(d) => sheet.write_number_with_format(r, c, number(*d), &money),
                    Cell::Count(n) | Cell::Minutes(n) => {
                        sheet.write_number_with_format(r, c, number(Decimal::from(*n)), &whole)
                    }
                    Cell::Share(d) | Cell::Change(Change::Relative(d)) => {
                        sheet.write_number_with_format(r, c, number(*d), &share)
                    }
                    Cell::Change(Change::Points(d)) => {
                        sheet.write_number_with_format(r, c, number(*d * Decimal::ONE_HUNDRED), &points)
                    }
                    Cell::Empty => continue,
                };
                written.map_err(|e| e.to_string())?;
            }
        }
        sheet.autofit();
    }
    workbook.save_to_buffer().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use premia_core::Text;
    use premia_dashboard::api::{Column, Unit};

    fn table() -> Table {
        Table {
            id: TableId::Channel,
            title: TableId::Channel.title(),
            columns: vec![
                Column { id: "name".into(), label: Text::fixed("名称", "name"), unit: Unit::Text },
                Column {
                    id: "nbp".into(), label: Text::fixed("新单保费", "new business premium"), unit: Unit::Money
                },
                Column { id: "share".into(), label: Text::fixed("占比", "share"), unit: Unit::Share },
                Column { id: "mom".into(), label: Text::fixed("环比", "vs previous"), unit: Unit::Text },
            ],
            rows: vec![
                vec![
                    Cell::Label(Text::fixed("代理人, 线下", "agents, \"offline\"")),
                    Cell::Money("1234.50".parse().unwrap()),
                    Cell::Share("0.6250".parse().unwrap()),
                    Cell::Change(Change::Points("-0.0150".parse().unwrap())),
                ],
                vec![Cell::Text("direct".into()), Cell::Money("0.00".parse().unwrap()), Cell::Empty, Cell::Empty],
                vec![
                    Cell::Text("=HYPERLINK(\"x\")".into()),
                    Cell::Money("-1.00".parse().unwrap()),
                    Cell::Empty,
                    Cell::Empty,
                ],
            ],
        }
    }

    #[test]
    fn csv_quotes_what_needs_it_and_starts_with_a_bom() {
        let text = String::from_utf8(csv(&table(), Lang::En).unwrap()).unwrap();
        assert_eq!(
            text,
            "\u{feff}name,new business premium,share,vs previous\n\"agents, \"\"offline\"\"\",1234.50,62.50%,-1.50 pp\ndirect,0.00,,\n\"'=HYPERLINK(\"\"x\"\")\",-1.00,,\n"
        );
        let zh = String::from_utf8(csv(&table(), Lang::Zh).unwrap()).unwrap();
        assert!(zh.starts_with("\u{feff}名称,新单保费,占比,环比\n\"代理人, 线下\""), "{zh}");
    }

    #[test]
    fn workbooks_are_zip_files_with_a_sheet_per_table() {
        let one = table();
        let bytes =
            xlsx(&[&one, &Table { id: TableId::Line, title: TableId::Line.title(), ..table() }], Lang::Zh).unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"), "an xlsx file is a zip archive");
        assert!(bytes.windows(b"xl/worksheets/sheet2.xml".len()).any(|w| w == b"xl/worksheets/sheet2.xml"));
    }
}
