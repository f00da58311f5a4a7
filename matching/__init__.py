"""Matching engine: missing-person reports and unidentified remains in, ranked candidate
matches with the evidence for and against each out. A plain library: no web, no database.
"""

from matching.calibration import Calibration, fit_calibration, reported_share_from_history
from matching.candidates import Candidate, Evidence
from matching.casefiles import (
    CANDIDATE_FIELDS,
    MISSING_FIELDS,
    REMAINS_FIELDS,
    MatchReport,
    candidate_rows,
    match_files,
    parse_missing_row,
    parse_remains_row,
    read_missing_csv,
    read_remains_csv,
    write_candidates_csv,
)
from matching.dental import ToothFinding, compare_teeth
from matching.dna import DnaEvidence, pair_dna
from matching.errors import MatchingError, RecordError, RowError, WeightsError
from matching.estimation import LabelledPair, estimate_weights, pair_levels
from matching.explanations import score_pair
from matching.geodesy import distance_km, distance_to_route_km
from matching.index import CandidateIndex
from matching.names import (
    BlockedNameSearch,
    NameHit,
    NameSearch,
    bloom_dice,
    name_keys,
    search_names,
)
from matching.records import (
    DentalEntry,
    LastSeenKind,
    Mark,
    MissingRecord,
    RemainsRecord,
    Sex,
    ToothState,
)
from matching.settings import MatchSettings
from matching.vocabulary import effect_concepts, fold_accents, parse_mark
from matching.weights import CRITERIA, Weights, default_weights

__all__ = [
    "fold_accents",
    "CANDIDATE_FIELDS",
    "CRITERIA",
    "MISSING_FIELDS",
    "REMAINS_FIELDS",
    "Calibration",
    "Candidate",
    "CandidateIndex",
    "DentalEntry",
    "DnaEvidence",
    "Evidence",
    "LabelledPair",
    "LastSeenKind",
    "Mark",
    "MatchReport",
    "MatchSettings",
    "MatchingError",
    "MissingRecord",
    "NameHit",
    "NameSearch",
    "BlockedNameSearch",
    "RecordError",
    "RemainsRecord",
    "RowError",
    "Sex",
    "ToothFinding",
    "ToothState",
    "Weights",
    "WeightsError",
    "bloom_dice",
    "candidate_rows",
    "compare_teeth",
    "default_weights",
    "distance_km",
    "distance_to_route_km",
    "effect_concepts",
    "estimate_weights",
    "fit_calibration",
    "match_files",
    "name_keys",
    "pair_dna",
    "pair_levels",
    "parse_mark",
    "parse_missing_row",
    "parse_remains_row",
    "read_missing_csv",
    "read_remains_csv",
    "reported_share_from_history",
    "score_pair",
    "search_names",
    "write_candidates_csv",
]
