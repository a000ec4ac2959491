"""Every ISO 3166-1 country by its codes and its English and Japanese names, from pycountry.

Imported only when a user types a country: pycountry's import costs more than half of a
query on the real archive.
"""

from __future__ import annotations

import functools
import gettext
import re

import pycountry

from spnet.names import Names

# Curator data, neither ISO's nor the report's: what Japanese readers call a country where
# ISO's Japanese name is another (イギリス for 英国; without it, アメリカ would be taken as
# the start of アメリカ合衆国外諸島), and the common short names of the press (豪州, 北朝鮮).
# Also names in everyday English that ISO has dropped or never had (Turkey, Türkiye since
# 2022), and Taiwan's own official name, which a reader would otherwise have taken as the
# end of the People's Republic of China.
CURATOR_NAMES = {
    "gb": ("イギリス",),
    "us": ("アメリカ", "アメリカ合衆国"),
    "nl": ("オランダ", "Holland"),
    "kr": ("韓国",),
    "au": ("オーストラリア", "豪州"),
    "kp": ("北朝鮮",),
    "tw": ("Republic of China", "中華民国"),
    "tr": ("Turkey",),
    "ci": ("Ivory Coast",),
    "mm": ("Burma",),
    "sz": ("Swaziland",),
}
# The one-character names (仏 France, 独 Germany ...), curator data too: short names, so
# that 仏 is France before it is the start of 仏領ギアナ (French Guiana); and the codes
# in everyday use that are no ISO code (UK, not the start of UKR, Ukraine; U.S., not the
# end of "Virgin Islands, U.S.").
CURATOR_SHORT = {
    "fr": ("仏",),
    "de": ("独",),
    "gb": ("英", "UK", "U.K."),
    "us": ("米", "U.S.", "U.S.A."),
    "cn": ("中",),
    "au": ("豪",),
}


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
        full = list(dict.fromkeys(english + [n for n in map(_in_order, english) if n]))
        for english_name in english:  # the name, the common name and the official name
            if japanese is not None and (ja := japanese(english_name)) != english_name:
                # "大韓民国 (韓国)": the name, and the name in brackets
                full += [part for part in re.split(r"\s*[()（）]\s*", ja) if part]
        code = c.alpha_2.lower()
        full += CURATOR_NAMES.get(code, ())
        out[code] = Names(tuple(dict.fromkeys(full)), (c.alpha_2, c.alpha_3, *CURATOR_SHORT.get(code, ())))
    return out


def _in_order(name: str) -> str | None:
    """ISO's inverted name as it is said: "Korea, Republic of" is the Republic of Korea, which
    would otherwise be found only as the end of "Democratic People's Republic of Korea"."""
    head, comma, tail = name.partition(", ")
    return f"{tail} {head}" if comma and re.search(r"\bof(?: the)?$", tail) else None
