"""Background jobs: work that outlasts a request (imports, re-matches, candidate refreshes,
exchange pushes, audit trail verifications), recorded in the database and run on Redis by RQ
workers, or in-process in the embedded mode."""
