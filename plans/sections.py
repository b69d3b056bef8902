"""Read the table of contents of a plan text PDF: its outline (bookmarks), or else its numbered headings.

Pure reading, no database: `read_sections(file)` returns `FoundSection`s with number, title, level,
page and the section's text (bounded). `plans.section_services` stores them.

The heading rule, kept simple on purpose (docs/staff.md, "Abschnitte der Plantexte"): a line is a
heading if it is "<number> <Title>" ("3.2 Art der baulichen Nutzung", "3.2. …") or "§ <n> <Title>"
("§ 1 Art der baulichen Nutzung"), the title starts with a capital letter, is short, does not end
like a sentence or a contents line (".", ",", ";", ":", dot leaders, a page number), and the number
follows the previous heading (next sibling, first child, or next of a parent). This drops dates,
list items, page numbers, references ("§ 9 Abs. 1 BauGB") and the document's own contents page.
"""

import dataclasses
import re

from pypdf import PdfReader

MAX_PAGES = 400  # pages read for headings and texts; later pages are ignored
MAX_SECTIONS = 300
MAX_TEXT = 20_000  # characters of text per section
MAX_TITLE = 300  # DocumentSection.title

NUMBERED = re.compile(r"^(?P<number>\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+(?P<title>\S.*)$")
PARAGRAPH = re.compile(r"^(?P<number>§\s*\d{1,3}[a-z]?)\s+(?P<title>\S.*)$")
TITLE_NUMBER = re.compile(r"^(?P<number>§\s*\d{1,3}[a-z]?|\d{1,2}(?:\.\d{1,2}){0,4}\.?)\s+(?P<title>\S.*)$")
LEADERS = re.compile(r"(\.\s*){4,}|…|_{3,}")
NOT_A_TITLE_START = re.compile(
    r"^(Abs|Satz|Nr|S\.|Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember)\b"
)


class SectionReadError(Exception):
    """The PDF could not be read."""


@dataclasses.dataclass
class FoundSection:
    number: str
    title: str
    level: int
    page: int | None  # 1-based
    text: str = ""


def read_sections(file) -> tuple[str, list[FoundSection]]:
    """Return ("outline" | "headings", sections) for the PDF `file` (a path or a binary file object)."""
    try:
        reader = PdfReader(file)
        pages = [_page_text(page) for page in reader.pages[:MAX_PAGES]]
        outline = _outline_sections(reader)
    except Exception as exc:  # noqa: BLE001 - any failure of the parser on an uploaded file means "unreadable"
        raise SectionReadError(str(exc)) from exc
    if outline:
        _add_outline_texts(outline, pages)
        return "outline", outline
    return "headings", heading_sections(pages)


def _page_text(page) -> str:
    try:
        return page.extract_text() or ""
    except Exception:  # noqa: BLE001 - a broken page must not stop the rest of the document
        return ""


def split_number(title: str) -> tuple[str, str]:
    """Split "3.2 Art der Nutzung" into ("3.2", "Art der Nutzung"); no number: ("", title)."""
    title = " ".join(title.split())
    match = TITLE_NUMBER.match(title)
    if match is None:
        return "", title
    return match["number"].rstrip(".").replace("§", "§ ").replace("§  ", "§ "), match["title"]


def _outline_sections(reader: PdfReader) -> list[FoundSection]:
    found: list[FoundSection] = []

    def walk(items, level):
        for item in items:
            if len(found) >= MAX_SECTIONS:
                return
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            title = (getattr(item, "title", "") or "").strip()
            if not title:
                continue
            try:
                page_index = reader.get_destination_page_number(item)
            except Exception:  # noqa: BLE001 - an outline entry pointing nowhere keeps no page
                page_index = None
            number, title = split_number(title)
            page = page_index + 1 if page_index is not None and page_index >= 0 else None
            found.append(FoundSection(number, title[:MAX_TITLE], level, page))

    walk(reader.outline, 1)
    return found


def _add_outline_texts(sections: list[FoundSection], pages: list[str]) -> None:
    """Give each outline section the text from its heading to the next section's heading."""
    for index, section in enumerate(sections):
        if section.page is None or section.page > len(pages):
            continue
        following = next((s for s in sections[index + 1 :] if s.page is not None), None)
        last = len(pages) if following is None else min(max(following.page or 0, section.page), len(pages))
        text = "\n".join(pages[section.page - 1 : last])
        start = _find_line(text, section.title, 0)
        start = 0 if start < 0 else (text.find("\n", start) + 1 or len(text))
        end = len(text)
        if following is not None:
            end = _find_line(text, following.title, start)
            if end < 0:  # the next heading was not found in the text: stop before its page
                end = len("\n".join(pages[section.page - 1 : last - 1])) if last > section.page else len(text)
        section.text = _clean_text(text[start : max(start, end)])


def _find_line(text: str, title: str, start: int) -> int:
    """Return the index of the line that contains `title` (from `start`), or -1."""
    if not title:
        return -1
    index = text.find(title[:60], start)
    if index < 0:
        return -1
    return text.rfind("\n", 0, index) + 1


def heading_sections(pages: list[str]) -> list[FoundSection]:
    """Return the sections found by the heading rule (module docstring) in the pages' texts."""
    found: list[FoundSection] = []
    lines: list[list[str]] = []  # text lines of each found section
    previous: dict[str, tuple[str, ...] | None] = {"numbered": None, "paragraph": None}
    for page_number, page in enumerate(pages, start=1):
        for raw in page.splitlines():
            line = " ".join(raw.split())
            heading = _heading(line, previous) if len(found) < MAX_SECTIONS else None
            if heading is not None:
                heading.page = page_number
                found.append(heading)
                lines.append([])
            elif lines:
                lines[-1].append(line)
    for section, text_lines in zip(found, lines, strict=True):
        section.text = _clean_text("\n".join(text_lines))
    return found


def _heading(line: str, previous: dict) -> FoundSection | None:
    match = NUMBERED.match(line)
    kind = "numbered"
    if match is None:
        match = PARAGRAPH.match(line)
        kind = "paragraph"
    if match is None or not _looks_like_title(match["title"]):
        return None
    if kind == "numbered":
        parts = tuple(match["number"].split("."))
        number = match["number"]
    else:
        digits = re.match(r"§\s*(\d+)([a-z]?)", match["number"])
        assert digits is not None
        parts = (digits[1],) if not digits[2] else (digits[1], digits[2])
        number = f"§ {digits[1]}{digits[2]}"
    if not _follows(parts, previous[kind], kind):
        return None
    previous[kind] = parts
    level = len(parts) if kind == "numbered" else 1
    return FoundSection(number, match["title"][:MAX_TITLE], level, None)


def _looks_like_title(title: str) -> bool:
    if not title[:1].isupper() or len(title) > 150 or len(title.split()) > 15:
        return False
    if NOT_A_TITLE_START.match(title) or LEADERS.search(title):
        return False
    if title[-1] in ".,;:" or re.search(r"\s\d{1,3}$", title):  # a sentence, or a contents line with its page
        return False
    return True


def _follows(parts: tuple[str, ...], previous: tuple[str, ...] | None, kind: str) -> bool:
    """Return whether heading number `parts` can come right after `previous` (None: the first heading)."""
    if kind == "paragraph":
        if len(parts) == 2:  # "§ 4a" follows "§ 4"
            return previous is not None and previous[0] == parts[0]
        return int(parts[0]) == (int(previous[0]) + 1 if previous else 1)
    numbers = [int(p) for p in parts]
    if previous is None:
        return all(n == 1 for n in numbers)
    before = [int(p) for p in previous]
    if numbers == before + [1]:  # first child
        return True
    depth = len(numbers)
    if depth <= len(before):  # next sibling of the heading or of one of its parents
        return numbers[:-1] == before[: depth - 1] and numbers[-1] == before[depth - 1] + 1
    return False


def _clean_text(text: str) -> str:
    """Strip the text, keep paragraph breaks, and cut it at MAX_TEXT characters."""
    text = re.sub(r"[ \t]+", " ", text).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT].rsplit(" ", 1)[0] + " …"
    return text
