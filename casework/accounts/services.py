"""Account rules: creating users, logging in (lock-out, second factor), enrolling TOTP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import pyotp
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from casework.accounts import session_store, throttle
from casework.accounts.access import administers, assignable_roles
from casework.accounts.models import Agency, AgencyKind, Role, User
from casework.accounts.passwords import (
    hash_password,
    needs_rehash,
    verify_nothing,
    verify_password,
)
from casework.audit.services import Actor, AuditAction, append, record
from casework.clock import now
from casework.db import db, transaction
from casework.errors import NotAllowed, ValidationError

TOTP_ISSUER = "Casework"


def _valid_country(country: str) -> str:
    code = (country or "").strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise ValidationError(
            _l("Country must be a three-letter ISO 3166 code such as GTM, USA or ERI."),
            field="country",
        )
    return code


def create_agency(code: str, country: str, name: str, kind: AgencyKind) -> Agency:
    code = (code or "").strip().upper()
    if not code or len(code) > 40:
        raise ValidationError(
            _l("An agency needs a short code (up to 40 characters)."), field="code"
        )
    if not (name or "").strip():
        raise ValidationError(_l("An agency needs a name."), field="name")
    if db.session.scalar(select(Agency.id).where(Agency.code == code)) is not None:
        raise ValidationError(
            _l("An agency with code %(code)s already exists.", code=code), field="code"
        )
    with transaction():
        agency = Agency(code=code, country=_valid_country(country), name=name.strip(), kind=kind)
        db.session.add(agency)
    return agency


def check_may_administer(by: User, agency: Agency, role: Role | None = None) -> None:
    """Refuse, in words, an account change outside what `by` administers: another agency's
    accounts for an agency administrator, or a role they may not give."""
    if not administers(by, agency.id):
        raise NotAllowed(
            _l(
                "You manage the accounts of your own agency only; "
                "the system administrator manages the other agencies' accounts."
            ),
            field="agency_id",
        )
    if role is not None and role not in assignable_roles(by):
        raise NotAllowed(
            _l("Only a system administrator can give the role of system administrator."),
            field="role",
        )


def create_user(
    *,
    agency: Agency,
    email: str,
    display_name: str,
    role: Role,
    password: str,
    language: str = "en",
    by: User | None = None,
) -> User:
    """A new account. `by` is the administrator creating it from the pages (checked against
    what they administer); None for the operator at the command line."""
    if by is not None:
        check_may_administer(by, agency, role)
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254 or " " in email:
        raise ValidationError(_l("Enter a valid e-mail address."), field="email")
    if not (display_name or "").strip():
        raise ValidationError(_l("Enter the person's name."), field="display_name")
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise ValidationError(
            _l("An account for %(email)s already exists.", email=email), field="email"
        )
    password_hash = hash_password(password)  # slow on purpose: not while holding the lock
    with transaction():
        user = User(
            agency=agency,
            email=email,
            display_name=display_name.strip(),
            role=role,
            password_hash=password_hash,
            language=language,
        )
        db.session.add(user)
    return user


def _administered(by: User, user: User) -> None:
    """`by` may act on `user`'s account: same agency (or system-wide), and a role `by` could
    give (an agency administrator leaves a system administrator alone)."""
    check_may_administer(by, user.agency, user.role)


def _account_event(user: User, event: str, **details: object) -> None:
    append(
        db.session,
        AuditAction.SECURITY,
        object_type="User",
        object_id=user.id,
        details={"event": event, "account": user.email, **details},
    )


def set_enabled(by: User, user: User, enabled: bool) -> None:
    """Disable an account (its sessions end at once) or enable it again."""
    _administered(by, user)
    if user.id == by.id and not enabled:
        raise ValidationError(_l("You cannot disable your own account."))
    if user.is_enabled == enabled:
        return
    with transaction():
        user.is_enabled = enabled
        ended = session_store.end_all(user) if not enabled else 0
        _account_event(user, "account enabled" if enabled else "account disabled", sessions=ended)


def unlock(by: User, user: User) -> int:
    """Forget every address's failed sign-ins to `user`; returns how many were held back."""
    _administered(by, user)
    with transaction():
        cleared = throttle.forget(user)
        _account_event(user, "sign-in failures cleared", addresses=cleared)
    return cleared


def reset_password(by: User, user: User, password: str) -> None:
    """Give `user` a new password (told to them apart); their sessions end."""
    _administered(by, user)
    password_hash = hash_password(password)  # slow on purpose: not while holding the lock
    with transaction():
        user.password_hash = password_hash
        throttle.forget(user)
        ended = session_store.end_all(user)
        _account_event(user, "password reset", sessions=ended)


def change_role(by: User, user: User, role: Role) -> None:
    _administered(by, user)
    check_may_administer(by, user.agency, role)
    if user.id == by.id:
        raise ValidationError(_l("You cannot change your own role."), field="role")
    if user.role is role:
        return
    before = user.role
    with transaction():
        user.role = role
        _account_event(user, "role changed", role=[before.value, role.value])


class LoginRefused(ValidationError):
    status_code = 401


@dataclass(frozen=True)
class LoginOutcome:
    user: User
    needs_totp: bool


_REFUSED = _l("The e-mail address or password is wrong.")


HELD_BACK = _l(
    "Too many failed attempts from this address: wait a few minutes and try again, "
    "or ask an administrator."
)


def check_password_login(email: str, password: str, remote_addr: str | None) -> LoginOutcome:
    """First factor. Failed attempts are audited and count towards holding back this address
    for this account (see `throttle`), never the account for everyone."""
    email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    moment = now()
    if user is None:
        verify_nothing(password)
        with transaction():
            append(
                db.session,
                AuditAction.LOGIN_FAILED,
                details={"email": email[:254], "reason": "unknown account"},
                actor=Actor(None, "anonymous", None, remote_addr),
            )
        raise LoginRefused(_REFUSED)
    if throttle.held_until(user, remote_addr, moment) is not None:
        _login_failed(user, remote_addr, "held back", moment, count=False)
        raise LoginRefused(HELD_BACK)
    if not verify_password(user.password_hash, password) or not user.is_enabled:
        _login_failed(
            user, remote_addr, "wrong password" if user.is_enabled else "disabled", moment
        )
        raise LoginRefused(_REFUSED)
    if needs_rehash(user.password_hash):
        rehashed = hash_password(password)
        with transaction():
            user.password_hash = rehashed
    return LoginOutcome(user=user, needs_totp=user.totp_enabled)


def _login_failed(
    user: User, remote_addr: str | None, reason: str, moment: datetime, *, count: bool = True
) -> None:
    """Audit a refused attempt and count it against this address."""
    with transaction():
        held = throttle.record_failure(user, remote_addr, moment) if count else False
        append(
            db.session,
            AuditAction.LOGIN_FAILED,
            object_type="User",
            object_id=user.id,
            details={"reason": reason, **({"held_back": True} if held else {})},
            actor=Actor(user.id, user.email, user.agency_id, remote_addr),
        )


def second_factor_held(user: User, remote_addr: str | None) -> bool:
    return throttle.held_until(user, remote_addr, now()) is not None


def second_factor_failed(user: User, remote_addr: str | None) -> None:
    """A wrong (or replayed) code counts like a wrong password."""
    _login_failed(user, remote_addr, "wrong code", now())


def check_totp(user: User, code: str) -> bool:
    """Second factor: a current code, each time step usable once (no replay)."""
    code = (code or "").strip().replace(" ", "")
    if not user.totp_enabled or not user.totp_secret or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    moment = now()
    for drift in (0, -1, 1):
        step = totp.timecode(moment) + drift
        if totp.generate_otp(step) == code:
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False
            user.totp_last_step = step
            return True
    return False


def complete_login(user: User, remote_addr: str | None, *, second_factor: bool) -> None:
    with transaction():
        throttle.forget(user, remote_addr)
        user.last_login_at = now()
        append(
            db.session,
            AuditAction.LOGIN,
            object_type="User",
            object_id=user.id,
            details={"second_factor": second_factor},
            actor=Actor(user.id, user.email, user.agency_id, remote_addr),
        )


def record_logout(user: User) -> None:
    with transaction():
        record(AuditAction.LOGOUT, user)


def begin_totp_enrolment(user: User) -> str:
    """A new secret, kept pending (not enabled) until the user proves they can use it."""
    secret = pyotp.random_base32()
    with transaction():
        user.totp_secret = secret
        user.totp_enabled = False
    return secret


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def confirm_totp_enrolment(user: User, code: str) -> None:
    if not user.totp_secret:
        raise ValidationError(_l("Start the set-up of the authenticator app first."))
    with transaction():  # a wrong code leaves the account as it was
        user.totp_enabled = True
        if not check_totp(user, code):
            raise ValidationError(
                _l("That code is not right. Check the clock of your phone and try again."),
                field="code",
            )
        append(
            db.session,
            AuditAction.SECURITY,
            object_type="User",
            object_id=user.id,
            details={"event": "totp enabled"},
        )


def set_language(user: User, language: str, allowed: list[str]) -> None:
    if language not in allowed:
        raise ValidationError(
            _l("Choose one of the languages offered (%(languages)s).", languages=", ".join(allowed))
        )
    with transaction():
        user.language = language


def load_user(user_id: str) -> User | None:
    try:
        key = uuid.UUID(user_id)
    except ValueError:
        return None
    return db.session.get(User, key)
