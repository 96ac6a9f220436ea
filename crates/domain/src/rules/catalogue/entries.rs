//! The catalogue's rows: the seed rows of `requirements.md` in its order, its later
//! notices, then onshi's own domain rules (see the parent module for where each text
//! comes from).

use super::EndBound::Through;
use super::Origin::{Domain, Notice, Security, Seed};
use super::RequirementKind::{Behaviour, Info, Rule};
use super::{
    AUTHENTICATION, FALLBACK, IDENTITY, NOTICES, QUALIFICATION, REGISTRATION, RESULT, Requirement,
};
use crate::rules::calendar::DateKey;
use crate::rules::rule_id::RuleId;

const HOHATSU_0710: Option<&str> = Some("保発0710第1号 (2023-07-10)");

/// Every requirement, in [`RuleId::ALL`] order.
pub static CATALOGUE: &[Requirement] = &[
    // 本人確認・カード・プライバシー (Identity, card and privacy)
    Requirement {
        id: RuleId::Faq4_9,
        kind: Behaviour,
        origin: Seed,
        area: Some(IDENTITY),
        title: "医療機関・薬局はマイナンバーを取り扱わず、ICチップの電子証明書で資格確認",
        summary: "Clinics never handle the 12-digit My Number. Confirmation uses the \
                  user-authentication certificate on the chip. A reader or backend that reads \
                  the My Number file, the 照合番号A file, or sends a My Number fails.",
        summary_ja: "医療機関・薬局は12桁のマイナンバーを取り扱わず、資格確認はICチップ内の利用者証明用\
                     電子証明書で行うため、マイナンバーや照合番号Aのファイルを読む、またはマイナンバーを\
                     送信するリーダーやバックエンドは不合格とする。",
        source: "000 4-9; 002",
        question: Some("医療機関・薬局がマイナンバー（12桁の番号）を取り扱うのですか。"),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_6,
        kind: Behaviour,
        origin: Seed,
        area: Some(IDENTITY),
        title: "資格確認ができない場合は被保険者資格申立書を受ける",
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
        question: Some(
            "医療機関・薬局において、マイナンバーカードの表（おもて）面の情報を確認するために、\
                   一時的に患者のマイナンバーカードを預かることや、その表面をコピーして、\
                   管理しておくことは可能ですか。また、具体的にどのようなケースで、\
                   こうした対応を行うことが想定されますか。",
        ),
        notice: HOHATSU_0710,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_21,
        kind: Behaviour,
        origin: Seed,
        area: Some(IDENTITY),
        title: "改ざんされたICチップは読み取れず、別の方法で資格確認",
        summary: "The chip holds only the four basic items, face photo, My Number, certificates \
                  and the resident-record code — no tax, pension or medical data. Tampering \
                  makes the chip unreadable (a tampered card answers nothing usable and the \
                  visit falls back).",
        summary_ja: "ICチップにあるのは基本四情報・顔写真・マイナンバー・電子証明書・住民票コードだけで\
                     税・年金・医療の情報はなく、不正に読み出そうとするとチップは読めなくなる\
                     （改ざんされたカードは使える応答を返さず、受付は代替手段に移る）。",
        source: "000 4-21; 002",
        question: Some(
            "マイナンバーカードを落とすと、ICチップに入っている税や年金、医療などのさまざまな\
                   情報が流出するので怖いです。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_20,
        kind: Behaviour,
        origin: Seed,
        area: Some(IDENTITY),
        title: "マイナンバーを知られても情報は引き出せない（番号を識別子とする照会はない）",
        summary: "Knowing someone's My Number alone gives access to nothing: no backend call \
                  accepts a My Number as identifier.",
        summary_ja: "他人のマイナンバーを知っただけでは何も引き出せず、マイナンバーを識別子として受け付ける\
                     バックエンド呼出しは一つもない。",
        source: "000 4-20",
        question: Some("マイナンバーを人に見られても大丈夫なのですか。"),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_17,
        kind: Behaviour,
        origin: Seed,
        area: Some(IDENTITY),
        title: "他人の資格情報を表示・使用しない",
        summary: "Showing another person's information is a critical defect: every confirmation \
                  result must belong to the person whose card (or numbers) was presented, also \
                  under load.",
        summary_ja: "他人の情報を表示することは重大な欠陥であり、高負荷時も含め、すべての資格確認結果は\
                     提示されたカード（または番号）の本人のものでなければならない。",
        source: "000 4-17",
        question: Some(
            "オンライン資格確認やマイナポータルにおいて別の方の情報が表示された場合、\
                   どこに問合せればよいですか。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::FlyPhoto,
        kind: Behaviour,
        origin: Seed,
        area: Some(IDENTITY),
        title: "カードリーダーはカメラ画像とカードの顔写真を照合し、顔写真を保存しない",
        summary: "The reader compares the camera image with the card photo; the photo is not \
                  stored on the device.",
        summary_ja: "カードリーダーはカメラの画像とカードの顔写真を照合し、顔写真を機器に保存しない。",
        source: "002",
        question: Some("カードの顔写真を機器で確認します。※顔写真は機器に保存されません。"),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_22,
        kind: Info,
        origin: Seed,
        area: Some(IDENTITY),
        title: "マイナンバーで個人情報を扱えるのは手続きを担当する職員だけ",
        summary: "Only officials handling a procedure can use the number; exchanges are visible \
                  in the citizen portal.",
        summary_ja: "マイナンバーで個人情報を見られるのはその手続きを担当する行政職員だけで、\
                     機関間の情報のやり取りはマイナポータルで確認できる。",
        source: "000 4-22",
        question: Some(
            "マイナンバーカードから、マイナンバーに紐付けられた自分の個人情報が流れ出ることは\
                   ないのですか。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    // カードリーダーでの認証 (Authentication at the reader)
    Requirement {
        id: RuleId::Faq4_11,
        kind: Behaviour,
        origin: Seed,
        area: Some(AUTHENTICATION),
        title: "暗証番号がロックされても顔認証等で保険証として利用可能",
        summary: "A card whose PIN is locked still works as health-insurance card through face \
                  authentication (or staff visual check). The reader must not keep sending PINs \
                  to a locked card.",
        summary_ja: "暗証番号がロックされたカードも顔認証（または職員の目視確認）で健康保険証として使え、\
                     リーダーはロックされたカードに暗証番号を送り続けてはならない。",
        source: "000 4-11",
        question: Some(
            "マイナンバーカードの暗証番号がロックされてしまったのですが、健康保険証としては\
                   利用できますか。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_7,
        kind: Behaviour,
        origin: Seed,
        area: Some(AUTHENTICATION),
        title: "子どもは親がカードを置き暗証番号を入力するか、職員が顔写真と目視で照合",
        summary: "For a child who cannot operate the reader, a parent places the card and enters \
                  the PIN; alternatively staff compare the child's face with the card photo.",
        summary_ja: "リーダーを操作できない子どもについては、親などがカードを置いて暗証番号を入力するか、\
                     職員が子どもの顔とカードの写真を目視で照合する。",
        source: "000 4-7",
        question: Some(
            "子どもの場合、本人が顔認証付きカードリーダーを操作できない場合はどうするのですか。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::TrnAssist,
        kind: Behaviour,
        origin: Seed,
        area: Some(AUTHENTICATION),
        title: "職員・家族・介助者が患者のカードをカードリーダーに置く支援は可",
        summary: "Staff, family or helpers may place the card on the reader for a patient who \
                  cannot.",
        summary_ja: "自分でカードをリーダーに置けない患者に代わって、職員・家族・介助者がカードを置いてよい。",
        source: "004",
        question: Some(
            "ご自身でマイナンバーカードを顔認証付きカードリーダーに置くことが難しい等のやむを得ない\
                   事情があり、患者ご本人から希望があった場合に、家族の方や介助者、職員等が患者の\
                   マイナンバーカードを顔認証付きカードリーダーに置く必要の支援を行うことは、\
                   差し支えありません。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::TrnProxy,
        kind: Behaviour,
        origin: Seed,
        area: Some(AUTHENTICATION),
        title: "代理人による暗証番号の入力、職員による目視確認で受付可",
        summary: "When the patient cannot operate the reader, a proxy may enter the PIN instead \
                  of face authentication; staff may also confirm visually (目視確認).",
        summary_ja: "患者がリーダーを操作できないときは、顔認証の代わりに代理人が暗証番号を入力してよく、\
                     職員が目視で本人確認してもよい。",
        source: "004",
        question: Some(
            "顔認証のかわりにマイナンバーカード作成時に設定した暗証番号を代理人が入力することなどで\
                   受付することができます。待合スペース等にいらっしゃるご本人のお顔とマイナンバーカードの\
                   お写真を、職員が目視で確認する本人確認も可能です。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::OkaFaceOnly,
        kind: Behaviour,
        origin: Seed,
        area: Some(AUTHENTICATION),
        title: "顔認証マイナンバーカードはマイナポータル・ATMで登録不可、カードリーダーでのみ登録可",
        summary: "A PIN-less card (顔認証マイナンバーカード) cannot register for insurance use \
                  through the citizen portal or a bank ATM; it can register at a clinic's face \
                  reader by face or visual check.",
        summary_ja: "暗証番号のない顔認証マイナンバーカードはマイナポータルや銀行ATMでは保険証利用登録が\
                     できないが、医療機関の顔認証付きカードリーダーでは顔認証または目視確認で登録できる。",
        source: "003",
        question: Some(
            "顔認証マイナンバーカードでは、暗証番号が使えないため、マイナポータルやセブン銀行ATMで\
                   健康保険証利用の登録を行うことはできません。医療機関・薬局の顔認証付きカードリーダーを\
                   利用して、顔認証または目視確認により健康保険証利用の申し込みを行うことが可能です。",
        ),
        notice: None,
        from: Some(DateKey::PinLessCard),
        to: None,
    },
    Requirement {
        id: RuleId::FlyHowto,
        kind: Behaviour,
        origin: Seed,
        area: Some(AUTHENTICATION),
        title: "カードを置き顔写真を確認すると医療保険の資格がオンラインで確認される",
        summary: "Place the card on the reader, confirm identity by face (photo check), and the \
                  insurance qualification is confirmed online.",
        summary_ja: "カードをリーダーに置き、顔写真との照合で本人確認をすると、医療保険の資格がオンラインで\
                     確認される。",
        source: "002",
        question: Some("カードリーダーで顔写真を確認すれば、スムーズに医療保険の資格確認ができ、…"),
        notice: None,
        from: None,
        to: None,
    },
    // 保険証利用登録 (Registration)
    Requirement {
        id: RuleId::Kq1,
        kind: Behaviour,
        origin: Seed,
        area: Some(REGISTRATION),
        title: "利用登録は医療機関のカードリーダー・スマートフォン・セブン銀行ATMで可能",
        summary: "Registration can be done at a clinic reader, by smartphone, or at a bank ATM; \
                  at the reader it can happen on the spot.",
        summary_ja: "保険証利用登録は医療機関のカードリーダー、スマートフォン、銀行ATMのいずれでもでき、\
                     カードリーダーではその場で登録できる。",
        source: "001 Q-1; 003",
        question: Some("マイナ保険証で受診するにはどうしたらいいですか"),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::OkaReg24h,
        kind: Rule,
        origin: Seed,
        area: Some(REGISTRATION),
        title: "利用者証明用電子証明書の更新から24時間以内は利用登録不可",
        summary: "Registration is refused within 24 hours of renewing the user-authentication \
                  certificate.",
        summary_ja: "利用者証明用電子証明書の更新から24時間以内は、保険証利用登録を受け付けない。",
        source: "003",
        question: Some(
            "マイナンバーカードの電子証明書(利用者証明用)の更新から24時間以内は、\
                   健康保険証利用の登録ができません。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::OkaReg5d,
        kind: Rule,
        origin: Seed,
        area: Some(REGISTRATION),
        title: "電子証明書の有効期限が5日以内は利用登録不可（登録済みなら利用可）",
        summary: "Registration is refused when the certificate expires within 5 days — but an \
                  already-registered card keeps working in that window.",
        summary_ja: "電子証明書の有効期限まで5日以内になると保険証利用登録を受け付けないが、\
                     登録済みのカードはその期間も保険証として使える。",
        source: "003",
        question: Some(
            "マイナンバーカードの電子証明書(利用者証明用)の有効期限が5日以内となると\
                   健康保険証利用の登録ができません。 … なお、登録が完了していれば、5日以内に\
                   有効期限に到達する場合でもマイナンバーカードを健康保険証として使用できます。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_15,
        kind: Behaviour,
        origin: Seed,
        area: Some(REGISTRATION),
        title: "保険者が資格を登録していないと利用登録できない",
        summary: "Registration status reads 「登録完了」 when done. If the insurer has not \
                  registered the person's qualification, registration fails with the message \
                  that no valid qualification exists; until registration completes the card \
                  cannot be used as insurance card.",
        summary_ja: "登録が済むと登録状況は「登録完了」と表示され、保険者が資格情報を登録していなければ\
                     有効な資格情報がない旨の表示で登録は失敗し、登録が完了するまでカードは保険証として\
                     使えない。",
        source: "000 4-15",
        question: Some(
            "マイナンバーカードの健康保険証利用登録ができているか確認する方法はありますか。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::OkaPrereq,
        kind: Info,
        origin: Seed,
        area: Some(REGISTRATION),
        title: "登録にはカード・利用者証明用暗証番号（4桁）・読取端末が必要",
        summary: "What registration needs: card, 4-digit PIN, a phone or PC with reader.",
        summary_ja: "登録にはマイナンバーカード、数字4桁の暗証番号、スマートフォンまたはパソコンと\
                     ICカードリーダーが必要である。",
        source: "003",
        question: Some("次の「登録に必要なもの」をご用意のうえ、登録してください。"),
        notice: None,
        from: None,
        to: None,
    },
    // 資格情報と反映の遅れ (Qualification data and its lag)
    Requirement {
        id: RuleId::Faq4_14,
        kind: Behaviour,
        origin: Seed,
        area: Some(QUALIFICATION),
        title: "「資格（無効）」「資格情報なし」でも10割負担にしない",
        summary: "After a job change the new insurer's data appears only after registration \
                  (employer ≤ 5 days, insurer ≤ 5 days more); meanwhile the result is 資格（無効） \
                  or 資格情報なし. The same happens while an insurer holds a record for an \
                  accuracy check. Neither may end in 10割負担.",
        summary_ja: "転職後の新しい保険者の資格情報は登録されて初めて現れ（事業主の届出まで5日以内、\
                     保険者の登録までさらに5日以内）、その間や保険者が正確性の確認のために連携を止めている\
                     間の結果は「資格（無効）」または「資格情報なし」となるが、いずれも10割負担で終わっては\
                     ならない。",
        source: "000 4-14",
        question: Some(
            "医療機関等でオンライン資格確認を利用したら「資格（無効）」や「資格情報なし」と\
                   表示されるのですが、なぜこうした事象が起こるのですか。",
        ),
        notice: HOHATSU_0710,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Kq4,
        kind: Behaviour,
        origin: Seed,
        area: Some(QUALIFICATION),
        title: "資格取得届からおおむね5日でカードが使え、マイナポータルも同時に反映",
        summary: "With a correct notification, the card is usable about 5 days after the \
                  資格取得届, and the portal shows the new data at the same moment.",
        summary_ja: "届出に誤りがなければ資格取得届からおおむね5日でカードが使えるようになり、\
                     マイナポータルにも同じ時点で新しい情報が反映される。",
        source: "001 Q-4",
        question: Some(
            "資格取得届に基づいて、被保険者がマイナ保険証を利用できるようになるのは手続きから\
                   何日後ですか。また、マイナポータルの「わたしの情報」の保険者情報が最新のステータスに\
                   反映される時期とマイナ保険証が利用できる時期との間にタイミングに差異はありますか",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Kq5,
        kind: Behaviour,
        origin: Seed,
        area: Some(QUALIFICATION),
        title: "届出の遅れ・マイナンバーの記載漏れでは登録までオンライン資格確認不可",
        summary: "Filed late or without a My Number: the insurer checks first; the person is \
                  insured but online confirmation is impossible until registration.",
        summary_ja: "届出が期限を過ぎたかマイナンバーの記載がない場合は保険者の確認が先に必要となり、\
                     被保険者資格はあっても登録が済むまでオンライン資格確認はできない。",
        source: "001 Q-5",
        question: Some(
            "資格取得届を提出し組合にて登録後に、資格取得日からマイナ保険証の利用が可能だと\
                   思います。資格取得届の提出期限は5日のため、5日を守れなかった場合はどうすれば\
                   いいですか",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_4,
        kind: Behaviour,
        origin: Seed,
        area: Some(QUALIFICATION),
        title: "保険者が変わっても加入手続き後は同じカードで新しい資格を確認",
        summary: "After changing insurer no procedure is needed once the new insurer's enrolment \
                  is done: the same card confirms the new qualification.",
        summary_ja: "保険者が変わっても新しい保険者への加入手続きが済んでいれば本人の手続きは不要で、\
                     同じカードで新しい資格が確認できる。",
        source: "000 4-4; 002 POINT 7; 003",
        question: Some("加入している健康保険組合が変わったのですが、手続きは必要ですか。"),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_16,
        kind: Behaviour,
        origin: Seed,
        area: Some(QUALIFICATION),
        title: "資格の反映待ち・正確性の確認中は医療情報も閲覧不可",
        summary: "During the lag or an accuracy check, medical information (drugs, checkups, \
                  expense notices) is not viewable either.",
        summary_ja: "資格情報の反映待ちや正確性の確認の間は、医療情報（薬剤情報・健診情報・\
                     医療費通知情報）も閲覧できない。",
        source: "000 4-16",
        question: Some(
            "マイナポータルで自分の薬剤情報や医療費通知情報などを見られなかったのですが、\
                   なぜですか。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::OkaDv,
        kind: Behaviour,
        origin: Seed,
        area: Some(QUALIFICATION),
        title: "DV等の不開示届出者はカードを保険証として使えないが10割負担にしない",
        summary: "A person with a non-disclosure registration (DV or abuse victim) cannot use \
                  the card as insurance card and the portal shows nothing; the visit must still \
                  not end in 10割負担 (資格確認書 path).",
        summary_ja: "不開示の届出をしたDV・虐待被害者はカードを保険証として使えずマイナポータルにも何も\
                     表示されないが、その受診も10割負担で終わってはならない（資格確認書による経路）。",
        source: "003",
        question: Some(
            "健康保険証の発行元に不開示とする届出をしている場合、以下の機能が使用できません。\
                   ・マイナンバーカードの健康保険証としての利用\
                   ・ご自身の健康保険情報、特定検診情報、薬剤情報、医療費情報等のマイナポータルでの閲覧",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Kq7,
        kind: Info,
        origin: Seed,
        area: Some(QUALIFICATION),
        title: "加入・受診の情報がシステムに送られ、同意があれば医療機関が参照",
        summary: "Enrolment data and visit records flow into the online system; with consent the \
                  clinic reads them.",
        summary_ja: "加入時の記号・番号や受診時の診療・薬剤情報はオンライン資格確認等システムに送られ、\
                     本人が同意すれば医療機関がそれを参照する。",
        source: "001 Q-7",
        question: Some("オンライン資格確認とは、どういった仕組みですか"),
        notice: None,
        from: None,
        to: None,
    },
    // 資格確認結果が含むべき情報 (What the result must carry)
    Requirement {
        id: RuleId::Faq4_1,
        kind: Behaviour,
        origin: Seed,
        area: Some(RESULT),
        title: "同意した場合のみ薬剤・健診情報を共有、限度額を超える支払は不要",
        summary: "With the patient's consent, drug history and checkup data are shared with the \
                  clinic; without consent they are not. For high-cost care the patient pays no \
                  more than the ceiling without a 限度額適用認定証.",
        summary_ja: "患者が同意すれば薬剤履歴や特定健診の情報が医療機関と共有され、同意しなければ共有されず、\
                     高額な医療でも限度額適用認定証なしに限度額を超える支払は求められない。",
        source: "000 4-1; 002; 004 Q1",
        question: Some("マイナンバーカードを健康保険証として利用するメリットは何ですか。"),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_8,
        kind: Behaviour,
        origin: Seed,
        area: Some(RESULT),
        title: "保険証・限度額適用認定証・特定疾病療養受療証・高齢受給者証の持参が不要",
        summary: "With the card the patient need not bring: 保険証, 限度額適用認定証, \
                  特定疾病療養受領証, 高齢受給者証 — so the result carries the limit category, \
                  specific-disease and elderly-recipient information.",
        summary_ja: "カードで受診すれば保険証・限度額適用認定証・特定疾病療養受領証・高齢受給者証の持参が\
                     不要なので、資格確認結果には限度額区分・特定疾病・高齢受給者の情報が含まれる。",
        source: "000 4-8",
        question: Some(
            "マイナンバーカードで医療機関を受診する場合、窓口への持参が不要となる証類は\
                   どのようなものがありますか。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::TrnQ1,
        kind: Behaviour,
        origin: Seed,
        area: Some(RESULT),
        title: "限度額を超える支払の免除は同一月・同一医療機関の支払に限る",
        summary: "The ceiling exemption applies within the same month at the same facility.",
        summary_ja: "限度額を超える支払の免除は、同一月・同一医療機関の支払に限って適用される。",
        source: "004 Q1",
        question: Some("ただし、同一月・同一医療機関の支払に限ります。"),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::OkaPremium,
        kind: Behaviour,
        origin: Seed,
        area: Some(RESULT),
        title: "保険料の納付状況により限度額が免除されない場合あり、公費負担医療は受給資格証等が必要",
        summary: "The ceiling exemption may be withheld depending on premium payment status; \
                  public-expense programmes still need their paper certificates.",
        summary_ja: "保険料の納付状況によっては限度額を超える支払の免除が受けられない場合があり、\
                     公費負担医療では引き続き紙の受給資格証等が必要である。",
        source: "003",
        question: Some(
            "※保険料の納付状況によっては免除されない場合があります。\
                   ※公費負担医療等の対象になる場合は引き続き受給資格証等の提示が必要になります。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::FlyData,
        kind: Rule,
        origin: Seed,
        area: Some(RESULT),
        title: "薬剤情報は2021年9月から3年分、特定健診は2020年度から直近5回分、医療費通知は2021年9月から",
        summary: "Drug data from September 2021 (3 years), checkups from FY2020 (5 most recent), \
                  expense notices from September 2021.",
        summary_ja: "閲覧できるのは、薬剤情報が2021年9月診療分から3年分、特定健診情報が2020年度以降の\
                     5年分（直近5回分）、医療費通知情報が2021年9月分以降である。",
        source: "002; 003",
        question: Some(
            "※薬剤情報は、2021年9月に診療したものから３年分の情報が閲覧できるようになりました。 … \
                   ※特定健診情報は、2020年度以降に実施したものから5年分（直近5回分）の情報が閲覧できる\
                   ようになりました。 … ※2021年9月分以降の医療費通知情報について、閲覧・自動入力が\
                   可能となりました。",
        ),
        notice: None,
        from: Some(DateKey::DrugDataFrom),
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_12,
        kind: Behaviour,
        origin: Seed,
        area: Some(RESULT),
        title: "生活保護の医療扶助はマイナンバーカードで資格確認（子ども医療費証は対象外）",
        summary: "Public assistance medical aid (医療扶助) is integrated since March 2024; \
                  municipal child medical certificates are not, and still need paper.",
        summary_ja: "生活保護の医療扶助は2024年3月からカードと一体化しているが、自治体の子ども医療費証明書は\
                     一体化されておらず、引き続き紙が必要である。",
        source: "000 4-12",
        question: Some(
            "生活保護受給者の医療券、各自治体が対応している子供医療費証明書は対象ではないのですか。",
        ),
        notice: None,
        from: Some(DateKey::MedicalAid),
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_13,
        kind: Behaviour,
        origin: Seed,
        area: Some(RESULT),
        title: "訪問診療・オンライン診療（令和6年4月）、訪問看護（令和6年6月）でカード利用",
        summary: "Home visits and online consultations can use the card since April 2024; home \
                  nursing since June 2024.",
        summary_ja: "訪問診療とオンライン診療では2024年4月から、訪問看護では2024年6月から、\
                     カードを健康保険証として使える。",
        source: "000 4-13",
        question: Some(
            "訪問診療やオンライン診療ではマイナンバーカードを健康保険証として利用できないのでしょうか。",
        ),
        notice: None,
        from: Some(DateKey::HomeVisitOnline),
        to: None,
    },
    // 代替手段と10割負担の回避 (Fallback and 10割負担 avoidance)
    Requirement {
        id: RuleId::Faq4_5,
        kind: Behaviour,
        origin: Seed,
        area: Some(FALLBACK),
        title: "オン資導入機関ではカードのみで受診、未導入ならカード＋資格情報のお知らせ",
        summary: "At a facility with online confirmation the card alone suffices. Where the \
                  facility has none, the card plus 「資格情報のお知らせ」 is needed.",
        summary_ja: "オンライン資格確認を導入した医療機関ではカードだけで受診でき、未導入の医療機関では\
                     カードと「資格情報のお知らせ」の両方が必要である。",
        source: "000 4-5",
        question: Some(
            "マイナンバーカードを持参すれば、健康保険証がなくても医療機関等を受診できますか。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Kq6,
        kind: Behaviour,
        origin: Seed,
        area: Some(FALLBACK),
        title: "カードリーダー未設置・故障時はカードで本人確認＋お知らせ又はマイナポータル画面",
        summary: "Reader absent or broken: identity by the card, plus the お知らせ or the \
                  citizen-portal qualification screen on a phone (downloaded, not printable) → \
                  insured care.",
        summary_ja: "カードリーダーがないか故障しているときは、カードで本人確認をしたうえで「資格情報の\
                     お知らせ」かスマートフォンにダウンロードしたマイナポータルの資格情報画面（印刷不可）を\
                     示せば保険診療を受けられる。",
        source: "001 Q-6",
        question: Some("マイナ保険証が利用できない場合はどうすればいいですか"),
        notice: HOHATSU_0710,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::FlyNoticeAlone,
        kind: Rule,
        origin: Seed,
        area: Some(FALLBACK),
        title: "資格情報のお知らせ（マイナポータル画面）のみでは保険診療不可",
        summary: "「資格情報のお知らせ」 (or the portal screen) alone is not enough for insured \
                  care. (A later notice relaxed this for a while: that is NOTICE-2025-06-27 / \
                  NOTICE-2025-11-12, not this ID.)",
        summary_ja: "「資格情報のお知らせ」（またはマイナポータルの画面）だけでは保険診療を受けら\
                     れない（後日の通知による一時的な緩和は NOTICE-2025-06-27 / \
                     NOTICE-2025-11-12 で、この ID ではない）。",
        source: "002",
        question: Some(
            "注意：「資格情報のお知らせ」（・マイナポータルの画面）のみでは保険診療を受けることが\
                   できません。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Kq3,
        kind: Rule,
        origin: Seed,
        area: Some(FALLBACK),
        title: "令和6年12月以降はカード、保険証（令和7年12月1日まで）、カード＋お知らせ、資格確認書で受診",
        summary: "From December 2024 four ways to insured care: card; old 保険証 (until \
                  2025-12-01); card + お知らせ where the card cannot be read; 資格確認書.",
        summary_ja: "2024年12月以降に保険診療を受ける方法は、マイナ保険証、従来の保険証（2025年12月1日\
                     まで）、カードが読めない場合のマイナ保険証と「資格情報のお知らせ」、資格確認書の\
                     4つである。",
        source: "001 Q-3",
        question: Some("令和6年12月以降は病院には何で受診すればいいですか"),
        notice: None,
        from: Some(DateKey::NoNewInsuranceCards),
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_10,
        kind: Rule,
        origin: Seed,
        area: Some(FALLBACK),
        title: "令和6年12月2日に保険証の発行終了、カードのない人には資格確認書",
        summary: "保険証 issuance ended 2024-12-02; old cards stop on 2025-12-02 at the latest; \
                  people without a card get a 資格確認書 and keep normal copay.",
        summary_ja: "保険証の発行は2024年12月2日に終了し、従来の保険証は遅くとも2025年12月2日から使えなく\
                     なり、カードを持たない人には資格確認書が交付されて通常の窓口負担で受診できる。",
        source: "000 4-10; 001 Q-2; 004 Q2",
        question: Some("マイナンバーカードを作らなくても、従来の保険証のままでもいいですか。"),
        notice: None,
        from: Some(DateKey::NoNewInsuranceCards),
        to: None,
    },
    Requirement {
        id: RuleId::TrnMax1y,
        kind: Rule,
        origin: Seed,
        area: Some(FALLBACK),
        title: "従来の保険証は有効期限まで最長1年間（令和7年12月1日まで）、保険者異動時はそれまで",
        summary: "Old cards stay valid until their own expiry, at most one year (to 2025-12-01), \
                  or until the insurer changes.",
        summary_ja: "従来の保険証は、それ自体の有効期限まで、最長1年間（2025年12月1日まで）、\
                     または保険者が変わるまで使える。",
        source: "004; 004 Q2",
        question: Some(
            "ただし移行後も、お手元の健康保険証は、有効期限までの間、最長1年間使用できます。 … \
                   ※有効期限が2025年（令和7）年12月1日より前に切れる場合や、転職・転居などで保険者の\
                   異動が生じた場合はその有効期限まで。",
        ),
        notice: None,
        from: None,
        to: Some(Through(DateKey::OldCardLastValidDay)),
    },
    Requirement {
        id: RuleId::Faq4_19,
        kind: Behaviour,
        origin: Seed,
        area: Some(FALLBACK),
        title: "カード紛失時は保険証（令和7年12月1日まで）又は資格確認書で通常負担",
        summary: "Lost card: the old 保険証 until 2025-12-01, or a 資格確認書 issued on request, \
                  keeps normal copay.",
        summary_ja: "カードを紛失しても、2025年12月1日までは従来の保険証で、または申し出により交付される\
                     資格確認書で、通常の窓口負担で受診できる。",
        source: "000 4-19",
        question: Some(
            "令和6年12月2日以降のマイナンバーカードと健康保険証一体化後、マイナンバーカードを\
                   落としたり無くしたりした場合、再発行までは保険証が使えないのですか。",
        ),
        notice: None,
        from: Some(DateKey::NoNewInsuranceCards),
        to: None,
    },
    Requirement {
        id: RuleId::TrnKakunin,
        kind: Behaviour,
        origin: Seed,
        area: Some(FALLBACK),
        title: "資格確認書は未登録者・登録解除者に申請なく交付、提示で通常負担",
        summary: "資格確認書 is sent without application to the unregistered and to those who \
                  cancelled registration; on application to those who find the card hard to \
                  use; to all 後期高齢者 whose old card expires, without application, as a \
                  transitional measure until 2025-07 (the later extension to 2026-07-31 is \
                  NOTICE-KOUKI-2026-07). Presenting it gives normal copay.",
        summary_ja: "資格確認書は、未登録の人と登録を解除した人には申請なしで、カードでの受診が難\
                     しい人には申請により、従来の保険証が失効する後期高齢者には2025年7月までの暫\
                     定的な措置として申請なしで交付され（2026年7月31日までの延長は \
                     NOTICE-KOUKI-2026-07）、提示すれば通常の窓口負担で受診できる。",
        source: "004; 002",
        question: Some(
            "マイナンバーカードの健康保険証利用登録をしていない方には、従来の健康保険証の有効期限が\
                   される前に「資格確認書」を無償で申請によらずお届けします。 … なお、すでに利用登録\
                   されている方であっても、解除された方には同様にお届けします。",
        ),
        notice: None,
        from: Some(DateKey::NoNewInsuranceCards),
        to: None,
    },
    Requirement {
        id: RuleId::TrnNo10,
        kind: Behaviour,
        origin: Seed,
        area: Some(FALLBACK),
        title: "カードリーダーで何が起きても10割負担にならない",
        summary: "Whatever goes wrong with the card reader, the patient never pays 10割.",
        summary_ja: "カードリーダーの操作で何がうまくいかなくても、患者が医療費の10割を負担することはない。",
        source: "004",
        question: Some(
            "マイナンバーカードでのカードリーダーの操作が上手くいかなくても、医療費が10割負担に\
                   なることはありません。",
        ),
        notice: HOHATSU_0710,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::TrnSchool,
        kind: Behaviour,
        origin: Seed,
        area: Some(FALLBACK),
        title: "修学旅行・保育所等では教員・保育士がマイナポータルのPDF又はお知らせの写しを提示可",
        summary: "School trips and nurseries: a teacher or carer may present the portal PDF (or \
                  print) or a copy of the お知らせ for the child.",
        summary_ja: "修学旅行や保育所などでは、教員や保育士等が子どもに代わってマイナポータルのPDF\
                     （印刷物も可）や「資格情報のお知らせ」の写しを提示してよい。",
        source: "004",
        question: Some(
            "修学旅行等の学校行事、部活動の合宿・遠征等において児童・生徒本人がマイナ保険証を\
                   持参することが容易でない場合（幼少のため管理が難しい場合等）や、… あらかじめ預かって\
                   おいたマイナポータルから取得できるPDFファイル（印刷物も可）や資格情報のお知らせ\
                   （写しも可）を提示するといった柔軟な取扱いも可能です。",
        ),
        notice: Some("事務連絡「健康保険証の廃止に伴う修学旅行等の学校行事…の確認方法について」"),
        from: Some(DateKey::SchoolEventCopies),
        to: None,
    },
    Requirement {
        id: RuleId::FlyNoticeIssue,
        kind: Info,
        origin: Seed,
        area: Some(FALLBACK),
        title: "資格情報のお知らせは国保加入時・70歳以上の負担割合変更時に交付",
        summary: "The お知らせ is issued on new NHI enrolment or a ratio change at 70+.",
        summary_ja: "「資格情報のお知らせ」は、国民健康保険に新たに加入したときや、70歳以上で負担割合が\
                     変わったときに交付される。",
        source: "002",
        question: Some(
            "新たに国民健康保険に加入されたときや、70歳以上の方で負担割合が変更となったときなどに\
                   交付されます。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_2,
        kind: Info,
        origin: Seed,
        area: Some(FALLBACK),
        title: "医療機関・薬局へのオンライン資格確認の原則義務化",
        summary: "Online confirmation is mandatory for insurance facilities since 2023-04-01; \
                  facilities show posters.",
        summary_ja: "2023年4月1日から保険医療機関・薬局にはオンライン資格確認の導入が原則として\
                     義務づけられ、導入した施設はポスター等で掲示している。",
        source: "000 4-2",
        question: Some("全ての医療機関・薬局で使えるようになりますか。"),
        notice: None,
        from: Some(DateKey::Mandatory),
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_3,
        kind: Info,
        origin: Seed,
        area: Some(FALLBACK),
        title: "保険証利用の詳しい情報の案内",
        summary: "Where to read more.",
        summary_ja: "詳しい情報は厚生労働省のページで確認できる。",
        source: "000 4-3",
        question: Some(
            "マイナンバーカードを健康保険証として利用するためにはどうしたらいいですか。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Faq4_18,
        kind: Info,
        origin: Seed,
        area: Some(FALLBACK),
        title: "マイナポータルで自分の保険証情報が正しく登録されているか確認",
        summary: "How a person checks their own registered data in the portal.",
        summary_ja: "本人はマイナポータルの「わたしの情報」から、自分の健康保険証情報が正しく登録されているかを\
                     確認できる。",
        source: "000 4-18",
        question: Some(
            "自分の健康保険証情報が正しく登録されているかを確認する方法を教えてください。",
        ),
        notice: None,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::Kq2,
        kind: Info,
        origin: Seed,
        area: Some(FALLBACK),
        title: "資格を喪失したときは従来の保険証を返却",
        summary: "Return the old card when losing qualification.",
        summary_ja: "資格を喪失したときは従来の保険証を返却する。",
        source: "001 Q-2",
        question: Some("現在持っている保険証は使えなくなるのですか"),
        notice: None,
        from: None,
        to: None,
    },
    // 後日の通知 (Later notices)
    Requirement {
        id: RuleId::Notice2025_06_27,
        kind: Rule,
        origin: Notice,
        area: Some(NOTICES),
        title: "暫定措置：期限切れの国保・後期の保険証又はお知らせのみでも番号によるオンライン確認で通常負担",
        summary: "Until 2026-03-31, an NHI/後期 patient whose old card has expired may be seen \
                  with that card, or with the お知らせ alone, after an online check (暫定的な取\
                  扱い).",
        summary_ja: "2026年3月31日までは、従来の保険証の有効期限が切れた国保・後期高齢者医療の患\
                     者も、その保険証又は「資格情報のお知らせ」だけで、オンラインで資格を確認し\
                     たうえで受診できる（暫定的な取扱い）。",
        source: "事務連絡 2025-06-27 (domain.md)",
        question: None,
        notice: Some("2025-06-27 事務連絡"),
        from: Some(DateKey::TemporaryMeasureCommunityFrom),
        to: Some(Through(DateKey::TemporaryMeasureLastDay)),
    },
    Requirement {
        id: RuleId::Notice2025_11_12,
        kind: Rule,
        origin: Notice,
        area: Some(NOTICES),
        title: "暫定措置：期限切れの被用者保険の保険証又はお知らせのみでも番号によるオンライン確認で通常負担",
        summary: "The same for employee-insurance cards expiring 2025-12-01, until 2026-03-31.",
        summary_ja: "2025年12月1日に有効期限が切れる被用者保険の保険証についても、2026年3月31日ま\
                     で同じ取扱いとする。",
        source: "事務連絡 2025-11-12 (domain.md)",
        question: None,
        notice: Some("2025-11-12 事務連絡"),
        from: Some(DateKey::TemporaryMeasureEmployeeFrom),
        to: Some(Through(DateKey::TemporaryMeasureLastDay)),
    },
    Requirement {
        id: RuleId::NoticeKouki2026_07,
        kind: Rule,
        origin: Notice,
        area: Some(NOTICES),
        title: "後期高齢者への資格確認書の申請によらない一律交付を2026年7月31日まで延長",
        summary: "The blanket 資格確認書 for 後期高齢者 extended to 2026-07-31.",
        summary_ja: "後期高齢者全員への資格確認書の一律交付は2026年7月31日まで延長された。",
        source: "domain.md",
        question: None,
        notice: Some("domain.md §6 (米子市)"),
        from: Some(DateKey::NoNewInsuranceCards),
        to: Some(Through(DateKey::LateStageKakuninLastDay)),
    },
    // onshi's own rules from domain.md (DOM-…)
    Requirement {
        id: RuleId::DomStart,
        kind: Rule,
        origin: Domain,
        area: None,
        title: "オンライン資格確認の本格運用開始",
        summary: "Online eligibility verification has been in full operation since 2021-10-20.",
        summary_ja: "オンライン資格確認は2021年10月20日から本格運用されている。",
        source: "003",
        question: None,
        notice: Some("domain.md §6"),
        from: Some(DateKey::FullOperation),
        to: None,
    },
    Requirement {
        id: RuleId::DomPinLess,
        kind: Rule,
        origin: Domain,
        area: None,
        title: "顔認証マイナンバーカード（暗証番号なし）の交付",
        summary: "The PIN-less card (顔認証マイナンバーカード) is issued from 2023-12-15.",
        summary_ja: "暗証番号を設定しない顔認証マイナンバーカードが2023年12月15日から交付されてい\
                     る。",
        source: "003",
        question: None,
        notice: Some("domain.md §2"),
        from: Some(DateKey::PinLessCard),
        to: None,
    },
    Requirement {
        id: RuleId::DomConsent,
        kind: Rule,
        origin: Domain,
        area: None,
        title: "医療情報は包括同意の1画面、限度額情報は同意画面なし（法令により提供）",
        summary: "From 2024-10-07 the reader shows one comprehensive consent screen for medical \
                  information and none for the limit category, which is provided by law.",
        summary_ja: "2024年10月7日から医療情報の同意は包括同意の1画面となり、限度額情報は法令に基\
                     づき同意画面なしで提供される。",
        source: "-",
        question: None,
        notice: Some("社会保障審議会医療保険部会 2024-02-29; domain.md §2"),
        from: Some(DateKey::ComprehensiveConsent),
        to: None,
    },
    Requirement {
        id: RuleId::DomCertRenew,
        kind: Rule,
        origin: Domain,
        area: None,
        title: "利用者証明用電子証明書の有効期限3か月前から更新案内",
        summary: "Holders are told to renew the user-authentication certificate from three \
                  months before it expires.",
        summary_ja: "利用者証明用電子証明書の有効期限の3か月前から更新の案内が行われる。",
        source: "-",
        question: None,
        notice: Some("domain.md §2 (多摩市・朝霞市)"),
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::DomCertGrace,
        kind: Rule,
        origin: Domain,
        area: None,
        title: "電子証明書の有効期限後、3か月後の月末まで資格確認のみ可（医療情報の共有不可）、以後は登録解除",
        summary: "After the certificate expires, qualification can still be confirmed (without \
                  sharing medical information) until the end of the third month after expiry; \
                  then the registration is cancelled.",
        summary_ja: "電子証明書の有効期限後も3か月後の月末までは資格確認だけができ（医療情報の共\
                     有は不可）、その後は保険証利用登録が解除される。",
        source: "-",
        question: None,
        notice: Some("domain.md §2 (多摩市・朝霞市・健保組合)"),
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::DomNhiExpiry,
        kind: Rule,
        origin: Domain,
        area: None,
        title: "国保・後期高齢者医療の保険証の多くは令和7年7月31日で有効期限",
        summary: "Most 国保 and 後期 cards expired on 2025-07-31 (the expiry of a card that \
                  prints none).",
        summary_ja: "国保・後期高齢者医療の保険証の多くは2025年7月31日に有効期限を迎えた（有効期\
                     限の記載がない保険証の期限）。",
        source: "-",
        question: None,
        notice: Some("domain.md §6 (甲斐市)"),
        from: None,
        to: Some(Through(DateKey::CommunityCardDefaultExpiry)),
    },
    Requirement {
        id: RuleId::DomKakuninMax5y,
        kind: Rule,
        origin: Domain,
        area: None,
        title: "資格確認書の有効期間は保険者が5年以内で設定",
        summary: "The insurer sets the validity of a 資格確認書, at most five years.",
        summary_ja: "資格確認書の有効期間は保険者が5年以内で設定する。",
        source: "-",
        question: None,
        notice: Some("domain.md §6"),
        from: Some(DateKey::NoNewInsuranceCards),
        to: None,
    },
    Requirement {
        id: RuleId::DomCopayRatio,
        kind: Rule,
        origin: Domain,
        area: None,
        title: "資格確認結果の負担割合（後期は一部負担金割合、70〜74歳は高齢受給者の割合）を用いる",
        summary: "The copay ratio is the one of the confirmation result (後期: the 一部負担金割合\
                  ; ages 70–74: the elderly recipient's ratio).",
        summary_ja: "窓口負担割合は資格確認結果の割合（後期高齢者は一部負担金割合、70〜74歳は高齢\
                     受給者の割合）を用いる。",
        source: "-",
        question: None,
        notice: Some("domain.md §5"),
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::DomCopayAge,
        kind: Rule,
        origin: Domain,
        area: None,
        title: "負担割合が無い場合は年齢で導出（未就学2割、6〜69歳3割、70〜74歳2割（現役並み3割）、75歳以上1割）、10割にしない",
        summary: "Without a ratio in hand it is derived from age (under school age 2割, 6–69 3割\
                  , 70–74 2割 or 3割 for 現役並み, 75 and over 1割), never 10割.",
        summary_ja: "負担割合が手元にない場合は年齢から導出し（未就学2割、6〜69歳3割、70〜74歳2割\
                     （現役並み3割）、75歳以上1割）、10割にはしない。",
        source: "-",
        question: None,
        notice: HOHATSU_0710,
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::DomCopayClass,
        kind: Rule,
        origin: Domain,
        area: None,
        title: "被保険者証区分が窓口負担を決める（A1 医療扶助は0割、05 特別療養費は10割で後に払い戻し）",
        summary: "The card classification decides the window first: A1 医療扶助 pays nothing \
                  (the 公費 pays; the 医療券 gives the recipient's amount), 05 特別療養費 pays \
                  10割 and is refunded — the one legitimate 10割 for an insured person.",
        summary_ja: "被保険者証区分が窓口負担を先に決める。A1 医療扶助は窓口負担なし（公費が支払い、\
                     本人支払額は医療券による）、05 特別療養費の対象者は10割を支払い保険者から払い戻しを\
                     受ける（被保険者にとって正当な唯一の10割）。",
        source: "-",
        question: None,
        notice: Some("domain.md §3 (OQSCD010)"),
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::DomValidityMultiple,
        kind: Behaviour,
        origin: Domain,
        area: None,
        title: "枝番のない照会に複数の者が該当したら「複数該当」とし、誰の資格情報も示さない。窓口は10割にしない",
        summary: "A numbers search without 枝番 (a 保険証 printed before 2021, or a clinic's \
                  record of one) that fits several members with the same birth date — twins \
                  in one family — is answered 複数該当 (資格有効性 5) naming none of them; \
                  answering one of them may show the clinic another person's record. The \
                  window does not charge 10割 on it: the 申立書 with the normal copay, or the \
                  search again with the 枝番.",
        summary_ja: "枝番のない記号・番号（2021年より前の保険証やその控え）で照会し、同じ生年月日の\
                     家族（双子など）が複数該当したときは「複数該当」（資格有効性5）と答え、誰の資格\
                     情報も示さない。窓口はこれを理由に10割とせず、申立書により通常の負担割合で受け\
                     付けるか、枝番を添えて照会し直す。",
        source: "-",
        question: None,
        notice: Some("domain.md §4 (OQSCD006), §6"),
        from: None,
        to: None,
    },
    Requirement {
        id: RuleId::DomValidityUnregistered,
        kind: Behaviour,
        origin: Domain,
        area: None,
        title: "医療券が未登録の医療扶助受給者は「有効（未登録）」とし、窓口は有効として負担なしで受け付ける",
        summary: "A 医療扶助 recipient in force whose 医療券 for the month the 福祉事務所 has \
                  not registered yet is answered 有効（未登録） (資格有効性 6) without a 医療券; \
                  the window treats it as valid (no copay, the 医療券 asked of the 福祉事務所), \
                  never as 無効.",
        summary_ja: "その月の医療券を福祉事務所がまだ登録していない医療扶助の受給者は「有効（未登録）」\
                     （資格有効性6）と答え、医療券情報は含めない。窓口は有効として扱い（窓口負担なし、\
                     医療券は福祉事務所に依頼）、無効として扱わない。",
        source: "-",
        question: None,
        notice: Some("domain.md §4 (OQSCD006)"),
        from: Some(DateKey::MedicalAid),
        to: None,
    },
    Requirement {
        id: RuleId::DomOutageRecovery,
        kind: Behaviour,
        origin: Domain,
        area: None,
        title: "回線障害の間は申立書で受け付けて基本4情報を控え、回復後に緊急時医療情報・資格確認機能で資格を確かめて請求する",
        summary: "While the qualification system is out of reach the window takes the 申立書 \
                  at the normal copay and notes the patient's 基本4情報 (氏名, 性別, 生年月日, \
                  住所); once it is reachable again the clinic confirms the qualification \
                  with the 緊急時医療情報・資格確認機能 (a search by those four) and bills it, \
                  not 不詳.",
        summary_ja: "回線障害などで資格確認システムにつながらない間は、被保険者資格申立書により通常の\
                     負担割合で受け付け、患者の基本4情報（氏名・性別・生年月日・住所）を控える。回復後は\
                     緊急時医療情報・資格確認機能（基本4情報による検索）で資格を確かめ、不詳ではなくその\
                     資格で請求する。",
        source: "-",
        question: None,
        notice: Some("domain.md §6; 保発0710第1号"),
        from: None,
        to: None,
    },
    security(
        RuleId::SecPinSignature,
        "暗証番号方式のカード署名を、このチャレンジと証明書の公開鍵で検証する",
        "A PIN-path card signature is verified over this challenge with the certificate's key: a signature by another key or over another nonce is refused.",
        "暗証番号方式の署名は、発行したチャレンジに対して証明書の鍵で作られたものだけを受け付ける。",
    ),
    security(
        RuleId::SecPinLocked,
        "暗証番号がロックされたカードのセッションからの暗証番号方式を受け付けない",
        "A PIN-path request whose evidence says the PIN counter was 0 before VERIFY is refused.",
        "照合前の残り回数が0だったという証跡の暗証番号方式は受け付けない。",
    ),
    security(
        RuleId::SecCertIssuer,
        "JPKIのルート認証局が発行していない利用者証明用電子証明書を受け付けない",
        "A user-authentication certificate not issued by the JPKI root (self-signed, or from another root) is refused.",
        "自己署名や別のルートが発行した利用者証明用電子証明書は受け付けない。",
    ),
    security(
        RuleId::SecCertSignature,
        "発行後に改ざんされた電子証明書を受け付けない",
        "A certificate whose bytes were altered after issue (the root's signature no longer covers it) is refused.",
        "発行後に内容を変えた電子証明書は、ルートの署名が合わないため受け付けない。",
    ),
    security(
        RuleId::SecCertExpired,
        "猶予期間を過ぎて有効期限切れの電子証明書で資格確認をしない",
        "A certificate expired beyond its grace period does not confirm qualification.",
        "有効期限後の猶予期間を過ぎた電子証明書では資格確認の結果を返さない。",
    ),
    security(
        RuleId::SecCertRevoked,
        "失効した電子証明書で資格確認をしない",
        "A revoked certificate (on the CRL) does not confirm qualification.",
        "失効リストにある電子証明書では資格確認の結果を返さない。",
    ),
    security(
        RuleId::SecChallengeReplay,
        "使用済みのチャレンジを受け付けない",
        "A challenge is single-use: a request that replays a used challenge is refused.",
        "一度使われたチャレンジを再び使う要求は受け付けない。",
    ),
    security(
        RuleId::SecChallengeFacility,
        "別の医療機関に発行したチャレンジを受け付けない",
        "A challenge issued for one facility is refused in another facility's request.",
        "ある医療機関に発行したチャレンジを、別の医療機関からの要求では受け付けない。",
    ),
    security(
        RuleId::SecChallengeExpired,
        "有効期限を過ぎたチャレンジを受け付けない",
        "A challenge past its lifetime is refused.",
        "有効期限を過ぎたチャレンジを使う要求は受け付けない。",
    ),
    security(
        RuleId::SecReaderChain,
        "認証局が発行していない端末証明書による証明を受け付けない",
        "A face or visual-path attestation by a device key the reader CA did not certify is refused.",
        "認証局が発行していない端末鍵による顔認証・目視確認の証明は受け付けない。",
    ),
    security(
        RuleId::SecReaderFacility,
        "他の医療機関の端末による証明を受け付けない",
        "An attestation by a device certified for another facility is refused.",
        "照会する医療機関とは別の医療機関の端末による証明は受け付けない。",
    ),
    security(
        RuleId::SecReaderExpired,
        "有効期限切れの端末証明書による証明を受け付けない",
        "An attestation by a device whose certificate has expired is refused.",
        "有効期限切れの端末証明書による証明は受け付けない。",
    ),
    security(
        RuleId::SecAttestation,
        "別のチャレンジ・証明書・方式に対する端末の証明を受け付けない",
        "A device attestation over another nonce, another certificate or another method than the request's is refused.",
        "要求とは別のチャレンジ・証明書・本人確認方式に対する端末の証明は受け付けない。",
    ),
    security(
        RuleId::SecFaceThreshold,
        "顔認証はしきい値以上の照合でのみ成立する",
        "The reader attests a face match only for a camera-to-photo score at or above its documented threshold (the reference policy: 0.8); just below it, it moves to another method.",
        "カメラの顔とICチップの顔写真の照合スコアがしきい値（参照実装では0.8）に届かないときは顔認証を成立させず、別の方法に切り替える。",
    ),
];

/// One of onshi's own security requirements (`SEC-…`): a behaviour, no area, no seed
/// question, not dated.
const fn security(
    id: RuleId,
    title: &'static str,
    summary: &'static str,
    summary_ja: &'static str,
) -> Requirement {
    Requirement {
        id,
        kind: Behaviour,
        origin: Security,
        area: None,
        title,
        summary,
        summary_ja,
        source: "onshi",
        question: None,
        notice: None,
        from: None,
        to: None,
    }
}
