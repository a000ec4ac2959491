"""On a narrowing terminal a listing's less needed columns give way one at a time, in the
order a reader needs them least (docs/output.md, "Tables that fit"), until no table fits
and each record becomes a card. The order is spnet's design: a column spec that changes
it changes what a reader sees first on a small terminal."""

from __future__ import annotations

import pytest

# Each listing's columns in the order they give way, one at a time; the columns never
# named here stay until the records become cards.
GIVE_WAY = [
    ("partners", ["University", "Country", "Since", "Designated", "Kind"]),
    ("institutions", ["Country", "ID"]),
    ("timeline", ["No.", "University", "Kind"]),
    ("meetings", ["ID", "Weekday"]),
    ("symposia", ["ID"]),
    ("contacts", ["University", "Type", "ID"]),
]


def _header(table: str) -> list[str] | None:
    """A table's column headers (one English word each), or None for cards."""
    lines = table.splitlines()
    if len(lines) > 1 and lines[1].strip() and set(lines[1]) <= {"─", " "}:
        return lines[0].split()
    return None


@pytest.mark.slow  # every width from 240 columns down: 200 runs of a listing
@pytest.mark.parametrize("listing,order", GIVE_WAY, ids=[listing for listing, _ in GIVE_WAY])
def test_columns_give_way_one_at_a_time_in_the_order_a_reader_needs_them_least(
    cli, listing: str, order: list[str]
) -> None:
    gone: list[str] = []
    shown = None
    for width in range(240, 30, -1):
        result = cli(listing, "--lang", "en", "--format", "table", env={"COLUMNS": str(width)})
        assert result.exit_code == 0 and result.exception is None, result.stderr
        header = _header(result.stdout)
        if header is None:  # cards: every column given way that will
            break
        if shown is not None:
            lost = [c for c in shown if c not in header]
            assert len(lost) <= 1 and set(header) <= set(shown), (width, shown, header)  # one at a time, for good
            gone += lost
        shown = header
    assert shown is not None and header is None, "narrow enough, the records become cards"
    assert gone == order
