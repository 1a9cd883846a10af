"""The discrepancy report as a PDF, rendered from an HTML template with WeasyPrint."""

from __future__ import annotations

from flask import render_template

from manifest.finding_types import SEVERITIES, SEVERITY_NAMES, STATUS_NAMES, label
from manifest.services import discrepancy_report as dr

from .pdf import write_pdf

LABELS = {
    "zh": {
        "title": "转移联单差异报告",
        "region": "监管机构",
        "period": "统计期间",
        "until": "至",
        "period_note": "北京时间，按问题发现时间统计，不含截止时刻",
        "totals": "按类型和严重程度汇总",
        "type": "问题类型",
        "total": "合计",
        "findings": "问题明细",
        "no_findings": "本期间无差异问题。",
        "id": "编号",
        "found_at": "发现时间",
        "manifest": "联单编号/车牌",
        "compared": "比对内容",
        "parties": "相关单位",
        "unit": "单位",
        "declared": "申报值",
        "observed": "实测值",
        "difference": "差值",
        "severity": "严重程度",
        "status": "状态",
        "due": "办理期限",
        "line": "明细",
        "generator": "移出人",
        "transporter": "承运人",
        "receiver": "接受人",
        "generated": "生成时间",
        "footer": "差值 = 实测值 − 申报值；差异率相对申报值。数据来自电子联单系统的问题记录。",
    },
    "en": {
        "title": "Manifest Discrepancy Report",
        "region": "Regulator",
        "period": "Period",
        "until": "to",
        "period_note": "China time, by the time each finding was raised, end excluded",
        "totals": "Totals by type and severity",
        "type": "Type",
        "total": "Total",
        "findings": "Findings",
        "no_findings": "No discrepancy findings in this period.",
        "id": "No.",
        "found_at": "Found at",
        "manifest": "Manifest / vehicle",
        "compared": "Compared",
        "parties": "Organisations",
        "unit": "Unit",
        "declared": "Declared",
        "observed": "Observed",
        "difference": "Difference",
        "severity": "Severity",
        "status": "Status",
        "due": "Due",
        "line": "line",
        "generator": "Generator",
        "transporter": "Transporter",
        "receiver": "Receiver",
        "generated": "Generated",
        "footer": "Difference = observed − declared; % is relative to the declared figure. "
        "Figures come from the findings held by the electronic manifest service.",
    },
}


def render_discrepancy_html(report: dict, lang: str, generated_at) -> str:
    return render_template(
        "discrepancy_report.html",
        r=report,
        t=LABELS[lang],
        lang=lang,
        local=dr.local_time,
        severities=SEVERITIES,
        roles=dr.ROLES,
        names=dr.names,
        generated_at=generated_at,
        type_name=lambda t: label(t, lang),
        severity_name=lambda s: SEVERITY_NAMES[lang].get(s, s),
        status_name=lambda s: STATUS_NAMES[lang].get(s, s),
        detail=lambda row: dr.detail(row, lang),
    )


def render_discrepancy_pdf(report: dict, lang: str, generated_at) -> bytes:
    """The report on A4 landscape: title, regulator and period, totals per type and severity,
    and one table row per finding."""
    return write_pdf(render_discrepancy_html(report, lang, generated_at))
