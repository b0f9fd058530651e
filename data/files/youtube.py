"""The default data set: the YouTube Spam Collection (UCI ML Repository, data set 380, CC BY 4.0).

Downloaded once from its UCI page, cached in the user's cache directory, and split exactly as the
reference tutorial ("Active learning with ModAL and scikit-learn"): the five CSVs in order, a VIDEO
column 0..4, concatenated, ``train_test_split(test_size=0.2, random_state=42)``, written as CSV.
The result is checked against the known sha256 of both files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import platformdirs
from sklearn.model_selection import train_test_split

from altui.data.errors import DataError
from altui.data.files.table import csv_text

YOUTUBE_URL = "https://archive.ics.uci.edu/static/public/380/youtube+spam+collection.zip"
RAW_FILES = (
    "Youtube01-Psy.csv",
    "Youtube02-KatyPerry.csv",
    "Youtube03-LMFAO.csv",
    "Youtube04-Eminem.csv",
    "Youtube05-Shakira.csv",
)
TRAIN_SHA256 = "7c58c0356e8dfdb5d004ee40eac814962f37f37d8067a186b434da9508bf6819"
TEST_SHA256 = "facd323611e976fc790a760f9adbfe64f550d7d27a32ff5878db1d8873ab8f7b"
CACHE_ENV = "ALTUI_CACHE_DIR"
SOURCE_ENV = "ALTUI_YOUTUBE_SOURCE"


@dataclass(frozen=True)
class YoutubeSplit:
    train: Path
    test: Path


def cache_dir() -> Path:
    """Where downloads are kept: ``$ALTUI_CACHE_DIR``, else the platform's user cache directory."""
    return Path(os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("altui")) / "youtube-spam"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def split(raw_files: dict[str, bytes]) -> tuple[bytes, bytes]:
    """The reference tutorial's train/test CSVs, byte for byte, from the five raw files."""
    header: list[str] | None = None
    rows: list[list[str]] = []
    for video, name in enumerate(RAW_FILES):
        if name not in raw_files:
            raise DataError(f"the YouTube archive lacks {name}; delete the cache folder {cache_dir()} and retry")
        reader = csv.reader(io.StringIO(raw_files[name].decode("utf-8-sig"), newline=""))
        file_header = next(reader)
        header = header or file_header + ["VIDEO"]
        rows.extend(row + [str(video)] for row in reader if row)
    train_rows, test_rows = train_test_split(rows, test_size=0.2, random_state=42)
    return csv_text(header, train_rows).encode("utf-8"), csv_text(header, test_rows).encode("utf-8")


def read_archive(data: bytes) -> dict[str, bytes]:
    """The raw CSVs of the UCI zip, by file name (any folder inside the zip, macOS extras ignored)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DataError("the YouTube download is not a zip archive; retry later or set ALTUI_YOUTUBE_SOURCE") from None
    files = {}
    for info in archive.infolist():
        name = info.filename.rsplit("/", 1)[-1]
        if name in RAW_FILES and "__MACOSX" not in info.filename:
            files[name] = archive.read(info)
    return files


def fetch(source: str, timeout: float = 60.0) -> dict[str, bytes]:
    """The raw files from an http(s) URL of the zip, a local zip file, or a folder holding the CSVs."""
    if source.startswith(("http://", "https://")):
        try:
            with httpx.Client(follow_redirects=True, timeout=timeout) as client:
                response = client.get(source)
                response.raise_for_status()
        except httpx.HTTPStatusError as exc:
            raise DataError(
                f"downloading the YouTube Spam Collection from {source} failed with HTTP {exc.response.status_code}; "
                "retry later, or pass your own CSV"
            ) from None
        except httpx.HTTPError as exc:
            raise DataError(
                f"cannot download the YouTube Spam Collection from {source} ({type(exc).__name__}); "
                "check your network, or pass your own CSV"
            ) from None
        return read_archive(response.content)
    path = Path(source.removeprefix("file://"))
    if path.is_dir():
        return {name: (path / name).read_bytes() for name in RAW_FILES if (path / name).is_file()}
    if path.is_file():
        return read_archive(path.read_bytes())
    raise DataError(f"{SOURCE_ENV}={source}: no such URL, zip file or folder")


def ensure_youtube(source: str | None = None, directory: Path | None = None) -> YoutubeSplit:
    """Paths of the cached train/test split, downloading and splitting it first if needed."""
    directory = directory or cache_dir()
    split_paths = YoutubeSplit(directory / "train.csv", directory / "test.csv")
    if _is_valid(split_paths):
        return split_paths
    source = source or os.environ.get(SOURCE_ENV) or YOUTUBE_URL
    train, test = split(fetch(source))
    if sha256(train) != TRAIN_SHA256 or sha256(test) != TEST_SHA256:
        raise DataError(
            f"the YouTube files from {source} do not match the reference split (sha256 differs); "
            "the source may have changed: pass your own CSV instead"
        )
    write_split(directory, train, test)
    return split_paths


def write_split(directory: Path, train: bytes, test: bytes) -> YoutubeSplit:
    """Write both files atomically (a crash never leaves half a file behind)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name, content in (("train.csv", train), ("test.csv", test)):
            tmp = directory / f".{name}.tmp"
            tmp.write_bytes(content)
            os.replace(tmp, directory / name)
    except OSError as exc:
        raise DataError(f"cannot write to {directory} ({exc.strerror}); pick a writable folder") from None
    return YoutubeSplit(directory / "train.csv", directory / "test.csv")


def _is_valid(paths: YoutubeSplit) -> bool:
    try:
        return sha256(paths.train.read_bytes()) == TRAIN_SHA256 and sha256(paths.test.read_bytes()) == TEST_SHA256
    except OSError:
        return False
