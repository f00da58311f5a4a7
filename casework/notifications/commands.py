"""`casework notifications …`: the daily look at repatriation steps and the e-mail digest,
both safe to run again (cron, a systemd timer)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from casework.console import act_as_cli, fail
from casework.errors import CaseworkError

notifications = AppGroup("notifications", help="Notifications for staff.")


@notifications.command("repatriation-steps")
def repatriation_steps() -> None:
    """Tell consuls of repatriation steps due soon or overdue (run daily; idempotent)."""
    from casework.notifications.producers import notify_repatriation_steps
    from casework.repatriation.services import today

    act_as_cli("notifications repatriation-steps")
    written = notify_repatriation_steps(today())
    click.echo(f"{written} notifications of repatriation steps written.")


@notifications.command("send-digest")
def send_digest_command() -> None:
    """Mail each user their unread notifications not mailed yet (needs the SMTP settings)."""
    from casework.notifications.digest import send_digest

    act_as_cli("notifications send-digest")
    try:
        report = send_digest()
    except CaseworkError as error:
        fail(error)
    click.echo(f"{report.messages} digests sent ({report.notifications} notifications).")
