//! Name and place tables for generated persons. Every combination is synthetic;
//! addresses name real prefectures and cities but made-up blocks.

/// Family names: (kanji, katakana).
pub(crate) const FAMILY_NAMES: &[(&str, &str)] = &[
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
    ("山崎", "ヤマザキ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("橋本", "ハシモト"),
    ("阿部", "アベ"),
    ("石川", "イシカワ"),
    ("前田", "マエダ"),
    ("藤田", "フジタ"),
    ("小川", "オガワ"),
    ("後藤", "ゴトウ"),
    ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"),
];

/// The same families written with a character Shift_JIS (JIS X 0208) cannot carry:
/// 髙 (IBM extension), 﨑 (IBM extension), 𠮷 (outside the BMP).
pub(crate) const KYUJI_FAMILY_NAMES: &[(&str, &str)] = &[
    ("髙橋", "タカハシ"),
    ("山﨑", "ヤマザキ"),
    ("𠮷田", "ヨシダ"),
    ("髙木", "タカギ"),
    ("宮﨑", "ミヤザキ"),
];

/// Male given names: (kanji, katakana).
pub(crate) const MALE_NAMES: &[(&str, &str)] = &[
    ("太郎", "タロウ"),
    ("翔太", "ショウタ"),
    ("大輔", "ダイスケ"),
    ("健一", "ケンイチ"),
    ("拓也", "タクヤ"),
    ("蓮", "レン"),
    ("湊", "ミナト"),
    ("悠真", "ユウマ"),
    ("誠", "マコト"),
    ("浩", "ヒロシ"),
    ("茂", "シゲル"),
    ("隆", "タカシ"),
    ("修", "オサム"),
    ("陽翔", "ハルト"),
    ("和夫", "カズオ"),
    ("勇気", "ユウキ"),
];

/// Female given names: (kanji, katakana).
pub(crate) const FEMALE_NAMES: &[(&str, &str)] = &[
    ("花子", "ハナコ"),
    ("陽菜", "ヒナ"),
    ("美咲", "ミサキ"),
    ("愛", "アイ"),
    ("恵子", "ケイコ"),
    ("幸子", "サチコ"),
    ("結衣", "ユイ"),
    ("さくら", "サクラ"),
    ("真由美", "マユミ"),
    ("由美子", "ユミコ"),
    ("葵", "アオイ"),
    ("凛", "リン"),
    ("和子", "カズコ"),
    ("明美", "アケミ"),
    ("芽依", "メイ"),
    ("千尋", "チヒロ"),
];

/// A prefecture: code (都道府県番号), name, a city, the first three digits of its
/// postal codes, and a population weight.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prefecture {
    /// `01`–`47`.
    pub code: &'static str,
    /// 都道府県名.
    pub name: &'static str,
    /// A city (市区町村).
    pub city: &'static str,
    /// First three postal-code digits of that city.
    pub postal: &'static str,
    /// Weight (roughly the population in 100 000s).
    pub weight: u32,
}

/// Prefectures used for generated addresses (the largest ones, by weight).
pub(crate) const PREFECTURES: &[Prefecture] = &[
    Prefecture {
        code: "13",
        name: "東京都",
        city: "世田谷区",
        postal: "154",
        weight: 140,
    },
    Prefecture {
        code: "14",
        name: "神奈川県",
        city: "横浜市港北区",
        postal: "222",
        weight: 92,
    },
    Prefecture {
        code: "27",
        name: "大阪府",
        city: "大阪市北区",
        postal: "530",
        weight: 88,
    },
    Prefecture {
        code: "23",
        name: "愛知県",
        city: "名古屋市中区",
        postal: "460",
        weight: 75,
    },
    Prefecture {
        code: "11",
        name: "埼玉県",
        city: "さいたま市浦和区",
        postal: "330",
        weight: 73,
    },
    Prefecture {
        code: "12",
        name: "千葉県",
        city: "千葉市中央区",
        postal: "260",
        weight: 63,
    },
    Prefecture {
        code: "28",
        name: "兵庫県",
        city: "神戸市中央区",
        postal: "650",
        weight: 54,
    },
    Prefecture {
        code: "01",
        name: "北海道",
        city: "札幌市中央区",
        postal: "060",
        weight: 51,
    },
    Prefecture {
        code: "40",
        name: "福岡県",
        city: "福岡市博多区",
        postal: "812",
        weight: 51,
    },
    Prefecture {
        code: "22",
        name: "静岡県",
        city: "静岡市葵区",
        postal: "420",
        weight: 36,
    },
    Prefecture {
        code: "34",
        name: "広島県",
        city: "広島市中区",
        postal: "730",
        weight: 27,
    },
    Prefecture {
        code: "04",
        name: "宮城県",
        city: "仙台市青葉区",
        postal: "980",
        weight: 23,
    },
    Prefecture {
        code: "26",
        name: "京都府",
        city: "京都市中京区",
        postal: "604",
        weight: 25,
    },
    Prefecture {
        code: "15",
        name: "新潟県",
        city: "新潟市中央区",
        postal: "951",
        weight: 21,
    },
    Prefecture {
        code: "47",
        name: "沖縄県",
        city: "那覇市",
        postal: "900",
        weight: 15,
    },
];

/// Names of fictional 健康保険組合 (suffix 健康保険組合 is appended).
pub(crate) const KUMIAI: &[&str] = &[
    "東都情報サービス",
    "みなと電機",
    "関東精密機械",
    "はやて運輸",
    "さくら食品",
    "中央化学工業",
    "あおば建設",
    "西日本商事",
];

/// 共済組合 names with their 法別番号.
pub(crate) const KYOSAI: &[(&str, &str)] = &[
    ("31", "国家公務員共済組合"),
    ("32", "地方職員共済組合"),
    ("33", "警察共済組合"),
    ("34", "公立学校共済組合"),
];

/// Block addresses: 丁目 and 番 are appended from the random stream.
pub(crate) const TOWNS: &[&str] = &[
    "本町", "中央", "栄町", "緑町", "旭町", "桜台", "若葉", "東町", "西町", "南町",
];
