"""Notifications for staff: what needs them (a new candidate, a second signature, a step due),
in the app and in an e-mail digest, each kind received only by those who chose it."""
