"""Personal data is stored only as ciphertext; look-ups go through keyed blind indexes."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text, update

from casework.crypto import CryptoError
from tests.casework.factories import make_missing, make_remains

SECRETS = [
    "Xitumul",  # surname
    "Chepe",  # alias
    "1994-03-07",  # birth date
    "+502 5555 0142",  # relative's phone
    "Rosa Xitumul de Pérez",  # relative's name
    "Broken left wrist",  # medical note
    "JOSE L PEREZ",  # name read on a document
    "called his sister",  # circumstances (free text)
    "Healed fracture",  # examination notes
    "visited the family in Quetzaltenango",  # case note
    # genotypes (tests/casework/dna): a profile as JSON would read, and an mtDNA haplotype
    '"D3S1358": ["14", "17"]',
    "16189C 16519C 263G 315.1C",
    "The mother asked us to stop",  # reason of a consent withdrawal
    "Maria in script",  # a tattoo's description (marks often spell names)
    "wooden rosary",  # an effect's description
    "hooded sweatshirt",  # an effect found with remains
    "Sasabe, Sonora",  # where the person was last seen
    "Altar Valley",  # where remains were recovered
]
# what matching and statistics read stays in clear: a mark's kind and body region, an effect's
# category
IN_CLEAR = ["left forearm", "tattoo", "religious"]


def _fill(app, world):
    from casework.accounts.models import User
    from casework.cases.services import add_note
    from casework.extensions import db
    from casework.missing.services import add_relative

    liaison = db.session.get(User, world.user("family_liaison"))
    officer = db.session.get(User, world.user("forensic_officer"))
    case = make_missing(liaison)
    add_relative(
        case,
        {
            "name": "Rosa Xitumul de Pérez",
            "relationship_to_missing": "mother",
            "contact": "+502 5555 0142",
            "consent_to_share": True,
            "consent_countries": "USA",
        },
    )
    add_note(case, liaison, "Liaison visited the family in Quetzaltenango.")
    remains = make_remains(officer)
    _genotypes(world, case, remains, liaison)
    return case, remains


def _genotypes(world, case, remains, liaison):
    """A mother's reference profile and a remains mtDNA result, and a withdrawn consent."""
    from casework.accounts.models import User
    from casework.custody.services import record_sample
    from casework.dna.consent import record_reference_sample, withdraw_consent
    from casework.dna.families import place_relative
    from casework.dna.profiles import confirm_consensus, record_profile
    from casework.extensions import db

    analyst = db.session.get(User, world.user("dna_analyst"))
    mother = case.relatives[0]
    place_relative(mother, "mother", "F")
    reference = record_reference_sample(mother, liaison, {"barcode": "R-RAW", "search_here": True})
    record_profile(reference, analyst, {"locus:D3S1358": "14,17", "locus:TH01": "6,9.3"})
    confirm_consensus(reference, analyst)
    sample = record_sample(remains, {"barcode": "PM-RAW", "kind": "bone"})
    record_profile(
        sample,
        analyst,
        {"system": "mtdna", "variants": "16189C 16519C 263G 315.1C", "range": "16024-576"},
    )
    withdraw_consent(reference, liaison, "The mother asked us to stop.")


def _raw_dump(db) -> bytes:
    """Every cell of every table, as the database hands it out."""
    chunks = []
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                chunks.append(repr(tuple(row)).encode())
                chunks.extend(
                    cell if isinstance(cell, bytes) else str(cell).encode() for cell in row
                )
    return b"\n".join(chunks)


def test_raw_database_holds_no_plaintext_personal_data(app, world, settings) -> None:
    from casework.extensions import db

    with app.test_request_context():
        case, _ = _fill(app, world)
        assert case.surnames == "Pérez Xitumul"  # the app itself reads it back
        dump = _raw_dump(db)
    for secret in SECRETS:
        assert secret.encode() not in dump, secret
        assert secret.lower().encode() not in dump.lower(), secret
    for word in IN_CLEAR:
        assert word.encode() in dump, word
    if settings["DATABASE_URL"].startswith("sqlite"):
        from pathlib import Path

        raw_file = Path(settings["DATABASE_URL"].removeprefix("sqlite:///")).read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in raw_file, secret


def test_ciphertext_copied_into_another_row_does_not_decrypt(app, world) -> None:
    from casework.accounts.models import User
    from casework.extensions import db
    from casework.missing.models import MissingPerson

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        first = make_missing(liaison)
        second = make_missing(liaison, surnames="Tesfay", given_names="Amanuel")
        first_blob, second_id = first.surnames_ct, second.id
        db.session.execute(
            update(MissingPerson)
            .where(MissingPerson.id == second_id)
            .values(surnames_ct=first_blob)
        )
        db.session.commit()
        db.session.expunge_all()
        moved = db.session.get(MissingPerson, second_id)
        with pytest.raises(CryptoError):
            _ = moved.surnames


def test_find_by_surname_through_blind_index(app, world) -> None:
    from casework.accounts.models import User
    from casework.cases.services import case_ids_by_name
    from casework.extensions import db
    from casework.missing.models import MissingPerson

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        wanted = make_missing(liaison)
        make_missing(liaison, surnames="Tesfay Ghebremedhin", given_names="Amanuel", aliases="")
        found = db.session.scalars(
            select(MissingPerson.id).where(
                MissingPerson.id.in_(case_ids_by_name("missing", "PEREZ"))
            )
        ).all()
        assert found == [wanted.id]
        both_tokens = db.session.scalars(
            select(MissingPerson.id).where(
                MissingPerson.id.in_(case_ids_by_name("missing", "pérez xitumul"))
            )
        ).all()
        assert both_tokens == [wanted.id]
        assert not db.session.scalars(
            select(MissingPerson.id).where(
                MissingPerson.id.in_(case_ids_by_name("missing", "perez tesfay"))
            )
        ).all()
        # a renamed case is found under its new name only
        from casework.missing.inputs import MissingPersonInput
        from casework.missing.services import update_missing_person
        from tests.casework.factories import MISSING

        update_missing_person(
            wanted,
            MissingPersonInput.parse({**MISSING, "surnames": "Ajú", "aliases": ""}),
            wanted.version,
        )
        assert not db.session.scalars(
            select(MissingPerson.id).where(
                MissingPerson.id.in_(case_ids_by_name("missing", "Xitumul"))
            )
        ).all()
        assert db.session.scalars(
            select(MissingPerson.id).where(MissingPerson.id.in_(case_ids_by_name("missing", "aju")))
        ).all() == [wanted.id]


def test_key_rotation_reencrypts_everything_and_can_resume(app, world, runner) -> None:
    from casework.extensions import db
    from casework.key_rotation import census

    with app.test_request_context():
        case, remains = _fill(app, world)
        case_id = case.id
        before = census()
        assert {version for (_, version) in before} == {1}

    result = runner.invoke(args=["keys", "rotate", "--batch", "1"])
    assert result.exit_code == 0, result.output
    assert "Active key version 2" in result.output

    with app.test_request_context():
        after = census()
        assert {version for (_, version) in after} == {2}
        assert sum(after.values()) == sum(before.values())
        from casework.missing.models import MissingPerson

        db.session.expunge_all()
        again = db.session.get(MissingPerson, case_id)
        assert again.surnames == "Pérez Xitumul"
        assert again.relatives[0].contact == "+502 5555 0142"

    resumed = runner.invoke(args=["keys", "rotate", "--resume"])
    assert resumed.exit_code == 0 and "0 values re-encrypted" in resumed.output
    status = runner.invoke(args=["keys", "status"])
    assert "Active version: 2" in status.output and "under version 1" not in status.output


def test_migration_0018_encrypts_the_free_text_already_stored_and_back(app, world) -> None:
    """Down to 0017 the free text is in clear columns; the upgrade encrypts what is there
    (with the app's keys) and drops them; the case reads the same before and after."""
    from flask_migrate import downgrade, upgrade

    from casework.accounts.models import User
    from casework.extensions import db
    from casework.missing.models import MissingPerson

    with app.test_request_context():
        liaison = db.session.get(User, world.user("family_liaison"))
        case_id = make_missing(liaison).id
        db.session.remove()
        downgrade(revision="0017")
        with db.engine.connect() as conn:
            place = conn.execute(text("SELECT last_seen_place FROM missing_person")).scalar_one()
            marks = conn.execute(text("SELECT description FROM distinguishing_mark")).all()
            effects = conn.execute(text("SELECT description FROM effect")).all()
        assert place == "Sasabe, Sonora"
        assert ("name Maria in script",) in marks
        assert ("wooden rosary",) in effects
        upgrade()
        dump = _raw_dump(db)
        for secret in ("Sasabe, Sonora", "Maria in script", "wooden rosary"):
            assert secret.encode() not in dump
        case = db.session.get(MissingPerson, case_id)
        assert case.last_seen_place == "Sasabe, Sonora"
        assert "name Maria in script" in [mark.description for mark in case.marks]
        assert {effect.description for effect in case.effects} == {"black hoodie", "wooden rosary"}
