"""Property-based tests (hypothesis) of the composition stage's pure parts: right-to-left
isolation, note-mark punctuation and booklet page order."""
from __future__ import annotations

import math
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.bidi import isolate
from briefing.compose import PUNCT_AFTER_MARK, _punctuate
from briefing.document import NoteRef, Span, Str, text_of
from briefing.inline import merge_text
from briefing.render.booklet import booklet_order

HEBREW = "אבגדהוזחטיכלמנסעפצקרשת"
pieces = st.one_of(
    st.text(alphabet=HEBREW + " ", min_size=1, max_size=12),
    st.from_regex(r"[A-Z][a-z]{1,8}( [A-Z][a-z]{1,8})?", fullmatch=True),       # Latin names
    st.from_regex(r"(19|20)\d\d\u2013(19|20)\d\d", fullmatch=True),             # year ranges
    st.from_regex(r"[+\u2212]\d{1,3}%", fullmatch=True),                        # signed numbers
    st.from_regex(r"https://[a-z]{2,10}\.org/[a-z0-9/-]{0,20}[a-z0-9]", fullmatch=True),  # URLs
    st.sampled_from([", ", ". ", " (", ") ", " \u2014 ", " ", ": "]),
)
texts = st.lists(pieces, min_size=1, max_size=10).map(" ".join)   # words apart, as people write


def spans(nodes):
    for node in nodes:
        if isinstance(node, Span):
            yield node


@settings(max_examples=300, deadline=None)
@given(texts)
def test_isolation_keeps_every_character_in_order(text):
    nodes = isolate((Str(text),))
    assert text_of(nodes) == text
    assert isolate(nodes) == nodes                       # idempotent: decided once, kept by everyone


@settings(max_examples=300, deadline=None)
@given(texts)
def test_isolated_runs_hold_no_hebrew_and_urls_stay_whole(text):
    nodes = isolate((Str(text),))
    isolated = [text_of(s.children) for s in spans(nodes)]
    assert all(s.dir == "ltr" for s in spans(nodes))
    assert not any(re.search(f"[{HEBREW}]", run) for run in isolated)
    for url in re.findall(r"https://[^\s()]+[a-z0-9]", text):
        assert any(url in run for run in isolated), (url, isolated)
    for years in re.findall(r"(?:19|20)\d\d\u2013(?:19|20)\d\d", text):
        assert any(years in run for run in isolated)


marks = st.builds(lambda n: NoteRef(n, (Str(f"note {n}"),)), st.integers(1, 99))
inline = st.lists(st.one_of(st.text(alphabet="abc ,.;:!?", max_size=8).map(Str), marks), max_size=10)


@settings(max_examples=300, deadline=None)
@given(inline)
def test_marks_follow_punctuation_and_touch_their_word(nodes):
    nodes = merge_text(nodes)               # as the parser gives them: adjacent texts joined
    out = _punctuate(list(nodes))
    assert [n for n in out if isinstance(n, NoteRef)] == [n for n in nodes if isinstance(n, NoteRef)]
    # nothing but white space before a mark is lost; no character is added
    before = "".join(n.text for n in nodes if isinstance(n, Str))
    after = "".join(n.text for n in out if isinstance(n, Str))
    assert sorted(after.replace(" ", "")) == sorted(before.replace(" ", ""))
    for i, node in enumerate(out):
        if isinstance(node, NoteRef) and i:
            prev = out[i - 1]
            assert not (isinstance(prev, Str) and prev.text.endswith(" "))     # touches the word before
            nxt = out[i + 1] if i + 1 < len(out) else None
            if isinstance(nxt, Str) and nxt.text[:1] in PUNCT_AFTER_MARK:     # punctuation went first,
                assert not nxt.text.strip(PUNCT_AFTER_MARK + " ")           # unless it belongs to a next mark


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 400), st.booleans())
def test_booklet_order_places_every_page_once(pages, rtl):
    sides = booklet_order(pages, rtl)
    assert len(sides) == 2 * math.ceil(pages / 4)
    placed = [i for side in sides for i in side if i is not None]
    assert sorted(placed) == list(range(pages))
    # a sheet folded in half: the two pages of a side add up to the same number
    total = 4 * math.ceil(pages / 4) - 1
    for side in sides:
        if None not in side:
            assert side[0] + side[1] == total
    assert booklet_order(pages, not rtl) == [(b, a) for a, b in sides]
