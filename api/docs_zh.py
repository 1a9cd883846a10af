"""The Chinese summary of every operation, for the documentation page's default language.

The English summary is each view's docstring; a test checks that every operation of the
OpenAPI document has its line here, so a new endpoint cannot go undocumented in Chinese.
"""

from __future__ import annotations

from .resources import API_PREFIX

SUMMARIES = {
    "POST /auth/token": "以电子邮箱和密码换取访问令牌（令牌只显示一次）及其到期时间。",
    "DELETE /auth/token": "退出登录：吊销本次请求所带的令牌。",
    "GET /auth/tokens": "本人仍然有效的令牌，最新的在前（不含令牌本身）。",
    "DELETE /auth/tokens/{token_id}": "吊销本人的某个令牌。",
    "GET /auth/signins": "登录日志，最新的在前：单位管理员查看本单位用户，生态环境部门查看辖区单位及本部门用户。",
    "POST /organizations": "登记单位（所辖区域的生态环境部门）。",
    "GET /organizations": "单位名录，用于在联单上指明各方。",
    "GET /organizations/{org_id}": "查看单个单位。",
    "POST /organizations/{org_id}/licences": "登记经营许可证或道路危险货物运输许可（生态环境部门）。",
    "GET /organizations/{org_id}/licences": "单位的许可证列表。",
    "POST /organizations/{org_id}/vehicles": "登记车辆（运输单位管理员）。",
    "GET /organizations/{org_id}/vehicles": "运输单位的车辆。",
    "POST /organizations/{org_id}/terminals": "将卫星定位终端（JT/T 808，按终端手机号）绑定到本单位车辆（运输单位管理员）；绑定后终端方可注册、鉴权并上报该车位置。",
    "GET /organizations/{org_id}/terminals": "本单位车辆当前绑定的定位终端（运输单位管理员）。",
    "PUT /organizations/{org_id}/terminals/{terminal_id}": "将已绑定的定位终端改绑到本单位另一辆车（运输单位管理员）；返回新的绑定，终端需以新车牌重新注册。",
    "DELETE /organizations/{org_id}/terminals/{terminal_id}": "解除定位终端的绑定（运输单位管理员）；此后网关拒绝其注册、鉴权和位置上报，已连接的也不例外。",
    "GET /manifests/{ref}/position": "运输途中车载终端上报的最后位置（尚无位置时为空）。",
    "POST /organizations/{org_id}/members": "为单位添加用户（单位管理员）。",
    "GET /organizations/{org_id}/members": "单位的用户，含已停用的（单位管理员）。",
    "PATCH /organizations/{org_id}/members/{user_id}": "修改单位用户的角色，或停用、恢复该用户（单位管理员）；停用后其令牌立即失效，每次变更均留有记录。",
    "GET /organizations/{org_id}/member-changes": "单位用户变更记录：谁在何时修改了哪位用户的角色或停用、恢复了该用户，最新的在前（单位管理员）。",
    "POST /auth/password": "修改本人密码（须输入当前密码，与登录同样计入锁定规则）；本人其他令牌随即失效。管理员设置的初始密码须先修改。",
    "GET /waste-codes": "按代码或名称查询危险废物代码及类别。",
    "GET /manifests/{ref}.pdf": "联单 PDF：各方、各环节数量、签名及存证链状态。",
    "PUT /manifests/{ref}/route": "设定计划路线：GeoJSON 折线，或 GPX 路线/轨迹（?corridor_m=500 设定走廊宽度）。",
    "GET /manifests/{ref}/route": "当前有效的计划路线。",
    "POST /manifests/{ref}/tracks": "上传本次运输的轨迹（原始请求体或 multipart 的 file 字段）：GPX，或车辆监控平台导出的 CSV/XLSX（中英文表头，UTF-8 或 GBK，无时区时按北京时间）；有错误的行逐行列出，整份文件不予接收。返回分析结果。",
    "GET /manifests/{ref}/tracks": "本次运输已上传的轨迹。",
    "GET /manifests/{ref}/tracks/{track_id}": "单条轨迹及其分析结果。",
    "GET /manifests/{ref}/tracks/{track_id}.geojson": "地图图层：路线、走廊、场站、轨迹及每个异常片段，GeoJSON 格式。",
    "POST /manifests": "填写联单草稿（移出人）。",
    "GET /manifests": "您可查看的联单，最新的在前。",
    "GET /manifests/{ref}": "按编号或 14 位联单号查看单张联单，含各环节质量合计（千克）及匹配的地磅记录（磅单号、净重、到厂时间），无则为空。",
    "PATCH /manifests/{ref}": "修改草稿（移出人）。",
    "POST /manifests/{ref}/issue": "签名并签发草稿：执行签发前检查并分配联单号（移出人）。",
    "POST /manifests/{ref}/cancel": "作废草稿或已签发的联单，须说明理由（移出人）。",
    "POST /manifests/{ref}/pickup": "按行填写装车数量并签收货物（承运人）。",
    "POST /manifests/{ref}/next-transporter": "指定、更换或（传 null）撤销下一承运人，作为签名事件记入存证链（当前承运人）。",
    "POST /manifests/{ref}/handoff": "从当前承运人处接运货物（仅限联单上指定的下一承运人；其他任何人视同联单不存在）。",
    "POST /manifests/{ref}/deliver": "按行填写过磅数量并签字确认到达（接受人）。",
    "POST /manifests/{ref}/decide": "逐行接收或拒收（接受人）。",
    "POST /manifests/{ref}/complete": "记录利用处置方式及日期（接受人）。",
    "GET /manifests/{ref}/events": "联单的存证链，按时间先后排列。",
    "GET /manifests/{ref}/verify": "重新计算联单的存证链，并与存储的联单比对。",
    "GET /ledger/verify": "按总账顺序重新计算全部事件（生态环境部门）。",
    "GET /findings": "您可查看的异常（本单位的；生态环境部门可看辖区内的），最新的在前。",
    "GET /findings/{finding_id}": "单条异常及其相关方和意见。",
    "PATCH /findings/{finding_id}": "处置异常：状态、期限、严重程度，并附说明（生态环境部门）。",
    "POST /findings/{finding_id}/comments": "对异常发表意见（相关方及生态环境部门）；相关方可将其标为已说明。",
    "POST /receipts": "上传地磅记录，CSV（含表头）或 JSON 格式（接受人）。",
    "GET /reports/balance": "按单位、角色和类别统计当月签发联单的申报、装车、接收、接受、拒收、已处置及在途吨数（生态环境部门看辖区，各方看本单位），并给出重点监管产废单位的安全处置率。format=csv 返回 CSV。",
    "GET /reports/discrepancies": "辖区内 [from, to) 期间产生的数量与类别差异异常，按类型和严重程度汇总（生态环境部门）。format=csv（带 BOM 的 UTF-8）或 format=pdf 供打印；默认中文，lang=en 为英文。GPS 与时限类异常不在其中（见 GET /findings）。",
    "GET /tolerances": "某地区签发联单适用的各类允许偏差：本地区或上级地区的设定，否则为全国统一默认值（5% 且 10 kg，含水率 5 个百分点，运维可另行配置）。生态环境部门可查其辖区内任一地区，各方只能查本单位所在地区；其他地区一律 404。",
    "GET /tolerances/history": "辖区允许偏差的全部变更记录（新的在前）：地区、类别、原值与新值、操作人及时间（生态环境部门）。",
    "GET /healthz": "存活探针：进程可应答（不访问数据库，无需令牌）。",
    "GET /readyz": "就绪探针：数据库可访问且结构为最新版本，否则返回 503（无需令牌）。",
    "PUT /tolerances/{kind}": "为本辖区某地区设定某类联单的允许偏差（生态环境部门）。此后在该地区签发的联单按新标准判定，已产生的异常保留原标准；每次变更均留痕。非本辖区地区：404，不作任何改动。",
    "DELETE /tolerances/{kind}": "撤销本辖区某地区对某类联单自行设定的允许偏差（生态环境部门），此后该地区联单按上级地区设定或全国默认值判定，返回撤销后适用的标准；撤销记入变更记录（cleared 为 true）。非本辖区地区或该地区无自行设定：404，不作任何改动。",
}


def summary(method: str, path: str) -> str | None:
    """The Chinese summary of ``method path`` (a path of the OpenAPI document), if written."""
    # The probes live outside the versioned API and are keyed by their whole path.
    key = path.removeprefix(API_PREFIX)
    return SUMMARIES.get(f"{method.upper()} {key}")
