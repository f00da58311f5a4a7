"""The controlled vocabulary shared records use for marks, effects, body locations and dental
states, and the reduction of an officer's free text to those terms (everything else is dropped).

The term lists are part of the wire format (spec §6.4); a reader refuses any other term.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

MARK_KINDS = frozenset(
    {
        "tattoo",
        "scar",
        "birthmark",
        "piercing",
        "amputation",
        "deformity",
        "implant",
        "mole",
        "burn",
        "other",
    }
)
EFFECT_CATEGORIES = frozenset(
    {
        "clothing",
        "footwear",
        "jewellery",
        "document",
        "phone",
        "bag",
        "religious-item",
        "money",
        "medication",
        "other",
    }
)
BODY_PARTS = frozenset(
    {
        "head",
        "face",
        "neck",
        "shoulder",
        "chest",
        "abdomen",
        "back",
        "upper-arm",
        "forearm",
        "wrist",
        "hand",
        "finger",
        "hip",
        "buttock",
        "thigh",
        "knee",
        "lower-leg",
        "ankle",
        "foot",
        "toe",
    }
)
SIDES = frozenset({"left", "right"})
#: Every body location term: a part, optionally prefixed by a side, or "unspecified".
BODY_LOCATIONS = frozenset(
    {"unspecified"} | BODY_PARTS | {f"{side}-{part}" for side in SIDES for part in BODY_PARTS}
)
MARK_TERMS = frozenset(
    {
        "cross",
        "heart",
        "star",
        "rose",
        "flower",
        "skull",
        "bird",
        "eagle",
        "snake",
        "dragon",
        "lion",
        "tiger",
        "moon",
        "sun",
        "anchor",
        "crown",
        "angel",
        "madonna",
        "rosary",
        "dove",
        "butterfly",
        "wolf",
        "spider",
        "fish",
        "tree",
        "leaf",
        "wing",
        "eye",
        "hand",
        "knife",
        "gun",
        "clock",
        "letters",
        "numbers",
        "date",
        "name",
        "initials",
        "script",
        "tribal",
        "map",
        "flag",
        "portrait",
        "surgical",
        "linear",
        "round",
        "irregular",
        "large",
        "small",
        "faded",
        "colour",
        "black-ink",
    }
)
EFFECT_TERMS = frozenset(
    {
        "jacket",
        "coat",
        "shirt",
        "t-shirt",
        "trousers",
        "jeans",
        "shorts",
        "dress",
        "skirt",
        "sweater",
        "hoodie",
        "cap",
        "hat",
        "scarf",
        "headscarf",
        "belt",
        "socks",
        "underwear",
        "shoes",
        "boots",
        "sandals",
        "trainers",
        "ring",
        "necklace",
        "bracelet",
        "earring",
        "watch",
        "chain",
        "pendant",
        "rosary",
        "cross",
        "phone",
        "wallet",
        "backpack",
        "bag",
        "passport",
        "id-card",
        "letter",
        "photograph",
        "banknotes",
        "coins",
        "lifejacket",
        "glasses",
        "black",
        "white",
        "red",
        "blue",
        "green",
        "yellow",
        "brown",
        "grey",
        "orange",
        "pink",
        "purple",
        "beige",
        "striped",
        "checked",
        "leather",
        "gold",
        "silver",
        "metal",
        "plastic",
        "denim",
        "cotton",
        "wool",
        "synthetic",
    }
)
DENTAL_STATES = frozenset(
    {
        "present",
        "missing-antemortem",
        "missing-postmortem",
        "missing",
        "filled",
        "crown",
        "bridge",
        "implant",
        "root-canal",
        "caries",
        "fractured",
        "unerupted",
        "denture",
        "unknown",
    }
)
#: Valid permanent-dentition teeth in FDI two-digit notation.
FDI_TEETH = frozenset(q * 10 + n for q in (1, 2, 3, 4) for n in range(1, 9))

# Words in Spanish, French and common English variants mapped to a vocabulary term.
_SYNONYMS: Mapping[str, str] = {
    "tatuaje": "tattoo",
    "tatouage": "tattoo",
    "cicatriz": "scar",
    "cicatrice": "scar",
    "lunar": "mole",
    "grain": "mole",
    "quemadura": "burn",
    "brulure": "burn",
    "cruz": "cross",
    "croix": "cross",
    "corazon": "heart",
    "coeur": "heart",
    "estrella": "star",
    "etoile": "star",
    "rosa": "rose",
    "flor": "flower",
    "fleur": "flower",
    "calavera": "skull",
    "crane": "skull",
    "pajaro": "bird",
    "oiseau": "bird",
    "aguila": "eagle",
    "aigle": "eagle",
    "serpiente": "snake",
    "serpent": "snake",
    "dragon": "dragon",
    "leon": "lion",
    "luna": "moon",
    "lune": "moon",
    "sol": "sun",
    "soleil": "sun",
    "ancla": "anchor",
    "ancre": "anchor",
    "corona": "crown",
    "couronne": "crown",
    "angel": "angel",
    "ange": "angel",
    "virgen": "madonna",
    "vierge": "madonna",
    "rosario": "rosary",
    "chapelet": "rosary",
    "paloma": "dove",
    "colombe": "dove",
    "mariposa": "butterfly",
    "papillon": "butterfly",
    "nombre": "name",
    "nom": "name",
    "fecha": "date",
    "letras": "letters",
    "lettres": "letters",
    "letter": "letters",
    "number": "numbers",
    "numeros": "numbers",
    "chiffres": "numbers",
    "initial": "initials",
    "iniciales": "initials",
    "flowers": "flower",
    "stars": "star",
    "hearts": "heart",
    "birds": "bird",
    "roses": "rose",
    "chaqueta": "jacket",
    "veste": "jacket",
    "blouson": "jacket",
    "abrigo": "coat",
    "manteau": "coat",
    "camisa": "shirt",
    "chemise": "shirt",
    "camiseta": "t-shirt",
    "tshirt": "t-shirt",
    "pantalon": "trousers",
    "pantalones": "trousers",
    "pants": "trousers",
    "vaqueros": "jeans",
    "jean": "jeans",
    "short": "shorts",
    "vestido": "dress",
    "robe": "dress",
    "falda": "skirt",
    "jupe": "skirt",
    "jersey": "sweater",
    "pull": "sweater",
    "jumper": "sweater",
    "sudadera": "hoodie",
    "gorra": "cap",
    "casquette": "cap",
    "sombrero": "hat",
    "chapeau": "hat",
    "bufanda": "scarf",
    "echarpe": "scarf",
    "hijab": "headscarf",
    "cinturon": "belt",
    "ceinture": "belt",
    "calcetines": "socks",
    "chaussettes": "socks",
    "zapatos": "shoes",
    "chaussures": "shoes",
    "shoe": "shoes",
    "botas": "boots",
    "bottes": "boots",
    "boot": "boots",
    "sandalias": "sandals",
    "sneakers": "trainers",
    "baskets": "trainers",
    "zapatillas": "trainers",
    "anillo": "ring",
    "bague": "ring",
    "collar": "necklace",
    "collier": "necklace",
    "pulsera": "bracelet",
    "bracelete": "bracelet",
    "pendiente": "earring",
    "boucle": "earring",
    "reloj": "watch",
    "montre": "watch",
    "cadena": "chain",
    "chaine": "chain",
    "colgante": "pendant",
    "telefono": "phone",
    "movil": "phone",
    "telephone": "phone",
    "portable": "phone",
    "mobile": "phone",
    "cartera": "wallet",
    "portefeuille": "wallet",
    "mochila": "backpack",
    "sac": "bag",
    "bolsa": "bag",
    "pasaporte": "passport",
    "passeport": "passport",
    "carta": "letter",
    "foto": "photograph",
    "photo": "photograph",
    "billetes": "banknotes",
    "billets": "banknotes",
    "monedas": "coins",
    "pieces": "coins",
    "chaleco": "lifejacket",
    "gafas": "glasses",
    "lunettes": "glasses",
    "negro": "black",
    "negra": "black",
    "noir": "black",
    "noire": "black",
    "blanco": "white",
    "blanca": "white",
    "blanc": "white",
    "blanche": "white",
    "rojo": "red",
    "roja": "red",
    "rouge": "red",
    "azul": "blue",
    "bleu": "blue",
    "bleue": "blue",
    "verde": "green",
    "vert": "green",
    "verte": "green",
    "amarillo": "yellow",
    "jaune": "yellow",
    "marron": "brown",
    "gris": "grey",
    "gray": "grey",
    "naranja": "orange",
    "rosado": "pink",
    "rose-colour": "pink",
    "morado": "purple",
    "violet": "purple",
    "cuero": "leather",
    "cuir": "leather",
    "oro": "gold",
    "or": "gold",
    "plata": "silver",
    "argent": "silver",
    "metal": "metal",
    "plastico": "plastic",
    "plastique": "plastic",
    "algodon": "cotton",
    "coton": "cotton",
    "lana": "wool",
    "laine": "wool",
    "jewelry": "jewellery",
    "colour": "colour",
    "color": "colour",
    "couleur": "colour",
    "surgery": "surgical",
    "quirurgica": "surgical",
    "chirurgicale": "surgical",
}
_SIDE_WORDS: Mapping[str, str] = {
    "left": "left",
    "izquierdo": "left",
    "izquierda": "left",
    "gauche": "left",
    "l": "left",
    "right": "right",
    "derecho": "right",
    "derecha": "right",
    "droit": "right",
    "droite": "right",
    "r": "right",
}
_PART_WORDS: Mapping[str, str] = {
    "head": "head",
    "cabeza": "head",
    "tete": "head",
    "scalp": "head",
    "face": "face",
    "cara": "face",
    "visage": "face",
    "cheek": "face",
    "forehead": "face",
    "frente": "face",
    "front": "face",
    "neck": "neck",
    "cuello": "neck",
    "cou": "neck",
    "shoulder": "shoulder",
    "hombro": "shoulder",
    "epaule": "shoulder",
    "chest": "chest",
    "pecho": "chest",
    "poitrine": "chest",
    "torax": "chest",
    "abdomen": "abdomen",
    "belly": "abdomen",
    "stomach": "abdomen",
    "vientre": "abdomen",
    "ventre": "abdomen",
    "back": "back",
    "espalda": "back",
    "dos": "back",
    "arm": "upper-arm",
    "brazo": "upper-arm",
    "bras": "upper-arm",
    "forearm": "forearm",
    "antebrazo": "forearm",
    "avant": "forearm",
    "wrist": "wrist",
    "muneca": "wrist",
    "poignet": "wrist",
    "hand": "hand",
    "mano": "hand",
    "main": "hand",
    "finger": "finger",
    "dedo": "finger",
    "doigt": "finger",
    "hip": "hip",
    "cadera": "hip",
    "hanche": "hip",
    "buttock": "buttock",
    "nalga": "buttock",
    "fesse": "buttock",
    "thigh": "thigh",
    "muslo": "thigh",
    "cuisse": "thigh",
    "knee": "knee",
    "rodilla": "knee",
    "genou": "knee",
    "leg": "lower-leg",
    "shin": "lower-leg",
    "calf": "lower-leg",
    "pierna": "lower-leg",
    "jambe": "lower-leg",
    "ankle": "ankle",
    "tobillo": "ankle",
    "cheville": "ankle",
    "foot": "foot",
    "pie": "foot",
    "pied": "foot",
    "toe": "toe",
    "orteil": "toe",
}
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def fold_accents(text: str) -> str:
    """The text with accents and other combining marks taken off (NFKD): the folding every
    word and name token shared goes through. (The engine keeps its own copy, `matching`'s
    `fold_accents`: this library imports nothing of the engine.)

    Example:
        >>> fold_accents("Tatuaje: CORAZÓN")
        'Tatuaje: CORAZON'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Split text into lower-case words without accents; digits and punctuation are dropped.

    Example:
        >>> words("Tatuaje: CORAZÓN, 1998!")
        ['tatuaje', 'corazon']
    """
    return _WORD.findall(fold_accents(text).casefold())


def _term(word: str, allowed: frozenset[str]) -> str | None:
    if word in allowed:
        return word
    mapped = _SYNONYMS.get(word)
    if mapped in allowed:
        return mapped
    if word.endswith("s") and word[:-1] in allowed:
        return word[:-1]
    return None


def reduce_to_terms(texts: Iterable[str], allowed: frozenset[str]) -> tuple[str, ...]:
    """Keep only the words of ``texts`` that map to a term in ``allowed``; sorted, unique.

    Example:
        >>> reduce_to_terms(["a red rose and the name MARIA"], MARK_TERMS)
        ('name', 'rose')
    """
    found = {term for text in texts for word in words(text) if (term := _term(word, allowed))}
    return tuple(sorted(found))


def mark_kind(text: str) -> str:
    """Map a mark kind as written to a vocabulary kind, "other" when unrecognised.

    Example:
        >>> mark_kind("Cicatriz")
        'scar'
    """
    terms = reduce_to_terms([text], MARK_KINDS)
    return terms[0] if terms else "other"


def effect_category(text: str) -> str:
    """Map an effect category as written to a vocabulary category, "other" when unrecognised.

    Example:
        >>> effect_category("Footwear")
        'footwear'
    """
    terms = reduce_to_terms([text.replace(" ", "-")], EFFECT_CATEGORIES)
    return terms[0] if terms else "other"


def body_location(text: str) -> str:
    """Map a body location as written to a vocabulary term ("left-forearm", "back"...).

    Example:
        >>> body_location("antebrazo izquierdo")
        'left-forearm'
    """
    tokens = words(text.replace("-", " "))
    side = next((_SIDE_WORDS[t] for t in tokens if t in _SIDE_WORDS), None)
    parts = [_PART_WORDS[t] for t in tokens if t in _PART_WORDS]
    if "upper" in tokens and "upper-arm" in parts:
        parts = ["upper-arm"]
    if "forearm" in parts:
        parts = ["forearm"]
    if not parts:
        return "unspecified"
    return f"{side}-{parts[0]}" if side else parts[0]
