"""What each notification says, written when it is read, in the reader's language: the kind,
the references and a code, never a name, so the same words can go into an e-mail."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from casework.notifications.models import Notification, NotificationKind
from casework.vocabulary import label

K = NotificationKind

KIND_NAMES = {
    K.FAMILY_REQUEST: _l("A family request for my agency: a new one, or news from the family"),
    K.CANDIDATE_FOR_REVIEW: _l("A candidate above the review threshold on my agency's case"),
    K.IDENTIFICATION_WAITING: _l("An identification waiting for a second person"),
    K.REPATRIATION_STEP: _l("A repatriation step due or overdue"),
    K.EXCHANGE_HIT: _l("A cross-border hit on my agency's case"),
    K.DISCLOSURE_REQUEST: _l("A disclosure request from another authority"),
    K.DNA_HIT: _l("A DNA hit on my agency's case"),
}


def sentence(notification: Notification) -> str:
    """The notification as a sentence in the current language."""
    kind, reference, detail = notification.kind, notification.reference, notification.detail
    if kind is K.FAMILY_REQUEST and (detail or "").startswith("addition:"):
        return str(
            _l(
                "The family of request %(reference)s sent something new: %(what)s.",
                reference=reference,
                what=label((detail or "").partition(":")[2]),
            )
        )
    if kind is K.FAMILY_REQUEST:
        return str(_l("New family request %(reference)s for your agency.", reference=reference))
    if kind is K.CANDIDATE_FOR_REVIEW:
        return str(
            _l("New candidate above the review threshold: %(reference)s.", reference=reference)
        )
    if kind is K.IDENTIFICATION_WAITING:
        return str(
            _l(
                "Identification %(reference)s is waiting for a second person to confirm it.",
                reference=reference,
            )
        )
    if kind is K.REPATRIATION_STEP:
        state, _, step = (detail or "").partition(":")
        step_word = label(step)
        if state == "overdue":
            return str(
                _l(
                    "Repatriation %(reference)s: the step “%(step)s” is overdue.",
                    reference=reference,
                    step=step_word,
                )
            )
        return str(
            _l(
                "Repatriation %(reference)s: the step “%(step)s” is due soon.",
                reference=reference,
                step=step_word,
            )
        )
    if kind is K.EXCHANGE_HIT:
        return str(_l("Cross-border hit on %(reference)s.", reference=reference))
    if kind is K.DISCLOSURE_REQUEST:
        return str(
            _l("Another authority asks for the details of %(reference)s.", reference=reference)
        )
    return str(_l("DNA hit on %(reference)s.", reference=reference))
