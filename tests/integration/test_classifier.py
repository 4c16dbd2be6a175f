"""Train -> save -> load -> predict -> explain on the tiny corpus whose answer is obvious."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from attnviz import Explanation
from attnviz.classifier import TextClassifier
from attnviz.errors import ConfigError, DataError, NotFittedError
from attnviz.explanation import SCHEMA_KEYS
from tests.conftest import TINY_SETTINGS, make_tiny_corpus


def test_the_tiny_model_learns_the_obvious_answer(classifier: TextClassifier) -> None:
    texts, labels = make_tiny_corpus(size=60, seed=1)
    assert classifier.evaluate(texts, labels)["accuracy"] >= 0.95
    assert classifier.predict(["The food was delicious!", "The staff were rude."]) == ["positive", "negative"]


def test_predict_proba_rows_sum_to_one_in_class_order(classifier: TextClassifier) -> None:
    probabilities = classifier.predict_proba(["our room was lovely", "", "zzz qqq"])
    assert isinstance(probabilities, np.ndarray) and probabilities.shape == (3, 3)
    assert np.allclose(probabilities.sum(1), 1.0, atol=1e-5)
    assert classifier.classes_ == ["negative", "neutral", "positive"]


def test_attention_lands_on_the_cue_word(classifier: TextClassifier) -> None:
    (explanation,) = classifier.explain(["The staff were wonderful today."])
    top = max(explanation.tokens, key=lambda token: token.weight)
    assert explanation.label == "positive"
    assert top.text == "wonderful"


def test_explanation_has_the_documented_schema_and_exact_spans(classifier: TextClassifier) -> None:
    text = "  The FOOD was   great!! 😀\n"
    (explanation,) = classifier.explain([text])
    data = explanation.to_dict()
    assert tuple(data) == SCHEMA_KEYS
    assert data["method"] == "attention" and data["truncated"] is False
    assert math.isclose(sum(token["weight"] for token in data["tokens"]), 1.0, rel_tol=1e-5)
    for token in data["tokens"]:
        assert text[token["start"] : token["end"]] == token["text"]
        assert set(token["class_weights"]) == set(classifier.classes_)
    for name in classifier.classes_:
        assert math.isclose(sum(t["class_weights"][name] for t in data["tokens"]), 1.0, rel_tol=1e-5)
    assert "".join(piece for piece, _ in explanation.segments()) == text
    assert Explanation.from_dict(data) == explanation


def test_empty_texts_are_predicted_and_explained_without_tokens(classifier: TextClassifier) -> None:
    explanations = classifier.explain(["", "   ", "great"])
    assert [len(e.tokens) for e in explanations] == [0, 0, 1]
    assert all(math.isclose(sum(e.probabilities.values()), 1.0, rel_tol=1e-5) for e in explanations)
    assert len(classifier.predict(["", ""])) == 2


def test_long_texts_are_truncated_and_the_explanation_says_so(
    tiny_corpus: tuple[list[str], list[str]],
) -> None:
    short = TextClassifier(**{**TINY_SETTINGS, "epochs": 1, "max_length": 5}).fit(*tiny_corpus)
    (cut, whole) = short.explain(["one two three four five six seven", "one two"])
    assert cut.truncated and len(cut.tokens) == 5 and cut.read_end == len("one two three four five")
    assert not whole.truncated


def test_explanations_come_back_in_input_order(classifier: TextClassifier) -> None:
    texts = ["a " * n + "great" for n in (30, 1, 12, 0, 7)]
    assert [e.text for e in classifier.explain(texts)] == texts


def test_the_same_seed_gives_the_same_model(tiny_corpus: tuple[list[str], list[str]]) -> None:
    settings = {**TINY_SETTINGS, "epochs": 2}
    first = TextClassifier(**settings).fit(*tiny_corpus).predict_proba(["the food was fine"])
    second = TextClassifier(**settings).fit(*tiny_corpus).predict_proba(["the food was fine"])
    assert np.array_equal(first, second)


def test_explicit_validation_data_is_used(tiny_corpus: tuple[list[str], list[str]]) -> None:
    texts, labels = tiny_corpus
    model = TextClassifier(**{**TINY_SETTINGS, "epochs": 1}).fit(
        texts, labels, valid_texts=texts[:9], valid_labels=labels[:9]
    )
    assert model.meta_["validation_examples"] == 9 and model.meta_["training_examples"] == len(texts)


def test_one_class_is_refused_with_a_sentence() -> None:
    with pytest.raises(DataError, match="only one class"):
        TextClassifier().fit(["a", "b"], ["x", "x"])


def test_unknown_labels_at_evaluation_are_named(classifier: TextClassifier) -> None:
    with pytest.raises(DataError, match="labels the model does not know \\('mystery'\\)"):
        classifier.evaluate(["great"], ["mystery"])


def test_unknown_setting_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"Unknown setting hiden_size; the settings are: .*hidden_size"):
        TextClassifier(hiden_size=3)


def test_using_an_untrained_classifier_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(NotFittedError, match="call fit"):
        TextClassifier().predict(["x"])


def test_a_single_string_is_refused_rather_than_split_into_characters(classifier: TextClassifier) -> None:
    with pytest.raises(DataError, match="wrap it as \\[text\\]"):
        classifier.predict("great")  # type: ignore[arg-type]


@pytest.mark.parametrize("attention", ["additive", "dot", "per-class"])
@pytest.mark.parametrize("rnn", ["gru", "lstm"])
def test_other_attention_forms_and_cells_train_save_and_explain(
    tiny_corpus: tuple[list[str], list[str]], tmp_path: Path, attention: str, rnn: str
) -> None:
    model = TextClassifier(**{**TINY_SETTINGS, "epochs": 2, "attention": attention, "rnn": rnn}).fit(*tiny_corpus)
    model.save(tmp_path / "m")
    (explanation,) = TextClassifier.load(tmp_path / "m").explain(["the food was great"])
    assert math.isclose(sum(t.weight for t in explanation.tokens), 1.0, rel_tol=1e-5)
    assert all(len(t.class_weights) == 3 for t in explanation.tokens)
    if attention == "per-class":  # the weights used are the predicted class's own
        own = [t.class_weights[explanation.label] for t in explanation.tokens]
        assert [t.weight for t in explanation.tokens] == pytest.approx(own, abs=1e-6)


def test_explaining_in_pipelined_chunks_gives_the_same_result(
    classifier: TextClassifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    import attnviz.inference

    texts = [f"the food was {word} today" for word in ["great", "awful", "okay"] * 9] + ["", "rude"]
    whole = classifier.explain(texts)
    monkeypatch.setattr(attnviz.inference, "CHUNK_SIZE", 4)
    threads = torch.get_num_threads()
    chunked = classifier.explain(texts)
    assert torch.get_num_threads() == threads  # the core left to Python while pipelining is given back
    assert [e.text for e in chunked] == texts
    assert [e.label for e in chunked] == [e.label for e in whole]
    for a, b in zip(whole, chunked, strict=True):
        assert [t.weight for t in a.tokens] == pytest.approx([t.weight for t in b.tokens], abs=1e-6)


def test_explain_returns_a_list_that_notebooks_draw_under_one_legend(classifier: TextClassifier) -> None:
    explanations = classifier.explain(["the food was great", "rude staff"])
    assert isinstance(explanations, list) and len(explanations) == 2
    html = explanations._repr_html_()
    assert html.count('class="attnviz-legend"') == 1 and html.count('class="attnviz-block"') == 2
    assert explanations.to_dicts()[0]["text"] == "the food was great"


def test_iter_explain_reads_texts_lazily_and_matches_explain(
    classifier: TextClassifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    import attnviz.inference

    monkeypatch.setattr(attnviz.inference, "CHUNK_SIZE", 4)
    texts = [f"the food was {word} today" for word in ["great", "awful", "okay"] * 15] + ["", "rude"]
    pulled = []

    def source() -> Iterator[str]:
        for text in texts:
            pulled.append(text)
            yield text

    stream = classifier.iter_explain(source())
    first = next(stream)
    # The first chunk is handed over while a chunk per worker is in flight, not after the whole input.
    workers = min(torch.get_num_threads(), 4)
    assert first.text == texts[0] and len(pulled) <= (workers + 1) * 4 + 1 < len(texts)
    streamed = [first, *stream]
    whole = classifier.explain(texts)
    assert [e.text for e in streamed] == texts and [e.label for e in streamed] == [e.label for e in whole]
    for a, b in zip(whole, streamed, strict=True):
        assert [t.weight for t in a.tokens] == pytest.approx([t.weight for t in b.tokens], abs=1e-6)
    monkeypatch.undo()  # one chunk: batches of other lengths would round the gradients differently
    gradients = list(classifier.iter_explain(iter(texts[:5]), method="gradient-x-input"))
    assert gradients == classifier.explain(texts[:5], method="gradient-x-input")


def test_iter_explain_refuses_bad_options_before_reading_and_bad_texts_by_number(classifier: TextClassifier) -> None:
    with pytest.raises(ConfigError, match="has no option stepz"):
        classifier.iter_explain(iter(["a"]), method="integrated-gradients", stepz=3)
    with pytest.raises(ConfigError, match="Unknown explanation method 'attn'"):
        classifier.iter_explain(["a"], method="attn")
    with pytest.raises(DataError, match="not a single string"):
        classifier.iter_explain("the food was great")
    with pytest.raises(DataError, match="Text number 2 is a int"):
        list(classifier.iter_explain(["great", 3]))  # type: ignore[list-item]
