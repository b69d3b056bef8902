"""Time the grouping of 10,000 statements, 4,000 of them form letters (not a test; run by hand).

    .venv/bin/python -m tests.workbench.time_grouping [--old]

Half the form letters are byte-identical, half differ in salutation, a name and the closing;
the other 6,000 are random texts from a small vocabulary. `--old` also times the previous
all-pairs-within-bucket algorithm from git (slow: minutes).
"""

import random
import sys
import time

from participation.workbench.similarity import similar_clusters

LETTERS = [
    "Ich erhebe Einwendungen gegen den Bebauungsplan. Die Riedbornstraße ist schon heute überlastet, der zusätzliche "
    "Verkehr gefährdet die Kinder auf dem Schulweg. Bitte verzichten Sie auf die Zufahrt über die Riedbornstraße und "
    "planen Sie eine Anbindung an die Landesstraße. Die Lärmbelastung für die Anwohner ist nicht zumutbar.",
    "Die geplante Bebauung zerstört die Frischluftschneise am Hang. Ich fordere, die Baufelder im Norden zu streichen "
    "und die Streuobstwiese als Ausgleichsfläche zu erhalten. Der Bach braucht einen Gewässerrandstreifen von "
    "mindestens zehn Metern, und die alten Bäume an der Hecke müssen stehen bleiben.",
]
WORDS = (
    "Lärm Verkehr Parkplätze Bäume Kita Schule Wohnungen Höhe Geschosse Bach Regenwasser Radweg Bus Spielplatz "
    "Abstand Schatten Grundwasser Hecke Wiese Zufahrt Gewerbe Tempo Nachbarn Dach Solar Garten"
).split()
SALUTATIONS = ["Sehr geehrte Damen und Herren,", "Hallo,", "Guten Tag,", ""]


def texts(n: int = 10_000, letters: int = 4_000, seed: int = 42) -> dict[int, str]:
    """Return `n` statement texts keyed 1..n; `letters` of them form letters (half identical)."""
    rng = random.Random(seed)
    result = {}
    for key in range(1, n + 1):
        if key <= letters:
            letter = LETTERS[key % 2]
            if key % 4 < 2:
                text = letter
            else:
                text = f"{rng.choice(SALUTATIONS)} {letter} Mit freundlichen Grüßen, Person {key}"
        else:
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 120))) + "."
        result[key] = text
    return result


def main() -> None:
    data = texts()
    start = time.perf_counter()
    clusters = similar_clusters(data, threshold=0.8)
    elapsed = time.perf_counter() - start
    grouped = sum(len(c) for c in clusters)
    print(f"new: {elapsed:.2f} s, {len(clusters)} clusters, {grouped} texts grouped")
    if "--old" in sys.argv:
        import subprocess
        import types

        source = subprocess.run(
            ["git", "show", "62f8402:participation/workbench/similarity.py"], capture_output=True, text=True, check=True
        ).stdout
        old = types.ModuleType("old_similarity")
        exec(compile(source, "old_similarity", "exec"), old.__dict__)  # noqa: S102
        start = time.perf_counter()
        old_clusters = old.similar_clusters(data, threshold=0.8)
        print(f"old: {time.perf_counter() - start:.2f} s, same clusters: {old_clusters == clusters}")


if __name__ == "__main__":
    main()
