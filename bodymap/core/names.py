"""Finding things by what people call them: an id, a name or a synonym, in any case, with or without
accents and punctuation ("mastoid_process", "Mastoid process", "TMJ"), and suggestions for a near miss.

The atlas's muscle search (atlas.model.Atlas.find) compares names the same way (normalise); this index
serves the landmarks and the conditions.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable


def normalise(text: str) -> str:
    """Lower case, no accents or punctuation, one space: how names are compared in search."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


class NameIndex:
    """Ids found by any of their names. Build once from (id, names) pairs; ids keep their given order."""

    def __init__(self, entries: Iterable[tuple[str, Iterable[str]]]):
        self._ids: dict[str, list[str]] = {}  # normalised name -> ids
        self._order: dict[str, int] = {}
        for id_, names in entries:
            self._order.setdefault(id_, len(self._order))
            for name in (id_, *names):
                key = normalise(name)
                if key and id_ not in self._ids.setdefault(key, []):
                    self._ids[key].append(id_)

    def find(self, text: str) -> list[str]:
        """The ids that `text` names exactly (case, accents and punctuation aside): usually one."""
        return list(self._ids.get(normalise(text), ()))

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """Ids whose names are near `text`: names with a word starting with each typed word, else names
        spelled alike ("mastiod" -> mastoid process)."""
        q = normalise(text)
        if not q:
            return []
        words = q.split()
        found: list[str] = []
        for name, ids in self._ids.items():
            if all(any(nw.startswith(w) for nw in name.split()) for w in words):
                found += [i for i in ids if i not in found]
        if found:
            return sorted(found, key=lambda i: self._order[i])[:n]
        # Spelled alike: every typed word close to some word of the name ("mastiod" ~ "mastoid").
        scored: dict[str, float] = {}
        for name, ids in self._ids.items():
            name_words = name.split()
            closeness = [max(_alike(w, nw) for nw in name_words) for w in words]
            score = max(min(closeness), _alike(q, name))
            if score >= 0.75:
                for i in ids:
                    scored[i] = max(scored.get(i, 0.0), score)
        return sorted(scored, key=lambda i: (-scored[i], self._order[i]))[:n]


def _alike(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


__all__ = ["NameIndex", "normalise"]
