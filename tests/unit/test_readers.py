"""read_dataset: every format, column detection, bad rows, and the messages users see."""

from __future__ import annotations

import gzip
import io
import json
import logging
from pathlib import Path

import pytest

from attnviz.errors import DataError
from attnviz.text.readers import FORMATS, TextDataset, read_dataset


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def test_formats_lists_every_format_name() -> None:
    assert FORMATS == ("csv", "tsv", "jsonl", "parquet", "lines", "folder")


# --- CSV and TSV -----------------------------------------------------------------------------------


def test_csv_with_usual_header_names_gives_texts_and_string_labels(tmp_path: Path) -> None:
    path = write(tmp_path, "reviews.csv", 'label,text\n1,"great, really"\n0,bad movie\n')
    data = read_dataset(path)
    assert data == TextDataset(["great, really", "bad movie"], ["1", "0"], str(path), 0)


def test_csv_columns_are_chosen_by_header_name(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "id,stars,body_text\n1,5,loved it a lot\n2,1,hated it\n")
    data = read_dataset(path, text_column="body_text", label_column="stars")
    assert data.texts == ["loved it a lot", "hated it"]
    assert data.labels == ["5", "1"]


def test_csv_column_name_matches_without_regard_to_case(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "Review,Stars\nloved it a lot,5\nhated it,1\n")
    assert read_dataset(path, text_column="review", label_column="stars").labels == ["5", "1"]


def test_headerless_csv_columns_are_chosen_by_index(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "great movie,pos,x\nawful film,neg,y\n")
    data = read_dataset(path, text_column=0, label_column=1)
    assert data.texts == ["great movie", "awful film"]
    assert data.labels == ["pos", "neg"]


def test_column_index_given_as_a_digit_string_is_an_index(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "0,great movie\n1,awful film\n")
    data = read_dataset(path, text_column="1", label_column="0")
    assert data.texts == ["great movie", "awful film"]
    assert data.labels == ["0", "1"]


def test_headerless_csv_detects_longest_column_as_text_and_fewest_values_as_label(tmp_path: Path) -> None:
    rows = ["a1,pos,a really great movie", "a2,neg,an awful film", "a3,pos,fine I guess"]
    data = read_dataset(write(tmp_path, "r.csv", "\n".join(rows) + "\n"))
    assert data.texts == ["a really great movie", "an awful film", "fine I guess"]
    assert data.labels == ["pos", "neg", "pos"]


def test_first_row_without_text_like_cells_is_a_header(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "stars,body_text\n5,loved it a lot\n1,hated every minute\n")
    data = read_dataset(path)
    assert data.texts == ["loved it a lot", "hated every minute"]
    assert data.labels == ["5", "1"]


def test_title_case_first_row_is_a_header(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "Review Text,Rating\nloved it a lot,5\nhated every minute,1\n")
    assert read_dataset(path, label_column="Rating").texts == ["loved it a lot", "hated every minute"]


def test_first_row_whose_values_come_back_below_is_data_not_header(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "pos,great\nneg,bad\npos,fine\n")
    data = read_dataset(path, text_column=1, label_column=0)
    assert data.texts == ["great", "bad", "fine"]


def test_missing_value_spellings_stay_texts(tmp_path: Path) -> None:
    spellings = ["NA", "N/A", "null", "None", "nan", "0", ""]
    body = "".join(f"{spelling},a\n" for spelling in spellings)
    data = read_dataset(write(tmp_path, "r.csv", "text,label\n" + body))
    assert data.texts == spellings
    assert data.labels == ["a"] * len(spellings)


def test_empty_label_is_a_bad_row(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "text,label\ngood,1\nno label here,\n")
    with pytest.raises(DataError, match=r"r\.csv, line 3: the label is empty; fix the row"):
        read_dataset(path)


def test_utf8_byte_order_mark_is_not_part_of_the_first_column_name(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", b"\xef\xbb\xbftext,label\nhello there,1\n")
    assert read_dataset(path, text_column="text").texts == ["hello there"]


def test_byte_order_mark_is_dropped_with_another_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "text,label\nhello there,1\n".encode("utf-16"))
    assert read_dataset(path, encoding="utf-16", text_column="text").texts == ["hello there"]


def test_quoted_field_with_newlines_keeps_physical_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", 'text,label\n"two\nlines",1\none,2,extra\n')
    with pytest.raises(DataError, match=r"r\.csv, line 4: expected 2 fields, found 3"):
        read_dataset(path)


def test_field_over_128_kib_is_read_whole(tmp_path: Path) -> None:
    long_text = "word " * 40_000  # 200,000 characters, past the csv module's default limit
    path = write(tmp_path, "r.csv", f'text,label\n"{long_text}",1\nshort,0\n')
    assert read_dataset(path).texts == [long_text, "short"]


def test_line_separators_inside_a_csv_text_do_not_split_the_row(tmp_path: Path) -> None:
    text = "first\u2028second\u0085third"
    assert read_dataset(write(tmp_path, "r.csv", f"text,label\n{text},1\n")).texts == [text]


def test_windows_line_endings_are_not_part_of_the_fields(tmp_path: Path) -> None:
    data = read_dataset(write(tmp_path, "r.csv", "text,label\r\nhello there,1\r\n"))
    assert (data.texts, data.labels) == (["hello there"], ["1"])


def test_tsv_and_tab_files_split_on_tabs(tmp_path: Path) -> None:
    for name in ("r.tsv", "r.tab"):
        data = read_dataset(write(tmp_path, name, "sentence\tlabel\nhi, there\t1\nbye\t0\n"))
        assert data.texts == ["hi, there", "bye"]
        assert data.labels == ["1", "0"]


def test_tsv_quote_that_is_not_csv_quoting_stays_in_the_text(tmp_path: Path) -> None:
    path = write(tmp_path, "r.tsv", 'sentence\tlabel\n"Great" movie\t1\nit "ends\t0\n')
    assert read_dataset(path).texts == ['"Great" movie', 'it "ends']


def test_gzipped_csv_is_read_through_gzip(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv.gz", gzip.compress(b"text,label\nhello there,1\n"))
    assert read_dataset(path).texts == ["hello there"]


def test_format_argument_overrides_the_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "r.txt", "text,label\nhello there,1\n")
    assert read_dataset(path, format="csv").labels == ["1"]


# --- JSON lines ------------------------------------------------------------------------------------


def test_jsonl_reads_one_object_a_line_and_ignores_blank_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "good film", "label": "pos"}),
        "",
        json.dumps({"label": "neg", "text": "bad"}),
    ]
    data = read_dataset(write(tmp_path, "r.jsonl", "\n".join(lines) + "\n\n"))
    assert (data.texts, data.labels) == (["good film", "bad"], ["pos", "neg"])


def test_json_numbers_become_their_string_form(tmp_path: Path) -> None:
    lines = ['{"review": 5, "stars": 1}', '{"review": "ok", "stars": 2.0}', '{"review": "x", "stars": 2.5}']
    data = read_dataset(write(tmp_path, "r.ndjson", "\n".join(lines)), text_column="review", label_column="stars")
    assert data.texts == ["5", "ok", "x"]
    assert data.labels == ["1", "2", "2.5"]


def test_json_null_text_is_a_bad_row_naming_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "r.jsonl", '{"text": "a", "label": 1}\n{"text": null, "label": 0}\n')
    with pytest.raises(DataError, match=r"r\.jsonl, line 2: the text is null; fix the row or pass --bad-rows"):
        read_dataset(path)


def test_json_string_null_stays_text(tmp_path: Path) -> None:
    path = write(tmp_path, "r.jsonl", '{"text": "null", "label": 1}\n{"text": "NA", "label": 0}\n')
    assert read_dataset(path).texts == ["null", "NA"]


def test_json_record_without_the_label_key_is_a_bad_row(tmp_path: Path) -> None:
    path = write(tmp_path, "r.jsonl", '{"text": "a", "label": 1}\n{"text": "b"}\n')
    with pytest.raises(DataError, match=r"r\.jsonl, line 2: it has no 'label' key"):
        read_dataset(path)


def test_invalid_json_line_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "r.jsonl", '{"text": "a", "label": 1}\n\n{"text": "b", \n')
    with pytest.raises(DataError, match=r"r\.jsonl, line 3: the line is not valid JSON"):
        read_dataset(path)


def test_invalid_json_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    path = write(tmp_path, "r.jsonl", '{"text": "a", "label": 1}\nnot json\n[1, 2]\n{"text": "b", "label": 0}\n')
    data = read_dataset(path, bad_rows="skip")
    assert (data.texts, data.skipped) == (["a", "b"], 2)


def test_gzipped_jsonl_is_read_through_gzip(tmp_path: Path) -> None:
    content = b'{"text": "good", "label": "pos"}\n{"text": "bad", "label": "neg"}\n'
    data = read_dataset(write(tmp_path, "r.jsonl.gz", gzip.compress(content)))
    assert (data.texts, data.labels) == (["good", "bad"], ["pos", "neg"])


def test_json_file_holding_one_array_of_objects_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "r.json", json.dumps([{"text": "a", "label": 1}, {"text": "b", "label": 0}]))
    assert read_dataset(path).labels == ["1", "0"]


# --- Parquet ---------------------------------------------------------------------------------------


def write_parquet(path: Path, columns: dict[str, list[object]]) -> Path:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table(columns), path)
    return path


def test_parquet_columns_are_read_by_name_and_by_index(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "r.parquet", {"body": ["good one", "bad one"], "stars": [5, 1]})
    by_name = read_dataset(path, text_column="body", label_column="stars")
    by_index = read_dataset(path, text_column=0, label_column=1)
    assert by_name == by_index
    assert (by_name.texts, by_name.labels) == (["good one", "bad one"], ["5", "1"])


def test_parquet_null_label_is_a_bad_row_naming_the_row(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "r.parquet", {"text": ["a", "b"], "label": ["x", None]})
    with pytest.raises(DataError, match=r"r\.parquet, row 2: the label is null"):
        read_dataset(path)


def test_file_that_is_not_parquet_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "r.parquet", "text,label\n")
    with pytest.raises(DataError, match=r"r\.parquet is not a readable Parquet file"):
        read_dataset(path)


# --- label-text lines ------------------------------------------------------------------------------


def test_label_text_lines_split_at_the_first_blank(tmp_path: Path) -> None:
    path = write(tmp_path, "r.txt", "0 a bad film\n\n1\tgood  one\npos\n")
    data = read_dataset(path)
    assert data.texts == ["a bad film", "good  one", ""]
    assert data.labels == ["0", "1", "pos"]


def test_fasttext_label_prefix_is_stripped(tmp_path: Path) -> None:
    path = write(tmp_path, "r.txt", "__label__pos loved it\n__label__neg hated it\n")
    data = read_dataset(path)
    assert (data.texts, data.labels) == (["loved it", "hated it"], ["pos", "neg"])


def test_fasttext_labels_are_kept_when_labels_are_optional(tmp_path: Path) -> None:
    path = write(tmp_path, "r.txt", "__label__pos loved it\n__label__neg hated it\n")
    assert read_dataset(path, require_labels=False).labels == ["pos", "neg"]


def test_fasttext_line_without_the_prefix_is_a_bad_row(tmp_path: Path) -> None:
    path = write(tmp_path, "r.txt", "__label__pos loved it\nneg hated it\n")
    with pytest.raises(DataError, match=r"r\.txt, line 2: it does not start with __label__"):
        read_dataset(path)


def test_fasttext_line_with_two_labels_is_a_bad_row(tmp_path: Path) -> None:
    path = write(tmp_path, "r.txt", "__label__pos loved it\n__label__a __label__b both\n__label__ none\n")
    with pytest.raises(DataError, match=r"r\.txt, line 2: it has more than one __label__ label"):
        read_dataset(path)
    data = read_dataset(path, bad_rows="skip")
    assert (data.texts, data.labels, data.skipped) == (["loved it"], ["pos"], 2)


def test_plain_text_read_as_label_text_lines_logs_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path, "r.txt", "".join(f"word{i} some text\n" for i in range(30)))
    with caplog.at_level(logging.WARNING):
        read_dataset(path)
    assert "is the first word of each line really its label?" in caplog.text


def test_unlabelled_txt_is_one_text_a_line_when_labels_are_optional(tmp_path: Path) -> None:
    path = write(tmp_path, "r.txt", "__label__pos loved it\nsome plain text\r\n\n0\n")
    data = read_dataset(path, require_labels=False)
    assert data.texts == ["__label__pos loved it", "some plain text", "0"]
    assert data.labels is None


def test_lines_split_on_newline_only_not_on_unicode_line_separators(tmp_path: Path) -> None:
    path = write(tmp_path, "r.txt", "1 first\u2028still first\u0085and this\r\n0 second\n")
    data = read_dataset(path)
    assert data.texts == ["first\u2028still first\u0085and this", "second"]


def test_column_options_are_refused_for_label_text_lines(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"r\.txt is read as label-text lines, which have no columns"):
        read_dataset(write(tmp_path, "r.txt", "1 a\n"), text_column="text")


# --- class folders ---------------------------------------------------------------------------------


def test_folder_has_one_sub_folder_per_class_and_files_in_name_order(tmp_path: Path) -> None:
    write(tmp_path, "data/pos/b.txt", "second good\n")
    write(tmp_path, "data/pos/a.txt", "first good\r\n")
    write(tmp_path, "data/neg/1.txt", "bad")
    write(tmp_path, "data/neg/.hidden", "skipped")
    write(tmp_path, "data/.git/x.txt", "skipped")
    data = read_dataset(tmp_path / "data")
    assert data.texts == ["bad", "first good", "second good"]
    assert data.labels == ["neg", "pos", "pos"]


def test_folder_without_class_sub_folders_needs_labels(tmp_path: Path) -> None:
    write(tmp_path, "data/a.txt", "hello")
    with pytest.raises(DataError, match=r"has no class sub-folders; put each class's files"):
        read_dataset(tmp_path / "data")
    assert read_dataset(tmp_path / "data", require_labels=False) == TextDataset(["hello"], None, str(tmp_path / "data"))


def test_undecodable_file_in_a_folder_is_named(tmp_path: Path) -> None:
    write(tmp_path, "data/pos/a.txt", b"ok\ncaf\xe9")
    with pytest.raises(DataError, match=r"a\.txt, line 2: the bytes are not valid utf-8"):
        read_dataset(tmp_path / "data")


def test_folder_format_on_a_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"r\.csv is a file, not a folder"):
        read_dataset(write(tmp_path, "r.csv", "text,label\na,1\n"), format="folder")


# --- errors ----------------------------------------------------------------------------------------


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nope\.csv does not exist; check the path\."):
        read_dataset(tmp_path / "nope.csv")


def test_empty_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"reviews\.csv is empty; "):
        read_dataset(write(tmp_path, "reviews.csv", "\n \n"))


def test_header_without_rows_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"reviews\.csv has a header row but no data rows"):
        read_dataset(write(tmp_path, "reviews.csv", "text,label\n"))


def test_missing_column_name_lists_the_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "reviews.csv", "text,label\na,1\n")
    with pytest.raises(DataError, match=r"reviews\.csv has no column 'txt'; its columns are: text, label\.$"):
        read_dataset(path, text_column="txt")


def test_column_index_out_of_range_says_how_many_columns_there_are(tmp_path: Path) -> None:
    path = write(tmp_path, "reviews.csv", "0,great movie\n1,bad movie\n")
    with pytest.raises(DataError, match=r"reviews\.csv has no column 5; it has 2 columns, numbered from 0 to 1"):
        read_dataset(path, text_column=5)


def test_column_name_for_a_headerless_file_suggests_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "reviews.csv", "0,great movie\n1,bad movie\n")
    with pytest.raises(DataError, match=r"first row looks like data, so .* column numbers from 0 to 1"):
        read_dataset(path, text_column="review")


def test_undecodable_bytes_name_the_line_and_suggest_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "reviews.csv", b"text,label\nfine,1\ncaf\xe9 au lait,0\n")
    with pytest.raises(DataError) as caught:
        read_dataset(path)
    assert str(caught.value) == (
        f"{path}, line 3: the bytes are not valid utf-8; pass --encoding with the file's encoding "
        "(for example --encoding latin-1)."
    )
    assert read_dataset(path, encoding="latin-1").texts == ["fine", "café au lait"]


def test_wrong_field_count_error_names_file_line_and_fix(tmp_path: Path) -> None:
    path = write(tmp_path, "reviews.csv", "text,label\na,1\nb,0\nc,1,2\n")
    with pytest.raises(DataError) as caught:
        read_dataset(path)
    assert str(caught.value) == (
        f"{path}, line 4: expected 2 fields, found 3; fix the row or pass --bad-rows skip to skip such rows."
    )


def test_skipped_bad_rows_are_counted_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path, "reviews.csv", "text,label\na,1\nb\nc,1,2\nd,0\n")
    with caplog.at_level(logging.WARNING):
        data = read_dataset(path, bad_rows="skip")
    assert (data.texts, data.labels, data.skipped) == (["a", "d"], ["1", "0"], 2)
    assert "skipped 2 bad row(s)" in caplog.text
    assert "line 3" in caplog.text


def test_all_rows_bad_is_an_error_even_when_skipping(tmp_path: Path) -> None:
    path = write(tmp_path, "r.jsonl", "oops\nnope\n")
    with pytest.raises(DataError, match=r"r\.jsonl has no usable rows: all 2 were bad and skipped"):
        read_dataset(path, bad_rows="skip")


def test_required_labels_without_a_label_column_suggest_label_column(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "text\nhello there\nbye now\n")
    with pytest.raises(DataError, match=r"r\.csv has no label column .*its columns are: text.*--label-column\."):
        read_dataset(path)


def test_optional_labels_give_none_for_a_single_column_file(tmp_path: Path) -> None:
    data = read_dataset(write(tmp_path, "r.csv", "text\nhello there\nbye now\n"), require_labels=False)
    assert (data.texts, data.labels) == (["hello there", "bye now"], None)


def test_optional_labels_are_read_from_a_usual_label_column(tmp_path: Path) -> None:
    data = read_dataset(write(tmp_path, "r.csv", "text,label\nhi there,1\n"), require_labels=False)
    assert data.labels == ["1"]


def test_optional_labels_are_not_guessed_from_few_distinct_values(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "0,great movie\n1,bad movie\n0,fine movie\n")
    data = read_dataset(path, require_labels=False)
    assert (data.texts, data.labels) == (["great movie", "bad movie", "fine movie"], None)


def test_headerless_single_column_csv_is_texts_when_labels_are_optional(tmp_path: Path) -> None:
    data = read_dataset(write(tmp_path, "r.csv", "hello there\nbye now\n"), require_labels=False)
    assert (data.texts, data.labels) == (["hello there", "bye now"], None)


def test_same_column_for_text_and_label_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "text,label\na,1\n")
    with pytest.raises(DataError, match=r"the text and the label are both column 'text'"):
        read_dataset(path, text_column="text", label_column="text")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"format": "xlsx"}, r"unknown format 'xlsx'; use one of: csv, tsv, jsonl, parquet, lines, folder\."),
        ({"encoding": "klingon"}, r"unknown encoding 'klingon'"),
        ({"bad_rows": "ignore"}, r"unknown bad-rows policy 'ignore'"),
    ],
)
def test_unknown_settings_are_refused(tmp_path: Path, options: dict[str, str], message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_dataset(write(tmp_path, "r.csv", "text,label\na,1\n"), **options)  # type: ignore[arg-type]


def test_truncated_gzip_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv.gz", gzip.compress(b"text,label\n" * 100)[:20])
    with pytest.raises(DataError, match=r"r\.csv\.gz is not a valid gzip file"):
        read_dataset(path)


# --- standard input --------------------------------------------------------------------------------


def test_stdin_starting_with_a_brace_is_read_as_jsonl() -> None:
    stream = io.StringIO('\n{"text": "good", "label": "pos"}\n{"text": "bad", "label": "neg"}\n')
    data = read_dataset("-", stdin=stream)
    assert data == TextDataset(["good", "bad"], ["pos", "neg"], "<stdin>")


def test_stdin_with_a_tab_in_the_first_line_is_read_as_tsv() -> None:
    data = read_dataset("-", stdin=io.StringIO("text\tlabel\nhello there\t1\n"))
    assert (data.texts, data.labels) == (["hello there"], ["1"])


def test_stdin_plain_lines_are_label_text_lines_when_labels_are_required() -> None:
    data = read_dataset("-", stdin=io.StringIO("1 hello there\n0 bye\n"))
    assert (data.texts, data.labels) == (["hello there", "bye"], ["1", "0"])


def test_stdin_plain_lines_are_one_text_a_line_when_labels_are_optional() -> None:
    data = read_dataset("-", stdin=io.StringIO("hello there\nbye\n"), require_labels=False)
    assert (data.texts, data.labels) == (["hello there", "bye"], None)


def test_stdin_bytes_are_decoded_with_the_given_encoding() -> None:
    stream = io.TextIOWrapper(io.BytesIO("1 café\n".encode("latin-1")), encoding="utf-8")
    assert read_dataset("-", stdin=stream, encoding="latin-1").texts == ["café"]


def test_stdin_format_argument_overrides_detection() -> None:
    data = read_dataset("-", stdin=io.StringIO("text,label\nhello there,1\n"), format="csv")
    assert data.labels == ["1"]


def test_empty_stdin_is_reported() -> None:
    with pytest.raises(DataError, match=r"<stdin> is empty"):
        read_dataset("-", stdin=io.StringIO(""))
