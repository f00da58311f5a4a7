"""A DNA result in words, in the user's language: the engine's structured reading of an LR
(kind of statement, rounded number, ENFSI support, posterior with its prior) said with gettext.
The engine's English sentences (`matching.kinship.english`) stay for the command line and the
laboratory report; officers read these, in English, Spanish, French or Arabic."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _

from casework.vocabulary import label
from matching.kinship import Reading, ReadingKind, RoundedNumber, Scale, Support


def _support(support: Support) -> str:
    return {
        Support.NONE: _("no support"),
        Support.WEAK: _("weak support"),
        Support.MODERATE: _("moderate support"),
        Support.MODERATELY_STRONG: _("moderately strong support"),
        Support.STRONG: _("strong support"),
        Support.VERY_STRONG: _("very strong support"),
        Support.EXTREMELY_STRONG: _("extremely strong support"),
    }[support]


def _mantissa(value: float) -> str:
    return str(format_decimal(value, format="#,##0.##"))


def times_in_words(rounded: RoundedNumber) -> str:
    """ "about 3.2 million", "about 4,500", "more than a billion billion" (10^12 is "a thousand
    billion": "trillion" means 10^18 in Spanish and French)."""
    number = _mantissa(rounded.mantissa)
    scaled = {
        Scale.ONE: number,
        Scale.THOUSAND: _("%(number)s thousand", number=number),
        Scale.MILLION: _("%(number)s million", number=number),
        Scale.BILLION: _("%(number)s billion", number=number),
        Scale.THOUSAND_BILLION: _("%(number)s thousand billion", number=number),
        Scale.MILLION_BILLION: _("%(number)s million billion", number=number),
    }
    if rounded.scale is Scale.BEYOND:
        return _("more than a billion billion")
    return _("about %(number)s", number=scaled[rounded.scale])


def percent_in_words(probability: float, doubt: float) -> str:
    if doubt < 1e-4:
        return _("more than %(percent)s", percent=_percent(0.9999))
    if probability < 1e-4:
        return _("less than %(percent)s", percent=_percent(0.0001))
    return _percent(probability)


def _percent(probability: float) -> str:
    return _("%(number)s %%", number=_mantissa(round(probability * 100, 2)))


def reading_in_words(reading: Reading) -> str:
    """The sentences an officer reads for one reading, in the current language: for a log10 LR
    of 6.5 from a mother's sample, with 1,000 open missing persons, in English: "The DNA is about
    3.2 million times more likely if these remains are the missing person than if they are of
    someone unrelated. Relatives whose DNA was compared: mother. On the ENFSI verbal scale this
    is extremely strong support for these remains being the missing person. With 1,000 open
    missing persons in scope, [...] the probability that these remains are the missing person
    is 99.97 %." """
    times = times_in_words(reading.times) if reading.times is not None else ""
    sentences = [
        {
            ReadingKind.MORE_LIKELY: _(
                "The DNA is %(times)s times more likely if these remains are the missing "
                "person than if they are of someone unrelated.",
                times=times,
            ),
            ReadingKind.LESS_LIKELY: _(
                "The DNA is %(times)s times less likely if these remains are the missing "
                "person than if they are of someone unrelated: it speaks against these remains "
                "being the missing person.",
                times=times,
            ),
            ReadingKind.LITTLE_EITHER_WAY: _(
                "The DNA says little either way about whether these remains are the missing person."
            ),
            ReadingKind.EXCLUDED: _(
                "The DNA could not have arisen if these remains were the missing person: it "
                "excludes them."
            ),
        }[reading.kind]
    ]
    if reading.relatives:
        relatives = ", ".join(
            label(entry.relation.value)
            + ("" if entry.count == 1 else f" (×{format_decimal(entry.count)})")
            for entry in reading.relatives
        )
        sentences.append(_("Relatives whose DNA was compared: %(relatives)s.", relatives=relatives))
    if reading.kind is ReadingKind.MORE_LIKELY:
        sentences.append(
            _(
                "On the ENFSI verbal scale this is %(support)s for these remains being the "
                "missing person.",
                support=_support(reading.support),
            )
        )
    elif reading.kind is ReadingKind.LESS_LIKELY:
        sentences.append(
            _(
                "On the ENFSI verbal scale this is %(support)s for these remains being someone "
                "else.",
                support=_support(reading.support),
            )
        )
    if reading.posterior is not None and reading.doubt is not None:
        posterior = percent_in_words(reading.posterior, reading.doubt)
        if reading.open_missing is not None:
            sentences.append(
                _(
                    "With %(open_missing)s open missing persons in scope, each equally likely "
                    "beforehand, the probability that these remains are the missing person is "
                    "%(posterior)s.",
                    open_missing=format_decimal(reading.open_missing),
                    posterior=posterior,
                )
            )
        elif reading.prior is not None:
            sentences.append(
                _(
                    "With a prior probability of %(prior)s, the probability that these remains "
                    "are the missing person is %(posterior)s.",
                    prior=format_decimal(reading.prior, format="0.###"),
                    posterior=posterior,
                )
            )
    return " ".join(sentences)


__all__ = ["percent_in_words", "reading_in_words", "times_in_words"]
