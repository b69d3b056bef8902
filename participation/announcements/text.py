"""Count and fit announcement texts to each network's limit, keeping the plan link intact.

- X: 280 "weighted" characters (twitter-text v3): code points in the Latin, general
  punctuation and similar ranges weigh 1, everything else (CJK, emoji) 2; every URL 23.
- Mastodon: 500 characters (grapheme clusters); every URL counts as 23.
- Bluesky: 300 grapheme clusters; the URL counts with its full length.
"""

from dataclasses import dataclass

import regex

URL_RE = regex.compile(r"https?://[^\s<>\"]+", regex.IGNORECASE)
TRAILING_PUNCTUATION = ".,;:!?'"
BRACKETS = {")": "(", "]": "[", "}": "{"}
URL_WEIGHT = 23
ELLIPSIS = "…"

# twitter-text v3 configuration: these code point ranges weigh 1, all others 2.
_X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

LIMITS = {"x": 280, "mastodon": 500, "bluesky": 300}


def graphemes(text: str) -> list[str]:
    """Return the extended grapheme clusters of `text`."""
    return regex.findall(r"\X", text)


def _x_weight(cluster: str) -> int:
    code = ord(cluster[0])
    if len(cluster) == 1 or all(_is_light(ord(c)) for c in cluster):
        return 1 if _is_light(code) else 2
    return 2  # emoji sequences and other combined clusters count as one heavy character


def _is_light(code: int) -> bool:
    return any(low <= code <= high for low, high in _X_LIGHT_RANGES)


def url_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of every URL in `text`, without trailing punctuation or an unbalanced closing bracket.

    "Siehe https://a.de/plan-64." links `https://a.de/plan-64`; "(https://a.de/plan)" links
    `https://a.de/plan`, while `https://de.wikipedia.org/wiki/Plan_(Recht)` keeps its balanced bracket.
    """
    spans = []
    for match in URL_RE.finditer(text):
        url = match.group()
        while url:
            last = url[-1]
            if last in TRAILING_PUNCTUATION:
                url = url[:-1]
            elif last in BRACKETS and url.count(BRACKETS[last]) < url.count(last):
                url = url[:-1]
            else:
                break
        if len(url) > len("https://"):
            spans.append((match.start(), match.start() + len(url)))
    return spans


def _plain_length(text: str, channel: str) -> int:
    if channel == "x":
        return sum(_x_weight(c) for c in graphemes(text))
    return len(graphemes(text))


def count(text: str, channel: str) -> int:
    """Return the length of `text` as `channel` counts it."""
    total = 0
    position = 0
    for start, end in url_spans(text):
        total += _plain_length(text[position:start], channel)
        total += len(graphemes(text[start:end])) if channel == "bluesky" else URL_WEIGHT
        position = end
    return total + _plain_length(text[position:], channel)


@dataclass(frozen=True)
class Fitted:
    channel: str
    text: str
    length: int
    limit: int
    shortened: bool

    @property
    def fits(self) -> bool:
        return self.length <= self.limit


def fit(body: str, link: str, channel: str) -> Fitted:
    """Return `body` plus `link` for `channel`, shortening the body at a word boundary if needed."""
    limit = LIMITS[channel]
    body = body.strip()
    suffix = f"\n\n{link}" if link else ""
    text = body + suffix
    length = count(text, channel)
    if length <= limit:
        return Fitted(channel, text, length, limit, False)
    budget = limit - count(suffix, channel) - count(ELLIPSIS, channel)
    clusters = graphemes(body)
    kept: list[str] = []
    used = 0
    for cluster in clusters:
        weight = count(cluster, channel)
        if used + weight > budget:
            break
        kept.append(cluster)
        used += weight
    short = "".join(kept)
    cut = short.rstrip()
    # Prefer to cut at the last word boundary if it does not throw away too much.
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    if boundary > len(cut) * 0.6:
        cut = cut[:boundary]
    cut = cut.rstrip(" ,;:-–\n") + ELLIPSIS
    text = cut + suffix
    return Fitted(channel, text, count(text, channel), limit, True)
