"""Text handling: tokens with exact spans, the vocabulary, and readers for labelled files."""

from attnviz.text.readers import FORMATS, TextDataset, read_dataset
from attnviz.text.tokenizer import Token, Tokenizer
from attnviz.text.vocabulary import Vocabulary

__all__ = ["FORMATS", "TextDataset", "Token", "Tokenizer", "Vocabulary", "read_dataset"]
