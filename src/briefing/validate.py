"""YAML values -> model objects, with every problem located and explained."""
from __future__ import annotations

import difflib
import re
import typing
from typing import Any, Type

from pydantic import BaseModel, ValidationError

from .errors import Problem, Report, did_you_mean
from .load.yamlfile import STR, YamlDoc, describe, quoted

YAML11 = {
    "tag:yaml.org,2002:bool": "the yes/no value {value}",
    "tag:yaml.org,2002:float": "the number {value}",
    "tag:yaml.org,2002:int": "the number {value}",
    "tag:yaml.org,2002:null": "nothing (null)",
    "tag:yaml.org,2002:timestamp": "a date",
}


def validate(doc: YamlDoc, model: Type[BaseModel], report: Report) -> Any:
    """Validate `doc.data` against `model`; add every problem to `report`."""
    if not isinstance(doc.data, dict):
        report.error(f"expected a mapping of fields at the top of the file, found {describe(doc.data)}",
                     doc.where(()), f"start the file with fields such as 'id: ...' ({model.__name__})")
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        errors = [{**e, "loc": _yaml_loc(e["loc"])} for e in exc.errors(include_url=False)]
        # a misspelt field ('claimm') also reports the real one ('claim') as missing: say it once
        suggested = set()
        for err in errors:
            if err["type"] == "extra_forbidden":
                loc = tuple(err["loc"])
                best = difflib.get_close_matches(str(loc[-1]), fields_at(model, loc[:-1]), n=1, cutoff=0.6)
                if best:
                    suggested.add(loc[:-1] + (best[0],))
        for err in errors:
            if err["type"] == "missing" and tuple(err["loc"]) in suggested:
                continue
            report.extend([explain(doc, model, err)])
        return None


def _yaml_loc(loc) -> tuple:
    """A pydantic error location as a path into the YAML: without union branch tags."""
    from .model import UNION_TAGS
    return tuple(p for p in loc if p not in UNION_TAGS)


def explain(doc: YamlDoc, model: Type[BaseModel], err: dict) -> Problem:
    loc = _yaml_loc(err["loc"])
    kind = err["type"]
    where = doc.where(loc)
    if err.get("ctx", {}).get("field"):
        field_path = loc + (err["ctx"]["field"],)
        where = doc.where(field_path) if err["ctx"].get("at") == "value" else doc.key_where(field_path)
    field = loc[-1] if loc else None
    if kind == "extra_forbidden":
        allowed = fields_at(model, loc[:-1])
        hint = did_you_mean(field, allowed) or (
            f"allowed fields here: {', '.join(sorted(allowed))}" if allowed else None)
        return Problem(f"unknown field '{field}'", doc.key_where(loc), hint)
    if kind == "missing":
        parent = fields_at(model, loc[:-1])
        return Problem(f"missing required field '{field}'", doc.where(loc[:-1]),
                       f"add '{field}:' to this {_what(loc[:-1])}" if parent else None)
    scalar = doc.scalars.get(loc)
    if kind in ("text_type", "string_type", "slug", "key", "lang") and scalar and scalar.plain \
            and scalar.tag != STR and scalar.tag in YAML11:
        read_as = YAML11[scalar.tag].format(value=_yaml_repr(_value_at(doc, loc)))
        return Problem(f"YAML reads {scalar.raw!r} here as {read_as}, not as text", where,
                       f"put it in quotes: \"{scalar.raw}\"")
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        got = _value_at(doc, loc)
        choices = [c.strip(" '") for c in expected.replace(" or ", ", ").split(",")]
        hint = did_you_mean(got, choices) or f"use one of: {', '.join(choices)}"
        if scalar and scalar.plain and scalar.tag != STR and scalar.tag in YAML11:
            hint = f"YAML reads {scalar.raw!r} as {YAML11[scalar.tag].format(value=_yaml_repr(got))}; " \
                   f"put it in quotes"
        return Problem(f"'{field}' cannot be {got!r}", where, hint)
    if kind == "too_short":
        return Problem(f"'{field}' needs at least {err['ctx']['min_length']} item(s)", where,
                       "add a section" if field == "sections" else "add at least one item")
    if kind == "too_long":
        return Problem(f"'{field}' has too many items (at most {err['ctx']['max_length']})", where,
                       "a briefing reader keeps only a few points: keep the strongest")
    flow = _flow_text(doc, where) if kind == "text_type" else None
    if flow:
        what = "a mapping" if flow.startswith("{") else "a list"
        return Problem(f"{_subject(field)}YAML reads text that starts with '{flow[0]}' as {what}", where,
                       f"put the whole text in quotes: {quoted(flow)}")
    if kind == "text_type" and isinstance(_value_at(doc, loc), dict):
        return Problem(f"'{field}' should be text, but YAML reads a mapping here" if isinstance(field, str)
                       else "expected text, but YAML reads a mapping here", where,
                       "a ': ' inside a text starts a mapping; put the whole text in quotes")
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        want = "a list (items start with '- ')" if kind == "list_type" else "a mapping of fields"
        hint = "write each item on its own line, starting with '- '" if kind == "list_type" else \
            "write its fields on the lines below, indented, as 'name: value'"
        return Problem(f"'{field}' should be {want}, found {describe(_value_at(doc, loc))}", where, hint)
    if kind in ("bool_type", "int_type", "float_type"):
        want = {"bool_type": "true or false", "int_type": "a whole number", "float_type": "a number"}[kind]
        return Problem(f"'{field}' should be {want}, found {describe(_value_at(doc, loc))}", where,
                       "remove the quotes" if isinstance(_value_at(doc, loc), str) else None)
    if kind == "empty_text":
        return Problem(f"'{field}' is empty", where, "write the text or remove the field")
    message = err["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    subject = f"'{field}': " if isinstance(field, str) and kind not in (
        "fact", "pair", "empty_section", "range", "slug", "lang", "key") else ""
    hint = _HINTS.get(kind)
    if kind in ("fact", "pair"):
        ctx = err.get("ctx", {})
        hint = ctx.get("hint") or _FIELD_HINTS.get(ctx.get("field"), hint)
    return Problem(f"{subject}{message}", where, hint)


_HINTS = {
    "slug": "ids are used in file names and links",
    "lang": "add a language by adding its fonts and catalogs first",
    "date_type": "for example: date: 2024-03-01",
    "empty_section": "add an 'intro' or 'arguments', or remove the section",
    "as_of": "for example: as_of: 2021",
}


_FIELD_HINTS = {
    "format": "add the currency's code, e.g. currency: USD",
    "value": "check that the value matches the fact's format",
    "objection": "add 'response:' with your answer to it, or remove the objection",
    "response": "add the 'objection:' that the response answers",
}


def _subject(field) -> str:
    return f"'{field}': " if isinstance(field, str) else ""


def _flow_text(doc: YamlDoc, where) -> str | None:
    """The rest of the line when a text was written starting with '{' or '[' ({fact} first,
    [see @key] first): YAML read a mapping or a list there."""
    if not where.line or where.line > len(doc.lines):
        return None
    rest = doc.lines[where.line - 1][where.column - 1:].rstrip()
    if rest[:1] in ("{", "[") and re.search(r"[\w@]", rest) and not re.fullmatch(r"\{\s*\w+\s*:.*\}", rest):
        return rest
    return None


def _yaml_repr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _what(path: tuple) -> str:
    if not path:
        return "file"
    last = path[-1]
    if isinstance(last, int) and len(path) >= 2:
        return f"item of '{path[-2]}'"
    return f"'{last}' entry"


def _value_at(doc: YamlDoc, path: tuple) -> Any:
    value = doc.data
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def fields_at(model: Type[BaseModel], path: tuple) -> list[str]:
    """The field names allowed in the mapping at `path`, walking the model's annotations."""
    tp: Any = model
    for part in path:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if not isinstance(part, str) or part not in tp.model_fields:
                return []
            tp = tp.model_fields[part].annotation
        else:
            origin = typing.get_origin(tp)
            args = typing.get_args(tp)
            if origin in (list, tuple) and args:
                tp = args[0]
            elif origin is dict and len(args) == 2:
                tp = args[1]
            else:
                return []
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return list(tp.model_fields)
    return []


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin is typing.Union or str(origin) == "types.UnionType":
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:  # a text or a mapping (Statement): the mapping's fields
                models = [a for a in map(_unwrap, args) if isinstance(a, type) and issubclass(a, BaseModel)]
                return models[0] if len(models) == 1 else tp
            tp = args[0]
        else:
            return tp
