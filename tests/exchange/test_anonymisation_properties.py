"""Whatever the application hands in, the exporter either refuses it with a RecordError or
produces records that a strict reader accepts unchanged and that hold none of the names."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from exchange import (
    DentalFinding,
    Effect,
    GeoPoint,
    Mark,
    MissingPersonRecord,
    RecordError,
    RemainsRecord,
    Sex,
    share_missing_person,
    share_remains,
)
from exchange.shared import record_from_json, record_to_json
from exchange.wire import canonical_json

SECRET = bytes(range(32))
PROPERTIES = settings(max_examples=80, deadline=None)

texts = st.text(max_size=40)
small_ints = st.none() | st.integers(min_value=-20, max_value=300)
dates = st.none() | st.dates(min_value=date(1850, 1, 1), max_value=date(2150, 12, 31))
points = st.none() | st.builds(
    GeoPoint,
    st.floats(min_value=-95, max_value=95, allow_nan=False),
    st.floats(min_value=-185, max_value=185, allow_nan=False),
)
marks = st.lists(st.builds(Mark, texts, texts, texts), max_size=4).map(tuple)
effects = st.lists(st.builds(Effect, texts, texts), max_size=4).map(tuple)
dental = st.lists(
    st.builds(
        DentalFinding,
        st.integers(min_value=10, max_value=49),
        st.sampled_from(["filled", "crown", "Root canal", "gold"]),
    ),
    max_size=4,
).map(tuple)
countries = st.sampled_from(["ERI", "sdn", "LBY", "Eritrea", "XXA"])
names = st.lists(texts, max_size=3).map(tuple)

missing_people = st.builds(
    MissingPersonRecord,
    local_id=st.text(min_size=1, max_size=12).filter(lambda s: "\x00" not in s),
    given_names=names,
    surnames=names,
    aliases=names,
    sex=st.sampled_from(Sex),
    birth_date=dates,
    birth_year=st.none() | st.integers(min_value=1880, max_value=2030),
    stated_age=small_ints,
    height_cm=small_ints,
    nationality=st.none() | countries,
    last_seen_date=dates,
    last_seen_point=points,
    route=st.lists(countries, max_size=3).map(tuple),
    marks=marks,
    effects=effects,
    dental=dental,
    free_text=texts,
)
remains = st.builds(
    RemainsRecord,
    local_id=st.text(min_size=1, max_size=12).filter(lambda s: "\x00" not in s),
    sex=st.sampled_from(Sex),
    age_min=small_ints,
    age_max=small_ints,
    stature_min_cm=small_ints,
    stature_max_cm=small_ints,
    found_date=dates,
    found_point=points,
    found_uncertainty_m=st.none() | st.integers(min_value=-10, max_value=10**7),
    pmi_min_days=small_ints,
    pmi_max_days=small_ints,
    document_names=names,
    marks=marks,
    effects=effects,
    dental=dental,
    notes=texts,
)


@PROPERTIES
@given(missing_people)
def test_missing_person_export_is_readable(record: MissingPersonRecord) -> None:
    try:
        shared = share_missing_person(
            record, recipient_id="ita-labanof", sender_secret=SECRET, linkage_secret=SECRET
        )
    except RecordError:
        return
    wire = record_to_json(shared)
    assert record_from_json(wire) == shared
    text = canonical_json(wire).decode()
    for name in (*record.given_names, *record.surnames, record.free_text):
        if len(name) >= 6 and name.isalpha():
            assert name not in text


@PROPERTIES
@given(remains)
def test_remains_export_is_readable(record: RemainsRecord) -> None:
    try:
        shared = share_remains(
            record, recipient_id="ita-labanof", sender_secret=SECRET, linkage_secret=SECRET
        )
    except RecordError:
        return
    assert record_from_json(record_to_json(shared)) == shared
