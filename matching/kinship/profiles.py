"""STR profiles: locus names and alleles normalised, malformed values refused with the locus named.

An allele is a repeat number, whole (``15``) or a microvariant (``9.3``); it is kept as the
canonical string of that number ("09" is "9", "9.30" is "9.3"). Untyped loci are simply absent:
partial profiles from degraded bone are the rule, not the exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from matching.kinship.errors import ProfileError

#: An unordered genotype at one locus: the two alleles, smaller repeat number first.
Genotype = tuple[str, str]

#: Locus names as the shipped frequency files spell them (FBI 2015 and norSTR 2023).
KNOWN_LOCI: tuple[str, ...] = (
    "APOAI1", "CSF1PO", "D10S1248", "D10S1435", "D10S2325", "D11S2368", "D11S554", "D12S391",
    "D13S317", "D13S325", "D14S1434", "D15S659", "D16S539", "D17S1301", "D17S906", "D18S1364",
    "D18S51", "D19S253", "D19S433", "D1S1656", "D20S482", "D21S11", "D21S2055", "D22GATA198B05",
    "D22S1045", "D2S1338", "D2S1360", "D2S441", "D3S1358", "D3S1744", "D3S3045", "D4S2366",
    "D5S2500", "D5S2800", "D5S818", "D6S474", "D6S477", "D7S1517", "D7S3048", "D7S820",
    "D8S1132", "D8S1179", "D9S1122", "FGA", "Penta D", "Penta E", "SE33", "TH01", "TPOX", "vWA",
)  # fmt: skip

# Other spellings met in laboratory exports: the letter O for the zero of TH01, SE33's old name.
_ALIASES = {"THO1": "TH01", "ACTBP2": "SE33", "PENTA_D": "Penta D", "PENTA_E": "Penta E"}
_SEX_MARKERS = {"AMEL", "AMELOGENIN", "AM", "DYS391", "YINDEL"}
_OFF_LADDER = {"OL", "O.L.", "OFFLADDER", "OFF-LADDER", "?"}
_ALLELE = re.compile(r"^(\d+)(?:\.(\d+))?$")
_LOCUS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")


def _locus_key(name: str) -> str:
    return re.sub(r"[\s._-]", "", name).upper()


_CANONICAL = {_locus_key(name): name for name in KNOWN_LOCI} | {
    _locus_key(alias): name for alias, name in _ALIASES.items()
}


def normalise_locus(name: str) -> str:
    """The canonical name of a locus: case, spaces and hyphens do not matter.

    Names of the shipped frequency files are returned as those files spell them ("vWA",
    "Penta D", "TH01"); any other well-formed name is returned in upper case without spaces, so
    that a laboratory's own frequency file and its profiles still meet.

    Raises:
        ProfileError: empty or malformed name, or a sex marker such as Amelogenin.

    Example:
        >>> normalise_locus("VWA"), normalise_locus("penta d"), normalise_locus("THO1")
        ('vWA', 'Penta D', 'TH01')
    """
    text = str(name).strip()
    if not text or not _LOCUS.match(text):
        raise ProfileError(f"Locus {text!r}: not a locus name.")
    key = _locus_key(text)
    if key in _SEX_MARKERS:
        raise ProfileError(
            f"Locus {text}: a sex or Y marker, not an autosomal STR; leave it out of the profile."
        )
    return _CANONICAL.get(key, key)


def normalise_allele(value: str | int | float, locus: str = "?") -> str:
    """The canonical spelling of an allele (a repeat number, maybe with a microvariant).

    Raises:
        ProfileError: off-ladder (``OL``), empty, negative, zero or non-numeric values, and
            decimals with more than one digit after trimming zeros; the message names the
            locus and the value.

    Example:
        >>> normalise_allele("09"), normalise_allele("9.30"), normalise_allele(15.2)
        ('9', '9.3', '15.2')
    """
    text = str(value).strip()
    where = f"Locus {locus}, allele {text!r}"
    if not text:
        raise ProfileError(f"Locus {locus}: an allele is empty.")
    if text.upper().replace(" ", "") in _OFF_LADDER:
        raise ProfileError(f"{where}: off-ladder alleles cannot be compared; resolve it first.")
    if text.startswith("-"):
        raise ProfileError(f"{where}: an allele is a repeat number and cannot be negative.")
    match = _ALLELE.match(text)
    if match is None:
        raise ProfileError(f"{where}: not a repeat number such as 15 or 9.3.")
    whole = str(int(match.group(1)))
    fraction = (match.group(2) or "").rstrip("0")
    if len(fraction) > 1:
        raise ProfileError(f"{where}: a microvariant has one digit after the point (9.3).")
    if whole == "0" and not fraction:
        raise ProfileError(f"{where}: an allele is a positive repeat number.")
    return f"{whole}.{fraction}" if fraction else whole


def allele_value(allele: str) -> Decimal:
    """The repeat number of a canonical allele, for ordering and mutation steps."""
    try:
        return Decimal(allele)
    except InvalidOperation as error:  # pragma: no cover - canonical alleles always parse
        raise ProfileError(f"Allele {allele!r} is not a repeat number.") from error


def parse_genotype(
    locus: str, allele1: str | int | float, allele2: str | int | float | None = None
) -> tuple[str, Genotype]:
    """One typed locus: the canonical locus name and the ordered pair of alleles.

    A missing or empty second allele means a homozygote (laboratories often write it once).

    Example:
        >>> parse_genotype("d3s1358", "16", "15")
        ('D3S1358', ('15', '16'))
        >>> parse_genotype("TH01", "9.3")
        ('TH01', ('9.3', '9.3'))
    """
    name = normalise_locus(locus)
    first = normalise_allele(allele1, name)
    second = (
        first if allele2 is None or not str(allele2).strip() else normalise_allele(allele2, name)
    )
    pair = sorted((first, second), key=allele_value)
    return name, (pair[0], pair[1])


def _split(value: object) -> Sequence[str | int | float]:
    if isinstance(value, str):
        return [part for part in re.split(r"[,/\s]+", value.strip()) if part] or [""]
    if isinstance(value, int | float):
        return [value]
    if isinstance(value, Iterable):
        return list(value)
    raise ProfileError(f"{value!r} is not an allele or a pair of alleles.")


@dataclass(frozen=True, slots=True)
class Profile:
    """An STR profile: per typed locus the two alleles; untyped loci are absent.

    Build one with :meth:`Profile.parse`, which normalises names and alleles.

    Attributes:
        sample: the sample's barcode or id (never a name: genetic data stays behind barcodes).
        genotypes: canonical locus name to the genotype, smaller allele first.
    """

    sample: str
    genotypes: Mapping[str, Genotype] = field(default_factory=dict)

    @classmethod
    def parse(cls, sample: str, alleles: Mapping[str, object]) -> Profile:
        """A profile from locus -> alleles (a pair, one allele for a homozygote, or "15,16").

        Raises:
            ProfileError: a malformed locus or allele, more than two alleles at a locus, or one
                locus given twice under two spellings.

        Example:
            >>> p = Profile.parse("PM-1", {"vwa": ("16", "17"), "TH01": "9.3", "FGA": "21,22"})
            >>> dict(p.genotypes)
            {'vWA': ('16', '17'), 'TH01': ('9.3', '9.3'), 'FGA': ('21', '22')}
        """
        genotypes: dict[str, Genotype] = {}
        for locus, value in alleles.items():
            parts = _split(value)
            if len(parts) > 2:
                shown = ", ".join(str(part) for part in parts)
                raise ProfileError(f"Locus {locus}: more than two alleles ({shown}).")
            name, genotype = parse_genotype(locus, parts[0], parts[1] if len(parts) > 1 else None)
            if name in genotypes and genotypes[name] != genotype:
                raise ProfileError(f"Locus {name} is given twice with different alleles.")
            genotypes[name] = genotype
        return cls(str(sample), MappingProxyType(genotypes))

    @property
    def loci(self) -> frozenset[str]:
        """The typed loci."""
        return frozenset(self.genotypes)

    def __len__(self) -> int:
        return len(self.genotypes)
