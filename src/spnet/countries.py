"""Every ISO 3166-1 country by its codes and its English and Japanese names, from pycountry.

Imported only when a user types a country: pycountry costs about 40 ms to import.
"""

from __future__ import annotations

import functools
import gettext
import re

import pycountry

from spnet.names import Names

# What Japanese readers call a country where ISO's Japanese name is another: イギリス for
# 英国. Without them, アメリカ would be taken as the start of アメリカ合衆国外諸島.
COMMON_JA = {"gb": ("イギリス",), "us": ("アメリカ", "アメリカ合衆国"), "nl": ("オランダ",), "kr": ("韓国",)}


@functools.cache
def iso_countries() -> dict[str, Names]:
    """alpha-2 code (lower case) -> the names it answers to: English names and the Japanese
    name as full names, the alpha-2 and alpha-3 codes as short ones."""
    try:
        japanese = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ja"]).gettext
    except OSError:  # a pycountry without its translations: English only
        japanese = None
    out = {}
    for c in pycountry.countries:
        english = [c.name, *(getattr(c, key) for key in ("common_name", "official_name") if hasattr(c, key))]
        full = list(dict.fromkeys(english))
        if japanese is not None and (ja := japanese(c.name)) != c.name:
            # "大韓民国 (韓国)": the name, and the name in brackets
            full += [part for part in re.split(r"\s*[()（）]\s*", ja) if part]
        full += COMMON_JA.get(c.alpha_2.lower(), ())
        out[c.alpha_2.lower()] = Names(tuple(dict.fromkeys(full)), (c.alpha_2, c.alpha_3))
    return out
