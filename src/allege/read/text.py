"""Plain text: bytes -> str (encoding, binary and empty checks), newlines, language."""

from __future__ import annotations

import codecs
import re
from collections import Counter

from charset_normalizer import from_bytes

from ..errors import InputError
from ..model import Document
from .boilerplate import strip_boilerplate

# Byte-order marks, longest first: a UTF-32-LE mark begins with the UTF-16-LE one.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Signatures of common binary files, so the error can say what the file is.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive (decompress it first)"),
    (b"PK\x03\x04", "a ZIP archive or Office document (extract the text first)"),
    (b"%PDF-", "a PDF (convert it to text first)"),
    (b"BZh", "a bzip2 archive (decompress it first)"),
    (b"\xfd7zXZ\x00", "an xz archive (decompress it first)"),
    (b"\x7fELF", "an executable"),
)

# Share of control bytes (other than tab, newlines, form feed) above which data is binary.
CONTROL_SHARE_LIMIT = 0.05
_CONTROL_BYTES = frozenset([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
_SNIFF_BYTES = 65_536

# When the detector finds several encodings equally plausible (short Western texts often
# tie between cp1252, cp1250 and cp1257), prefer the one most used for news on the web.
PREFERRED_ENCODINGS: tuple[str, ...] = (
    "cp1252", "latin_1", "cp1251", "koi8_r", "cp1250", "iso8859_2", "iso8859_15",
    "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "gb18030", "big5", "shift_jis",
    "euc_jp", "euc_kr", "mac_roman",
)


def decode(data: bytes, name: str, *, declared: str | None = None) -> str:
    """Decode ``data`` (the contents of ``name``) to text, or raise :class:`InputError`.

    Order: a byte-order mark (UTF-8, UTF-16, UTF-32); then UTF-8; then ``declared`` (an
    encoding the document names for itself, e.g. an HTML ``<meta charset>``); then
    detection with charset_normalizer. Empty and binary data are refused.
    """
    if not data:
        raise InputError(f"{name} is empty: give a file that contains an article's text.")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, name, f"starts with a {encoding} byte-order mark")
    _refuse_binary(data, name)
    for encoding in ("utf-8", declared):
        if encoding:
            try:
                return data.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                pass
    return _detect(data, name)


def _strict(data: bytes, encoding: str, name: str, why: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"Cannot decode {name}: it {why} but byte {exc.start} is not valid {encoding}. "
            "Re-save the file as UTF-8 and try again."
        ) from None


def _refuse_binary(data: bytes, name: str) -> None:
    for magic, what in MAGIC:
        if data.startswith(magic):
            raise InputError(f"{name} is {what}, not text: give allege a text or HTML article.")
    head = data[:_SNIFF_BYTES]
    controls = sum(1 for byte in head if byte in _CONTROL_BYTES)
    if b"\x00" in head or controls / len(head) > CONTROL_SHARE_LIMIT:
        raise InputError(
            f"{name} looks like a binary file (it contains NUL or control bytes), not text: "
            "give allege a text or HTML article."
        )


def _detect(data: bytes, name: str) -> str:
    matches = list(from_bytes(data))
    if not matches:
        raise InputError(
            f"Cannot decode {name}: it is not UTF-8 and its encoding could not be detected. "
            "Re-save the file as UTF-8 and try again."
        )
    best = matches[0]
    tied = {m.encoding for m in matches if m.chaos <= best.chaos + 0.01}
    for encoding in [e for e in PREFERRED_ENCODINGS if e in tied] + [best.encoding]:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return str(best)


def normalise_newlines(text: str) -> str:
    """``text`` with every ``\\r\\n`` and lone ``\\r`` turned into ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def tidy(text: str) -> str:
    """Newlines normalised, boilerplate lines removed, blank lines trimmed from both ends.

    Nothing inside the text changes otherwise: the result is the text as analysed.
    """
    text = strip_boilerplate(normalise_newlines(text))
    return re.sub(r"\A(?:[^\S\n]*\n)+", "", text).rstrip()


def read_text(data: bytes, name: str) -> Document:
    """A :class:`Document` from the bytes of a plain-text article."""
    raw = decode(data, name)
    if not raw.strip():
        raise InputError(f"{name} contains only white space: give a file with an article's text.")
    text = tidy(raw)
    if not text:
        raise InputError(f"No article text found in {name}: every line is page boilerplate.")
    return Document(text=text, title=headline(text), language=guess_language(text))


def headline(text: str) -> str | None:
    """The first line when it reads as a headline: short, and set apart by a blank line."""
    first, _, rest = text.partition("\n")
    first = first.strip()
    if not first or len(first) > 200 or not rest.startswith("\n") or not rest.strip():
        return None
    return first.rstrip(".")


# A few of the commonest words of each language: enough to tell them apart in a paragraph.
STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the of and to in a is that for it was on with he as his said by at "
                    "from be have has are were not this but they which an who its".split()),
    "de": frozenset("der die und in den von zu das mit sich des auf für ist im dem nicht "
                    "ein eine als auch es an er hat sagte wurde".split()),
    "fr": frozenset("le la les de des et un une du en est que qui dans pour pas sur au "
                    "il a par ne se ce avec son sont".split()),
    "es": frozenset("el la los las de del y en que un una por con para es se su al lo "
                    "no como dijo más pero sus".split()),
    "it": frozenset("il lo la gli le di del della e che un una per con non sono è al "
                    "ha nel si anche come".split()),
    "pt": frozenset("o a os as de do da dos das e que um uma em no na para com não por "
                    "se disse ao foi".split()),
    "nl": frozenset("de het een en van in is op te dat die niet met zijn voor er aan "
                    "ook als bij door".split()),
    "ru": frozenset("и в не на что с по он как это из за от его к но для о она так "
                    "был было сказал также".split()),
}
MIN_STOP_SHARE = 0.12

# Scripts that name a language on their own, checked when no stop-word list fits.
SCRIPTS: tuple[tuple[str, str], ...] = (
    ("[\u3040-\u30ff]", "ja"), ("[\uac00-\ud7af]", "ko"), ("[\u4e00-\u9fff]", "zh"),
    ("[\u0590-\u05ff]", "he"), ("[\u0600-\u06ff]", "ar"), ("[\u0370-\u03ff]", "el"),
    ("[\u0e00-\u0e7f]", "th"), ("[\u0900-\u097f]", "hi"),
)


def guess_language(text: str) -> str:
    """ISO 639-1 code of ``text``'s language by a cheap heuristic, or ``"und"``.

    The language whose common words make up the largest share of the word tokens wins when
    that share is at least :data:`MIN_STOP_SHARE`; otherwise a script that names one
    language (Hebrew, Greek, Japanese kana...) when it covers a third of the letters.
    """
    sample = text[:20_000]
    words = re.findall(r"[^\W\d_]+", sample.lower())
    if words:
        counts = Counter(words)
        shares = {
            lang: sum(counts[w] for w in stop) / len(words) for lang, stop in STOP_WORDS.items()
        }
        lang, share = max(shares.items(), key=lambda item: item[1])
        if share >= MIN_STOP_SHARE:
            return lang
    letters = sum(len(w) for w in words)
    for pattern, lang in SCRIPTS:
        if letters and len(re.findall(pattern, sample)) * 3 >= letters:
            return lang
    return "und"
