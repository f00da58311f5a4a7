"""DNA kinship engine: STR profiles, frequency databases, pedigrees, exact likelihood ratios,
the DNA-led search of every remains profile against every family, lineage markers (Y-STR,
mtDNA), and the posterior and plain-words reading of a result. No web, no database, no clock.
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
from matching.kinship.lineage import (
    HaplotypeFrequency,
    LineageError,
    LineageSettings,
    LineageVerdict,
    compare_mito,
    compare_y,
    parse_mito_profile,
    parse_y_haplotype,
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
from matching.kinship.reading import (
    Reading,
    ReadingError,
    ReadingKind,
    Relation,
    RoundedNumber,
    Scale,
    Support,
    english,
    log10_lr_of,
    posterior_probability,
    prior_from_open_cases,
    probability_not_identity,
    read_likelihood_ratio,
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
    "HaplotypeFrequency",
    "KinshipError",
    "KinshipHit",
    "KinshipResult",
    "KinshipSearch",
    "KinshipSettings",
    "LineageError",
    "LineageSettings",
    "LineageVerdict",
    "LocusFrequencies",
    "LocusResult",
    "MutationModel",
    "Pedigree",
    "PedigreeError",
    "Person",
    "PopulationFrequencies",
    "Profile",
    "ProfileError",
    "Reading",
    "ReadingError",
    "ReadingKind",
    "Relation",
    "RoundedNumber",
    "Scale",
    "Relationship",
    "SettingsError",
    "Sex",
    "Support",
    "compare_mito",
    "compare_y",
    "english",
    "likelihood_ratio",
    "load_frequencies",
    "log10_lr_of",
    "mutation_matrix",
    "normalise_allele",
    "normalise_locus",
    "parse_genotype",
    "parse_mito_profile",
    "parse_sex",
    "parse_y_haplotype",
    "posterior_probability",
    "prior_from_open_cases",
    "probability_not_identity",
    "read_likelihood_ratio",
    "standard_pedigree",
]
