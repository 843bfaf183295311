"""The QR encoder: read back by a small decoder written from the standard (format bits, unmasking,
codeword order, Reed-Solomon syndromes, the byte segment), and checked against published constants."""

import pytest

from rnnviz.plots import qr


def gf_pow2(k):
    x = 1
    for _ in range(k):
        x = qr._gf_mul(x, 2)
    return x


def syndromes_zero(block):
    """A Reed-Solomon codeword (data then EC, highest power first) evaluates to 0 at 2^0..2^(n_ec-1)."""
    return lambda n_ec: all(_eval(block, gf_pow2(i)) == 0 for i in range(n_ec))


def _eval(poly, x):
    y = 0
    for c in poly:
        y = qr._gf_mul(y, x) ^ c
    return y


def decode(m):
    """Text from a matrix, reading it the way a scanner does (modules are (x, y) = m[y][x])."""
    n = len(m)
    version = (n - 17) // 4
    # format bits, first copy: around the top-left finder
    coords = [(8, i) for i in range(6)] + [(8, 7), (8, 8), (7, 8)] + [(14 - i, 8) for i in range(9, 15)]
    raw = sum(int(m[y][x]) << i for i, (x, y) in enumerate(coords))
    matches = [(lv, k) for lv in "LM" for k in range(8) if qr.format_bits(lv, k) == raw]
    assert len(matches) == 1, "format information does not decode"
    level, mask = matches[0]
    # the second copy agrees
    coords2 = [(n - 1 - i, 8) for i in range(8)] + [(8, n - 15 + i) for i in range(8, 15)]
    assert sum(int(m[y][x]) << i for i, (x, y) in enumerate(coords2)) == raw
    if version >= 7:  # version information, bottom-left copy
        bits = sum(int(m[n - 11 + i % 3][i // 3]) << i for i in range(18))
        assert bits == qr.version_bits(version)
    layout = qr._Matrix(version)  # which modules are function patterns, for this version
    bits = [int(m[y][x]) ^ int(qr.MASKS[mask](x, y)) for x, y in layout.zigzag()]
    words = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits) - 7, 8)]
    _, ecc, blocks = qr.LEVELS[level]
    nb, ne = blocks[version], ecc[version]
    total = qr.raw_modules(version) // 8
    ndata = total - nb * ne
    short, nlong = ndata // nb, ndata % nb
    sizes = [short + (1 if i >= nb - nlong else 0) for i in range(nb)]
    data_blocks, at = [[] for _ in range(nb)], 0
    for i in range(short + 1):
        for b in range(nb):
            if i < sizes[b]:
                data_blocks[b].append(words[at])
                at += 1
    ec_blocks = [[] for _ in range(nb)]
    for _ in range(ne):
        for b in range(nb):
            ec_blocks[b].append(words[at])
            at += 1
    for d, e in zip(data_blocks, ec_blocks):
        assert syndromes_zero(d + e)(ne), "Reed-Solomon check failed"
    data = [w for d in data_blocks for w in d]
    stream = "".join(f"{w:08b}" for w in data)
    assert stream[:4] == "0100", "not byte mode"
    cb = 8 if version < 10 else 16
    count = int(stream[4 : 4 + cb], 2)
    body = stream[4 + cb : 4 + cb + 8 * count]
    return bytes(int(body[i : i + 8], 2) for i in range(0, len(body), 8)).decode("utf-8")


def test_published_constants():
    # ISO/IEC 18004 tables: format information for (L, mask 0), (M, mask 0), (M, mask 5); version 7
    assert qr.format_bits("L", 0) == 0b111011111000100
    assert qr.format_bits("M", 0) == 0b101010000010010
    assert qr.format_bits("M", 5) == 0b100000011001110
    assert qr.version_bits(7) == 0x07C94
    assert [qr.data_capacity(v, "M") for v in (1, 5, 10)] == [16, 86, 216]
    assert qr.alignment_positions(7) == [6, 22, 38]


@pytest.mark.parametrize("level", ["L", "M"])
@pytest.mark.parametrize("version", [1, 2, 4, 6, 7, 9, 10])
def test_round_trip_every_size(level, version):
    n = qr.byte_capacity(version, level)  # as long as this version holds: forces it
    text = "ü" + ("http://10.0.0.7:8501/Gates?arch=gru&seq_len=30&present=1&" * 8)[: n - 3]  # n - 1 bytes
    m = qr.encode(text, level)
    assert len(m) == qr.size_of(version)
    assert decode(m) == text


def test_finder_patterns_and_quiet_svg():
    m = qr.encode("hello")
    ring = [m[0][i] for i in range(7)] + [m[6][i] for i in range(7)] + [m[i][0] for i in range(7)]
    assert all(ring) and not m[1][1] and m[3][3]
    svg = qr.qr_svg("hello")
    assert svg.startswith("<svg") and 'aria-label="QR code: hello"' in svg


def test_too_long_is_refused():
    with pytest.raises(ValueError, match="do not fit"):
        qr.encode("x" * 400)
