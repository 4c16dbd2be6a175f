"""Word <-> index mapping with reserved padding and unknown entries."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from attnviz.errors import ModelFolderError

PADDING = "<pad>"
UNKNOWN = "<unk>"
PADDING_INDEX = 0
UNKNOWN_INDEX = 1
RESERVED_ENTRIES = 2  # padding and unknown, before every word


class Vocabulary:
    """Index 0 is padding, 1 is unknown, then words from most to least frequent (ties by word)."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = [PADDING, UNKNOWN, *words]
        self.index = {word: position for position, word in enumerate(self.words)}
        if len(self.index) != len(self.words):
            raise ModelFolderError("The vocabulary lists a word twice; the model folder is damaged.")

    @classmethod
    def build(cls, documents: Iterable[Sequence[str]], *, min_count: int, max_size: int) -> Vocabulary:
        counts: Counter[str] = Counter()
        for words in documents:
            counts.update(words)
        kept = [word for word, count in counts.items() if count >= min_count and word not in (PADDING, UNKNOWN)]
        kept.sort(key=lambda word: (-counts[word], word))
        return cls(kept[:max_size])

    def encode(self, words: Iterable[str]) -> list[int]:
        # `dict.get` mapped over the words with its default repeated: the loop stays in C.
        return list(map(self.index.get, words, itertools.repeat(UNKNOWN_INDEX)))

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def to_dict(self) -> dict[str, Any]:
        return {"padding": PADDING, "unknown": UNKNOWN, "words": self.words[RESERVED_ENTRIES:]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Vocabulary:
        words = data.get("words")
        if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
            raise ModelFolderError("tokenizer.json has no list of words; the model folder is damaged.")
        return cls(words)
