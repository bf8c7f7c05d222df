"""Facts: each number is written once in the brief and formatted per language here."""
from __future__ import annotations

import datetime as dt

from .i18n.locale import Lang
from .model import Fact


def format_value(fact: Fact, lang: Lang, text_value: str | None = None) -> str:
    """The fact's value as a reader of `lang` writes it."""
    v, f = fact.value, fact.format
    if f == "text":
        return text_value if text_value is not None else str(v)
    if f == "date":
        return lang.date(v, "long")
    if f == "range":
        a, b = v
        return lang.range(_plain(a, lang, fact.decimals), _plain(b, lang, fact.decimals))
    if f == "year":
        return str(int(v))
    if f == "percent":
        out = lang.percent(v, fact.decimals)
    elif f == "currency":
        out = lang.currency(v, str(fact.currency), fact.decimals)
    elif f == "integer":
        out = lang.number(int(round(v)), 0)
    else:
        out = lang.number(v, fact.decimals)
    if fact.signed and v > 0:
        out = lang.locale.number_symbols["latn"]["plusSign"] + out
    return out


def _plain(value, lang: Lang, decimals) -> str:
    if isinstance(value, int) and 1000 <= value <= 2999:
        return str(value)  # a year: no grouping separator
    return lang.number(value, decimals)


def format_as_of(value, lang: Lang) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        return lang.period(*value)
    if isinstance(value, dt.date):
        return lang.date(value, "long")
    return lang.period(value)
