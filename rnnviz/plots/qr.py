"""A small QR code encoder in pure Python, drawn as SVG: the projector shows the share link as a QR
code so a class can open the same setup on their phones.

Byte mode only, error correction level L or M, versions 1 to 10 (up to 271 bytes at L, 213 at M):
enough for any link the app writes. It follows ISO/IEC 18004 step by step: the data bits, Reed-Solomon
error correction over GF(256) in interleaved blocks, the function patterns (finders, timing,
alignment, format and version information), the zigzag placement of the codewords, and the mask with
the lowest penalty.

    >>> m = encode("https://example.org/Train?arch=gru")
    >>> len(m), m[0][:7]
    (29, [True, True, True, True, True, True, True])
"""

from __future__ import annotations

from html import escape

# Per error-correction level: its two format bits, the EC codewords per block and the block count
# for versions 1..10 (index 0 unused).
LEVELS = {
    "L": (1, (0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18), (0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4)),
    "M": (0, (0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26), (0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5)),
}
MAX_VERSION = 10


# ---------------------------------------------------------------- Reed-Solomon over GF(2^8), poly 0x11D
def _gf_mul(x: int, y: int) -> int:
    z = 0
    for i in range(7, -1, -1):
        z = (z << 1) ^ ((z >> 7) * 0x11D)
        z ^= ((y >> i) & 1) * x
    return z


def _rs_divisor(degree: int) -> list[int]:
    """The generator polynomial's coefficients (highest power first, leading 1 left out)."""
    result = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            result[j] = _gf_mul(result[j], root)
            if j + 1 < degree:
                result[j] ^= result[j + 1]
        root = _gf_mul(root, 0x02)
    return result


def rs_remainder(data: list[int], degree: int) -> list[int]:
    """The error-correction codewords for one block of data codewords."""
    divisor = _rs_divisor(degree)
    result = [0] * degree
    for b in data:
        factor = b ^ result.pop(0)
        result.append(0)
        for i, coef in enumerate(divisor):
            result[i] ^= _gf_mul(coef, factor)
    return result


# ---------------------------------------------------------------- sizes
def size_of(version: int) -> int:
    return 17 + 4 * version


def raw_modules(version: int) -> int:
    """Modules left for data and error correction once the function patterns are drawn."""
    n = (16 * version + 128) * version + 64
    if version >= 2:
        k = version // 7 + 2
        n -= (25 * k - 10) * k - 55
        if version >= 7:
            n -= 36
    return n


def data_capacity(version: int, level: str) -> int:
    """Data codewords (bytes) of a version at a level."""
    _, ecc, blocks = LEVELS[level]
    return raw_modules(version) // 8 - ecc[version] * blocks[version]


def byte_capacity(version: int, level: str) -> int:
    """How many bytes of text fit in byte mode (4 bits of mode, 8 or 16 of count)."""
    count_bits = 8 if version < 10 else 16
    return (data_capacity(version, level) * 8 - 4 - count_bits) // 8


def alignment_positions(version: int) -> list[int]:
    if version == 1:
        return []
    k = version // 7 + 2
    step = (version * 8 + k * 3 + 5) // (k * 4 - 4) * 2
    return [6] + [size_of(version) - 7 - i * step for i in range(k - 1)][::-1]


# ---------------------------------------------------------------- the codewords
def codewords(data: bytes, version: int, level: str) -> list[int]:
    """The final sequence of codewords: data blocks and their error correction, interleaved."""
    count_bits = 8 if version < 10 else 16
    bits: list[int] = []

    def put(value: int, n: int) -> None:
        bits.extend((value >> i) & 1 for i in range(n - 1, -1, -1))

    put(0b0100, 4)  # byte mode
    put(len(data), count_bits)
    for b in data:
        put(b, 8)
    cap = data_capacity(version, level) * 8
    put(0, min(4, cap - len(bits)))  # terminator
    put(0, -len(bits) % 8)
    words = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits), 8)]
    pad = 0xEC
    while len(words) < cap // 8:
        words.append(pad)
        pad ^= 0xEC ^ 0x11
    _, ecc, blocks = LEVELS[level]
    n_blocks, n_ecc = blocks[version], ecc[version]
    short = len(words) // n_blocks
    n_long = len(words) % n_blocks
    data_blocks, ecc_blocks, at = [], [], 0
    for i in range(n_blocks):
        n = short + (1 if i >= n_blocks - n_long else 0)
        block = words[at : at + n]
        at += n
        data_blocks.append(block)
        ecc_blocks.append(rs_remainder(block, n_ecc))
    out = []
    for i in range(short + 1):
        out.extend(b[i] for b in data_blocks if i < len(b))
    for i in range(n_ecc):
        out.extend(b[i] for b in ecc_blocks)
    return out


# ---------------------------------------------------------------- the matrix
def format_bits(level: str, mask: int) -> int:
    data = LEVELS[level][0] << 3 | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return (data << 10 | rem) ^ 0x5412


def version_bits(version: int) -> int:
    rem = version
    for _ in range(12):
        rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
    return version << 12 | rem


MASKS = (
    lambda x, y: (x + y) % 2 == 0,
    lambda x, y: y % 2 == 0,
    lambda x, y: x % 3 == 0,
    lambda x, y: (x + y) % 3 == 0,
    lambda x, y: (x // 3 + y // 2) % 2 == 0,
    lambda x, y: x * y % 2 + x * y % 3 == 0,
    lambda x, y: (x * y % 2 + x * y % 3) % 2 == 0,
    lambda x, y: ((x + y) % 2 + x * y % 3) % 2 == 0,
)


class _Matrix:
    def __init__(self, version: int):
        self.version = version
        self.size = n = size_of(version)
        self.dark = [[False] * n for _ in range(n)]
        self.function = [[False] * n for _ in range(n)]
        self._function_patterns()

    def set(self, x: int, y: int, dark: bool) -> None:
        self.dark[y][x] = bool(dark)
        self.function[y][x] = True

    def _function_patterns(self) -> None:
        n = self.size
        for i in range(n):
            self.set(6, i, i % 2 == 0)
            self.set(i, 6, i % 2 == 0)
        for cx, cy in ((3, 3), (n - 4, 3), (3, n - 4)):
            for dy in range(-4, 5):
                for dx in range(-4, 5):
                    x, y = cx + dx, cy + dy
                    if 0 <= x < n and 0 <= y < n:
                        self.set(x, y, max(abs(dx), abs(dy)) not in (2, 4))
        pos = alignment_positions(self.version)
        last = len(pos) - 1
        for i, px in enumerate(pos):
            for j, py in enumerate(pos):
                if (i, j) in ((0, 0), (0, last), (last, 0)):
                    continue
                for dy in range(-2, 3):
                    for dx in range(-2, 3):
                        self.set(px + dx, py + dy, max(abs(dx), abs(dy)) != 1)
        self.draw_format("L", 0)  # reserve the format areas (redrawn with the chosen mask)
        if self.version >= 7:
            bits = version_bits(self.version)
            for i in range(18):
                bit = (bits >> i) & 1
                a, b = n - 11 + i % 3, i // 3
                self.set(a, b, bit)
                self.set(b, a, bit)

    def draw_format(self, level: str, mask: int) -> None:
        bits = format_bits(level, mask)
        n = self.size

        def bit(i):
            return (bits >> i) & 1

        for i in range(6):
            self.set(8, i, bit(i))
        self.set(8, 7, bit(6))
        self.set(8, 8, bit(7))
        self.set(7, 8, bit(8))
        for i in range(9, 15):
            self.set(14 - i, 8, bit(i))
        for i in range(8):
            self.set(n - 1 - i, 8, bit(i))
        for i in range(8, 15):
            self.set(8, n - 15 + i, bit(i))
        self.set(8, n - 8, True)  # the dark module

    def zigzag(self):
        """The data modules (x, y) in placement order: two-column strips from the right, up and down."""
        n = self.size
        right = n - 1
        while right >= 1:
            if right == 6:
                right = 5
            for vert in range(n):
                for j in range(2):
                    x = right - j
                    upward = ((right + 1) & 2) == 0
                    y = n - 1 - vert if upward else vert
                    if not self.function[y][x]:
                        yield x, y
            right -= 2

    def place(self, words: list[int]) -> None:
        bits = [(w >> (7 - k)) & 1 for w in words for k in range(8)]
        for i, (x, y) in enumerate(self.zigzag()):
            self.dark[y][x] = bool(bits[i]) if i < len(bits) else False

    def apply_mask(self, mask: int) -> None:
        f = MASKS[mask]
        for y in range(self.size):
            for x in range(self.size):
                if not self.function[y][x] and f(x, y):
                    self.dark[y][x] = not self.dark[y][x]


def penalty(m: list[list[bool]]) -> int:
    """The standard's four penalty rules: long runs, 2x2 blocks, finder-like patterns, imbalance."""
    n = len(m)
    score = 0
    lines = [row for row in m] + [[m[y][x] for y in range(n)] for x in range(n)]
    finder_like = ([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1])
    for line in lines:
        run, prev = 0, None
        for v in line:
            if v == prev:
                run += 1
            else:
                if run >= 5:
                    score += 3 + run - 5
                run, prev = 1, v
        if run >= 5:
            score += 3 + run - 5
        ints = [int(v) for v in line]
        for i in range(n - 10):
            if ints[i : i + 11] in finder_like:
                score += 40
    for y in range(n - 1):
        for x in range(n - 1):
            if m[y][x] == m[y][x + 1] == m[y + 1][x] == m[y + 1][x + 1]:
                score += 3
    dark = sum(sum(row) for row in m)
    total = n * n
    score += ((abs(dark * 20 - total * 10) + total - 1) // total - 1) * 10
    return score


def choose_version(data: bytes, level: str) -> int:
    for v in range(1, MAX_VERSION + 1):
        if len(data) <= byte_capacity(v, level):
            return v
    raise ValueError(
        f"{len(data)} bytes do not fit a version-{MAX_VERSION} QR code at level {level} "
        f"(at most {byte_capacity(MAX_VERSION, level)})"
    )


def encode(text: str | bytes, level: str = "M", mask: int | None = None) -> list[list[bool]]:
    """The QR code of text (UTF-8) as rows of modules, True = dark, without the quiet zone.
    The smallest version that holds it; the mask with the lowest penalty unless one is given."""
    if level not in LEVELS:
        raise ValueError(f"error correction level must be L or M, not {level!r}")
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    version = choose_version(data, level)
    words = codewords(data, version, level)
    best = None
    for k in range(8) if mask is None else (mask,):
        mat = _Matrix(version)
        mat.place(words)
        mat.apply_mask(k)
        mat.draw_format(level, k)
        score = penalty(mat.dark) if mask is None else 0
        if best is None or score < best[0]:
            best = (score, [row[:] for row in mat.dark])
    return best[1]


def qr_svg(text: str, level: str = "M", module: int = 6, quiet: int = 4, title: str = "") -> str:
    """The QR code of text as an SVG element: black modules on white, with a quiet zone."""
    m = encode(text, level)
    n = len(m) + 2 * quiet
    path = "".join(f"M{x + quiet},{y + quiet}h1v1h-1z" for y, row in enumerate(m) for x, dark in enumerate(row) if dark)
    px = n * module
    label = escape(title or text)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="{px}" height="{px}" '
        f'shape-rendering="crispEdges" role="img" aria-label="QR code: {label}">'
        f"<title>{label}</title>"
        f'<rect width="{n}" height="{n}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )
