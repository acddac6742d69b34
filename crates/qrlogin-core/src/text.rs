//! Text that a client writes and another person reads (the PC's device name shown on
//! the phone's confirm page): cleaned at the edge so it cannot reorder or hide what is
//! around it. Bidi controls (`U+202A–202E`, `U+2066–2069`, `U+200E/F`, `U+061C`) and
//! control characters (C0, DEL, C1) and invisible zero-widths are removed, runs of
//! combining marks are cut to [`MAX_COMBINING`] per base character ("Zalgo" text that
//! spills over the line above), and the result is NFC-normalised so one look has one
//! spelling. Letters, emoji (with their joiners) and ordinary punctuation are kept:
//! the phone page labels the text as the PC's own words, it does not forbid them.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Most combining marks kept after one base character (enough for any real script,
/// e.g. Vietnamese or Hebrew points; Zalgo stacks dozens).
pub const MAX_COMBINING: usize = 3;

/// Whether `c` changes the direction of text around it (Unicode bidi controls).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Whether `c` is removed from display text: a control, a bidi control, or an
/// invisible character that only hides things (zero width space, word joiner, BOM).
/// The zero width joiner stays: emoji sequences need it.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || is_bidi_control(c)
        || matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}')
}

/// The cleaned form of text to show to another person: see the module docs. Also trims
/// whitespace at both ends.
pub fn clean_display_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut marks = 0;
    for c in s.nfc() {
        if is_hidden(c) {
            continue;
        }
        if is_combining_mark(c) {
            marks += 1;
            if marks > MAX_COMBINING {
                continue;
            }
        } else {
            marks = 0;
        }
        out.push(c);
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_overrides_and_controls_are_removed() {
        let spoof = "Bank PC\u{202E}enohp siht\u{202C}\u{0007}\u{0085}\u{2066}x\u{2069}\u{200F}";
        assert_eq!(clean_display_text(spoof), "Bank PCenohp sihtx");
    }

    #[test]
    fn a_stack_of_combining_marks_is_cut_to_three() {
        let zalgo = format!("a{}b", "\u{0301}".repeat(200));
        let clean = clean_display_text(&zalgo);
        assert_eq!(clean.chars().count(), 5, "a + 3 marks + b: {clean:?}");
    }

    #[test]
    fn text_is_nfc_and_emoji_keep_their_joiners() {
        assert_eq!(clean_display_text("e\u{0301}"), "\u{00E9}");
        let family = "👨\u{200D}👩\u{200D}👧 PC ✔";
        assert_eq!(clean_display_text(family), family);
    }
}
