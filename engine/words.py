"""Small words for sentences built from numbers: "an 8", "1 test image", "2 test images".

Every sentence that puts a count or a digit into words goes through these functions, so
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


def compared(before: float, after: float, digits: int = 4, most: int = 6) -> tuple[str, str, str]:
    """Return two numbers printed so a reader sees them differ, and how ``after`` compares.

    Each gets the fewest significant digits, from ``digits`` up to ``most``, at which the two
    print differently; the word is "lower" or "higher", or "the same to N digits" when even
    ``most`` digits print alike ("the same" when they are equal). Every sentence that sets two
    numbers side by side goes through it, so none reads "0.02197 ... 0.02197 (lower)".
    """
    for n in range(digits, most + 1):
        first, second = (f"{float(v) + 0.0:.{n}g}" for v in (before, after))
        if first != second:
            return first, second, "lower" if after < before else "higher"
    return first, second, "the same" if before == after else f"the same to {most} digits"
