from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from attnviz.classifier import TextClassifier
from attnviz.errors import ConfigError, DataError
from attnviz.explain import METHODS
from attnviz.explain.integrated_gradients import integrated_gradients
from attnviz.metrics.faithfulness import aopc, comprehensiveness
from attnviz.nn.network import AttentionClassifierNetwork

TEXTS = ["The food was great!", "Our room was awful today.", "", "my phone is okay, really okay"]
CUE_TEXTS = ["The food was great!", "The staff were rude.", "This film is average.", "Our room was lovely today."]
CUES = ["great", "rude", "average", "lovely"]


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_explains_every_text_with_the_same_tokens_and_prediction(
    classifier: TextClassifier, method: str
) -> None:
    reference = classifier.explain(TEXTS)
    explanations = classifier.explain(TEXTS, method=method)
    assert len(explanations) == len(TEXTS)
    for explanation, attention in zip(explanations, reference, strict=True):
        assert explanation.method == method
        assert explanation.label == attention.label
        assert explanation.probabilities == pytest.approx(attention.probabilities, abs=1e-6)
        assert [(t.text, t.start, t.end) for t in explanation.tokens] == [
            (t.text, t.start, t.end) for t in attention.tokens
        ]
        assert all(math.isfinite(token.weight) for token in explanation.tokens)
    assert explanations[2].tokens == []


def embedding_gradient(
    classifier: TextClassifier, text: str, detach: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """The gradient of the predicted logit on one text's embeddings, through PyTorch's own GRU."""
    network: AttentionClassifierNetwork = classifier.network_
    words = [classifier.tokenizer_.normalise(token.text) for token in classifier.tokenizer_.tokenize(text)]
    ids = torch.tensor([classifier.vocabulary_.encode(words)])
    embedded = network.encoder.embedding(ids).detach().requires_grad_(True)
    hidden = network.encoder.rnn(embedded)[0]  # one text, no padding: nn.GRU directly
    pooled, weights, _ = network.attention(hidden, torch.ones(ids.shape, dtype=torch.bool))
    if detach:
        pooled = torch.bmm(weights.detach()[:, None], hidden)[:, 0]
    logits = network.output(pooled)
    logits[0, logits.argmax()].backward()
    assert embedded.grad is not None
    return embedded.grad[0], embedded.detach()[0]


@pytest.mark.parametrize("detach", [False, True])
def test_gradient_methods_equal_autograd_through_pytorch_gru(classifier: TextClassifier, detach: bool) -> None:
    text = TEXTS[3]
    gradient, embedded = embedding_gradient(classifier, text, detach)
    norms = classifier.explain([text, TEXTS[0]], method="gradient", detach_attention=detach)[0]
    products = classifier.explain([text], method="gradient-x-input", detach_attention=detach)[0]
    assert [t.weight for t in norms.tokens] == pytest.approx(gradient.norm(dim=1).tolist(), rel=1e-4, abs=1e-7)
    assert [t.weight for t in products.tokens] == pytest.approx(
        (gradient * embedded).sum(1).tolist(), rel=1e-4, abs=1e-7
    )


def test_detaching_attention_changes_the_gradients(classifier: TextClassifier) -> None:
    attached = classifier.explain([TEXTS[3]], method="gradient")[0]
    detached = classifier.explain([TEXTS[3]], method="gradient", detach_attention=True)[0]
    assert [t.weight for t in attached.tokens] != pytest.approx([t.weight for t in detached.tokens])


@pytest.mark.parametrize("baseline", ["zero", "unknown"])
def test_integrated_gradients_add_up_to_the_logit_change(classifier: TextClassifier, baseline: str) -> None:
    coarse = integrated_gradients(classifier, TEXTS, steps=4, baseline=baseline)[1]
    explanations, errors = integrated_gradients(classifier, TEXTS, steps=128, baseline=baseline)
    assert errors[2] == 0.0  # no words: nothing to attribute, nothing changes
    for explanation, error, rough in zip(explanations, errors, coarse, strict=True):
        total = abs(sum(token.weight for token in explanation.tokens))
        assert error <= 0.02 * max(total, 1.0)
        assert error <= rough + 1e-6  # more steps, smaller error


def test_leave_one_out_is_the_probability_lost_without_each_word(classifier: TextClassifier) -> None:
    text = TEXTS[1]
    explanation = classifier.explain([text], method="leave-one-out")[0]
    column = classifier.classes.index(explanation.label)
    whole = classifier.predict_proba([text])[0, column]
    for token in explanation.tokens:
        without = text[: token.start] + text[token.end :]
        assert token.weight == pytest.approx(whole - classifier.predict_proba([without])[0, column], abs=1e-5)


@pytest.mark.parametrize("method", ["leave-one-out", "integrated-gradients"])
def test_the_cue_word_gets_the_largest_weight_from_output_based_methods(
    classifier: TextClassifier, method: str
) -> None:
    for explanation, cue in zip(classifier.explain(CUE_TEXTS, method=method), CUES, strict=True):
        assert max(explanation.tokens, key=lambda token: token.weight).text == cue


def test_baselines_are_reproducible_and_sum_to_one(classifier: TextClassifier) -> None:
    first = classifier.explain(TEXTS, method="random", seed=3)
    assert first == classifier.explain(TEXTS, method="random", seed=3)
    assert first != classifier.explain(TEXTS, method="random", seed=4)
    uniform = classifier.explain(TEXTS, method="uniform")
    for explanation in [*first, *uniform]:
        if explanation.tokens:
            assert sum(token.weight for token in explanation.tokens) == pytest.approx(1.0)
    assert [token.weight for token in uniform[3].tokens] == [1 / 7] * 7  # seven tokens: the comma is one


@pytest.mark.parametrize(
    ("method", "options", "message"),
    [
        ("gradient", {"steps": 3}, "The gradient method has no option steps; it accepts detach_attention."),
        ("attention", {"seed": 1}, "The attention method has no option seed; it takes none."),
        ("integrated-gradients", {"steps": 0}, "Integrated gradients need steps from 1 to 4096, not 0."),
        ("integrated-gradients", {"baseline": "mask"}, "baseline must be one of zero, unknown, not 'mask'."),
        ("random", {"seed": -1}, "seed must be a whole number of at least 0, not -1."),
        ("saliency", {}, "Unknown explanation method 'saliency'; choose one of attention, gradient,"),
    ],
)
def test_bad_methods_and_options_are_refused_with_what_is_accepted(
    classifier: TextClassifier, method: str, options: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        classifier.explain(TEXTS, method=method, **options)


def test_the_models_own_attention_given_back_reproduces_its_prediction(classifier: TextClassifier) -> None:
    explanations = classifier.explain(TEXTS)
    weights = [[token.weight for token in explanation.tokens] for explanation in explanations]
    given = classifier.predict_proba_with_attention(TEXTS, weights)
    assert given == pytest.approx(classifier.predict_proba(TEXTS), abs=1e-6)
    flat = [[1.0 / len(w)] * len(w) if w else [] for w in weights]
    assert classifier.predict_proba_with_attention(TEXTS, flat)[1] != pytest.approx(given[1], abs=1e-6)
    with pytest.raises(DataError, match="Text 1 has 5 words read but 2 weights"):
        classifier.predict_proba_with_attention(TEXTS[:1], [[0.5, 0.5]])


def test_repeated_texts_with_many_weightings_match_one_text_at_a_time(
    classifier: TextClassifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    lengths = [len(e.tokens) for e in classifier.explain(TEXTS)]
    rows = [(index, [float(position == shift % length) for position in range(length)])
            for shift in range(3) for index, length in enumerate(lengths) if length]  # fmt: skip
    alone = [classifier.predict_proba_with_attention([TEXTS[i]], [w])[0] for i, w in rows]
    passes: list[int] = []
    encoder = classifier.network_.encoder
    for path in ("forward", "states_of_tokens"):  # the RNN over embeddings, or looking gates up
        read = getattr(encoder, path)
        monkeypatch.setattr(encoder, path, lambda *a, read=read: passes.append(len(a[1])) or read(*a))
    together = classifier.predict_proba_with_attention([TEXTS[i] for i, _ in rows], [w for _, w in rows])
    assert together == pytest.approx(np.array(alone), abs=1e-6)
    assert sum(passes) == len({i for i, _ in rows})  # each distinct text through the RNN once, not once per row
    with pytest.raises(DataError, match="Text 4 has"):
        classifier.predict_proba_with_attention([TEXTS[0]] * 4, [[1.0] * lengths[0]] * 3 + [[1.0]])


def test_leave_one_out_is_more_comprehensive_than_random_weights(classifier: TextClassifier) -> None:
    scores = {
        method: aopc(
            comprehensiveness, classifier.predict_proba, classifier.explain(CUE_TEXTS * 3, method=method)
        ).mean()
        for method in ("leave-one-out", "random")
    }
    assert scores["leave-one-out"] > scores["random"] + 0.1
