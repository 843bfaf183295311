"""The Translate page's second target: English number words to the German number word, letter by letter.

The German words come from the package ``num2words`` (``num2words(n, lang="de")``, LGPL; the rules are the
package's), lower-cased, with spaces and hyphens taken out (below a million it writes one word anyway):

    97      "ninety seven"                      -> "siebenundneunzig"        (seven-and-ninety)
    342     "three hundred and forty two"       -> "dreihundertzweiundvierzig"
    2005    "two thousand and five"             -> "zweitausendfünf"
    7727    "seven thousand seven hundred and twenty seven"
                                                -> "siebentausendsiebenhundertsiebenundzwanzig"

German writes the units before the tens (*sieben-und-neunzig*, seven-and-ninety), so a decoder that
writes the German letters in order must read the English words out of order: the letters of "sieben"
come from "seven", the last English word, before the letters of "neunzig" come from "ninety". The
attention matrix shows that crossing.

:func:`pieces` cuts a German number word into its parts (*sieben | und | neunzig*) and names the English
word each part translates (``PIECE_ENGLISH``), so a figure or a test can group the attention rows of a
part's letters.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..errors import ConfigError

LETTERS = "abcdefghijklmnopqrstuvwxyzäöüß"  # the decoder's letters (num2words uses 21 of them below a million)
MAX_DIGITS = 6  # num2words writes one word (no spaces) up to 999,999; "eine Million" starts a new one
SOURCE = (
    "German number words from the Python package num2words (version 0.5.14, LGPL-2.1; "
    'https://github.com/savoirfairelinux/num2words), `num2words(n, lang="de")`: the rules are the package\'s.'
)

# each part of a German number word below a million, and the English word it stands for ("und" has none:
# English says "ninety seven", German "sieben und neunzig"; English's "and" after "hundred" has no German word)
PIECE_ENGLISH = {
    "null": "zero",
    "eins": "one",
    "ein": "one",
    "zwei": "two",
    "drei": "three",
    "vier": "four",
    "fünf": "five",
    "sechs": "six",
    "sieben": "seven",
    "acht": "eight",
    "neun": "nine",
    "zehn": "ten",
    "elf": "eleven",
    "zwölf": "twelve",
    "dreizehn": "thirteen",
    "vierzehn": "fourteen",
    "fünfzehn": "fifteen",
    "sechzehn": "sixteen",
    "siebzehn": "seventeen",
    "achtzehn": "eighteen",
    "neunzehn": "nineteen",
    "zwanzig": "twenty",
    "dreißig": "thirty",
    "vierzig": "forty",
    "fünfzig": "fifty",
    "sechzig": "sixty",
    "siebzig": "seventy",
    "achtzig": "eighty",
    "neunzig": "ninety",
    "hundert": "hundred",
    "tausend": "thousand",
    "und": None,
}
_PIECE_RE = re.compile("|".join(sorted(map(re.escape, PIECE_ENGLISH), key=len, reverse=True)))


def normalise(word: str) -> str:
    """num2words' German as the decoder writes it: lower case, no spaces or hyphens."""
    return re.sub(r"[\s\-]", "", word.lower())


@lru_cache(maxsize=1 << 20)
def german(n: int) -> str:
    """0 <= n <= 999,999 as one lower-case German word: 97 -> 'siebenundneunzig'."""
    from num2words import num2words  # the optional data source, loaded when first used

    n = int(n)
    if not 0 <= n < 10**MAX_DIGITS:
        raise ConfigError(f"German number words go from 0 to {10**MAX_DIGITS - 1:,} here, not {n:,}")
    word = normalise(num2words(n, lang="de"))
    bad = sorted(set(word) - set(LETTERS))
    if bad:  # a num2words release that writes something the decoder has no letter for
        raise ConfigError(f"num2words wrote {word!r} for {n}: letters {''.join(bad)!r} are not in the vocabulary")
    return word


def pieces(word: str) -> list[tuple[str, int, int]]:
    """A German number word cut into its parts, in writing order: (part, first letter, end) with
    word[first:end] == part. Letters that are no part (a model's misspelling) form parts of their own.
    'siebenundneunzig' -> [('sieben', 0, 6), ('und', 6, 9), ('neunzig', 9, 16)]."""
    out, i = [], 0
    while i < len(word):
        m = _PIECE_RE.match(word, i)
        if m is None:
            j = i + 1
            while j < len(word) and _PIECE_RE.match(word, j) is None:
                j += 1
            out.append((word[i:j], i, j))
            i = j
            continue
        out.append((m.group(), i, i + len(m.group())))
        i += len(m.group())
    return out
