"""Loading tables, the YouTube download/split/cache, the hold-out, and the session store."""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import threading
import zipfile

import numpy as np
import pytest

from conftest import TEST_CSV, TRAIN_CSV, YOUTUBE, write_csv
from altui.data.files.corpus import load_corpus
from altui.data.errors import DataError
from altui.data.sessions.store import SessionInfo, SessionStore
from altui.data.files.table import label_set, load_table, require_two_classes
from altui.data.files.youtube import RAW_FILES, ensure_youtube
from altui.engine.loop import Answer, RoundMetrics


# -- tables
def test_youtube_defaults():
    ds = load_table(TRAIN_CSV)
    assert (ds.text_column, ds.label_column, len(ds)) == ("CONTENT", "CLASS", 1564)
    assert ds.ids[0] == "z12sub0pnwzlgnz0r23pwvaqtuveyxr1z"
    assert ds.author(0) == "Blaze Blaziken" and ds.date(0).startswith("2015-05-20")
    assert label_set(ds.labels, youtube_names=True).names == ("ham", "spam")


@pytest.mark.parametrize("delimiter, sep", [(",", None), ("\t", None), (";", None), ("\t", "tab"), (";", ";")])
def test_separators_given_or_sniffed(tmp_path, delimiter, sep):
    path = write_csv(tmp_path / "d.txt", [["text", "label"], ["a, b; c", "x"], ["d e", "y"], ["f", "x"]], delimiter)
    ds = load_table(path, sep=sep)
    assert ds.texts == ["a, b; c", "d e", "f"] and ds.labels == ["x", "y", "x"]


def test_no_header_and_columns_by_index(tmp_path):
    path = write_csv(tmp_path / "d.csv", [["1", "first text"], ["0", "second text"]])
    ds = load_table(path, text_col="1", label_col="0", header=False)
    assert ds.texts == ["first text", "second text"] and ds.labels == ["1", "0"]
    assert ds.ids == ["row-0", "row-1"]


def test_labels_sorted_numerically_and_named():
    assert label_set(["10", "2", "2"]).values == ("2", "10")
    assert label_set(["b", "a"]).names == ("a", "b")
    assert label_set(["0", "1"], ["ham", "spam"]).names == ("ham", "spam")
    assert label_set([], ["neg", "pos"]).values == ("neg", "pos")
    with pytest.raises(DataError, match="one name per value"):
        label_set(["a", "b", "c"], ["x", "y"])


def test_non_utf8_bytes_are_decoded(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("text,label\ncaf\xe9 \x93quoted\x94,a\nna\xefve,b\n".encode("latin-1"))
    ds = load_table(path)
    assert ds.texts[0] == "café “quoted”" and ds.encoding == "cp1252"


@pytest.mark.parametrize(
    "content, kwargs, message",
    [
        (None, {}, "no such file"),
        (b"", {}, "is empty"),
        (b"text,label\n", {}, "header but no rows"),
        (b"text,label\nhello,a\n", {"text_col": "body"}, "unknown column 'body'"),
        (b"text,label\nhello,a\n", {"label_col": "7"}, "out of range"),
        (b"text,label\nhello,a\nbye,b,extra\n", {}, "line 3 has 3 fields but the header has 2"),
        (b'text,label\n"unclosed quote,a\nbye,b\n', {}, "malformed CSV"),
        (b"title,body\nx,y\n", {}, "no text column found"),
    ],
)
def test_bad_tables_raise_one_clear_error(tmp_path, content, kwargs, message):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        load_table(path, **kwargs)


def test_one_class_is_refused_for_simulation(tmp_path):
    ds = load_table(write_csv(tmp_path / "one.csv", [["text", "label"], ["a", "x"], ["b", "x"]]))
    with pytest.raises(DataError, match="only one class"):
        require_two_classes(ds)


def test_holdout_is_stratified_and_seeded(small_csv):
    a = load_corpus(str(small_csv), seed=1)
    b = load_corpus(str(small_csv), seed=1)
    assert a.held_out and len(a.test) == 8 and len(a.train) == 32
    assert np.bincount(a.y_test).tolist() == [4, 4]
    assert a.test.ids == b.test.ids
    assert not set(a.test.ids) & set(a.train.ids)


def test_test_labels_must_be_known(tmp_path, small_csv):
    test = write_csv(tmp_path / "t.csv", [["id", "text", "label"], ["t1", "hello", "maybe"]])
    with pytest.raises(DataError, match="test label 'maybe'"):
        load_corpus(str(small_csv), str(test))


# -- YouTube download, split and cache
def _zip_of_raw_files() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in RAW_FILES:
            archive.write(YOUTUBE / "raw" / name, f"youtube+spam+collection/{name}")
        archive.writestr("__MACOSX/._Youtube01-Psy.csv", b"junk")
    return buffer.getvalue()


@pytest.fixture
def file_server(tmp_path):
    """A local HTTP server over tmp_path/www; yields its base URL."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(www))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_download_split_and_cache_are_byte_identical_to_the_reference(tmp_path, file_server):
    www, url = file_server
    (www / "youtube.zip").write_bytes(_zip_of_raw_files())
    split = ensure_youtube(source=f"{url}/youtube.zip", directory=tmp_path / "cache")
    for ours, reference in ((split.train, TRAIN_CSV), (split.test, TEST_CSV)):
        assert hashlib.sha256(ours.read_bytes()).digest() == hashlib.sha256(reference.read_bytes()).digest()
    (www / "youtube.zip").unlink()  # a second call is served from the cache
    assert ensure_youtube(source=f"{url}/youtube.zip", directory=tmp_path / "cache") == split


def test_download_failures_are_clear(tmp_path, file_server):
    www, url = file_server
    with pytest.raises(DataError, match="HTTP 404"):
        ensure_youtube(source=f"{url}/missing.zip", directory=tmp_path / "c1")
    (www / "bad.zip").write_bytes(b"not a zip")
    with pytest.raises(DataError, match="not a zip"):
        ensure_youtube(source=f"{url}/bad.zip", directory=tmp_path / "c2")
    with pytest.raises(DataError, match="cannot download"):
        ensure_youtube(source="http://127.0.0.1:9/x.zip", directory=tmp_path / "c3")
    assert not (tmp_path / "c1").exists()


def test_tampered_archive_is_rejected(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in RAW_FILES:
        (raw / name).write_bytes((YOUTUBE / "raw" / name).read_bytes())
    with open(raw / RAW_FILES[0], "ab") as fh:
        fh.write(b"extra,row,2015-01-01,spam spam,1\n")
    with pytest.raises(DataError, match="do not match the reference split"):
        ensure_youtube(source=str(raw), directory=tmp_path / "cache")


# -- session store
def _info(fingerprint="abc") -> SessionInfo:
    return SessionInfo(data_path="d.csv", fingerprint=fingerprint, label_values=["0", "1"], label_names=["ham", "spam"])


def test_store_replays_answers_and_undos(tmp_path):
    store = SessionStore.create_or_resume(tmp_path / "s.db", _info())
    store.record_answer(Answer(5, 1, 0), "c5")
    store.record_answer(Answer(7, None, 0), "c7")
    store.record_answer(Answer(9, 0, 0), "c9")
    store.record_undo(Answer(9, 0, 0), "c9")
    store.record_round(RoundMetrics(0, 1, 0.5, 0.4, (0, 1), 0.01), [1, 2, 3], "uncertainty")
    store.close()
    again = SessionStore.create_or_resume(tmp_path / "s.db", _info())
    assert [(a.answer.index, a.answer.label) for a in again.answers()] == [(5, 1), (7, None)]
    assert again.last_batch() == (1, [1, 2, 3])
    assert again.metrics()[0].accuracy == pytest.approx(0.5) and again.n_events() == 4


def test_store_refuses_another_data_set_and_foreign_files(tmp_path):
    SessionStore.create_or_resume(tmp_path / "s.db", _info("one")).close()
    with pytest.raises(DataError, match="belongs to another data set"):
        SessionStore.create_or_resume(tmp_path / "s.db", _info("two"))
    (tmp_path / "notes.db").write_text("hello, I am not a database")
    with pytest.raises(DataError, match="not an altui session"):
        SessionStore.open_existing(tmp_path / "notes.db")
    with pytest.raises(DataError, match="no such session"):
        SessionStore.open_existing(tmp_path / "nope.db")


def test_ham_spam_names_only_for_the_youtube_layout(tmp_path):
    youtube = load_corpus(str(TRAIN_CSV), str(TEST_CSV))
    assert youtube.labels.names == ("ham", "spam")
    other = write_csv(tmp_path / "o.csv", [["text", "CLASS"]] + [[f"t {i}", str(i % 2)] for i in range(20)])
    assert load_corpus(str(other)).labels.names == ("0", "1")


def test_explain_names_the_ngrams_that_pushed_the_prediction(youtube_features):
    from altui.engine.learners.naive_bayes import MultinomialNBLearner

    X, y, _, _ = youtube_features
    learner = MultinomialNBLearner(2).fit(X[:300], y[:300])
    row = int(np.flatnonzero(y[300:] == 1)[0]) + 300
    reasons = learner.explain(X[row], predicted=1, k=3)
    assert 0 < len(reasons) <= 3 and all(w > 0 for _, w in reasons)
    log_prob = learner.feature_log_prob_
    for feature, weight in reasons:
        assert weight == pytest.approx(X[row, feature] * (log_prob[1, feature] - log_prob[0, feature]))
    assert [w for _, w in reasons] == sorted((w for _, w in reasons), reverse=True)
