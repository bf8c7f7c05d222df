"""The template's own words: every fixed English string a document shows.

They live here once, with a note for translators, and reach the templates and writers
through the `template` catalog (locales/<lang>/LC_MESSAGES/template.po).
"""
from __future__ import annotations

# msgid -> comment for translators
WORDS: dict[str, str] = {
    # title block
    "Policy brief": "Label above the title of a full brief.",
    "Leave-behind": "Label above the title of the one-page version handed to a decision-maker.",
    "For {audience}": "Who the brief is for, under the title. {audience} is the audience text.",
    "Prepared by {organization}": "{organization} is the name of the organization.",
    # section titles
    "Summary": "Heading of the box with the key points.",
    "Key facts": "Heading of the box listing the numbers the brief relies on.",
    "Recommendations": "Heading of the list of asks.",
    "What we ask": "Heading of the asks on the one-page leave-behind.",
    "Sources": "Heading of the list of every source cited.",
    "Contact": "Heading of the contact block.",
    # argument parts
    "Evidence": "Label before the evidence for a claim.",
    "Objection": "Label before the strongest counter-argument to a claim.",
    "Response": "Label before the answer to that counter-argument.",
    "To {recipient}": "Who a recommendation is addressed to; {recipient} is e.g. 'the Knesset'.",
    # facts
    "estimate": "Shown after a number that is an estimate, not a measurement.",
    "as of {date}": "When a number or a statement was true; {date} is a year or a period of years (2021, 2016–2020).",
    "as of {day}": "The same with a full date ({day} is e.g. '6 March 2023'), for languages whose grammar differs "
                   "there (Armenian: '{day}-ի դրությամբ'); otherwise translate it as 'as of {date}'.",
    "According to {who}:": "Before a statement that is someone's view or words; {who} is the person or "
                           "organization (e.g. 'Avidan Freedman, who leads Yanshoof'). Keep {who}; end with the "
                           "punctuation your language puts before the statement (Armenian: ՝). The statement "
                           "follows it: in the statement's own translation, start with a capital only where "
                           "your language would after this punctuation.",
    "Fact": "Column heading in the key facts table.",
    "Figure": "Column heading in the key facts table (the number).",
    # page furniture
    "Page {page} of {pages}": "Page footer. Keep both placeholders.",
    "Date": "Label before the date of the brief.",
    # citations
    "accessed {date}": "In a note: when a web page was read. {date} is formatted for your language.",
    "archived at {url}": "In a note: the web-archive copy of a link. Keep {url}.",
    "p.": "Abbreviation of 'page' in a citation (p. 12).",
    "pp.": "Abbreviation of 'pages' in a citation (pp. 12–14).",
    "para.": "Abbreviation of 'paragraph' in a citation.",
    "sec.": "Abbreviation of 'section' in a citation.",
    "n.d.": "'No date': a source whose date is unknown.",
    "et al.": "After the first author's name when a source has more than three authors.",
    "in": "In a note: a chapter 'in' a book.",
    "ed.": "In a note: 'edited by', before or after an editor's name.",
    "no.": "In a note: the issue number of a journal (vol. 12, no. 3).",
    "Untranslated": "Marks text shown in English because its translation is missing (review copies only).",
    # a recipient's copy (briefing build --recipients): the title block and the cover letter
    "Prepared for {name}": "On the title block of a copy made for one person; {name} is their name.",
    "Dear {name},": "Greeting that opens the cover letter when the recipient has no salutation of their own; "
                    "{name} is their full name. Use your language's formal, gender-neutral letter greeting.",
    "We are pleased to send you our policy brief {title}.": "First sentence of the cover letter. {title} is the "
                                                           "brief's title, already in quotation marks.",
    "We are writing to you in your capacity as {role}.": "Cover letter, when the recipient's role is known; "
                                                         "{role} is e.g. 'Member of the Knesset'.",
    "It bears directly on the work of your committee.": "Cover letter, when the recipient sits on a committee.",
    "Our request to you": "Cover letter: heading above the recipient's personal ask.",
    "We would welcome the opportunity to discuss it with you.": "Last sentence of the cover letter.",
    "Yours sincerely,": "Closing of the cover letter, before the organization's name.",
    # briefing diff: the PDF that marks what changed since an edition
    "Changes since {edition}: new text is highlighted, removed text is struck through.":
        "Foot of every page of the marked copy made by 'briefing diff'; {edition} is a tag such as "
        "edition-2026-11 or a commit.",
}

LOCATOR_WORDS = {"page": ("p.", "pp."), "paragraph": ("para.", "para."), "section": ("sec.", "sec.")}

_PLACEHOLDER = __import__("re").compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill(pattern: str, values: dict) -> str:
    """Fill the plain `{name}` placeholders of a translated pattern, and nothing else.

    Never `str.format`: a pattern comes from a catalog or a template, and format fields
    such as `{x.__globals__}` or `{x[0]}` would reach into Python objects. An unknown
    name is left as it is.
    """
    if not values:
        return pattern
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), pattern)
