"""Small words for sentences built from numbers: "an 8", "1 test image", "2 test images".

Every sentence that puts a count or a digit into words goes through these two functions, so
none reads "a 8" or "1 test images".
"""

from __future__ import annotations

import re


def article(word: object) -> str:
    """Return "an" if ``word`` is said with a vowel sound first ("an 8", "an 11", "an error").

    Numbers are read as spoken: 8, 11, 18, 80-89, 800-899, 8,000, 11,000 and 18,000 take "an".
    """
    text = str(word).strip()
    number = re.match(r"\d[\d,]*", text)  # a leading number, as in "8-4-10" or "11,000"
    if number:
        digits = number.group().replace(",", "")
        if digits.startswith("8"):
            return "an"
        return "an" if len(digits) % 3 == 2 and digits[:2] in ("11", "18") else "a"
    return "an" if text[:1].lower() in ("a", "e", "i", "o") else "a"


def a(word: object) -> str:
    """Return ``word`` after its article: "a 7", "an 8"."""
    return f"{article(word)} {word}"


def quantity(n: int, noun: str, plural: str | None = None) -> str:
    """Return "1 test image" or "1,024 test images": the number, then the noun in agreement."""
    return f"{int(n):,} {noun if int(n) == 1 else plural or noun + 's'}"
