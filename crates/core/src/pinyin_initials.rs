//! Pinyin initials of Chinese names, so that "caqc" finds 长安汽车: users on a phone often type initials.

use pinyin::ToPinyin;

/// Polyphonic characters whose reading in place and company names differs from the dictionary's first one:
/// 重庆 is chóngqìng, 长安 cháng'ān, 银行 yínháng, 厦门 xiàmén, 成都 chéngdū.
const NAME_READINGS: &[(char, &str)] = &[
    ('重', "c"),
    ('长', "c"),
    ('行', "h"),
    ('厦', "x"),
    ('都', "d"),
    ('单', "d"),
    ('曾', "z"),
];

/// The lowercase pinyin initial of each Chinese character; ASCII letters and digits are kept (lowercased), and
/// everything else is dropped. A polyphonic character takes its reading in names.
pub fn initials(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (c, reading) in name.chars().zip(name.to_pinyin()) {
        if let Some((_, initial)) = NAME_READINGS.iter().find(|(k, _)| *k == c) {
            out.push_str(initial);
            continue;
        }
        match reading {
            Some(p) => out.push_str(p.first_letter()),
            None if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_of_a_company_name_are_its_pinyin_first_letters() {
        assert_eq!(initials("重庆长安汽车股份有限公司"), "cqcaqcgfyxgs");
    }

    #[test]
    fn latin_letters_and_digits_in_a_name_are_kept() {
        assert_eq!(initials("重庆ABC电子2号"), "cqabcdz2h");
    }
}
