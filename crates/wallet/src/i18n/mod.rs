//! The languages the web wallet's pages and e-mails speak: English, French and German, their
//! words in message catalogs (`crates/wallet/locales/{en,fr,de}.txt`), dates written for people
//! in the event's own time zone ([`dates`]). A page request's language is chosen once, by
//! [`choose::choose_language`], and held for the request's task, so the code that renders a page
//! asks [`t`] without passing the language through every call; outside a page request (the JSON
//! API) it is English. See docs/wallet-pages.md#languages.

mod catalog;
pub(crate) mod choose;
pub(crate) mod dates;

use std::future::Future;

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Fr,
    De,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::De];

    /// The language tag, as in `<html lang>` and `?lang=`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::De => "de",
        }
    }

    /// The language's own name, as the switcher shows it.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::De => "Deutsch",
        }
    }

    /// `fr`, `fr-CH`, `DE-at`… → the language; any other → none.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|lang| lang.code() == primary)
    }

    fn index(self) -> usize {
        self as usize
    }
}

tokio::task_local! {
    static CURRENT: Lang;
}

/// The language of the page being rendered (English outside a page request).
pub fn current() -> Lang {
    CURRENT.try_with(|lang| *lang).unwrap_or(Lang::En)
}

/// Runs `work` with `lang` as the current language.
pub async fn scope<F: Future>(lang: Lang, work: F) -> F::Output {
    CURRENT.scope(lang, work).await
}

/// The message `key` in the current language.
pub fn t(key: &str) -> &'static str {
    t_in(current(), key)
}

/// The message `key` in `lang`; the English one if `lang`'s catalog lacks it, or the key
/// itself (a test keeps every key in every catalog).
pub fn t_in(lang: Lang, key: &str) -> &'static str {
    let catalogs = catalog::all();
    catalogs[lang.index()]
        .get(key)
        .or_else(|| catalogs[Lang::En.index()].get(key))
        .copied()
        .unwrap_or_else(|| catalog::leak_key(key))
}

/// The message `key` in the current language with its `{name}`s filled from `args`.
pub fn tf(key: &str, args: &[(&str, &str)]) -> String {
    fill(t(key), args)
}

/// Like [`tf`] in `lang`.
pub fn tf_in(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    fill(t_in(lang, key), args)
}

fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// A multilingual text (`{"en": "Final", "fr": "Finale"}`, docs/wallet-api.md#injected-ticket-fields)
/// in the current language when the organizer wrote it in that language; else `fallback`, the
/// text the wallet shows everywhere else.
pub fn localized(value: Option<&serde_json::Value>, fallback: &str) -> String {
    let lang = current();
    value
        .and_then(serde_json::Value::as_object)
        .and_then(|texts| texts.iter().find(|(tag, _)| Lang::parse(tag) == Some(lang)))
        .and_then(|(_, text)| text.as_str())
        .unwrap_or(fallback)
        .to_owned()
}
