"""Fill the load test's PostgreSQL database with N cases of each kind (not a test).

Run (after `source bench/load/env.sh`, `casework setup` and `casework demo`, see run.sh):
    PYTHONPATH=. $VENV/bin/python bench/load/load_data.py --missing 100000 --remains 100000

The cases go in through the bulk import service (`casework.bulk.services.import_file`), the one
`casework import` and the supervisors' import page use: every personal field encrypted by the
models' descriptors, the blind name index written, one audit entry per case, mark, effect and
tooth chained by keyed hash, duplicates flagged. Nothing bypasses the application. The rows come
from the synthetic world the matching benchmarks use (`matching.synthetic`), written as the
interchange CSV columns in a child process, CHUNK rows a file; each file is one import (one
transaction), so an interrupted load keeps the chunks done and a re-run skips them (an import is
idempotent by legacy ref). The cases are spread over the demo's agencies: missing persons over
the search mechanisms and the offices with family liaison staff, remains over the forensic
offices, so each simulated user sees a large share of them.

Candidates: the import does not rematch (a full rematch of 100,000 x 100,000 takes far longer
than a load test's set-up); `--refresh K` recomputes the candidates of K imported remains per
agency with the service a save uses (`refresh_candidates`), so the review queues hold
candidates of imported cases too. Prints the loading rate of each chunk and overall.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from import_bench import _row as missing_row  # noqa: E402

from matching import MISSING_FIELDS, REMAINS_FIELDS, RemainsRecord  # noqa: E402

MISSING_AGENCIES = (
    "GTM-SEARCH",
    "HND-SEARCH",
    "SEN-MAESE",
    "USA-PIMA-ME",
    "ITA-IML-PA",
    "ESP-IML-LP",
)
REMAINS_AGENCIES = ("USA-PIMA-ME", "PAN-IMELCF", "ITA-IML-PA", "ESP-IML-LP")


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def remains_row(record: RemainsRecord) -> dict[str, str]:
    def number(value: float | None) -> str:
        return "" if value is None else f"{value:g}"

    return {
        "ref": record.ref,
        "sex": record.sex.value,
        "age_min": number(record.age_min),
        "age_max": number(record.age_max),
        "stature_min_cm": number(record.stature_min_cm),
        "stature_max_cm": number(record.stature_max_cm),
        "found_date": record.found_date.isoformat() if record.found_date else "",
        "found_lat": number(record.found_lat),
        "found_lon": number(record.found_lon),
        "found_place": record.found_place,
        "pmi_min_days": number(record.pmi_min_days),
        "pmi_max_days": number(record.pmi_max_days),
        "document_names": "; ".join(record.document_names),
        "marks": "; ".join(str(mark) for mark in record.marks),
        "effects": "; ".join(record.effects),
        "dental": "; ".join(f"{entry.tooth}:{entry.state.value}" for entry in record.dental),
    }


def write_chunk(kind: str, path: Path, start: int, rows: int, seed: int) -> None:
    """One CSV of `rows` synthetic cases, refs LM/LR + running number (unique per load)."""
    from matching.synthetic import extra_missing, extra_remains

    fields = MISSING_FIELDS if kind == "missing" else REMAINS_FIELDS
    partial = path.with_suffix(".part")
    with open(partial, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(fields))
        writer.writeheader()
        if kind == "missing":
            for offset, record in enumerate(extra_missing(None, rows, seed + start)):  # type: ignore[arg-type]
                row = missing_row(record)
                row["ref"] = f"LM{start + offset:07d}"
                writer.writerow(row)
        else:
            for offset, record in enumerate(extra_remains(rows, seed + start)):
                row = remains_row(record)
                row["ref"] = f"LR{start + offset:07d}"
                writer.writerow(row)
    partial.rename(path)  # a file that is there is whole


def write_chunks(folder: Path, kind: str, total: int, chunk: int, seed: int) -> list[Path]:
    paths = []
    for start in range(0, total, chunk):
        path = folder / f"{kind}-{start:07d}.csv"
        if not path.exists():
            write_chunk(kind, path, start, min(chunk, total - start), seed)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--missing", type=int, default=100_000)
    parser.add_argument("--remains", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=5_000, help="rows per file (one import)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--refresh", type=int, default=50, help="remains per agency to rematch")
    parser.add_argument("--files", default="/tmp/casework-load/files")
    parser.add_argument(
        "--stop-at",
        default=None,
        help="HH:MM (UTC): start no new file after this time, so the load fits a time budget",
    )
    args = parser.parse_args()
    stop_at = None
    if args.stop_at:
        hours, minutes = (int(part) for part in args.stop_at.split(":"))
        stop_at = calendar.timegm((*time.gmtime()[:3], hours, minutes, 0))

    folder = Path(args.files)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    writer = multiprocessing.get_context("spawn").Pool(1)
    # one process per kind may run at once (--remains 0 in one, --missing 0 in the other)
    pending = {
        kind: writer.apply_async(write_chunks, (folder, kind, count, args.chunk, seed))
        for kind, count, seed in (
            ("missing", args.missing, args.seed),
            ("remains", args.remains, args.seed + 1),
        )
        if count
    }

    from flask import g
    from sqlalchemy import func, select

    from casework import create_app
    from casework.accounts.models import Agency
    from casework.audit.services import Actor
    from casework.bulk.services import import_file
    from casework.db import db
    from casework.matches.services import refresh_candidates
    from casework.missing.models import MissingPerson
    from casework.remains.models import UnidentifiedRemains

    app = create_app()
    imported = {"missing": 0, "remains": 0}
    with app.app_context():
        g.audit_actor = Actor(None, "load test data", None, None)
        for kind, agencies in (("missing", MISSING_AGENCIES), ("remains", REMAINS_AGENCIES)):
            if kind not in pending:
                continue
            paths = pending[kind].get()
            say(f"{kind}: {len(paths)} files ready after {time.perf_counter() - started:.0f} s")
            for number, path in enumerate(paths):
                if stop_at is not None and time.time() > stop_at:
                    say(f"{kind}: stopped at {args.stop_at} UTC, before {path.name}")
                    break
                agency = agencies[number % len(agencies)]
                began = time.perf_counter()
                report = import_file(kind, path, agency)
                took = time.perf_counter() - began
                imported[kind] += report.imported
                say(
                    f"{kind} {path.name} -> {agency}: {report.imported:,} imported, "
                    f"{report.already_imported:,} already there, {took:.1f} s "
                    f"({report.imported / took:,.0f} rows/s); "
                    f"{time.perf_counter() - started:.0f} s so far"
                )
        writer.close()
        elapsed = time.perf_counter() - started
        total = imported["missing"] + imported["remains"]
        say(
            f"loaded {imported['missing']:,} missing persons and {imported['remains']:,} remains "
            f"in {elapsed:.0f} s ({total / elapsed:,.0f} cases/s overall)"
        )
        if args.refresh:
            began = time.perf_counter()
            done = 0
            for agency in REMAINS_AGENCIES:
                ids = db.session.scalars(
                    select(UnidentifiedRemains.id)
                    .where(UnidentifiedRemains.external_reference.like("LR%"))
                    .join(Agency, Agency.id == UnidentifiedRemains.agency_id)
                    .where(Agency.code == agency)
                    .order_by(UnidentifiedRemains.id)
                    .limit(args.refresh)
                ).all()
                for case_id in ids:
                    done += bool(refresh_candidates(db.session.get(UnidentifiedRemains, case_id)))
            say(
                f"candidates recomputed for {done} imported remains in "
                f"{time.perf_counter() - began:.0f} s (the first builds the open-case index)"
            )
        counts = [
            db.session.scalar(select(func.count()).select_from(model))
            for model in (MissingPerson, UnidentifiedRemains)
        ]
        say(f"database now holds {counts[0]:,} missing persons and {counts[1]:,} remains")


if __name__ == "__main__":
    main()
