"""Words shown for the codes stored in cases (statuses, kinds, roles), in the reader's language.

Templates write `status|label`; a code without an entry here shows with its underscores as spaces.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

LABELS: dict[str, LazyString] = {
    # statuses of missing-person and remains cases
    "open": _l("open"),
    "candidate_under_review": _l("candidate under review"),
    "identified": _l("identified"),
    "found_alive": _l("found alive"),
    "closed": _l("closed"),
    "unidentified": _l("unidentified"),
    "repatriated": _l("repatriated"),
    "buried_unidentified": _l("buried unidentified"),
    # candidate matches
    "proposed": _l("proposed"),
    "excluded": _l("excluded"),
    "identification_proposed": _l("identification proposed"),
    "confirmed": _l("confirmed"),
    "dental": _l("dental comparison"),
    "fingerprints": _l("fingerprints"),
    "secondary": _l("secondary identifiers"),
    # kinds of case, as the map names them
    "remains": _l("remains"),
    "missing": _l("missing person"),
    # condition of remains
    "fresh": _l("fresh"),
    "decomposed": _l("decomposed"),
    "skeletonised": _l("skeletonised"),
    "partial": _l("partial"),
    "burnt": _l("burnt"),
    "other": _l("other"),
    # sex
    "M": _l("male"),
    "F": _l("female"),
    "U": _l("unknown"),
    # distinguishing marks
    "tattoo": _l("tattoo"),
    "scar": _l("scar"),
    "birthmark": _l("birthmark"),
    "piercing": _l("piercing"),
    "amputation": _l("amputation"),
    "deformity": _l("deformity"),
    "implant": _l("implant"),
    # clothing and effects
    "clothing": _l("clothing"),
    "footwear": _l("footwear"),
    "jewellery": _l("jewellery"),
    "document": _l("document"),
    "phone": _l("phone"),
    "religious": _l("religious item"),
    # samples and custody
    "dna": _l("DNA"),
    "tissue": _l("tissue"),
    "bone": _l("bone"),
    "tooth": _l("tooth"),
    "hair": _l("hair"),
    "reference": _l("reference sample"),
    "collected": _l("collected"),
    "sent_to_lab": _l("sent to the laboratory"),
    "received_by_lab": _l("received by the laboratory"),
    "profiled": _l("profiled"),
    "failed": _l("failed"),
    "consumed": _l("consumed"),
    "sample": _l("sample"),
    "effect": _l("effect"),
    # relatives
    "mother": _l("mother"),
    "father": _l("father"),
    "sibling": _l("sibling"),
    "child": _l("child"),
    "spouse": _l("spouse"),
    "grandparent": _l("grandparent"),
    "uncle or aunt": _l("uncle or aunt"),
    "cousin": _l("cousin"),
    "other relative": _l("other relative"),
    "friend": _l("friend"),
    # attachments
    "effect_photo": _l("photo of effects"),
    "tattoo_photo": _l("photo of a tattoo"),
    # repatriation steps
    "family_notified": _l("family notified"),
    "death_certificate": _l("death certificate"),
    "transit_permit": _l("transit permit"),
    "family_consent": _l("family consent"),
    "transport": _l("transport"),
    "handed_over": _l("handed over to the family"),
    "buried": _l("buried"),
    # family requests from the portal, what came with them
    "pending": _l("pending"),
    "accepted": _l("accepted"),
    "merged": _l("merged"),
    "declined": _l("declined"),
    "person": _l("the person"),
    "belonging": _l("clothes or belongings"),
    "contact": _l("new contact"),
    "correction": _l("correction"),
    "photo": _l("photo"),
    "consent_withdrawn": _l("consent withdrawn"),
    # roles and agencies
    "forensic_officer": _l("forensic officer"),
    "family_liaison": _l("family liaison"),
    "consular_official": _l("consular official"),
    "supervisor": _l("supervisor"),
    "administrator": _l("administrator"),
    "auditor": _l("auditor"),
    "system_administrator": _l("system administrator"),
    "dna_analyst": _l("DNA analyst"),
    # DNA: marker systems and places in a family's pedigree
    "str": _l("autosomal STR"),
    "y_str": _l("Y-STR"),
    "mtdna": _l("mitochondrial DNA"),
    "full_sibling": _l("full brother or sister"),
    "maternal_half_sibling": _l("half brother or sister (same mother)"),
    "paternal_half_sibling": _l("half brother or sister (same father)"),
    "child_other_parent": _l("other parent of the missing person's child"),
    "paternal_grandparent": _l("grandparent on the father's side"),
    "maternal_grandparent": _l("grandparent on the mother's side"),
    "paternal_aunt_uncle": _l("aunt or uncle on the father's side"),
    "maternal_aunt_uncle": _l("aunt or uncle on the mother's side"),
    "medical_examiner": _l("medical examiner"),
    "forensic_institute": _l("forensic institute"),
    "search_mechanism": _l("search mechanism"),
    "foreign_ministry": _l("foreign ministry"),
    "consulate": _l("consulate"),
    # background jobs: kinds and states ("failed" is above)
    "import": _l("import of a case file"),
    "refresh": _l("candidates of a saved case"),
    "rematch": _l("full re-match"),
    "exchange_push": _l("message to a peer"),
    "dna_search": _l("DNA search"),
    "audit_verify": _l("audit trail verification"),
    "queued": _l("queued"),
    "running": _l("running"),
    "waiting": _l("waiting for confirmation"),
    "done": _l("done"),
}


# Tooth states have their own words: their letters (M, F) would collide with the codes for sex.
TOOTH_STATE_WORDS: dict[str, LazyString] = {
    "V": _l("sound"),
    "M": _l("missing"),
    "F": _l("filled"),
    "C": _l("crown"),
}


def tooth_state(code: enum.Enum | str) -> str:
    """The word for a tooth state (V, M, F, C) in the current language."""
    value = code.value if isinstance(code, enum.Enum) else str(code)
    return str(TOOTH_STATE_WORDS.get(value, value))


# Each language is named in its own words, whatever the language of the page.
LANGUAGE_NAMES = {"en": "English", "es": "Español", "fr": "Français", "ar": "العربية"}


def label(code: enum.Enum | str | None, shown: object = None) -> str:
    """The word for a stored code in the current language.

    `shown` is the text a form choice already carries: kept when it says more than the code
    (a translated word, a sentence), replaced by the word for the code when it only repeats it.

    Example:
        >>> label("sent_to_lab")  # outside a request: English
        'sent to the laboratory'
    """
    if code is None:
        return "—"
    value = code.value if isinstance(code, enum.Enum) else str(code)
    if shown is not None and (
        not isinstance(shown, str) or shown not in (value, value.replace("_", " "))
    ):
        return str(shown)
    if value in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[value]
    word = LABELS.get(value)
    if word is not None:
        return str(word)
    return str(shown) if shown is not None else value.replace("_", " ")


def word(code: enum.Enum | str) -> LazyString:
    """The word for a stored code, rendered when read: a message raised now and shown later
    (casework/errors.py) names the status or step in the reader's language.

    Example:
        >>> str(word("sent_to_lab"))  # outside a request: English
        'sent to the laboratory'
    """
    return LazyString(label, code)


def words(codes: Iterable[enum.Enum | str]) -> LazyString:
    """The words for several codes, comma-separated, rendered when read."""
    items = list(codes)
    return LazyString(lambda: ", ".join(label(code) for code in items))


__all__ = [
    "LABELS",
    "LANGUAGE_NAMES",
    "TOOTH_STATE_WORDS",
    "label",
    "tooth_state",
    "word",
    "words",
]
