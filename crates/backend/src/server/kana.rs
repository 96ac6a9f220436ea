//! Full-width katakana → half-width (JIS X 0201) for `NameKana`, which the results
//! carry in half-width form. Voiced and semi-voiced kana become two characters
//! (ガ → ｶﾞ, パ → ﾊﾟ); characters without a half-width form pass unchanged.

const BASE: &[(char, char)] = &[
    ('ア', 'ｱ'),
    ('イ', 'ｲ'),
    ('ウ', 'ｳ'),
    ('エ', 'ｴ'),
    ('オ', 'ｵ'),
    ('カ', 'ｶ'),
    ('キ', 'ｷ'),
    ('ク', 'ｸ'),
    ('ケ', 'ｹ'),
    ('コ', 'ｺ'),
    ('サ', 'ｻ'),
    ('シ', 'ｼ'),
    ('ス', 'ｽ'),
    ('セ', 'ｾ'),
    ('ソ', 'ｿ'),
    ('タ', 'ﾀ'),
    ('チ', 'ﾁ'),
    ('ツ', 'ﾂ'),
    ('テ', 'ﾃ'),
    ('ト', 'ﾄ'),
    ('ナ', 'ﾅ'),
    ('ニ', 'ﾆ'),
    ('ヌ', 'ﾇ'),
    ('ネ', 'ﾈ'),
    ('ノ', 'ﾉ'),
    ('ハ', 'ﾊ'),
    ('ヒ', 'ﾋ'),
    ('フ', 'ﾌ'),
    ('ヘ', 'ﾍ'),
    ('ホ', 'ﾎ'),
    ('マ', 'ﾏ'),
    ('ミ', 'ﾐ'),
    ('ム', 'ﾑ'),
    ('メ', 'ﾒ'),
    ('モ', 'ﾓ'),
    ('ヤ', 'ﾔ'),
    ('ユ', 'ﾕ'),
    ('ヨ', 'ﾖ'),
    ('ラ', 'ﾗ'),
    ('リ', 'ﾘ'),
    ('ル', 'ﾙ'),
    ('レ', 'ﾚ'),
    ('ロ', 'ﾛ'),
    ('ワ', 'ﾜ'),
    ('ヲ', 'ｦ'),
    ('ン', 'ﾝ'),
    ('ァ', 'ｧ'),
    ('ィ', 'ｨ'),
    ('ゥ', 'ｩ'),
    ('ェ', 'ｪ'),
    ('ォ', 'ｫ'),
    ('ッ', 'ｯ'),
    ('ャ', 'ｬ'),
    ('ュ', 'ｭ'),
    ('ョ', 'ｮ'),
    ('ー', 'ｰ'),
    ('・', '･'),
    ('\u{3000}', ' '),
];

const VOICED: &[(char, char)] = &[
    ('ガ', 'ｶ'),
    ('ギ', 'ｷ'),
    ('グ', 'ｸ'),
    ('ゲ', 'ｹ'),
    ('ゴ', 'ｺ'),
    ('ザ', 'ｻ'),
    ('ジ', 'ｼ'),
    ('ズ', 'ｽ'),
    ('ゼ', 'ｾ'),
    ('ゾ', 'ｿ'),
    ('ダ', 'ﾀ'),
    ('ヂ', 'ﾁ'),
    ('ヅ', 'ﾂ'),
    ('デ', 'ﾃ'),
    ('ド', 'ﾄ'),
    ('バ', 'ﾊ'),
    ('ビ', 'ﾋ'),
    ('ブ', 'ﾌ'),
    ('ベ', 'ﾍ'),
    ('ボ', 'ﾎ'),
    ('ヴ', 'ｳ'),
];

const SEMI_VOICED: &[(char, char)] = &[
    ('パ', 'ﾊ'),
    ('ピ', 'ﾋ'),
    ('プ', 'ﾌ'),
    ('ペ', 'ﾍ'),
    ('ポ', 'ﾎ'),
];

fn find(table: &[(char, char)], c: char) -> Option<char> {
    table.iter().find(|(f, _)| *f == c).map(|(_, h)| *h)
}

/// The half-width form of one katakana: its base character and the sound mark
/// (`ﾞ`, `ﾟ`) that follows it, if any.
fn half_width(c: char) -> Option<(char, Option<char>)> {
    find(BASE, c)
        .map(|h| (h, None))
        .or_else(|| find(VOICED, c).map(|h| (h, Some('ﾞ'))))
        .or_else(|| find(SEMI_VOICED, c).map(|h| (h, Some('ﾟ'))))
}

/// The half-width form of a katakana string.
pub fn to_half_width(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match half_width(c) {
            Some((h, mark)) => out.extend(std::iter::once(h).chain(mark)),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_with_dakuten() {
        assert_eq!(to_half_width("ヤマダ　タロウ"), "ﾔﾏﾀﾞ ﾀﾛｳ");
        assert_eq!(to_half_width("パーティー"), "ﾊﾟｰﾃｨｰ");
        assert_eq!(to_half_width("ABC"), "ABC");
        for c in to_half_width("シミズ リョウ").chars() {
            assert!(onshi_domain::xml::is_shift_jis_safe(c), "{c}");
        }
    }
}
