"""The brief as a validated, immutable document model.

The pydantic models below are both the schema of `briefs/*.yaml` (extra fields are
refused, types are strict) and the model every later stage reads. Strings are `Text`
(a `str` that knows its file position), so any stage can point at the exact place a
problem comes from.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, model_validator
from pydantic_core import PydanticCustomError

from .load.yamlfile import Text, describe

SUPPORTED_LANGUAGES = ("en", "he", "hy")
SOURCE_LANGUAGE = "en"
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_FACT_VALUE = 10 ** 15
MAX_LABEL_WORD = 60
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
KEY_RE = re.compile(r"^[A-Za-z0-9_][\w:.#$%&+?<>~/-]*$")
FACT_FORMATS = ("number", "integer", "percent", "currency", "year", "range", "date", "text")
PAPER_SIZES = ("a4", "letter")


def _text(value: Any) -> Text:
    if isinstance(value, str):
        if not value.strip():
            raise PydanticCustomError("empty_text", "this text is empty")
        return value if isinstance(value, Text) else Text(value)
    raise PydanticCustomError("text_type", "expected text, found {kind}", {"kind": describe(value)})


def _slug(value: Any) -> Text:
    value = _text(value)
    if not SLUG_RE.match(value):
        raise PydanticCustomError(
            "slug", "'{value}' is not a valid id: use lower-case letters, digits and '-'", {"value": str(value)})
    return value


def _key(value: Any) -> Text:
    value = _text(value)
    if value.startswith("@"):
        value = Text(value[1:], value.at(1), value.exact)
    if not KEY_RE.match(value):
        raise PydanticCustomError("key", "'{value}' is not a valid source key", {"value": str(value)})
    return value


def _lang(value: Any) -> Text:
    value = _text(value)
    if value not in SUPPORTED_LANGUAGES:
        raise PydanticCustomError("lang", "unsupported language '{value}' (supported: {choices})",
                                  {"value": str(value), "choices": ", ".join(SUPPORTED_LANGUAGES)})
    return value


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PydanticCustomError("date_type", "expected a date written as YYYY-MM-DD, found {kind}",
                              {"kind": describe(value)})


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("number_type", "expected a number, found {kind}", {"kind": describe(value)})
    return value


def _fact_value(value: Any) -> Any:
    if isinstance(value, list):
        if len(value) != 2:
            raise PydanticCustomError("range", "a range is a list of two numbers: [from, to]")
        return tuple(_number(v) for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return _date(value)
    if isinstance(value, str):
        return _text(value)
    return _number(value)


def _as_of(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return tuple(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return _date(value)
    raise PydanticCustomError("as_of", "expected a year (2021), a period ([2016, 2020]) or a date, found {kind}",
                              {"kind": describe(value)})


TextField = Annotated[Text, PlainValidator(_text)]
Slug = Annotated[Text, PlainValidator(_slug)]
SourceKey = Annotated[Text, PlainValidator(_key)]
Lang = Annotated[Text, PlainValidator(_lang)]
Date = Annotated[dt.date, PlainValidator(_date)]
FactValue = Annotated[Any, PlainValidator(_fact_value)]
AsOf = Annotated[Any, PlainValidator(_as_of)]


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, arbitrary_types_allowed=True)


class Fact(_Node):
    """A number (or date, or short text) written once and cited once."""

    value: FactValue
    label: TextField
    format: Literal[FACT_FORMATS] = "number"  # type: ignore[valid-type]
    source: Optional[SourceKey] = None
    locator: Optional[TextField] = None
    as_of: Optional[AsOf] = None
    estimate: bool = False
    currency: Optional[Annotated[Text, PlainValidator(_text)]] = None
    decimals: Optional[int] = Field(default=None, ge=0, le=6)
    signed: bool = False
    key: bool = True
    note: Optional[TextField] = None

    @model_validator(mode="after")
    def _consistent(self) -> "Fact":
        v, f = self.value, self.format
        longest = max((len(w) for w in str(self.label).split()), default=0)
        if longest > MAX_LABEL_WORD:
            raise PydanticCustomError("fact", "the label has an unbreakable word of {n} characters, too long for "
                                      "the key facts table", {"n": longest, "field": "label",
                                                              "hint": f"shorten it to {MAX_LABEL_WORD} characters "
                                                                      "or put spaces in it"})
        for n in (v if isinstance(v, tuple) else (v,)):
            if isinstance(n, (int, float)) and not isinstance(n, bool) and (n != n or abs(n) > MAX_FACT_VALUE):
                shown = str(n) if isinstance(n, float) else f"a {len(str(abs(n)))}-digit number"
                raise PydanticCustomError("fact", "the value ({shown}) is not a number a document can show",
                                          {"shown": shown, "field": "value",
                                           "hint": "write a finite number smaller than 10^15"})
        # ctx "field" names the key the problem is about, for the error's position
        if f == "currency" and not self.currency:
            raise PydanticCustomError("fact", "a currency fact needs 'currency', e.g. currency: USD",
                                      {"field": "format"})
        if f == "range" and not isinstance(v, tuple):
            raise PydanticCustomError("fact", "a range fact needs a value like [2016, 2020]", {"field": "value"})
        if f == "date" and not isinstance(v, dt.date):
            raise PydanticCustomError("fact", "a date fact needs a date value like 2023-09-19", {"field": "value"})
        if f == "text" and not isinstance(v, str):
            raise PydanticCustomError("fact", "a text fact needs a text value", {"field": "value"})
        if f in ("number", "integer", "percent", "currency", "year") and (
                isinstance(v, (tuple, str, dt.date))):
            raise PydanticCustomError("fact", "format '{f}' needs a number value", {"f": f, "field": "value"})
        if f == "percent" and isinstance(v, (int, float)) and v > 1.5:
            raise PydanticCustomError("fact", "percent values are fractions: write {frac} for {v}%",
                                      {"frac": f"{v / 100:g}", "v": f"{v:g}", "field": "value",
                                       "hint": "if it is not a percentage, use format: number"})
        return self


class Argument(_Node):
    id: Optional[Slug] = None
    claim: TextField
    evidence: list[TextField] = Field(min_length=1)
    objection: Optional[TextField] = None
    response: Optional[TextField] = None

    @model_validator(mode="after")
    def _paired(self) -> "Argument":
        if self.objection and not self.response:
            raise PydanticCustomError("pair", "an objection needs a 'response'", {"field": "objection"})
        if self.response and not self.objection:
            raise PydanticCustomError("pair", "a response needs the 'objection' it answers", {"field": "response"})
        return self


class Section(_Node):
    id: Optional[Slug] = None
    heading: TextField
    intro: Optional[TextField] = None
    arguments: list[Argument] = []

    @model_validator(mode="after")
    def _not_empty(self) -> "Section":
        if not self.intro and not self.arguments:
            raise PydanticCustomError("empty_section", "this section is empty: it has no intro and no arguments")
        return self


class Quote(_Node):
    text: TextField
    speaker: TextField
    role: Optional[TextField] = None
    source: SourceKey
    locator: Optional[TextField] = None
    section: Optional[Slug] = None


class Recommendation(_Node):
    id: Optional[Slug] = None
    to: TextField
    ask: TextField


class LeaveBehind(_Node):
    """What the one-page leave-behind shows; defaults come from the brief."""

    points: list[TextField] = Field(default=[], max_length=5)
    facts: list[Annotated[Text, PlainValidator(_text)]] = []


class Brief(_Node):
    id: Slug
    title: TextField
    subtitle: Optional[TextField] = None
    audience: TextField
    organization: Optional[TextField] = None
    author: Optional[TextField] = None
    date: Date
    languages: list[Lang] = Field(default=["en"], min_length=1)
    paper: Optional[Literal[PAPER_SIZES]] = None  # type: ignore[valid-type]
    template: Optional[Slug] = None
    summary: list[TextField] = Field(min_length=1, max_length=7)
    facts: dict[Annotated[str, PlainValidator(lambda v: v)], Fact] = {}
    key_facts: Optional[list[Annotated[Text, PlainValidator(_text)]]] = None
    sections: list[Section] = Field(min_length=1)
    quotes: list[Quote] = []
    recommendations: list[Recommendation] = []
    leave_behind: Optional[LeaveBehind] = None

    def section_key(self, index: int) -> str:
        section = self.sections[index]
        return str(section.id) if section.id else str(index + 1)


class SharedFacts(_Node):
    """briefs/_shared.yaml: facts that several briefs use, written once for all of them."""

    facts: dict[Annotated[str, PlainValidator(lambda v: v)], Fact] = {}


SHARED = "@shared"  # first element of a yaml path that points into briefs/_shared.yaml


def iter_texts(brief: Brief, shared: dict[str, Fact] | None = None):
    """Every translatable text in reading order: (context path, yaml path, Text).

    The context is the msgctxt of the string in catalogs: stable while sections keep
    their ids, readable by a translator. `shared` holds the shared facts the brief uses.
    """
    yield "title", ("title",), brief.title
    for name in ("subtitle", "audience", "organization"):
        if getattr(brief, name):
            yield name, (name,), getattr(brief, name)
    for i, text in enumerate(brief.summary):
        yield f"summary.{i + 1}", ("summary", i), text
    facts = [((), n, f) for n, f in brief.facts.items()]
    facts += [((SHARED,), n, f) for n, f in sorted((shared or {}).items())]
    for base, name, fact in facts:
        yield f"facts.{name}.label", base + ("facts", name, "label"), fact.label
        if isinstance(fact.value, Text):
            yield f"facts.{name}.value", base + ("facts", name, "value"), fact.value
        if fact.note:
            yield f"facts.{name}.note", base + ("facts", name, "note"), fact.note
    for si, section in enumerate(brief.sections):
        sk = f"sections.{brief.section_key(si)}"
        yield f"{sk}.heading", ("sections", si, "heading"), section.heading
        if section.intro:
            yield f"{sk}.intro", ("sections", si, "intro"), section.intro
        for ai, arg in enumerate(section.arguments):
            ak = f"{sk}.arguments.{arg.id or ai + 1}"
            base = ("sections", si, "arguments", ai)
            yield f"{ak}.claim", base + ("claim",), arg.claim
            for ei, ev in enumerate(arg.evidence):
                yield f"{ak}.evidence.{ei + 1}", base + ("evidence", ei), ev
            if arg.objection:
                yield f"{ak}.objection", base + ("objection",), arg.objection
                yield f"{ak}.response", base + ("response",), arg.response
    for qi, quote in enumerate(brief.quotes):
        for name in ("text", "speaker", "role"):
            if getattr(quote, name):
                yield f"quotes.{qi + 1}.{name}", ("quotes", qi, name), getattr(quote, name)
    for ri, rec in enumerate(brief.recommendations):
        rk = f"recommendations.{rec.id or ri + 1}"
        yield f"{rk}.to", ("recommendations", ri, "to"), rec.to
        yield f"{rk}.ask", ("recommendations", ri, "ask"), rec.ask
    if brief.leave_behind:
        for pi, point in enumerate(brief.leave_behind.points):
            yield f"leave_behind.points.{pi + 1}", ("leave_behind", "points", pi), point
