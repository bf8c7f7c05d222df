"""The brief as a validated, immutable document model.

The pydantic models below are both the schema of `briefs/*.yaml` (extra fields are
refused, types are strict) and the model every later stage reads. Strings are `Text`
(a `str` that knows its file position), so any stage can point at the exact place a
problem comes from.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, PlainValidator, Tag, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from .load.yamlfile import Text, describe

from .i18n.locale import PROFILES  # noqa: E402

SUPPORTED_LANGUAGES = tuple(PROFILES)  # one profile per language: src/briefing/i18n/locale.py
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


def currency_codes() -> frozenset:
    """ISO 4217 codes, as Babel (CLDR) knows them, without the codes for 'no currency' and tests."""
    global _CURRENCIES
    if _CURRENCIES is None:
        from babel.numbers import list_currencies
        _CURRENCIES = frozenset(list_currencies()) - {"XXX", "XTS"}
    return _CURRENCIES


_CURRENCIES: frozenset | None = None


def suggest_currency(code: str) -> str:
    import difflib
    codes = currency_codes()
    guess = code.strip().upper()
    for candidate in (guess, guess[:3]):
        if candidate in codes:
            return f"did you mean '{candidate}'?"
    close = difflib.get_close_matches(guess, sorted(codes), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "write the three-letter ISO 4217 code, e.g. USD, EUR, ILS or AMD"


# Each type carries the JSON Schema an editor sees (`briefing schema`), next to its validator.
_TEXT_SCHEMA = {"type": "string", "minLength": 1}
TextField = Annotated[Text, PlainValidator(_text), WithJsonSchema(_TEXT_SCHEMA)]
Slug = Annotated[Text, PlainValidator(_slug), WithJsonSchema({"type": "string", "pattern": SLUG_RE.pattern})]
SourceKey = Annotated[Text, PlainValidator(_key), WithJsonSchema(
    {"type": "string", "minLength": 1, "description": "the id of a source in sources/"})]
Lang = Annotated[Text, PlainValidator(_lang), WithJsonSchema({"type": "string", "enum": list(SUPPORTED_LANGUAGES)})]
Date = Annotated[dt.date, PlainValidator(_date), WithJsonSchema({"type": "string", "format": "date"})]
_RANGE_SCHEMA = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
FactValue = Annotated[Any, PlainValidator(_fact_value), WithJsonSchema(
    {"anyOf": [{"type": "number"}, {"type": "string", "minLength": 1}, _RANGE_SCHEMA]})]
AsOf = Annotated[Any, PlainValidator(_as_of), WithJsonSchema(
    {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
               {"type": "string", "format": "date"}]})]
FactName = Annotated[str, PlainValidator(lambda v: v), WithJsonSchema({"type": "string", "pattern": NAME_RE.pattern})]
FactRef = Annotated[Text, PlainValidator(_text), WithJsonSchema(
    {"type": "string", "pattern": NAME_RE.pattern, "description": "the name of a fact"})]


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, arbitrary_types_allowed=True)


class Fact(_Node):
    """A number (or date, or short text) written once and cited once."""

    value: FactValue = Field(description="The number (0.69 for 69% with format: percent), a range [2016, 2020], "
                                          "a date 2023-09-19, or a short text (format: text).")
    label: TextField = Field(description="What the number measures, in a few words (the key facts box shows it).")
    format: Literal[FACT_FORMATS] = Field(  # type: ignore[valid-type]
        "number", description="How the value is written: number 1,000; integer; percent (value 0.69 shows 69%); "
                              "currency (with currency:); year; range 2016–2020; date; text.")
    source: Optional[SourceKey] = Field(None, description="The source the number comes from (an id in sources/); "
                                                          "its note follows the sentence that uses the fact.")
    locator: Optional[TextField] = Field(None, description="Where in the source: p. 4, pp. 4-6, para. 2, sec. 3.")
    as_of: Optional[AsOf] = Field(None, description="When the number was true: a year, a period [2016, 2020] "
                                                    "or a date.")
    estimate: bool = Field(False, description="true shows '(estimate)' after the value.")
    currency: Optional[Annotated[Text, PlainValidator(_text), WithJsonSchema(
        {"type": "string", "pattern": "^[A-Z]{3}$"})]] = Field(
        None, description="ISO 4217 code of a currency fact: USD, EUR, ILS, AMD ...")
    decimals: Optional[int] = Field(default=None, ge=0, le=6, description="Digits after the decimal point.")
    signed: bool = Field(False, description="true writes a plus sign before a positive value (+15%).")
    key: bool = Field(True, description="Show it in the key facts box.")
    note: Optional[TextField] = Field(None, description="A remark shown under the label.")
    historical: bool = Field(False, description="true: the fact describes a closed past period (the text says so); "
                                                "it is never reported as stale.")
    shared_key: Optional[Annotated[Text, PlainValidator(_slug), WithJsonSchema({"type": "string"})]] = Field(
        None, description="Facts with the same shared_key in different briefs describe the same thing; "
                          "'briefing facts' warns when their values differ.")

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
        if self.currency and str(self.currency) not in currency_codes():
            raise PydanticCustomError("fact", "'{code}' is not an ISO 4217 currency code",
                                      {"code": str(self.currency), "field": "currency", "at": "value",
                                       "hint": suggest_currency(str(self.currency))})
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


class Statement(_Node):
    """A text that says whose view it is, or when it was true.

    Written as a mapping where a plain text is allowed (claims, evidence, objections,
    responses, summary and leave-behind points)::

        - text: DECA asks only whether a sale serves Israeli interests [@blankspot-2023].
          according_to: Avidan Freedman, who leads the advocacy group Yanshoof
          opinion: true       # a view a source reports: `check` wants `according_to`
          as_of: 2026-06-30   # a statement about the present: printed "(as of ...)"
    """

    text: TextField = Field(description="The statement.")
    according_to: Optional[TextField] = Field(None, description="Whose view or words it is; printed before the "
                                                                "text: 'According to {who}:'.")
    opinion: bool = Field(False, description="true: a view a source reports; check wants according_to.")
    as_of: Optional[AsOf] = Field(None, description="When a statement about the present was last known true; "
                                                    "printed '(as of ...)'.")


UNION_TAGS = ("@statement", "@text")  # union branches in pydantic error locations, not YAML keys


def _stated_kind(value: Any) -> str:
    # a mapping with none of a Statement's fields is most likely "Note: text" read as a mapping
    # (a ': ' inside a plain text): validated as text, its error says so
    if isinstance(value, Statement) or (isinstance(value, dict) and any(k in Statement.model_fields for k in value)):
        return "@statement"
    return "@text"


Stated = Annotated[Union[Annotated[Statement, Tag("@statement")], Annotated[TextField, Tag("@text")]],
                   Discriminator(_stated_kind)]


def text_of(item) -> Text | None:
    """The text of a plain text or of a Statement."""
    return item.text if isinstance(item, Statement) else item


class Argument(_Node):
    """One claim, the evidence for it, and the strongest objection with its response."""

    id: Optional[Slug] = Field(None, description="Optional; keeps translations stable when arguments move.")
    claim: Stated = Field(description="The claim, in one sentence.")
    evidence: list[Stated] = Field(min_length=1, description="What supports the claim, each with its "
                                                             "citation [@source-id].")
    objection: Optional[Stated] = Field(None, description="The strongest counter-argument (needs a response).")
    response: Optional[Stated] = Field(None, description="Your answer to the objection.")

    @model_validator(mode="after")
    def _paired(self) -> "Argument":
        if self.objection and not self.response:
            raise PydanticCustomError("pair", "an objection needs a 'response'", {"field": "objection"})
        if self.response and not self.objection:
            raise PydanticCustomError("pair", "a response needs the 'objection' it answers", {"field": "response"})
        return self


class Section(_Node):
    """A part of the brief: a heading, an optional intro and its arguments."""

    id: Optional[Slug] = Field(None, description="Optional; keeps translations stable if sections move, and lets "
                                                 "a quote name the section it follows.")
    heading: TextField = Field(description="The section's heading.")
    intro: Optional[TextField] = Field(None, description="One or two sentences that set up the arguments.")
    arguments: list[Argument] = Field([], description="Claims with their evidence.")

    @model_validator(mode="after")
    def _not_empty(self) -> "Section":
        if not self.intro and not self.arguments:
            raise PydanticCustomError("empty_section", "this section is empty: it has no intro and no arguments")
        return self


class Quote(_Node):
    """A short, attributed quotation."""

    text: TextField = Field(description="The quotation, without quotation marks (at most 60 words).")
    speaker: TextField = Field(description="Who said or wrote it.")
    role: Optional[TextField] = Field(None, description="The speaker's role.")
    source: SourceKey = Field(description="Where it was said or written: an id in sources/.")
    locator: Optional[TextField] = Field(None, description="Where in the source: p. 5.")
    section: Optional[Slug] = Field(None, description="Show it after this section (its id).")


class Recommendation(_Node):
    """One ask, addressed to whoever can act on it."""

    id: Optional[Slug] = Field(None, description="Optional; keeps translations stable.")
    to: TextField = Field(description="Who is asked, e.g. the Knesset.")
    ask: TextField = Field(description="What you ask them to do.")


class LeaveBehind(_Node):
    """What the one-page leave-behind shows; defaults come from the brief."""

    points: list[Stated] = Field(default=[], max_length=5, description="The key points (default: the summary).")
    facts: list[FactRef] = Field([], description="The facts to show, by name (default: the key facts box's).")


class Brief(_Node):
    """A policy brief (briefs/ID.yaml): the argument once, built in every language it lists.
    Texts may use *emphasis*, **bold**, [links](https://...), citations [@source-id, p. 4]
    and facts written as {name}."""

    id: Slug = Field(description="The brief's id: lower-case letters, digits and '-'; the file is briefs/ID.yaml.")
    title: TextField = Field(description="The title, short (under 10 words).")
    subtitle: Optional[TextField] = Field(None, description="One line that says what the reader will learn.")
    audience: TextField = Field(description="Who the brief is for, e.g. Members of the Foreign Affairs Committee.")
    organization: Optional[TextField] = Field(None, description="Who prepared it (default: briefing.toml's "
                                                                "organization name).")
    author: Optional[TextField] = Field(None, description="Shown in the document properties.")
    date: Date = Field(description="YYYY-MM-DD; formatted per language.")
    languages: list[Lang] = Field(default=["en"], min_length=1, description="The languages to build: en, he, hy.")
    paper: Optional[Literal[PAPER_SIZES]] = Field(  # type: ignore[valid-type]
        None, description="a4 or letter (default: briefing.toml's; --paper wins).")
    template: Optional[Slug] = Field(None, description="A template set in templates/ (default: briefing.toml's).")
    summary: list[Stated] = Field(min_length=1, max_length=7, description="One to seven key points; three to "
                                                                             "five read best.")
    facts: dict[FactName, Fact] = Field({}, description="Numbers, each written once with its source; write "
                                                        "{name} in a text to show one.")
    key_facts: Optional[list[FactRef]] = Field(None, description="Which facts the key facts box shows, in order "
                                                                 "(default: those with key: true).")
    sections: list[Section] = Field(min_length=1, description="The body of the brief.")
    quotes: list[Quote] = Field([], description="Short, attributed quotations.")
    recommendations: list[Recommendation] = Field([], description="The asks.")
    leave_behind: Optional[LeaveBehind] = Field(None, description="What the one-page leave-behind shows.")

    def section_key(self, index: int) -> str:
        section = self.sections[index]
        return str(section.id) if section.id else str(index + 1)


class SharedFacts(_Node):
    """briefs/_shared.yaml: facts that several briefs use, written once for all of them."""

    facts: dict[FactName, Fact] = Field({}, description="Facts that several briefs use.")


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
        yield from _stated(f"summary.{i + 1}", ("summary", i), text)
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
            yield from _stated(f"{ak}.claim", base + ("claim",), arg.claim)
            for ei, ev in enumerate(arg.evidence):
                yield from _stated(f"{ak}.evidence.{ei + 1}", base + ("evidence", ei), ev)
            if arg.objection:
                yield from _stated(f"{ak}.objection", base + ("objection",), arg.objection)
                yield from _stated(f"{ak}.response", base + ("response",), arg.response)
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
            yield from _stated(f"leave_behind.points.{pi + 1}", ("leave_behind", "points", pi), point)


def _stated(ctx: str, path: tuple, item):
    """A plain text keeps its context; a Statement's text keeps the same context (so its
    translation survives the change), and whose view it is comes as `<ctx>.according_to`."""
    if isinstance(item, Statement):
        yield ctx, path + ("text",), item.text
        if item.according_to:
            yield f"{ctx}.according_to", path + ("according_to",), item.according_to
    else:
        yield ctx, path, item
