//! Readable tables of API answers.

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use serde_json::Value;

/// Print `rows` (JSON objects) as a table of `columns` (header, JSON pointer).
pub fn print(rows: &Value, columns: &[(&str, &str)]) {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(columns.iter().map(|(h, _)| *h));
    let empty = vec![];
    let list = rows.as_array().unwrap_or(&empty);
    for row in list {
        t.add_row(columns.iter().map(|(_, p)| cell(row.pointer(p))));
    }
    println!("{t}");
    println!("{} item(s)", list.len());
}

/// Print one object as a two-column table.
pub fn print_one(obj: &Value) {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    if let Some(map) = obj.as_object() {
        for (k, v) in map {
            t.add_row(vec![k.clone(), cell(Some(v))]);
        }
    }
    println!("{t}");
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "-".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| cell(Some(x)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::Object(o)) => o
            .iter()
            .map(|(k, v)| format!("{k}={}", cell(Some(v))))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}
