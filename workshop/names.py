"""A student's name as the room compares it (lesson 17): one person, one name, however it is typed.

`bob` and `BOB`, `émile` and `ÉMILE`, `ｂｏｂ` in full-width letters: the same
name, after NFKC and case folding, the way lesson 16's throttle counts "Ada",
"ADA" and "ａｄａ" as one. (The database's constraint lowers ASCII alone on
SQLite, so workshop/join.py compares the folded names itself.) And a name
that mixes scripts, such as Latin `bob` with a Cyrillic `о`, is refused: it
looks like another student's name while folding to a different one. A name
in one script is taken, and so are the mixes Unicode's "highly restrictive"
profile (UTS #39) allows, the Latin and Han letters of Japanese, Chinese and
Korean names with their kana, bopomofo or hangul.

A name that renders like another's is refused too: a name in one script can
still look like a Latin one (Cyrillic `ѕорһіе` beside `sophie`, the same
width), and so can a Latin one (`cɑrol` with an alpha, `ǀia` with a click).
Two names clash when their skeletons match (Unicode's UTS #39 skeleton, with
the confusables of `confusable_homoglyphs`, a packaging of Unicode's
confusables.txt): each character replaced by one representative of the
characters that look like it. A name is refused outright when a character of
it draws nothing (the Hangul fillers, U+3164 and its kin), when it has two
spaces in a row (one on the page), or no letter and no digit (`.` and `..`
break the links to a student's shared files).
"""

import functools
import unicodedata

# First word of a letter's Unicode name -> its script, where the two differ.
SCRIPT_OF_WORD = {"CJK": "HAN", "IDEOGRAPHIC": "HAN"}
ALLOWED_MIXES = ({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}, {"LATIN", "HAN", "BOPOMOFO"}, {"LATIN", "HAN", "HANGUL"})


def folded(name: str) -> str:
    """The name as compared: NFKC, case folded, NFKC again (folding can undo the first: Unicode's NFKC_Casefold)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def scripts(name: str) -> set[str]:
    """The scripts of the name's letters (digits, spaces and punctuation belong to none)."""
    found = set()
    for character in name:
        if not unicodedata.category(character).startswith("L"):
            continue
        word = unicodedata.name(character, "UNKNOWN").split()[0]
        if word in ("MODIFIER", "KATAKANA-HIRAGANA"):  # letters every script uses
            continue
        found.add(SCRIPT_OF_WORD.get(word, word))
    return found


def mixed_scripts(name: str) -> str | None:
    """Why the name is refused for mixing scripts, or None if it is written in one (or an allowed mix)."""
    found = scripts(name)
    if len(found) <= 1 or any(found <= allowed for allowed in ALLOWED_MIXES):
        return None
    listed = " and ".join(sorted(script.title() for script in found))
    return f"the name mixes scripts ({listed}), so it could pass for another's: type it in one script"


# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 16): characters that draw
# nothing. unicodedata does not expose the property; the list is short and has not changed since 2014.
DRAWS_NOTHING = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)  # fmt: skip


def unseen(name: str) -> str | None:
    """Why the name cannot be told apart on the page (fillers, two spaces, only dots), or None."""
    if any(low <= ord(character) <= high for character in name for low, high in DRAWS_NOTHING):
        return "the name has a character that draws nothing (a Hangul filler, a zero-width space): type it without"
    if "  " in name:
        return "the name has two spaces in a row, which the page shows as one: type one"
    if not any(character.isalnum() for character in name):
        return 'expected "name" to hold a letter or a digit'
    return None


@functools.cache
def representatives() -> dict[str, str]:
    """Each character that looks like others -> one representative of them all (the lowest code point).

    confusable_homoglyphs lists, for each character, those it can be mistaken for. Characters linked
    that way form groups (s, ｓ and Cyrillic ѕ; 1, I, l and ǀ); every member stands for its group's lowest.
    """
    from confusable_homoglyphs.confusables import confusables_data  # 9,619 characters: read at the first join

    group: dict[str, str] = {}

    def root(character: str) -> str:
        while group.get(character, character) != character:
            character = group[character]
        return character

    for character, lookalikes in confusables_data.items():
        for lookalike in (entry["c"] for entry in lookalikes):
            if len(character) == len(lookalike) == 1:  # "rn" for "m" is a sequence: not a letter's twin
                first, second = sorted((root(character), root(lookalike)))
                if first != second:
                    group[second] = first
    return {character: root(character) for character in group}


def skeleton(text: str) -> str:
    """UTS #39's skeleton: decomposed (NFD), each character replaced by its group's representative."""
    found = representatives()
    return unicodedata.normalize("NFD", "".join(found.get(c, c) for c in unicodedata.normalize("NFD", text)))


def skeletons(name: str) -> tuple[str, str]:
    """The name's skeleton as typed and once folded: two names look alike when either pair matches.

    As typed: `Ian` and `lan` (a capital I and a small l, one glyph in a sans-serif). Folded: `SOPHIE`
    and `ѕорһіе`. Never one against the other: `Ian` folds to `ian`, which looks nothing like `Lan`.
    """
    return skeleton(unicodedata.normalize("NFKC", name)), skeleton(folded(name))


def look_alike(name: str, other: str) -> bool:
    """Whether two names would read as one on the page (the same name, folded, included)."""
    return any(mine == theirs for mine, theirs in zip(skeletons(name), skeletons(other), strict=True))
