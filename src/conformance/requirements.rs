//! The requirement catalogue: every requirement of `requirements.md`
//! (`shared/docs/requirements.md`, beside the crate), in its order, with its kind, a
//! Japanese area name, the English requirement, a Japanese rendering and the seed text it
//! comes from.
//! The conformance report prints it as the traceability matrix (requirement → scenarios
//! → verdict); scenarios point at a row through their Gherkin tag (`@FAQ-4-11`).
//!
//! Where the texts come from:
//!
//! - `id`, `kind`, `summary` and `source` are taken from `requirements.md`; the area is
//!   its section heading, rendered in Japanese.
//! - `question` quotes the seed documents in `shared/seeds/`: `000` is the insurer FAQ
//!   (items 4-1 … 4-22), `001` the insurer Q&A (Q-1 … Q-7), `002` the leaflet, `003` the
//!   city web page and `004` the transition notice. FAQ and Q&A rows quote the question;
//!   leaflet, web page and notice rows quote the shortest passage that states the point.
//!   Quotes are verbatim except for PDF-extraction artefacts: broken lines are joined,
//!   stray spaces and Markdown emphasis (`**`) are dropped. `…` marks text left out.
//!   The Q&A `001` is extracted with its `Q-n` labels out of place; its rows follow the
//!   numbering of `requirements.md` (Q-4 is the question about the days after the
//!   資格取得届, Q-5 the late filing, Q-6 the missing reader, Q-7 the system).
//! - `summary_ja` is our own one-sentence Japanese rendering of `summary`.

use serde::Serialize;

/// How a requirement is treated (`kind` in `requirements.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementKind {
    /// Needs at least one executable scenario that can fail.
    Behaviour,
    /// A date or policy rule of the rules calendar, exercised by scenarios at several
    /// as-of dates.
    Rule,
    /// Background with nothing to execute; the matrix lists it as informational.
    Info,
}

impl RequirementKind {
    /// The word `requirements.md` uses for this kind (`behaviour`, `rule`, `info`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Behaviour => "behaviour",
            Self::Rule => "rule",
            Self::Info => "info",
        }
    }

    /// Whether requirements of this kind need an executable scenario.
    #[must_use]
    pub const fn is_executable(self) -> bool {
        matches!(self, Self::Behaviour | Self::Rule)
    }
}

/// One requirement of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// The ID as written in `requirements.md` and in Gherkin tags (`FAQ-4-11`).
    pub id: &'static str,
    /// How the requirement is treated.
    pub kind: RequirementKind,
    /// The section of `requirements.md` it belongs to, in Japanese (one of [`AREAS`]).
    pub area: &'static str,
    /// The requirement in English, from `requirements.md`.
    pub summary: &'static str,
    /// A one-sentence Japanese rendering of the requirement.
    pub summary_ja: &'static str,
    /// Seed file number and item, as in `requirements.md` (`000 4-9; 002`).
    pub source: &'static str,
    /// The seed's question verbatim (FAQ and Q&A items), or the shortest verbatim
    /// passage that states the point (leaflet, web page, notice); `…` marks an omission.
    pub question: &'static str,
}

const IDENTITY: &str = "本人確認・カード・プライバシー";
const AUTHENTICATION: &str = "カードリーダーでの認証";
const REGISTRATION: &str = "保険証利用登録";
const QUALIFICATION: &str = "資格情報と反映の遅れ";
const RESULT: &str = "資格確認結果が含むべき情報";
const FALLBACK: &str = "代替手段と10割負担の回避";

/// The areas (sections of `requirements.md`) in their order, in Japanese.
pub static AREAS: &[&str] = &[
    IDENTITY,
    AUTHENTICATION,
    REGISTRATION,
    QUALIFICATION,
    RESULT,
    FALLBACK,
];

use RequirementKind::{Behaviour, Info, Rule};

/// Every requirement, in the order of `requirements.md`.
pub static REQUIREMENTS: &[Requirement] = &[
    // 本人確認・カード・プライバシー (Identity, card and privacy)
    Requirement {
        id: "FAQ-4-9",
        kind: Behaviour,
        area: IDENTITY,
        summary: "Clinics never handle the 12-digit My Number. Confirmation uses the \
                  user-authentication certificate on the chip. A reader or backend that reads \
                  the My Number file, the 照合番号A file, or sends a My Number fails.",
        summary_ja: "医療機関・薬局は12桁のマイナンバーを取り扱わず、資格確認はICチップ内の利用者証明用\
                     電子証明書で行うため、マイナンバーや照合番号Aのファイルを読む、またはマイナンバーを\
                     送信するリーダーやバックエンドは不合格とする。",
        source: "000 4-9; 002",
        question: "医療機関・薬局がマイナンバー（12桁の番号）を取り扱うのですか。",
    },
    Requirement {
        id: "FAQ-4-6",
        kind: Behaviour,
        area: IDENTITY,
        summary: "Staff may check the card front (name, address) for billing; the back (the \
                  number) is never copied. Names and addresses with characters the system \
                  cannot show are displayed as ● and the exact form is then checked on the card \
                  front. With a PIN login whose holder is in doubt, staff check the card photo. \
                  When no confirmation is possible at all, a 被保険者資格申立書 is taken.",
        summary_ja: "職員は保険請求に必要な範囲でカード表面の氏名・住所を確認してよいが裏面のマイナンバーは\
                     書き写さず、システムが表示できない文字は「●」と表示して券面で正確な表記を確かめ、\
                     暗証番号認証で本人かどうか疑わしいときは券面の写真を確認し、どの方法でも資格を\
                     確認できないときは被保険者資格申立書を受け取る。",
        source: "000 4-6",
        question: "医療機関・薬局において、マイナンバーカードの表（おもて）面の情報を確認するために、\
                   一時的に患者のマイナンバーカードを預かることや、その表面をコピーして、\
                   管理しておくことは可能ですか。また、具体的にどのようなケースで、\
                   こうした対応を行うことが想定されますか。",
    },
    Requirement {
        id: "FAQ-4-21",
        kind: Behaviour,
        area: IDENTITY,
        summary: "The chip holds only the four basic items, face photo, My Number, certificates \
                  and the resident-record code — no tax, pension or medical data. Tampering \
                  makes the chip unreadable (a tampered card answers nothing usable and the \
                  visit falls back).",
        summary_ja: "ICチップにあるのは基本四情報・顔写真・マイナンバー・電子証明書・住民票コードだけで\
                     税・年金・医療の情報はなく、不正に読み出そうとするとチップは読めなくなる\
                     （改ざんされたカードは使える応答を返さず、受付は代替手段に移る）。",
        source: "000 4-21; 002",
        question: "マイナンバーカードを落とすと、ICチップに入っている税や年金、医療などのさまざまな\
                   情報が流出するので怖いです。",
    },
    Requirement {
        id: "FAQ-4-20",
        kind: Behaviour,
        area: IDENTITY,
        summary: "Knowing someone's My Number alone gives access to nothing: no backend call \
                  accepts a My Number as identifier.",
        summary_ja: "他人のマイナンバーを知っただけでは何も引き出せず、マイナンバーを識別子として受け付ける\
                     バックエンド呼出しは一つもない。",
        source: "000 4-20",
        question: "マイナンバーを人に見られても大丈夫なのですか。",
    },
    Requirement {
        id: "FAQ-4-17",
        kind: Behaviour,
        area: IDENTITY,
        summary: "Showing another person's information is a critical defect: every confirmation \
                  result must belong to the person whose card (or numbers) was presented, also \
                  under load.",
        summary_ja: "他人の情報を表示することは重大な欠陥であり、高負荷時も含め、すべての資格確認結果は\
                     提示されたカード（または番号）の本人のものでなければならない。",
        source: "000 4-17",
        question: "オンライン資格確認やマイナポータルにおいて別の方の情報が表示された場合、\
                   どこに問合せればよいですか。",
    },
    Requirement {
        id: "FLY-PHOTO",
        kind: Behaviour,
        area: IDENTITY,
        summary: "The reader compares the camera image with the card photo; the photo is not \
                  stored on the device.",
        summary_ja: "カードリーダーはカメラの画像とカードの顔写真を照合し、顔写真を機器に保存しない。",
        source: "002",
        question: "カードの顔写真を機器で確認します。※顔写真は機器に保存されません。",
    },
    Requirement {
        id: "FAQ-4-22",
        kind: Info,
        area: IDENTITY,
        summary: "Only officials handling a procedure can use the number; exchanges are visible \
                  in the citizen portal.",
        summary_ja: "マイナンバーで個人情報を見られるのはその手続きを担当する行政職員だけで、\
                     機関間の情報のやり取りはマイナポータルで確認できる。",
        source: "000 4-22",
        question: "マイナンバーカードから、マイナンバーに紐付けられた自分の個人情報が流れ出ることは\
                   ないのですか。",
    },
    // カードリーダーでの認証 (Authentication at the reader)
    Requirement {
        id: "FAQ-4-11",
        kind: Behaviour,
        area: AUTHENTICATION,
        summary: "A card whose PIN is locked still works as health-insurance card through face \
                  authentication (or staff visual check). The reader must not keep sending PINs \
                  to a locked card.",
        summary_ja: "暗証番号がロックされたカードも顔認証（または職員の目視確認）で健康保険証として使え、\
                     リーダーはロックされたカードに暗証番号を送り続けてはならない。",
        source: "000 4-11",
        question: "マイナンバーカードの暗証番号がロックされてしまったのですが、健康保険証としては\
                   利用できますか。",
    },
    Requirement {
        id: "FAQ-4-7",
        kind: Behaviour,
        area: AUTHENTICATION,
        summary: "For a child who cannot operate the reader, a parent places the card and enters \
                  the PIN; alternatively staff compare the child's face with the card photo.",
        summary_ja: "リーダーを操作できない子どもについては、親などがカードを置いて暗証番号を入力するか、\
                     職員が子どもの顔とカードの写真を目視で照合する。",
        source: "000 4-7",
        question: "子どもの場合、本人が顔認証付きカードリーダーを操作できない場合はどうするのですか。",
    },
    Requirement {
        id: "TRN-ASSIST",
        kind: Behaviour,
        area: AUTHENTICATION,
        summary: "Staff, family or helpers may place the card on the reader for a patient who \
                  cannot.",
        summary_ja: "自分でカードをリーダーに置けない患者に代わって、職員・家族・介助者がカードを置いてよい。",
        source: "004",
        question: "ご自身でマイナンバーカードを顔認証付きカードリーダーに置くことが難しい等のやむを得ない\
                   事情があり、患者ご本人から希望があった場合に、家族の方や介助者、職員等が患者の\
                   マイナンバーカードを顔認証付きカードリーダーに置く必要の支援を行うことは、\
                   差し支えありません。",
    },
    Requirement {
        id: "TRN-PROXY",
        kind: Behaviour,
        area: AUTHENTICATION,
        summary: "When the patient cannot operate the reader, a proxy may enter the PIN instead \
                  of face authentication; staff may also confirm visually (目視確認).",
        summary_ja: "患者がリーダーを操作できないときは、顔認証の代わりに代理人が暗証番号を入力してよく、\
                     職員が目視で本人確認してもよい。",
        source: "004",
        question: "顔認証のかわりにマイナンバーカード作成時に設定した暗証番号を代理人が入力することなどで\
                   受付することができます。待合スペース等にいらっしゃるご本人のお顔とマイナンバーカードの\
                   お写真を、職員が目視で確認する本人確認も可能です。",
    },
    Requirement {
        id: "OKA-FACEONLY",
        kind: Behaviour,
        area: AUTHENTICATION,
        summary: "A PIN-less card (顔認証マイナンバーカード) cannot register for insurance use \
                  through the citizen portal or a bank ATM; it can register at a clinic's face \
                  reader by face or visual check.",
        summary_ja: "暗証番号のない顔認証マイナンバーカードはマイナポータルや銀行ATMでは保険証利用登録が\
                     できないが、医療機関の顔認証付きカードリーダーでは顔認証または目視確認で登録できる。",
        source: "003",
        question: "顔認証マイナンバーカードでは、暗証番号が使えないため、マイナポータルやセブン銀行ATMで\
                   健康保険証利用の登録を行うことはできません。医療機関・薬局の顔認証付きカードリーダーを\
                   利用して、顔認証または目視確認により健康保険証利用の申し込みを行うことが可能です。",
    },
    Requirement {
        id: "FLY-HOWTO",
        kind: Behaviour,
        area: AUTHENTICATION,
        summary: "Place the card on the reader, confirm identity by face (photo check), and the \
                  insurance qualification is confirmed online.",
        summary_ja: "カードをリーダーに置き、顔写真との照合で本人確認をすると、医療保険の資格がオンラインで\
                     確認される。",
        source: "002",
        question: "カードリーダーで顔写真を確認すれば、スムーズに医療保険の資格確認ができ、…",
    },
    // 保険証利用登録 (Registration)
    Requirement {
        id: "KQ-1",
        kind: Behaviour,
        area: REGISTRATION,
        summary: "Registration can be done at a clinic reader, by smartphone, or at a bank ATM; \
                  at the reader it can happen on the spot.",
        summary_ja: "保険証利用登録は医療機関のカードリーダー、スマートフォン、銀行ATMのいずれでもでき、\
                     カードリーダーではその場で登録できる。",
        source: "001 Q-1; 003",
        question: "マイナ保険証で受診するにはどうしたらいいですか",
    },
    Requirement {
        id: "OKA-REG-24H",
        kind: Rule,
        area: REGISTRATION,
        summary: "Registration is refused within 24 hours of renewing the user-authentication \
                  certificate.",
        summary_ja: "利用者証明用電子証明書の更新から24時間以内は、保険証利用登録を受け付けない。",
        source: "003",
        question: "マイナンバーカードの電子証明書(利用者証明用)の更新から24時間以内は、\
                   健康保険証利用の登録ができません。",
    },
    Requirement {
        id: "OKA-REG-5D",
        kind: Rule,
        area: REGISTRATION,
        summary: "Registration is refused when the certificate expires within 5 days — but an \
                  already-registered card keeps working in that window.",
        summary_ja: "電子証明書の有効期限まで5日以内になると保険証利用登録を受け付けないが、\
                     登録済みのカードはその期間も保険証として使える。",
        source: "003",
        question: "マイナンバーカードの電子証明書(利用者証明用)の有効期限が5日以内となると\
                   健康保険証利用の登録ができません。 … なお、登録が完了していれば、5日以内に\
                   有効期限に到達する場合でもマイナンバーカードを健康保険証として使用できます。",
    },
    Requirement {
        id: "FAQ-4-15",
        kind: Behaviour,
        area: REGISTRATION,
        summary: "Registration status reads 「登録完了」 when done. If the insurer has not \
                  registered the person's qualification, registration fails with the message \
                  that no valid qualification exists; until registration completes the card \
                  cannot be used as insurance card.",
        summary_ja: "登録が済むと登録状況は「登録完了」と表示され、保険者が資格情報を登録していなければ\
                     有効な資格情報がない旨の表示で登録は失敗し、登録が完了するまでカードは保険証として\
                     使えない。",
        source: "000 4-15",
        question: "マイナンバーカードの健康保険証利用登録ができているか確認する方法はありますか。",
    },
    Requirement {
        id: "OKA-PREREQ",
        kind: Info,
        area: REGISTRATION,
        summary: "What registration needs: card, 4-digit PIN, a phone or PC with reader.",
        summary_ja: "登録にはマイナンバーカード、数字4桁の暗証番号、スマートフォンまたはパソコンと\
                     ICカードリーダーが必要である。",
        source: "003",
        question: "次の「登録に必要なもの」をご用意のうえ、登録してください。",
    },
    // 資格情報と反映の遅れ (Qualification data and its lag)
    Requirement {
        id: "FAQ-4-14",
        kind: Behaviour,
        area: QUALIFICATION,
        summary: "After a job change the new insurer's data appears only after registration \
                  (employer ≤ 5 days, insurer ≤ 5 days more); meanwhile the result is 資格（無効） \
                  or 資格情報なし. The same happens while an insurer holds a record for an \
                  accuracy check. Neither may end in 10割負担.",
        summary_ja: "転職後の新しい保険者の資格情報は登録されて初めて現れ（事業主の届出まで5日以内、\
                     保険者の登録までさらに5日以内）、その間や保険者が正確性の確認のために連携を止めている\
                     間の結果は「資格（無効）」または「資格情報なし」となるが、いずれも10割負担で終わっては\
                     ならない。",
        source: "000 4-14",
        question: "医療機関等でオンライン資格確認を利用したら「資格（無効）」や「資格情報なし」と\
                   表示されるのですが、なぜこうした事象が起こるのですか。",
    },
    Requirement {
        id: "KQ-4",
        kind: Behaviour,
        area: QUALIFICATION,
        summary: "With a correct notification, the card is usable about 5 days after the \
                  資格取得届, and the portal shows the new data at the same moment.",
        summary_ja: "届出に誤りがなければ資格取得届からおおむね5日でカードが使えるようになり、\
                     マイナポータルにも同じ時点で新しい情報が反映される。",
        source: "001 Q-4",
        question: "資格取得届に基づいて、被保険者がマイナ保険証を利用できるようになるのは手続きから\
                   何日後ですか。また、マイナポータルの「わたしの情報」の保険者情報が最新のステータスに\
                   反映される時期とマイナ保険証が利用できる時期との間にタイミングに差異はありますか",
    },
    Requirement {
        id: "KQ-5",
        kind: Behaviour,
        area: QUALIFICATION,
        summary: "Filed late or without a My Number: the insurer checks first; the person is \
                  insured but online confirmation is impossible until registration.",
        summary_ja: "届出が期限を過ぎたかマイナンバーの記載がない場合は保険者の確認が先に必要となり、\
                     被保険者資格はあっても登録が済むまでオンライン資格確認はできない。",
        source: "001 Q-5",
        question: "資格取得届を提出し組合にて登録後に、資格取得日からマイナ保険証の利用が可能だと\
                   思います。資格取得届の提出期限は5日のため、5日を守れなかった場合はどうすれば\
                   いいですか",
    },
    Requirement {
        id: "FAQ-4-4",
        kind: Behaviour,
        area: QUALIFICATION,
        summary: "After changing insurer no procedure is needed once the new insurer's enrolment \
                  is done: the same card confirms the new qualification.",
        summary_ja: "保険者が変わっても新しい保険者への加入手続きが済んでいれば本人の手続きは不要で、\
                     同じカードで新しい資格が確認できる。",
        source: "000 4-4; 002 POINT 7; 003",
        question: "加入している健康保険組合が変わったのですが、手続きは必要ですか。",
    },
    Requirement {
        id: "FAQ-4-16",
        kind: Behaviour,
        area: QUALIFICATION,
        summary: "During the lag or an accuracy check, medical information (drugs, checkups, \
                  expense notices) is not viewable either.",
        summary_ja: "資格情報の反映待ちや正確性の確認の間は、医療情報（薬剤情報・健診情報・\
                     医療費通知情報）も閲覧できない。",
        source: "000 4-16",
        question: "マイナポータルで自分の薬剤情報や医療費通知情報などを見られなかったのですが、\
                   なぜですか。",
    },
    Requirement {
        id: "OKA-DV",
        kind: Behaviour,
        area: QUALIFICATION,
        summary: "A person with a non-disclosure registration (DV or abuse victim) cannot use \
                  the card as insurance card and the portal shows nothing; the visit must still \
                  not end in 10割負担 (資格確認書 path).",
        summary_ja: "不開示の届出をしたDV・虐待被害者はカードを保険証として使えずマイナポータルにも何も\
                     表示されないが、その受診も10割負担で終わってはならない（資格確認書による経路）。",
        source: "003",
        question: "健康保険証の発行元に不開示とする届出をしている場合、以下の機能が使用できません。\
                   ・マイナンバーカードの健康保険証としての利用\
                   ・ご自身の健康保険情報、特定検診情報、薬剤情報、医療費情報等のマイナポータルでの閲覧",
    },
    Requirement {
        id: "KQ-7",
        kind: Info,
        area: QUALIFICATION,
        summary: "Enrolment data and visit records flow into the online system; with consent the \
                  clinic reads them.",
        summary_ja: "加入時の記号・番号や受診時の診療・薬剤情報はオンライン資格確認等システムに送られ、\
                     本人が同意すれば医療機関がそれを参照する。",
        source: "001 Q-7",
        question: "オンライン資格確認とは、どういった仕組みですか",
    },
    // 資格確認結果が含むべき情報 (What the result must carry)
    Requirement {
        id: "FAQ-4-1",
        kind: Behaviour,
        area: RESULT,
        summary: "With the patient's consent, drug history and checkup data are shared with the \
                  clinic; without consent they are not. For high-cost care the patient pays no \
                  more than the ceiling without a 限度額適用認定証.",
        summary_ja: "患者が同意すれば薬剤履歴や特定健診の情報が医療機関と共有され、同意しなければ共有されず、\
                     高額な医療でも限度額適用認定証なしに限度額を超える支払は求められない。",
        source: "000 4-1; 002; 004 Q1",
        question: "マイナンバーカードを健康保険証として利用するメリットは何ですか。",
    },
    Requirement {
        id: "FAQ-4-8",
        kind: Behaviour,
        area: RESULT,
        summary: "With the card the patient need not bring: 保険証, 限度額適用認定証, \
                  特定疾病療養受領証, 高齢受給者証 — so the result carries the limit category, \
                  specific-disease and elderly-recipient information.",
        summary_ja: "カードで受診すれば保険証・限度額適用認定証・特定疾病療養受領証・高齢受給者証の持参が\
                     不要なので、資格確認結果には限度額区分・特定疾病・高齢受給者の情報が含まれる。",
        source: "000 4-8",
        question: "マイナンバーカードで医療機関を受診する場合、窓口への持参が不要となる証類は\
                   どのようなものがありますか。",
    },
    Requirement {
        id: "TRN-Q1",
        kind: Behaviour,
        area: RESULT,
        summary: "The ceiling exemption applies within the same month at the same facility.",
        summary_ja: "限度額を超える支払の免除は、同一月・同一医療機関の支払に限って適用される。",
        source: "004 Q1",
        question: "ただし、同一月・同一医療機関の支払に限ります。",
    },
    Requirement {
        id: "OKA-PREMIUM",
        kind: Behaviour,
        area: RESULT,
        summary: "The ceiling exemption may be withheld depending on premium payment status; \
                  public-expense programmes still need their paper certificates.",
        summary_ja: "保険料の納付状況によっては限度額を超える支払の免除が受けられない場合があり、\
                     公費負担医療では引き続き紙の受給資格証等が必要である。",
        source: "003",
        question: "※保険料の納付状況によっては免除されない場合があります。\
                   ※公費負担医療等の対象になる場合は引き続き受給資格証等の提示が必要になります。",
    },
    Requirement {
        id: "FLY-DATA",
        kind: Rule,
        area: RESULT,
        summary: "Drug data from September 2021 (3 years), checkups from FY2020 (5 most recent), \
                  expense notices from September 2021.",
        summary_ja: "閲覧できるのは、薬剤情報が2021年9月診療分から3年分、特定健診情報が2020年度以降の\
                     5年分（直近5回分）、医療費通知情報が2021年9月分以降である。",
        source: "002; 003",
        question: "※薬剤情報は、2021年9月に診療したものから３年分の情報が閲覧できるようになりました。 … \
                   ※特定健診情報は、2020年度以降に実施したものから5年分（直近5回分）の情報が閲覧できる\
                   ようになりました。 … ※2021年9月分以降の医療費通知情報について、閲覧・自動入力が\
                   可能となりました。",
    },
    Requirement {
        id: "FAQ-4-12",
        kind: Behaviour,
        area: RESULT,
        summary: "Public assistance medical aid (医療扶助) is integrated since March 2024; \
                  municipal child medical certificates are not, and still need paper.",
        summary_ja: "生活保護の医療扶助は2024年3月からカードと一体化しているが、自治体の子ども医療費証明書は\
                     一体化されておらず、引き続き紙が必要である。",
        source: "000 4-12",
        question: "生活保護受給者の医療券、各自治体が対応している子供医療費証明書は対象ではないのですか。",
    },
    Requirement {
        id: "FAQ-4-13",
        kind: Behaviour,
        area: RESULT,
        summary: "Home visits and online consultations can use the card since April 2024; home \
                  nursing since June 2024.",
        summary_ja: "訪問診療とオンライン診療では2024年4月から、訪問看護では2024年6月から、\
                     カードを健康保険証として使える。",
        source: "000 4-13",
        question: "訪問診療やオンライン診療ではマイナンバーカードを健康保険証として利用できないのでしょうか。",
    },
    // 代替手段と10割負担の回避 (Fallback and 10割負担 avoidance)
    Requirement {
        id: "FAQ-4-5",
        kind: Behaviour,
        area: FALLBACK,
        summary: "At a facility with online confirmation the card alone suffices. Where the \
                  facility has none, the card plus 「資格情報のお知らせ」 is needed.",
        summary_ja: "オンライン資格確認を導入した医療機関ではカードだけで受診でき、未導入の医療機関では\
                     カードと「資格情報のお知らせ」の両方が必要である。",
        source: "000 4-5",
        question: "マイナンバーカードを持参すれば、健康保険証がなくても医療機関等を受診できますか。",
    },
    Requirement {
        id: "KQ-6",
        kind: Behaviour,
        area: FALLBACK,
        summary: "Reader absent or broken: identity by the card, plus the お知らせ or the \
                  citizen-portal qualification screen on a phone (downloaded, not printable) → \
                  insured care.",
        summary_ja: "カードリーダーがないか故障しているときは、カードで本人確認をしたうえで「資格情報の\
                     お知らせ」かスマートフォンにダウンロードしたマイナポータルの資格情報画面（印刷不可）を\
                     示せば保険診療を受けられる。",
        source: "001 Q-6",
        question: "マイナ保険証が利用できない場合はどうすればいいですか",
    },
    Requirement {
        id: "FLY-NOTICE-ALONE",
        kind: Rule,
        area: FALLBACK,
        summary: "「資格情報のお知らせ」 (or the portal screen) alone is not enough for insured \
                  care — except under a temporary measure (see the rules calendar in domain.md).",
        summary_ja: "「資格情報のお知らせ」（またはマイナポータルの画面）だけでは保険診療を受けられない\
                     （暫定措置の期間を除く。domain.md の規則カレンダーを参照）。",
        source: "002",
        question: "注意：「資格情報のお知らせ」（・マイナポータルの画面）のみでは保険診療を受けることが\
                   できません。",
    },
    Requirement {
        id: "KQ-3",
        kind: Rule,
        area: FALLBACK,
        summary: "From December 2024 four ways to insured care: card; old 保険証 (until \
                  2025-12-01); card + お知らせ where the card cannot be read; 資格確認書.",
        summary_ja: "2024年12月以降に保険診療を受ける方法は、マイナ保険証、従来の保険証（2025年12月1日\
                     まで）、カードが読めない場合のマイナ保険証と「資格情報のお知らせ」、資格確認書の\
                     4つである。",
        source: "001 Q-3",
        question: "令和6年12月以降は病院には何で受診すればいいですか",
    },
    Requirement {
        id: "FAQ-4-10",
        kind: Rule,
        area: FALLBACK,
        summary: "保険証 issuance ended 2024-12-02; old cards stop on 2025-12-02 at the latest; \
                  people without a card get a 資格確認書 and keep normal copay.",
        summary_ja: "保険証の発行は2024年12月2日に終了し、従来の保険証は遅くとも2025年12月2日から使えなく\
                     なり、カードを持たない人には資格確認書が交付されて通常の窓口負担で受診できる。",
        source: "000 4-10; 001 Q-2; 004 Q2",
        question: "マイナンバーカードを作らなくても、従来の保険証のままでもいいですか。",
    },
    Requirement {
        id: "TRN-MAX1Y",
        kind: Rule,
        area: FALLBACK,
        summary: "Old cards stay valid until their own expiry, at most one year (to 2025-12-01), \
                  or until the insurer changes.",
        summary_ja: "従来の保険証は、それ自体の有効期限まで、最長1年間（2025年12月1日まで）、\
                     または保険者が変わるまで使える。",
        source: "004; 004 Q2",
        question: "ただし移行後も、お手元の健康保険証は、有効期限までの間、最長1年間使用できます。 … \
                   ※有効期限が2025年（令和7）年12月1日より前に切れる場合や、転職・転居などで保険者の\
                   異動が生じた場合はその有効期限まで。",
    },
    Requirement {
        id: "FAQ-4-19",
        kind: Behaviour,
        area: FALLBACK,
        summary: "Lost card: the old 保険証 until 2025-12-01, or a 資格確認書 issued on request, \
                  keeps normal copay.",
        summary_ja: "カードを紛失しても、2025年12月1日までは従来の保険証で、または申し出により交付される\
                     資格確認書で、通常の窓口負担で受診できる。",
        source: "000 4-19",
        question: "令和6年12月2日以降のマイナンバーカードと健康保険証一体化後、マイナンバーカードを\
                   落としたり無くしたりした場合、再発行までは保険証が使えないのですか。",
    },
    Requirement {
        id: "TRN-KAKUNIN",
        kind: Behaviour,
        area: FALLBACK,
        summary: "資格確認書 is sent without application to the unregistered and to those who \
                  cancelled registration; on application to those who find the card hard to \
                  use; to all 後期高齢者 for a transitional period. Presenting it gives normal \
                  copay.",
        summary_ja: "資格確認書は、未登録の人と登録を解除した人には申請なしで、カードでの受診が難しい人には\
                     申請により、後期高齢者には経過期間中は全員に交付され、提示すれば通常の窓口負担で\
                     受診できる。",
        source: "004; 002",
        question: "マイナンバーカードの健康保険証利用登録をしていない方には、従来の健康保険証の有効期限が\
                   される前に「資格確認書」を無償で申請によらずお届けします。 … なお、すでに利用登録\
                   されている方であっても、解除された方には同様にお届けします。",
    },
    Requirement {
        id: "TRN-NO10",
        kind: Behaviour,
        area: FALLBACK,
        summary: "Whatever goes wrong with the card reader, the patient never pays 10割.",
        summary_ja: "カードリーダーの操作で何がうまくいかなくても、患者が医療費の10割を負担することはない。",
        source: "004",
        question: "マイナンバーカードでのカードリーダーの操作が上手くいかなくても、医療費が10割負担に\
                   なることはありません。",
    },
    Requirement {
        id: "TRN-SCHOOL",
        kind: Behaviour,
        area: FALLBACK,
        summary: "School trips and nurseries: a teacher or carer may present the portal PDF (or \
                  print) or a copy of the お知らせ for the child.",
        summary_ja: "修学旅行や保育所などでは、教員や保育士等が子どもに代わってマイナポータルのPDF\
                     （印刷物も可）や「資格情報のお知らせ」の写しを提示してよい。",
        source: "004",
        question: "修学旅行等の学校行事、部活動の合宿・遠征等において児童・生徒本人がマイナ保険証を\
                   持参することが容易でない場合（幼少のため管理が難しい場合等）や、… あらかじめ預かって\
                   おいたマイナポータルから取得できるPDFファイル（印刷物も可）や資格情報のお知らせ\
                   （写しも可）を提示するといった柔軟な取扱いも可能です。",
    },
    Requirement {
        id: "FLY-NOTICE-ISSUE",
        kind: Info,
        area: FALLBACK,
        summary: "The お知らせ is issued on new NHI enrolment or a ratio change at 70+.",
        summary_ja: "「資格情報のお知らせ」は、国民健康保険に新たに加入したときや、70歳以上で負担割合が\
                     変わったときに交付される。",
        source: "002",
        question: "新たに国民健康保険に加入されたときや、70歳以上の方で負担割合が変更となったときなどに\
                   交付されます。",
    },
    Requirement {
        id: "FAQ-4-2",
        kind: Info,
        area: FALLBACK,
        summary: "Online confirmation is mandatory for insurance facilities since 2023-04-01; \
                  facilities show posters.",
        summary_ja: "2023年4月1日から保険医療機関・薬局にはオンライン資格確認の導入が原則として\
                     義務づけられ、導入した施設はポスター等で掲示している。",
        source: "000 4-2",
        question: "全ての医療機関・薬局で使えるようになりますか。",
    },
    Requirement {
        id: "FAQ-4-3",
        kind: Info,
        area: FALLBACK,
        summary: "Where to read more.",
        summary_ja: "詳しい情報は厚生労働省のページで確認できる。",
        source: "000 4-3",
        question: "マイナンバーカードを健康保険証として利用するためにはどうしたらいいですか。",
    },
    Requirement {
        id: "FAQ-4-18",
        kind: Info,
        area: FALLBACK,
        summary: "How a person checks their own registered data in the portal.",
        summary_ja: "本人はマイナポータルの「わたしの情報」から、自分の健康保険証情報が正しく登録されているかを\
                     確認できる。",
        source: "000 4-18",
        question: "自分の健康保険証情報が正しく登録されているかを確認する方法を教えてください。",
    },
    Requirement {
        id: "KQ-2",
        kind: Info,
        area: FALLBACK,
        summary: "Return the old card when losing qualification.",
        summary_ja: "資格を喪失したときは従来の保険証を返却する。",
        source: "001 Q-2",
        question: "現在持っている保険証は使えなくなるのですか",
    },
];

/// The requirement with this ID (`FAQ-4-11`), if the catalogue has it.
#[must_use]
pub fn requirement(id: &str) -> Option<&'static Requirement> {
    REQUIREMENTS.iter().find(|r| r.id == id)
}

/// The requirements that need an executable scenario (behaviour and rule), in catalogue
/// order.
pub fn executable() -> impl Iterator<Item = &'static Requirement> {
    REQUIREMENTS.iter().filter(|r| r.kind.is_executable())
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};
    use std::path::{Path, PathBuf};

    use super::*;

    /// `shared/` beside the crate, as in the project layout.
    fn shared_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
    }

    /// The table rows of `requirements.md` as (ID, kind, source), or `None` if the file
    /// is not there.
    fn requirements_md_rows() -> Option<Vec<(String, String, String)>> {
        let text = std::fs::read_to_string(shared_dir().join("docs/requirements.md")).ok()?;
        let rows = text
            .lines()
            .filter(|line| line.trim_start().starts_with('|'))
            .filter_map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let (id, kind, source) = (cells.get(1)?, cells.get(2)?, cells.get(4)?);
                if *id == "ID" || id.starts_with('-') {
                    return None;
                }
                Some((id.to_string(), kind.to_string(), source.to_string()))
            })
            .collect();
        Some(rows)
    }

    /// Drops whitespace (PDF line breaks, full-width spaces) and Markdown emphasis.
    fn normalise(text: &str) -> String {
        text.chars()
            .filter(|c| !c.is_whitespace() && *c != '*')
            .collect()
    }

    #[test]
    fn ids_are_unique() {
        let mut seen = HashSet::new();
        for r in REQUIREMENTS {
            assert!(seen.insert(r.id), "duplicate ID {}", r.id);
        }
    }

    #[test]
    fn executable_requirements_have_a_question() {
        for r in executable() {
            assert!(!r.question.trim().is_empty(), "{} has no question", r.id);
        }
    }

    #[test]
    fn every_field_is_filled_and_questions_are_short() {
        for r in REQUIREMENTS {
            for (field, value) in [
                ("summary", r.summary),
                ("summary_ja", r.summary_ja),
                ("source", r.source),
                ("question", r.question),
            ] {
                assert!(!value.trim().is_empty(), "{}: empty {field}", r.id);
            }
            assert!(AREAS.contains(&r.area), "{}: unknown area {}", r.id, r.area);
            let len = r.question.chars().count();
            assert!(len <= 200, "{}: question has {len} characters", r.id);
        }
    }

    #[test]
    fn areas_appear_in_order_as_contiguous_sections() {
        let mut order: Vec<&str> = REQUIREMENTS.iter().map(|r| r.area).collect();
        order.dedup();
        assert_eq!(order, AREAS);
    }

    #[test]
    fn executable_is_behaviour_and_rule_only() {
        let ids: Vec<&str> = executable().map(|r| r.id).collect();
        let expected: Vec<&str> = REQUIREMENTS
            .iter()
            .filter(|r| r.kind != Info)
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, expected);
        assert!(!ids.contains(&"FAQ-4-22"));
    }

    #[test]
    fn lookup_by_id() {
        let r = requirement("FAQ-4-11").expect("FAQ-4-11 is catalogued");
        assert_eq!(r.kind, Behaviour);
        assert_eq!(r.source, "000 4-11");
        assert!(requirement("FAQ-4-99").is_none());
    }

    #[test]
    fn kinds_serialise_as_the_words_of_requirements_md() {
        for kind in [Behaviour, Rule, Info] {
            let json = serde_json::to_value(kind).expect("a kind serialises");
            assert_eq!(json, kind.as_str());
        }
    }

    #[test]
    fn ids_and_kinds_match_requirements_md_when_present() {
        let Some(rows) = requirements_md_rows() else {
            return;
        };
        let documented: BTreeMap<&str, &str> = rows
            .iter()
            .map(|(id, kind, _)| (id.as_str(), kind.as_str()))
            .collect();
        assert_eq!(
            documented.len(),
            rows.len(),
            "requirements.md repeats an ID"
        );
        let catalogued: BTreeMap<&str, &str> = REQUIREMENTS
            .iter()
            .map(|r| (r.id, r.kind.as_str()))
            .collect();
        let missing: Vec<&str> = documented
            .keys()
            .filter(|id| !catalogued.contains_key(*id))
            .copied()
            .collect();
        let extra: Vec<&str> = catalogued
            .keys()
            .filter(|id| !documented.contains_key(*id))
            .copied()
            .collect();
        let kinds_differ: Vec<(&str, &str, &str)> = catalogued
            .iter()
            .filter_map(|(id, kind)| {
                let doc = documented.get(id)?;
                (doc != kind).then_some((*id, *kind, *doc))
            })
            .collect();
        assert!(
            missing.is_empty() && extra.is_empty() && kinds_differ.is_empty(),
            "missing from REQUIREMENTS: {missing:?}; not in requirements.md: {extra:?}; \
             kinds differ (catalogue, requirements.md): {kinds_differ:?}"
        );
    }

    #[test]
    fn order_and_sources_match_requirements_md_when_present() {
        let Some(rows) = requirements_md_rows() else {
            return;
        };
        let documented: Vec<(&str, &str)> = rows
            .iter()
            .map(|(id, _, source)| (id.as_str(), source.as_str()))
            .collect();
        let catalogued: Vec<(&str, &str)> = REQUIREMENTS.iter().map(|r| (r.id, r.source)).collect();
        let first_difference = catalogued
            .iter()
            .zip(&documented)
            .position(|(ours, doc)| ours != doc);
        if let Some(i) = first_difference {
            panic!(
                "row {i}: catalogue has {:?}, requirements.md has {:?}",
                catalogued[i], documented[i]
            );
        }
        assert_eq!(catalogued.len(), documented.len(), "row counts differ");
    }

    #[test]
    fn questions_are_verbatim_in_their_seed_when_present() {
        let seeds = shared_dir().join("seeds");
        let Ok(entries) = std::fs::read_dir(&seeds) else {
            return;
        };
        let texts: BTreeMap<String, String> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                let number = name.get(..3)?.to_string();
                let text = std::fs::read_to_string(entry.path()).ok()?;
                Some((number, normalise(&text)))
            })
            .collect();
        for r in REQUIREMENTS {
            let Some(seed) = texts.get(&r.source[..3]) else {
                continue;
            };
            for part in r.question.split('…').map(normalise) {
                assert!(
                    part.is_empty() || seed.contains(&part),
                    "{}: not verbatim in seed {}: {part}",
                    r.id,
                    &r.source[..3]
                );
            }
        }
    }
}
