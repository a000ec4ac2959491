"""The layout on its own, without a terminal (spnet.layout): wrapping, kinsoku, column widths, cards."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from spnet import layout
from spnet.layout import Column, Style, Table, draw, plain_text
from spnet.linebreak import NO_END, NO_START, phrases, wrap

JAPANESE = [
    "本学がボンオフィスを設置",
    "リヨン大学との協力は、2004年に研究機関INSA-LyonとECLをパートナーとして開始",
    "ULB側より「特定パートナー大学」として選定され、「特定パートナーシップ協定」を締結",
    "本プロジェクトの活動内容や戦略的パートナーシップの新規導入等に関するご相談・お問い合わせ",
]


def test_japanese_breaks_between_phrases() -> None:
    assert ["".join(p) for p in phrases(JAPANESE[0])] == ["本学が", "ボンオフィスを", "設置"]
    assert ["".join(p) for p in phrases(JAPANESE[2])] == [
        "ULB側より",
        "「特定パートナー大学」として",
        "選定され、",
        "「特定パートナーシップ協定」を",
        "締結",
    ]
    assert wrap(JAPANESE[0], 16) == ["本学が", "ボンオフィスを", "設置"]  # between phrases, not at 16 cells
    assert wrap(JAPANESE[0], 20) == ["本学がボンオフィスを", "設置"]


def test_numbers_and_latin_words_stay_whole_inside_japanese() -> None:
    for width in range(12, 40):
        lines = wrap(JAPANESE[1], width)
        assert any("2004" in line for line in lines), lines
        assert any("INSA-Lyonと" in line for line in lines), lines  # the particle stays with its word


def test_english_wraps_between_words_and_cuts_only_a_word_wider_than_the_line() -> None:
    assert wrap("Strategic Partnership University Project", 20) == ["Strategic", "Partnership", "University Project"]
    assert wrap("Supercalifragilistic word", 10) == ["Supercali…", "word"]
    assert wrap("Supercalifragilistic word", 10, "...") == ["Superca...", "word"]


def test_addresses_are_never_cut() -> None:
    url = "https://www.u-tokyo.ac.jp/content/400184827.pdf"
    assert wrap(f"Report: {url}", 20) == ["Report:", url]
    # What must not be lost (help: where the documentation is) breaks a path after a slash.
    path = "/tmp/ci10/main/.venv/lib/python3.11/site-packages/spnet/docs/README.md"
    assert wrap(path, 60, whole=True) == ["/tmp/ci10/main/.venv/lib/python3.11/site-packages/spnet/", "docs/README.md"]
    assert wrap("Supercalifragilistic", 10, whole=True) == ["Supercalif", "ragilistic"]
    assert wrap("mail intl-project.adm@gs.mail.u-tokyo.ac.jp", 12)[-1] == "intl-project.adm@gs.mail.u-tokyo.ac.jp"


mixed = st.lists(
    st.sampled_from(
        [
            "本学",
            "が",
            "、",
            "。",
            "（",
            "）",
            "「",
            "」",
            "ボン",
            "ー",
            "ッ",
            "2004",
            "年",
            " ",
            "INSA-Lyon",
            "University",
            "の",
        ]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300)
@given(text=mixed, width=st.integers(4, 60))
def test_wrapped_lines_fit_and_keep_kinsoku(text: str, width: int) -> None:
    lines = wrap(text, width)
    for n, line in enumerate(lines):
        assert cell_len(line) <= width
        stripped = line.strip()
        if stripped and n:  # (the text itself may begin with a closing mark)
            assert stripped[0] not in "、。，．）」』】", lines
        if stripped and n < len(lines) - 1:  # (or end with an opening one)
            assert stripped[-1] not in NO_END, lines
    if "…" not in "".join(lines):
        assert "".join("".join(lines).split()) == "".join(text.split())  # nothing lost, nothing added


def test_no_line_begins_with_a_closing_mark_at_any_width() -> None:
    for text in JAPANESE:
        for width in range(4, 50):
            for line in wrap(text, width):
                assert not line or line[0] not in NO_START, (width, line)
                assert not line or line[-1] not in NO_END, (width, line)


def _table(rows: list[tuple[str, str, str]]) -> Table:
    columns = [Column(("ID",), True, 0), Column(("Title", "件名"), False, 0, 20), Column(("Kind",), True, 1)]
    cells = [(None, [((i, None),), ((en, None), (ja, None)), ((k, None),)]) for i, en, ja, k in rows]
    return Table(columns, cells, [])


ROWS = [
    ("meeting-03", "Challenges faced in strategic partnerships", "戦略的パートナーシップにおける課題の共有", "meeting"),
    ("kyoto-zurich-symposium-2023", "Joint symposium with the University of Zurich", "共同シンポジウム", "milestone"),
]


def test_columns_give_way_in_order_then_rows_become_cards() -> None:
    table = _table(ROWS)
    wide = draw(table, 100, Style())
    assert wide[0][0].text.startswith("ID") and any(s.text == "Kind" for s in wide[0])
    narrow = draw(table, 55, Style())  # Kind gives way before the title gets narrower than 20
    text = plain_text(narrow)
    assert "Kind" not in text and "kyoto-zurich-symposium-2023" in text
    assert all(cell_len("".join(s.text for s in line)) <= 55 for line in narrow)
    cards = plain_text(draw(table, 40, Style()))
    assert "Title" in cards and "件名" in cards and "Kind" in cards  # a card shows every field
    assert all(cell_len(line) <= 40 for line in cards.splitlines())
    kept = plain_text(draw(table, 55, Style(wide=True)))
    assert "Kind" in kept  # --wide keeps them all


def test_left_over_width_goes_back_to_the_cut_columns() -> None:
    lines = draw(_table(ROWS), 80, Style())
    widths = [cell_len("".join(s.text for s in line)) for line in lines]
    assert max(widths) == 80 or max(widths) == cell_len(ROWS[0][1]) + 2 + 27 + 2 + 9


words = st.lists(
    st.sampled_from(["University", "of", "Tokyo", "東京大学", "の", "Korea,", "Republic", "+", "x" * 12]), max_size=8
)
columns = st.lists(st.tuples(st.booleans(), st.integers(0, 3), st.integers(8, 30)), min_size=1, max_size=6)


@settings(max_examples=300)
@given(spec=columns, texts=st.lists(words.map(" ".join), min_size=1, max_size=30), width=st.integers(20, 200))
def test_a_table_that_is_laid_out_never_passes_the_width(spec, texts: list[str], width: int) -> None:
    cols = [Column((f"H{n}",), token, give_way, least) for n, (token, give_way, least) in enumerate(spec)]
    rows = [
        (
            None,
            [
                ((texts[(r + c) % len(texts)] if not token else f"id-{r}", None),)
                for c, (token, _, _) in enumerate(spec)
            ],
        )
        for r in range(len(texts))
    ]
    table = Table(cols, rows, [])
    widths = layout.layout(table, width, Style())
    if widths is None:  # cards
        return
    shown = [w for w in widths if w]
    assert sum(shown) + 2 * (len(shown) - 1) <= width
    for line in draw(table, width, Style()):
        assert cell_len("".join(s.text for s in line)) <= width


def test_a_group_heading_wider_than_the_line_breaks_between_words() -> None:
    """A stats measure in both languages is wider than 80 columns: its heading is broken as
    any text is, never inside a word (補っ|たもの), in a table and in cards."""
    heading = "partners by country, the curators' additions / 国別の連携件数（管理者が国を補ったもの）"
    rows = [(heading, [((i, None),), ((en, None), (ja, None)), ((k, None),)]) for i, en, ja, k in ROWS]
    for width in (80, 60, 40):
        lines = plain_text(draw(Table(_table(ROWS).columns, rows, []), width, Style())).splitlines()
        assert all(cell_len(line) <= width for line in lines), width
        start = next(n for n, line in enumerate(lines) if line.startswith("partners by"))
        broken = lines[start : start + len(wrap(heading, width, whole=True))]
        assert broken == wrap(heading, width, whole=True), width
        assert any("補ったもの" in line for line in broken), broken
