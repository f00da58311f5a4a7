"""The first page after signing in: what needs attention."""
