"""The grouping algorithm: identical and near-identical texts cluster, unrelated ones do not, in near-linear work."""

import random
from collections import Counter

from participation.workbench import similarity
from participation.workbench.similarity import jaccard, normalise, shingles, similar_clusters
from tests.workbench.time_grouping import LETTERS, WORDS


def _all_pairs_clusters(texts: dict[int, str], threshold: float) -> list[list[int]]:
    """Return the clusters of the exact method: Jaccard of every pair, single linkage (the reference)."""
    sets = {key: shingles(normalise(text)) for key, text in texts.items() if normalise(text)}
    keys = sorted(sets)
    parent = {key: key for key in keys}

    def find(key):
        while parent[key] != key:
            key = parent[key]
        return key

    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if jaccard(sets[a], sets[b]) >= threshold:
                parent[max(find(a), find(b))] = min(find(a), find(b))
    clusters: dict[int, list[int]] = {}
    for key in keys:
        clusters.setdefault(find(key), []).append(key)
    return sorted((c for c in clusters.values() if len(c) > 1), key=lambda c: c[0])


def _variant(rng: random.Random, text: str, edits: int) -> str:
    """Return `text` with `edits` words replaced, inserted or dropped at random places."""
    words = text.split()
    for _ in range(edits):
        position = rng.randrange(len(words))
        action = rng.choice(("replace", "insert", "drop"))
        if action == "replace":
            words[position] = rng.choice(WORDS)
        elif action == "insert":
            words.insert(position, rng.choice(WORDS))
        elif len(words) > 5:
            del words[position]
    return " ".join(words)


def test_identical_texts_after_normalisation_form_one_cluster():
    texts = {
        1: "Ich bin GEGEN die Halle!",
        2: "ich bin gegen   die halle",
        3: "Ich bin gegen die Halle.",
        4: "Ganz etwas anderes über den Bach und die Wiese im Norden.",
        5: "",
        6: "   ",
    }
    assert similar_clusters(texts) == [[1, 2, 3]]


def test_near_identical_form_letters_cluster_and_unrelated_texts_stay_apart():
    rng = random.Random(7)
    texts = {}
    for key in range(1, 41):  # 40 letters of two campaigns, each with its own greeting and name
        texts[key] = f"Guten Tag, {LETTERS[key % 2]} Mit freundlichen Grüßen, Person {key}"
    for key in range(41, 61):  # 20 unrelated texts
        texts[key] = " ".join(rng.choice(WORDS) for _ in range(40))
    clusters = similar_clusters(texts, threshold=0.8)
    assert clusters == [list(range(1, 41, 2)), list(range(2, 41, 2))]


def test_threshold_decides_how_far_a_variant_may_differ():
    base = LETTERS[0]
    texts = {1: base, 2: base + " Außerdem fordere ich einen Lärmschutzwall entlang der Landesstraße im Süden."}
    similarity_of_pair = jaccard(shingles(normalise(texts[1])), shingles(normalise(texts[2])))
    assert 0.7 < similarity_of_pair < 0.85
    assert similar_clusters(texts, threshold=0.7) == [[1, 2]]
    assert similar_clusters(texts, threshold=0.9) == []


def test_same_clusters_as_comparing_all_pairs():
    """On a mixed set (variants with 0–12 edits, unrelated texts) the result equals the exact all-pairs method."""
    rng = random.Random(20261130)
    texts = {}
    key = 0
    for letter in LETTERS:
        for _ in range(60):
            key += 1
            texts[key] = _variant(rng, letter, rng.randint(0, 12))
    for _ in range(150):
        key += 1
        texts[key] = " ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 60)))
    for threshold in (0.7, 0.8, 0.9):
        assert similar_clusters(texts, threshold=threshold) == _all_pairs_clusters(texts, threshold), threshold


def test_work_grows_linearly_for_a_mass_campaign(monkeypatch):
    """3,000 distinct variants of one letter need about one Jaccard check each, not the 4.5 million pairs."""
    calls = Counter()
    real = similarity.jaccard

    def counting(a, b):
        calls["jaccard"] += 1
        return real(a, b)

    monkeypatch.setattr(similarity, "jaccard", counting)
    texts = {key: f"{LETTERS[0]} Mit freundlichen Grüßen, Person {key}" for key in range(1, 3001)}
    progress = []
    clusters = similar_clusters(texts, threshold=0.8, progress=lambda done, total: progress.append((done, total)))
    assert clusters == [list(range(1, 3001))]
    assert calls["jaccard"] <= 2 * len(texts)
    assert progress[-1] == (3000, 3000) and len(progress) == 3


def test_minhash_signatures_agree_about_as_often_as_the_texts_overlap():
    def signature(text):
        return similarity._signature(similarity._shingle_hashes(normalise(text).split(), {}))

    a, b = LETTERS[0] + " Mit freundlichen Grüßen, Person 1", "Hallo, " + LETTERS[0]
    agreement = (signature(a) == signature(b)).mean()
    assert abs(agreement - jaccard(shingles(normalise(a)), shingles(normalise(b)))) < 0.2
    assert (signature(a) == signature(LETTERS[1])).mean() < 0.2


def test_shingle_hashes_match_the_shingles():
    for text in ("kurz", "zwei Wörter", "drei Wörter hier", LETTERS[0], "a b a b a b"):
        words = normalise(text).split()
        assert len(similarity._shingle_hashes(words, {})) == len(shingles(normalise(text)))
