"""Request and response shapes of the channel API (they are the OpenAPI schema)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema


class ErrorItem(Schema):
    field: str | None = Field(None, description="出错的字段；与字段无关的错误为 null")
    message: str = Field(..., description="中文错误说明")


class ErrorOut(Schema):
    detail: list[ErrorItem]


class CaseIn(Schema):
    channel: str | None = Field(None, max_length=40,
                                description="受理渠道代码；密钥已限定渠道时可省略")
    channel_ticket: str = Field(..., min_length=1, max_length=60,
                                description="本渠道的工单号：同一工单号重复提交返回同一事项")
    complainant_type: Literal["individual", "employer"] = Field(
        "individual", description="individual 个人；employer 用人单位")
    complainant_name: str = Field(..., min_length=1, max_length=100, description="反映人姓名或单位名称")
    complainant_id_number: str = Field("", max_length=30,
                                       description="个人填居民身份证号，单位填统一社会信用代码")
    complainant_phone: str = Field("", max_length=20, description="手机号码或固定电话")
    complainant_email: str = Field("", max_length=120, description="电子邮箱（可不填）")
    complainant_address: str = Field("", max_length=200)
    employer_name: str = Field("", max_length=100, description="涉及单位")
    employer_credit_code: str = Field("", max_length=30, description="涉及单位统一社会信用代码")
    category: str = Field(..., min_length=1, max_length=40, description="争议类别代码，见 GET /categories")
    facts: str = Field(..., min_length=1, max_length=5000, description="反映的主要内容")
    request: str = Field("", max_length=2000, description="诉求")
    people_count: int = Field(1, ge=1, le=100000, description="涉及人数")


class CaseReceipt(Schema):
    number: str = Field(..., description="受理编号")
    query_code: str = Field(..., description="查询码：反映人凭受理编号和查询码查询进度")
    status: str
    status_label: str
    created: bool = Field(..., description="true 为新登记；false 为该工单号此前已登记")


class TimelineItem(Schema):
    at: datetime
    text: str


class CaseStatusOut(Schema):
    number: str
    channel_ticket: str
    status: str = Field(..., description="状态代码，如 accepted、transferred、settled")
    status_label: str
    status_text: str = Field(..., description="面向反映人的状态说明")
    category: str
    category_name: str
    responsible_unit: str = Field(..., description="承办单位（未转办时为受理单位）")
    accepted_at: datetime
    due_date: date | None = Field(None, description="当前环节办理期限")
    updated_at: datetime
    timeline: list[TimelineItem] = Field(..., description="公开的办理记录")


class UpdateIn(Schema):
    kind: Literal["note", "follow_up", "objection"] = Field(
        ..., description="note 跟进说明（内部记录）；follow_up 转达回访满意度；objection 转达异议")
    text: str = Field("", max_length=2000, description="说明、回访意见或异议理由")
    satisfaction: Literal["satisfied", "basically", "unsatisfied"] | None = Field(
        None, description="follow_up 时必填：satisfied 满意、basically 基本满意、unsatisfied 不满意")


class CategoryOut(Schema):
    code: str
    name: str
    description: str
