"""Photos and documents attached to remains cases and repatriation steps, encrypted at rest."""
