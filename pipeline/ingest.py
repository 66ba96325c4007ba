"""Ingest: find the reports in a corpus folder and turn each file into a `SourceText`.

Input: a folder (walked recursively, hidden files and folders skipped, sorted by
relative path so every run sees the same order). Output: `InputFile`s from
`discover`, and one `SourceText` per file from `read_source`, or a `PipelineError`
whose message names the problem and what to do about it.

Formats: .txt and .md are decoded (UTF-8 with or without BOM, UTF-16/32 with a BOM,
UTF-16 without one, then a detected legacy 8-bit encoding); .html/.htm go through
trafilatura (main text + its metadata) after chrome blocks are pruned from the DOM;
.pdf through pdfplumber, page by page, pages separated by a form feed. PDF and HTML
extraction run in a child process with a wall-clock and memory limit, so a hostile file
cannot hang or exhaust the run.
Newlines are normalised to "\\n". Side effects: reads files; forks for PDF/HTML.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import math
import multiprocessing
import os
import re
import resource
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.records import InputFile, PipelineError, SourceText
from pipeline.settings import MB, Settings

FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".pdf": "pdf"}

_CASE_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _slug(text: str) -> str:
    slug = _CASE_ID_UNSAFE.sub("_", text).strip("._")
    return slug or "report"


def discover(corpus: Path) -> list[InputFile]:
    """List every regular file below `corpus` in a stable order, with unique case ids.

    A case id is the file-name stem made file-name-safe. When two files would share one
    (``a.txt`` and ``a.pdf``, or ``x/a.txt`` and ``y/a.txt``), each of them gets its
    relative path (folders joined by ``__``, then the format) instead, so ids stay stable
    when unrelated files are added.
    """
    if not corpus.is_dir():
        raise NotADirectoryError(f"{corpus}: not a folder; pass the folder that holds the reports")
    found: list[tuple[str, str]] = []
    for root, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.startswith("."):
                continue
            rel = (Path(root) / name).relative_to(corpus).as_posix()
            found.append((rel, Path(name).suffix.lower()))
    found.sort()
    base = {rel: _slug(Path(rel).stem) for rel, _ in found}
    counts = Counter(base.values())
    result = []
    for rel, suffix in found:
        case_id = base[rel]
        if counts[case_id] > 1:
            without_suffix = rel[: len(rel) - len(suffix)] if suffix else rel
            case_id = _slug(without_suffix.replace("/", "__") + (f"_{suffix[1:]}" if suffix else ""))
        result.append(InputFile(path=rel, case_id=case_id, suffix=suffix))
    ids = Counter(f.case_id for f in result)
    dupes = sorted(i for i, n in ids.items() if n > 1)
    if dupes:  # only reachable with pathological names such as "a b.txt" next to "a_b.txt"
        raise ValueError(f"{corpus}: files map to the same case id {dupes}; rename one of them")
    return result


def read_source(corpus: Path, item: InputFile, settings: Settings) -> SourceText:
    """Read one input file into a `SourceText`, or raise `PipelineError`."""
    path = corpus / item.path
    fmt = FORMATS.get(item.suffix)
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise PipelineError(
            "unsupported_format",
            f"unsupported file type '{item.suffix or '(none)'}'; convert it to one of "
            f"{known} or move it out of the corpus folder",
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PipelineError("unreadable", f"cannot read the file ({exc.strerror}); check it exists and its permissions") from exc
    if size > settings.max_bytes:
        raise PipelineError(
            "too_large",
            f"file is {size / MB:.1f} MB, over the {settings.max_bytes / MB:.0f} MB limit; "
            "raise it with --max-mb if the file is genuine",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PipelineError("unreadable", f"cannot read the file ({exc.strerror}); check its permissions") from exc
    if not data.strip():
        raise PipelineError("empty_file", "file is empty; remove it or export the report again")
    sha = hashlib.sha256(data).hexdigest()

    metadata: dict[str, str]
    margins: tuple[tuple[int, int], ...] = ()
    if fmt == "pdf":
        text, metadata, margins = _limited(_extract_pdf, data, settings.max_pages, settings=settings)
        encoding = ""
    else:
        text, encoding = decode_text(data)
        if fmt == "html":
            text, metadata = _limited(_extract_html, text, settings=settings)
        else:
            metadata = {}
    if fmt != "pdf":  # PDF text is normalised line by line, so margin offsets stay valid
        text = normalise_newlines(text)
    if not text.strip():
        raise PipelineError(
            "no_text",
            "no text could be extracted (scanned image PDF or empty page?); "
            "run OCR or supply the report as text",
        )
    return SourceText(
        case_id=item.case_id,
        path=item.path,
        source_format=fmt,
        sha256=sha,
        text=text,
        encoding=encoding,
        metadata=metadata,
        margins=margins,
    )


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF; NUL and other C0 controls except tab/LF/FF are dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode report bytes; return (text, encoding name) or raise `PipelineError`.

    Order: a byte-order mark; strict UTF-8; UTF-16 without BOM (recognised by its NUL
    pattern); Windows-1252 when that yields mostly-ASCII text; else a legacy encoding
    detected by charset-normalizer. Binary data
    (NUL bytes, or mostly control characters) is refused rather than decoded to junk.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise _undecodable(encoding) from exc
    try:
        return _checked_text(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    if b"\x00" in data:
        raise _binary()
    # English reports in a legacy encoding are almost always Windows-1252; accept it
    # when the result reads as mostly ASCII text, otherwise let charset-normalizer guess.
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = ""
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(1 for ch in letters if not ch.isascii()) / len(letters) < 0.2:
        return _checked_text(text), "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1252", "latin_1", "iso8859_15", "cp1250", "mac_roman"]).best()
    if best is None:
        raise _undecodable("any supported encoding")
    return _checked_text(str(best)), best.encoding


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    if len(data) < 4 or len(data) % 2:
        return None
    even_nuls = data[0::2].count(0) / (len(data) / 2)
    odd_nuls = data[1::2].count(0) / (len(data) / 2)
    encoding = "utf-16-le" if odd_nuls > 0.3 and even_nuls < 0.05 else "utf-16-be" if even_nuls > 0.3 and odd_nuls < 0.05 else None
    if encoding is None:
        return None
    try:
        return _checked_text(data.decode(encoding)), encoding
    except UnicodeDecodeError:
        return None


def _checked_text(text: str) -> str:
    """Refuse decoded text that is mostly control or private-use characters (binary junk)."""
    sample = text[:20000]
    if not sample:
        return text
    bad = sum(
        1
        for ch in sample
        if (unicodedata.category(ch) in ("Cc", "Co", "Cs", "Cn") and ch not in "\t\n\r\f")
    )
    if "\x00" in sample or bad / len(sample) > 0.05:
        raise _binary()
    return text


def _binary() -> PipelineError:
    return PipelineError(
        "binary_file",
        "file looks like binary data, not text; check the file extension or export the report as text",
    )


def _undecodable(encoding: str) -> PipelineError:
    return PipelineError(
        "undecodable",
        f"cannot decode the text as {encoding}; re-save the file as UTF-8",
    )


# ---------------------------------------------------------------- limited child process


def _limited(func: Callable[..., Any], *args: Any, settings: Settings) -> Any:
    """Run an extractor in a forked child with a time and address-space limit."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, func, args, settings.max_memory_bytes), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(settings.timeout_s):
            raise PipelineError(
                "timeout",
                f"text extraction took longer than {settings.timeout_s:.0f} s; "
                "raise the limit with --timeout if the file is genuine",
            )
        try:
            status, payload = parent.recv()
        except EOFError:
            status, payload = "crash", ("crashed", "the extractor process died (out of memory?)")
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()
    if status == "ok":
        return payload
    kind, message = payload
    if kind == "memory":
        message = (
            f"extraction needed more than {settings.max_memory_bytes / MB:.0f} MB of memory "
            "(decompression bomb?); raise the limit with --max-memory-mb if the file is genuine"
        )
    raise PipelineError(kind, message)


def _child(conn: Any, func: Callable[..., Any], args: tuple[Any, ...], max_memory: int) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    except (ValueError, OSError):  # the limit cannot be lowered here; run unlimited
        pass
    try:
        conn.send(("ok", func(*args)))
    except PipelineError as exc:
        conn.send(("error", (exc.kind, exc.message)))
    except MemoryError:
        conn.send(("error", ("memory", "")))
    except Exception as exc:  # any library failure becomes one clear line
        conn.send(("error", ("extract_failed", f"text extraction failed ({type(exc).__name__}: {exc}); the file may be damaged")))
    finally:
        conn.close()


def _extract_pdf(data: bytes, max_pages: int) -> tuple[str, dict[str, str], tuple[tuple[int, int], ...]]:
    import io
    import logging

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font warnings are not the user's problem
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PdfminerException, PDFSyntaxError, PDFPasswordIncorrect, PDFEncryptionError) as exc:
        cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise PipelineError("encrypted_pdf", "PDF is encrypted; save an unprotected copy") from exc
        raise PipelineError(
            "damaged_pdf",
            "PDF cannot be parsed (truncated or damaged); download or export it again",
        ) from exc
    with pdf:
        n_pages = len(pdf.pages)
        if n_pages > max_pages:
            raise PipelineError(
                "too_many_pages",
                f"PDF has {n_pages} pages, over the {max_pages}-page limit; "
                "raise it with --max-pages if the file is genuine",
            )
        parts: list[str] = []
        margins: list[tuple[int, int]] = []
        offset = 0
        for number, page in enumerate(pdf.pages):
            if number:
                parts.append("\n\f\n")
                offset += 3
            lines = page_text(page)
            for i, (line, in_margin) in enumerate(lines):
                line = normalise_newlines(line).replace("\n", " ")
                if i:
                    parts.append("\n")
                    offset += 1
                if in_margin and line:
                    margins.append((offset, offset + len(line)))
                parts.append(line)
                offset += len(line)
            page.close()  # drop the page's cached layout objects: bounded memory on long PDFs
        metadata = {
            key.lower(): str(value).strip()
            for key, value in (pdf.metadata or {}).items()
            if key in ("Title", "Author", "Subject", "Keywords", "CreationDate") and isinstance(value, str | bytes)
        }
    return "".join(parts), metadata, tuple(margins)


def page_text(page: Any) -> list[tuple[str, bool]]:
    """One PDF page's text in reading order, columns one after the other.

    Words come from pdfplumber with a tight x tolerance (so words set with narrow spacing
    stay apart). Lines are word groups sharing a baseline. A page has two columns when
    some vertical band between 25% and 75% of the width is crossed by few lines while
    many lines have words on both sides of it; then every run of lines that do not cross
    the band is read left column first, then right column, and lines that cross it
    (titles, full-width abstracts, tables) stay where they are. Returns (line, in_margin)
    pairs: lines in the top 7% or bottom 7% of the page come first/last, flagged.
    """
    words = page.extract_words(x_tolerance=1.5, y_tolerance=3, keep_blank_chars=False)
    if not words:
        return []
    lines: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) <= 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    for line in lines:
        line.sort(key=lambda w: w["x0"])
    # Lines in the top and bottom margins (running headers, footers, page numbers) are
    # kept whole and put first/last, so the cleaner finds them at the page edges.
    height = float(page.height)
    head = [line for line in lines if line[0]["bottom"] < 0.07 * height]
    foot = [line for line in lines if line[0]["top"] > 0.93 * height]
    lines = [line for line in lines if line not in head and line not in foot]
    gutter = _find_gutter(lines, float(page.width))

    def join(ws: list[dict[str, Any]]) -> str:
        return " ".join(w["text"] for w in ws)

    top = [(join(line), True) for line in head]
    bottom = [(join(line), True) for line in foot]
    if gutter is None:
        return top + [(join(line), False) for line in lines] + bottom
    out: list[str] = []
    left: list[str] = []
    right: list[str] = []

    def flush() -> None:
        out.extend(left)
        if left and right:
            out.append("")  # the column break reads as a paragraph break
        out.extend(right)
        left.clear()
        right.clear()

    min_gap = max(8.0, 0.015 * float(page.width))
    for line in lines:
        lhs = [w for w in line if w["x1"] <= gutter]
        rhs = [w for w in line if w["x0"] >= gutter]
        crosses = len(lhs) + len(rhs) < len(line)
        # a full-width justified line can have an ordinary word gap at the gutter: only
        # a gap as wide as a column gutter splits a line in two
        narrow = bool(lhs and rhs) and rhs[0]["x0"] - lhs[-1]["x1"] < min_gap
        if crosses or narrow:
            flush()
            out.append(join(line))
            continue
        if lhs:
            left.append(join(lhs))
        if rhs:
            right.append(join(rhs))
    flush()
    return top + [(line, False) for line in out] + bottom


def _find_gutter(lines: list[list[dict[str, Any]]], width: float) -> float | None:
    best: tuple[int, float] | None = None
    for step in range(25, 76):
        x = width * step / 100
        crossing = sum(1 for line in lines if any(w["x0"] < x < w["x1"] for w in line))
        both = sum(
            1
            for line in lines
            if line[0]["x1"] <= x <= line[-1]["x0"]
            and min((w["x0"] for w in line if w["x0"] >= x), default=x) - max((w["x1"] for w in line if w["x1"] <= x), default=x) >= 8
        )
        if both >= 5 and crossing <= 0.35 * len(lines):
            score = both - 3 * crossing
            if best is None or score > best[0]:
                best = (score, x)
    return None if best is None else best[1]


def _extract_html(html: str) -> tuple[str, dict[str, str]]:
    """Main text of an HTML page: chrome blocks pruned from the DOM, trafilatura, recall fix.

    1. `_prune_chrome` drops elements that are site chrome by their place in the DOM
       (nav, aside, footer, form controls, ARIA roles), by their class/id names
       (`resources/boilerplate/html_chrome_names.txt`: "cookie-banner", "share-bar",
       "newsletter") or by their link density, before trafilatura flattens the page.
    2. trafilatura extracts the main text and metadata.
    3. `_restore_dropped_prose` puts back paragraphs trafilatura dropped that sit in the
       same kind of container as paragraphs it kept (the later posts of a forum thread),
       `_restore_dropped_headings` the sub-headings it dropped over a block it kept, and
       `_restore_dropped_lists` the lists of short items it dropped under a heading it kept.
    """
    import copy

    import trafilatura
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        tree = None
    if tree is not None:
        _prune_chrome(tree)
    doc = trafilatura.bare_extraction(
        copy.deepcopy(tree) if tree is not None else html,  # trafilatura may change the tree it is given
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
        as_dict=True,
    )
    if not doc or not doc.get("text"):
        raise PipelineError(
            "no_text",
            "no main text found in the HTML page; save the article page itself, not an index or login page",
        )
    metadata = {
        key: str(doc[key]).strip()
        for key in ("title", "author", "date", "sitename", "hostname", "url", "description")
        if doc.get(key)
    }
    text = str(doc["text"])
    if tree is not None:
        text = _restore_dropped_prose(tree, text)
        text = _restore_dropped_headings(tree, text)
        text = _restore_dropped_lists(tree, text)
    return text, metadata


# Elements that are chrome by their tag or ARIA role, whatever their class.
_CHROME_TAGS = frozenset("nav aside footer header form button input select textarea label dialog noscript iframe svg template".split())
_CHROME_ROLES = frozenset(
    "navigation banner complementary contentinfo search dialog alertdialog toolbar menu menubar alert status".split()
)
_NAME_TOKENS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_DROP_SHARE = 0.25  # never drop an element holding this share of the page's text (a wrapper)


def _chrome_names() -> frozenset[str]:
    from pipeline import resources

    return resources.read_word_list(resources.path("boilerplate", "html_chrome_names.txt"))


def _names_chrome(value: str, names: frozenset[str]) -> bool:
    """A class/id value names chrome: a token is a listed word, or starts/ends with a long one."""
    for token in (t.lower() for t in _NAME_TOKENS.findall(value)):
        if token in names:
            return True
        if any(len(w) >= 5 and len(token) > len(w) and (token.startswith(w) or token.endswith(w)) for w in names):
            return True
    return False


def _text_len(element: Any) -> int:
    return len(" ".join("".join(element.itertext()).split()))


def _protects_content(element: Any, total: int) -> bool:
    """An element that must not be pruned: the page title, or a large share of the page's text."""
    if element.tag in ("html", "body", "main", "article") or element.find(".//h1") is not None:
        return True
    if total and _text_len(element) >= _DROP_SHARE * total:
        return True
    from pipeline import clean

    heading = next((h for h in element.iter("h2", "h3", "h4", "strong", "b") if "".join(h.itertext()).strip()), None)
    return heading is not None and clean.is_known_heading(" ".join("".join(heading.itertext()).split()))


def _prune_chrome(tree: Any, classify: bool = True) -> None:
    """Drop chrome elements from an lxml HTML tree in place (see `_extract_html`).

    `classify=False` stops before the block classifier: what its training script sees."""
    names = _chrome_names()
    body = tree.find(".//body")
    root = body if body is not None else tree
    for element in list(root.iter("script", "style")):
        if "json" not in (element.get("type") or "") and element.getparent() is not None:
            element.drop_tree()  # code, not text: it would count in text lengths and link densities
    total = _text_len(root)
    doomed = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element is root:
            continue
        tag = element.tag.lower()
        role = (element.get("role") or "").lower()
        named = _names_chrome(" ".join((element.get("class") or "", element.get("id") or "")), names)
        by_tag = tag in _CHROME_TAGS or role in _CHROME_ROLES or element.get("aria-hidden") == "true"
        if (by_tag or named or _link_heavy(element)) and not _protects_content(element, total):
            doomed.append(element)
    # a small block holding a form control is a widget (newsletter sign-up, chat box, search box)
    for control in root.iter("input", "button", "select", "textarea"):
        block = next((a for a in control.iterancestors() if a.tag in ("div", "section", "form", "li", "p")), None)
        if block is not None and block is not root and _text_len(block) <= 400 and not _protects_content(block, total):
            doomed.append(block)
    for element in doomed:
        if element.getparent() is not None and not any(a in doomed for a in element.iterancestors()):
            element.drop_tree()
    if classify:
        _prune_blocks(root, total)


# ----------------------------------------------------------------------------- block classifier
# A logistic regression over DOM and text features of the page's leaf blocks (`html_blocks`),
# trained by scripts/train_line_classifier.py on the HTML cleaning fixtures, weights in
# resources/boilerplate/html_block_classifier.json. It sees what the rules above cannot:
# chrome in containers with neutral or generated class names, placed around the article.

_BLOCK_TAGS = frozenset("p li h1 h2 h3 h4 h5 h6 div section td th dd dt blockquote figcaption header footer ul ol table article main".split())
_LEAF_TAGS = frozenset("p li h1 h2 h3 h4 h5 h6 div section td th dd dt blockquote figcaption".split())
BLOCK_FEATURES = (
    "log_chars",
    "log_words",
    "link_density",
    "log_links",
    "ends_sentence",
    "sentence",
    "function_word_share",
    "ui_word_share",
    "second_person_share",
    "patient_cue",
    "measurement",
    "clinical_word_share",
    "rare_word_share",
    "common_word_share",
    "capitalised_share",
    "digit_share",
    "chrome_name_ancestor",
    "tag_p",
    "tag_li",
    "tag_heading",
    "tag_div",
    "sibling_of_prose",
    "in_prose_root",
    "before_first_prose",
    "after_last_prose",
    "relative_position",
    "log_inline_children",
    "imperative_start",
    "url_email_phone",
    "count_widget",
    "date_time",
    "prose",
    "short_fragment",
    "site_talk",
    "label_value",
    "clinical_vocabulary_share",
    "repeated_in_page",
    "prose_score",  # round 5: `clean.prose_score`, biomedical narrative against everyday English
    "neighbour_prose_score",  # round 5: the mean prose score of the leaf blocks before and after
)
BLOCK_CLASSIFIER_FILE = "html_block_classifier.json"


def _own_text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _is_prose_block(text: str, link_density: float) -> bool:
    from pipeline import clean

    return len(text) >= 120 and link_density < 0.3 and clean.is_sentence(text)


def html_blocks(root: Any) -> list[tuple[Any, str, list[float]]]:
    """The leaf blocks of a page (block elements holding no other block with text), their text and
    `BLOCK_FEATURES`: text shape and vocabulary (as the line classifier counts them), link density,
    tag, chrome words in ancestors' class/id, and the place relative to the page's prose (paragraphs of
    120+ characters written as sentences): sibling of a prose paragraph, inside their common ancestor,
    before the first or after the last of them."""
    from pipeline import clean

    names = _chrome_names()
    # one pass: every ancestor of a block with text holds a block (so it is no leaf)
    holders: set[Any] = set()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS and any(t.strip() for t in element.itertext()):
            for ancestor in element.iterancestors():
                if ancestor in holders:
                    break
                holders.add(ancestor)
    leaves = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag.lower() not in _LEAF_TAGS or element in holders:
            continue
        text = _own_text(element)
        if text:
            leaves.append((element, text))
    if not leaves:
        return []
    densities = []
    for element, text in leaves:
        linked = sum(len(_own_text(a)) for a in element.iter("a"))
        densities.append(min(1.0, linked / len(text)))
    prose = [k for k, ((_, text), d) in enumerate(zip(leaves, densities, strict=True)) if _is_prose_block(text, d)]
    prose_parents = {leaves[k][0].getparent() for k in prose}
    prose_root = None
    if prose:
        chains = [[leaves[k][0], *leaves[k][0].iterancestors()] for k in prose]
        common = set(chains[0])
        for chain in chains[1:]:
            common &= set(chain)
        prose_root = next((a for a in chains[0] if a in common), None)
    common_words, frequent = clean._word_ranks()
    ui = clean.ui_words()
    repeats = Counter(text for _, text in leaves)
    named_cache: dict[Any, bool] = {}

    def chrome_named(a: Any) -> bool:  # ancestors are shared by many leaves: look each up once
        if a not in named_cache:
            named_cache[a] = _names_chrome(" ".join((a.get("class") or "", a.get("id") or "")), names)
        return named_cache[a]

    out = []
    n = len(leaves)
    prose_scores = [clean.prose_score(text) for _, text in leaves]
    for k, ((element, text), density) in enumerate(zip(leaves, densities, strict=True)):
        around = prose_scores[max(0, k - 1) : k] + prose_scores[k + 1 : k + 2]
        words = clean._WORD_TOKENS.findall(text)
        lower = [w.lower() for w in words]
        n_words = len(words)

        def share(pred: Callable[[str], bool], lower: list[str] = lower, n_words: int = n_words) -> float:
            return sum(pred(w) for w in lower) / n_words if n_words else 0.0

        tag = element.tag.lower()
        chain = [element, *element.iterancestors()][:6]
        named = any(chrome_named(a) for a in chain)
        last = text.rstrip("\"')\u201d ")[-1:]
        out.append(
            (
                element,
                text,
                [
                    math.log1p(len(text)),
                    math.log1p(n_words),
                    density,
                    math.log1p(sum(1 for _ in element.iter("a"))),
                    float(last in (".", "!", "?")),
                    float(clean.is_sentence(text)),
                    share(lambda w: w in clean.function_words()),
                    share(lambda w: w in ui),
                    share(lambda w: w in clean._SECOND_PERSON),
                    float(bool(clean._PATIENT_CUE.search(text))),
                    float(bool(clean._MEASUREMENT.search(text))),
                    share(lambda w: len(w) >= 6 and bool(clean._CLINICAL_WORD.search(w))),
                    share(lambda w: w.isalpha() and w not in frequent),
                    share(lambda w: w in common_words),
                    sum(w[:1].isupper() for w in words) / n_words if n_words else 0.0,
                    sum(ch.isdigit() for ch in text) / len(text),
                    float(named),
                    float(tag == "p"),
                    float(tag == "li"),
                    float(tag in ("h1", "h2", "h3", "h4", "h5", "h6")),
                    float(tag in ("div", "section", "td", "th", "dd", "dt")),
                    float(element.getparent() in prose_parents),
                    float(prose_root is not None and (element is prose_root or prose_root in set(element.iterancestors()))),
                    float(bool(prose) and k < prose[0]),
                    float(bool(prose) and k > prose[-1]),
                    k / max(1, n - 1),
                    math.log1p(sum(1 for c in element if isinstance(c.tag, str))),
                    float(bool(lower) and lower[0] in clean.imperative_words()),
                    float(bool(clean._URL_EMAIL_PHONE.search(text))),
                    float(bool(clean._COUNT_WIDGET.search(text))),
                    float(bool(clean._DATE_TIME.search(text))),
                    float(k in prose),
                    float(n_words <= 6 and last not in (".", "!", "?")),
                    float(bool(clean._SITE_TALK.search(text) or clean._BIO.match(text))),
                    float(bool(clean._LABEL_VALUE.match(text))),
                    share(lambda w: w in clean.clinical_vocabulary()),
                    float(len(text) <= 80 and repeats[text] >= 2),
                    prose_scores[k],
                    sum(around) / len(around) if around else 0.0,
                ],
            )
        )
    return out


@functools.lru_cache(maxsize=1)
def block_classifier() -> Any:
    """The shipped block classifier (`resources/boilerplate/html_block_classifier.json`), validated once."""
    from pipeline import clean

    return clean.load_classifier(BLOCK_CLASSIFIER_FILE, BLOCK_FEATURES)


def protected_block(element: Any, text: str) -> bool:
    """Blocks the block classifier never drops: headings, a sentence about a patient, running text in
    technical words, and the entries of a list without links right under a heading ("Risk factors" over
    "Long-haul travel", "Obesity"). Running text without any chrome cue is `strict_block` instead."""
    from pipeline import clean

    tag = element.tag.lower()
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return True
    if clean._about_patient(text) and clean.is_sentence(text):
        return True
    if (clean.is_sentence(text) or clean._is_running_text(text)) and (clean._technical(text) or clean._NARRATIVE.search(text)):
        return True  # as the line guard: running text in technical words, or telling what happened ("was treated")
    if tag == "li":
        items = element.getparent()
        head = _element_sibling(items, -1) if items is not None else None
        return (
            items is not None
            and items.tag in ("ul", "ol")
            and items.find(".//a") is None
            and head is not None
            and isinstance(head.tag, str)
            and head.tag.lower() in ("h2", "h3", "h4", "h5", "h6", "strong", "b", "p")
            and 1 <= len(_own_text(head).split()) <= 6
        )
    return False


def strict_block(text: str) -> bool:
    """Running text that does not speak like chrome (no "you", UI word, site talk ...): mostly the report's,
    but notices read so too ("Archived pages are provided as-is."): dropped only at the strict threshold."""
    from pipeline import clean

    return (clean.is_sentence(text) or clean._is_running_text(text)) and not clean._chrome_cue(text) and not clean._NARRATIVE.search(text)


def _prune_blocks(root: Any, total: int) -> None:
    """Drop leaf blocks the block classifier scores at or above its threshold (never a protected one,
    a heading, or a block holding a sentence about a patient)."""
    model = block_classifier()
    doomed = []
    for element, text, features in html_blocks(root):
        if protected_block(element, text) or _protects_content(element, total):
            continue
        threshold = model.strict_threshold if strict_block(text) else model.threshold
        if threshold is not None and model.probability(features) >= threshold:
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def _link_heavy(element: Any) -> bool:
    """A block whose text is mostly link text (a menu, a list of related links, a footer row)."""
    if element.tag not in ("div", "ul", "ol", "p", "section", "span", "td"):
        return False
    text = " ".join("".join(element.itertext()).split())
    if not text or len(text) > 600:
        return False
    links = [a for a in element.iter("a")]
    if len(links) < 2:
        return False
    linked = sum(len(" ".join("".join(a.itertext()).split())) for a in links)
    return linked / len(text) >= 0.6


def _restore_dropped_prose(tree: Any, text: str) -> str:
    """Put back prose paragraphs trafilatura dropped from the same kind of container it kept.

    A paragraph (p, blockquote, li) of running text (60+ characters, 8+ words, a sentence end)
    that the extracted text lacks is inserted after the last extracted paragraph before it
    when its parent has the same tag and class as the parent of an extracted paragraph:
    forum replies and later posts, a second column of the same article body. Comment
    sections (a class/id naming comments) are not restored.
    """

    def fold(s: str) -> str:
        return " ".join(s.split())

    def signature(element: Any) -> tuple[str, str]:
        parent = element.getparent()
        return (parent.tag, parent.get("class") or "") if parent is not None else ("", "")

    folded = fold(text)
    blocks = []
    for element in tree.iter("p", "blockquote", "li"):
        body = fold("".join(element.itertext()))
        if len(body) < 40:
            continue
        blocks.append((element, body, body[:60] in folded and body[-30:] in folded))
    kept_signatures = {signature(e) for e, _, kept in blocks if kept}
    lines = text.split("\n")
    inserted: list[tuple[int, str]] = []  # (line index to insert after, text)
    anchor = -1
    for element, body, kept in blocks:
        if kept:
            anchor = next((i for i, line in enumerate(lines) if body[-30:] in fold(line)), anchor)
            continue
        if len(body) < 60 or len(body.split()) < 8 or body[-1:] not in ".?!" or signature(element) not in kept_signatures:
            continue
        if any(re.search("comment", (a.get("class") or "") + " " + (a.get("id") or ""), re.IGNORECASE) for a in element.iterancestors()):
            continue
        inserted.append((anchor, body))
    if not inserted:
        return text
    out: list[str] = []
    pending = {}
    for anchor, body in inserted:
        pending.setdefault(anchor, []).append(body)
    out.extend(pending.get(-1, []))
    for i, line in enumerate(lines):
        out.append(line)
        out.extend(pending.get(i, []))
    return "\n".join(out)


def _element_sibling(element: Any, step: int) -> Any:
    """The next (step 1) or previous (step -1) sibling that is an element, past comments and processing
    instructions (real pages put "<!-- ad slot -->" between a heading and its paragraph; lxml's itertext
    refuses a comment)."""
    sibling = element.getnext() if step > 0 else element.getprevious()
    while sibling is not None and not isinstance(sibling.tag, str):
        sibling = sibling.getnext() if step > 0 else sibling.getprevious()
    return sibling


def _restore_dropped_headings(tree: Any, text: str) -> str:
    """Put back a sub-heading (h2-h6) trafilatura dropped when the block right after it was kept.

    trafilatura sometimes drops a heading over a list ("Treatment" over "- Intravenous
    hydrocortisone"). A heading of one to eight words without UI words whose next sibling's first
    text opens a line of the extracted text goes back on its own line before that line; the
    cleaner then judges it as any other line.
    """
    from pipeline import clean

    lines = text.split("\n")
    folded_lines = [" ".join(line.split()) for line in lines]
    inserts: dict[int, str] = {}
    for heading in tree.iter("h2", "h3", "h4", "h5", "h6"):
        title = " ".join("".join(heading.itertext()).split())
        words = clean._WORD_TOKENS.findall(title)
        if not title or not 1 <= len(words) <= 8 or any(w.lower() in clean.ui_words() for w in words):
            continue
        if any(line.lstrip("#*-• ").strip() == title for line in folded_lines):
            continue  # kept
        following = _element_sibling(heading, 1)
        first = None
        if following is not None:
            first = next((t for t in (" ".join(x.split()) for x in following.itertext()) if t), None)
        if not first or len(first) < 3:
            continue
        at = next((i for i, line in enumerate(folded_lines) if line.lstrip("#*-• ").startswith(first)), None)
        if at is not None and at not in inserts:
            inserts[at] = title
    if not inserts:
        return text
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in inserts:
            out.append(inserts[i])
        out.append(line)
    return "\n".join(out)


def _restore_dropped_lists(tree: Any, text: str) -> str:
    """Put back a list (ul/ol) trafilatura dropped when the heading right before it was kept.

    trafilatura drops lists of short entries ("Risk factors" / "Recent surgery", "Obesity").
    A list without links, none of whose entries is in the extracted text, goes back as "- entry"
    lines under its heading's line; the cleaner then judges those lines as any other.
    """
    lines = text.split("\n")
    folded_lines = [" ".join(line.split()) for line in lines]
    folded_text = "\n".join(folded_lines)
    inserts: dict[int, list[str]] = {}
    for items in tree.iter("ul", "ol"):
        head = _element_sibling(items, -1)
        if head is None or not isinstance(head.tag, str) or head.tag.lower() not in ("h2", "h3", "h4", "h5", "h6", "strong", "b", "p"):
            continue
        if items.find(".//a") is not None:
            continue  # a menu or a list of links
        entries = [" ".join("".join(li.itertext()).split()) for li in items.iter("li")]
        entries = [e for e in entries if e]
        if not entries or any(e in folded_text for e in entries):
            continue
        title = " ".join("".join(head.itertext()).split())
        at = next((i for i, line in enumerate(folded_lines) if title and line.lstrip("#*-• ").strip() == title), None)
        if at is not None and at not in inserts:
            inserts[at] = [f"- {e}" for e in entries]
    if not inserts:
        return text
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        out.extend(inserts.get(i, []))
    return "\n".join(out)
