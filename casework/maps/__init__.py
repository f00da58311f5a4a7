"""The map of cases: recovery points, last-seen points and intended routes a user may see."""
