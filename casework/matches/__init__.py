"""Candidate matches between missing persons and remains: the engine proposes, people decide."""
