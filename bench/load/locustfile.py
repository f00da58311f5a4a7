"""The load test: signed-in staff of several agencies and roles using the pages (not a test).

Run through bench/load/run.sh (it starts gunicorn and Locust headless at several levels), or
by hand against a running server:
    PYTHONPATH=.:bench/load $VENV/bin/locust -f bench/load/locustfile.py --headless \
        -H http://127.0.0.1:8765 -u 16 -r 4 -t 90s

Each simulated user signs in once as one of the demo accounts (`casework demo`: the same
password for all, CASEWORK_LOAD_PASSWORD) and then acts like a browser: it reads each page's
forms and posts them back with the CSRF token, the version field and the form token they
carry, changing only what a person would change. The mix, per role:

- forensic officers (4 agencies): remains lists and pages, missing-person lists and pages, name
  searches (POST, as the search form does), candidate review queue and candidate pages,
  exclusions and proposed identifications, edits and new remains cases;
- family liaison staff (6 agencies): missing-person lists, pages, searches, edits, notes and
  new reports;
- supervisors (4 agencies): lists, pages, candidate queue, confirming proposed identifications;
- consular officials (3 agencies): repatriations, lists and pages of their nationals.

Outcomes: a 5xx is a failure (the requirement is none); 409 on an edit or a decision is the
expected answer when another user saved the same case or candidate first (counted apart, in
"conflicts"), as is 404 for a candidate another user just moved out of a queue. Every status
code seen is counted per request name and written to $LOAD_STATUS_FILE (JSON) at the end.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

from browser import Form, form_posting_to, forms
from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("CASEWORK_LOAD_PASSWORD", "load test password 2026")
STATUS: dict[str, Counter[int]] = defaultdict(Counter)
CASE_LINK = {
    kind: re.compile(rf'href="/{kind}/([A-Z]{{2}}-[A-Z]{{3}}-\d{{4}}-\d+)"')
    for kind in ("missing", "remains")
}
CANDIDATE_LINK = re.compile(r'href="/matches/([0-9a-f-]{36})"')
REPATRIATION_LINK = re.compile(r'href="/repatriation/([0-9a-f-]{36})"')

# Names of the synthetic world the cases were drawn from (matching.synthetic): searches find
# something, as a real user's mostly do.
GIVEN = "José María Mohamed Fatima Yonas Mamadou Aminata Wilmer Khadija Ousmane Helen Omar".split()
SURNAMES = "López García Diallo Traoré Benali Haddad Cruz Hernández Camara Mejía Sow Tazi".split()


@events.request.add_listener
def _count(name: str, response: Any, exception: Any, **_: Any) -> None:
    code = getattr(response, "status_code", 0) or 0
    STATUS[name][code] += 1


@events.quitting.add_listener
def _write_status(environment: Any, **_: Any) -> None:
    target = os.environ.get("LOAD_STATUS_FILE")
    if target:
        with open(target, "w") as handle:
            json.dump({name: dict(codes) for name, codes in STATUS.items()}, handle, indent=1)


def a_name() -> str:
    return f"{random.choice(GIVEN)} {random.choice(SURNAMES)}"


def a_past_day(years: int = 3) -> str:
    return (date.today() - timedelta(days=random.randint(2, 365 * years))).isoformat()


class Staff(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    accounts: tuple[str, ...] = ()
    case_kinds: tuple[str, ...] = ("missing", "remains")

    def on_start(self) -> None:
        self.email = random.choice(self.accounts)
        self.seen: dict[str, list[str]] = {"missing": [], "remains": []}
        self.candidates: list[str] = []
        page = self.client.get("/auth/login", name="/auth/login [form]")
        form = form_posting_to(page.text, "")
        assert form is not None, "no sign-in form"
        with self.client.post(
            "/auth/login",
            data=form.data(email=self.email, password=PASSWORD),
            name="/auth/login [sign in]",
            catch_response=True,
        ) as answer:
            if answer.status_code != 200 or "/auth/logout" not in answer.text:
                answer.failure(f"sign-in of {self.email} failed: {answer.status_code}")

    # -- helpers: a browser's GET and POST, with outcomes judged --------------------------------

    def get(self, path: str, name: str, allowed: tuple[int, ...] = (200,)) -> Any:
        with self.client.get(path, name=name, catch_response=True) as answer:
            if answer.status_code in allowed:
                answer.success()
            else:
                answer.failure(f"{answer.status_code} on GET {name} {answer.error or ''}")
            return answer

    def post(
        self, path: str, data: list[tuple[str, str]], name: str, allowed: tuple[int, ...] = (200,)
    ) -> Any:
        with self.client.post(path, data=data, name=name, catch_response=True) as answer:
            if answer.status_code in allowed:
                answer.success()
            elif answer.status_code == 200 and allowed == (409,):
                answer.success()
            else:
                answer.failure(f"{answer.status_code} on POST {name} {answer.error or ''}")
            return answer

    def remember(self, kind: str, html: str) -> None:
        refs = CASE_LINK[kind].findall(html)
        if refs:
            self.seen[kind] = (self.seen[kind] + refs)[-200:]

    def a_seen_case(self, kind: str) -> str | None:
        return random.choice(self.seen[kind]) if self.seen[kind] else None

    # -- what every role does ---------------------------------------------------------------

    def case_list(self, kind: str) -> None:
        page = random.choice((1, 1, 1, 2, 3, random.randint(4, 200)))
        answer = self.get(f"/{kind}/?page={page}", f"/{kind}/ [list]", allowed=(200, 404))
        self.remember(kind, answer.text)

    def case_page(self, kind: str) -> None:
        reference = self.a_seen_case(kind)
        if reference is None:
            return self.case_list(kind)
        self.get(f"/{kind}/{reference}", f"/{kind}/<ref> [page]")

    def name_search(self, kind: str) -> None:
        listing = self.get(f"/{kind}/", f"/{kind}/ [list]")
        form = next(
            (f for f in forms(listing.text) if f.method == "post" and "name" in f.names()), None
        )
        if form is None:
            return
        answer = self.post(f"/{kind}/", form.data(name=a_name()), f"/{kind}/ [name search]")
        self.remember(kind, answer.text)

    def edit_case(self, kind: str, changes: dict[str, str]) -> None:
        reference = self.a_seen_case(kind)
        if reference is None:
            return self.case_list(kind)
        page = self.get(
            f"/{kind}/{reference}/edit", f"/{kind}/<ref>/edit [form]", allowed=(200, 403)
        )
        form = form_posting_to(page.text, "") if page.status_code == 200 else None
        if form is None:
            return
        # 409: someone saved the case since the form was read (the page says to reload)
        self.post(
            f"/{kind}/{reference}/edit",
            form.data(**changes),
            f"/{kind}/<ref>/edit [save]",
            allowed=(200, 409),
        )

    def create_case(self, kind: str, values: dict[str, str]) -> None:
        page = self.get(f"/{kind}/new", f"/{kind}/new [form]")
        form = form_posting_to(page.text, "")
        if form is None:
            return
        data = form.data(**values)
        first = self.post(f"/{kind}/new", data, f"/{kind}/new [save]")
        if random.random() < 0.1:
            # a double click, or a retry after a timeout: the same form token again must land
            # on the same case, never make a second one
            again = self.post(f"/{kind}/new", data, f"/{kind}/new [same form again]")
            if first.url != again.url:
                events.request.fire(
                    request_type="CHECK",
                    name="create retried made a second case",
                    response_time=0,
                    response_length=0,
                    exception=AssertionError(f"{first.url} then {again.url}"),
                    response=None,
                    context={},
                )
        self.remember(kind, f'href="/{first.url.split("/", 3)[-1]}"')


class ForensicOfficer(Staff):
    weight = 4
    accounts = tuple(
        f"forensic.officer@{domain}.demo"
        for domain in ("pima-me", "pan-imelcf", "ita-iml", "esp-iml")
    )

    @task(4)
    def remains_list(self) -> None:
        self.case_list("remains")

    @task(6)
    def remains_page(self) -> None:
        self.case_page("remains")

    @task(1)
    def missing_list(self) -> None:
        self.case_list("missing")

    @task(2)
    def missing_page(self) -> None:
        self.case_page("missing")

    @task(2)
    def search(self) -> None:
        self.name_search(random.choice(("missing", "remains")))

    @task(3)
    def review_queue(self) -> None:
        answer = self.get(
            f"/matches/?page={random.choice((1, 1, 2, 3))}", "/matches/ [queue]", allowed=(200, 404)
        )
        found = CANDIDATE_LINK.findall(answer.text)
        if found:
            self.candidates = found

    @task(3)
    def candidate_page(self) -> None:
        if not self.candidates:
            return self.review_queue()
        self.get(
            f"/matches/{random.choice(self.candidates)}", "/matches/<id> [page]", allowed=(200, 404)
        )

    @task(1)
    def decide(self) -> None:
        if not self.candidates:
            return self.review_queue()
        candidate = self.candidates.pop(random.randrange(len(self.candidates)))
        page = self.get(f"/matches/{candidate}", "/matches/<id> [page]", allowed=(200, 404))
        if page.status_code != 200:
            return
        if random.random() < 0.8:
            form = form_posting_to(page.text, "/exclude")
            if form is not None:
                reason = "Load test: recovery date before the last contact; excluded."
                self.post(
                    form.action,
                    form.data(reason=reason),
                    "/matches/<id>/exclude",
                    allowed=(200, 409),
                )
        else:
            form = form_posting_to(page.text, "/propose")
            if form is not None:
                data = [
                    (k, v)
                    for k, v in form.data(reason="Dental chart agrees on 6 teeth.")
                    if k != "identifiers"
                ]
                self.post(
                    form.action,
                    data + [("identifiers", "dental")],
                    "/matches/<id>/propose",
                    allowed=(200, 409),
                )

    @task(1)
    def edit_remains(self) -> None:
        shelf = f"Cold room {random.choice('ABC')}, shelf {random.randint(1, 40)}"
        self.edit_case("remains", {"storage_location": shelf})

    @task(1)
    def new_remains(self) -> None:
        age = random.randint(16, 50)
        self.create_case(
            "remains",
            {
                "recovery_date": a_past_day(),
                "recovery_place": random.choice(
                    ("Ajo, Pima County", "Tarfaya beach", "El Hierro coast", "Lampedusa")
                ),
                "recovered_by": "Border patrol, search and rescue",
                "estimated_sex": random.choice(("M", "F", "U")),
                "age_min": str(age),
                "age_max": str(age + 10),
                "stature_min_cm": "160",
                "stature_max_cm": "175",
                "storage_location": "Cold room A",
                "effects": "clothing: blue jeans\nfootwear: sneakers",
            },
        )


class FamilyLiaison(Staff):
    weight = 4
    accounts = tuple(
        f"family.liaison@{domain}.demo"
        for domain in ("pima-me", "gtm-search", "hnd-search", "ita-iml", "esp-iml", "sen-maese")
    )

    @task(5)
    def missing_list(self) -> None:
        self.case_list("missing")

    @task(7)
    def missing_page(self) -> None:
        self.case_page("missing")

    @task(3)
    def search(self) -> None:
        self.name_search("missing")

    @task(1)
    def remains_list(self) -> None:
        self.case_list("remains")

    @task(1)
    def edit_missing(self) -> None:
        place = random.choice(("Altar, Sonora", "Tapachula", "Agadez", "Nouadhibou", "Sabratha"))
        self.edit_case("missing", {"last_seen_place": place})

    @task(1)
    def note(self) -> None:
        reference = self.a_seen_case("missing")
        if reference is None:
            return self.case_list("missing")
        page = self.get(f"/missing/{reference}", "/missing/<ref> [page]")
        form = form_posting_to(page.text, "/notes")
        if form is not None:
            body = "Called the family: no news since the last call."
            self.post(form.action, form.data(body=body), "/missing/<ref>/notes", allowed=(200,))

    @task(1)
    def new_report(self) -> None:
        self.create_case(
            "missing",
            {
                "given_names": random.choice(GIVEN),
                "surnames": random.choice(SURNAMES),
                "sex": random.choice(("M", "F")),
                "age_at_disappearance": str(random.randint(16, 50)),
                "height_cm": str(random.randint(150, 185)),
                "last_seen_date": a_past_day(),
                "last_seen_place": random.choice(("Altar, Sonora", "Agadez", "Sabratha")),
                "circumstances": "Left with a group; the family has had no news since.",
            },
        )


class Supervisor(Staff):
    weight = 2
    accounts = tuple(
        f"supervisor@{domain}.demo" for domain in ("pima-me", "pan-imelcf", "ita-iml", "esp-iml")
    )

    @task(3)
    def lists(self) -> None:
        self.case_list(random.choice(("missing", "remains")))

    @task(4)
    def pages(self) -> None:
        self.case_page(random.choice(("missing", "remains")))

    @task(1)
    def search(self) -> None:
        self.name_search(random.choice(("missing", "remains")))

    @task(2)
    def proposed(self) -> None:
        answer = self.get("/matches/?status=identification_proposed", "/matches/ [proposed]")
        found = CANDIDATE_LINK.findall(answer.text)
        if not found:
            return
        candidate = random.choice(found)
        page = self.get(f"/matches/{candidate}", "/matches/<id> [page]", allowed=(200, 404))
        form = form_posting_to(page.text, "/confirm") if page.status_code == 200 else None
        if form is not None and random.random() < 0.3:
            self.post(form.action, form.data(), "/matches/<id>/confirm", allowed=(200, 409))


class ConsularOfficial(Staff):
    weight = 1
    accounts = tuple(
        f"consular.official@{domain}.demo"
        for domain in ("gtm-consulate", "hnd-search", "sen-maese")
    )

    @task(2)
    def repatriations(self) -> None:
        answer = self.get("/repatriation/", "/repatriation/ [list]")
        found = REPATRIATION_LINK.findall(answer.text)
        if found:
            self.get(f"/repatriation/{random.choice(found)}", "/repatriation/<id> [page]")

    @task(2)
    def lists(self) -> None:
        self.case_list(random.choice(("missing", "remains")))

    @task(3)
    def pages(self) -> None:
        self.case_page(random.choice(("missing", "remains")))


__all__ = ["ConsularOfficial", "FamilyLiaison", "ForensicOfficer", "Form", "Supervisor"]
