//! The Telex and VNI engine: pure functions over strings, no egui.
//!
//! The engine is stateless: the word before the cursor is turned back into the keys that
//! type it ("trường" → "truwowngf"), the new key is added, and the word is composed again.
//! So a field's text is the only state, and undoing a mark by repeating its key works the
//! way Unikey users expect ("as" → "á", "ass" → "as").

use unicode_normalization::UnicodeNormalization;

/// The typing method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// Keys go in as they are (an IME or Unikey does the work, or nothing is wanted).
    #[default]
    Off,
    Telex,
    Vni,
}

/// Where the tone goes in "oa", "oe", "uy" at the end of a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ToneStyle {
    /// "hòa", "thủy": on the first vowel (the traditional style).
    #[default]
    Old,
    /// "hoà", "thuỷ": on the second vowel.
    New,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    None,
    /// â ê ô
    Hat,
    /// ă
    Breve,
    /// ơ ư
    Horn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    None,
    Acute,
    Grave,
    Hook,
    Tilde,
    Dot,
}

impl Tone {
    fn combining(self) -> Option<char> {
        match self {
            Tone::None => None,
            Tone::Acute => Some('\u{301}'),
            Tone::Grave => Some('\u{300}'),
            Tone::Hook => Some('\u{309}'),
            Tone::Tilde => Some('\u{303}'),
            Tone::Dot => Some('\u{323}'),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Letter {
    /// Lowercase base letter; 'đ' for the crossed d.
    base: char,
    mark: Mark,
    upper: bool,
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// A word being composed.
struct Word {
    letters: Vec<Letter>,
    tone: Tone,
}

impl Word {
    fn has_vowel(&self) -> bool {
        self.letters.iter().any(|l| is_vowel(l.base))
    }

    fn push(&mut self, c: char) {
        let lower = c.to_lowercase().next().unwrap_or(c);
        self.letters.push(Letter { base: lower, mark: Mark::None, upper: c.is_uppercase() });
    }

    /// The last vowel with this base in the word's vowels, searching back.
    fn last_vowel(&self, base: char) -> Option<usize> {
        self.letters.iter().rposition(|l| l.base == base)
    }

    /// Applies a tone key; the same tone twice takes it off and types the key itself.
    fn tone_key(&mut self, tone: Tone, key: char) -> bool {
        if !self.has_vowel() {
            return false;
        }
        if self.tone == tone {
            self.tone = Tone::None;
            self.push(key);
        } else {
            self.tone = tone;
        }
        true
    }

    /// â/ê/ô from a repeated vowel key (Telex) or 6 (VNI, `base` None = any of a, e, o).
    fn hat(&mut self, base: Option<char>, key: char) -> bool {
        let target = self.letters.iter().rposition(|l| match base {
            Some(b) => l.base == b,
            None => matches!(l.base, 'a' | 'e' | 'o'),
        });
        let Some(i) = target else { return false };
        if self.letters[i].mark == Mark::Hat {
            self.letters[i].mark = Mark::None;
            self.push(key);
        } else {
            self.letters[i].mark = Mark::Hat;
        }
        true
    }

    /// ă, ơ, ư (Telex w, VNI 7 and 8): "uo" takes the horn on both letters.
    fn horn_or_breve(&mut self, only_breve: bool, key: char) -> bool {
        let Some(i) = self.letters.iter().rposition(|l| is_vowel(l.base)) else { return false };
        let wanted = |l: &Letter| match l.base {
            'a' => Some(Mark::Breve),
            'o' | 'u' if !only_breve => Some(Mark::Horn),
            _ => None,
        };
        // The vowel to mark: the last a/o/u of the word's vowels.
        let Some(j) =
            (0..=i).rev().take_while(|&j| is_vowel(self.letters[j].base)).find(|&j| wanted(&self.letters[j]).is_some())
        else {
            return false;
        };
        let mark = wanted(&self.letters[j]).expect("found above");
        if self.letters[j].mark == mark {
            self.letters[j].mark = Mark::None;
            if j > 0 && self.letters[j].base == 'o' && self.letters[j - 1].base == 'u' {
                self.letters[j - 1].mark = Mark::None;
            }
            self.push(key);
            return true;
        }
        self.letters[j].mark = mark;
        // "ươ" takes both horns, except after q: "quới" is qu + ới.
        let after_q = j >= 2 && self.letters[j - 2].base == 'q';
        if self.letters[j].base == 'o' && j > 0 && self.letters[j - 1].base == 'u' && !after_q {
            self.letters[j - 1].mark = Mark::Horn;
        }
        if self.letters[j].base == 'u' && j + 1 < self.letters.len() && self.letters[j + 1].base == 'o' {
            self.letters[j + 1].mark = Mark::Horn;
        }
        true
    }

    /// đ from dd (Telex) or d9 (VNI) on the letter just typed ("NĐ", "QĐ" are typed
    /// "NDD", "QDD"), or with VNI on a first d typed earlier ("da9" → "đa"); again, it undoes.
    fn stroke(&mut self, key: char) -> bool {
        let last = self.letters.len().checked_sub(1);
        let target = match last.map(|i| self.letters[i].base) {
            Some('d' | 'đ') => last,
            _ if key == '9' && self.letters.first().is_some_and(|l| matches!(l.base, 'd' | 'đ')) => Some(0),
            _ => None,
        };
        let Some(i) = target else { return false };
        if self.letters[i].base == 'đ' {
            self.letters[i].base = 'd';
            self.push(key);
        } else {
            self.letters[i].base = 'đ';
        }
        true
    }

    fn telex(&mut self, c: char) {
        let lower = c.to_ascii_lowercase();
        let handled = match lower {
            's' => self.tone_key(Tone::Acute, c),
            'f' => self.tone_key(Tone::Grave, c),
            'r' => self.tone_key(Tone::Hook, c),
            'x' => self.tone_key(Tone::Tilde, c),
            'j' => self.tone_key(Tone::Dot, c),
            'z' if self.tone != Tone::None => {
                self.tone = Tone::None;
                true
            }
            'a' | 'e' | 'o' if self.last_vowel(lower).is_some_and(|i| self.vowels_from(i)) => self.hat(Some(lower), c),
            'w' => {
                self.horn_or_breve(false, c) || {
                    // A lone w is ư.
                    self.letters.push(Letter { base: 'u', mark: Mark::Horn, upper: c.is_uppercase() });
                    true
                }
            }
            'd' => self.stroke(c),
            _ => false,
        };
        if !handled {
            self.push(c);
        }
    }

    /// Whether the letter at `i` is in the last run of vowels (a repeated vowel key marks
    /// the vowel it follows, not one of an earlier syllable-like run).
    fn vowels_from(&self, i: usize) -> bool {
        self.letters[i + 1..].iter().all(|l| is_vowel(l.base))
            || self.letters[i + 1..].iter().all(|l| !is_vowel(l.base))
    }

    fn vni(&mut self, c: char) {
        let handled = match c {
            '1' => self.tone_key(Tone::Acute, c),
            '2' => self.tone_key(Tone::Grave, c),
            '3' => self.tone_key(Tone::Hook, c),
            '4' => self.tone_key(Tone::Tilde, c),
            '5' => self.tone_key(Tone::Dot, c),
            '0' if self.tone != Tone::None => {
                self.tone = Tone::None;
                true
            }
            '6' => self.hat(None, c),
            '7' => self.horn_or_breve(false, c),
            '8' => self.horn_or_breve(true, c),
            '9' => self.stroke(c),
            _ => false,
        };
        if !handled {
            self.push(c);
        }
    }

    /// The index of the vowel that carries the tone.
    fn tone_position(&self, style: ToneStyle) -> Option<usize> {
        let mut vowels: Vec<usize> = (0..self.letters.len()).filter(|&i| is_vowel(self.letters[i].base)).collect();
        // "qu" and "gi" (before another vowel) belong to the consonant.
        if let [first, second, ..] = vowels[..] {
            let before = first.checked_sub(1).map(|p| self.letters[p].base);
            let qu = before == Some('q') && self.letters[first].base == 'u';
            let gi = before == Some('g') && first == 1 && self.letters[first].base == 'i' && second == first + 1;
            if qu || gi {
                vowels.remove(0);
            }
        }
        let (&first, &last) = (vowels.first()?, vowels.last()?);
        if let Some(&o) = vowels.iter().find(|&&i| self.letters[i].base == 'o' && self.letters[i].mark == Mark::Horn) {
            return Some(o);
        }
        if let Some(&m) = vowels.iter().find(|&&i| self.letters[i].mark != Mark::None) {
            return Some(m);
        }
        let closed = last + 1 < self.letters.len();
        match vowels.len() {
            1 => Some(first),
            2 if closed => Some(last),
            2 => {
                let pair: String = vowels.iter().map(|&i| self.letters[i].base).collect();
                let modern = style == ToneStyle::New && matches!(pair.as_str(), "oa" | "oe" | "uy");
                Some(if modern { last } else { first })
            }
            _ => Some(vowels[1]),
        }
    }

    fn compose(&self, style: ToneStyle) -> String {
        let tone_at = self.tone_position(style);
        let mut out = String::new();
        for (i, l) in self.letters.iter().enumerate() {
            let mut s = String::new();
            s.push(l.base);
            match (l.base, l.mark) {
                ('a' | 'e' | 'o', Mark::Hat) => s.push('\u{302}'),
                ('a', Mark::Breve) => s.push('\u{306}'),
                ('o' | 'u', Mark::Horn) => s.push('\u{31b}'),
                _ => {}
            }
            if Some(i) == tone_at
                && let Some(mark) = self.tone.combining()
            {
                s.push(mark);
            }
            let s: String = s.nfc().collect();
            if l.upper {
                out.extend(s.chars().flat_map(char::to_uppercase));
            } else {
                out.push_str(&s);
            }
        }
        out
    }
}

/// The keys that type `word` in `method` (a word of letters; anything else is kept).
pub(super) fn keys_of(word: &str, method: Method) -> String {
    let mut keys = String::new();
    let mut tone_key = None;
    for c in word.nfd() {
        let upper = c.is_uppercase();
        let key = |k: char| if upper { k.to_ascii_uppercase() } else { k };
        let (telex, vni) = match c {
            '\u{301}' => (Some('s'), Some('1')),
            '\u{300}' => (Some('f'), Some('2')),
            '\u{309}' => (Some('r'), Some('3')),
            '\u{303}' => (Some('x'), Some('4')),
            '\u{323}' => (Some('j'), Some('5')),
            _ => (None, None),
        };
        if telex.is_some() {
            tone_key = if method == Method::Telex { telex } else { vni };
            continue;
        }
        let last = keys.chars().last();
        match (c, method) {
            ('\u{302}', Method::Telex) => keys.push(last.unwrap_or('a')),
            ('\u{302}', _) => keys.push('6'),
            ('\u{306}', Method::Telex) => keys.push('w'),
            ('\u{306}', _) => keys.push('8'),
            ('\u{31b}', Method::Telex) => {
                // "ươ" is typed "uow": one w after the o.
                if !keys.ends_with(['u', 'U']) || !word.nfd().any(|d| d == 'o' || d == 'O') {
                    keys.push('w');
                }
            }
            ('\u{31b}', _) => keys.push('7'),
            ('đ' | 'Đ', Method::Telex) => {
                keys.push(key('d'));
                keys.push(key('d'));
            }
            ('đ' | 'Đ', _) => {
                keys.push(key('d'));
                keys.push('9');
            }
            (other, Method::Telex) => {
                let lower = other.to_ascii_lowercase();
                let after_vowel = keys.chars().any(|k| is_vowel(k.to_ascii_lowercase()));
                let repeats_vowel =
                    matches!(lower, 'a' | 'e' | 'o') && last.is_some_and(|l| l.to_ascii_lowercase() == lower);
                let mark_key = matches!(lower, 's' | 'f' | 'r' | 'x' | 'j' | 'w' | 'z') && after_vowel;
                keys.push(other);
                // Typed once more, a key that would mark a letter stays a letter ("rr" → "r",
                // "ooo" → "oo").
                if mark_key || repeats_vowel {
                    keys.push(other);
                }
            }
            (other, _) => keys.push(other),
        }
    }
    keys.extend(tone_key);
    keys
}

/// Composes the keys of one word.
pub fn compose(keys: &str, method: Method, style: ToneStyle) -> String {
    if method == Method::Off {
        return keys.to_string();
    }
    let mut word = Word { letters: Vec::new(), tone: Tone::None };
    for c in keys.chars() {
        match method {
            Method::Telex => word.telex(c),
            Method::Vni => word.vni(c),
            Method::Off => unreachable!(),
        }
    }
    word.compose(style)
}

/// The text after typing `key` at the end of `text`: the last word recomposed with the key.
pub fn type_key(text: &str, key: char, method: Method, style: ToneStyle) -> String {
    let is_word_char = |c: char| c.is_alphanumeric();
    if method == Method::Off || !key.is_ascii_alphanumeric() {
        return format!("{text}{key}");
    }
    let start = text.char_indices().rev().take_while(|(_, c)| is_word_char(*c)).last().map_or(text.len(), |(i, _)| i);
    let (before, word) = text.split_at(start);
    let mut keys = keys_of(word, method);
    keys.push(key);
    format!("{before}{}", compose(&keys, method, style))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(keys: &str, method: Method) -> String {
        keys.chars().fold(String::new(), |text, key| type_key(&text, key, method, ToneStyle::Old))
    }

    #[test]
    fn telex_words() {
        let table = [
            ("truwowngf", "trường"),
            ("ddaay", "đây"),
            ("Vieejt Nam", "Việt Nam"),
            ("khoong", "không"),
            ("nguwowif", "người"),
            ("Quaans", "Quấn"),
            ("quys", "quý"),
            ("giaf", "già"),
            ("gif", "gì"),
            ("hoaf", "hòa"),
            ("thuyr", "thủy"),
            ("hoangf", "hoàng"),
            ("toans", "toán"),
            ("tieengs", "tiếng"),
            ("tiengs", "tiéng"),
            ("muwa", "mưa"),
            ("muwaf", "mừa"),
            ("gaf", "gà"),
            ("DDoongf", "Đồng"),
            ("thuaanj", "thuận"),
            ("khuyeen", "khuyên"),
            ("ngoaif", "ngoài"),
            ("aw", "ă"),
            ("w", "ư"),
            ("as", "á"),
            ("ass", "as"),
            ("aaa", "aa"),
            ("ddd", "dd"),
            ("hangf hoas", "hàng hóa"),
            ("Lamj Thi Hoa", "Lạm Thi Hoa"),
            ("nhanh", "nhanh"),
            ("xin", "xin"),
            ("trong", "trong"),
            ("baor veej", "bảo vệ"),
            ("Chowj Kyf Luwaf", "Chợ Kỳ Lừa"),
            ("uwu", "ưu"),
            ("huwowu", "hươu"),
            ("tuwf", "từ"),
            ("cuar", "của"),
            ("nuwowcs", "nước"),
        ];
        for (keys, word) in table {
            assert_eq!(typed(keys, Method::Telex), word, "{keys}");
        }
    }

    #[test]
    fn vni_words() {
        let table = [
            ("tie61ng vie65t", "tiếng việt"),
            ("d9a6y", "đây"),
            ("tru7o72ng", "trường"),
            ("kho6ng", "không"),
            ("hoa2", "hòa"),
            ("a8", "ă"),
            ("a11", "a1"),
            ("Vie65t Nam", "Việt Nam"),
        ];
        for (keys, word) in table {
            assert_eq!(typed(keys, Method::Vni), word, "{keys}");
        }
    }

    #[test]
    fn the_tone_style_moves_the_tone_in_oa_oe_uy() {
        let new = |keys: &str| keys.chars().fold(String::new(), |t, k| type_key(&t, k, Method::Telex, ToneStyle::New));
        assert_eq!(new("hoaf"), "hoà");
        assert_eq!(new("thuyr"), "thuỷ");
        assert_eq!(new("hoangf"), "hoàng", "a closed syllable is the same in both styles");
        assert_eq!(new("taif"), "tài");
    }

    #[test]
    fn off_and_punctuation_pass_through() {
        assert_eq!(typed("as", Method::Off), "as");
        assert_eq!(typed("so 59/2020", Method::Telex), "so 59/2020");
        assert_eq!(type_key("Hàng hóa", '.', Method::Telex, ToneStyle::Old), "Hàng hóa.");
    }
}
