"""The DNA result in words is said in the user's language, built from the numbers (the engine's
structured reading) with gettext; the figures it says are checked against a computation by
hand, and the English the engine writes for the command line is left as it was."""

from __future__ import annotations

import math

import pytest
from flask_babel import force_locale

from matching.kinship import english, read_likelihood_ratio

LOG10_LR = 6.5  # 3,162,277.66 times: "about 3.2 million"
OPEN = 1000


def _by_hand() -> float:
    """Posterior of identity with a prior of 1/OPEN: odds = LR · prior / (1 − prior)."""
    odds = 10**LOG10_LR * (1 / OPEN) / (1 - 1 / OPEN)
    return odds / (1 + odds)


def _words(app, language: str, log10_lr: float = LOG10_LR, relatives=("mother", "brother")):
    from casework.dna.wording import reading_in_words

    reading = read_likelihood_ratio(log10_lr, relatives, sex="M", open_missing=OPEN)
    with app.test_request_context(), force_locale(language):
        return reading_in_words(reading)


def test_english_says_the_numbers_computed_by_hand(app) -> None:
    posterior = _by_hand()
    assert f"{posterior * 100:.2f}" == "99.97"
    words = _words(app, "en")
    assert words.startswith("The DNA is about 3.2 million times more likely")
    assert "extremely strong support for these remains being the missing person" in words
    assert "With 1,000 open missing persons in scope" in words
    assert words.endswith("the missing person is 99.97 %.")
    assert "Relatives whose DNA was compared: mother, brother." in words


def test_spanish(app) -> None:
    words = _words(app, "es")
    assert words.startswith("El ADN es alrededor de 3,2 millones veces más probable")
    assert "apoyo extremadamente fuerte" in words and "madre" in words
    assert "Con 1000 personas desaparecidas" in words or "Con 1.000 personas" in words
    assert words.endswith("es 99,97 %.")
    assert "times" not in words and "likely" not in words


def test_arabic(app) -> None:
    from flask_babel import format_decimal

    words = _words(app, "ar")
    assert "الحمض النووي أكثر احتمالًا" in words and "مليون" in words
    assert "دعم قوي للغاية" in words
    with app.test_request_context(), force_locale("ar"):
        assert format_decimal(3.2, format="#,##0.##") in words  # the number in Arabic style
        assert format_decimal(99.97, format="#,##0.##") in words
    assert "likely" not in words and "support" not in words


@pytest.mark.parametrize(
    ("log10_lr", "english_start", "spanish_start"),
    [
        (-1.3, "The DNA is about 20 times less likely", "El ADN es alrededor de 20 veces menos"),
        (0.1, "The DNA says little either way", "El ADN dice poco"),
        (-math.inf, "The DNA could not have arisen", "El ADN no podría haberse producido"),
        (19.0, "The DNA is more than a billion billion times", "El ADN es más de un trillón"),
        (12.3, "The DNA is about 2 thousand billion times", "El ADN es alrededor de 2 billones"),
    ],
)
def test_every_kind_of_statement(app, log10_lr, english_start, spanish_start) -> None:
    assert _words(app, "en", log10_lr).startswith(english_start)
    assert _words(app, "es", log10_lr).startswith(spanish_start)


def test_the_engines_english_reading_is_unchanged_for_the_command_line() -> None:
    reading = read_likelihood_ratio(LOG10_LR, ["mother"], sex="F", missing_person="Ana")
    assert english(reading).startswith(
        "The DNA is about 3.2 million times more likely if these remains are Ana's, given her "
        "mother's sample"
    )
