//! The languages of the pages: one JSON file per language in `assets/i18n/`
//! (`en.json`, `zh-CN.json`, …), each a flat map of keys to texts, so a team adds a
//! language by adding one file (nothing else lists the languages).
//!
//! Which language a page is in: `?lang=` on the page URL when it names a language we
//! have, else the best match of the browser's `Accept-Language`, else English. A tag
//! matches exactly (case-insensitive) or by its primary subtag (`zh-TW` → `zh-CN`,
//! `en-GB` → `en`). HTML pages carry `{{key}}` placeholders filled here (escaped), plus
//! `{{@lang}}` (the tag, for `<html lang>`) and `{{@langq}}` (`?lang=…` when the URL
//! chose it, so links keep the choice). The widget script gets every language appended
//! as `QrLogin.addLanguage(tag, strings)` calls: scripts translate with the same files.

#[cfg(test)]
mod tests;

use super::Assets;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The language of everything that has no better choice.
pub const DEFAULT: &str = "en";

/// Every language's strings, read once from the embedded files.
pub struct Catalog {
    langs: BTreeMap<&'static str, BTreeMap<String, String>>,
    script: String,
    hash: [u8; 32],
}

/// The language chosen for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// A tag of the catalogue, e.g. `zh-CN`.
    pub lang: &'static str,
    /// True when `?lang=` chose it (then the page's own links carry it on).
    pub forced: bool,
}

/// The catalogue of the embedded `assets/i18n/*.json`.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::load)
}

/// Two content hashes folded into one (for an ETag over a file plus the catalogue).
pub fn mix(mut a: [u8; 32], b: [u8; 32]) -> [u8; 32] {
    for (x, y) in a.iter_mut().zip(b) {
        *x ^= y;
    }
    a
}

impl Catalog {
    fn load() -> Self {
        let mut langs = BTreeMap::new();
        let mut hash = [0u8; 32];
        for path in Assets::iter() {
            let Some(tag) = path
                .strip_prefix("i18n/")
                .and_then(|p| p.strip_suffix(".json"))
            else {
                continue;
            };
            let Some(file) = Assets::get(&path) else {
                continue;
            };
            match serde_json::from_slice::<BTreeMap<String, String>>(&file.data) {
                Ok(strings) => {
                    hash = mix(hash, file.metadata.sha256_hash());
                    // Leaked once per language for the life of the process: the tags
                    // are handed out as &'static str in every Choice.
                    let tag: &'static str = Box::leak(tag.to_owned().into_boxed_str());
                    langs.insert(tag, strings);
                }
                // A broken file must not take the pages down: its language is missing
                // (and the unit tests fail on it long before a release).
                Err(e) => {
                    tracing::error!(file = %path, error = %e, "language file is not a JSON map of strings")
                }
            }
        }
        let script = Self::script_of(&langs);
        Self {
            langs,
            script,
            hash,
        }
    }

    fn script_of(langs: &BTreeMap<&'static str, BTreeMap<String, String>>) -> String {
        let mut s = String::from(
            "\n;(function (Q) {\n  'use strict';\n  if (!Q) return;\n  // The languages of assets/i18n/, appended by the server.\n",
        );
        for (tag, strings) in langs {
            let tag = serde_json::to_string(tag).unwrap_or_default();
            let map = serde_json::to_string(strings).unwrap_or_default();
            s.push_str(&format!("  Q.addLanguage({tag}, {map});\n"));
        }
        s.push_str("})(typeof window !== 'undefined' ? window.QrLogin : null);\n");
        s
    }

    /// The tags of the languages we have.
    pub fn languages(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.langs.keys().copied()
    }

    /// One language's strings.
    #[cfg(test)]
    pub fn strings(&self, lang: &str) -> Option<&BTreeMap<String, String>> {
        self.langs.get(lang)
    }

    /// The script that registers every language with the widget.
    pub fn script(&self) -> &str {
        &self.script
    }

    /// A hash of every language file, for ETags.
    pub fn hash(&self) -> [u8; 32] {
        self.hash
    }

    /// The language for a request's query string and `Accept-Language` header.
    pub fn choose(&self, query: Option<&str>, accept_language: Option<&str>) -> Choice {
        let asked = query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                (k == "lang").then_some(v)
            });
        if let Some(lang) = asked.and_then(|v| self.matching(v)) {
            return Choice { lang, forced: true };
        }
        let lang = accept_language
            .and_then(|h| self.best_of_accept_language(h))
            .or_else(|| self.matching(DEFAULT))
            .or_else(|| self.languages().next())
            .unwrap_or(DEFAULT);
        Choice {
            lang,
            forced: false,
        }
    }

    /// Our tag for `tag`: the same (any case), else the first with its primary subtag.
    fn matching(&self, tag: &str) -> Option<&'static str> {
        let tag = tag.trim();
        if tag.is_empty() || tag == "*" {
            return None;
        }
        let primary = |t: &str| {
            t.split(['-', '_'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase()
        };
        self.languages()
            .find(|l| l.eq_ignore_ascii_case(tag))
            .or_else(|| self.languages().find(|l| primary(l) == primary(tag)))
    }

    /// The best of our languages for an `Accept-Language` header (RFC 9110 q-values;
    /// equal weights keep the header's order; `q=0` means "not this one").
    fn best_of_accept_language(&self, header: &str) -> Option<&'static str> {
        let mut wanted: Vec<(u16, usize, &str)> = header
            .split(',')
            .take(32)
            .enumerate()
            .filter_map(|(i, part)| {
                let mut it = part.split(';');
                let tag = it.next()?.trim();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                // Weights have at most three decimals: compare them as integers.
                let q = (q.clamp(0.0, 1.0) * 1000.0).round() as u16;
                (q > 0).then_some((q, i, tag))
            })
            .collect();
        wanted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        wanted.iter().find_map(|(_, _, tag)| self.matching(tag))
    }

    /// The text of `key` in `lang` (else English, else the key itself).
    pub fn text<'a>(&'a self, lang: &str, key: &'a str) -> &'a str {
        self.langs
            .get(lang)
            .and_then(|m| m.get(key))
            .or_else(|| self.langs.get(DEFAULT).and_then(|m| m.get(key)))
            .map_or(key, String::as_str)
    }

    /// `html` with its `{{key}}` placeholders filled in `choice.lang`, HTML-escaped.
    pub fn render(&self, html: &str, choice: Choice) -> String {
        let mut out = String::with_capacity(html.len() + html.len() / 4);
        let mut rest = html;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start + 2..].find("}}") else {
                break;
            };
            out.push_str(&rest[..start]);
            let key = rest[start + 2..start + 2 + len].trim();
            match key {
                "@lang" => out.push_str(choice.lang),
                "@langq" if choice.forced => {
                    out.push_str("?lang=");
                    out.push_str(choice.lang);
                }
                "@langq" => {}
                _ => escape_into(&mut out, self.text(choice.lang, key)),
            }
            rest = &rest[start + 2 + len + 2..];
        }
        out.push_str(rest);
        out
    }
}

/// `text` escaped for HTML text and quoted attribute values.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}
