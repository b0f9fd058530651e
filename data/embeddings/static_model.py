"""Static sentence embeddings: a text's vector is the mean of its tokens' vectors in a fixed table.

The default model is wordllama's ``l2_supercat`` (MIT; 256 dimensions distilled from LLaMA 2's token embeddings,
16 MB of weights and the tokenizer inside the PyPI wheel). altui reads the two files from the installed package
itself, with ``tokenizers`` and ``safetensors``: wordllama's own loader is never called, so no code path can fetch
anything (its 0.4.0.post1 looks for ``tokenizer/`` where the wheel ships ``tokenizers/``, and would then try the
Hugging Face Hub). The mean is taken as one sparse token-count matrix times the table, so a 200 KB text costs what
its tokens cost, never a padded batch, and equals wordllama's ``embed`` (average pooling over the attention mask).

A user's own static model is a folder with ``tokenizer.json`` and ``model.safetensors`` holding one 2-D table
(model2vec's layout), or a sentence-transformers folder whose first module is ``0_StaticEmbedding`` (the same two
files there).
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from altui.data.errors import DataError

WORDLLAMA = "wordllama"
WORDLLAMA_CONFIG = "l2_supercat"
WORDLLAMA_DIM = 256
CHUNK = 4096  # texts tokenized and pooled at a time


class EmbedderMissing(DataError):
    """The default embedding package is not installed: altui works on n-grams alone."""


@dataclass(frozen=True)
class EmbedderFiles:
    """Where a static model's tokenizer and token table are, and its identity (part of the vector cache's key)."""

    tokenizer: Path
    weights: Path
    tensor: str | None  # the table's key in the safetensors file; None: its only 2-D tensor
    identity: str


def wordllama_files() -> EmbedderFiles:
    """wordllama's files inside the installed package (found without importing it)."""
    spec = importlib.util.find_spec(WORDLLAMA)
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderMissing("the embedding model is not installed (pip install wordllama): altui learns from "
                              "n-grams alone")
    root = Path(next(iter(spec.submodule_search_locations)))
    files = EmbedderFiles(root / "tokenizers" / f"{WORDLLAMA_CONFIG}_tokenizer_config.json",
                          root / "weights" / f"{WORDLLAMA_CONFIG}_{WORDLLAMA_DIM}.safetensors", "embedding.weight",
                          f"{WORDLLAMA}:{WORDLLAMA_CONFIG}:{WORDLLAMA_DIM}:{_version(WORDLLAMA)}")
    for path in (files.tokenizer, files.weights):
        if not path.is_file():
            raise EmbedderMissing(f"the wordllama package has no {path.name}: reinstall it (pip install --force-"
                                  "reinstall wordllama); altui learns from n-grams alone")
    return files


def folder_files(folder: Path) -> EmbedderFiles:
    """A user's static model folder (model2vec's layout, or sentence-transformers' ``0_StaticEmbedding``)."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DataError(f"--embedder {folder}: no such folder; name a folder with tokenizer.json and "
                        "model.safetensors, or --embedder wordllama")
    for candidate in (folder, folder / "0_StaticEmbedding"):
        tokenizer, weights = candidate / "tokenizer.json", candidate / "model.safetensors"
        if tokenizer.is_file() and weights.is_file():
            stat = weights.stat()
            identity = hashlib.sha256(f"{weights.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()
            return EmbedderFiles(tokenizer, weights, None, f"folder:{identity[:24]}")
    raise DataError(f"--embedder {folder}: no tokenizer.json and model.safetensors there (nor in "
                    "0_StaticEmbedding/); altui reads static embedding models only (model2vec, wordllama, "
                    "sentence-transformers' StaticEmbedding)")


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


class StaticEmbedder:
    """Unit sentence vectors (float32) of texts: the mean of their tokens' rows of the table, then L2-normalised
    (a text without a token is the zero vector)."""

    def __init__(self, files: EmbedderFiles):
        self.files = files
        self.identity = files.identity
        self._tokenizer, self._table = _load(files)

    @property
    def dim(self) -> int:
        return int(self._table.shape[1])

    def embed(self, texts: Sequence[str], on_progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        total = len(texts)
        out = np.zeros((total, self.dim), dtype=np.float32)
        for start in range(0, total, CHUNK):
            chunk = [_encodable(t) for t in texts[start : start + CHUNK]]
            counts = self._token_counts(chunk)
            lengths = np.asarray(counts.sum(axis=1)).ravel()
            pooled = np.asarray(counts @ self._table)
            pooled /= np.maximum(lengths, 1.0)[:, None]
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            np.divide(pooled, norms, out=pooled, where=norms > 0)
            out[start : start + len(chunk)] = pooled
            if on_progress is not None:
                on_progress(min(start + CHUNK, total), total)
        return out

    def _token_counts(self, texts: list[str]) -> sp.csr_matrix:
        # encode_batch_fast (tokenizers >= 0.20) skips the character offsets, which pooling never reads: 1.6x faster
        encode = getattr(self._tokenizer, "encode_batch_fast", self._tokenizer.encode_batch)
        ids = [e.ids for e in encode(texts, add_special_tokens=False)]
        indptr = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum([len(i) for i in ids], out=indptr[1:])
        flat = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int64, count=int(indptr[-1]))
        np.clip(flat, 0, self._table.shape[0] - 1, out=flat)  # as wordllama clamps ids beyond its table
        counts = sp.csr_matrix((np.ones(flat.shape[0], dtype=np.float32), flat, indptr),
                               shape=(len(ids), self._table.shape[0]))
        counts.sum_duplicates()
        return counts


def _encodable(text: str) -> str:
    """The text as the tokenizer takes it: a lone surrogate (from a file read with surrogateescape) replaced."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def _load(files: EmbedderFiles):
    try:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer
    except ImportError as error:
        raise EmbedderMissing(f"the embedding libraries are not installed ({error.name}): pip install wordllama; "
                              "altui learns from n-grams alone") from None
    try:
        tokenizer = Tokenizer.from_file(str(files.tokenizer))
        tensors = load_file(str(files.weights))
    except Exception as error:  # tokenizers and safetensors raise their own exception types
        raise DataError(f"{files.weights.parent}: cannot read the embedding model ({type(error).__name__}: "
                        f"{error}); reinstall it or pick another --embedder") from None
    tokenizer.no_padding()
    tokenizer.no_truncation()
    if files.tensor is not None and files.tensor in tensors:
        table = tensors[files.tensor]
    else:
        tables = [t for t in tensors.values() if t.ndim == 2]
        if len(tables) != 1:
            raise DataError(f"{files.weights}: expected one 2-D token table, found {len(tables)}; pick another "
                            "--embedder")
        table = tables[0]
    if table.shape[0] < tokenizer.get_vocab_size():
        raise DataError(f"{files.weights}: its table has {table.shape[0]} rows for a vocabulary of "
                        f"{tokenizer.get_vocab_size()} tokens; the tokenizer and weights do not belong together")
    return tokenizer, np.ascontiguousarray(table, dtype=np.float32)


def load_embedder(name: str | None) -> StaticEmbedder | None:
    """The embedder ``--embedder`` names: ``wordllama`` (the default), ``none``, or a folder. Raises
    :class:`EmbedderMissing` when the default package is absent (the caller falls back to n-grams)."""
    if name is None or name == "none":
        return None
    if name == WORDLLAMA:
        return StaticEmbedder(wordllama_files())
    return StaticEmbedder(folder_files(Path(name)))


def describe(embedder: StaticEmbedder | None) -> str:
    """One line for status and help: which vectors the model reads."""
    if embedder is None:
        return "n-grams only"
    return f"n-grams + {embedder.dim}-d sentence vectors ({embedder.identity.split(':')[0]})"


__all__ = ["EmbedderMissing", "StaticEmbedder", "describe", "load_embedder", "WORDLLAMA"]
