"""One glossary: the English and Japanese words spnet itself shows for fields and values.

Every table header, every `--lang ja` label of a kind, a boolean, a basis or a field of
`spnet show`, comes from here, so a word means one thing in every command (種別 is the
kind of a record everywhere, 大学 a member university everywhere). The archive's own text
is never in here: these are spnet's words about it. JSON keys and values stay English.
"""

from __future__ import annotations

from typing import NamedTuple

from spnet.partialdate import WEEKDAYS_EN, WEEKDAYS_JA


class Term(NamedTuple):
    en: str
    ja: str


# Field names, as headers and as the labels of `spnet show` (a path's parts are each looked up).
FIELDS: dict[str, Term] = {
    "id": Term("ID", "ID"),
    "record": Term("Record", "レコード"),
    "name": Term("Name", "名称"),
    "person_name": Term("Name", "氏名・名称"),
    "managing": Term("Managing", "幹事校"),
    "scheme": Term("Scheme", "制度名"),
    "partner_count": Term("Named partners", "記録された相手校"),
    "partners_stated": Term("Report's count", "報告書の相手校数"),
    "university": Term("University", "大学"),
    "universities": Term("Universities", "大学"),
    "country": Term("Country", "国"),
    "country_basis": Term("Country basis", "国の根拠"),
    "basis": Term("Basis", "根拠"),
    "kind": Term("Kind", "種別"),
    "type": Term("Type", "区分"),
    "since": Term("Since", "開始"),
    "since_what": Term("Began with", "開始の内容"),
    "since_start": Term("Since: first day", "開始（初日）"),
    "since_end": Term("Since: last day", "開始（末日）"),
    "designated": Term("Designated", "戦略認定"),
    "designated_what": Term("Designated by", "戦略認定の内容"),
    "designated_start": Term("Designated: first day", "戦略認定（初日）"),
    "designated_end": Term("Designated: last day", "戦略認定（末日）"),
    "institution": Term("Institution", "機関"),
    "members": Term("Members", "構成大学"),  # a consortium's members, the project's member universities
    "member_count": Term("Members", "大学数"),  # how many member universities an institution is a partner of
    "member_universities": Term("Member universities", "連携大学"),
    "membership": Term("Members are", "連携大学とは"),
    "relations": Term("Relations", "関係"),
    "date": Term("Date", "日付"),
    # A date as written (2023-03, FY2019) as the first and the last day it can mean.
    "date_start": Term("Date: first day", "日付（初日）"),
    "date_end": Term("Date: last day", "日付（末日）"),
    "tentative": Term("Planned", "予定"),
    "onward": Term("Onward from the date", "日付以降も継続"),
    "number": Term("No.", "回"),
    "title": Term("Title", "件名"),
    "title_basis": Term("Title basis", "件名の根拠"),
    "title_en_basis": Term("Title basis (English)", "件名の根拠（英語）"),
    "title_ja_basis": Term("Title basis (Japanese)", "件名の根拠（日本語）"),
    "title_ja_referents": Term("Whom the title means", "件名の本学・同協会等"),
    "called": Term("Called", "呼称"),  # what the report calls a record: 第3回連携大学会議
    "weekday": Term("Weekday", "曜日"),
    "theme": Term("Theme", "テーマ"),
    "time": Term("Time (JST)", "時間（日本時間）"),
    "keynotes": Term("Keynote speakers", "基調講演者"),
    "report_url": Term("Report", "報告書"),
    "affiliation": Term("Affiliation", "所属"),
    "role": Term("Role", "役職・用途"),
    "email": Term("E-mail", "メール"),
    "url": Term("URL", "URL"),
    "field": Term("Field", "項目"),
    "value": Term("Value", "値"),
    "matched": Term("Matched text", "該当箇所"),
    "about": Term("About", "内容"),
    "cited_in": Term("Cited in", "掲載"),
    "event": Term("Event", "行事"),
    "measure": Term("Measure", "集計"),
    "category": Term("Value", "区分"),
    "count": Term("Count", "件数"),
    "disputed": Term("Disputed", "日英相違"),
    "disputed_fields": Term("Disputed fields", "日英相違の項目"),
    # Parts of the paths `spnet show` prints (disagreements[0].reason ...).
    "activities": Term("Activities", "活動内容"),
    "outlook": Term("Outlook", "今後の展望"),
    "aliases": Term("Aliases", "別名"),
    "short_names": Term("Short names", "略称"),
    "short_names_basis": Term("Short names basis", "略称の根拠"),
    # Where the report gives a value (its lines), or why the curators give it (docs/curators.md)
    "country_lines": Term("Country basis lines", "国の根拠の行"),
    "country_reason": Term("Why the curators give the country", "国を管理者が補った理由"),
    "short_names_reason": Term("Why the curators give the short names", "略称を管理者が補った理由"),
    "title_en_reason": Term("Why the English title is the curators'", "英語の件名を管理者が補った理由"),
    "title_ja_reason": Term("Why the Japanese title is the curators'", "日本語の件名を管理者が補った理由"),
    "name_en_basis": Term("Name basis (English)", "名称の根拠（英語）"),
    "name_ja_basis": Term("Name basis (Japanese)", "名称の根拠（日本語）"),
    "name_en_reason": Term("Why the English name is the curators'", "英語の名称を管理者が補った理由"),
    "name_ja_reason": Term("Why the Japanese name is the curators'", "日本語の名称を管理者が補った理由"),
    "counts": Term("Counts", "件数"),
    "what": Term("What", "対象"),
    "source": Term("Source", "出典"),
    "section": Term("Section", "章節"),
    "lines": Term("Lines", "行"),
    "cites": Term("Lines by field", "項目別の行"),
    "partners": Term("Partners", "相手校"),
    "people": Term("People", "人物"),
    "events": Term("Events", "行事"),
    "disagreements": Term("Disagreements", "日英相違"),
    "reason": Term("Reason", "理由"),
    "as_printed": Term("As printed", "記載どおり"),
    "language": Term("Language", "言語"),
    "note": Term("Note", "注記"),
    "participants": Term("Participants", "参加者"),
    "person": Term("Person", "人物"),
    "part": Term("Part", "役割"),
    "talk": Term("Talk", "講演"),
    "programme": Term("Programme", "プログラム"),
    "venue": Term("Venue", "会場"),
    "held": Term("Held", "採用した読み"),
    "en": Term("English", "英語"),
    "ja": Term("Japanese", "日本語"),
    "links": Term("Links", "リンク"),
    "department": Term("Department", "部署"),
    "purpose": Term("Purpose", "用途"),
    "relation": Term("Relation", "関係"),
    "consortium": Term("Consortium", "コンソーシアム"),
    "qualifier": Term("Qualifier", "限定"),
    "as_of": Term("As of", "時点"),
    "fiscal_year": Term("Fiscal year", "年度"),
    # The report itself (`spnet source`, `spnet show ID --source`).
    "line": Term("Line", "行"),
    "text": Term("Report's text", "報告書の本文"),
    "fields": Term("Fields", "該当項目"),
    "marks": Term("Marks", "該当箇所"),
    "issued_by": Term("Issued by", "発行"),
    "sections": Term("Sections", "構成"),
    "framework": Term("Framework", "事業"),
    "definition": Term("Definition", "定義"),
    "aim": Term("Aim", "目的"),
    "concept": Term("Concept", "構想"),
    "topic": Term("Topic", "講演の内容"),
    "registration": Term("Registration", "参加登録"),
    "forum_roles": Term("Roles in the forum", "フォーラムでの役割"),
    "meeting_frequency": Term("Meetings held", "開催頻度"),
    "meeting_agenda": Term("Meeting agenda", "会議の主な議題"),
}

# Values spnet names (kinds, record types, bases); what the archive says is never here.
VALUES: dict[str, Term] = {
    "strategic-partner": Term("strategic-partner", "戦略的パートナー"),
    "consortium": Term("consortium", "コンソーシアム"),
    "consortium-member": Term("consortium-member", "コンソーシアム加盟校"),
    "joint-fund-partner": Term("joint-fund-partner", "共同基金の相手校"),
    "research-partner": Term("research-partner", "研究協力先"),
    "exchange-partner": Term("exchange-partner", "交流協定校"),
    "office-host": Term("office-host", "拠点の受入先"),
    "framework": Term("framework", "連携の枠組み"),
    "survey": Term("survey", "調査"),
    "symposium": Term("symposium", "シンポジウム"),
    "workshop": Term("workshop", "ワークショップ"),
    "meeting": Term("meeting", "会議"),
    "milestone": Term("milestone", "出来事"),
    "project": Term("project", "プロジェクト"),
    "university": Term("university", "大学"),
    "partner": Term("partner", "相手校"),
    "event": Term("event", "行事"),
    "person": Term("person", "人物"),
    "contact": Term("contact", "窓口"),
    "link": Term("link", "リンク"),
    "country": Term("country", "国"),
    "stated": Term("stated", "報告書に記載"),
    "implied": Term("implied", "報告書の文脈から"),
    "curator": Term("curator", "管理者が追加"),
}
# The `name` basis of a country is named by its field, not a kind.
# Which text a disagreement's record follows ("undecided": the Japanese original, kept).
VALUES_BY_FIELD: dict[str, dict[str, Term]] = {
    "basis": {"name": Term("name", "名称から")},
    "country_basis": {"name": Term("name", "名称から")},
    "title_en_basis": {"curator": Term("curator", "管理者による要約")},
    "title_ja_basis": {"curator": Term("curator", "管理者による要約")},
    "held": {
        "ja": Term("ja", "日本語"),
        "en": Term("en", "英語"),
        "undecided": Term("undecided", "未決定（日本語の原文のまま）"),
    },
}

YES, NO = Term("yes", "○"), Term("no", "—")
PLANNED = Term("{} (planned)", "{}（予定）")
ONWARD = Term("{} onward", "{}以降")  # a date that is when something began: 2019年度より
DECADE = Term("{}s", "{}年代")
NOT_STATED = Term("(not stated)", "（記載なし）")
JAPANESE, ENGLISH = Term(" (Japanese)", "（日本語）"), Term(" (English)", "（英語）")
# Texts the archive has in English only (a curator's note, a disagreement's reason, the
# report's section), shown as written: their label says so.
ENGLISH_ONLY = Term(" (English only)", "（英語のみ）")
ENGLISH_ONLY_FIELDS = frozenset({"note", "reason", "section"}) | {
    f"{stem}_reason" for stem in ("country", "short_names", "title_en", "title_ja", "name_en", "name_ja")
}
# The calendar's weekdays, Monday first (date.weekday()), as spnet names them.
WEEKDAYS: tuple[Term, ...] = tuple(Term(en, f"{ja}曜日") for en, ja in zip(WEEKDAYS_EN, WEEKDAYS_JA, strict=True))

# `spnet stats`: its measures and the values it names.
MEASURES: dict[str, Term] = {
    "partners by country": Term("partners by country", "国別の連携件数"),
    "partners by country, the curators' additions": Term(
        "partners by country, the curators' additions", "国別の連携件数（管理者が国を補ったもの）"
    ),
    "partners by kind": Term("partners by kind", "種別ごとの連携件数"),
    "institutions": Term("institutions", "機関数"),
    "partners by decade begun": Term("partners by decade begun", "連携開始の年代別"),
    "partners by year designated": Term("partners by year designated", "戦略認定の年別"),
    "events by year": Term("events by year", "年別の行事数"),
    "events by fiscal year": Term("events by fiscal year", "年度別の行事数"),
    "all": Term("all", "すべて"),
    "partner of two or more": Term("partner of two or more", "複数の大学の相手校"),
}

# The marks a table puts after a value, for its legend.
LEGEND: dict[str, Term] = {
    "*": Term("planned when the report was written", "報告書の時点で予定"),
    "?": Term("the Japanese and English texts disagree", "日英の記述が異なる"),
    "+": Term(
        "added or worded by the archive's curators: not the report's own words",
        "報告書の記載でなく、管理者が補足・要約したもの",
    ),
}


# What a mark's reader can run to learn more, after its words in any language.
LEGEND_HINT = {"?": " (spnet show ID)"}


def value(text: str, field: str = "") -> Term | None:
    """The words for a value spnet names, or None for the archive's own text."""
    return VALUES_BY_FIELD.get(field, {}).get(text) or VALUES.get(text)


def field_label(path: str, lang: str) -> str:
    """`disagreements[0].reason` as a reader of `lang` reads it: 日英相違[0].理由."""
    import re

    def part(m: re.Match[str]) -> str:
        word, suffix = m[1], m[2]
        term = FIELDS.get(word)
        text = (term.ja if lang == "ja" else term.en) if term else word
        if suffix:
            text += (JAPANESE if suffix == "ja" else ENGLISH).ja if lang == "ja" else f" ({suffix})"
        elif lang == "ja" and word in ENGLISH_ONLY_FIELDS:
            text += ENGLISH_ONLY.ja
        return text

    return re.sub(r"([a-z][a-z_]*?)(?:_(en|ja))?(?=$|[.\[])", part, path)


# The words spnet says in a problem (`spnet check`), by the value's name there: the
# calendar's weekday, the side of the report, a field; the report's own text is left as is.
_LANGUAGES = {"English": Term("English", "英語"), "Japanese": Term("Japanese", "日本語")}


def in_words(params: dict[str, object], lang: str) -> dict[str, object]:
    """A problem's values as a reader of `lang` reads spnet's words among them."""
    if lang != "ja":
        return params
    days = {t.en: t for t in WEEKDAYS}
    words = {"weekday": days, "side": _LANGUAGES}
    shown = {k: words[k][v].ja if k in words and isinstance(v, str) and v in words[k] else v for k, v in params.items()}
    if isinstance(shown.get("field"), str):
        shown["field"] = field_label(str(shown["field"]), lang)
    return shown


# The report's own words for a kind, which a reader types for it (names.resolve_choice) and
# which find its records (spnet show, spnet search): the meetings are the report's
# プロジェクト連携大学会議 (lines 188, 2184) and Member Universities Meetings (2228); the
# survey its アンケート調査 (167, 174); the partners its 戦略的パートナーシップ校 (2681).
REPORT_WORDS: dict[str, tuple[str, ...]] = {
    "meeting": ("連携大学会議", "プロジェクト連携大学会議", "Member Universities Meeting"),
    "survey": ("アンケート", "アンケート調査", "Questionnaire Survey"),
    "symposium": ("戦略的パートナーシップシンポジウム", "Strategic Partnership Symposium"),
    "workshop": ("戦略的パートナーシップワークショップ", "Strategic Partnership Workshop"),
    "strategic-partner": ("戦略的パートナーシップ", "戦略的パートナーシップ校", "strategic partnership"),
}


# ------------------------------------------------------------------ a text in both languages
def in_language(en: str | None, ja: str | None, lang: str) -> list[tuple[str, str]]:
    """A text of both languages as a reader asked for it (`lang`: en, ja or both), each piece
    with the language its marks are in: en or ja alone, the other language standing in
    where the archive has only that one (its marks still in the language asked for); both,
    each language that has a text, the reader's own (spnet's messages') first."""
    from spnet.i18n import language

    if lang in ("en", "ja"):
        chosen = (en or ja) if lang == "en" else (ja or en)
        return [(chosen, lang)] if chosen else []
    halves = [(ja, "ja"), (en, "en")] if language() == "ja" else [(en, "en"), (ja, "ja")]
    return [(text, half) for text, half in halves if text]


def bilingual_label(en: str | None, ja: str | None, lang: str) -> str:
    """in_language's pieces side by side: `Kyoto University / 京都大学`; empty for no text."""
    return " / ".join(text for text, _half in in_language(en, ja, lang))
