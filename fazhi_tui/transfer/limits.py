"""How big an imported file may be before it is read: a small file that expands to gigabytes is
refused at once with a message, instead of taking the machine's memory.

An office's ledger is thousands of rows, a county's hotline millions; a 4 MB Excel file that
unzips to 2.6 GB, or a 2.6 MB Parquet file that decodes to 2.3 GB, is neither. Each limit is a
module constant so a deployment can raise it; every refusal names the file and the limit.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

# Excel: an .xlsx is a zip of XML. 1M rows × 20 columns of a ledger unzip to ~400 MB.
MAX_XLSX_UNCOMPRESSED = 1 << 30
MAX_XLSX_RATIO = 200  # uncompressed / compressed of one member: real sheets stay under ~20
MAX_XLSX_CELLS = 30_000_000  # rows × columns of the sheet read
# Parquet: what the footer declares the data will take once decoded, per row group and in all.
MAX_PARQUET_ROW_GROUP_BYTES = 2 << 30
MAX_PARQUET_RATIO = 500
MAX_DECODED_BATCH_BYTES = 512 << 20  # one batch of rows once its text is decoded
# GeoJSON: grid boundaries, a few thousand points each.
MAX_GEOJSON_BYTES = 64 << 20
MAX_RING_POINTS = 100_000


class FileTooLargeError(Exception):
    """A file refused before reading; the message names the file and the limit (Chinese)."""


def check_xlsx(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except zipfile.BadZipFile:
        return  # not a zip (.xls, a damaged file): the reader says what it is
    total = 0
    for m in members:
        total += m.file_size
        if m.file_size > (64 << 20) and m.compress_size and m.file_size / m.compress_size > MAX_XLSX_RATIO:
            raise FileTooLargeError(
                f"{path}：其中的 {m.filename} 解压后 {m.file_size >> 20} MB，压缩比 {m.file_size // m.compress_size}:1，"
                "不像正常的表格（疑为“压缩炸弹”），未读取"
            )
    if total > MAX_XLSX_UNCOMPRESSED:
        raise FileTooLargeError(
            f"{path}：解压后共 {total >> 20} MB，超过上限 {MAX_XLSX_UNCOMPRESSED >> 20} MB；"
            "请另存为 CSV（UTF-8）后导入，CSV 按批读取，不受此限"
        )


def check_cells(path: Path, sheet: str, height: int, width: int) -> None:
    if height * width > MAX_XLSX_CELLS:
        raise FileTooLargeError(
            f"{path}：工作表“{sheet}”有 {height:,} 行 × {width:,} 列，超过 {MAX_XLSX_CELLS:,} 个单元格的上限；"
            "请另存为 CSV（UTF-8）后导入"
        )


def check_parquet(path: Path, meta) -> None:
    """``meta``: the file's ``pyarrow.parquet.FileMetaData``."""
    import os

    declared = 0
    for i in range(meta.num_row_groups):
        rg = meta.row_group(i)
        declared += rg.total_byte_size
        if rg.total_byte_size > MAX_PARQUET_ROW_GROUP_BYTES:
            raise FileTooLargeError(
                f"{path}：第 {i + 1} 个行组解码后约 {rg.total_byte_size >> 20} MB，超过上限 "
                f"{MAX_PARQUET_ROW_GROUP_BYTES >> 20} MB；请用较小的行组（如每组 10 万行）重新写出"
            )
    size = max(os.path.getsize(path), 1)
    if declared > (256 << 20) and declared / size > MAX_PARQUET_RATIO:
        raise FileTooLargeError(
            f"{path}：{size >> 10} KB 的文件声明解码后有 {declared >> 20} MB（{declared // size}:1），"
            "不像正常的数据文件，未读取"
        )
