"""Per-language facts: direction, quotation marks, fonts, number and date formatting (Babel)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from babel import Locale
# Babel is imported where it formats (numbers, dates, lists): the language profiles below are
# read by `briefing --help` too, which should not pay for loading CLDR.

HEBREW_LETTER = re.compile(r"[\u0590-\u05ff]")
LATIN_START = re.compile(r"^[\W\d_]*[A-Za-z0-9]")


@dataclass(frozen=True)
class Profile:
    """Everything the tool knows about one language, in one place. Adding a language is
    one profile here and its catalogs; Babel supplies numbers, dates, lists and direction."""

    code: str
    quotes: tuple[str, str, str, str]           # CLDR <delimiters>: start, end, alternate start, end
    serif: tuple[str, ...]                      # font stacks: the script's family, then Latin/digits
    sans: tuple[str, ...]
    docx_fonts: tuple[str, str]                 # Word w:rFonts: (ascii/hAnsi, cs)
    docx_lang: str                              # Word w:lang
    plural_forms: str                           # gettext Plural-Forms, as CLDR defines the categories
    full_stop: str = "."
    list_separator: str = "; "                  # between sources in one note
    currency_by_name: bool = False              # "65 000 ԱՄՆ դոլար" rather than "65 000 $"
    currency_names: tuple[tuple[str, str], ...] = ()  # (code, word) after the number, as the formal press writes
                                                      # it where CLDR has only a symbol: he "65,000 דולר"
    year_mark: tuple[str, str] = ("", "")       # after a year / a span of years: "2021 թ.", "2016–2020 թթ."
    stop_after_quote: bool = False              # «...»։ : the full stop goes after the closing mark
    upright: bool = False                       # no true italics in the script: emphasis stays upright
    script: str | None = None                   # a regex class of the script's own letters
    typography: Callable[[str], str] | None = None   # applied to translated text (Hebrew gershayim ...)
    prefix_hyphen: bool = False                 # "ו‑Amnesty": a prefix before a Latin word takes U+2011
    smartquotes: str | None = None              # straight quotes in briefs become these (markdown-it typographer)
    date_patterns: tuple[tuple[str, str], ...] = ()  # (style, pattern) where CLDR's is not the language's usage
    range_joiner: str = ""                      # after a range's dash: U+200D keeps "2016–2020" on one line
                                                # (Unicode line breaking rule LB8a; Word's no-width non break)


PROFILES: dict[str, Profile] = {}


def register(profile: Profile) -> Profile:
    PROFILES[profile.code] = profile
    return profile


def profile(code: str) -> Profile:
    return PROFILES.get(code) or PROFILES["en"]


@dataclass(frozen=True)
class Lang:
    code: str

    @property
    def profile(self) -> Profile:
        return profile(self.code)

    @property
    def locale(self) -> "Locale":
        return _locale(self.code)

    @property
    def rtl(self) -> bool:
        return self.locale.character_order == "right-to-left"

    @property
    def dir(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def name(self) -> str:
        return self.locale.get_display_name(self.code) or self.code

    @property
    def english_name(self) -> str:
        return self.locale.get_display_name("en") or self.code

    def quote(self, text: str, inner: bool = False) -> str:
        q = self.profile.quotes
        return (q[2] + text + q[3]) if inner else (q[0] + text + q[1])

    @property
    def quote_marks(self) -> tuple[str, str]:
        q = self.profile.quotes
        return q[0], q[1]

    def full_stop(self) -> str:
        return self.profile.full_stop

    def sentence(self, text: str) -> str:
        """End a template sentence with this language's full stop."""
        text = text.rstrip()
        if text.endswith((".", "\u0589", "!", "?")):
            return text
        return text + self.full_stop()

    # --- numbers and dates ---------------------------------------------------------------

    def number(self, value: float, decimals: int | None = None) -> str:
        from babel.numbers import format_decimal
        if decimals is None:
            return format_decimal(value, locale=self.locale)
        fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=fmt, locale=self.locale, decimal_quantization=True)

    def percent(self, value: float, decimals: int | None = None) -> str:
        from babel.numbers import format_percent
        fmt = None
        if decimals:
            base = self.locale.percent_formats[None].pattern
            fmt = base.replace("0", "0." + "0" * decimals, 1) if "." not in base else base
        return format_percent(value, format=fmt, locale=self.locale, decimal_quantization=bool(decimals))

    def currency(self, value: float, currency: str, decimals: int | None = None) -> str:
        from babel.numbers import format_currency
        name = dict(self.profile.currency_names).get(currency.upper())
        if name:
            if decimals is None:
                decimals = 0 if float(value).is_integer() else 2
            return f"{self.number(value, decimals)}\u00a0{name}"
        if self.profile.currency_by_name:
            return format_currency(value, currency, locale=self.locale, format_type="name", currency_digits=False,
                                   decimal_quantization=False).replace(" ", "\u00a0")
        pattern = self.locale.currency_formats["standard"].pattern
        if decimals is None:
            decimals = 0 if float(value).is_integer() else 2
        fraction = ("." + "0" * decimals) if decimals else ""
        pattern = re.sub(r"\.0+", fraction, pattern)
        return format_currency(value, currency, format=pattern, locale=self.locale,
                               currency_digits=False, decimal_quantization=True)

    def date(self, value: dt.date, style: str = "long") -> str:
        """A date as the language writes it, never broken across lines (no-break spaces);
        days are not zero-padded ('5', not '05', which CLDR's Armenian pattern gives)."""
        from babel.dates import format_date
        pattern = dict(self.profile.date_patterns).get(style) or self.locale.date_formats[style].pattern
        pattern = pattern.replace("dd", "d")
        return format_date(value, format=pattern, locale=self.locale).replace(" ", "\u00a0")

    def month_year(self, year: int, month: int) -> str:
        from babel.dates import format_date
        return format_date(dt.date(year, month, 1), format="LLLL y", locale=self.locale).replace(" ", "\u00a0")

    def range(self, start, end) -> str:
        return f"{start}\u2013{self.profile.range_joiner}{end}"

    def period(self, start, end=None) -> str:
        """A year or a span of years as a date qualifier ("2021", hy "2021 թ.")."""
        one, many = self.profile.year_mark
        return f"{start}{one}" if end is None else f"{self.range(start, end)}{many}"

    @property
    def list_separator(self) -> str:
        return self.profile.list_separator

    def list(self, items: list[str], style: str = "standard") -> str:
        from babel.lists import format_list
        text = format_list(items, style=style, locale=self.locale)
        if self.profile.prefix_hyphen and len(items) > 1:
            # CLDR joins the last item with a bare "ו"; before a Latin word Hebrew writes "ו-".
            last = items[-1]
            if LATIN_START.match(last) and text.endswith("\u05d5" + last):
                text = text[: -len(last)] + "\u2011" + last  # a hyphen that does not break the line
        return text


@lru_cache(maxsize=None)
def _locale(code: str) -> "Locale":
    from babel import Locale
    return Locale.parse(code)


HEBREW_PREFIX = r"(?<![\u0590-\u05ff])([\u05d5\u05d1\u05dc\u05de\u05d4\u05e9\u05db])"


def hebrew_typography(text: str) -> str:
    """Hebrew as typeset, from what a keyboard gives:

    - a one-letter prefix before a Latin word or a number takes a hyphen that never breaks
      the line: 'וAmnesty', 'ב-19' -> 'ו‑Amnesty', 'ב‑19' (U+2011); so does a prefix hyphen
      before a placeholder ('נכון ל-{date}'), which a date or a number replaces;
    - a quote mark inside an abbreviation is the gershayim: אפ"י -> אפ״י; a quotation in
      single quotes takes the inner quotation marks: 'לעולם לא עוד'? -> ’לעולם לא עוד’?;
      any other apostrophe after a Hebrew letter is the geresh: עמ' -> עמ׳;
    - the remaining straight double quotes become CLDR's Hebrew quotation mark (”).
    """
    text = re.sub(HEBREW_PREFIX + r"-?(?=[A-Za-z0-9])|" + HEBREW_PREFIX + r"-(?=\{)", "\\1\\2\u2011", text)
    text = re.sub(r'(?<=[\u05d0-\u05ea])"(?=[\u05d0-\u05ea])', "\u05f4", text)
    # a quotation in single quotes ('לעולם לא עוד') takes the inner quotation marks (’ ’)
    # first: its closing apostrophe follows a letter but is no geresh
    inner = QUOTES["he"][2:]
    text = re.sub(r"(?<![^\s(\[\u2013\u2014\"\u201d])'(?=[\u05d0-\u05ea])([^'\n]*?[\u05d0-\u05ea.?!])'(?![\u05d0-\u05ea])",
                  inner[0] + "\\1" + inner[1], text)
    text = re.sub(r"(?<=[\u05d0-\u05ea])'", "\u05f3", text)
    return text.replace('"', "\u201d")


SPACED_DASH = re.compile(r" ([\u2013\u2014])(?= )")
ARMENIAN_ENDING = re.compile(r"[A-Za-z0-9][A-Za-z0-9.]*(?:-[A-Za-z0-9][A-Za-z0-9.]*)*-(?=[\u0561-\u0587])")


def no_dash_at_line_start(text: str) -> str:
    """A spaced dash (' – ') is tied to the word before it: a line never starts with it."""
    return SPACED_DASH.sub("\u00a0\\1", text)


# a hyphen between anything but an Armenian letter or a space and a lower-case Armenian letter
# joins a case ending: '69%-ը', '«Վոթչ»-ը', '2016 թ.-ից', '{day}-ի' (a template word, before its fill)
ENDING_HYPHEN = re.compile(r"(?<=[^\s\u0531-\u0587\u2010\u2011-])-(?=[\u0561-\u0587])")
YEAR_RANGE = re.compile(r"(?<=\d)\u2013(?=\d)")


def armenian_typography(text: str) -> str:
    """A case ending after a Latin name or a number ('CyberHUB-AM-ի', '2020-ին'), after a
    percent sign, a closing guillemet or an abbreviation ('69%-ը', '«Վոթչ»-ը', 'թ.-ից') stays
    on the line of what it inflects: its hyphens, and those inside a Latin name, never break
    (U+2011). A year range typed by a translator ('2016–2020 թթ.') takes the range joiner
    after its dash, as the ranges the tool writes do (Lang.range)."""
    text = ARMENIAN_ENDING.sub(lambda m: m.group(0).replace("-", "\u2011"), text)
    text = ENDING_HYPHEN.sub("\u2011", text)
    return YEAR_RANGE.sub("\u2013" + PROFILES["hy"].range_joiner, text)


def hebrew_typeset(text: str) -> str:
    return no_dash_at_line_start(hebrew_typography(text))


def armenian_typeset(text: str) -> str:
    return no_dash_at_line_start(armenian_typography(text))


def typeset(text: str, code: str) -> str:
    """A translated text as the language typesets it (its profile's typography rules)."""
    rule = profile(code).typography
    return rule(text) if rule else text


register(Profile(
    "en", quotes=("\u201c", "\u201d", "\u2018", "\u2019"),
    serif=("Noto Serif",), sans=("Noto Sans",), docx_fonts=("Noto Serif", "Noto Serif"), docx_lang="en-US",
    plural_forms="nplurals=2; plural=(n != 1);", smartquotes="\u201c\u201d\u2018\u2019",
    typography=no_dash_at_line_start))
register(Profile(
    "he", quotes=("\u201d", "\u201d", "\u2019", "\u2019"),
    serif=("Noto Serif Hebrew", "Noto Serif"), sans=("Noto Sans Hebrew", "Noto Sans"),
    docx_fonts=("Noto Serif", "Noto Serif Hebrew"), docx_lang="he-IL",
    plural_forms="nplurals=3; plural=(n == 1) ? 0 : ((n == 2) ? 1 : 2);",
    upright=True, script="[\u0590-\u05ff\ufb1d-\ufb4f]", typography=hebrew_typeset, prefix_hyphen=True,
    # Israeli government and press write the amount, then the currency's name: "65,000 דולר", "1,200 ש״ח"
    # (CLDR's "‏65,000 ‏$" reads "$ 65,000" in a right-to-left line).
    currency_names=(("USD", "\u05d3\u05d5\u05dc\u05e8"), ("EUR", "\u05d0\u05d9\u05e8\u05d5"),
                    ("ILS", "\u05e9\u05f4\u05d7"))))
register(Profile(
    "hy", quotes=("\u00ab", "\u00bb", "\u00ab", "\u00bb"),
    serif=("Noto Serif Armenian", "Noto Serif"), sans=("Noto Sans Armenian", "Noto Sans"),
    docx_fonts=("Noto Serif Armenian", "Noto Serif Armenian"), docx_lang="hy-AM",
    plural_forms="nplurals=2; plural=(n > 1);",
    full_stop="\u0589", list_separator="\u2024 ", currency_by_name=True,
    year_mark=("\u00a0\u0569.", "\u00a0\u0569\u0569."), stop_after_quote=True, upright=True, smartquotes="\u00ab\u00bb\u2018\u2019",
    # Armenian laws, government decisions and the press write year, month (genitive), day:
    # "2023 թ. սեպտեմբերի 19" ("2020 թ. սեպտեմբերի 27-ին"); CLDR's "19 սեպտեմբերի, 2023 թ." is a
    # calque of the Russian order. Babel's MMMM is the genitive (format-context) month name.
    date_patterns=(("long", "y \u0569. MMMM d"), ("medium", "y \u0569. MMM d")),
    script="[\u0530-\u058f\ufb13-\ufb17]", typography=armenian_typeset, range_joiner="\u200d"))

# Views by language, for the modules that read one property of every language.
SERIF = {code: list(p.serif) for code, p in PROFILES.items()}
SANS = {code: list(p.sans) for code, p in PROFILES.items()}
DOCX_FONTS = {code: p.docx_fonts for code, p in PROFILES.items()}
DOCX_LANG = {code: p.docx_lang for code, p in PROFILES.items()}
PLURAL_FORMS = {code: p.plural_forms for code, p in PROFILES.items()}
QUOTES = {code: p.quotes for code, p in PROFILES.items()}
