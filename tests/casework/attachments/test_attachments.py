"""Attachments: type by content, size limits, metadata stripped, encrypted at rest, access and
audit on every look."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.casework.factories import make_remains
from tests.casework.test_personal_data import _raw_dump

CAPTION = "Rosary with green beads found in the left pocket"
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps() -> bytes:
    """A 64x48 JPEG whose EXIF holds a camera, a GPS position and 'rotate 90° clockwise'."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[ORIENTATION] = 6
    exif[GPS_IFD] = {1: "N", 2: (31.0, 29.0, 17.5), 3: "W", 4: (111.0, 32.0, 4.25)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"shot near Sasabe")
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (32, 32), noise: bool = False) -> bytes:
    image = Image.new("RGB", size, (10, 120, 40))
    if noise:
        import os

        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def case(app, world):
    from casework.accounts.models import User
    from casework.extensions import db

    with app.test_request_context():
        remains = make_remains(db.session.get(User, world.user("forensic_officer")))
        return remains.reference


def _upload(client, reference, content, *, kind="effect_photo", caption=CAPTION, name="x.jpg"):
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(
        path=f"/attachments/remains/{reference}/new",
        method="POST",
        data={"kind": kind, "caption": caption, "file": (io.BytesIO(content), name)},
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:  # a large body is spooled to a temporary file, which a refused request never reads
        environ["wsgi.input"].close()
        builder.close()


def _attachments(app):
    from casework.attachments.models import Attachment
    from casework.extensions import db

    with app.app_context():
        rows = db.session.scalars(select(Attachment)).all()
        db.session.remove()
        return rows


def _audits(app, action):
    from casework.audit.models import AuditEntry
    from casework.extensions import db

    with app.app_context():
        count = db.session.scalar(
            select(func.count()).where(
                AuditEntry.object_type == "Attachment", AuditEntry.action == action
            )
        )
        db.session.remove()
        return count


def test_a_photo_comes_back_upright_without_any_metadata(app, as_user, case) -> None:
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as before:  # the test photo really carries them
        assert before.getexif().get_ifd(GPS_IFD)
        assert before.getexif()[ORIENTATION] == 6

    client = as_user("forensic_officer")
    response = _upload(client, case, original)
    assert response.status_code == 303
    (stored,) = _attachments(app)

    served = client.get(f"/attachments/{stored.id}")
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    assert served.headers["Content-Disposition"].startswith("inline;")
    assert "no-store" in served.headers["Cache-Control"]
    with Image.open(io.BytesIO(served.data)) as after:
        assert len(after.getexif()) == 0
        assert "exif" not in after.info and "comment" not in after.info
        assert after.size == (48, 64)  # the orientation was applied to the pixels
    assert b"Exif" not in served.data and b"Sasabe" not in served.data
    page = client.get(f"/remains/{case}").get_data(as_text=True)
    assert CAPTION in page


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_lose_their_text_and_profile(app, as_user, case, fmt) -> None:
    from PIL.PngImagePlugin import PngInfo

    image = Image.new("P", (20, 10))
    image.putpalette([0, 0, 0, 250, 10, 10] + [0] * 762)
    image.paste(1, (2, 2, 10, 10))
    out = io.BytesIO()
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (31.0, 29.0, 17.5)}
    if fmt == "PNG":
        text = PngInfo()
        text.add_text("Location", "Sasabe 31.48N")
        image.save(out, format="PNG", pnginfo=text, exif=exif)
    else:
        image.convert("RGB").save(out, format="WEBP", exif=exif, lossless=True)
    client = as_user("forensic_officer")
    assert _upload(client, case, out.getvalue(), name="p.bin").status_code == 303
    (stored,) = _attachments(app)

    served = client.get(f"/attachments/{stored.id}")
    assert served.mimetype == f"image/{fmt.lower()}"
    assert b"Sasabe" not in served.data and b"Exif" not in served.data
    with Image.open(io.BytesIO(served.data)) as after:
        assert len(after.getexif()) == 0 and "Location" not in after.info
        red, green, blue = after.convert("RGB").getpixel((5, 5))  # colours kept (WebP: lossy)
        assert red > 200 and green < 50 and blue < 50


def test_every_look_is_audited(app, as_user, case) -> None:
    client = as_user("forensic_officer")
    _upload(client, case, png_bytes(), kind="tattoo_photo")
    (stored,) = _attachments(app)
    client.get(f"/attachments/{stored.id}")
    download = client.get(f"/attachments/{stored.id}?download=1")

    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert _audits(app, "view") == 1
    assert _audits(app, "export") == 1


def test_a_pdf_document_is_kept_as_is_and_only_downloaded(app, as_user, case) -> None:
    client = as_user("supervisor")
    assert _upload(client, case, PDF, kind="document", name="cert.pdf").status_code == 303
    (stored,) = _attachments(app)
    served = client.get(f"/attachments/{stored.id}")
    assert served.data == PDF
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert served.headers["Content-Disposition"].endswith('.pdf"')


@pytest.mark.parametrize(
    ("content", "kind", "message"),
    [
        (b"GIF89a" + b"\x00" * 64, "effect_photo", "not accepted"),
        (b"just some text pretending to be a photo", "document", "not accepted"),
        (b"\xff\xd8\xff\xe0" + b"garbage" * 20, "effect_photo", "could not be read"),
        (PDF, "tattoo_photo", "must be a JPEG, PNG or WebP"),
        (b"%PDF-1.4\n truncated", "document", "incomplete or damaged"),
        (b"", "effect_photo", "Choose a file"),
    ],
)
def test_wrong_files_are_refused_and_nothing_is_stored(
    app, as_user, case, content, kind, message
) -> None:
    response = _upload(as_user("forensic_officer"), case, content, kind=kind, name="photo.jpg")

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _attachments(app) == []


def test_bad_caption_or_kind_stores_nothing(app, as_user, case) -> None:
    client = as_user("forensic_officer")
    long = _upload(client, case, png_bytes(), caption="x" * 501)
    odd = _upload(client, case, png_bytes(), kind="selfie")
    assert long.status_code == 400 and odd.status_code == 400
    assert _attachments(app) == []


def test_too_large_files_are_refused(app, as_user, case) -> None:
    app.config["ATTACHMENT_MAX_BYTES"] = 4000
    client = as_user("forensic_officer")
    big = png_bytes((64, 64), noise=True)
    assert 4000 < len(big) < 1024 * 1024

    refused = _upload(client, case, big)
    assert refused.status_code == 400
    assert "The file is too large: files up to 4 KB" in refused.get_data(as_text=True)

    huge = _upload(client, case, b"\xff\xd8\xff" + b"\x00" * (1024 * 1024 + 8000))
    assert huge.status_code == 413
    assert "files up to 4 KB are accepted" in huge.get_data(as_text=True)
    assert _attachments(app) == []


def test_the_413_message_names_the_limit(app, as_user, case) -> None:
    app.config["ATTACHMENT_MAX_BYTES"] = 2 * 1024 * 1024
    response = _upload(as_user("forensic_officer"), case, b"\x00" * (4 * 1024 * 1024))
    assert response.status_code == 413
    assert "files up to 2 MB are accepted" in response.get_data(as_text=True)


def test_other_agencies_and_other_consuls_never_see_it(app, as_user, case) -> None:
    _upload(as_user("forensic_officer"), case, png_bytes())
    (stored,) = _attachments(app)
    for role in ("officer_abroad", "consular_official", "consular_gtm"):
        assert as_user(role).get(f"/attachments/{stored.id}").status_code == 404, role
    assert as_user("administrator").get(f"/attachments/{stored.id}").status_code == 403
    refused = _upload(as_user("officer_abroad"), case, png_bytes())
    assert refused.status_code == 404
    assert len(_attachments(app)) == 1
    assert _audits(app, "view") == 0


def test_raw_storage_holds_neither_image_bytes_nor_caption(app, world, case) -> None:
    from casework.accounts.models import User
    from casework.attachments.services import attach
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    with app.test_request_context():
        officer = db.session.get(User, world.user("forensic_officer"))
        remains = db.session.scalar(
            select(UnidentifiedRemains).where(UnidentifiedRemains.reference == case)
        )
        stored = attach(officer, remains, "effect_photo", jpeg_with_gps(), CAPTION)
        attach(officer, remains, "document", PDF, "Death certificate of the Pima registrar")
        assert stored.content.startswith(b"\xff\xd8\xff")  # the app reads it back
        dump = _raw_dump(db)
    for secret in (b"\xff\xd8\xff", b"JFIF", b"%PDF-", CAPTION.encode(), b"Pima registrar"):
        assert secret not in dump, secret


def test_ciphertext_is_bound_to_its_row(app, world, case) -> None:
    from casework.accounts.models import User
    from casework.attachments.models import Attachment
    from casework.attachments.services import attach
    from casework.crypto import CryptoError
    from casework.extensions import db
    from casework.remains.models import UnidentifiedRemains

    with app.test_request_context():
        officer = db.session.get(User, world.user("forensic_officer"))
        remains = db.session.scalar(
            select(UnidentifiedRemains).where(UnidentifiedRemains.reference == case)
        )
        first = attach(officer, remains, "effect_photo", png_bytes(), None)
        second = attach(officer, remains, "effect_photo", png_bytes((8, 8)), None)
        db.session.execute(
            Attachment.__table__.update()
            .where(Attachment.id == second.id)
            .values(content_ct=first.content_ct)
        )
        db.session.commit()
        db.session.expire_all()
        with pytest.raises(CryptoError):
            _ = db.session.get(Attachment, second.id).content


def test_the_upload_limit_applies_before_the_form_is_read(app, as_user, case) -> None:
    """With CSRF on (as in production) the token check parses the form first: the attachment
    limit must already be in force then, or a large body would be read in full."""
    client = as_user("forensic_officer")
    app.config["ATTACHMENT_MAX_BYTES"] = 4000
    app.config["WTF_CSRF_ENABLED"] = True
    response = _upload(client, case, b"\x00" * (1024 * 1024 + 8000))
    assert response.status_code == 413
    assert "files up to 4 KB are accepted" in response.get_data(as_text=True)
    assert client.post("/remains/new", data={}).status_code == 400  # CSRF is really on
