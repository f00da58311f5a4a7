"""Accessibility in a real browser: axe-core (vendored, tests/e2e/vendor) runs the WCAG 2.2 A and
AA rules on every page at desktop and phone sizes: the staff pages, the administrators' and the
auditors', the exchange pages behind a peer's imported bundle (a hit, a disclosure request
each way), and the family portal in its four languages (each form refused and accepted, the
family's own page, the error page); by hand what axe cannot see: the focus ring's contrast (date
fields too), no sideways scrolling on a 390 px phone, 24 px targets, the role label in the
reader's language, and a remains case and a family's request sent with the keyboard alone."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PAGES = [
    "/",
    "/missing/",
    "/missing/new",
    "/remains/",
    "/remains/new",
    "/matches/",
    "/map/",
    "/repatriation/",
    "/exchange/",
    "/exchange/hits",
    "/exchange/disclosures",
    "/exchange/import",
    "/exchange/export",
    "/bulk/import",
    "/auth/account",
    "/auth/account/tokens/",
    "/auth/totp/setup",
    "/notifications/",
    "/notifications/choices",
    "/jobs/",
    "/exchange/dna",
    "/family-requests/",
]
# the administrators' and auditors' pages, by role; {user}, {peer} filled in by `more_staff`
ROLE_PAGES = {
    "administrator": [
        "/admin/users",
        "/admin/users/new",
        "/admin/users/{user}",
        "/audit/",
        "/audit/?action=view",
        "/notifications/",
        "/auth/account",
    ],
    "system_administrator": [
        "/admin/agencies",
        "/admin/users",
        "/exchange/trust",
        "/exchange/trust/{peer}",
        "/audit/",
        "/audit/verification",
    ],
    "auditor": [
        "/audit/",
        "/audit/?reference=MP-",
        "/exchange/",
        "/exchange/hits",
        "/exchange/disclosures",
        "/exchange/dna",
        "/missing/",
        "/matches/",
        "/notifications/",
    ],
}
PORTAL_LANGUAGES = ["en", "es", "fr", "ar"]


def _user(live_server, role: str):
    from casework.accounts.models import User
    from casework.extensions import db

    return db.session.scalar(db.select(User).where(User.email == live_server.users[role]))


@pytest.fixture(scope="module")
def cases(live_server):
    """A missing person and remains proposed as a candidate: detail pages with content, and a
    notification for the staff."""
    from casework.extensions import db
    from casework.matches.models import CandidateMatch
    from tests.casework.factories import make_missing, make_remains

    with live_server.app.test_request_context():
        person = make_missing(_user(live_server, "family_liaison"), given_names="Nayeli")
        remains = make_remains(_user(live_server, "forensic_officer"))
        candidate = db.session.scalar(
            db.select(CandidateMatch.id).where(
                CandidateMatch.missing_person_id == person.id,
                CandidateMatch.remains_id == remains.id,
            )
        )
        seeded = [
            f"/missing/{person.reference}",
            f"/missing/{person.reference}/edit",
            f"/remains/{remains.reference}",
            f"/remains/{remains.reference}/edit",
            f"/matches/{candidate}",
        ]
        db.session.remove()
    return seeded


@pytest.fixture(scope="module")
def family_request(live_server) -> str:
    """A request pending for the home agency: the liaison's list and request page have a row."""
    from casework.extensions import db
    from casework.family_portal.services import submit_request
    from tests.casework.family_portal.test_services import REQUEST, solved

    with live_server.app.test_request_context():
        reference = submit_request(solved(REQUEST), [], "es").request.reference
        db.session.remove()
    return reference


@pytest.fixture(scope="module")
def peer(live_server):
    """Our authority's identity and a trusted peer, with the keys the peer signs with."""
    from casework.exchanges.identity import current_identity
    from casework.extensions import db
    from tests.casework.exchanges.builders import make_identity, make_peer

    with live_server.app.test_request_context():
        if current_identity() is None:
            make_identity()
        trusted = make_peer()
        db.session.remove()
    return trusted


@pytest.fixture(scope="module")
def exchanged(live_server, peer) -> dict[str, str]:
    """The pages behind a peer's messages, brought in through the inbox as an import would:
    the peer's bundle of remains hits our report (the hit page), we ask the peer for the data
    behind the hit (an outgoing request) and the peer asks for the data behind a report we
    shared with it (an incoming request, awaiting a supervisor's decision)."""
    from casework.exchanges import disclosures
    from casework.exchanges.guard import DatabaseReplayGuard
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import (
        CrossBorderHit,
        MessageKind,
    )
    from casework.extensions import db
    from exchange import (
        DisclosureRequest,
        GeoPoint,
        Officer,
        Purpose,
        RecordType,
        Sex,
        new_request_id,
        seal_disclosure_request,
    )
    from tests.casework.exchanges.builders import START, peer_bundle, peer_remains, share_with_peer
    from tests.casework.factories import make_missing

    def sequence(kind: MessageKind) -> int:
        return (DatabaseReplayGuard().last_sequence(peer.authority_id, kind) or 0) + 1

    with live_server.app.test_request_context():
        liaison = _user(live_server, "family_liaison")
        person = make_missing(liaison)
        found = peer_remains(
            "PM-1",
            sex=Sex.MALE,
            stature_min_cm=160,
            stature_max_cm=175,
            found_date=date(2025, 9, 15),
            found_point=GeoPoint(31.7, -111.4),
            document_names=("José Luis Pérez",),
        )
        receive(peer_bundle(peer, [found], sequence=sequence(MessageKind.BUNDLE)))
        hit = db.session.scalar(
            db.select(CrossBorderHit)
            .where(CrossBorderHit.missing_person_id == person.id)
            .order_by(CrossBorderHit.score.desc())
        )
        outgoing, _message = disclosures.request_disclosure(
            hit,
            liaison,
            purpose="identification",
            justification="Document name and dental chart agree with our report.",
            fields=["given_names", "surnames"],
        )
        # our report, its family consenting, shared with the peer; the peer asks about it
        pseudonym = share_with_peer(person, peer)
        request = DisclosureRequest(
            new_request_id(),
            pseudonym,
            RecordType.MISSING_PERSON,
            Purpose.IDENTIFICATION,
            "Remains found with a document naming him; dental chart agrees.",
            frozenset({"family_contact", "surnames"}),
            Officer("Dr. Ana Morales", "forensic odontologist"),
        )
        incoming = receive(
            seal_disclosure_request(
                request,
                sender_id=peer.authority_id,
                sender_keys=peer.keys,
                recipient=peer.us,
                sequence=sequence(MessageKind.DISCLOSURE_REQUEST),
                now=START,
            )
        ).disclosure_id
        pages = {
            "hit": f"/exchange/hits/{hit.id}",
            "outgoing": f"/exchange/disclosures/{outgoing.id}",
            "incoming": f"/exchange/disclosures/{incoming}",
        }
        db.session.remove()
    return pages


@pytest.fixture(scope="module")
def dna_exchanged(live_server, peer) -> str:
    """A DNA hit abroad: a consenting family's pedigree sent to the peer, whose answer names
    remains of its own (the DNA results list has a hit with its request form), and our request
    for the data behind them; returns that request's page."""
    from casework.dna.consent import change_consent
    from casework.dna.profiles import sample_by_barcode
    from casework.exchanges import disclosures
    from casework.exchanges.dna_search import send_search
    from casework.exchanges.guard import DatabaseReplayGuard
    from casework.exchanges.inbox import receive
    from casework.exchanges.models import DnaSearchResult, MessageKind, PeerAuthority
    from casework.extensions import db
    from exchange import (
        DnaAnswer,
        DnaResult,
        InMemoryReplayGuard,
        TrustList,
        open_dna_search,
        seal_dna_answer,
    )
    from tests.casework.dna.builders import build_family, import_and_confirm
    from tests.casework.exchanges.builders import START

    world = SimpleNamespace(user=lambda role: _user(live_server, role).id)
    with live_server.app.test_request_context():
        family = build_family(world)
        import_and_confirm(world, family)
        change_consent(
            sample_by_barcode("REF-B-1"),
            _user(live_server, "family_liaison"),
            {"search_here": True, "search_abroad": True, "countries": "GTM"},
        )
        sent = send_search(db.session.get(PeerAuthority, peer.row_id))
        assert sent is not None
        search = open_dna_search(
            sent.envelope,
            own_id=peer.authority_id,
            own_keys=peer.keys,
            trust=TrustList([peer.us]),
            guard=InMemoryReplayGuard(),
            now=START,
        ).content
        (shared,) = search.families
        last = DatabaseReplayGuard().last_sequence(peer.authority_id, MessageKind.DNA_ANSWER)
        receive(
            seal_dna_answer(
                DnaAnswer(search.search_id, (DnaResult(shared.pseudonym, True, 6500, "Q" * 43),)),
                sender_id=peer.authority_id,
                sender_keys=peer.keys,
                recipient=peer.us,
                sequence=(last or 0) + 1,
                now=START,
            )
        )
        result = db.session.scalar(
            db.select(DnaSearchResult).where(DnaSearchResult.missing_person_id == family.case.id)
        )
        asked, _message = disclosures.request_dna_disclosure(
            result,
            _user(live_server, "forensic_officer"),
            purpose="identification",
            justification="Our family's DNA matched your remains (log10 LR 6.5).",
            fields=["surnames"],
        )
        page = f"/exchange/disclosures/{asked.id}"
        db.session.remove()
    return page


@pytest.fixture(scope="module")
def more_staff(live_server, peer) -> dict[str, str]:
    """An administrator, a system administrator and an auditor of the home agency, and a
    trusted peer authority: what their pages show."""
    from casework.accounts import services
    from casework.accounts.models import Agency, Role
    from casework.extensions import db
    from tests.conftest import PASSWORD

    with live_server.app.test_request_context():
        home = db.session.scalar(db.select(Agency).where(Agency.code == "PCOME"))
        for role in (Role.ADMINISTRATOR, Role.SYSTEM_ADMINISTRATOR, Role.AUDITOR):
            email = f"{role.value}@home.example"
            if role.value not in live_server.users:
                services.create_user(
                    agency=home,
                    email=email,
                    display_name=role.value.replace("_", " ").title(),
                    role=role,
                    password=PASSWORD,
                )
                live_server.users[role.value] = email
        filled = {"user": str(_user(live_server, "family_liaison").id), "peer": str(peer.row_id)}
        db.session.remove()
    return filled


def _sideways(page) -> list[int]:
    """The widths of the page and its main column, and what shows of them."""
    return page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth,"
        " document.querySelector('main').scrollWidth,"
        " document.querySelector('main').clientWidth]"
    )


def axe_violations(page) -> list[str]:
    # after a form is sent, the new page's content can show before its stylesheet applies: axe
    # then sees the page unstyled (twice, on a loaded machine: the skip link beside the brand)
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)  # evaluated by the browser's debugger: the page's CSP still holds
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            const where = v => v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ');
            return result.violations.map(v => `${v.id} (${v.impact}): ${where(v)}`);
        }""",
        WCAG,
    )
    return list(found)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_staff_page_passes_axe(
    sign_in, page, live_server, cases, family_request, exchanged, dna_exchanged, viewport
) -> None:
    page.set_viewport_size(viewport)
    page.goto(live_server("/auth/login"))
    problems = {"/auth/login": axe_violations(page)}
    sign_in("supervisor")
    seeded = [*cases, *exchanged.values(), dna_exchanged, f"/family-requests/{family_request}"]
    for path in PAGES + seeded:
        response = page.goto(live_server(path))
        assert response is not None and response.status == 200, path
        problems[path] = axe_violations(page)
        # nothing scrolls sideways: neither the page nor its main column
        widths = _sideways(page)
        if path.endswith(("/new", "/edit")) or path in ("/", "/notifications/"):
            assert widths[0] <= widths[1] and widths[2] <= widths[3], (path, widths)
    # a refused decision on a family request: the message at its field
    page.goto(live_server(f"/family-requests/{family_request}"))
    page.locator("form[action$='/decline'] [type=submit]").click()
    expect(page.locator("#reason-error")).to_be_visible()
    problems["/family-requests/<reference>/decline refused"] = axe_violations(page)
    # disclosure requests on the hit and on the DNA hit, and a decision on the peer's request,
    # each sent empty: refused, the messages at their fields
    for path, action in (
        (exchanged["hit"], "request"),
        ("/exchange/dna", "request"),
        (exchanged["incoming"], "decide"),
    ):
        page.goto(live_server(path))
        page.locator(f"form[action$='/{action}'] [type=submit]").first.click()
        expect(page.locator("main [aria-invalid=true]").first).to_be_visible()
        problems[f"{path} {action} refused"] = axe_violations(page)
    assert {path: found for path, found in problems.items() if found} == {}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_administrator_and_auditor_page_passes_axe(
    sign_in, page, live_server, more_staff, viewport
) -> None:
    page.set_viewport_size(viewport)
    problems = {}
    for role, paths in ROLE_PAGES.items():
        page.context.clear_cookies()
        sign_in(role)
        for path in paths:
            path = path.format(**more_staff)
            response = page.goto(live_server(path))
            assert response is not None and response.status == 200, (role, path)
            problems[f"{role} {path}"] = axe_violations(page)
            widths = _sideways(page)
            assert widths[0] <= widths[1], (role, path, widths)
        if role == "administrator":  # a new account refused: the messages at their fields
            page.goto(live_server("/admin/users/new"))
            page.locator("main form [type=submit]").click()
            expect(page.locator("[aria-invalid=true]").first).to_be_visible()
            problems[f"{role} /admin/users/new refused"] = axe_violations(page)
        if role == "system_administrator":  # an authority's identity refused
            page.goto(live_server("/exchange/trust"))
            page.locator("main form:has(#identity) [type=submit]").click()
            expect(page.locator(".error").first).to_be_visible()
            problems[f"{role} /exchange/trust refused"] = axe_violations(page)
            # a verification started (a row in the table), then an anchor refused at its field
            page.goto(live_server("/audit/verification"))
            page.get_by_role("button", name="Verify the audit trail").click()
            expect(page.locator("#verifications tbody tr[data-job]").first).to_be_visible()
            page.get_by_label("Anchor kept apart (optional)").fill("12:abc")
            page.get_by_role("button", name="Verify the audit trail").click()
            expect(page.locator("#anchor[aria-invalid=true]")).to_be_visible()
            problems[f"{role} /audit/verification refused"] = axe_violations(page)
    assert {path: found for path, found in problems.items() if found} == {}


def _wait_for_the_challenge(page) -> None:
    page.wait_for_function(
        "() => document.querySelector('[name=challenge_number]').value !== ''", timeout=30_000
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_family_portal_page_passes_axe(browser, live_server, viewport) -> None:
    context = browser.new_context(viewport=viewport, locale="en-GB")
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        problems[name] = axe_violations(page)
        widths = _sideways(page)
        if not (widths[0] <= widths[1] and widths[2] <= widths[3]):
            wide = page.evaluate(
                """() => [...document.querySelectorAll('main *')]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth)
                    .slice(0, 3).map(e => e.outerHTML.slice(0, 80))"""
            )
            problems[name].append(f"scrolls sideways {widths}: {wide}")

    limit = live_server.app.config["ATTACHMENT_MAX_BYTES"]
    try:
        for lang in PORTAL_LANGUAGES:
            base = f"/family/{lang}"
            for path in (f"{base}/", f"{base}/your-data", f"{base}/request", f"{base}/follow"):
                response = page.goto(live_server(path))
                assert response is not None and response.status == 200, path
                check(path)
            # the form sent empty: refused, the message at its field
            page.goto(live_server(f"{base}/request"))
            _wait_for_the_challenge(page)
            page.locator("form.family-request [type=submit]").click()
            expect(page.locator("[aria-invalid=true]").first).to_be_visible()
            check(f"{base}/request refused")
            # sent: the reference and the code
            page.locator("#given_names").fill("Wilmer")
            page.locator("#reporter_name").fill("Marta")
            page.locator("#contact").fill("+502 5555 0000")
            page.locator("#consent_search").check()
            _wait_for_the_challenge(page)
            page.locator("form.family-request [type=submit]").click()
            expect(page.locator(".code")).to_be_visible()
            check(f"{base}/request sent")
            reference = page.locator(".reference").inner_text().strip()
            code = page.locator(".code").inner_text().strip()
            # a wrong code, then the family's own page
            page.goto(live_server(f"{base}/follow"))
            page.locator("#reference").fill(reference)
            page.locator("#code").fill("AAAA-BBBB-CCCC")
            page.locator("main form [type=submit]").click()
            expect(page.locator("#code-error")).to_be_visible()
            check(f"{base}/follow refused")
            page.locator("#code").fill(code)
            page.locator("main form [type=submit]").click()
            expect(page.locator(".family-status")).to_be_visible()
            check(f"{base}/mine")
            # information added empty: refused at its field
            page.locator("form[action$='/mine/add'] [type=submit]").click()
            expect(page.locator("#words-error")).to_be_visible()
            check(f"{base}/mine/add refused")
            # the error page: photos larger than the whole form may carry
            live_server.app.config["ATTACHMENT_MAX_BYTES"] = 1000
            page.goto(live_server(f"{base}/request"))
            page.locator("#photo_person").set_input_files(
                files=[{"name": "big.jpg", "mimeType": "image/jpeg", "buffer": b"\xff" * 1_200_000}]
            )
            page.locator("form.family-request [type=submit]").click()
            expect(page.locator("main [role=alert]")).to_be_visible()
            check(f"{base} error page")
            live_server.app.config["ATTACHMENT_MAX_BYTES"] = limit
    finally:
        live_server.app.config["ATTACHMENT_MAX_BYTES"] = limit
        context.close()
    assert {name: found for name, found in problems.items() if found} == {}


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _rgb(css: str) -> tuple[int, int, int]:
    parts = css[css.index("(") + 1 : css.index(")")].split(",")
    return int(parts[0]), int(parts[1]), int(parts[2])


def test_the_focus_ring_shows_on_every_kind_of_field_with_3_to_1_contrast(
    sign_in, page, live_server
) -> None:
    sign_in("supervisor")
    page.goto(live_server("/remains/new"))
    for selector in ("#recovery_date", "#recovery_place", "#condition", "main [type=submit]"):
        page.focus(selector)
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focus by keyboard: :focus-visible
        style = page.eval_on_selector(
            selector,
            "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth,"
            " s.outlineColor, s.outlineOffset]; }",
        )
        assert style[0] == "solid" and float(style[1].removesuffix("px")) >= 2, (selector, style)
        ring = _rgb(style[2])
        # drawn outside the control (the offset), so what it must stand out from is the page
        assert float(style[3].removesuffix("px")) >= 1, (selector, style)
        for background in ((255, 255, 255), (0xF7, 0xF8, 0xFA)):
            assert _contrast(ring, background) >= 3, (selector, style)
    # inside a date field the focus sits on its parts: the field still shows the ring
    page.focus("#recovery_date")
    outline = page.eval_on_selector("#recovery_date", "e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"


def test_targets_are_at_least_24_px(sign_in, page, live_server, cases) -> None:
    page.set_viewport_size(PHONE)
    sign_in("supervisor")
    for path in ("/missing/", "/matches/", "/notifications/choices", cases[0]):
        page.goto(live_server(path))
        small = page.evaluate(
            """() => [...document.querySelectorAll(
                  'main td a, header a, header button, main input[type=checkbox],'
                  + ' main input[type=radio]')]
                .filter(e => e.offsetParent !== null)
                .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
                .filter(([, r]) => r.height < 24 || r.width < 24)
                .map(([html, r]) => `${html} ${r.width}x${r.height}`)"""
        )
        assert small == [], (path, small)


def test_the_role_label_is_in_the_readers_language(sign_in, page, live_server) -> None:
    from casework.accounts import services
    from casework.extensions import db

    with live_server.app.test_request_context():
        services.set_language(_user(live_server, "family_liaison"), "ar", ["ar"])
        db.session.remove()
    try:
        page.goto(live_server("/auth/login"))
        page.get_by_label("E-mail").fill(live_server.users["family_liaison"])
        page.get_by_label("Password").fill("correct horse battery staple")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        expect(page.locator("header .role")).to_have_text("مسؤول التواصل مع الأسر")
        assert axe_violations(page) == []
    finally:
        with live_server.app.test_request_context():
            services.set_language(_user(live_server, "family_liaison"), "en", ["en"])
            db.session.remove()


def _tab_to(page, wanted: str, limit: int = 400) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement.matches({wanted!r})"):
            return
    raise AssertionError(f"{wanted} is not reachable with the keyboard")


def test_a_remains_case_is_logged_with_the_keyboard_alone(sign_in, page, live_server) -> None:
    sign_in("forensic_officer")
    page.goto(live_server("/remains/new"))
    expect(page.get_by_text("needs at least a recovery date or a recovery place")).to_be_visible()
    # an empty submission is refused, the message tied to the date field
    _tab_to(page, "main [type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    date_field = page.locator("#recovery_date")
    expect(date_field).to_have_attribute("aria-invalid", "true")
    described = date_field.get_attribute("aria-describedby")
    expect(page.locator(f"#{described}")).to_contain_text("a recovery date or a place")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log unidentified remains")

    page.goto(live_server("/remains/new"))
    _tab_to(page, "#recovery_place")
    page.keyboard.type("Organ Pipe Cactus National Monument")
    _tab_to(page, "#condition")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "main [type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("UR-")
    expect(page.locator("main")).to_contain_text("Organ Pipe Cactus National Monument")


def test_a_family_sends_its_request_with_the_keyboard_alone(browser, live_server) -> None:
    from casework.extensions import db
    from casework.family_portal.models import FamilyRequest
    from casework.family_portal.services import person_of, reporter_of

    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        page.goto(live_server("/family/fr/request"))
        # the skip link comes first and takes the keyboard to the content
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.matches('a.skip')")
        _tab_to(page, "#given_names")
        page.keyboard.type("Moussa")
        _tab_to(page, "#surnames")
        page.keyboard.type("Diallo")
        _tab_to(page, "#reporter_name")
        page.keyboard.type("Aïssata Diallo")
        _tab_to(page, "#relationship")
        chosen = page.locator("#relationship").input_value()
        page.keyboard.press("ArrowDown")  # the next choice in the list
        expect(page.locator("#relationship")).not_to_have_value(chosen)
        chosen = page.locator("#relationship").input_value()
        _tab_to(page, "#contact")
        page.keyboard.type("+223 70 00 00 00")
        _tab_to(page, "#consent_search")
        page.keyboard.press("Space")
        expect(page.locator("#consent_search")).to_be_checked()
        _wait_for_the_challenge(page)
        _tab_to(page, "form.family-request [type=submit]")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Votre demande a été envoyée")
        reference = page.locator(".reference").inner_text().strip()
    finally:
        context.close()
    with live_server.app.test_request_context():
        stored = db.session.scalar(
            db.select(FamilyRequest).where(FamilyRequest.reference == reference)
        )
        person, reporter = person_of(stored), reporter_of(stored)
        assert (person["given_names"], person["surnames"]) == ("Moussa", "Diallo")
        assert reporter["reporter_name"] == "Aïssata Diallo"
        assert (reporter["relationship"], reporter["contact"]) == (chosen, "+223 70 00 00 00")
        assert stored.consent_search and stored.language == "fr"
        db.session.remove()
