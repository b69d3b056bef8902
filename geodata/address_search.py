"""Typo-tolerant search in the local gazetteer (Address), at most `LIMIT` results.

Both databases compare the normalised query (geodata.address_text) with the normalised text of the
streets (AddressStreet: street, postcode, place) by trigrams, the measure of PostgreSQL's pg_trgm
`word_similarity`: the share of the query's trigrams found in the street's text. The best streets
are then read address by address from the street index: the house number orders the hits (exact
number, then numbers starting with it, then the rest of the street), a postcode filters. Matching a
few thousand streets instead of 100,000 addresses keeps a search in milliseconds.

- PostGIS: `query <% search_text` uses the GIN trigram index (migration 0004), ordered by
  `word_similarity`; pg_trgm's default threshold (0.6); sequential scans are switched off for the
  query (SET LOCAL, see `_postgres_streets`). A one-word query without hits is asked once more at 0.5.
- SpatiaLite: the streets are scored in Python with the same measure and threshold; their trigrams
  are kept per process until the streets change (a new highest id). The last query word counts as a
  prefix (the visitor is still typing), which pg_trgm does not do, so SpatiaLite is a little more
  tolerant of a typo at the end and does not need the second try.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.db import connection, connections, transaction
from django.db.models import BooleanField, Case, F, FloatField, Func, IntegerField, Max, Value, When
from django.db.models.functions import Length

from plans.models import Municipality

from .address_text import Query, parse_query
from .models import Address, AddressStreet

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
    return [_hit(address) for address in _search_streets(addresses, query, municipality, limit)]


def _number_rank(number: str):
    if not number:
        return Value(0, output_field=IntegerField())
    return Case(
        When(number_key=number, then=Value(0)),
        When(number_key__startswith=number, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def _search_streets(addresses, query: Query, municipality: Municipality | None, limit: int) -> list[Address]:
    if not query.words:  # a postcode (and number) only
        addresses = addresses.annotate(number_rank=_number_rank(query.number))
        return list(addresses.order_by("number_rank", "street_key", "number_sort", "number_key", "pk")[:limit])
    streets = AddressStreet.objects.all() if municipality is None else municipality.address_streets.all()
    if query.postcode:
        streets = streets.filter(postcode=query.postcode)
    if connection.vendor == "postgresql":
        keys = _postgres_streets(streets, query, limit)
    else:
        keys = _python_streets(query, municipality, limit)
    addresses = addresses.annotate(number_rank=_number_rank(query.number)).order_by(
        "number_rank", "number_sort", "number_key", "pk"
    )
    # Best street first; usually its own addresses fill the page with one small read of the street index.
    rows: list[Address] = []
    for key in keys:
        rows += addresses.filter(street_key=key)[: limit - len(rows)]
        if len(rows) >= limit:
            break
    return rows


def _unique(keys) -> list[str]:
    return list(dict.fromkeys(keys))


def _postgres_streets(streets, query: Query, limit: int) -> list[str]:
    """Return the keys of the streets best matching `query` (pg_trgm), best first."""
    words = Value(query.words)
    matching = (
        streets.filter(WordSimilar(words, F("search_text")))
        .annotate(score=WordSimilarity(words, F("search_text")), length=Length("street_key"))
        .order_by("-score", "length", "street_key")
        .values_list("street_key", flat=True)
    )
    with transaction.atomic(using=streets.db), connections[streets.db].cursor() as cursor:
        # pg_trgm's operators are costed like a cheap comparison, so the planner prefers a sequential scan
        # computing word_similarity for every row over the GIN index. SET LOCAL ends with this transaction.
        cursor.execute("SET LOCAL enable_seqscan = off")
        keys = _unique(matching[: limit * 4])
        if not keys and len(query.words.split()) == 1:
            # Nothing at pg_trgm's threshold: perhaps a typo in a short street name; try once more, more
            # tolerant. Only for one word: with more, common words ("strasse") would reach the lower threshold.
            cursor.execute(f"SET LOCAL pg_trgm.word_similarity_threshold = {RETRY_THRESHOLD}")
            keys = _unique(matching[: limit * 4])
    return keys[:limit]


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


def _python_streets(query: Query, municipality: Municipality | None, limit: int) -> list[str]:
    """Return the keys of the streets best matching `query` (trigrams scored here), best first."""
    wanted = trigrams(query.words, prefix=True)
    candidates = _street_trigrams(municipality.pk if municipality else None, _data_version(municipality))
    scored: dict[str, float] = {}
    for key, postcode, grams in candidates:
        if query.postcode and postcode != query.postcode:
            continue
        score = len(wanted & grams) / len(wanted)
        if score >= THRESHOLD and score > scored.get(key, 0.0):
            scored[key] = score
    ranked = sorted(scored.items(), key=lambda item: (-item[1], len(item[0]), item[0]))
    return [key for key, _score in ranked[:limit]]


_generation = 0


def forget_streets() -> None:
    """Drop this process's street trigrams (the import service calls it; other processes see new ids)."""
    global _generation
    _generation += 1


def _data_version(municipality: Municipality | None) -> tuple[int, int]:
    """Return the highest street id (an import writes new rows, so new ids) and this process's generation."""
    streets = AddressStreet.objects.all() if municipality is None else municipality.address_streets.all()
    return streets.aggregate(last=Max("pk"))["last"] or 0, _generation


@lru_cache(maxsize=64)
def _street_trigrams(municipality_id: int | None, version: tuple[int, int]) -> list[tuple[str, str, frozenset[str]]]:
    """Return (street_key, postcode, trigrams of the search text) of each street of the municipality."""
    streets = AddressStreet.objects.all()
    if municipality_id is not None:
        streets = streets.filter(municipality_id=municipality_id)
    rows = streets.values_list("street_key", "postcode", "search_text")
    return [(key, postcode, trigrams(text)) for key, postcode, text in rows.iterator()]


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
