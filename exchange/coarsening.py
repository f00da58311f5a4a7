"""Per-recipient coarsening (spec §6.3, version 2): the band and grid boundaries are shifted by
offsets derived from the sender secret and the recipient, so the copies of one record held by two
recipients do not carry equal age, height, stature, PMI and cell values to join on.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from exchange.errors import ErrorCode, MalformedMessageError
from exchange.pseudonym import check_secret
from exchange.wire import JsonValue

COARSENING_LABEL = b"mmx-exchange/v2 coarsening\x00"
#: The offsets' moduli: the band widths (5 years, 5 cm, 7 days) and 10 hundredths of a degree.
MODULI = {"age": 5, "height": 5, "pmi": 7, "lat100": 10, "lon100": 10}


@dataclass(frozen=True)
class Coarsening:
    """The offsets of one sender for one recipient (all zero = the version 1 grid).

    Attributes:
        age: years, 0-4: age bands run from ``5k + age``.
        height: cm, 0-4: height and stature bands run from ``5k + height``.
        pmi: days, 0-6: PMI bands run from ``7k + pmi``.
        lat100, lon100: hundredths of a degree, 0-9: cells start at ``(10k + lat100) / 100``.
    """

    age: int = 0
    height: int = 0
    pmi: int = 0
    lat100: int = 0
    lon100: int = 0

    @classmethod
    def for_recipient(cls, sender_secret: bytes, recipient_id: str) -> Coarsening:
        """``d = HMAC-SHA256(sender_secret, label || UTF-8(recipient_id))``; each offset is
        ``d[i] mod m`` for i = 0..4 in the order age, height, pmi, lat100, lon100.

        Example:
            >>> Coarsening.for_recipient(bytes(32), "ita-labanof")
            Coarsening(age=..., height=..., pmi=..., lat100=..., lon100=...)
        """
        check_secret(sender_secret, what="sender secret")
        digest = hmac.new(
            sender_secret, COARSENING_LABEL + recipient_id.encode("utf-8"), hashlib.sha256
        ).digest()
        return cls(*(digest[i] % modulus for i, modulus in enumerate(MODULI.values())))

    def to_json(self) -> dict[str, JsonValue]:
        """The bundle's ``coarsening`` member.

        Example:
            >>> Coarsening(1, 2, 3, 4, 5).to_json()["pmi"]
            3
        """
        return {name: getattr(self, name) for name in MODULI}

    @classmethod
    def from_json(cls, value: object) -> Coarsening:
        """Read the ``coarsening`` member strictly."""
        if not isinstance(value, dict) or set(value) != set(MODULI):
            raise _fail(f"coarsening has exactly the members {sorted(MODULI)}.")
        for name, modulus in MODULI.items():
            item = value[name]
            if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item < modulus:
                raise _fail(f"coarsening {name} must be a whole number from 0 to {modulus - 1}.")
        return cls(**{name: value[name] for name in MODULI})


def _fail(message: str) -> MalformedMessageError:
    return MalformedMessageError(ErrorCode.SCHEMA_VIOLATION, message)


def shifted_band(
    low: int, high: int, band: int, offset: int, bounds: tuple[int, int]
) -> tuple[int, int]:
    """Widen ``low..high`` to whole bands starting at ``band·k + offset``, then clamp the ends to
    ``bounds`` (a clamped end is the only one that may break the band rule).

    Example:
        >>> shifted_band(23, 23, 5, 3, (0, 124)), shifted_band(1, 1, 5, 3, (0, 124))
        ((23, 27), (0, 2))
    """
    start = low - (low - offset) % band
    end = high - (high - offset) % band + band - 1
    return max(start, bounds[0]), min(end, bounds[1])


def is_shifted_band(low: int, high: int, band: int, offset: int, bounds: tuple[int, int]) -> bool:
    """Whether ``low..high`` is a range `shifted_band` can give.

    Example:
        >>> is_shifted_band(23, 27, 5, 3, (0, 124)), is_shifted_band(20, 24, 5, 3, (0, 124))
        (True, False)
    """
    low_ok = low == bounds[0] or (low - offset) % band == 0
    high_ok = high == bounds[1] or (high + 1 - offset) % band == 0
    return bounds[0] <= low <= high <= bounds[1] and low_ok and high_ok


def shifted_cell(lat: float, lon: float, coarsening: Coarsening) -> tuple[int, int]:
    """The cell of a point: ``⌊(100·lat − lat100) / 10⌋`` and likewise for longitude, from the
    exact decimal value; latitude 90 falls in the highest cell and longitude 180 is −180.

    Example:
        >>> shifted_cell(36.51, -5.07, Coarsening(lat100=3, lon100=0))
        (364, -51)
    """
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError("coordinates must be finite")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("coordinates out of range")
    lon = -180.0 if lon == 180 else lon

    def index(value: float, offset: int) -> int:
        scaled = Decimal(repr(value)) * 100 - offset
        return int((scaled / 10).to_integral_value(rounding=ROUND_FLOOR))

    top = (9000 - 1 - coarsening.lat100) // 10
    return min(index(lat, coarsening.lat100), top), index(lon, coarsening.lon100)


def cell_bounds(coarsening: Coarsening) -> tuple[tuple[int, int], tuple[int, int]]:
    """The valid lat and lon cell indexes under these offsets.

    Example:
        >>> cell_bounds(Coarsening())
        ((-900, 899), (-1800, 1799))
    """
    lat_low = (-9000 - coarsening.lat100) // 10
    lon_low = (-18000 - coarsening.lon100) // 10
    return (lat_low, (9000 - 1 - coarsening.lat100) // 10), (
        lon_low,
        (18000 - 1 - coarsening.lon100) // 10,
    )


def cell_centre(lat10: int, lon10: int, coarsening: Coarsening) -> tuple[float, float]:
    """The centre of a cell in degrees (for the matching engine).

    Example:
        >>> cell_centre(364, -51, Coarsening(lat100=3))
        (36.48, -5.05)
    """
    return (
        round((10 * lat10 + coarsening.lat100 + 5) / 100, 6),
        round((10 * lon10 + coarsening.lon100 + 5) / 100, 6),
    )
