"""The contracts' identifier patterns, applied to what people type in the app (the SFP progress
report's messages and action points): no e-mail address, phone number, pseudonymous reference or
person's name may be stored. A refusal names the line and the rule, never the text.

A name in free text cannot be told from every other capitalised word, so the rule is deliberately
wide: a courtesy title before a capitalised word ("Ms Diallo"), or two capitalised words in a row
of which one is neither the names of places and organisations of the reference data nor words of the PSEA
vocabulary ("Amina Diallo"). A false alarm costs a rephrasing; a name kept would cost far more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from data_contracts.reference import reference_frame
from data_contracts.rules import EMAIL, PHONE_INTERNATIONAL

_PHONE = re.compile(r"(?<![\w-])\+?\(?\d[\d\s\-./()]{5,}\d(?![\w-])")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")
_REF = re.compile(r"\b[0-9a-f]{16}\b", re.IGNORECASE)
_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam|Mme|Mlle|Herr|Frau|Sr|Sra)\.?\s+[A-Z][a-z]"
)
_CAPITALISED = re.compile(r"[A-Z][a-z][A-Za-z'\-]*")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*|\S")

# Capitalised words a progress report uses that are not names (the reference data adds places).
VOCABULARY = frozenset(
    """
    a an the this that these those our their its we they it in on at of for to by with from and or
    but not no all each every some more most many few new next last first second third further
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday q1 q2 q3 q4
    iasc psea sea sfp cbcm cbcms un united nations secretary general secretariat principals
    principal champion champions office offices senior focal point points network networks
    coordinator coordinators coordination chief chiefs mission missions country countries
    regional region director directors deputy head heads team teams task force working group
    groups unit units department headquarters hq board committee standing inter agency agencies
    humanitarian resident protection cluster gbv sgbv victims victim rights advocate survivor
    survivors community communities complaint complaints mechanism mechanisms referral pathway
    pathways action plan plans standard operating procedures sop sops toolkit statement
    training trainings course courses induction mandatory learning e-learning workshop workshops
    manager managers staff personnel partner partners implementing contractor contractors
    procurement human resources hr legal inspector oig investigation investigations ethics
    accountability affected populations people aap emergency response operations operation
    programme programmes program project projects budget funding donor donors appraisal
    appraisals performance indicator indicators dashboard report reports reporting brief briefs
    meeting meetings annual quarterly review policy policies guidance code conduct
    memorandum understanding mou agreement agreements framework strategy strategic global
    national local field northern southern eastern western north south east west central
    middle upper lower greater republic democratic federal islamic kingdom state states
    sexual exploitation abuse harassment safeguarding misconduct allegation allegations
    case cases finding findings outcome outcomes status open closed done dropped progress
    key message messages accomplishment accomplishments challenge challenges request requests
    roll out rolled launched launch completed complete agreed endorsed approved adopted
    support strengthen strengthened improve improved ensure increase increased decrease
    please note following ongoing pending planned proposed requested recommended
    refugee refugees migrant migrants displaced idp idps host cross border syria syrian
    international organization organisation migration iom unhcr wfp unicef ocha who undp unfpa
    inter-agency interagency system-wide ngo ngos ingo ingos cso csos world food children fund
    high commissioner backlog trainers
    """.split()  # noqa: SIM905 - a word list reads better as text
)


@dataclass(frozen=True)
class Refusal:
    line: int  # 1-based line of the text
    rule: str
    message: str


RULES = {
    "no_email": "an e-mail address",
    "no_phone_number": "a phone number",
    "no_reference": "a pseudonymous reference (16 hexadecimal characters)",
    "no_personal_name": "what looks like a person's name",
}


@cache
def _known_words() -> frozenset[str]:
    words = set(VOCABULARY)
    for name in ("missions",):
        frame = reference_frame(name)
        for column in ("name", "region"):
            for text in frame[column].drop_nulls().to_list():
                words.update(w.lower() for w in _WORD.findall(text) if w[0].isalpha())
    return frozenset(words)


def _name_like(line: str) -> bool:
    if _TITLE.search(line):
        return True
    known = _known_words()
    tokens = _WORD.findall(line)
    for left, right in zip(tokens, tokens[1:], strict=False):
        if (
            _CAPITALISED.fullmatch(left)
            and _CAPITALISED.fullmatch(right)
            and (left.lower() not in known or right.lower() not in known)
        ):
            return True
    return False


def identifier_in(text: str) -> Refusal | None:
    """The first line of `text` holding a direct identifier, with its rule; None when clean."""
    for number, line in enumerate(text.splitlines() or [text], 1):
        rule = None
        if re.search(EMAIL, line):
            rule = "no_email"
        elif re.search(PHONE_INTERNATIONAL, line) or any(
            sum(ch.isdigit() for ch in m.group()) >= 7
            for m in _PHONE.finditer(_DATE.sub(" ", line))
        ):
            rule = "no_phone_number"
        elif _REF.search(line):
            rule = "no_reference"
        elif _name_like(line):
            rule = "no_personal_name"
        if rule:
            return Refusal(number, rule, RULES[rule])
    return None


GUIDANCE = (
    "Write about the entity's work, never about a person or a case: no names (write a role or a "
    "unit, e.g. 'Regional Office for Asia' or 'HR'), no e-mail addresses or phone numbers, no case "
    "references or details that could identify a victim or a subject. Text that looks like an "
    "identifier is refused."
)
