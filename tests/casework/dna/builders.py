"""A family with DNA built through the real services: a missing man, his mother and brother
with reference samples and consent, remains of him (and unrelated remains), profiles simulated
by Mendel from the shipped frequencies and imported as a laboratory would send them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from casework.demo.genotypes import child, founder, long_csv, partial

LOCI = (
    "D3S1358", "vWA", "D16S539", "CSF1PO", "TPOX", "D8S1179", "D21S11", "D18S51", "D2S441",
    "D19S433", "TH01", "FGA", "D22S1045", "D5S818", "D13S317", "D7S820", "SE33", "D10S1248",
    "D1S1656", "D12S391", "D2S1338",
)  # fmt: skip


@dataclass
class DnaFamily:
    case: Any
    mother: Any
    brother: Any
    remains: Any
    stranger: Any
    files: dict[str, bytes]
    genotypes: dict[str, dict[str, tuple[str, str]]]


def simulated(seed: int = 7) -> dict[str, dict[str, tuple[str, str]]]:
    from casework.dna.search import frequencies

    rng = random.Random(seed)
    table = frequencies().population("SW Hispanic")
    father, mother = founder(rng, table, LOCI), founder(rng, table, LOCI)
    missing, brother = child(rng, father, mother), child(rng, father, mother)
    return {
        "mother": mother,
        "brother": brother,
        "missing": partial(rng, missing, 0.9),
        "stranger": founder(rng, table, LOCI),
    }


def build_family(world: Any, *, seed: int = 7, keep: bool = False) -> DnaFamily:
    from casework.accounts.models import User
    from casework.custody.services import record_sample
    from casework.dna.consent import record_reference_sample
    from casework.dna.families import place_relative
    from casework.extensions import db
    from casework.missing.services import add_relative
    from tests.casework.factories import make_missing, make_remains

    liaison = db.session.get(User, world.user("family_liaison"))
    officer = db.session.get(User, world.user("forensic_officer"))
    case = make_missing(liaison)
    mother = add_relative(
        case, {"name": "Rosa Xitumul", "relationship_to_missing": "mother", "contact": "+502"}
    )
    brother = add_relative(
        case, {"name": "Juan Pérez", "relationship_to_missing": "sibling", "contact": "+502"}
    )
    place_relative(mother, "mother", "F")
    place_relative(brother, "full_sibling", "M")
    consent = {"search_here": True, "keep_after_identification": keep}
    record_reference_sample(mother, liaison, {"barcode": "REF-M-1", **consent})
    record_reference_sample(brother, liaison, {"barcode": "REF-B-1", **consent})
    remains = make_remains(officer)
    stranger = make_remains(officer, document_names="", recovery_place="Ajo")
    record_sample(remains, {"barcode": "PM-1", "kind": "bone", "lab": "UNT"})
    record_sample(stranger, {"barcode": "PM-2", "kind": "bone", "lab": "UNT"})
    typed = simulated(seed)
    files = {
        "references.csv": long_csv(
            {"REF-M-1": typed["mother"], "REF-B-1": typed["brother"]}
        ).encode(),
        "remains.csv": long_csv({"PM-1": typed["missing"], "PM-2": typed["stranger"]}).encode(),
    }
    return DnaFamily(case, mother, brother, remains, stranger, files, typed)


def import_and_confirm(world: Any, family: DnaFamily) -> None:
    from casework.accounts.models import User
    from casework.dna.profiles import confirm_consensus, import_lab_files, sample_by_barcode
    from casework.extensions import db

    analyst = db.session.get(User, world.user("dna_analyst"))
    import_lab_files(analyst, list(family.files.items()), "UNT", "GlobalFiler")
    for barcode in ("REF-M-1", "REF-B-1", "PM-1", "PM-2"):
        confirm_consensus(sample_by_barcode(barcode), analyst)
