"""Typo-tolerant search in the local gazetteer (Address), at most `LIMIT` results.

Both databases compare the normalised query (geodata.address_text) with the normalised address
text by trigrams, the measure of PostgreSQL's pg_trgm `word_similarity`: the share of the query's
trigrams found in the address. The street words decide which streets match, a house number orders
the hits (exact number, then numbers starting with it, then the rest of the street), a postcode
filters.

- PostGIS: `query <% search_text` uses the GIN trigram index (migration 0004), ordered by
  `word_similarity`; pg_trgm's default threshold (0.6). Sequential scans are switched off for the
  query (SET LOCAL), see `_search_postgres`.
- SpatiaLite: the distinct streets of the municipality (a few thousand) are scored in Python with
  the same measure and the same threshold, then their addresses are read by the street index. The
  trigrams are kept per process until the addresses change (a new highest id). The last query word counts as a prefix
  (the visitor is still typing), which pg_trgm does not do; otherwise the ranking is the same.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.db import connection, connections, transaction
from django.db.models import BooleanField, Case, F, FloatField, Func, IntegerField, Max, Value, When

from plans.models import Municipality

from .address_text import Query, normalise, parse_query
from .models import Address

LIMIT = 10
THRESHOLD = 0.6
RETRY_THRESHOLD = 0.5


@dataclass(frozen=True)
class Hit:
    """One search result, as the API returns it."""

    label: str
    street: str
    housenumber: str
    postcode: str
    place: str
    lat: float
    lon: float


class WordSimilar(Func):
    """`query <% text` (pg_trgm): true when word_similarity ≥ the threshold; answered by the GIN index."""

    arg_joiner = " <%% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class WordSimilarity(Func):
    """pg_trgm `word_similarity(query, text)`."""

    function = "word_similarity"
    output_field = FloatField()


def search_addresses(text: str, *, municipality: Municipality | None = None, limit: int = LIMIT) -> list[Hit]:
    """Return up to `limit` addresses matching `text` in `municipality` (all municipalities if None)."""
    query = parse_query(text)
    if not query.words and not query.postcode:
        return []
    addresses = Address.objects.in_municipality(municipality)
    if query.postcode:
        addresses = addresses.filter(postcode=query.postcode)
    if connection.vendor == "postgresql":
        rows = _search_postgres(addresses, query, limit)
    else:
        rows = _search_python(addresses, query, municipality, limit)
    return [_hit(address) for address in rows]


def _number_rank(number: str):
    if not number:
        return Value(0, output_field=IntegerField())
    return Case(
        When(number_key=number, then=Value(0)),
        When(number_key__startswith=number, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def _search_postgres(addresses, query: Query, limit: int) -> list[Address]:
    with transaction.atomic(using=addresses.db), connections[addresses.db].cursor() as cursor:
        # pg_trgm's operators are costed like a cheap comparison, so on a large table the planner picks a
        # sequential scan computing word_similarity for every row (~600 ms at 100,000 addresses) over the
        # GIN index (~10 ms). SET LOCAL ends with this transaction.
        cursor.execute("SET LOCAL enable_seqscan = off")
        rows = list(_postgres_query(addresses, query)[:limit])
        if not rows and len(query.words.split()) == 1:
            # Nothing at pg_trgm's threshold: perhaps a typo in a short street name; try once more, more
            # tolerant. Only for one word: with more, common words ("strasse") would reach the lower threshold.
            cursor.execute(f"SET LOCAL pg_trgm.word_similarity_threshold = {RETRY_THRESHOLD}")
            rows = list(_postgres_query(addresses, query)[:limit])
    return rows


def _postgres_query(addresses, query: Query):
    if query.words:
        words = Value(query.words)
        addresses = addresses.filter(WordSimilar(words, F("search_text"))).annotate(
            score=WordSimilarity(words, F("search_text"))
        )
    else:
        addresses = addresses.annotate(score=Value(1.0, output_field=FloatField()))
    addresses = addresses.annotate(number_rank=_number_rank(query.number))
    return addresses.order_by("-score", "number_rank", "street_key", "number_sort", "number_key", "pk")


def trigrams(text: str, *, prefix: bool = False) -> frozenset[str]:
    """Return pg_trgm's trigrams of `text` (each word padded: two spaces before, one after).

    With `prefix`, the last word's end trigram is left out: a word still being typed may go on.
    """
    grams: set[str] = set()
    words = text.split()
    for index, word in enumerate(words):
        padded = f"  {word} "
        if prefix and index == len(words) - 1:
            padded = padded[:-1]
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def _search_python(addresses, query: Query, municipality: Municipality | None, limit: int) -> list[Address]:
    if not query.words:  # a postcode (and number) only
        addresses = addresses.annotate(number_rank=_number_rank(query.number))
        return list(addresses.order_by("number_rank", "street_key", "number_sort", "number_key", "pk")[:limit])
    streets = _street_scores(query, municipality)
    addresses = addresses.annotate(number_rank=_number_rank(query.number)).order_by(
        "number_rank", "number_sort", "number_key", "pk"
    )
    # Best street first; usually its own addresses fill the page with one small read of the street index.
    rows: list[Address] = []
    for key, _score in streets:
        rows += addresses.filter(street_key=key)[: limit - len(rows)]
        if len(rows) >= limit:
            break
    return rows


def _street_scores(query: Query, municipality: Municipality | None) -> list[tuple[str, float]]:
    """Return (street_key, score) of the streets whose text matches `query`, best first."""
    wanted = trigrams(query.words, prefix=True)
    candidates = _street_trigrams(municipality.pk if municipality else None, _data_version(municipality))
    scored: dict[str, float] = {}
    for key, grams in candidates:
        score = len(wanted & grams) / len(wanted)
        if score >= THRESHOLD and score > scored.get(key, 0.0):
            scored[key] = score
    return sorted(scored.items(), key=lambda item: (-item[1], len(item[0]), item[0]))


_generation = 0


def forget_streets() -> None:
    """Drop this process's street trigrams (the import service calls it; other processes see new ids)."""
    global _generation
    _generation += 1


def _data_version(municipality: Municipality | None) -> tuple[int, int]:
    """Return the highest address id (an import writes new rows, so new ids) and this process's generation.

    The highest id is one step down the primary key index; counting the rows would take 10–30 ms at
    100,000 addresses on SpatiaLite.
    """
    last = Address.objects.in_municipality(municipality).aggregate(last=Max("pk"))["last"]
    return last or 0, _generation


@lru_cache(maxsize=64)
def _street_trigrams(municipality_id: int | None, version: tuple[int, int]) -> list[tuple[str, frozenset[str]]]:
    """Return each distinct (street, place) of the municipality with the trigrams of 'street postcode place'."""
    addresses = Address.objects.all()
    if municipality_id is not None:
        addresses = addresses.filter(municipality_id=municipality_id)
    rows = addresses.values_list("street_key", "postcode", "place").distinct()
    seen = {}
    for street_key, postcode, place in rows.iterator():
        text = " ".join(part for part in (street_key, postcode, normalise(place)) if part)
        seen[text] = street_key
    return [(key, trigrams(text)) for text, key in seen.items()]


def _hit(address: Address) -> Hit:
    return Hit(
        label=address.label,
        street=address.street,
        housenumber=address.housenumber,
        postcode=address.postcode,
        place=address.place,
        lat=round(address.point.y, 6),
        lon=round(address.point.x, 6),
    )
