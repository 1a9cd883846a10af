"""Interface language: Simplified Chinese by default, English on request.

A client asks for English with ``Accept-Language: en`` (or ``?lang=en``). Domain messages are
written in English; the Chinese interface gives a Chinese headline per error code and keeps
the precise English detail beside it.
"""

from __future__ import annotations

from flask import request

DEFAULT = "zh"

ERROR_HEADLINES = {
    "validation_failed": ("输入内容不符合要求", "The input is not valid"),
    "checks_failed": ("签发前检查未通过，联单未签发", "Issue-time checks failed"),
    "handover_checks_failed": (
        "交接检查未通过（承运许可或车辆），货物未交接",
        "Hand-over checks failed (transport permit or vehicle); the load was not handed over",
    ),
    "invalid_transition": (
        "联单当前状态不允许此操作",
        "This action is not allowed in the current status",
    ),
    "conflict": (
        "记录已被他人修改或正在处理，请刷新后重试",
        "The record changed or is busy; retry",
    ),
    "not_found": ("未找到该记录", "Not found"),
    "forbidden": ("无权执行此操作", "You may not do this"),
    "unauthorized": (
        "需要登录：请在 Authorization 头中提供有效的令牌",
        "Sign in: send a valid bearer token",
    ),
    "malformed_json": ("请求体不是合法的 JSON", "The request body is not valid JSON"),
    "unsupported_media_type": ("不支持的内容类型", "Unsupported content type"),
    "payload_too_large": ("请求体过大", "The request body is too large"),
    "method_not_allowed": ("不支持该请求方法", "Method not allowed"),
    "bad_request": ("请求无效", "Bad request"),
    "idempotency_conflict": (
        "幂等键已用于另一个请求",
        "The Idempotency-Key was used for another request",
    ),
    "internal_error": ("服务器内部错误", "Internal server error"),
    "database_unavailable": (
        "数据库暂时无法访问，请求未生效，请稍后重试",
        "The database is unavailable; nothing was changed, retry later",
    ),
    "migrations_pending": (
        "数据库结构不是最新版本，服务尚未就绪",
        "The database schema is not at the latest migration; not ready",
    ),
    "bad_file": ("上传的文件无法读取", "The uploaded file cannot be read"),
    "wrong_vehicle": ("文件记录的是另一辆车", "The file is of another vehicle"),
    "pdf_font_missing": (
        "服务器未安装中文字体，无法生成 PDF",
        "No Chinese font is installed on the server; the PDF cannot be produced",
    ),
    "too_many_attempts": (
        "登录失败次数过多，已暂时锁定，请稍后再试",
        "Too many failed sign-ins; locked for a while, try again later",
    ),
    "last_active_admin": (
        "不能停用本单位最后一名在用的管理员，也不能取消其管理员角色",
        "The organisation's last active administrator can be neither deactivated nor demoted",
    ),
    "password_change_required": (
        "请先修改密码：当前密码由管理员设置，须改为您自己的密码",
        "Change your password first: the one your administrator set must be replaced",
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
    zh, en = ERROR_HEADLINES.get(code, ERROR_HEADLINES["bad_request"])
    return en if language() == "en" else zh
