"""Consular repatriation of identified nationals: steps, due dates, documents."""
