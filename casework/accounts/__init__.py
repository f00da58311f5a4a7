"""Accounts: agencies, users, roles, passwords, second factor, sessions."""
