"""The public family portal: families submit a search request without an account and follow it
with a reference and an access code; liaison staff verify, merge, accept or decline it."""
