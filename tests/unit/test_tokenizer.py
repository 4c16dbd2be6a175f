from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from attnviz.text.tokenizer import _TOKEN_PATTERN, Token, Tokenizer

TOKENIZER = Tokenizer()


def surfaces(text: str) -> list[str]:
    return [token.text for token in TOKENIZER.tokenize(text)]


def test_words_and_punctuation_are_separate_tokens_with_contractions_kept_whole() -> None:
    assert surfaces("Not bad at all, I don't mind!") == [
        "Not",
        "bad",
        "at",
        "all",
        ",",
        "I",
        "don't",
        "mind",
        "!",
    ]


def test_cjk_characters_are_one_token_each() -> None:
    assert surfaces("我喜欢 it") == ["我", "喜", "欢", "it"]


def test_emoji_sequences_with_modifiers_and_joiners_stay_one_token() -> None:
    assert surfaces("great 👍🏽 👨\u200d👩\u200d👧 ❤️") == ["great", "👍🏽", "👨\u200d👩\u200d👧", "❤️"]


def test_html_line_breaks_are_gaps_not_words() -> None:
    assert surfaces("good<br /><br/>film") == ["good", "film"]


def test_spans_point_at_the_original_surface_and_lowercasing_is_only_for_lookup() -> None:
    text = "  The CAFÉ was  Naïve…"
    tokens = TOKENIZER.tokenize(text)
    assert [text[t.start : t.end] for t in tokens] == [t.text for t in tokens]
    assert [t.text for t in tokens] == ["The", "CAFÉ", "was", "Naïve", "…"]
    assert TOKENIZER.words(text) == ["the", "café", "was", "naïve", "…"]
    assert Tokenizer(lowercase=False).words(text)[1] == "CAFÉ"


def test_normalise_tokens_gives_each_token_in_the_vocabulary_form() -> None:
    tokens = TOKENIZER.tokenize("Don't STOP")
    assert list(TOKENIZER.normalise_tokens(tokens)) == ["don't", "stop"]
    assert list(Tokenizer(lowercase=False).normalise_tokens(tokens)) == ["Don't", "STOP"]


def test_empty_and_blank_texts_have_no_tokens() -> None:
    assert TOKENIZER.tokenize("") == []
    assert TOKENIZER.tokenize(" \n\t ") == []


@given(st.text())
def test_spans_are_in_bounds_increasing_and_match_the_token(text: str) -> None:
    position = 0
    for token in TOKENIZER.tokenize(text):
        assert position <= token.start < token.end <= len(text)
        assert text[token.start : token.end] == token.text
        assert not token.text.isspace()
        position = token.end


@given(st.text())
def test_gaps_between_tokens_hold_only_whitespace_or_line_break_markup(text: str) -> None:
    position = 0
    for token in [*TOKENIZER.tokenize(text), None]:
        gap = text[position : token.start if token else len(text)]
        assert gap.strip() == "" or "<br" in gap.lower()
        if token:
            position = token.end


@given(st.text(alphabet=st.sampled_from(list("ab <br/>\n'’-é日😀"))), st.integers(min_value=0, max_value=12))
def test_the_fast_path_gives_what_the_general_path_gives(text: str, limit: int) -> None:
    # Texts without "<" and no longer than the limit take a shortcut; both must agree everywhere.
    general = [Token(m.group(), *m.span()) for m in _TOKEN_PATTERN.finditer(text) if m.lastgroup != "skip"]
    assert TOKENIZER.tokenize(text) == general
    assert TOKENIZER.tokenize(text, limit=limit) == general[:limit]
    assert all(type(token) is Token for token in TOKENIZER.tokenize(text))


ASCII_PIECES = st.one_of(st.characters(max_codepoint=127), st.sampled_from(["<br/>", "<BR >", "<br\x1c/>", "<b"]))


@given(st.lists(ASCII_PIECES).map("".join), st.integers(min_value=0, max_value=12))
def test_ascii_texts_get_the_tokens_of_the_full_pattern(text: str, limit: int) -> None:
    # ASCII texts are matched with a narrower pattern; control characters such as \x1c, which Python
    # counts as whitespace, must stay gaps there too, also inside line-break markup.
    general = [Token(m.group(), *m.span()) for m in _TOKEN_PATTERN.finditer(text) if m.lastgroup != "skip"]
    assert TOKENIZER.tokenize(text) == general
    assert TOKENIZER.tokenize(text, limit=limit) == general[:limit]


def test_ascii_separators_and_apostrophes_tokenise_as_in_unicode_text() -> None:
    assert [t.text for t in TOKENIZER.tokenize("don't\x1cstop_now!")] == ["don't", "stop_now", "!"]
    assert [t.text for t in TOKENIZER.tokenize("don't\x1cstop_now!é")] == ["don't", "stop_now", "!", "é"]
