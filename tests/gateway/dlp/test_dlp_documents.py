"""Documents, archives and hidden encodings are opened and scanned; bombs and encrypted
files stop with an unscannable reason, in bounded time."""

from __future__ import annotations

import base64
import gzip
import io
import struct
import tarfile
import time
import urllib.parse
import zipfile

import py7zr
import pytest
from pypdf import PdfReader, PdfWriter

from gateway.dlp import Limits, Scanner, ScanResult

CARD = "5555 5555 5555 4444"


def _zip(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def _scan(scanner: Scanner, body: bytes, ctype: str = "application/octet-stream") -> ScanResult:
    return scanner.scan_body(body, content_type=ctype, content_encoding=None)


def _found(result: ScanResult) -> list[tuple[str, str]]:
    return [(f.detector, f.location) for f in result.findings if f.detector == "credit_card"]


def _pdf(text: str) -> bytes:
    """A one-page PDF whose content stream draws ``text`` with a standard font."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    stream = f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode()
    objs[3] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1,
                                                                           xref)
    return bytes(out)


# -- documents --------------------------------------------------------------------------------


def test_docx_text_split_over_runs_is_one_value(scanner: Scanner) -> None:
    doc = _zip({"[Content_Types].xml": b"<Types/>",
                "word/document.xml": b"<w:p><w:r><w:t>card 5555 5555</w:t></w:r>"
                                     b"<w:r><w:t> 5555 4444</w:t></w:r></w:p>"})
    result = _scan(scanner, doc)
    assert result.file_type == "docx"
    assert _found(result) == [("credit_card", "file:word/document.xml")]


def test_xlsx_numeric_cells_and_scientific_notation(scanner: Scanner) -> None:
    sheet = (b'<worksheet><sheetData><row r="1"><c r="A1"><v>5555555555554444</v></c>'
             b'<c r="B1"><v>12</v></c></row><row r="2"><c r="A2"><v>5.105105105105100E+15</v>'
             b"</c></row></sheetData></worksheet>")
    book = _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": sheet})
    result = _scan(scanner, book)
    assert result.file_type == "xlsx"
    assert len(_found(result)) == 2  # 5105105105105100 is a valid Mastercard test number


def test_pptx_slides(scanner: Scanner) -> None:
    deck = _zip({"[Content_Types].xml": b"<Types/>",
                 "ppt/slides/slide1.xml": f"<a:p><a:r><a:t>{CARD}</a:t></a:r></a:p>".encode()})
    assert _found(_scan(scanner, deck)) == [("credit_card", "file:ppt/slides/slide1.xml")]


def test_odt_content(scanner: Scanner) -> None:
    odt = _zip({"mimetype": b"application/vnd.oasis.opendocument.text",
                "content.xml": f"<text:p>card {CARD}</text:p>".encode()},
               zipfile.ZIP_STORED)
    result = _scan(scanner, odt)
    assert _found(result) == [("credit_card", "file:content.xml")]


def test_pdf_text(scanner: Scanner) -> None:
    result = _scan(scanner, _pdf(f"card {CARD}"), "application/pdf")
    assert result.file_type == "pdf"
    assert _found(result) == [("credit_card", "file:page1")]


def test_encrypted_pdf(scanner: Scanner) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf(f"card {CARD}"))))
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    result = _scan(scanner, buf.getvalue(), "application/pdf")
    assert result.unscannable == "encrypted:pdf"
    assert result.file_type == "pdf"


def test_pdf_with_only_an_owner_password_is_read(scanner: Scanner) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf(f"card {CARD}"))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    assert _found(_scan(scanner, buf.getvalue())) == [("credit_card", "file:page1")]


# -- archives ---------------------------------------------------------------------------------


def test_zip_tar_gzip_nested(scanner: Scanner) -> None:
    inner = _zip({"deep/card.txt": f"card {CARD}".encode()})
    tar_buf = io.BytesIO()
    with tarfile.open(fileobj=tar_buf, mode="w") as tf:
        info = tarfile.TarInfo("inner.zip")
        info.size = len(inner)
        tf.addfile(info, io.BytesIO(inner))
    body = gzip.compress(tar_buf.getvalue())
    result = _scan(scanner, body)
    assert result.file_type == "gzip"
    assert _found(result) == [("credit_card", "file:gzip!inner.zip!deep/card.txt")]


def test_nesting_deeper_than_the_limit_is_unscannable(scanner: Scanner) -> None:
    scanner = scanner.with_limits(Limits(max_archive_depth=1))
    body = _zip({"a.zip": _zip({"b.zip": _zip({"c.txt": CARD.encode()})})})
    assert _scan(scanner, body).unscannable == "limit_exceeded:archive_depth"


def test_7z_archive(scanner: Scanner) -> None:
    buf = io.BytesIO()
    with py7zr.SevenZipFile(buf, "w") as archive:
        archive.writestr(f"card {CARD}".encode(), "notes.txt")
    result = _scan(scanner, buf.getvalue())
    assert result.file_type == "7z"
    assert _found(result) == [("credit_card", "file:notes.txt")]


def test_encrypted_7z(scanner: Scanner) -> None:
    buf = io.BytesIO()
    with py7zr.SevenZipFile(buf, "w", password="s3cret") as archive:
        archive.writestr(f"card {CARD}".encode(), "notes.txt")
    assert _scan(scanner, buf.getvalue()).unscannable == "encrypted:7z"


def test_encrypted_zip_entry_flag(scanner: Scanner) -> None:
    # zipfile cannot write ZipCrypto; set the "encrypted" general-purpose flag as an
    # encrypting zip tool does (local header and central directory both carry it)
    data = bytearray(_zip({"secret.txt": b"x" * 100}, zipfile.ZIP_STORED))
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        pos = data.find(sig)
        flag_at = pos + (6 if sig == b"PK\x03\x04" else 8)
        (flags,) = struct.unpack_from("<H", data, flag_at)
        struct.pack_into("<H", data, flag_at, flags | 1)
    assert _scan(scanner, bytes(data)).unscannable == "encrypted:zip"


def test_encrypted_office_document(scanner: Scanner) -> None:
    ole = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
           + "EncryptionInfo".encode("utf-16-le") + b"\0" * 50
           + "EncryptedPackage".encode("utf-16-le") + b"\0" * 200)
    assert _scan(scanner, ole).unscannable == "encrypted:ooxml"


# -- bombs --------------------------------------------------------------------------------------


def test_zip_ratio_bomb_stops_fast(scanner: Scanner) -> None:
    bomb = _zip({"zeros.txt": b"0" * (200 * 1024 * 1024)})
    t0 = time.perf_counter()
    result = _scan(scanner, bomb)
    assert result.unscannable == "limit_exceeded:ratio"
    assert time.perf_counter() - t0 < 2


def test_overlapping_zip_entries_are_a_bomb(scanner: Scanner) -> None:
    data = bytearray(_zip({"a.txt": b"A" * 5000, "b.txt": b"B" * 5000}))
    cd = data.find(b"PK\x01\x02")
    second = data.find(b"PK\x01\x02", cd + 4)
    struct.pack_into("<I", data, second + 42, 0)  # b.txt's local header offset -> a.txt's
    assert _scan(scanner, bytes(data)).unscannable == "limit_exceeded:overlap"


def test_too_many_entries(scanner: Scanner) -> None:
    scanner = scanner.with_limits(Limits(max_entries=10))
    body = _zip({f"f{i}.txt": b"x" for i in range(11)})
    assert _scan(scanner, body).unscannable == "limit_exceeded:entries"


def test_gzip_file_bomb(scanner: Scanner) -> None:
    bomb = gzip.compress(b"\0" * (300 * 1024 * 1024), compresslevel=9)
    t0 = time.perf_counter()
    result = _scan(scanner, bomb)
    assert result.unscannable is not None and result.unscannable.startswith("limit_exceeded:")
    assert time.perf_counter() - t0 < 2


# -- hidden encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (b'{"blob": "%s"}' % base64.b64encode(f"card {CARD}".encode()), "application/json"),
        (b'{"blob": "%s"}' % base64.urlsafe_b64encode(f"card {CARD}!!".encode()),
         "application/json"),
        (b"data=" + f"card {CARD}".encode().hex().encode(), "text/plain"),
        (b"<p>card &#53;&#53;&#53;&#53; 5555 5555 4444</p>", "text/html"),
        (b"note=" + urllib.parse.quote(urllib.parse.quote(f"card {CARD}")).encode(),
         "application/x-www-form-urlencoded"),
        (b"x=" + base64.b64encode(base64.b64encode(f"card {CARD}".encode())), "text/plain"),
        (b'{"file": "%s"}' % base64.b64encode(_zip({"c.txt": f"card {CARD}".encode()})),
         "application/json"),
    ],
    ids=["base64", "base64url", "hex", "html-entities", "double-urlencoded", "base64-twice",
         "zip-in-base64-in-json"],
)
def test_hidden_encodings(scanner: Scanner, body: bytes, ctype: str) -> None:
    assert [d for d, _ in _found(_scan(scanner, body, ctype))] == ["credit_card"]


def test_random_base64_is_not_decoded_into_findings(scanner: Scanner) -> None:
    import random

    blob = base64.b64encode(random.Random(5).randbytes(3000))
    assert _scan(scanner, b"token=" + blob, "text/plain").findings == ()


def test_a_card_inside_a_document_blocks_redaction(scanner: Scanner) -> None:
    from gateway.errors import ContentError

    doc = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": CARD.encode()})
    with pytest.raises(ContentError):
        scanner.redact(doc, content_type="application/octet-stream", content_encoding=None)
