"""Errors that say what happened: a Chinese message and exit 2, never a traceback, for what the
operating system refuses and for files that are not what they claim."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

from fazhi_tui.cli import main
from fazhi_tui.oserrors import describe_os_error

EXIT_ERROR = 2


@pytest.fixture
def store(tmp_path, capsys) -> Path:
    path = tmp_path / "store"
    assert main(["init", "--store", str(path)]) == 0
    capsys.readouterr()
    return path


def _import(capsys, store: Path, path: Path) -> tuple[int, str]:
    code = main(["import", "--store", str(store), "grids", str(path)])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("year", ["9999", "0", "-1"])
def test_export_with_an_impossible_year_says_so(store, tmp_path, capsys, year):
    code = main(["export", "--store", str(store), "grids", "-o", str(tmp_path / "g.csv"), f"--year={year}"])
    assert code == EXIT_ERROR and "--year 应为" in capsys.readouterr().err


def test_a_header_of_100k_columns_is_named_as_such(store, tmp_path, capsys):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n" + "1," * 99_999 + "1\n", "utf-8")
    code, text = _import(capsys, store, path)
    assert code == EXIT_ERROR and "表头" in text and "Empty CSV" not in text


def test_ragged_rows_name_the_table_not_the_file(store, tmp_path, capsys):
    path = tmp_path / "ragged.csv"
    path.write_text("网格编码,名称,类型,所属村\n1,a,综合,村\n2,b\n", "utf-8")
    code, text = _import(capsys, store, path)
    assert code == EXIT_ERROR and "表 grids" in text and "表 ragged" not in text and "第 3 行" in text


def test_a_file_mixing_utf8_and_gbk_names_the_row_where_it_changes(store, tmp_path, capsys):
    head = "网格编码,名称,类型,所属村\n1,赵庄村网格,综合,赵庄村\n".encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(head + "2,大黄村网格,综合,大黄村\n".encode("gbk"))
    code, text = _import(capsys, store, path)
    assert code == EXIT_ERROR and "第 3 行" in text and "UTF-8" in text
    # The same past the part the encoding is guessed from.
    rows = "".join(f"{i},网格{i},综合,村{i}\n" for i in range(40_000)).encode()
    path.write_bytes("网格编码,名称,类型,所属村\n".encode() + rows + "9,大黄,综合,村\n".encode("gbk"))
    code, text = _import(capsys, store, path)
    assert code == EXIT_ERROR and "第 40002 行" in text


def test_os_errors_are_described_with_what_to_do():
    full = describe_os_error(OSError(errno.ENOSPC, "No space left on device", "/srv/store/.staging/x"))
    assert "磁盘空间不足" in full and "原有的数据未受影响" in full
    assert "只读" in describe_os_error(OSError(errno.EROFS, "Read-only file system", "/srv/store"))
    assert "没有权限" in describe_os_error(PermissionError(errno.EACCES, "Permission denied", "/srv/store"))


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user")


def _run_as(uid: int, gid: int, argv: list[str]) -> tuple[int, str]:
    """``main(argv)`` in a forked child running as another OS user (the real thing: the kernel
    refuses the files, not a mock); returns its exit status and what it printed."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 99
        try:
            os.close(read_fd)
            os.dup2(write_fd, 1)
            os.dup2(write_fd, 2)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            sys.stdout = os.fdopen(1, "w", buffering=1)
            sys.stderr = sys.stdout
            code = main(argv)
        except BaseException as exc:  # noqa: BLE001 - report anything, as a traceback would
            import traceback

            traceback.print_exc()
            code = 98 if not isinstance(exc, SystemExit) else int(exc.code or 0)
        finally:
            sys.stdout.flush()
            os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd) as fh:
        output = fh.read()
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output


@needs_root
def test_a_user_outside_the_stores_group_gets_a_message_not_a_traceback(store, tmp_path, monkeypatch):
    import pwd

    nobody = pwd.getpwnam("nobody")
    # The store as init makes it: closed to everyone outside its owner and group.
    os.chmod(tmp_path, 0o755)
    os.chmod(store, 0o770)
    home = tmp_path / "nobody-home"
    home.mkdir()
    os.chown(home, nobody.pw_uid, nobody.pw_gid)
    for var in ("HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(var, str(home))
    monkeypatch.chdir(home)
    code, output = _run_as(nobody.pw_uid, nobody.pw_gid, ["summary", "--store", str(store)])
    assert code == EXIT_ERROR, output
    assert "Traceback" not in output and "错误：" in output and ("权限" in output or "无权" in output), output


@pytest.fixture
def small_disk(tmp_path):
    """A real 3 MB file system (tmpfs), for a disk that fills up or is read-only."""
    import subprocess

    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


@needs_root
def test_a_full_disk_during_import_says_nothing_was_lost(small_disk, tmp_path, capsys):
    store = small_disk / "store"
    assert main(["init", "--store", str(store)]) == 0
    import secrets

    # Names that do not compress: the batch cannot fit in the 3 MB disk however it is encoded.
    rows = "".join(
        f"41042110{i:06d},网格{secrets.token_hex(24)},综合,村{i % 50},{i % 500},2020-01-01\n" for i in range(120_000)
    )
    big = tmp_path / "grids.csv"
    big.write_text("网格编码,名称,类型,所属村,户数,设立日期\n" + rows, "utf-8")
    capsys.readouterr()
    code = main(["import", "--store", str(store), "grids", str(big)])
    out = capsys.readouterr()
    assert code == EXIT_ERROR, out.out + out.err
    assert "磁盘空间不足" in out.err and "未受影响" in out.err and "Traceback" not in out.err
    assert main(["sql", "--store", str(store), "SELECT count(*) AS n FROM grids", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "0"


@needs_root
def test_a_read_only_store_says_so(small_disk, tmp_path, capsys):
    import subprocess

    store = small_disk / "store"
    assert main(["init", "--store", str(store)]) == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    path = tmp_path / "g.csv"
    path.write_text("网格编码,名称,类型,所属村\n1,赵庄村网格,综合,赵庄村\n", "utf-8")
    capsys.readouterr()
    code = main(["import", "--store", str(store), "grids", str(path)])
    err = capsys.readouterr().err
    assert code == EXIT_ERROR and "只读" in err and "Traceback" not in err, err


def test_a_report_whose_data_cannot_be_read_marks_the_gap_and_exits_1(tmp_path, capsys):
    store = tmp_path / "store"
    assert main(["demo", "--store", str(store), "--today", "2026-11-26"]) == 0
    assert main(["compact", "--store", str(store), "hotline"]) == 0
    current = sorted((store / "hotline" / "_gen").glob("*/current/**/*.parquet"))
    current[0].unlink()  # a damaged generation: the table is refused, not read short
    capsys.readouterr()
    code = main(["report", "--store", str(store), "--year", "2023"])
    out = capsys.readouterr()
    assert code == 1
    # The hotline's figures are gaps, not the seed's numbers read from part of the table.
    assert "【缺" in out.out and "处理工单100余件" not in out.out
