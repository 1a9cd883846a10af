"""Interface language: Simplified Chinese by default, English on request.

A client asks for English with ``Accept-Language: en`` (or ``?lang=en``). Domain messages are
written in English; the Chinese interface gives a Chinese headline per error code and keeps
the precise English detail beside it.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import request

DEFAULT = "zh"


class Headline(NamedTuple):
    """An error code's headline, one field per language of the interface."""

    zh: str
    en: str


#: The headline of each error code in every language of the interface.
ERROR_HEADLINES = {
    "validation_failed": Headline(
        zh="输入内容不符合要求",
        en="The input is not valid",
    ),
    "checks_failed": Headline(
        zh="签发前检查未通过，联单未签发",
        en="Issue-time checks failed",
    ),
    "handover_checks_failed": Headline(
        zh="交接检查未通过（承运许可或车辆），货物未交接",
        en="Hand-over checks failed (transport permit or vehicle); the load was not handed over",
    ),
    "invalid_transition": Headline(
        zh="联单当前状态不允许此操作",
        en="This action is not allowed in the current status",
    ),
    "conflict": Headline(
        zh="记录已被他人修改或正在处理，请刷新后重试",
        en="The record changed or is busy; retry",
    ),
    "not_found": Headline(
        zh="未找到该记录",
        en="Not found",
    ),
    "forbidden": Headline(
        zh="无权执行此操作",
        en="You may not do this",
    ),
    "unauthorized": Headline(
        zh="需要登录：请在 Authorization 头中提供有效的令牌",
        en="Sign in: send a valid bearer token",
    ),
    "malformed_json": Headline(
        zh="请求体不是合法的 JSON",
        en="The request body is not valid JSON",
    ),
    "unsupported_media_type": Headline(
        zh="不支持的内容类型",
        en="Unsupported content type",
    ),
    "payload_too_large": Headline(
        zh="请求体过大",
        en="The request body is too large",
    ),
    "method_not_allowed": Headline(
        zh="不支持该请求方法",
        en="Method not allowed",
    ),
    "bad_request": Headline(
        zh="请求无效",
        en="Bad request",
    ),
    "idempotency_conflict": Headline(
        zh="幂等键已用于另一个请求",
        en="The Idempotency-Key was used for another request",
    ),
    "internal_error": Headline(
        zh="服务器内部错误",
        en="Internal server error",
    ),
    "database_unavailable": Headline(
        zh="数据库暂时无法访问，请求未生效，请稍后重试",
        en="The database is unavailable; nothing was changed, retry later",
    ),
    "migrations_pending": Headline(
        zh="数据库结构不是最新版本，服务尚未就绪",
        en="The database schema is not at the latest migration; not ready",
    ),
    "bad_file": Headline(
        zh="上传的文件无法读取",
        en="The uploaded file cannot be read",
    ),
    "wrong_vehicle": Headline(
        zh="文件记录的是另一辆车",
        en="The file is of another vehicle",
    ),
    "pdf_font_missing": Headline(
        zh="服务器未安装中文字体，无法生成 PDF",
        en="No Chinese font is installed on the server; the PDF cannot be produced",
    ),
    "too_many_attempts": Headline(
        zh="登录失败次数过多，已暂时锁定，请稍后再试",
        en="Too many failed sign-ins; locked for a while, try again later",
    ),
    "last_active_admin": Headline(
        zh="不能停用本单位最后一名在用的管理员，也不能取消其管理员角色",
        en="The organisation's last active administrator can be neither deactivated nor demoted",
    ),
    "password_change_required": Headline(
        zh="请先修改密码：当前密码由管理员设置，须改为您自己的密码",
        en="Change your password first: the one your administrator set must be replaced",
    ),
}


def language() -> str:
    """``zh`` or ``en`` for the current request."""
    wanted = (request.args.get("lang") or "").lower()
    if wanted in ("zh", "en"):
        return wanted
    for part in request.headers.get("Accept-Language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh"):
            return "zh"
    return DEFAULT


def headline(code: str) -> str:
    """The headline of the error ``code`` in the request's language (that of ``bad_request``
    for a code without its own)."""
    return getattr(ERROR_HEADLINES.get(code, ERROR_HEADLINES["bad_request"]), language())
