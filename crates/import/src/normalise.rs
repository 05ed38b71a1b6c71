//! Text folding shared by headers, indicator names, units, periods and numbers: spreadsheets typed on Chinese
//! keyboards mix full-width and half-width forms, so everything is compared in one folded form.

/// Folds one character: full-width ASCII forms (U+FF01..U+FF5E) to ASCII, the ideographic and no-break spaces to a
/// space, the Chinese brackets and minus signs to ASCII ones, and ASCII letters to lowercase.
pub(crate) fn fold_char(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' | '\u{2002}'..='\u{200B}' | '\u{202F}' => ' ',
        '【' | '〔' => '[',
        '】' | '〕' => ']',
        '\u{2212}' | '\u{FE63}' | '\u{2010}' | '\u{2011}' | '\u{2013}' | '\u{2014}'
        | '\u{2015}' => '-',
        '\u{FFE5}' => '¥',
        '\u{FEFF}' => ' ',
        other => other,
    };
    c.to_ascii_lowercase()
}

/// The matching key of a name: folded, without whitespace and the separators people use interchangeably
/// (`Credit Code`, `credit_code`, `credit-code` and `ＣＲＥＤＩＴ　ＣＯＤＥ` share one key).
pub(crate) fn key_into(text: &str, out: &mut String) {
    out.clear();
    out.extend(
        text.chars().map(fold_char).filter(|c| {
            !c.is_whitespace() && !matches!(c, '_' | '-' | '·' | '.' | '、' | ',' | '\'')
        }),
    );
}

pub(crate) fn key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    key_into(text, &mut out);
    out
}

/// A header or indicator label split into its name and the bracketed qualifiers after or inside it:
/// `增加值（万元）` → name `增加值`, qualifiers `["万元"]`; `2021-01 (万元)` → `2021-01`, `["万元"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Label {
    /// Folded, trimmed, spaces kept.
    pub name: String,
    /// Folded and trimmed contents of each bracket pair.
    pub qualifiers: Vec<String>,
}

pub(crate) fn split_label(text: &str) -> Label {
    let mut name = String::with_capacity(text.len());
    let mut qualifiers = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in text.chars().map(fold_char) {
        match c {
            '(' | '[' | '{' | '<' | '《' => {
                if depth > 0 {
                    current.push(c);
                }
                depth += 1;
            }
            ')' | ']' | '}' | '>' | '》' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    qualifiers.push(current.trim().to_string());
                    current.clear();
                } else {
                    current.push(c);
                }
            }
            _ if depth > 0 => current.push(c),
            _ => name.push(c),
        }
    }
    if depth > 0 && !current.trim().is_empty() {
        // An unclosed bracket: keep what followed it as a qualifier rather than losing it.
        qualifiers.push(current.trim().to_string());
    }
    Label {
        name: name.trim().to_string(),
        qualifiers,
    }
}

/// Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA.
pub(crate) fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_spacing_variants_share_one_key() {
        assert_eq!(key("Credit Code"), "creditcode");
        assert_eq!(key("credit_code"), "creditcode");
        assert_eq!(key("ＣＲＥＤＩＴ　ＣＯＤＥ"), "creditcode");
        assert_eq!(key(" 统一社会信用代码 "), "统一社会信用代码");
    }

    #[test]
    fn bracketed_units_are_split_from_names_in_either_bracket_width() {
        let label = split_label("增加值（万元）");
        assert_eq!(label.name, "增加值");
        assert_eq!(label.qualifiers, vec!["万元".to_string()]);
        let label = split_label("2021-01 (万元)");
        assert_eq!(label.name, "2021-01");
        let label = split_label("Added value [10k Yuan]");
        assert_eq!(label.name, "added value");
        assert_eq!(label.qualifiers, vec!["10k yuan".to_string()]);
        assert_eq!(
            split_label("从业人员【人】").qualifiers,
            vec!["人".to_string()]
        );
    }

    #[test]
    fn column_letters_follow_spreadsheet_naming() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
