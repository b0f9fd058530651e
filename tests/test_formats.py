"""Real data: TSV with quotes, huge fields, JSONL, Parquet, encodings, the feature cache, texts without words."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from altui.cli.main import app
from conftest import TEST_CSV, TRAIN_CSV
from altui.data.files.corpus import load_corpus
from altui.data.errors import DataError
from altui.data.files.feature_cache import cache_root, cached_features
from altui.data.files.table import load_table
from altui.engine.features import FeatureConfig, bucket_of, make_hasher, vectorize

runner = CliRunner()


def youtube_frame(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write_prodigy_jsonl(frame: pd.DataFrame, path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in frame.itertuples(index=False):
            record = {"text": row.CONTENT, "label": int(row.CLASS),
                      "meta": {"id": row.COMMENT_ID, "author": row.AUTHOR, "date": row.DATE}}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


# -- TSV: quotes are text, fields have no size limit
def test_tsv_with_quotes_anywhere_and_a_200_kb_comment_loads_every_row(tmp_path):
    texts = [
        '"starts with a quote',
        'a quote " in the middle',
        'opens " here',
        "and closes here \" two lines later",
        '"fully quoted"',
        "x" * 200_000,
        'ends with a quote"',
    ]
    path = tmp_path / "quotes.tsv"
    path.write_text("text\tlabel\n" + "".join(f"{t}\t{'ab'[i % 2]}\n" for i, t in enumerate(texts)), encoding="utf-8")
    ds = load_table(path)
    assert ds.texts == texts and ds.labels == [("ab"[i % 2]) for i in range(len(texts))]
    assert ds.format == "tsv"
    csv_quoted = tmp_path / "quoted.tsv"
    csv_quoted.write_text('text\tlabel\n"a\ttab"\tx\n"b"\ty\n', encoding="utf-8")
    assert load_table(csv_quoted, quoting="csv").texts == ["a\ttab", "b"]


def test_a_csv_with_a_200_kb_quoted_comment(tmp_path):
    big = "y, " * 70_000
    path = tmp_path / "big.csv"
    path.write_text(f'text,label\n"{big}",a\nsmall,b\n', encoding="utf-8")
    assert load_table(path).texts == [big, "small"]


@pytest.mark.parametrize("encoding, bom", [("utf-8-sig", b""), ("utf-16", b""), ("utf-8", b"")])
def test_encodings_with_and_without_bom(tmp_path, encoding, bom):
    path = tmp_path / "e.csv"
    path.write_bytes(bom + "text,label\ncafé ❤,a\nnaïve,b\n".encode(encoding))
    ds = load_table(path)
    assert ds.texts == ["café ❤", "naïve"] and ds.columns == ["text", "label"]


def test_a_given_encoding_that_does_not_fit_is_named(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes("text,label\ncafé,a\n".encode("utf-16"))
    with pytest.raises(DataError, match="as utf-8; try another --encoding"):
        load_table(path, encoding="utf-8")
    with pytest.raises(DataError, match="unknown encoding 'klingon'"):
        load_table(path, encoding="klingon")


# -- JSONL and Parquet
def test_prodigy_jsonl_reads_text_label_and_meta(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"text": "hello", "label": "spam", "meta": {"id": "a1", "author": "Ann", "date": "2015-01-01"}}\n'
        '{"text": "bye", "label": null, "meta": {"id": "a2", "source": "web"}}\n'
        '{"text": "again", "label": "ham", "meta": {"id": 3}}\n',
        encoding="utf-8",
    )
    ds = load_table(path)
    assert ds.texts == ["hello", "bye", "again"] and ds.labels == ["spam", "", "ham"]
    assert ds.ids == ["a1", "a2", "3"] and ds.author(0) == "Ann" and ds.date(0) == "2015-01-01"
    assert ds.metadata["meta.source"] == ["", "web", ""]
    assert load_table(path, text_col="meta.source", label_col="label").texts == ["", "web", ""]


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"text": "a"}\n{"text": \n', "line 2 is not valid JSON"),
        ('{"text": "a"}\n["a", "b"]\n', "line 2 is an array, not a JSON object"),
    ],
)
def test_bad_jsonl_names_the_line(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(message)):
        load_table(path)


def test_a_file_that_is_not_parquet(tmp_path):
    path = tmp_path / "x.parquet"
    path.write_text("text,label\na,b\n")
    with pytest.raises(DataError, match="not a readable Parquet file"):
        load_table(path)
    assert load_table(path, format="csv").texts == ["a"]
    with pytest.raises(DataError, match="unknown format 'xls'"):
        load_table(path, format="xls")


def test_jsonl_and_parquet_give_exactly_the_curves_of_the_csv(tmp_path):
    """Acceptance: the YouTube split as Prodigy JSONL and as Parquet simulates exactly as the CSV."""
    train, test = youtube_frame(TRAIN_CSV), youtube_frame(TEST_CSV)
    write_prodigy_jsonl(train, tmp_path / "train.jsonl")
    write_prodigy_jsonl(test, tmp_path / "test.jsonl")
    typed = train.assign(CLASS=train.CLASS.astype(int))
    typed.to_parquet(tmp_path / "train.parquet")
    test.assign(CLASS=test.CLASS.astype(int)).to_parquet(tmp_path / "test.parquet")
    outputs = {}
    for kind in ("csv", "jsonl", "parquet"):
        data, held = (TRAIN_CSV, TEST_CSV) if kind == "csv" else (tmp_path / f"train.{kind}", tmp_path / f"test.{kind}")
        out = tmp_path / f"{kind}-curves.csv"
        result = runner.invoke(app, ["simulate", str(data), "--test", str(held), "--repeats", "2",
                                     "--iterations", "8", "--out", str(out)])
        assert result.exit_code == 0, result.output
        outputs[kind] = out.read_text()
    assert outputs["jsonl"] == outputs["csv"] and outputs["parquet"] == outputs["csv"]
    assert len(outputs["csv"].splitlines()) == 1 + 2 * 2 * 8


# -- texts without features
def test_batch_1_on_youtube_runs_and_no_model_batch_holds_more_than_one_text_without_words(tmp_path):
    """Acceptance: --batch 1 --iterations 300 runs; no batch of 10 spends more than one pick on ':D'-like texts."""
    result = runner.invoke(app, ["simulate", str(TRAIN_CSV), "--test", str(TEST_CSV), "--batch", "1",
                                 "--iterations", "300", "--repeats", "1", "-s", "uncertainty"])
    assert result.exit_code == 0, result.output
    queries = tmp_path / "q.csv"
    result = runner.invoke(app, ["simulate", str(TRAIN_CSV), "--test", str(TEST_CSV), "--iterations", "60",
                                 "--repeats", "2", "-s", "uncertainty", "-s", "margin", "--queries", str(queries)])
    assert result.exit_code == 0, result.output
    texts = youtube_frame(TRAIN_CSV).CONTENT.tolist()
    picks = pd.read_csv(queries)
    wordless = picks["index"].map(lambda i: not any(ch.isalnum() for ch in texts[i]))
    per_batch = wordless.groupby([picks.strategy, picks.repeat, picks.iteration]).sum()
    assert len(per_batch) == 2 * 2 * 60 and per_batch.max() <= 1


# -- features and their cache
def test_hashed_columns_name_the_ngrams_of_a_text():
    texts = ["Check out my channel", "check my video please", "nice song"]
    space, X, _ = vectorize(texts)
    hasher = make_hasher(FeatureConfig())
    for ngram in ("check", "check out my channel", "nice song"):
        assert hasher.transform([ngram]).indices[0] == bucket_of(ngram, FeatureConfig().n_buckets) or " " in ngram
    names = space.ngrams_of(texts[0])
    assert set(names.values()) == {"check", "out", "my", "channel", "check out", "out my", "my channel",
                                   "check out my", "out my channel", "check out my channel"}
    assert sorted(names) == X[0].indices.tolist()


def test_features_match_the_tutorial_vocabulary_up_to_collisions():
    from sklearn.feature_extraction.text import CountVectorizer

    texts = youtube_frame(TRAIN_CSV).CONTENT.tolist()
    space, X, _ = vectorize(texts)
    vocabulary = CountVectorizer(ngram_range=(1, 5)).fit(texts).vocabulary_
    assert len(vocabulary) * 0.99 <= space.n_features <= len(vocabulary)  # < 1 % of n-grams share a bucket
    assert X.sum() == CountVectorizer(ngram_range=(1, 5)).fit_transform(texts).sum()


def test_the_second_open_reads_the_cache_and_a_broken_entry_is_rebuilt(monkeypatch):
    train, test = ["free money now", "great song", ":D"], ["money song"]
    first = cached_features(train, test)
    entries = list(cache_root().glob("*.npz"))
    assert len(entries) == 1

    def no_vectorizing(*args, **kwargs):
        raise AssertionError("vectorized again")

    with monkeypatch.context() as patch:
        patch.setattr("altui.data.files.feature_cache.vectorize", no_vectorizing)
        second = cached_features(train, test)
    assert (second[1] != first[1]).nnz == 0 and (second[2] != first[2]).nnz == 0
    np.testing.assert_array_equal(second[0].buckets, first[0].buckets)
    entries[0].write_bytes(b"garbage")  # broken: rebuilt, never fatal
    third = cached_features(train, test)
    assert (third[1] != first[1]).nnz == 0
    cached_features(train[:2] + [":)"], test)  # a changed text is another entry
    assert len(list(cache_root().glob("*.npz"))) == 2


def test_a_corpus_from_a_moved_copy_uses_the_cache(tmp_path, monkeypatch):
    copy = tmp_path / "copy.csv"
    copy.write_bytes(TRAIN_CSV.read_bytes())
    load_corpus(str(TRAIN_CSV), str(TEST_CSV))
    monkeypatch.setattr("altui.data.files.feature_cache.vectorize", lambda *a, **k: pytest.fail("vectorized again"))
    corpus = load_corpus(str(copy), str(TEST_CSV))
    assert corpus.X.shape[0] == 1564
