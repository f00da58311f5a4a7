"""DNA kinship engine: STR profiles, frequency databases, pedigrees, exact likelihood ratios and
the DNA-led search of every remains profile against every family. No web, no database, no clock.
"""

from matching.kinship.errors import (
    FrequencyError,
    KinshipError,
    PedigreeError,
    ProfileError,
    SettingsError,
)
from matching.kinship.frequencies import (
    SHIPPED_FILES,
    FrequencyDatabase,
    LocusFrequencies,
    PopulationFrequencies,
    load_frequencies,
)
from matching.kinship.likelihood import (
    KinshipResult,
    LocusResult,
    likelihood_ratio,
)
from matching.kinship.mutation import mutation_matrix
from matching.kinship.pedigree import (
    Family,
    Pedigree,
    Person,
    Relationship,
    parse_sex,
    standard_pedigree,
)
from matching.kinship.profiles import (
    KNOWN_LOCI,
    Genotype,
    Profile,
    normalise_allele,
    normalise_locus,
    parse_genotype,
)
from matching.kinship.search import KinshipHit, KinshipSearch
from matching.kinship.settings import KinshipSettings, MutationModel
from matching.records import Sex

__all__ = [
    "KNOWN_LOCI",
    "SHIPPED_FILES",
    "Family",
    "FrequencyDatabase",
    "FrequencyError",
    "Genotype",
    "KinshipError",
    "KinshipHit",
    "KinshipResult",
    "KinshipSearch",
    "KinshipSettings",
    "LocusFrequencies",
    "LocusResult",
    "MutationModel",
    "Pedigree",
    "PedigreeError",
    "Person",
    "PopulationFrequencies",
    "Profile",
    "ProfileError",
    "Relationship",
    "SettingsError",
    "Sex",
    "likelihood_ratio",
    "load_frequencies",
    "mutation_matrix",
    "normalise_allele",
    "normalise_locus",
    "parse_genotype",
    "parse_sex",
    "standard_pedigree",
]
