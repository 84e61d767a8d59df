"""What the operating system refused, said in Chinese with what to do about it.

Every write of the store goes to a staging file first and is renamed into place only when whole,
so a failed write (a full disk, a folder the user may not write) leaves the data as it was: the
messages say so, because that is what a clerk wants to know first.
"""

from __future__ import annotations

import errno
import getpass


def _who() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no name for this uid: the number will do
        import os

        return str(os.getuid())


def describe_os_error(exc: OSError) -> str:
    where = exc.filename or ""
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM):
        return (
            f"没有权限访问 {where}（当前用户 {_who()}）。共享的数据目录须属于你所在的组："
            "请管理员运行 fazhi-tui init --group 组名，并把你加入该组（usermod -aG 组名 用户名）"
        )
    if code in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"磁盘空间不足，写入 {where} 未完成。数据目录中原有的数据未受影响（写入先到临时文件，完整后才生效）；"
            "清理磁盘空间后重试"
        )
    if code == errno.EROFS:
        return f"{where} 位于只读的文件系统上，无法写入；原有的数据未受影响"
    if code == errno.ENOENT:
        return f"找不到 {where}"
    if code == errno.ENOTDIR:
        return f"{where} 不是目录"
    return f"{exc.strerror or exc}（{where}）" if where else f"{exc.strerror or exc}"
