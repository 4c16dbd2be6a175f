"""Reading pretrained word vectors (word2vec text and binary, GloVe, fastText .vec, gzipped) and
copying them into a network's embedding rows."""

from __future__ import annotations

import gzip
import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from attnviz.config import ModelConfig
from attnviz.errors import ConfigError, DataError
from attnviz.nn.network import AttentionClassifierNetwork
from attnviz.pretrained import copy_vectors, sized_for_vectors
from attnviz.text.embeddings import WordVectors, read_word_vectors
from attnviz.text.vocabulary import PADDING_INDEX, Vocabulary

VECTORS = {
    "good": [0.5, -1.25, 2.0],
    "bad": [-0.25, 0.0, 1.5],
    "café": [3.0, 0.125, -7.5],
    "unused": [9.0, 9.0, 9.0],
}
WANTED = {"good", "bad", "café", "missing"}


def text_body(vectors: dict[str, list[float]], end: str = "\n") -> str:
    return "".join(f"{word} {' '.join(repr(value) for value in values)}{end}" for word, values in vectors.items())


def word2vec_text(vectors: dict[str, list[float]]) -> bytes:
    return (f"{len(vectors)} 3\n" + text_body(vectors)).encode()


def fasttext_vec(vectors: dict[str, list[float]]) -> bytes:
    return (f"{len(vectors)} 3 \n" + text_body(vectors, end=" \n")).encode()  # fastText ends lines with a space


def glove(vectors: dict[str, list[float]]) -> bytes:
    return text_body(vectors).encode()


def binary_entry(word: bytes, values: list[float], newline: bool = True) -> bytes:
    return word + b" " + np.asarray(values, dtype="<f4").tobytes() + (b"\n" if newline else b"")


def word2vec_binary(vectors: dict[str, list[float]], newline: bool = True) -> bytes:
    entries = b"".join(binary_entry(word.encode(), values, newline) for word, values in vectors.items())
    return f"{len(vectors)} 3\n".encode() + entries


FORMATS: dict[str, Callable[[dict[str, list[float]]], bytes]] = {
    "word2vec-text": word2vec_text,
    "fasttext-vec": fasttext_vec,
    "glove": glove,
    "word2vec-binary": word2vec_binary,
    "word2vec-binary-without-newlines": lambda vectors: word2vec_binary(vectors, newline=False),
}


def write(path: Path, content: bytes, compressed: bool = False) -> Path:
    path.write_bytes(gzip.compress(content) if compressed else content)
    return path


def assert_vectors(found: WordVectors, expected: dict[str, list[float]]) -> None:
    assert set(found.vectors) == set(expected)
    for word, values in expected.items():
        assert found.vectors[word].dtype == np.float32
        np.testing.assert_array_equal(found.vectors[word], np.asarray(values, dtype=np.float32))


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_is_detected_from_its_content_and_keeps_only_the_words_asked_for(
    tmp_path: Path, name: str, compressed: bool
) -> None:
    path = write(tmp_path / ("vectors.gz" if compressed else "vectors"), FORMATS[name](VECTORS), compressed)
    found = read_word_vectors(path, WANTED)
    assert found.dimension == 3 and found.words_in_file == 4 and found.found == 3
    assert_vectors(found, {word: VECTORS[word] for word in ("good", "bad", "café")})


def test_gzip_is_recognised_by_its_bytes_not_its_name(tmp_path: Path) -> None:
    path = write(tmp_path / "vectors.txt", glove(VECTORS), compressed=True)
    assert_vectors(read_word_vectors(path, {"good"}), {"good": VECTORS["good"]})


def test_a_mapping_works_as_the_vocabulary(tmp_path: Path) -> None:
    path = write(tmp_path / "v.vec", fasttext_vec(VECTORS))
    assert set(read_word_vectors(path, {"good": 2, "bad": 3}).vectors) == {"good", "bad"}


def test_glove_words_with_spaces_take_all_but_the_last_dimension_fields(tmp_path: Path) -> None:
    path = write(tmp_path / "glove.840B.txt", b"good 1 2 3\n. . . 0.5 0.25 0.125\nat name@domain.com 4 5 6\n")
    found = read_word_vectors(path, {". . .", "at name@domain.com"})
    assert_vectors(found, {". . .": [0.5, 0.25, 0.125], "at name@domain.com": [4, 5, 6]})


def test_the_first_vector_of_a_repeated_word_wins(tmp_path: Path) -> None:
    text = write(tmp_path / "t.txt", b"good 1 2 3\ngood 7 8 9\n")
    assert_vectors(read_word_vectors(text, {"good"}), {"good": [1, 2, 3]})
    entries = binary_entry(b"good", [1, 2, 3]) + binary_entry(b"good", [7, 8, 9])
    binary = write(tmp_path / "b.bin", b"2 3\n" + entries)
    assert_vectors(read_word_vectors(binary, {"good"}), {"good": [1, 2, 3]})


def test_words_that_are_not_utf8_are_skipped(tmp_path: Path) -> None:
    entries = [
        binary_entry(b"caf\xc3", [1, 2, 3]),
        binary_entry(b"caf\xe9", [4, 5, 6]),
        binary_entry(b"good", [7, 8, 9]),
    ]
    path = write(tmp_path / "google.bin", b"3 3\n" + b"".join(entries))
    found = read_word_vectors(path, {"good", "caf\ufffd", "café"}, lowercase=True)
    assert_vectors(found, {"good": [7, 8, 9]})
    assert found.words_in_file == 3


def test_windows_line_endings_and_blank_lines_are_ignored(tmp_path: Path) -> None:
    path = write(tmp_path / "v.txt", b"2 3\r\ngood 1 2 3 \r\n\r\nbad 4 5 6\r\n")
    assert_vectors(read_word_vectors(path, {"good", "bad"}), {"good": [1, 2, 3], "bad": [4, 5, 6]})


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        (b"good 1 2 3\nbad 4 5\n", ["line 2", "2 values", "3 (as in line 1)"]),
        (b"good 1 2 3\nbad 4 5 6\nugly 7 8 9 10\n", ["line 3", "4 values"]),
        (b"3 3\ngood 1 2 3\nbad 4 5 6\nugly 7 8\n", ["line 4", "2 values", "3 (as in the header)"]),
        (b"2 3\ngood 1 2\nbad 4 5 6\n", ["line 2", "2 values", "3 (as in the header)"]),
    ],
    ids=["too-few", "too-many", "against-the-header", "first-record-after-the-header"],
)
def test_a_vector_of_another_length_names_its_line(tmp_path: Path, content: bytes, fragments: list[str]) -> None:
    path = write(tmp_path / "v.txt", content)
    with pytest.raises(DataError) as caught:
        read_word_vectors(path, {"nothing"})
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_a_value_that_is_not_a_number_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "v.txt", b"good 1 2 3\nbad 4 x 6\n")
    with pytest.raises(DataError, match="line 2"):
        read_word_vectors(path, {"bad"})


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "is empty"),
        (b"\n", "is empty"),
        (b"10 3\n", "no vectors"),
        (b"word\n", "line 1"),
        (b"3 3\n" + binary_entry(b"good", [1, 2, 3]) + b"bad \x00\x00", "cut short"),
    ],
    ids=["empty", "blank", "header-only", "no-numbers", "binary-cut-short"],
)
def test_unusable_files_are_refused_with_a_sentence(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = write(tmp_path / "v.txt", content)
    with pytest.raises(DataError, match=fragment):
        read_word_vectors(path, {"good"})


def test_a_missing_file_or_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        read_word_vectors(tmp_path / "none.vec", {"good"})
    with pytest.raises(DataError, match="folder"):
        read_word_vectors(tmp_path, {"good"})


def test_a_damaged_gzip_file_is_a_data_error(tmp_path: Path) -> None:
    path = write(tmp_path / "v.gz", gzip.compress(glove(VECTORS))[:-12])
    with pytest.raises(DataError, match="cannot be read"):
        read_word_vectors(path, {"good"})


def test_lowercase_falls_back_to_the_first_case_variant_but_prefers_an_exact_match(tmp_path: Path) -> None:
    path = write(tmp_path / "v.txt", b"Paris 1 1 1\nPARIS 2 2 2\nGood 3 3 3\ngood 4 4 4\n")
    assert_vectors(read_word_vectors(path, {"paris", "good"}, lowercase=True), {"paris": [1, 1, 1], "good": [4, 4, 4]})
    assert_vectors(read_word_vectors(path, {"paris", "good"}), {"good": [4, 4, 4]})


# -- copying into the network ---------------------------------------------------------------------------


def tiny_network(vocabulary: Vocabulary, embedding_size: int = 3) -> AttentionClassifierNetwork:
    torch.manual_seed(0)
    config = ModelConfig(vocabulary_size=len(vocabulary), num_classes=2, embedding_size=embedding_size, hidden_size=4)
    return AttentionClassifierNetwork(config)


def test_copy_puts_each_covered_words_vector_in_its_row_and_leaves_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    vocabulary = Vocabulary(["good", "bad", "missing"])
    network = tiny_network(vocabulary)
    before = network.encoder.embedding.weight.detach().clone()
    vectors = WordVectors(3, {word: np.asarray(VECTORS[word], dtype=np.float32) for word in ("good", "bad")}, 4)
    with caplog.at_level(logging.INFO, logger="attnviz.pretrained"):
        assert copy_vectors(network, vocabulary, vectors) == 2
    after = network.encoder.embedding.weight.detach()
    for word in ("good", "bad"):
        assert after[vocabulary.index[word]].tolist() == VECTORS[word]
    for row in (vocabulary.index["missing"], vocabulary.index["<unk>"]):
        assert torch.equal(after[row], before[row])
    assert not after[PADDING_INDEX].any()
    assert "pretrained vectors cover 2 of 3 vocabulary words (66.7 %)" in caplog.text


def test_copy_refuses_vectors_of_another_width() -> None:
    vocabulary = Vocabulary(["good"])
    with pytest.raises(ConfigError, match="3 wide"):
        copy_vectors(tiny_network(vocabulary), vocabulary, WordVectors(5, {}, 0))


def test_the_vectors_width_becomes_the_embedding_size_unless_one_was_set() -> None:
    vectors = WordVectors(50, {}, 0)
    assert sized_for_vectors(ModelConfig(), vectors, "v.txt", explicit=False).embedding_size == 50
    assert sized_for_vectors(ModelConfig(embedding_size=50), vectors, "v.txt", explicit=True).embedding_size == 50
    with pytest.raises(ConfigError) as caught:
        sized_for_vectors(ModelConfig(embedding_size=16), vectors, "v.txt", explicit=True)
    message = str(caught.value)
    assert "16" in message and "50" in message and "embedding_size" in message
