//! Reading the message catalogs: one `key = text` a line, `#` starts a comment line, `\n` in a
//! text is a line break. They are compiled into the binary, so a page never misses its words.

use std::collections::HashMap;
use std::sync::OnceLock;

const SOURCES: [&str; 3] =
    [include_str!("../../locales/en.txt"), include_str!("../../locales/fr.txt"), include_str!("../../locales/de.txt")];

type Catalog = HashMap<&'static str, &'static str>;

/// The catalogs, in the order of [`super::Lang::ALL`].
pub(super) fn all() -> &'static [Catalog; 3] {
    static CATALOGS: OnceLock<[Catalog; 3]> = OnceLock::new();
    CATALOGS.get_or_init(|| SOURCES.map(parse))
}

fn parse(source: &'static str) -> Catalog {
    source
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| line.split_once(" = "))
        .map(|(key, text)| (key.trim(), &*Box::leak(text.trim().replace("\\n", "\n").into_boxed_str())))
        .collect()
}

/// A key no catalog has, shown as itself (kept for the process: there are few, and a test
/// keeps them from existing).
pub(super) fn leak_key(key: &str) -> &'static str {
    static MISSING: OnceLock<std::sync::Mutex<HashMap<String, &'static str>>> = OnceLock::new();
    let mut missing = MISSING.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    missing.entry(key.to_owned()).or_insert_with(|| Box::leak(key.to_owned().into_boxed_str()))
}

#[cfg(test)]
mod tests {
    use super::super::Lang;
    use super::*;

    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> =
            text.split('{').skip(1).filter_map(|part| part.split_once('}')).map(|(name, _)| name).collect();
        found.sort_unstable();
        found
    }

    #[test]
    fn every_catalog_has_every_english_key_with_the_same_placeholders() {
        let catalogs = all();
        let english = &catalogs[Lang::En as usize];
        assert!(english.len() > 50, "the English catalog was read");
        for lang in [Lang::Fr, Lang::De] {
            let other = &catalogs[lang as usize];
            for (key, text) in english {
                let translated = other.get(key).unwrap_or_else(|| panic!("{} lacks {key}", lang.code()));
                assert_eq!(placeholders(text), placeholders(translated), "{} {key}", lang.code());
            }
            assert_eq!(other.len(), english.len(), "{} has keys English lacks", lang.code());
        }
    }

    #[test]
    fn twelve_months_and_seven_days_in_each_language() {
        for lang in Lang::ALL {
            assert_eq!(crate::i18n::t_in(lang, "date.months").split(',').count(), 12);
            assert_eq!(crate::i18n::t_in(lang, "date.weekdays").split(',').count(), 7);
        }
    }
}
