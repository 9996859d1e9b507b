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
"""

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
