"""Shared vocabulary for marks, clothing and effects: synonyms in English, Spanish and French.

Free text is reduced to concept terms ("hooded sweatshirt" and "sudadera con capucha" are both
``hoodie``) so that reports and examination notes written by different people can be compared.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from matching.records import Mark

# kind -> words and phrases that name it
MARK_KINDS: dict[str, tuple[str, ...]] = {
    "tattoo": ("tattoo", "tatoo", "tattooed", "tatuaje", "tatuado", "tatouage", "tatoue"),
    "scar": ("scar", "cicatriz", "cicatrice", "surgical scar", "keloid", "queloide"),
    "birthmark": (
        "birthmark",
        "birth mark",
        "mancha de nacimiento",
        "marca de nacimiento",
        "tache de naissance",
        "angioma",
    ),
    "mole": ("mole", "lunar", "grain de beaute", "nevus"),
    "piercing": ("piercing", "pierced", "perforacion", "arete", "earring hole"),
    "amputation": ("amputation", "amputated", "amputacion", "amputado", "amputee", "ampute"),
    "burn": ("burn", "burn scar", "quemadura", "brulure"),
    "implant": ("implant", "prosthesis", "protesis", "prothese", "plate", "placa", "pin"),
    "fracture": ("fracture", "healed fracture", "fractura", "broken"),
    "deformity": ("deformity", "deformidad", "deformite", "malformation", "malformacion"),
}

# region -> words; "side" is read apart
BODY_REGIONS: dict[str, tuple[str, ...]] = {
    "head": ("head", "scalp", "cabeza", "tete", "forehead", "frente", "front", "ear", "oreja"),
    "face": ("face", "cara", "visage", "cheek", "mejilla", "joue", "eyebrow", "ceja", "lip"),
    "neck": ("neck", "cuello", "cou", "nape", "nuca"),
    "chest": ("chest", "pecho", "torax", "poitrine", "breast", "seno"),
    "abdomen": ("abdomen", "belly", "stomach", "vientre", "estomago", "ventre", "navel"),
    "back": ("back", "espalda", "dos", "shoulder blade", "omoplato"),
    "arm": (
        "arm",
        "forearm",
        "upper arm",
        "brazo",
        "antebrazo",
        "bras",
        "avant-bras",
        "shoulder",
        "hombro",
        "epaule",
        "elbow",
        "codo",
        "wrist",
        "muneca",
        "poignet",
    ),
    "hand": ("hand", "mano", "main", "finger", "dedo", "doigt", "thumb", "pulgar"),
    "leg": (
        "leg",
        "thigh",
        "calf",
        "knee",
        "shin",
        "pierna",
        "muslo",
        "rodilla",
        "jambe",
        "cuisse",
        "genou",
    ),
    "foot": ("foot", "feet", "ankle", "toe", "pie", "tobillo", "pied", "cheville"),
}

SIDES: dict[str, tuple[str, ...]] = {
    "left": ("left", "izquierdo", "izquierda", "izq", "gauche", "l"),
    "right": ("right", "derecho", "derecha", "der", "droit", "droite", "r"),
}

# concept -> words and phrases; first the garments, then carried objects
EFFECT_CONCEPTS: dict[str, tuple[str, ...]] = {
    "hoodie": (
        "hoodie",
        "hooded sweatshirt",
        "hooded top",
        "sudadera con capucha",
        "sweat a capuche",
    ),
    "sweatshirt": ("sweatshirt", "sweater", "jumper", "pullover", "sudadera", "sueter", "pull"),
    "jacket": ("jacket", "coat", "chaqueta", "chamarra", "abrigo", "veste", "blouson", "manteau"),
    "jeans": ("jeans", "jean", "denim trousers", "denim pants", "vaqueros", "pantalon vaquero"),
    "trousers": ("trousers", "pants", "pantalones", "pantalon", "slacks"),
    "shorts": ("shorts", "short pants", "pantalon corto", "bermuda"),
    "t-shirt": ("t-shirt", "tshirt", "tee shirt", "camiseta", "playera", "tee-shirt"),
    "shirt": ("shirt", "camisa", "chemise", "blouse", "blusa"),
    "dress": ("dress", "vestido", "robe", "abaya", "jalabiya", "djellaba"),
    "skirt": ("skirt", "falda", "jupe"),
    "headscarf": ("headscarf", "hijab", "scarf", "panuelo", "foulard", "voile", "shawl"),
    "cap": ("cap", "baseball cap", "gorra", "casquette", "hat", "sombrero", "chapeau"),
    "beanie": ("beanie", "wool hat", "gorro", "bonnet"),
    "belt": ("belt", "cinturon", "ceinture"),
    "sneakers": ("sneakers", "trainers", "running shoes", "tenis", "zapatillas", "baskets"),
    "boots": ("boots", "botas", "bottes"),
    "sandals": ("sandals", "flip flops", "flip-flops", "chanclas", "sandalias", "sandales"),
    "shoes": ("shoes", "zapatos", "chaussures"),
    "socks": ("socks", "calcetines", "chaussettes"),
    "underwear": ("underwear", "boxers", "briefs", "calzoncillos", "ropa interior", "slip"),
    "life jacket": (
        "life jacket",
        "lifejacket",
        "life vest",
        "chaleco salvavidas",
        "gilet de sauvetage",
    ),
    "rosary": ("rosary", "prayer beads", "rosario", "chapelet", "misbaha", "tasbih", "subha"),
    "cross pendant": ("cross pendant", "crucifix", "cross necklace", "crucifijo", "cruz", "croix"),
    "necklace": (
        "necklace",
        "chain",
        "pendant",
        "collar",
        "cadena",
        "colgante",
        "collier",
        "chaine",
    ),
    "bracelet": ("bracelet", "pulsera", "wristband", "brazalete"),
    "ring": ("ring", "anillo", "sortija", "bague", "wedding ring", "alianza"),
    "earrings": ("earrings", "aretes", "pendientes", "boucles d'oreilles"),
    "watch": ("watch", "wristwatch", "reloj", "montre"),
    "phone": (
        "phone",
        "mobile",
        "cell phone",
        "cellphone",
        "smartphone",
        "celular",
        "telefono",
        "movil",
        "telephone",
        "portable",
    ),
    "wallet": ("wallet", "billetera", "cartera", "portefeuille"),
    "backpack": ("backpack", "rucksack", "mochila", "sac a dos"),
    "bag": ("bag", "bolsa", "bolso", "sac", "pouch"),
    "water bottle": ("water bottle", "bottle", "garrafa", "botella", "gourde", "jug", "galon"),
    "quran": ("quran", "koran", "coran"),
    "bible": ("bible", "biblia"),
    "identity card": ("identity card", "id card", "cedula", "carte d'identite", "dni", "ine"),
    "passport": ("passport", "pasaporte", "passeport"),
    "glasses": ("glasses", "spectacles", "lentes", "gafas", "anteojos", "lunettes"),
    "gloves": ("gloves", "guantes", "gants"),
    "money": ("money", "cash", "dinero", "argent", "banknotes", "dollars", "euros"),
    "photograph": ("photograph", "photo", "picture", "foto", "fotografia"),
    "amulet": ("amulet", "talisman", "gris-gris", "grigri", "amuleto"),
}

COLOURS: dict[str, tuple[str, ...]] = {
    "black": ("black", "negro", "negra", "noir", "noire"),
    "white": ("white", "blanco", "blanca", "blanc", "blanche"),
    "red": ("red", "rojo", "roja", "rouge"),
    "blue": ("blue", "azul", "bleu", "bleue", "navy"),
    "green": ("green", "verde", "vert", "verte"),
    "grey": ("grey", "gray", "gris", "grise"),
    "brown": ("brown", "cafe", "marron", "brun"),
    "yellow": ("yellow", "amarillo", "amarilla", "jaune"),
}

# motifs of tattoos and the like, so that "rosa" (es) and "rose" (fr) read as "rose"
MOTIFS: dict[str, tuple[str, ...]] = {
    "rose": ("rosa", "rose"),
    "flower": ("flor", "fleur", "flores", "fleurs"),
    "cross": ("cruz", "croix", "crucifix", "crucifijo"),
    "heart": ("corazon", "coeur"),
    "star": ("estrella", "etoile"),
    "eagle": ("aguila", "aigle"),
    "skull": ("calavera", "craneo", "crane"),
    "snake": ("serpiente", "serpent", "culebra"),
    "virgin": ("virgen", "vierge", "guadalupe"),
    "name": ("nombre", "nom", "lettering", "letras", "lettres", "letters", "initials"),
    "mother": ("madre", "mere", "mama", "maman"),
    "dragon": ("dragon", "dragón"),
    "tiger": ("tigre",),
    "lion": ("leon",),
    "butterfly": ("mariposa", "papillon"),
    "moon": ("luna", "lune"),
    "sun": ("sol", "soleil"),
    "anchor": ("ancla", "ancre"),
    "dove": ("paloma", "colombe"),
    "angel": ("angel", "ange"),
    "tribal": ("tribal",),
    "number": ("numero", "numeros", "numbers", "digits", "chiffres"),
}
_MOTIF_WORDS = {word: motif for motif, words in MOTIFS.items() for word in words}

_STOP_WORDS = frozenset(
    "a an the of on in with and or de del la el los las con y en un una le les du des et avec sur "
    "au aux small large big pequeno grande petit".split()
)


def fold_accents(text: str) -> str:
    """The text with accents and other combining marks taken off (NFKD, compatibility forms
    unfolded too): the one folding that names and words go through, here and in the app's
    blind name index, whose stored digests depend on it.

    Example:
        >>> fold_accents("Nguyễn Thị Ｍinh ﬁ")
        'Nguyen Thi Minh fi'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def plain_text(text: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces.

    Example:
        >>> plain_text("  Tatuaje — BRAZO izquierdo! ")
        'tatuaje brazo izquierdo'
    """
    stripped = fold_accents(text)
    return " ".join(re.sub(r"[^a-z0-9'\-]+", " ", stripped.lower()).replace("-", " ").split())


def _phrase_table(table: dict[str, tuple[str, ...]]) -> list[tuple[tuple[str, ...], str]]:
    phrases = [
        (tuple(plain_text(phrase).split()), term)
        for term, words in table.items()
        for phrase in words
    ]
    phrases += [(tuple(plain_text(term).split()), term) for term in table]
    # longest phrases first so "hooded sweatshirt" wins over "sweatshirt"
    return sorted(set(phrases), key=lambda item: -len(item[0]))


_KIND_PHRASES = _phrase_table(MARK_KINDS)
_REGION_PHRASES = _phrase_table(BODY_REGIONS)
_SIDE_PHRASES = _phrase_table(SIDES)
_EFFECT_PHRASES = _phrase_table(EFFECT_CONCEPTS)
_COLOUR_WORDS = {word: colour for colour, words in COLOURS.items() for word in words}


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _find_terms(
    words: list[str], phrases: list[tuple[tuple[str, ...], str]]
) -> tuple[list[str], list[bool]]:
    """Find vocabulary phrases in a word list; return the terms and which words they used."""
    used = [False] * len(words)
    singular = [_singular(word) for word in words]
    found: list[str] = []
    for phrase, term in phrases:
        size = len(phrase)
        for start in range(len(words) - size + 1):
            if any(used[start : start + size]):
                continue
            window = words[start : start + size]
            if tuple(window) == phrase or tuple(singular[start : start + size]) == phrase:
                found.append(term)
                used[start : start + size] = [True] * size
    return found, used


@lru_cache(maxsize=1 << 16)
def effect_concepts(text: str) -> frozenset[str]:
    """Reduce a free-text description of clothing or effects to vocabulary concepts.

    Example:
        >>> sorted(effect_concepts("sudadera con capucha negra; prayer beads"))
        ['hoodie', 'rosary']
    """
    words = plain_text(text).split()
    found, _ = _find_terms(words, _EFFECT_PHRASES)
    return frozenset(found)


@lru_cache(maxsize=1 << 16)
def effect_colours(text: str) -> frozenset[str]:
    """Colours named in a free-text description, in English.

    Example:
        >>> sorted(effect_colours("chaqueta roja, jeans azules"))
        ['blue', 'red']
    """
    found: set[str] = set()
    for word in plain_text(text).split():
        forms = {word, word[:-1], word[:-2]} if word.endswith("s") else {word}
        for form in forms:
            if form in _COLOUR_WORDS:
                found.add(_COLOUR_WORDS[form])
    return frozenset(found)


@lru_cache(maxsize=1 << 16)
def parse_mark(text: str) -> Mark | None:
    """Read a free-text mark ("tattoo left forearm, rose") into a ``Mark``.

    Returns None when no kind of mark is recognised.

    Example:
        >>> parse_mark("Tatuaje en antebrazo izquierdo: una rosa")
        Mark(kind='tattoo', region='arm', side='left', description='rosa')
    """
    words = plain_text(text).split()
    kinds, used_kind = _find_terms(words, _KIND_PHRASES)
    if not kinds:
        return None
    regions, used_region = _find_terms(words, _REGION_PHRASES)
    sides, used_side = _find_terms(
        [word if not used_kind[i] and not used_region[i] else "" for i, word in enumerate(words)],
        [(p, t) for p, t in _SIDE_PHRASES if len(p[0]) > 1 or p[0] in ("l", "r")],
    )
    rest = [
        word
        for i, word in enumerate(words)
        if not (used_kind[i] or used_region[i] or used_side[i]) and word not in _STOP_WORDS
    ]
    return Mark(
        kind=kinds[0],
        region=regions[0] if regions else "",
        side=sides[0] if sides else "",
        description=" ".join(rest),
    )


@lru_cache(maxsize=1 << 16)
def mark_words(mark: Mark) -> frozenset[str]:
    """Significant words of a mark's description, for comparing what two tattoos show;
    common motifs in Spanish and French are read as their English word.

    Example:
        >>> sorted(mark_words(Mark("tattoo", "arm", "left", "a red rose and the name Ana")))
        ['ana', 'name', 'red', 'rose']
    """
    return frozenset(
        _MOTIF_WORDS.get(word, _singular(word))
        for word in plain_text(mark.description).split()
        if word not in _STOP_WORDS and len(word) > 2
    )


MARK_KIND_LIST: tuple[str, ...] = tuple(MARK_KINDS)
BODY_REGION_LIST: tuple[str, ...] = tuple(BODY_REGIONS)
EFFECT_CONCEPT_LIST: tuple[str, ...] = tuple(EFFECT_CONCEPTS)
