"""Benchmark of `casework import` on a synthetic legacy file (not a test).

Run: .venv/bin/python bench/import_bench.py [--rows 100000 --seed 1]
Writes a missing-person CSV with the matching benchmark's generator (in a child process, so its
memory does not count), imports it into a new embedded database (SQLite + SpatiaLite) in this
process and prints rows per second for the check and the insert, and the peak memory
(resource.getrusage). Run with two sizes to see that memory does not grow with the file.
"""

from __future__ import annotations

import argparse
import base64
import csv
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching import MISSING_FIELDS, MissingRecord  # noqa: E402


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_memory_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _row(record: MissingRecord) -> dict[str, str]:
    def number(value: float | None) -> str:
        return "" if value is None else f"{value:g}"

    birth = record.birth_date.isoformat() if record.birth_date else str(record.birth_year or "")
    return {
        "ref": record.ref,
        "given_names": "; ".join(record.given_names),
        "surnames": "; ".join(record.surnames),
        "aliases": "; ".join(record.aliases),
        "sex": record.sex.value,
        "birth_date": birth,
        "age": number(record.age),
        "height_cm": number(record.height_cm),
        "nationality": record.nationality or "",
        "last_seen_date": record.last_seen_date.isoformat() if record.last_seen_date else "",
        "last_seen_lat": number(record.last_seen_lat),
        "last_seen_lon": number(record.last_seen_lon),
        "last_seen_place": record.last_seen_place,
        "route": record.route.wkt if record.route is not None else "",
        "marks": "; ".join(str(mark) for mark in record.marks),
        "effects": "; ".join(record.effects),
        "dental": "; ".join(f"{entry.tooth}:{entry.state.value}" for entry in record.dental),
    }


def write_file(path: Path, rows: int, seed: int) -> None:
    """The legacy file: the matching benchmark's synthetic missing persons, 5,000 at a time."""
    from matching.synthetic import extra_missing

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(MISSING_FIELDS))
        writer.writeheader()
        for start in range(0, rows, 5000):
            batch = extra_missing(None, min(5000, rows - start), seed + start, prefix="L")  # type: ignore[arg-type]
            for offset, record in enumerate(batch):
                row = _row(record)
                row["ref"] = f"L{start + offset:07d}"
                writer.writerow(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="casework-import-bench-"))
    source = folder / "legacy.csv"
    started = time.perf_counter()
    child = multiprocessing.get_context("spawn").Process(
        target=write_file, args=(source, args.rows, args.seed)
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit("could not write the benchmark file")
    say(
        f"file: {args.rows:,} rows, {source.stat().st_size / 1e6:.1f} MB, "
        f"written in {time.perf_counter() - started:.1f} s"
    )

    from flask import g
    from flask_migrate import upgrade

    from casework import create_app
    from casework.accounts.models import AgencyKind
    from casework.accounts.services import create_agency
    from casework.audit.services import Actor
    from casework.bulk.services import import_file, validate_file
    from casework.commands import ensure_data_key

    app = create_app(
        {
            "INSTANCE_DIR": str(folder / "instance"),
            "DATABASE_URL": f"sqlite:///{folder / 'casework.db'}",
            "MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
            "SECRET_KEY": "benchmark-secret-key-long-enough-0123456789",
        }
    )
    with app.app_context():
        upgrade()
        ensure_data_key()
        create_agency("BENCH", "USA", "Benchmark office", AgencyKind.MEDICAL_EXAMINER)
        g.audit_actor = Actor(None, "bench", None, None)
        baseline = current_memory_mb()
        say(f"memory before the import: {baseline:.0f} MB resident, peak {peak_memory_mb():.0f} MB")

        started = time.perf_counter()
        report, _ = validate_file("missing", source, "BENCH")
        checked = time.perf_counter() - started
        assert report.ok, report.problems[:5]
        say(
            f"check (dry run): {report.rows / checked:,.0f} rows/s ({checked:.1f} s); "
            f"{report.duplicates_total:,} likely duplicates flagged; "
            f"peak {peak_memory_mb():.0f} MB"
        )

        started = time.perf_counter()
        report = import_file("missing", source, "BENCH", batch_size=args.batch)
        total = time.perf_counter() - started
        say(
            f"import (check + insert, one transaction): {report.imported:,} cases in "
            f"{total:.1f} s = {report.imported / total:,.0f} rows/s"
        )
        say(
            f"peak memory (ru_maxrss): {peak_memory_mb():.0f} MB; "
            f"resident after: {current_memory_mb():.0f} MB; database "
            f"{(folder / 'casework.db').stat().st_size / 1e6:.0f} MB"
        )
        started = time.perf_counter()
        again = import_file("missing", source, "BENCH")
        say(
            f"re-import of the same file: {again.imported} new, {again.already_imported:,} "
            f"skipped in {time.perf_counter() - started:.1f} s"
        )
    say(f"(files in {folder}; delete it when done)")


if __name__ == "__main__":
    main()
