"""Which text encoding a file is in, when it has no BOM and is not UTF-8.

Legacy files are common (a Russian CSV in cp1251, a Japanese one in Shift-JIS); read as cp1252 or latin-1
they become mojibake without a word. charset-normalizer scores each candidate decoding (how much of it reads
as text in some language) over the common legacy encodings; among Latin encodings that read equally well,
cp1252 (Windows Western) wins, since the others differ from it only in rare letters.
"""

from __future__ import annotations

CANDIDATES = ("cp1252", "cp1251", "cp1250", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "koi8_r",
              "cp932", "shift_jis", "euc_jp", "gb18030", "big5", "euc_kr", "iso8859_15")
SAMPLE = 256 * 1024
LATIN_TIE = 0.05  # chaos (0-1) within which cp1252 is preferred to another Latin code page


def detect_encoding(raw: bytes) -> str | None:
    """The most plausible legacy encoding of ``raw`` (a Python codec name), or None if none reads as text."""
    from charset_normalizer import from_bytes

    matches = from_bytes(raw[:SAMPLE], cp_isolation=list(CANDIDATES))
    best = matches.best()
    if best is None:
        return None
    western = next((m for m in matches if m.encoding == "cp1252"), None)
    if western is not None and best.encoding in ("cp1250", "cp1254", "cp1257", "iso8859_15") \
            and western.chaos <= best.chaos + LATIN_TIE:
        return "cp1252"
    return best.encoding


SAMPLE_BYTES = 64 * 1024  # bytes looked at for UTF-16 without a byte-order mark


def utf16_without_bom(raw: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` for a file that is UTF-16 without a byte-order mark (most of its text is ASCII,
    so every other byte is NUL, on the odd or the even places), else None."""
    sample = raw[:SAMPLE_BYTES]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    if odd > 0.9 * (len(sample) // 2) * 0.5 and odd > 4 * even:
        return "utf-16-le"
    if even > 0.9 * (len(sample) // 2) * 0.5 and even > 4 * odd:
        return "utf-16-be"
    return None


def mixed_utf8_lines(raw: bytes) -> list[int] | None:
    """The line numbers (1-based) that are not UTF-8 in a file that is mostly UTF-8 (more of its non-ASCII lines
    decode as UTF-8 than not), else None: such a file is not in one encoding, and decoding it whole as a
    single-byte code page would turn its UTF-8 rows into mojibake ('café' -> 'cafÃ©')."""
    good, bad = 0, []
    for number, line in enumerate(raw.split(b"\n"), 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            bad.append(number)
    return bad if bad and good >= len(bad) else None
