"""No silent mojibake (issue 29): a mostly-UTF-8 file with a few lines in a code page is refused naming them,
UTF-16 without a byte-order mark is read as UTF-16, and an --encoding that does not fit is one line."""

from __future__ import annotations

import pytest

from altui.data.errors import DataError
from altui.data.files.table import load_table


def write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_a_mostly_utf8_file_with_cp1252_lines_names_them(tmp_path):
    rows = "text,label\n" + "".join(f"café {i},ham\n" for i in range(20))
    data = write(tmp_path / "mixed.csv", rows.encode("utf-8") + "naïve résumé,spam\n".encode("cp1252"))
    with pytest.raises(DataError, match=r"UTF-8 but for line 22.*--encoding cp1252"):
        load_table(data)
    assert load_table(data, encoding="cp1252").texts[-1] == "naïve résumé"  # the fix it names works


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_read_as_utf16(tmp_path, codec):
    text = "text,label\n" + "".join(f"привет мир {i},{'ham' if i % 2 else 'spam'}\n" for i in range(10))
    table = load_table(write(tmp_path / "u16.csv", text.encode(codec)))
    assert table.texts[3] == "привет мир 3" and table.labels[:2] == ["spam", "ham"]


def test_a_legacy_file_is_still_detected(tmp_path):
    text = "text,label\n" + "".join(f"привет это текст номер {i},метка\n" for i in range(30))
    assert load_table(write(tmp_path / "ru.csv", text.encode("cp1251"))).texts[0] == "привет это текст номер 0"


def test_an_encoding_that_does_not_fit_is_one_line(tmp_path):
    data = write(tmp_path / "u8.csv", "text,label\ncafé,ham\nthé,spam\n".encode("utf-8"))
    for given in ("utf-16", "utf-32", "ascii"):
        with pytest.raises(DataError, match="--encoding"):
            load_table(data, encoding=given)
