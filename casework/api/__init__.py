"""The token-authenticated JSON API (/api/v1) and the account pages that issue its tokens."""
