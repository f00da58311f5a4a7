"""Exchange with other authorities: identity and trust list, bundles of anonymised records,
cross-border hits, disclosure requests, and transport between installations."""
